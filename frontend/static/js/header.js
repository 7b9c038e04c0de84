// Site header: who is logged in (name linking to the account, Admin for staff, Log out), and the cart badge.
import { $, api, el, rememberCsrf } from "./api.js";
import { STAFF_ROLES } from "./permissions.js";

// The one GET /auth/me of a page: the user, or rejected with the ApiError (401 for a guest). Pages that
// need the user import it; module scripts run after the modules they import, so it exists by then.
export const currentUser = api("/auth/me");

async function logOut() {
  try { await api("/auth/logout", { method: "POST" }); } catch { /* already logged out */ }
  rememberCsrf(null);
  location.assign("/");
}

async function showUser() {
  let user;
  try { user = await currentUser; } catch { return; /* a guest: keep the "Log in" link */ }
  const link = $("nav-login");
  link.textContent = user.username;
  link.href = "/account";
  const admin = $("nav-admin");
  if (admin) admin.hidden = !STAFF_ROLES.includes(user.role);
  const logout = $("nav-logout");
  if (logout) { logout.hidden = false; logout.addEventListener("click", logOut); }
}

export async function refreshCartBadge() {
  const badge = $("cart-badge");
  try {
    const cart = await api("/cart");
    badge.textContent = cart.item_count;
    badge.hidden = cart.item_count === 0;
  } catch { badge.hidden = true; }
}

// The header search box offers the week's most searched terms.
async function loadSuggestions() {
  const list = $("search-suggestions");
  if (!list) return;
  try {
    const terms = await api("/search/trending?limit=10");
    list.replaceChildren(...terms.map((t) => el("option", { value: t.term })));
  } catch { /* suggestions are a nicety */ }
}

showUser();
refreshCartBadge();
loadSuggestions();
