"""/admin/backups through HTTP: make one, list it, refuse a foreign file, restore (on the suite's database:
the rows made after the backup disappear, the admin's own session made before it still works)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from backend.app import create_app
from tests.conftest import uid
from tests.helpers import assert_error


@pytest.fixture(scope="module")
def backup_client(settings, tmp_path_factory):
    app = create_app(settings=replace(settings, backup_dir=str(tmp_path_factory.mktemp("api-backups"))))
    yield app.test_client()
    app.extensions["shopwright"].db.pool.close()


def test_backup_list_and_restore_round_trip(backup_client, make_user, db):
    admin = make_user("admin")
    made = backup_client.post("/api/v1/admin/backups", headers=admin["headers"], json={})
    assert made.status_code == 201, made.get_json()
    backup = made.get_json()
    assert backup["size_bytes"] > 0 and backup["row_counts"]["users"] >= 1 and backup["file_exists"]
    assert made.headers["Location"].endswith(f"/api/v1/admin/backups/{backup['id']}")
    listed = backup_client.get("/api/v1/admin/backups", headers=admin["headers"]).get_json()
    assert listed["items"][0]["id"] == backup["id"]
    assert listed["items"][0]["total_rows"] == sum(backup["row_counts"].values())

    later = make_user()  # made after the backup: the restore takes it away
    restored = backup_client.post(f"/api/v1/admin/backups/{backup['id']}/restore", headers=admin["headers"])
    assert restored.status_code == 200, restored.get_json()
    assert restored.get_json()["backup_id"] == backup["id"]
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE id = %s", (later["id"],))
        assert cur.fetchone()["n"] == 0
    assert backup_client.get("/api/v1/admin/audit?action=backup.restore", headers=admin["headers"]).status_code == 200
    # The catalogue of backups is not part of the restore: the backup is still listed.
    again = backup_client.get(f"/api/v1/admin/backups/{backup['id']}", headers=admin["headers"])
    assert again.status_code == 200


def test_a_restore_by_an_admin_the_backup_predates_succeeds(backup_client, make_user, db):
    first = make_user("admin")
    backup = backup_client.post("/api/v1/admin/backups", headers=first["headers"], json={}).get_json()
    admin = make_user("admin")  # not in the backup: the restore removes the account restoring it
    restored = backup_client.post(f"/api/v1/admin/backups/{backup['id']}/restore", headers=admin["headers"])
    assert restored.status_code == 200, restored.get_json()
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE id = %s", (admin["id"],))
        assert cur.fetchone()["n"] == 0
        cur.execute("SELECT actor_id, target_id FROM audit_log WHERE action = 'backup.restore' "
                    "ORDER BY id DESC LIMIT 1")
        assert cur.fetchone() == {"actor_id": None, "target_id": backup["filename"]}


def test_restore_refuses_a_file_that_is_not_a_backup(backup_client, make_user, db, settings):
    admin = make_user("admin")
    backup = backup_client.post("/api/v1/admin/backups", headers=admin["headers"],
                                json={"method": "python"}).get_json()
    folder = backup_client.application.extensions["shopwright"].settings.backup_dir
    with open(f"{folder}/{backup['filename']}", "w") as f:
        f.write(f"DROP TABLE users; -- {uid()}\n")
    assert_error(backup_client.post(f"/api/v1/admin/backups/{backup['id']}/restore", headers=admin["headers"]),
                 409, "invalid_backup")
    with db.cursor() as cur:
        cur.execute("SELECT COUNT(*) AS n FROM users WHERE id = %s", (admin["id"],))
        assert cur.fetchone()["n"] == 1
    assert_error(backup_client.post("/api/v1/admin/backups/999999/restore", headers=admin["headers"]),
                 404, "not_found")
    assert_error(backup_client.post("/api/v1/admin/backups", headers=admin["headers"], json={"method": "tar"}),
                 422, "validation_error")
