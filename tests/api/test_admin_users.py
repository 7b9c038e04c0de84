"""/admin/users: search, one-by-one changes, bulk actions with their counts, automatic unblock, purge rules."""
from __future__ import annotations

from datetime import timedelta

from backend.clock import iso, utcnow
from tests.conftest import uid
from tests.helpers import assert_error


def _user(client, admin, user_id):
    response = client.get(f"/api/v1/admin/users/{user_id}", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _set_last_login(db, user_id, when):
    with db.cursor() as cur:
        cur.execute("UPDATE users SET last_login_at = %s, created_at = %s WHERE id = %s", (when, when, user_id))


def _add_order(db, user_id):
    with db.cursor() as cur:
        cur.execute("INSERT INTO orders (user_id, status, subtotal, total, currency, shipping_address) "
                    "VALUES (%s, 'paid', 5, 5, 'USD', '{}')", (user_id,))
        return cur.lastrowid


def test_search_matches_email_username_and_full_name_with_filters(client, make_user):
    admin = make_user("admin")
    tag = uid()
    by_name = make_user(full_name=f"Zed {tag} Quist")
    by_mail = make_user(email=f"{tag}@example.test")
    staff = make_user("operator", username=f"op_{tag}")
    other = make_user()

    def ids(query):
        response = client.get(f"/api/v1/admin/users?{query}", headers=admin["headers"])
        assert response.status_code == 200, response.get_json()
        return {u["id"] for u in response.get_json()["items"]}

    assert ids(f"q={tag}") == {by_name["id"], by_mail["id"], staff["id"]}
    assert other["id"] not in ids(f"q={tag}")
    assert ids(f"q={tag}&role=operator") == {staff["id"]}
    page = client.get(f"/api/v1/admin/users?q={tag}&per_page=2&page=2", headers=admin["headers"]).get_json()
    assert (page["total"], page["pages"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    # LIKE wildcards in the search text are taken literally.
    assert ids("q=%25%25_%25") == set()
    assert_error(client.get("/api/v1/admin/users?role=king", headers=admin["headers"]), 422, "validation_error")


def test_status_filter_and_patch_block_deactivate_role(client, make_user):
    admin = make_user("admin")
    target = make_user(full_name=f"Target {uid()}")
    until = iso(utcnow() + timedelta(days=2))
    response = client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"],
                            json={"blocked_until": until})
    assert response.status_code == 200
    assert response.get_json()["status"] == "blocked"
    assert response.get_json()["blocked_until"] == until
    # Blocking ended the target's sessions: its token no longer works.
    assert_error(client.get("/api/v1/auth/me", headers=target["headers"]), 401, "unauthenticated")
    blocked = client.get(f"/api/v1/admin/users?status=blocked&q={target['username']}", headers=admin["headers"])
    assert [u["id"] for u in blocked.get_json()["items"]] == [target["id"]]

    body = client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"],
                        json={"blocked_until": None, "is_active": False, "role": "operator"}).get_json()
    assert (body["status"], body["is_active"], body["role"], body["blocked_until"]) == \
        ("inactive", False, "operator", None)
    assert_error(client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"],
                              json={"blocked_until": iso(utcnow() - timedelta(hours=1))}), 422, "validation_error")
    assert_error(client.patch(f"/api/v1/admin/users/{target['id']}", headers=admin["headers"], json={}),
                 422, "validation_error")
    assert_error(client.patch("/api/v1/admin/users/999999999", headers=admin["headers"], json={"role": "admin"}),
                 404, "not_found")


def test_an_admin_cannot_delete_deactivate_block_or_demote_themselves(client, make_user):
    admin = make_user("admin")
    url = f"/api/v1/admin/users/{admin['id']}"
    for change in ({"role": "customer"}, {"is_active": False},
                   {"blocked_until": iso(utcnow() + timedelta(days=1))}):
        assert_error(client.patch(url, headers=admin["headers"], json=change), 409, "self_action")
    assert_error(client.delete(url, headers=admin["headers"]), 409, "self_action")
    for action in ("deactivate", "delete", "block"):
        assert_error(client.post("/api/v1/admin/users/bulk", headers=admin["headers"], json={
            "action": action, "user_ids": [admin["id"]], "blocked_until": iso(utcnow() + timedelta(days=1))}),
            409, "self_action")
    assert _user(client, admin, admin["id"])["status"] == "active"
    # Keeping one's own role is no demotion.
    assert client.patch(url, headers=admin["headers"], json={"role": "admin"}).status_code == 200


def test_delete_removes_a_user_without_orders_and_anonymises_one_with_orders(client, make_user, db):
    admin = make_user("admin")
    plain, buyer = make_user(), make_user()
    order_id = _add_order(db, buyer["id"])
    assert client.delete(f"/api/v1/admin/users/{plain['id']}", headers=admin["headers"]).status_code == 204
    assert_error(client.get(f"/api/v1/admin/users/{plain['id']}", headers=admin["headers"]), 404, "not_found")
    assert client.delete(f"/api/v1/admin/users/{buyer['id']}", headers=admin["headers"]).status_code == 204
    kept = _user(client, admin, buyer["id"])
    assert kept["status"] == "anonymised"
    assert kept["email"] == f"deleted-{buyer['id']}@anonymised.invalid"
    assert kept["full_name"] == "" and kept["order_count"] == 1
    with db.cursor() as cur:
        cur.execute("SELECT user_id FROM orders WHERE id = %s", (order_id,))
        assert cur.fetchone()["user_id"] == buyer["id"]


