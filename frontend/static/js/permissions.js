// Who may do what, as far as the pages need to know it to show or hide a link: a copy of the backend's
// table (backend/permissions.py), which tests/unit/test_js_facts.py keeps equal. The API checks again.
export const STAFF_ROLES = ["product_manager", "operator", "supervisor", "admin"];

export const PERMISSIONS = {
  "stats.read": ["operator", "supervisor", "admin"],
  "catalog.write": ["product_manager", "admin"],
  "audit.read": ["supervisor", "admin"],
  "backups.manage": ["admin"]
};

// Unknown permissions are refused, as the backend's can() does.
export const can = (role, permission) => (PERMISSIONS[permission] || []).includes(role);
