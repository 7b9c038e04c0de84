"""backend.migrate.yoyo_url: the URL yoyo connects with gives back exactly the configured settings."""
from __future__ import annotations

from dataclasses import replace

import pytest
from yoyo.connections import parse_uri

from backend.config import Settings
from backend.migrate import yoyo_url


def test_user_and_password_are_quoted_so_yoyo_reads_them_back():
    settings = replace(Settings(), db_user="shop@eu:1", db_password="p@ss:/w?rd#%&= x", db_host="db.internal",
                       db_port=3307, db_name="shop_eu")
    parsed = parse_uri(yoyo_url(settings))
    assert (parsed.scheme, parsed.username, parsed.password) == ("mysql", "shop@eu:1", "p@ss:/w?rd#%&= x")
    assert (parsed.hostname, parsed.port, parsed.database) == ("db.internal", 3307, "shop_eu")
    assert parsed.args == {"ssl_disabled": "1"}


def test_tls_settings_and_a_hidden_password():
    settings = replace(Settings(), db_password="secret", db_ssl=True)
    url = yoyo_url(settings, hide_password=True)
    assert "secret" not in url and ":***@" in url
    assert parse_uri(url).args == {}


def test_an_unsafe_database_name_is_refused():
    with pytest.raises(ValueError):
        yoyo_url(replace(Settings(), db_name="shop/../x"))
