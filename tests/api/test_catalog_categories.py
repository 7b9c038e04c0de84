"""The category tree: any depth, unique slugs, moves with cycle refusal, deletes, staff-only writes."""
from __future__ import annotations

from backend.container import Services
from backend.context import SYSTEM
from backend.db import Database
from tests.catalog_support import product, tree
from tests.conftest import uid
from tests.helpers import assert_error


def _find(nodes, category_id):
    for node in nodes:
        if node["id"] == category_id:
            return node
        found = _find(node["children"], category_id)
        if found:
            return found
    return None


def test_tree_nests_categories_of_any_depth(client, services):
    ids = tree(services, {"A": {"B": {"C": {"D": {"E": {}}}}, "B2": {}}})
    body = client.get("/api/v1/categories").get_json()
    a = _find(body, ids["A"])
    assert a is not None and a in body  # a root
    assert [c["id"] for c in a["children"]] == [ids["B"], ids["B2"]]
    d = a["children"][0]["children"][0]["children"][0]
    assert d["id"] == ids["D"] and d["children"][0]["id"] == ids["E"] and d["children"][0]["children"] == []
    assert set(d) == {"id", "name", "slug", "children"} and d["name"].startswith("D ")


def test_create_generates_unique_slugs(client, make_user):
    headers = make_user("product_manager")["headers"]
    name = f"Garden Tools {uid()}"
    first = client.post("/api/v1/categories", json={"name": name}, headers=headers)
    second = client.post("/api/v1/categories", json={"name": name}, headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["slug"] == name.lower().replace(" ", "-")
    assert second.get_json()["slug"] == first.get_json()["slug"] + "-2"
    assert first.headers["Location"].endswith(f"/api/v1/categories/{first.get_json()['id']}")


def test_child_gets_parent_path(client, make_user):
    headers = make_user("admin")["headers"]
    parent = client.post("/api/v1/categories", json={"name": f"P {uid()}"}, headers=headers).get_json()
    child = client.post("/api/v1/categories", json={"name": f"C {uid()}", "parent_id": parent["id"]},
                        headers=headers).get_json()
    assert parent["path"] == f"/{parent['id']}/" and child["path"] == f"/{parent['id']}/{child['id']}/"
    assert child["parent_id"] == parent["id"]


def test_moving_under_itself_or_a_descendant_is_refused(client, services, make_user):
    ids = tree(services, {"A": {"B": {"C": {}}}})
    headers = make_user("product_manager")["headers"]
    for target in ("A", "B", "C"):
        response = client.patch(f"/api/v1/categories/{ids['A']}", json={"parent_id": ids[target]}, headers=headers)
        assert_error(response, 409, "category_cycle")
    assert services.categories.get_category(ids["A"])["parent_id"] is None
    assert services.categories.get_category(ids["C"])["path"] == f"/{ids['A']}/{ids['B']}/{ids['C']}/"


def test_move_rewrites_descendant_paths_and_the_subtree_filter(client, services, make_user):
    ids = tree(services, {"A": {"B": {"C": {}}}, "R": {}})
    item = product(services, f"Moved thing {uid()}", category_id=ids["C"])
    headers = make_user("product_manager")["headers"]
    response = client.patch(f"/api/v1/categories/{ids['B']}", json={"parent_id": ids["R"]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["path"] == f"/{ids['R']}/{ids['B']}/"
    assert services.categories.get_category(ids["C"])["path"] == f"/{ids['R']}/{ids['B']}/{ids['C']}/"
    in_r = client.get(f"/api/v1/products?category_id={ids['R']}").get_json()
    in_a = client.get(f"/api/v1/products?category_id={ids['A']}").get_json()
    assert [p["id"] for p in in_r["items"]] == [item["id"]] and in_a["items"] == []
    # And back to the root.
    response = client.patch(f"/api/v1/categories/{ids['B']}", json={"parent_id": None}, headers=headers)
    assert response.get_json()["path"] == f"/{ids['B']}/" and response.get_json()["parent_id"] is None


def test_rename_keeps_the_slug(client, services, make_user):
    ids = tree(services, {"A": {}})
    before = services.categories.get_category(ids["A"])
    response = client.patch(f"/api/v1/categories/{ids['A']}", json={"name": "Renamed"},
                            headers=make_user("admin")["headers"])
    assert response.get_json()["name"] == "Renamed" and response.get_json()["slug"] == before["slug"]


def test_delete_refuses_non_empty_categories(client, services, make_user):
    ids = tree(services, {"A": {"B": {}}, "P": {}, "E": {}})
    product(services, f"Keeps P busy {uid()}", category_id=ids["P"])
    headers = make_user("product_manager")["headers"]
    assert_error(client.delete(f"/api/v1/categories/{ids['A']}", headers=headers), 409, "category_not_empty")
    assert_error(client.delete(f"/api/v1/categories/{ids['P']}", headers=headers), 409, "category_not_empty")
    assert client.delete(f"/api/v1/categories/{ids['E']}", headers=headers).status_code == 204
    assert_error(client.get(f"/api/v1/categories/{ids['E']}"), 404, "not_found")
    assert_error(client.delete(f"/api/v1/categories/{ids['E']}", headers=headers), 404, "not_found")


def test_category_validation_errors_name_the_field(client, make_user):
    headers = make_user("product_manager")["headers"]
    error = assert_error(client.post("/api/v1/categories", json={}, headers=headers), 422, "validation_error")
    assert set(error["fields"]) == {"name"}
    error = assert_error(client.post("/api/v1/categories", json={"name": "   "}, headers=headers), 422,
                         "validation_error")
    assert set(error["fields"]) == {"name"}
    error = assert_error(client.post("/api/v1/categories", json={"name": "X", "parent_id": 999_999_999},
                                     headers=headers), 422, "validation_error")
    assert set(error["fields"]) == {"parent_id"}


def test_category_writes_need_catalog_staff(client, services, make_user):
    ids = tree(services, {"A": {}})
    assert_error(client.post("/api/v1/categories", json={"name": "x"}), 401, "unauthenticated")
    customer = make_user("customer")["headers"]
    assert_error(client.post("/api/v1/categories", json={"name": "x"}, headers=customer), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/categories/{ids['A']}", json={"name": "x"}, headers=customer), 403,
                 "forbidden")
    assert_error(client.delete(f"/api/v1/categories/{ids['A']}", headers=customer), 403, "forbidden")
    supervisor = make_user("supervisor")["headers"]
    assert_error(client.delete(f"/api/v1/categories/{ids['A']}", headers=supervisor), 403, "forbidden")
    assert services.categories.get_category(ids["A"])["id"] == ids["A"]


def test_category_changes_are_audited(services, db):
    row = services.categories.create_category(SYSTEM, f"Audited {uid()}")
    with db.cursor() as cur:
        cur.execute("SELECT action FROM audit_log WHERE target_type = 'category' AND target_id = %s",
                    (str(row["id"]),))
        assert [r["action"] for r in cur.fetchall()] == ["category.create"]


def test_each_worker_keeps_its_tree_until_any_worker_changes_it(client, services, settings):
    # Two workers: this app, and another set of services on the same database (as a second gunicorn
    # worker has). The tree kept by the first follows every kind of write made through the second.
    other = Services(settings, Database(settings))
    try:
        ids = tree(services, {"Kept": {"Leaf": {}}})
        first = client.get("/api/v1/categories").get_json()
        assert services.categories.tree() is services.categories.tree()  # kept, not rebuilt
        assert client.get("/api/v1/categories").get_json() == first

        def node(category_id):
            return _find(client.get("/api/v1/categories").get_json(), category_id)

        other.categories.update_category(SYSTEM, ids["Leaf"], name="Renamed leaf")
        assert node(ids["Leaf"])["name"] == "Renamed leaf"
        added = other.categories.create_category(SYSTEM, f"Added {uid()}", ids["Kept"])
        assert [c["id"] for c in node(ids["Kept"])["children"]] == [added["id"], ids["Leaf"]]
        other.categories.update_category(SYSTEM, added["id"], parent_id=None)
        assert node(added["id"]) in client.get("/api/v1/categories").get_json()  # moved to the roots
        other.categories.delete_category(SYSTEM, added["id"])
        assert node(added["id"]) is None
    finally:
        other.db.pool.close()


def test_a_product_page_names_its_path_from_the_kept_tree_until_any_worker_changes_it(client, services, settings):
    # The product page names category_path from the tree this worker keeps (checked against the token
    # read with the product): a rename or a move made through another worker shows on the next page.
    other = Services(settings, Database(settings))
    try:
        ids = tree(services, {"Shelf": {"Box": {}}})
        item = product(services, f"Kept path {uid()}", category_id=ids["Box"])

        def path():
            body = client.get(f"/api/v1/products/{item['id']}").get_json()
            return [(c["id"], c["name"]) for c in body["category_path"]]

        first = path()
        assert [i for i, _ in first] == [ids["Shelf"], ids["Box"]] and path() == first
        other.categories.update_category(SYSTEM, ids["Box"], name="Renamed box")
        assert path() == [first[0], (ids["Box"], "Renamed box")]
        other.categories.update_category(SYSTEM, ids["Box"], parent_id=None)
        assert path() == [(ids["Box"], "Renamed box")]
    finally:
        other.db.pool.close()
