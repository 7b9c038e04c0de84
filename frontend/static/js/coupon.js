// The coupon box of the cart and checkout pages: apply a code (POST /cart/coupon), remove it
// (DELETE /cart/coupon); a refused code shows the server's message (422 coupon_invalid, 409 coupon_exhausted).
import { api, el, money } from "./api.js";
import { bindForm } from "./forms.js";

// Builds the box into container; onChange(cart or null) runs after an apply or a remove, so the page
// reloads what it shows. Returns show(doc): the coupon of a cart or summary answer into the box.
export function couponBox(container, onChange) {
  const input = el("input", { id: "coupon-code", name: "code", autocomplete: "off", autocapitalize: "characters" });
  const form = el("form", { class: "coupon-form", id: "coupon-form", novalidate: true },
    el("label", { for: "coupon-code" }, "Coupon code"),
    el("div", { class: "coupon-row" }, input, el("button", { type: "submit", class: "secondary" }, "Apply")));
  const applied = el("div", { class: "coupon-applied", id: "coupon-applied", hidden: true });
  container.replaceChildren(form, applied);

  bindForm(form, async (values) => {
    const cart = await api("/cart/coupon", { method: "POST", body: { code: values.code } });
    input.value = "";
    await onChange(cart);
  });

  async function remove(event) {
    event.target.disabled = true;
    try {
      await api("/cart/coupon", { method: "DELETE" });
      await onChange(null);
      input.focus();  // the button is gone with the coupon: the focus goes where another code is typed
    } finally {
      event.target.disabled = false;
    }
  }

  return function show(doc) {
    const coupon = doc.coupon;
    applied.hidden = !coupon;
    if (!coupon) { applied.replaceChildren(); return; }
    const what = coupon.problem
      ? el("p", { class: "problem", role: "alert" }, `Coupon ${coupon.code}: ${coupon.message}`)
      : el("p", { role: "status" }, el("code", {}, coupon.code), ` applied: −${money(coupon.amount, doc.currency)}`);
    applied.replaceChildren(what, el("button", { type: "button", class: "secondary", id: "coupon-remove",
      "aria-label": `Remove coupon ${coupon.code}`, onclick: remove }, "Remove"));
  };
}
