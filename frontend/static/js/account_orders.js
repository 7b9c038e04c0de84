// The Orders tab of the account page: order history, newest first, paged, with cancel where allowed.
import { $, api, el, money } from "./api.js";
import { lineTitle } from "./lines.js";
import { CANCELLABLE } from "./orders.js";
import { totalsRows } from "./totals.js";

const section = $("tab-orders");
const PER_PAGE = 10;

function orderCard(order, page) {
  const when = new Date(order.created_at).toLocaleString();
  const cancel = CANCELLABLE.includes(order.status)
    ? el("button", { type: "button", class: "secondary", onclick: async (event) => {
      event.target.disabled = true;
      try {
        await api(`/orders/${order.id}/cancel`, { method: "POST" });
      } catch (err) {
        alert(err.message);
      }
      load(page);
    } }, "Cancel order")
    : null;
  return el("li", { class: "order-card", "data-order-id": order.id },
    el("header", {},
      el("strong", {}, `Order #${order.id}`),
      el("span", { class: "status-pill" }, order.status),
      el("span", {}, when),
      el("strong", {}, money(order.total, order.currency))),
    el("ul", {}, order.items.map((i) => el("li", {}, lineTitle(i), ` — ${money(i.line_total, order.currency)}`))),
    el("dl", { class: "order-figures" }, totalsRows(order)),
    cancel);
}

function pager(data) {
  if (data.pages <= 1) return null;
  return el("nav", { class: "pager", "aria-label": "Order pages" },
    data.page > 1 ? el("button", { type: "button", class: "secondary", onclick: () => load(data.page - 1) }, "‹ Newer") : null,
    el("span", {}, `Page ${data.page} of ${data.pages}`),
    data.page < data.pages ? el("button", { type: "button", class: "secondary", onclick: () => load(data.page + 1) }, "Older ›") : null);
}

async function load(page = 1) {
  try {
    const data = await api(`/orders?page=${page}&per_page=${PER_PAGE}`);
    if (!data.items.length) { section.replaceChildren(el("p", {}, "No orders yet.")); return; }
    section.replaceChildren(el("h2", {}, "Your orders"),
      el("ul", { class: "order-list", id: "order-list", "aria-label": "Orders" }, data.items.map((o) => orderCard(o, page))),
      ...[pager(data)].filter(Boolean));  // no pager on one page (append would print "null")
  } catch (err) {
    section.replaceChildren(el("p", { class: "notice error" }, `Could not load your orders: ${err.message}`));
  }
}

if (section) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/static/css/orders.css";
  document.head.append(link);
  load();
}
