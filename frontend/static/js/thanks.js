// Thank-you page: the order just placed, fetched from GET /orders/{id}.
import { $, api, el, money } from "./api.js";
import { refreshCartBadge } from "./header.js";
import { lineTitle } from "./lines.js";
import { renderTotals } from "./totals.js";

const box = $("thanks");
const status = $("thanks-status");

async function load() {
  try {
    const order = await api(`/orders/${Number(box.dataset.orderId)}`);
    status.textContent = `Paid ${money(order.total, order.currency)} with ${order.payment.brand} ending ${order.payment.last4}. ` +
      "A confirmation email is on its way.";
    $("thanks-items").replaceChildren(...order.items.map((i) =>
      el("li", {}, lineTitle(i), el("span", {}, money(i.line_total, order.currency)))));
    renderTotals($("thanks-figures"), order, "thanks");
  } catch (err) {
    status.textContent = err.status === 404 ? "We could not find that order." : `Could not load the order: ${err.message}`;
  }
  refreshCartBadge();
}

load();
