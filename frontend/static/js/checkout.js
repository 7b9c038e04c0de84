// Checkout: the summary, an address (book or new), the shipping methods serving its country, a coupon,
// and a card form with a live Luhn check and brand detection. The server checks the card again; this
// only saves a round trip.
import { $, api, el, loadOrLogIn, money } from "./api.js";
import { couponBox } from "./coupon.js";
import { bindForm, showNotice } from "./forms.js";
import { lineName, lineTitle } from "./lines.js";
import { LINE_PROBLEMS, ORDER_PROBLEMS } from "./orders.js";
import { renderTotals } from "./totals.js";

const COUNTRY_HINT = "We do not recognise this country. Use a two-letter code such as GB.";
// One key per visit to this page: a double click or a retry after a network error places one order.
const idempotencyKey = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export function luhnOk(digits) {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  [...digits].reverse().forEach((ch, i) => {
    let d = Number(ch);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  });
  return sum % 10 === 0;
}

export function cardBrand(digits) {
  if (/^4/.test(digits)) return "visa";
  if (/^3[47]/.test(digits)) return "amex";
  const two = Number(digits.slice(0, 2)), four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "mastercard";
  if (/^(6011|65|64[4-9])/.test(digits)) return "discover";
  return digits ? "card" : "";
}

function checkCard() {
  const digits = $("card-number").value.replace(/[\s-]/g, "");
  const note = $("card-brand");
  if (!digits) { note.textContent = ""; note.className = "card-brand"; return; }
  const ok = luhnOk(digits);
  const brand = cardBrand(digits);
  note.textContent = ok ? `${brand === "card" ? "Card" : brand[0].toUpperCase() + brand.slice(1)} ✓` : "This card number is not valid";
  note.className = `card-brand ${ok ? "ok" : "bad"}`;
  note.dataset.brand = brand;
  $("card-number").setAttribute("aria-invalid", String(!ok && digits.length >= 12));
}

function renderSummary(s) {
  $("summary-items").replaceChildren(...s.items.map((i) =>
    el("li", {}, lineTitle(i), el("span", {}, money(i.line_total, s.currency)))));
  // A problem names its line by product and, for a variant line, by variant too.
  const lineOf = (p) => s.items.find((i) => i.product_id === p.product_id && (!p.variant_id || i.variant_id === p.variant_id));
  $("summary-problems").replaceChildren(...s.problems.map((p) => el("li", {}, p.product_id
    ? `${lineOf(p) ? lineName(lineOf(p)) : p.product_id}: ${LINE_PROBLEMS[p.code] || p.code}`
    : ORDER_PROBLEMS[p.code] || p.code)));
  renderTotals($("summary-figures"), s, "sum");
  showCoupon(s);
  // shipping is null while shipping methods exist and none is known yet (no country): nothing to pay for.
  $("place-order").disabled = s.items.length === 0 || s.problems.length > 0 || s.shipping === null;
}

// The saved addresses by id, for their country.
const book = new Map();

async function loadAddresses() {
  let items = [];
  try { items = (await api("/account/addresses?per_page=100")).items || []; } catch { items = []; }
  if (!items.length) return;
  items.forEach((a) => book.set(String(a.id), a));
  const select = $("address-choice");
  select.replaceChildren(...items.map((a) => el("option", { value: a.id }, `${a.full_name}, ${a.line1}, ${a.city}`)),
    el("option", { value: "" }, "A new address…"));
  $("address-book").hidden = false;
  const sync = () => { $("new-address").hidden = select.value !== ""; };
  select.addEventListener("change", () => { sync(); refresh(); });
  sync();
}

// The country of the address being shipped to as the address gives it (a code such as GB, or a name the
// server knows, like "United Kingdom"), or "" when there is none yet.
function shippingCountry() {
  const choice = $("address-book").hidden ? "" : $("address-choice").value;
  return (choice ? book.get(choice)?.country : $("ship-country").value)?.trim() || "";
}

function methodText(m, currency) {
  const days = m.min_days === m.max_days ? `${m.max_days}` : `${m.min_days}–${m.max_days}`;
  return [el("strong", {}, m.name), " ", el("span", { class: "method-price" }, Number(m.price) ? money(m.price, currency) : "Free"),
    m.free_from !== null ? el("span", { class: "method-free" }, ` (free from ${money(m.free_from, currency)})`) : null,
    el("span", { class: "method-days" }, ` · ${days} ${m.max_days === 1 ? "day" : "days"}`)];
}

