"""The one table of who may do what. Routes guard with it; services may ask it too."""
from __future__ import annotations

ROLES = ("customer", "product_manager", "operator", "supervisor", "admin")
STAFF_ROLES = frozenset(ROLES) - {"customer"}

# permission -> roles holding it. Supervisors read every admin view and change nothing.
PERMISSIONS: dict[str, frozenset[str]] = {
    "catalog.write": frozenset({"product_manager", "admin"}),
    "catalog.read_admin": frozenset({"product_manager", "supervisor", "admin"}),
    "coupons.read": frozenset({"product_manager", "supervisor", "admin"}),
    "coupons.write": frozenset({"product_manager", "admin"}),
    "orders.read_admin": frozenset({"operator", "supervisor", "admin"}),
    "orders.write_admin": frozenset({"operator", "admin"}),
    "users.read": frozenset({"supervisor", "admin"}),
    "users.write": frozenset({"admin"}),
    "audit.read": frozenset({"supervisor", "admin"}),
    "backups.manage": frozenset({"admin"}),
    "mail.test": frozenset({"admin"}),
    "stats.read": frozenset({"operator", "supervisor", "admin"}),
    "shipping.read": frozenset({"supervisor", "admin"}),
    "shipping.write": frozenset({"admin"}),
    "tax.read": frozenset({"supervisor", "admin"}),
    "tax.write": frozenset({"admin"}),
}


def can(role: str | None, permission: str) -> bool:
    """True when role holds permission; unknown permissions are refused (fail closed)."""
    return role is not None and role in PERMISSIONS.get(permission, frozenset())
