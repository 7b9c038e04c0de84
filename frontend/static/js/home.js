// Home page: the catalog grid, fed by GET /api/v1/products.
import { api, el, money } from "./api.js";

const grid = document.getElementById("product-grid");
const status = document.getElementById("catalog-status");
const pager = document.getElementById("pager");

function productCard(p) {
  const price = p.sale_price
    ? el("p", { class: "price" }, el("s", {}, money(p.price, p.currency)), " ", el("strong", { class: "sale" }, money(p.sale_price, p.currency)))
    : el("p", { class: "price" }, el("strong", {}, money(p.price, p.currency)));
  const image = p.image_url
    ? el("img", { src: p.image_url, alt: "", loading: "lazy" })
    : el("div", { class: "placeholder", style: `--hue:${(p.id * 47) % 360}`, "aria-hidden": "true" }, p.name.slice(0, 1));
  return el("li", { class: "product-card", "data-product-id": p.id },
    el("a", { href: `/products/${p.id}` }, image, el("h2", {}, p.name)),
    price,
    el("p", { class: p.in_stock ? "stock" : "stock out" }, p.in_stock ? (p.stock <= 5 ? `Only ${p.stock} left` : "In stock") : "Out of stock"));
}

function renderPager(data) {
  pager.replaceChildren();
  if (data.pages <= 1) return;
  const link = (page, label) => el("a", { href: `?page=${page}`, "aria-current": page === data.page ? "page" : null }, label);
  if (data.page > 1) pager.append(link(data.page - 1, "‹ Previous"));
  pager.append(el("span", {}, ` Page ${data.page} of ${data.pages} `));
  if (data.page < data.pages) pager.append(link(data.page + 1, "Next ›"));
}

async function load() {
  const page = Number(new URLSearchParams(location.search).get("page") || 1);
  try {
    const data = await api(`/products?page=${page}&per_page=24`);
    grid.replaceChildren(...data.items.map(productCard));
    status.textContent = data.total ? `${data.total} products` : "No products yet.";
    renderPager(data);
  } catch (err) {
    status.textContent = `Could not load products: ${err.message}`;
  }
}

load();
