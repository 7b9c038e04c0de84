// The Orders tab of the account page (a minimal placeholder; the orders area owns and replaces this file).
import { api, el, money } from "./api.js";

const section = document.getElementById("tab-orders");

async function load() {
  try {
    const data = await api("/orders");
    const items = Array.isArray(data) ? data : data.items || [];
    if (!items.length) { section.replaceChildren(el("p", {}, "No orders yet.")); return; }
    section.replaceChildren(el("ul", { class: "plain-list" }, items.map((o) =>
      el("li", {}, `Order #${o.id} · ${o.status} · ${money(o.total, o.currency)}`))));
  } catch {
    section.replaceChildren(el("p", {}, "No orders yet."));
  }
}

if (section) load();
