"""URL slugs for catalog names: lowercase ASCII words joined by '-', made unique with a number."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 100) -> str:
    """'Café & Bar!' -> 'cafe-bar'; 'item' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = _NON_WORD.sub("-", ascii_text).strip("-")[:max_length].strip("-")
    return slug or "item"


def unique_slug(text: str, taken: Callable[[str], set[str]], max_length: int = 100) -> str:
    """The slug of text, or slug-2, slug-3... when taken(base) already holds it.

    A race between two writers is still caught by the UNIQUE key (IntegrityError -> 409).
    """
    base = slugify(text, max_length)
    used = taken(base)
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"
