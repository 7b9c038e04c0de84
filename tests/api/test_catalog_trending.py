"""GET /search/trending offers every visitor only plain terms that found products; staff can hide a term."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.catalog_support import product, word
from tests.helpers import assert_error


def _search(client, q: str, times: int = 1) -> None:
    for _ in range(times):
        assert client.get("/api/v1/products", query_string={"q": q}).status_code == 200


def _trending(client, has: str) -> list[dict]:
    body = client.get("/api/v1/search/trending?limit=50").get_json()
    return [t for t in body if has in t["term"]]


@pytest.fixture
def lamp(services):
    """A unique word and a product named with it, so searches for the word find something."""
    w = word()
    product(services, f"{w} Desk Lamp")
    return w


def test_junk_and_attack_strings_never_trend(client, lamp):
    w = lamp
    junk = [
        f"{w}' and (select (case when (1=1) then 1 else 0 end))",  # what a scanner pastes
        f"{w}' or '1'='1",
        f"{w}\" union select null,null--",
        f"<script>alert(1)</script> {w}",
        f"{w} desk lamp with shade",  # five words
        f"{w} lamp!", f"{w}, lamp", f"{w}/lamp", f"{w}_lamp", f"{w} lamp;",
        f"{w} -- --",
    ]
    for q in junk:
        _search(client, q, times=3)  # each found the product, and each more often than the real term
    _search(client, f"{w} lamp")
    assert _trending(client, w) == [{"term": f"{w} lamp", "count": 1}]


def test_terms_that_found_nothing_never_trend(client, lamp):
    nothing = word()
    _search(client, nothing, times=5)
    _search(client, f"{lamp} desk", times=2)
    assert _trending(client, nothing) == []
    assert _trending(client, lamp) == [{"term": f"{lamp} desk", "count": 2}]


def test_spelling_variants_merge_into_one_normalised_term(client, lamp):
    for q in (f"{lamp.upper()}  Desk  Lamp", f"{lamp} desk lamp", f"  {lamp} DESK\tlamp "):
        _search(client, q)
    assert _trending(client, lamp) == [{"term": f"{lamp} desk lamp", "count": 3}]


def test_letters_of_any_script_digits_and_hyphens_trend(client, services):
    w = word()
    product(services, f"{w} Лампа 台灯 लैंप e-27", description="a lamp for every language")
    terms = [f"{w} лампа", f"{w} 台灯", f"{w} लैंप", f"{w} e-27"]
    for q in terms:
        _search(client, q)
    assert sorted(t["term"] for t in _trending(client, w)) == sorted(terms)


def test_staff_hide_a_term_for_good(client, make_user, lamp):
    _search(client, f"{lamp} lamp", times=2)
    _search(client, f"{lamp} desk")
    manager = make_user("product_manager")
    response = client.delete(f"/api/v1/search/trending/{quote(f'{lamp.upper()}  LAMP')}", headers=manager["headers"])
    assert response.status_code == 204 and response.get_data() == b""
    assert _trending(client, lamp) == [{"term": f"{lamp} desk", "count": 1}]
    _search(client, f"{lamp} lamp", times=3)  # searched again: still hidden
    assert _trending(client, lamp) == [{"term": f"{lamp} desk", "count": 1}]
    again = client.delete(f"/api/v1/search/trending/{quote(f'{lamp} lamp')}", headers=make_user("admin")["headers"])
    assert again.status_code == 204  # hiding twice is fine


def test_hiding_is_audited(client, make_user, lamp):
    admin = make_user("admin")
    assert client.delete(f"/api/v1/search/trending/{lamp}%20desk", headers=admin["headers"]).status_code == 204
    events = client.get(f"/api/v1/admin/audit?actor_id={admin['id']}&action=search.term_hidden",
                        headers=admin["headers"]).get_json()["items"]
    assert [(e["target_type"], e["details"]) for e in events] == [("search_term", {"term": f"{lamp} desk"})]


def test_only_catalog_staff_may_hide(client, make_user, lamp):
    _search(client, f"{lamp} desk")
    url = f"/api/v1/search/trending/{lamp}%20desk"
    assert_error(client.delete(url), 401, "unauthenticated")
    for role in ("customer", "operator", "supervisor"):
        assert_error(client.delete(url, headers=make_user(role)["headers"]), 403, "forbidden")
    assert _trending(client, lamp) == [{"term": f"{lamp} desk", "count": 1}]


def test_a_term_too_long_to_hide_is_422(client, make_user):
    error = assert_error(client.delete(f"/api/v1/search/trending/{'x' * 101}",
                                       headers=make_user("admin")["headers"]), 422, "validation_error")
    assert set(error["fields"]) == {"term"}


def test_the_openapi_document_lists_hiding_with_its_statuses(client):
    hide = client.get("/api/v1/openapi.json").get_json()["paths"]["/search/trending/{term}"]["delete"]
    assert set(hide["responses"]) == {"204", "401", "403", "404", "422", "503"}
    assert [p["name"] for p in hide["parameters"]] == ["term"]
