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

// image_url is the first image's thumb (at most 320 px wide); width/height give the box its 4:3 shape
// before the picture arrives (CSS crops to it), so the grid does not jump while images load.
function pictureNode(p) {
  const img = el("img", { src: p.image_url, alt: p.name, loading: "lazy", decoding: "async", width: "320", height: "240" });
  img.addEventListener("error", () => img.replaceWith(placeholderNode(p)), { once: true });
  return img;
}

export function imageNode(p) {
  return p.image_url ? pictureNode(p) : placeholderNode(p);
}

// The coloured first letter that stands in for a product without a picture (or whose picture fails).
export function placeholderNode(p) {
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
