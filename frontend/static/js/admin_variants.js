// Admin panel, a product's variants (docs/api.md "Variants"): sku, option values, price, stock. The markup is the
// <template id="product-variants-template"> of admin.html. Catalog staff edit sku, price and stock in place,
// add variants and delete them (the API archives one that was ordered); other staff see the list only.
// Also an order's items with variant label and sku, and its money rows, under the order's view.
import { $, ApiError, api, el, money } from "./api.js";
import { bindForm } from "./forms.js";
import { renderTotals } from "./totals.js";

// Text from an input as the API wants it: "" -> null for price (the product's), an integer for stock when it is one.
const priceValue = (text) => (text.trim() === "" ? null : text.trim());
function stockValue(text) {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isInteger(n) ? n : text.trim();
}

// Errors about one option ("options.Size") are shown beside the option fieldset, named "options".
function onOptions(err) {
  const fields = {};
  for (const [name, messages] of Object.entries(err.fields)) {
    const key = name.startsWith("options") ? "options" : name;
    fields[key] = [...(fields[key] || []), ...[].concat(messages)];
  }
  return new ApiError(err.status, { error: { ...(err.body && err.body.error), fields } });
}

function errorText(err) {
  const fields = Object.entries(err.fields || {}).map(([name, messages]) => `${name}: ${[].concat(messages).join(" ")}`);
  return fields.length ? `${err.message} (${fields.join("; ")})` : err.message;
}

function optionPair(name = "") {
  return el("div", { class: "option-pair" },
    el("input", { class: "option-name", value: name, placeholder: "Option, e.g. Size", "aria-label": "Option name" }),
    el("input", { class: "option-value", placeholder: "Value", "aria-label": `Value of ${name || "the option"}` }));
}