// The methods serving the country as radios named shipping_method_id (inside the order form, so the
// order carries the choice); the one chosen stays chosen while it serves, else the cheapest (the first).
function renderMethods(methods, currency, chosen) {
  const id = methods.some((m) => String(m.id) === chosen) ? chosen : String(methods[0]?.id ?? "");
  // The radios are drawn again: one that had the focus (arrow keys move the choice) keeps it on the new one.
  const focused = document.activeElement?.name === "shipping_method_id";
  $("shipping-methods").replaceChildren(...methods.map((m) => el("label", { class: "method", "data-method-id": m.id },
    el("input", { type: "radio", name: "shipping_method_id", value: m.id, checked: String(m.id) === id,
      onchange: () => refresh() }), " ", ...methodText(m, currency))));
  if (focused) $("shipping-methods").querySelector("input:checked")?.focus();
  return id;
}

function note(text) {
  $("shipping-note").textContent = text;
  $("shipping-note").hidden = !text;
}

let latest = 0;
let currency;

// Methods for the address's country, then the summary priced with the chosen one. A newer call (the
// country typed on) has the last word; a failure lands in the shipping note, never as a page error.
async function refresh() {
  const ticket = ++latest;
  try {
    await reprice(ticket);
  } catch (err) {
    if (ticket !== latest) return;
    note(err.message);
    $("shipping-choice").hidden = false;
  }
}

async function reprice(ticket) {
  const country = shippingCountry();
  let methods = [];
  let problem = "";
  if (country) {
    try {
      methods = await api(`/shipping/methods?country=${encodeURIComponent(country)}`);
    } catch (err) {
      problem = err.status === 422 ? COUNTRY_HINT : err.message;
    }
  }
  if (ticket !== latest) return;
  const chosen = $("checkout-form").elements.namedItem("shipping_method_id")?.value || "";
  const methodId = renderMethods(methods, currency, chosen);
  const params = new URLSearchParams();
  if (country && !problem) params.set("country", country);
  if (methodId) params.set("shipping_method_id", methodId);
  const summary = await api(`/checkout/summary?${params}`);
  if (ticket !== latest) return;
  renderSummary(summary);
  // With no methods configured the flat rate applies and there is nothing to choose: the fieldset hides.
  const waiting = summary.shipping === null && !country;
  const unserved = summary.problems.some((p) => p.code === "no_shipping_method");
  note(problem || (waiting ? "Enter the country of the address to see how we can ship." : "")
    || (unserved ? ORDER_PROBLEMS.no_shipping_method : ""));
  $("shipping-choice").hidden = !(methods.length || problem || waiting || unserved);
}

function orderBody(values) {
  const body = { payment: {
    card_number: values["payment.card_number"].replace(/[\s-]/g, ""),
    exp_month: Number(values["payment.exp_month"]), exp_year: Number(values["payment.exp_year"]),
    cvc: values["payment.cvc"], cardholder: values["payment.cardholder"] } };
  if (values.shipping_method_id) body.shipping_method_id = Number(values.shipping_method_id);
  if (values.address_id) body.address_id = Number(values.address_id);
  else {
    body.shipping_address = {};
    for (const key of ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"]) {
      body.shipping_address[key] = values[`shipping_address.${key}`] || "";
    }
  }
  return body;
}

// A coupon applied or removed changes the figures: the summary is asked again.
const showCoupon = couponBox($("coupon-box"), () => refresh());

async function start() {
  const summary = await loadOrLogIn(api("/checkout/summary"), $("checkout-status"), "the checkout");
  if (!summary) return;
  if (!summary.items.length) { $("checkout-status").textContent = "Your cart is empty."; return; }
  currency = summary.currency;
  renderSummary(summary);
  await loadAddresses();
  let typing;
  $("ship-country").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(refresh, 250); });
  await refresh();
  $("checkout-status").hidden = true;
  $("checkout").hidden = false;
  $("card-number").addEventListener("input", checkCard);
  const form = $("checkout-form");
  bindForm(form, async (values) => {
    const digits = values["payment.card_number"].replace(/[\s-]/g, "");
    if (!luhnOk(digits)) { showNotice(form, "Please check the card number.", true); return; }
    try {
      const order = await api("/orders", { method: "POST", body: orderBody(values),
        headers: { "Idempotency-Key": idempotencyKey } });
      location.assign(`/orders/${order.id}/thanks`);
    } catch (err) {
      if (err.status === 409 || err.code === "coupon_invalid") await refresh();
      throw err;
    }
  });
}

start();