def test_create_user_validates_and_refuses_duplicates(client, make_user):
    admin = make_user("admin")
    tag = uid()
    body = {"email": f"new-{tag}@example.test", "username": f"new_{tag}", "password": "long-enough-pw",
            "role": "product_manager"}
    response = client.post("/api/v1/admin/users", headers=admin["headers"], json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["role"] == "product_manager"
    assert response.headers["Location"].endswith(f"/api/v1/admin/users/{response.get_json()['id']}")
    assert_error(client.post("/api/v1/admin/users", headers=admin["headers"], json=body), 409, "duplicate")
    error = assert_error(client.post("/api/v1/admin/users", headers=admin["headers"],
                                     json={**body, "email": "nope", "password": "short"}), 422, "validation_error")
    assert set(error["fields"]) == {"email", "password"}


def test_bulk_actions_answer_how_many_rows_changed(client, make_user, db):
    admin = make_user("admin")
    users = [make_user() for _ in range(3)]
    ids = [u["id"] for u in users]

    def bulk(action, user_ids, **extra):
        response = client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                               json={"action": action, "user_ids": user_ids, **extra})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["affected"]

    until = iso(utcnow() + timedelta(days=3))
    assert bulk("deactivate", ids[:2]) == 2
    assert bulk("deactivate", ids) == 1          # two were inactive already
    assert bulk("activate", ids + [999999999]) == 3  # unknown ids change nothing
    assert bulk("block", ids[:2], blocked_until=until) == 2
    assert _user(client, admin, ids[0])["status"] == "blocked"
    assert bulk("unblock", ids) == 2
    assert _user(client, admin, ids[0])["status"] == "active"
    _add_order(db, ids[2])
    assert bulk("delete", ids) == 3               # two deleted, one (with an order) anonymised
    assert _user(client, admin, ids[2])["status"] == "anonymised"
    assert_error(client.get(f"/api/v1/admin/users/{ids[0]}", headers=admin["headers"]), 404, "not_found")
    assert bulk("delete", [ids[2]]) == 0          # already anonymised: nothing left to remove
    error = assert_error(client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                                     json={"action": "block", "user_ids": ids}), 422, "validation_error")
    assert "blocked_until" in error["fields"]
    assert_error(client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                             json={"action": "explode", "user_ids": ids}), 422, "validation_error")
    assert_error(client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                             json={"action": "activate", "user_ids": []}), 422, "validation_error")


def test_a_blocked_user_is_let_in_again_after_blocked_until(client, make_user, travel):
    admin = make_user("admin")
    password = "blocked-user-password"
    user = make_user(password=password)
    # Shorter than the 30-minute idle limit, so the admin's own session outlives the trip in time.
    until = iso(utcnow() + timedelta(minutes=20))
    assert client.post("/api/v1/admin/users/bulk", headers=admin["headers"],
                       json={"action": "block", "user_ids": [user["id"]], "blocked_until": until}).status_code == 200
    login = {"login": user["email"], "password": password}
    error = assert_error(client.post("/api/v1/auth/login", json=login), 403, "account_blocked")
    assert error["blocked_until"] == until
    travel(timedelta(minutes=21))
    response = client.post("/api/v1/auth/login", json=login)
    assert response.status_code == 200, response.get_json()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert me.status_code == 200
    assert _user(client, admin, user["id"])["status"] == "active"


def test_purge_inactive_spares_staff_recent_users_and_anonymises_buyers(client, make_user, db):
    admin = make_user("admin")
    long_ago = utcnow() - timedelta(days=400)
    old_customer, old_buyer, old_staff, recent = make_user(), make_user(), make_user("operator"), make_user()
    for user in (old_customer, old_buyer, old_staff):
        _set_last_login(db, user["id"], long_ago)
    _set_last_login(db, recent["id"], utcnow() - timedelta(days=10))
    _add_order(db, old_buyer["id"])
    response = client.post("/api/v1/admin/users/purge-inactive", headers=admin["headers"], json={"inactive_days": 365})
    assert response.status_code == 200
    result = response.get_json()
    assert result["deleted"] >= 1 and result["anonymised"] >= 1
    assert_error(client.get(f"/api/v1/admin/users/{old_customer['id']}", headers=admin["headers"]), 404, "not_found")
    assert _user(client, admin, old_buyer["id"])["status"] == "anonymised"
    assert _user(client, admin, old_staff["id"])["status"] == "active"
    assert _user(client, admin, recent["id"])["status"] == "active"
    # A second purge finds nothing left: the anonymised buyer is not counted again.
    again = client.post("/api/v1/admin/users/purge-inactive", headers=admin["headers"], json={"inactive_days": 365})
    assert again.get_json() == {"deleted": 0, "anonymised": 0}
    assert_error(client.post("/api/v1/admin/users/purge-inactive", headers=admin["headers"],
                             json={"inactive_days": 0}), 422, "validation_error")


def test_test_email_is_queued_in_the_outbox(client, make_user, db):
    admin = make_user("admin")
    to = f"ops-{uid()}@example.test"
    response = client.post("/api/v1/admin/mail/test", headers=admin["headers"], json={"to": to})
    assert response.status_code == 202
    with db.cursor() as cur:
        cur.execute("SELECT id, subject, status FROM email_outbox WHERE to_addr = %s", (to,))
        rows = cur.fetchall()
    assert [(r["id"], r["status"]) for r in rows] == [(response.get_json()["message_id"], "pending")]
    assert_error(client.post("/api/v1/admin/mail/test", headers=admin["headers"], json={"to": "x"}),
                 422, "validation_error")