// The block, at once; its rows arrive when the product's detail does.
export function variantsPanel(productId, { canWrite }) {
  const root = $("product-variants-template").content.firstElementChild.cloneNode(true);
  root.dataset.productId = productId;
  root.id = "variants";
  const status = root.querySelector(".variants-status");
  const table = root.querySelector("table");
  const form = root.querySelector("form");
  const pairs = form.querySelector(".option-pairs");
  let product = null;
  form.remove();
  form.querySelector(".option-more").addEventListener("click", () => pairs.append(optionPair()));
  bindForm(form, addVariant);

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("field-error", isError);
    status.setAttribute("role", isError ? "alert" : "status");
  }

  async function load(note = "") {
    try {
      product = await api(`/products/${productId}`);
    } catch (err) {
      table.replaceChildren();
      form.remove();
      say(err.status === 404 ? "An archived product's variants are not shown." : err.message, err.status !== 404);
      return;
    }
    const head = ["sku", "options", "price", "stock", canWrite ? "" : null].filter((h) => h !== null);
    const rows = product.variants.map((v) => variantRow(v));
    table.replaceChildren(el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, rows));
    table.hidden = rows.length === 0;
    say(note || (rows.length ? `${rows.length} variant(s); options: ${product.options.map((o) => o.name).join(", ")}`
      : "No variants: this product is sold as one item at its own price and stock."));
    if (canWrite) resetForm();
  }

  function priceText(v) {
    return v.own_price === null ? `product price (${money(product.base_price, product.currency)})` : money(v.own_price, product.currency);
  }

  function variantRow(v) {
    const attrs = { "data-variant-id": v.id, "data-sku": v.sku };
    const optionsCell = el("td", { "data-column": "options" }, v.variant_label);
    if (!canWrite) {
      return el("tr", attrs, el("td", { "data-column": "sku" }, v.sku), optionsCell,
        el("td", { "data-column": "price" }, priceText(v)), el("td", { "data-column": "stock" }, String(v.stock)));
    }
    const inputs = {
      sku: el("input", { name: "sku", value: v.sku, "aria-label": `SKU of ${v.variant_label}`, size: "12" }),
      price: el("input", { name: "price", value: v.own_price ?? "", placeholder: "product price", inputmode: "decimal",
        "aria-label": `Price of ${v.sku}`, size: "8", title: priceText(v) }),
      stock: el("input", { name: "stock", type: "number", min: "0", step: "1", value: String(v.stock),
        "aria-label": `Stock of ${v.sku}`, class: "qty" }),
    };
    return el("tr", attrs, el("td", { "data-column": "sku" }, inputs.sku), optionsCell,
      el("td", { "data-column": "price" }, inputs.price), el("td", { "data-column": "stock" }, inputs.stock),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "variant-save", onclick: () => saveRow(v, inputs) }, "Save"),
        el("button", { type: "button", class: "danger variant-delete", onclick: () => removeVariant(v) }, "Delete")));
  }

  // Only what changed goes out, so the PATCH touches just those fields.
  async function saveRow(v, inputs) {
    const body = {};
    if (inputs.sku.value.trim() !== v.sku) body.sku = inputs.sku.value.trim();
    if (priceValue(inputs.price.value) !== v.own_price) body.price = priceValue(inputs.price.value);
    if (stockValue(inputs.stock.value) !== v.stock) body.stock = stockValue(inputs.stock.value);
    Object.values(inputs).forEach((input) => input.removeAttribute("aria-invalid"));
    if (!Object.keys(body).length) { say(`Nothing changed on ${v.sku}.`); return; }
    try {
      const saved = await api(`/products/${productId}/variants/${v.id}`, { method: "PATCH", body });
      await load(`Saved ${saved.sku}.`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      Object.keys(err.fields).forEach((name) => inputs[name] && inputs[name].setAttribute("aria-invalid", "true"));
      say(`${v.sku}: ${errorText(err)}`, true);
    }
  }

  async function removeVariant(v) {
    if (!confirm(`Delete variant ${v.sku}? A variant that was ordered is archived instead.`)) return;
    try {
      await api(`/products/${productId}/variants/${v.id}`, { method: "DELETE" });
      await load(`Deleted ${v.sku}.`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      say(`${v.sku}: ${errorText(err)}`, true);
    }
  }

  // A fresh form whose option names are the product's (the API wants the same names on every variant).
  function resetForm() {
    form.reset();
    form.querySelectorAll(".field-error, .form-notice").forEach((node) => node.remove());
    const names = product.options.map((o) => o.name);
    pairs.replaceChildren(...(names.length ? names : [""]).map((n) => optionPair(n)));
    form.elements.namedItem("price").placeholder = money(product.base_price, product.currency);
    root.append(form);
  }

  async function addVariant(values) {
    const options = {};
    for (const pair of pairs.querySelectorAll(".option-pair")) {
      const name = pair.querySelector(".option-name").value.trim();
      const value = pair.querySelector(".option-value").value.trim();
      if (name || value) options[name] = value;
    }
    const body = { sku: values.sku, options };
    if (values.price !== "") body.price = values.price;
    if (values.stock !== "") body.stock = stockValue(values.stock);
    let made;
    try {
      made = await api(`/products/${productId}/variants`, { method: "POST", body });
    } catch (err) {
      throw err instanceof ApiError ? onOptions(err) : err;
    }
    await load(`Added ${made.sku}.`);
  }

  load();
  return root;
}

// An order's items with variant label and sku (GET /admin/orders/{id}), under the order's view.
export function orderItemsPanel(orderId) {
  const table = el("table", { class: "grid", "data-view": "order-items" });
  const status = el("p", { class: "status", role: "status" }, "Loading items…");
  const figures = el("dl", { class: "order-figures" });
  const root = el("section", { class: "panel", id: "order-items", "data-order-id": orderId },
    el("h2", {}, "Items"), status, el("div", { class: "table-wrap" }, table), figures);
  api(`/admin/orders/${orderId}`).then((order) => {
    status.hidden = true;
    // The money rows as the customer saw them: coupon, shipping method, tax, total.
    renderTotals(figures, order);
    table.replaceChildren(
      el("thead", {}, el("tr", {}, ["product", "variant", "sku", "unit price", "quantity", "line total"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, order.items.map((i) => el("tr", { "data-product-id": i.product_id, "data-variant-id": i.variant_id || null },
        el("td", {}, i.name), el("td", {}, i.variant_label || "—"), el("td", {}, i.sku || "—"),
        el("td", {}, money(i.unit_price, order.currency)), el("td", {}, String(i.quantity)),
        el("td", {}, money(i.line_total, order.currency))))));
  }).catch((err) => { status.textContent = err.message; });
  return root;
}
