"""The two pieces of SQL text repositories build from values: a LIKE pattern and an IN list's placeholders."""
from backend.repositories import like, placeholders


def test_like_matches_anywhere_and_takes_wildcards_literally():
    assert like("ada") == "%ada%"
    assert like("50%_off") == "%50\\%\\_off%"
    assert like("a\\b") == "%a\\\\b%"


def test_placeholders_count_the_values_only():
    assert placeholders([7, 8, 9]) == "%s, %s, %s"
    assert placeholders(("x",)) == "%s"
