// The money rows of a cart, a checkout summary or an order as the API answers them: subtotal, offers,
// coupon, shipping (and its method), tax, total. One place, so the cart, checkout, thank-you page and
// order history say it the same way. Each figure is a <dd data-total="..."> (with an id when given a prefix).
import { el, money } from "./api.js";

const cents = (amount) => Math.round(Number(amount || 0) * 100);

// "20.00" -> "20%", "7.50" -> "7.5%".
export const percent = (rate) => `${Number(rate)}%`;

// Whether tax_total comes on top of the total (PRICES_INCLUDE_TAX=false) or is contained in it: the summary
// and orders say so in prices_include_tax.
const taxAdded = (doc) => doc.prices_include_tax === false;

function shippingText(doc) {
  if (doc.problems?.some((p) => p.code === "no_shipping_method")) return "Not available";
  if (doc.shipping === null || doc.shipping === undefined) return "Choose an address";
  return cents(doc.shipping) ? money(doc.shipping, doc.currency) : "Free";
}

// [dt, dd] pairs for a <dl>; rows the answer has no figure for (a cart has no shipping, no tax) are left out.
export function totalsRows(doc, prefix = null) {
  const rows = [];
  const row = (key, label, value, grand = false) => rows.push(
    el("dt", { class: grand ? "grand" : null }, label),
    el("dd", { class: grand ? "grand" : null, id: prefix ? `${prefix}-${key}` : null, "data-total": key }, value));
  const coupon = doc.coupon && !doc.coupon.problem ? doc.coupon : null;
  // discount_total includes the coupon (docs/api.md): shown apart, the rows add up to the total.
  const offers = cents(doc.discount_total) - (coupon ? cents(coupon.amount) : 0);
  row("subtotal", "Subtotal", money(doc.subtotal, doc.currency));
  row("discount", "Discounts", `−${money(offers / 100, doc.currency)}`);
  if (coupon) row("coupon", `Coupon ${coupon.code}`, `−${money(coupon.amount, doc.currency)}`);
  if ("shipping" in doc) {
    row("shipping", doc.shipping_method ? `Shipping (${doc.shipping_method.name})` : "Shipping", shippingText(doc));
  }
  // No tax row while no country is known (tax_total null) or where the rate is 0.
  const taxed = cents(doc.tax_total) > 0;
  const added = taxed && taxAdded(doc);
  if (added) row("tax", `Tax (${percent(doc.tax_rate)})`, money(doc.tax_total, doc.currency));
  row("total", "Total", money(doc.total, doc.currency), true);
  if (taxed && !added) row("tax", `Includes tax (${percent(doc.tax_rate)})`, money(doc.tax_total, doc.currency));
  return rows;
}

export function renderTotals(dl, doc, prefix = null) {
  dl.replaceChildren(...totalsRows(doc, prefix));
}
