"""docs/api.md in step with the served OpenAPI document, both ways: every endpoint the guide names is served, with
the callers its table names, and every served endpoint has its row in the guide. No database: the document is
built from the routes alone."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from backend.app import create_app
from backend.config import ROOT, load_settings
from backend.permissions import ROLES
from backend.routes.guard import STAFF_AREA

GUIDE = ROOT / "docs" / "api.md"
# How the guide writes an endpoint, anywhere in its text: `GET /api/v1/products/{product_id}`.
_MENTION = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`\s]*)`")
# A row of an endpoint table: | `METHOD /api/v1/path` | who | ...
_ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/v1/[^`\s]*)` \| ([^|]*) \|", re.MULTILINE)


@pytest.fixture(scope="module")
def spec() -> Iterator[dict[str, Any]]:
    settings = replace(load_settings(), mail_sender_enabled=False, cleanup_interval_minutes=0,
                       ratelimit_enabled=False, log_level="WARNING")
    app = create_app(settings=settings)
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    yield response.get_json()
    app.extensions["shopwright"].db.pool.close()


def served(spec: dict[str, Any]) -> dict[str, str]:
    """"METHOD /api/v1/path" -> who may call it, in the guide's words."""
    prefix = spec["servers"][0]["url"]
    return {f"{method.upper()} {prefix}{path}": _callers(operation, prefix + path)
            for path, operations in spec["paths"].items() for method, operation in operations.items()}


def _callers(operation: dict[str, Any], path: str) -> str:
    if "x-roles" in operation:
        return ", ".join(sorted(operation["x-roles"]))
    security = operation.get("security")
    if not security:
        return "anyone"
    if {} in security:
        return "guest or user"
    # The guard lets only staff into the staff area, whatever the route's own guard asks.
    return "staff" if path == STAFF_AREA or path.startswith(f"{STAFF_AREA}/") else "user"


def _who(cell: str) -> str:
    """The guide's who cell as _callers says it: roles sorted, or anyone / guest or user / user / staff."""
    roles = sorted(set(re.findall(r"\b(?:" + "|".join(ROLES) + r")\b", cell)))
    return ", ".join(roles) if roles else cell.strip()


def unknown(guide: str, endpoints: dict[str, str]) -> list[str]:
    """Endpoints the guide names that are not served (a misspelt path, a wrong method, an old name)."""
    return sorted({f"{method} {path}" for method, path in _MENTION.findall(guide)} - set(endpoints))


def rows(guide: str) -> dict[str, str]:
    """"METHOD /api/v1/path" -> the who cell of its table row."""
    return {f"{method} {path}": _who(who) for method, path, who in _ROW.findall(guide)}


def test_every_endpoint_the_guide_names_is_served(spec):
    assert unknown(GUIDE.read_text(), served(spec)) == []


def test_every_served_endpoint_has_its_row_in_the_guide(spec):
    assert sorted(set(served(spec)) - set(rows(GUIDE.read_text()))) == []


def test_no_endpoint_has_two_rows():
    listed = [f"{method} {path}" for method, path, _ in _ROW.findall(GUIDE.read_text())]
    assert sorted({endpoint for endpoint in listed if listed.count(endpoint) > 1}) == []


def test_each_row_names_who_may_call_the_endpoint(spec):
    endpoints = served(spec)
    wrong = {endpoint: (who, endpoints[endpoint]) for endpoint, who in rows(GUIDE.read_text()).items()
             if endpoint in endpoints and who != endpoints[endpoint]}
    assert wrong == {}


def test_a_misspelt_path_or_a_missing_row_is_caught(spec):
    """The checks above can fail: the parser finds every row, and a changed path shows up both ways."""
    endpoints, guide = served(spec), GUIDE.read_text()
    assert len(rows(guide)) == len(endpoints)
    misspelt = guide.replace("`POST /api/v1/orders`", "`POST /api/v1/order`")
    assert unknown(misspelt, endpoints) == ["POST /api/v1/order"]
    assert "POST /api/v1/orders" not in rows(misspelt)
