// Checkout: the summary, an address (book or new), and a card form with a live Luhn check and
// brand detection. The server checks the card again; this only saves a round trip.
import { api, el, money } from "./api.js";
import { bindForm, showNotice } from "./forms.js";
import { lineName, lineTitle } from "./lines.js";

const $ = (id) => document.getElementById(id);
const PROBLEMS = { out_of_stock: "is out of stock", insufficient_stock: "has less stock than you asked for",
  archived: "is no longer sold" };
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
  $("summary-problems").replaceChildren(...s.problems.map((p) =>
    el("li", {}, `${lineOf(p) ? lineName(lineOf(p)) : p.product_id} ${PROBLEMS[p.code] || p.code}`)));
  $("sum-subtotal").textContent = money(s.subtotal, s.currency);
  $("sum-discount").textContent = `−${money(s.discount_total, s.currency)}`;
  $("sum-shipping").textContent = Number(s.shipping) ? money(s.shipping, s.currency) : "Free";
  $("sum-total").textContent = money(s.total, s.currency);
  $("place-order").disabled = s.items.length === 0 || s.problems.length > 0;
}

async function loadAddresses() {
  let book = [];
  try { book = (await api("/account/addresses?per_page=100")).items || []; } catch { book = []; }
  if (!book.length) return;
  const select = $("address-choice");
  select.replaceChildren(...book.map((a) => el("option", { value: a.id }, `${a.full_name}, ${a.line1}, ${a.city}`)),
    el("option", { value: "" }, "A new address…"));
  $("address-book").hidden = false;
  const sync = () => { $("new-address").hidden = select.value !== ""; };
  select.addEventListener("change", sync);
  sync();
}

function orderBody(values) {
  const body = { payment: {
    card_number: values["payment.card_number"].replace(/[\s-]/g, ""),
    exp_month: Number(values["payment.exp_month"]), exp_year: Number(values["payment.exp_year"]),
    cvc: values["payment.cvc"], cardholder: values["payment.cardholder"] } };
  if (values.address_id) body.address_id = Number(values.address_id);
  else {
    body.shipping_address = {};
    for (const key of ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"]) {
      body.shipping_address[key] = values[`shipping_address.${key}`] || "";
    }
  }
  return body;
}

async function start() {
  let summary;
  try {
    summary = await api("/checkout/summary");
  } catch (err) {
    if (err.status === 401) { location.assign("/login?next=/checkout"); return; }
    $("checkout-status").textContent = `Could not load the checkout: ${err.message}`;
    return;
  }
  if (!summary.items.length) { $("checkout-status").textContent = "Your cart is empty."; return; }
  renderSummary(summary);
  await loadAddresses();
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
      if (err.status === 409) renderSummary(await api("/checkout/summary"));
      throw err;
    }
  });
}

start();
