// Admin panel, a product's view: its variants (sku, option values, price, stock). Staff who may write
// edit sku, price and stock in place, add variants and delete them (the API archives one that was ordered).
import { ApiError, api, el, money } from "./api.js";
import { bindForm } from "./forms.js";

// A variant's own price, or null when it sells at the product's price. The API may name it own_price;
// without that field the variant's price is taken as its own.
const ownPrice = (v) => ("own_price" in v ? v.own_price : v.price);
const label = (product, v) => product.options.map((o) => v.options[o.name]).join(" / ");

// Text from an input as the API wants it: "" -> null for price, an integer for stock when it is one.
function priceValue(text) {
  return text.trim() === "" ? null : text.trim();
}
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

export async function variantsBlock(productId, canWrite) {
  const status = el("p", { class: "status", role: "status" });
  const table = el("table", { class: "grid", "data-view": "variants" });
  const addSlot = el("div", {});
  const block = el("section", { class: "panel variants", id: "variants", "data-product-id": productId, "aria-labelledby": "variants-title" },
    el("h2", { id: "variants-title" }, "Variants"), status, el("div", { class: "table-wrap" }, table), addSlot);

  function say(text, isError = false) {
    status.textContent = text;
    status.className = isError ? "status field-error" : "status";
    status.setAttribute("role", isError ? "alert" : "status");
  }

  async function load(note = "") {
    let product;
    try {
      product = await api(`/products/${productId}`);
    } catch (err) {
      table.replaceChildren();
      say(err.status === 404 ? "An archived product's variants cannot be shown." : err.message, err.status !== 404);
      return;
    }
    const basePrice = product.base_price ?? product.price;
    const rows = product.variants.map((v) => variantRow(product, v, basePrice));
    const head = ["sku", "options", "price", "stock", canWrite ? "" : null].filter((h) => h !== null);
    table.replaceChildren(el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, rows));
    table.hidden = rows.length === 0;
    say(note || (rows.length ? `${rows.length} variant(s); options: ${product.options.map((o) => o.name).join(", ")}`
      : "No variants: this product is sold as one item at its own price and stock."));
    if (canWrite) addSlot.replaceChildren(addForm(product));
  }

  function variantRow(product, v, basePrice) {
    const own = ownPrice(v);
    const priceShown = own === null ? `product price (${money(basePrice, product.currency)})` : money(own, product.currency);
    const attrs = { "data-variant-id": v.id, "data-sku": v.sku };
    if (!canWrite) {
      return el("tr", attrs, el("td", { "data-column": "sku" }, v.sku), el("td", { "data-column": "options" }, label(product, v)),
        el("td", { "data-column": "price" }, priceShown), el("td", { "data-column": "stock" }, String(v.stock)));
    }
    const sku = el("input", { name: "sku", value: v.sku, "aria-label": `SKU of ${label(product, v)}`, size: "12" });
    const price = el("input", { name: "price", value: own ?? "", placeholder: "product price", inputmode: "decimal",
      "aria-label": `Price of ${v.sku}`, size: "8" });
    const stock = el("input", { name: "stock", type: "number", min: "0", step: "1", value: String(v.stock),
      "aria-label": `Stock of ${v.sku}`, class: "qty" });
    const save = el("button", { type: "button", class: "variant-save", onclick: () => saveRow(v, { sku, price, stock }) }, "Save");
    const remove = el("button", { type: "button", class: "danger variant-delete", onclick: () => removeVariant(v) }, "Delete");
    return el("tr", attrs, el("td", { "data-column": "sku" }, sku), el("td", { "data-column": "options" }, label(product, v)),
      el("td", { "data-column": "price", title: own === null ? priceShown : null }, price),
      el("td", { "data-column": "stock" }, stock), el("td", { class: "actions" }, save, remove));
  }

  // Only what changed goes out, so a PATCH touches just those columns.
  async function saveRow(v, inputs) {
    const body = {};
    if (inputs.sku.value.trim() !== v.sku) body.sku = inputs.sku.value.trim();
    if (priceValue(inputs.price.value) !== (ownPrice(v) ?? null)) body.price = priceValue(inputs.price.value);
    if (stockValue(inputs.stock.value) !== v.stock) body.stock = stockValue(inputs.stock.value);
    Object.values(inputs).forEach((input) => input.removeAttribute("aria-invalid"));
    if (!Object.keys(body).length) { say(`Nothing changed on ${v.sku}.`); return; }
    try {
      const saved = await api(`/products/${productId}/variants/${v.id}`, { method: "PATCH", body });
      await load(`Saved ${saved.sku || v.sku}.`);
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

  function optionRow(name = "") {
    const row = el("div", { class: "option-pair" },
      el("input", { class: "option-name", value: name, placeholder: "Option, e.g. Size", "aria-label": "Option name" }),
      el("input", { class: "option-value", placeholder: "Value", "aria-label": `Value of ${name || "the option"}` }));
    return row;
  }

  // The new variant's form; its option names start as the product's (the API wants the same names).
  function addForm(product) {
    const names = product.options.map((o) => o.name);
    const pairs = el("div", { class: "option-pairs" }, (names.length ? names : [""]).map((n) => optionRow(n)));
    const more = el("button", { type: "button", class: "secondary option-more", onclick: () => pairs.append(optionRow()) }, "Another option");
    const form = el("form", { class: "panel", novalidate: true, "data-form": "variant-add" },
      el("h3", {}, "Add a variant"),
      el("fieldset", { name: "options", class: "option-fieldset" }, el("legend", {}, "Option values"), pairs, more),
      el("div", { class: "form-grid" },
        el("div", {}, el("label", { for: "variant-sku" }, "sku *"), el("input", { id: "variant-sku", name: "sku" })),
        el("div", {}, el("label", { for: "variant-price" }, "price (empty: the product's price)"),
          el("input", { id: "variant-price", name: "price", inputmode: "decimal", placeholder: money(product.base_price ?? product.price, product.currency) })),
        el("div", {}, el("label", { for: "variant-stock" }, "stock *"), el("input", { id: "variant-stock", name: "stock", type: "number", min: "0", step: "1" }))),
      el("div", { class: "form-actions" }, el("button", { type: "submit" }, "Add variant")));
    bindForm(form, async (values) => {
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
    });
    return form;
  }

  await load();
  return block;
}

// An order's view: its lines with sku and variant label (GET /admin/orders/{id}).
export async function orderItemsBlock(orderId) {
  const block = el("section", { class: "panel", id: "order-items", "data-order-id": orderId }, el("h2", {}, "Items"));
  try {
    const order = await api(`/admin/orders/${orderId}`);
    block.append(el("div", { class: "table-wrap" }, el("table", { class: "grid", "data-view": "order-items" },
      el("thead", {}, el("tr", {}, ["product", "variant", "sku", "unit price", "quantity", "line total"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, order.items.map((i) => el("tr", { "data-product-id": i.product_id, "data-variant-id": i.variant_id || null },
        el("td", {}, i.name), el("td", {}, i.variant_label || "—"), el("td", {}, i.sku || "—"),
        el("td", {}, money(i.unit_price, order.currency)), el("td", {}, String(i.quantity)),
        el("td", {}, money(i.line_total, order.currency))))))));
  } catch (err) {
    block.append(el("p", { class: "status" }, err.message));
  }
  return block;
}
