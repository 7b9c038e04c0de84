"""The category tree builder and materialised paths, without the database."""
from __future__ import annotations

import pytest

from backend import errors
from backend.services.categories import LEVEL_MAX, build_tree, moved_path, path_ids


def _row(category_id: int, name: str, parent_id: int | None) -> dict:
    return {"id": category_id, "name": name, "slug": name.lower().replace(" ", "-"), "parent_id": parent_id,
            "path": "ignored", "created_at": None}


def _shape(nodes: list[dict]) -> list:
    """(id, children) pairs, the tree's shape at a glance."""
    return [(node["id"], _shape(node["children"])) for node in nodes]


ROWS = [_row(1, "Home", None), _row(2, "Furniture", 1), _row(3, "Chairs", 2), _row(4, "Books", None),
        _row(5, "Lamps", 1)]
TREE = [(4, []), (1, [(2, [(3, [])]), (5, [])])]


def test_nests_any_depth_and_orders_siblings_by_name():
    assert _shape(build_tree(ROWS)) == TREE


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3], [3, 2, 1, 0, 4]])
def test_children_before_their_parents_make_the_same_tree(order):
    assert _shape(build_tree([ROWS[i] for i in order])) == TREE


def test_nodes_carry_only_what_the_answer_needs():
    chairs = build_tree(ROWS)[1]["children"][0]["children"][0]
    assert chairs == {"id": 3, "name": "Chairs", "slug": "chairs", "parent_id": 2, "children": []}


def test_siblings_ignore_case_then_go_by_id():
    rows = [_row(9, "beds", None), _row(3, "Beds", None), _row(7, "apples", None), _row(8, "Zoo", None),
            _row(2, "Ärger", None)]
    assert [node["id"] for node in build_tree(rows)] == [7, 3, 9, 8, 2]  # lower() keeps "ä" after "z"


def test_an_orphan_whose_parent_is_missing_is_shown_at_the_root():
    rows = [_row(1, "Home", None), _row(6, "Stray", 99), _row(7, "Under stray", 6)]
    assert _shape(build_tree(rows)) == [(1, []), (6, [(7, [])])]


def test_deep_chain():
    rows = [_row(n, f"Level {n:02d}", n - 1 if n > 1 else None) for n in range(1, 31)]
    node, depth = build_tree(list(reversed(rows)))[0], 1
    while node["children"]:
        (node,) = node["children"]
        depth += 1
    assert (depth, node["id"]) == (30, 30)


def test_empty():
    assert build_tree([]) == []


@pytest.mark.parametrize(("path", "ids"), [
    ("/1/7/42/", [1, 7, 42]), ("/5/", [5]), ("/", []), ("", []), (None, []), ("/4294967295/", [4294967295]),
])
def test_path_ids(path, ids):
    assert path_ids(path) == ids


@pytest.mark.parametrize(("path", "category_id", "parent_path", "new_path"), [
    ("/1/7/", 7, "/", "/7/"),              # to the root
    ("/7/", 7, "/1/", "/1/7/"),
    ("/1/7/", 7, "/2/", "/2/7/"),          # across
    ("/1/", 1, "/12/", "/12/1/"),          # "/12/" is not inside "/1/": the trailing slash tells them apart
    ("/1/7/", 7, "/1/70/", "/1/70/7/"),
    ("/1/7/42/", 42, "/1/", "/1/42/"),     # up a level
])
def test_moved_path(path, category_id, parent_path, new_path):
    assert moved_path(path, category_id, parent_path) == new_path


@pytest.mark.parametrize(("path", "category_id", "parent_path"), [
    ("/1/", 1, "/1/"),          # under itself
    ("/1/", 1, "/1/7/"),        # under its child
    ("/1/", 1, "/1/7/42/"),     # under a grandchild
])
def test_moving_under_itself_is_a_cycle(path, category_id, parent_path):
    with pytest.raises(errors.Conflict) as raised:
        moved_path(path, category_id, parent_path)
    assert raised.value.code == "category_cycle"


def test_a_level_adds_at_most_an_unsigned_int_and_a_slash():
    assert LEVEL_MAX == len("/4294967295/") - 1 == 11
