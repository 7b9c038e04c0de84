// Home page: category tree, search results, filters, sort and paging, all from the URL's query string.
import { $, api, el } from "./api.js";
import { productCard } from "./catalog.js";

const grid = $("product-grid");
const status = $("catalog-status");
const pager = $("pager");
const title = $("catalog-title");
const filters = $("filters");
const sortSelect = $("sort");
const FILTER_KEYS = ["q", "category_id", "min_price", "max_price", "in_stock", "sort"];

const params = new URLSearchParams(location.search);

function urlWith(changes) {
  const next = new URLSearchParams();
  for (const key of FILTER_KEYS) if (params.get(key)) next.set(key, params.get(key));
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "" || value === undefined) next.delete(key); else next.set(key, value);
  }
  next.delete("page");
  if (changes.page && changes.page > 1) next.set("page", changes.page);
  const query = next.toString();
  return query ? `/?${query}` : "/";
}

function findPath(nodes, id, trail = []) {
  for (const node of nodes) {
    const here = [...trail, node];
    if (String(node.id) === id) return here;
    const found = findPath(node.children, id, here);
    if (found) return found;
  }
  return null;
}

// Roots always; below them only the branch leading to the chosen category, and its children.
function treeList(nodes, openIds, current) {
  return el("ul", {}, nodes.map((node) => el("li", {},
    el("a", { href: urlWith({ category_id: node.id }), "data-category-id": node.id,
      "aria-current": String(node.id) === current ? "page" : null }, node.name),
    openIds.has(node.id) && node.children.length ? treeList(node.children, openIds, current) : null)));
}

async function loadTree() {
  const nav = $("category-tree");
  const current = params.get("category_id") || "";
  try {
    const roots = await api("/categories");
    const path = current ? findPath(roots, current) || [] : [];
    const all = el("li", {}, el("a", { href: urlWith({ category_id: null }), "data-category-id": "",
      "aria-current": current ? null : "page" }, "All products"));
    nav.replaceChildren(all, ...treeList(roots, new Set(path.map((n) => n.id)), current).children);
    if (path.length) title.textContent = path[path.length - 1].name;
  } catch { /* the grid still works without the tree */ }
}

function renderPager(data) {
  pager.replaceChildren();
  // A capped total ("1000+") means more pages than `pages` may follow while pages come back full.
  const more = data.page < data.pages || (data.total_capped && data.items.length === data.per_page);
  if (data.page <= 1 && !more) return;
  const link = (page, label) => el("a", { href: urlWith({ page }) }, label);
  if (data.page > 1) pager.append(link(data.page - 1, "‹ Previous"));
  const of = data.total_capped ? `${Math.max(data.pages, data.page)}+` : data.pages;
  pager.append(el("span", { "aria-current": "page" }, ` Page ${data.page} of ${of} `));
  if (more) pager.append(link(data.page + 1, "Next ›"));
}

function fillControls() {
  const q = params.get("q") || "";
  $("search-input").value = q;
  $("min-price").value = params.get("min_price") || "";
  $("max-price").value = params.get("max_price") || "";
  $("in-stock").checked = ["true", "1"].includes(params.get("in_stock"));
  sortSelect.value = params.get("sort") || (q ? "relevance" : "newest");
  sortSelect.querySelector('option[value="relevance"]').disabled = !q;
  if (q) title.textContent = `Results for “${q}”`;
}

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  const min = $("min-price").value;
  const max = $("max-price").value;
  const error = $("filter-error");
  if (min && max && Number(min) > Number(max)) {
    error.textContent = "The minimum is above the maximum.";
    error.hidden = false;
    return;
  }
  location.assign(urlWith({ min_price: min, max_price: max,
    in_stock: $("in-stock").checked ? "true" : null }));
});

sortSelect.addEventListener("change", () => location.assign(urlWith({ sort: sortSelect.value })));

// The header search starts a new search inside the chosen category, not a new shop-wide browse.
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("search-input").value.trim();
  location.assign(urlWith({ q, sort: null }));
});

async function load() {
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) if (params.get(key)) query.set(key, params.get(key));
  query.set("page", params.get("page") || "1");
  query.set("per_page", "24");
  try {
    const data = await api(`/products?${query}`);
    grid.replaceChildren(...data.items.map(productCard));
    status.textContent = data.total ? `${data.total}${data.total_capped ? "+" : ""} products` : "No products match.";
    renderPager(data);
  } catch (err) {
    grid.replaceChildren();
    status.textContent = `Could not load products: ${err.message}`;
  }
}

fillControls();
loadTree();
load();
