"""The pages' copies of backend facts (frontend/static/js/permissions.js, orders.js) equal the backend's definitions,
so a role, permission or order status changed on one side cannot leave the other behind."""
from __future__ import annotations

import json
import re
from pathlib import Path

from backend.order_status import CANCELLED, MOVES
from backend.permissions import PERMISSIONS, STAFF_ROLES
from backend.services.cart import line_problem
from backend.services.coupons import EXHAUSTED, INVALID

JS = Path(__file__).resolve().parents[2] / "frontend" / "static" / "js"


def js_constants(module: str) -> dict[str, object]:
    """The module's `export const NAME = <JSON literal>;` values (the fact modules write them as JSON)."""
    text = (JS / module).read_text(encoding="utf-8")
    found = re.findall(r"^export const (\w+) = (\[.*?\]|\{.*?\});$", text, flags=re.MULTILINE | re.DOTALL)
    return {name: json.loads(literal) for name, literal in found}


def test_staff_roles_and_permissions_are_the_backends():
    facts = js_constants("permissions.js")
    assert set(facts["STAFF_ROLES"]) == STAFF_ROLES
    assert facts["PERMISSIONS"], "permissions.js copies no permission"
    for permission, roles in facts["PERMISSIONS"].items():
        assert set(roles) == PERMISSIONS[permission], permission


def test_a_customer_may_cancel_from_the_statuses_the_backend_moves_to_cancelled():
    cancellable = {status for status, moves in MOVES.items() if CANCELLED in moves}
    assert set(js_constants("orders.js")["CANCELLABLE"]) == cancellable


def test_every_problem_code_has_words():
    facts = js_constants("orders.js")
    line = {"is_archived": False, "stock": 5, "quantity": 1}
    codes = {line_problem({**line, **change}) for change in ({"is_archived": True}, {"stock": 0}, {"quantity": 9})}
    assert set(facts["LINE_PROBLEMS"]) == codes
    assert {"no_shipping_method", INVALID, EXHAUSTED} <= set(facts["ORDER_PROBLEMS"])
