// How a cart, checkout or order line is named: the product, then the variant's label ("M / Red") if any.
import { el } from "./api.js";

export function lineName(item) {
  return item.variant_label ? `${item.name} (${item.variant_label})` : item.name;
}

// "2 × Shirt" followed by the variant label in its own span, so pages can style or find it.
export function lineTitle(item, { sku = false } = {}) {
  return el("span", { class: "line-name" }, `${item.quantity} × ${item.name}`,
    item.variant_label ? [" ", el("span", { class: "variant-label" }, item.variant_label)] : null,
    sku && item.sku ? [" ", el("code", { class: "sku" }, item.sku)] : null);
}
