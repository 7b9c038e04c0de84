"""ISO 3166-1 alpha-2 country codes and their English names, for shipping methods, tax rates and addresses.

backend/data/countries.json was made once from Debian's iso-codes (/usr/share/iso-codes/json/iso_3166-1.json)
and is committed, because the next machine may not have that package. To refresh it after an iso-codes update:
`python -m backend.countries /usr/share/iso-codes/json/iso_3166-1.json`.
"""
from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "countries.json"
NAME_KEYS = ("name", "common_name", "official_name")


@cache
def countries() -> dict[str, str]:
    """Every code with its English name, by code."""
    return {row["code"]: row["name"] for row in _rows()}


@cache
def _by_text() -> dict[str, str]:
    # Lower-cased code and every English name -> code; names never collide with another country's code.
    index = {code.lower(): code for code in countries()}
    for row in _rows():
        for key in NAME_KEYS:
            if row.get(key):
                index.setdefault(row[key].strip().lower(), row["code"])
    return index


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(json.loads(DATA.read_text(encoding="utf-8")))


def is_country(code: str) -> bool:
    """True for an upper-case ISO 3166-1 alpha-2 code ("GB"); input fields upper-case before asking."""
    return code in countries()


def country_code(text: str | None) -> str | None:
    """The code of a country typed as a code in any case ("gb") or an English name ("United Kingdom",
    its common or official name; case and surrounding spaces ignored); None when it is neither."""
    if not isinstance(text, str):
        return None
    return _by_text().get(text.strip().lower())


def write_data(source: Path, target: Path = DATA) -> int:
    """Rewrite the data file from iso-codes' iso_3166-1.json, one country a line, sorted by code; returns how many."""
    entries = json.loads(source.read_text(encoding="utf-8"))["3166-1"]
    rows = [{"code": e["alpha_2"], **{k: e[k] for k in NAME_KEYS if e.get(k)}}
            for e in sorted(entries, key=lambda e: e["alpha_2"])]
    target.write_text("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows) + "\n]\n",
                      encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    print(f"{write_data(Path(sys.argv[1]))} countries written to {DATA}")
