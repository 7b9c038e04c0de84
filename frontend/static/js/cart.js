// Cart page: change quantities, remove, empty, save for later and move back, all without reloading.
import { $, api, el, money } from "./api.js";
import { couponBox } from "./coupon.js";
import { currentUser, refreshCartBadge } from "./header.js";
import { LINE_PROBLEMS } from "./orders.js";
import { renderTotals } from "./totals.js";

let loggedIn = false;

function notify(text, isError = false) {
  const notice = $("cart-notice");
  notice.textContent = text;
  notice.className = isError ? "notice error" : "notice";
  notice.hidden = !text;
}

async function act(work) {
  notify("");
  try {
    await work();
  } catch (err) {
    notify(err.message, true);
    await loadCart();
  }
  refreshCartBadge();
}

// A variant line is addressed by (product, variant): its calls carry ?variant_id=.
function linePath(path, line) {
  return line.variant_id ? `${path}?variant_id=${encodeURIComponent(line.variant_id)}` : path;
}

function productLink(line) {
  return line.variant_id ? `/products/${line.product_id}?variant_id=${line.variant_id}` : `/products/${line.product_id}`;
}

function variantNote(line) {
  return line.variant_label ? el("p", { class: "variant-label" }, line.variant_label) : null;
}

function lineAttrs(line) {
  return { class: "cart-line", "data-product-id": line.product_id, "data-variant-id": line.variant_id || null };
}

function priceText(line, currency) {
  return line.sale_price
    ? [el("s", {}, money(line.price, currency)), " ", el("strong", { class: "sale" }, money(line.unit_price, currency))]
    : [money(line.unit_price, currency)];
}

function cartLine(line, currency) {
  const qty = el("input", { type: "number", class: "qty", min: "0", max: String(Math.max(line.stock, line.quantity)),
    value: String(line.quantity), "aria-label": `Quantity of ${line.name}${line.variant_label ? ` (${line.variant_label})` : ""}` });
  qty.addEventListener("change", () => act(async () => {
    const quantity = Number(qty.value);
    if (!Number.isInteger(quantity) || quantity < 0) throw new Error("Quantity must be a whole number.");
    renderCart(await api(linePath(`/cart/items/${line.product_id}`, line), { method: "PATCH", body: { quantity } }));
  }));
  const actions = [el("button", { type: "button", class: "secondary", onclick: () => act(async () => {
    await api(linePath(`/cart/items/${line.product_id}`, line), { method: "DELETE" });
    await loadCart();
  }) }, "Remove")];
  if (loggedIn) {
    actions.push(el("button", { type: "button", class: "secondary", onclick: () => act(async () => {
      renderCart(await api(linePath(`/cart/items/${line.product_id}/save`, line), { method: "POST" }));
      await loadSaved();
    }) }, "Save for later"));
  }
  return el("li", lineAttrs(line),
    el("div", {}, el("h3", {}, el("a", { href: productLink(line) }, line.name)), variantNote(line),
      el("p", { class: "price" }, ...priceText(line, currency), ` · ${line.stock} in stock`),
      line.problem ? el("p", { class: "problem" }, LINE_PROBLEMS[line.problem] || line.problem) : null),
    qty,
    el("span", { class: "line-total" }, money(line.line_total, currency)),
    el("div", { class: "actions" }, actions));
}

function renderCart(cart) {
  $("cart-lines").replaceChildren(...cart.items.map((line) => cartLine(line, cart.currency)));
  const empty = cart.items.length === 0;
  $("cart-status").textContent = empty ? "Your cart is empty." : `${cart.item_count} item(s)`;
  $("cart-clear").hidden = empty;
  $("cart-totals").hidden = empty;
  renderTotals($("cart-figures"), cart, "cart");
  showCoupon(cart);
}

// A coupon applied or removed answers the cart (or nothing): the totals follow without a reload.
const showCoupon = couponBox($("coupon-box"), async (cart) => (cart ? renderCart(cart) : loadCart()));

function savedLine(item) {
  return el("li", lineAttrs(item),
    el("div", {}, el("h3", {}, item.name), variantNote(item),
      el("p", { class: "price" }, `${money(item.unit_price, item.currency)} · ${item.in_stock ? `${item.stock} in stock` : "out of stock"}`)),
    el("span", {}, `× ${item.quantity}`), el("span", {}),
    el("div", { class: "actions" },
      el("button", { type: "button", onclick: () => act(async () => {
        renderCart(await api(linePath(`/saved/${item.product_id}/move-to-cart`, item), { method: "POST" }));
        await loadSaved();
      }) }, "Move to cart"),
      el("button", { type: "button", class: "secondary", onclick: () => act(async () => {
        await api(linePath(`/saved/${item.product_id}`, item), { method: "DELETE" });
        await loadSaved();
      }) }, "Remove")));
}

async function loadCart() {
  renderCart(await api("/cart"));
}

async function loadSaved() {
  if (!loggedIn) return;
  const saved = await api("/saved?per_page=100");
  $("saved-section").hidden = saved.items.length === 0;
  $("saved-lines").replaceChildren(...saved.items.map(savedLine));
}

$("cart-clear").addEventListener("click", () => act(async () => {
  await api("/cart", { method: "DELETE" });
  await loadCart();
}));

async function start() {
  loggedIn = await currentUser.then(() => true, () => false);
  try {
    await loadCart();
    await loadSaved();
  } catch (err) {
    $("cart-status").textContent = `Could not load your cart: ${err.message}`;
  }
}

start();
