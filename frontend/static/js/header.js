// Site header: who is logged in, and the cart badge.
import { api } from "./api.js";

async function showUser() {
  try {
    const user = await api("/auth/me");
    const link = document.getElementById("nav-login");
    link.textContent = user.username;
    link.href = "/account";
  } catch { /* a guest: keep the "Log in" link */ }
}

export async function refreshCartBadge() {
  const badge = document.getElementById("cart-badge");
  try {
    const cart = await api("/cart");
    badge.textContent = cart.item_count;
    badge.hidden = cart.item_count === 0;
  } catch { badge.hidden = true; }
}

showUser();
refreshCartBadge();
