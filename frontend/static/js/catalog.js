// Pieces the catalog pages share: product cards, prices, stock wording, and trending search suggestions.
import { el, money } from "./api.js";

export function priceNode(p, tag = "p") {
  return p.sale_price
    ? el(tag, { class: "price" }, el("s", { "aria-label": "was" }, money(p.price, p.currency)), " ",
      el("strong", { class: "sale" }, money(p.sale_price, p.currency)))
    : el(tag, { class: "price" }, el("strong", {}, money(p.price, p.currency)));
}

export function stockText(p) {
  if (!p.in_stock) return "Out of stock";
  return p.stock <= 5 ? `Only ${p.stock} left` : "In stock";
}

export function imageNode(p) {
  if (p.image_url) return el("img", { src: p.image_url, alt: "", loading: "lazy" });
  const node = el("div", { class: "placeholder", "aria-hidden": "true" }, p.name.slice(0, 1));
  // Set through CSSOM: the CSP (style-src 'self') blocks style attributes but not node.style.
  node.style.setProperty("--hue", String((p.id * 47) % 360));
  return node;
}

// A product with variants is listed at its lowest variant price: "From" says so.
function cardPrice(p) {
  const node = priceNode(p);
  if (p.has_variants) node.prepend(el("span", { class: "from" }, "From "));
  return node;
}

export function productCard(p) {
  return el("li", { class: "product-card", "data-product-id": p.id },
    el("a", { href: `/products/${p.id}` }, imageNode(p), el("h2", {}, p.name)),
    cardPrice(p),
    el("p", { class: p.in_stock ? "stock" : "stock out" }, stockText(p)));
}
