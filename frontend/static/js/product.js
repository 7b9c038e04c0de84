// Product page: details from GET /products/{id}; Add to cart posts to the cart API and updates the badge in place.
import { $, api, el, money } from "./api.js";
import { priceNode, stockText } from "./catalog.js";
import { renderGallery } from "./product_gallery.js";
import { refreshCartBadge } from "./header.js";
import { lowestPrice, mountOptions } from "./product_options.js";

const root = $("product");
const productId = Number(root.dataset.productId);
const statusLine = $("product-status");
const message = $("cart-message");
let currentVariant = () => null;  // a product with variants replaces it with its pickers' answer

function showPrice(node, prefix = null) {
  if (prefix) node.prepend(prefix);
  $("product-price").replaceWith(Object.assign(node, { id: "product-price" }));
}

// Stock line, quantity limit and button for what would be added: the product, or the chosen variant.
function showStock(item, text = stockText(item)) {
  const stock = $("product-stock");
  stock.textContent = text;
  stock.className = item && item.in_stock ? "stock" : "stock out";
  $("quantity").max = String(Math.max(item ? item.stock : 0, 1));
  $("add-to-cart-button").disabled = !(item && item.in_stock);
}

function showChoice(p, { variant, complete, missing }) {
  message.textContent = "";
  if (variant) {
    showPrice(priceNode({ ...variant, currency: p.currency }));
    showStock(variant);
    return;
  }
  const lowest = lowestPrice(p);
  showPrice(priceNode(lowest), lowest.varies ? "From " : null);
  showStock(null, complete ? "This combination is not available." : `Choose ${missing.join(" and ")}.`);
}

function render(p) {
  document.title = `${p.name} · Shopwright`;
  $("breadcrumbs").replaceChildren(
    el("a", { href: "/" }, "All products"),
    ...p.category_path.flatMap((c) => [" › ", el("a", { href: `/?category_id=${c.id}` }, c.name)]));
  renderGallery($("product-image"), p);
  $("product-name").textContent = p.name;
  if (p.offer) {
    const note = $("product-offer");
    const cut = p.offer.percent_off ? `${Number(p.offer.percent_off)}% off` : `${money(p.offer.amount_off, p.currency)} off`;
    note.textContent = `${p.offer.name}: ${cut} until ${new Date(p.offer.ends_at).toLocaleDateString()}`;
    note.hidden = false;
  }
  if (p.variants && p.variants.length) {
    const wanted = Number(new URLSearchParams(location.search).get("variant_id")) || null;
    currentVariant = mountOptions($("product-options"), p, (choice) => showChoice(p, choice), wanted);
  } else {
    showPrice(priceNode(p));
    showStock(p);
  }
  $("product-description").replaceChildren(
    ...p.description.split(/\n{2,}/).filter(Boolean).map((para) => el("p", {}, para)));
  statusLine.hidden = true;
  $("product-main").hidden = false;
}

$("add-to-cart").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("add-to-cart-button");
  const quantity = Number($("quantity").value);
  const variant = currentVariant();
  const body = variant ? { product_id: productId, variant_id: variant.id, quantity } : { product_id: productId, quantity };
  button.disabled = true;
  message.className = "status";
  try {
    await api("/cart/items", { method: "POST", body });
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
