// Product page: details from GET /products/{id}; Add to cart posts to the cart API and updates the badge in place.
import { api, el, money } from "./api.js";
import { priceNode, stockText } from "./catalog.js";
import { renderGallery } from "./product_gallery.js";
import { refreshCartBadge } from "./header.js";

const root = document.getElementById("product");
const productId = Number(root.dataset.productId);
const statusLine = document.getElementById("product-status");
const message = document.getElementById("cart-message");

function render(p) {
  document.title = `${p.name} · Shopwright`;
  document.getElementById("breadcrumbs").replaceChildren(
    el("a", { href: "/" }, "All products"),
    ...p.category_path.flatMap((c) => [" › ", el("a", { href: `/?category_id=${c.id}` }, c.name)]));
  renderGallery(document.getElementById("product-image"), p);
  document.getElementById("product-name").textContent = p.name;
  document.getElementById("product-price").replaceWith(Object.assign(priceNode(p), { id: "product-price" }));
  if (p.offer) {
    const note = document.getElementById("product-offer");
    const cut = p.offer.percent_off ? `${Number(p.offer.percent_off)}% off` : `${money(p.offer.amount_off, p.currency)} off`;
    note.textContent = `${p.offer.name}: ${cut} until ${new Date(p.offer.ends_at).toLocaleDateString()}`;
    note.hidden = false;
  }
  const stock = document.getElementById("product-stock");
  stock.textContent = stockText(p);
  stock.className = p.in_stock ? "stock" : "stock out";
  const quantity = document.getElementById("quantity");
  quantity.max = String(Math.max(p.stock, 1));
  document.getElementById("add-to-cart-button").disabled = !p.in_stock;
  document.getElementById("product-description").replaceChildren(
    ...p.description.split(/\n{2,}/).filter(Boolean).map((para) => el("p", {}, para)));
  statusLine.hidden = true;
  document.getElementById("product-main").hidden = false;
}

document.getElementById("add-to-cart").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("add-to-cart-button");
  const quantity = Number(document.getElementById("quantity").value);
  button.disabled = true;
  message.className = "status";
  try {
    await api("/cart/items", { method: "POST", body: { product_id: productId, quantity } });
    message.textContent = "Added to your cart.";
    await refreshCartBadge();
  } catch (err) {
    message.className = "status field-error";
    message.textContent = err.code === "insufficient_stock" ? "Not enough stock for that quantity." : err.message;
  } finally {
    button.disabled = false;
  }
});

async function load() {
  try {
    render(await api(`/products/${productId}`));
  } catch (err) {
    statusLine.textContent = err.status === 404 ? "This product is not available." : `Could not load the product: ${err.message}`;
  }
}

load();
