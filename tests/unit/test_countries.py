"""backend.countries: the committed ISO 3166-1 data and country_code's reading of codes and English names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.countries import DATA, countries, country_code, is_country, write_data

ISO_CODES = Path("/usr/share/iso-codes/json/iso_3166-1.json")


def test_the_data_has_every_assigned_code_once():
    codes = list(countries())
    assert len(codes) == 249 and len(set(codes)) == 249
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in codes)
    assert countries()["GB"] == "United Kingdom" and countries()["DE"] == "Germany"


@pytest.mark.parametrize(("text", "code"), [
    ("GB", "GB"), ("gb", "GB"), (" Gb ", "GB"),
    ("United Kingdom", "GB"), ("  united kingdom ", "GB"),
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),  # official_name
    ("South Korea", "KR"), ("Korea, Republic of", "KR"),  # common_name, name
    ("Taiwan", "TW"), ("UNITED STATES", "US"), ("United States of America", "US"),
])
def test_country_code_reads_codes_in_any_case_and_english_names(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["", "  ", "XX", "UK", "GBR", "England", "G", None, 826, "Deutschland", "*"])
def test_country_code_is_none_for_anything_else(text):
    assert country_code(text) is None


def test_is_country_takes_upper_case_codes_only():
    assert is_country("GB") and not is_country("gb") and not is_country("XX") and not is_country("*")


@pytest.mark.skipif(not ISO_CODES.exists(), reason="Debian's iso-codes is not installed here")
def test_the_committed_file_is_what_write_data_makes_from_iso_codes(tmp_path):
    target = tmp_path / "countries.json"
    assert write_data(ISO_CODES, target) == len(json.loads(DATA.read_text(encoding="utf-8")))
    assert target.read_text(encoding="utf-8") == DATA.read_text(encoding="utf-8")
