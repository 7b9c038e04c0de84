// Admin panel views besides the resources: the dashboard, trending searches, the audit log and backups.
import { api, el, money } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

// Revenue per day as bars, drawn inline (no chart library, no CDN).
function salesChart(days, currency) {
  const width = 720, height = 220, pad = 34, gap = 2;
  const top = Math.max(1, ...days.map((d) => Number(d.revenue)));
  const step = (width - pad * 2) / days.length;
  const bars = days.map((d, i) => {
    const h = ((height - pad * 2) * Number(d.revenue)) / top;
    return svg("rect", { class: "bar", x: pad + i * step + gap / 2, y: height - pad - h, width: Math.max(1, step - gap), height: h,
      "data-day": d.day, "data-revenue": d.revenue },
      svg("title", {}, `${d.day}: ${money(d.revenue, currency)} in ${d.orders} orders`));
  });
  const labels = days.filter((_, i) => i % 5 === 0 || i === days.length - 1).map((d) => {
    const i = days.indexOf(d);
    return svg("text", { x: pad + i * step, y: height - pad + 14 }, d.day.slice(5));
  });
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Sales per day, last ${days.length} days` },
    svg("line", { class: "axis", x1: pad, y1: height - pad, x2: width - pad, y2: height - pad }),
    svg("text", { x: 2, y: pad - 8 }, money(top, currency)), ...bars, ...labels);
}

function list(title, rows, render, empty = "Nothing here.") {
  return el("div", { class: "panel" }, el("h2", {}, title),
    rows.length ? el("ol", { class: "plain-list" }, rows.map((r) => el("li", {}, ...render(r)))) : el("p", { class: "status" }, empty));
}

export async function renderDashboard(target) {
  const stats = await api("/admin/stats");
  const total = stats.sales_per_day.reduce((sum, d) => sum + Number(d.revenue), 0);
  target.append(
    el("h1", {}, "Dashboard"),
    el("div", { class: "panel chart", id: "sales-chart" }, el("h2", {}, `Sales, last ${stats.sales_per_day.length} days: ${money(total, stats.currency)}`),
      salesChart(stats.sales_per_day, stats.currency)),
    el("div", { class: "cards" },
      list("Top products", stats.top_products, (p) => [el("span", {}, p.name), el("span", {}, `${p.units} sold · ${money(p.revenue, stats.currency)}`)]),
      list("Orders by status", stats.orders_by_status, (s) => [el("span", { class: `tag ${s.status}` }, s.status), el("strong", {}, s.count)]),
      list(`Low stock (≤ ${stats.low_stock_threshold})`, stats.low_stock, (p) => [el("span", {}, p.name), el("strong", {}, p.stock)], "All products are well stocked."),
      couponList(stats)));
}

// The coupons used in the stats' window (as many days as sales_per_day), most used first (stats.coupons; absent on an older server).
function couponList(stats) {
  const panel = list(`Coupons, last ${stats.sales_per_day.length} days`, stats.coupons || [], (c) => [el("code", {}, c.code),
    el("span", {}, `${c.orders} ${c.orders === 1 ? "order" : "orders"} · −${money(c.discount, stats.currency)}`)], "No coupon was used.");
  panel.id = "dashboard-coupons";
  return panel;
}

function pagerFor(data, go) {
  const nav = el("nav", { class: "pager", "aria-label": "Pages" });
  if (data.pages > 1) {
    if (data.page > 1) nav.append(el("button", { type: "button", class: "secondary", onclick: () => go(data.page - 1) }, "‹ Previous"));
    nav.append(el("span", {}, ` Page ${data.page} of ${data.pages} `));
    if (data.page < data.pages) nav.append(el("button", { type: "button", class: "secondary", onclick: () => go(data.page + 1) }, "Next ›"));
  }
  return nav;
}

export async function renderAudit(target) {
  const actor = el("input", { type: "number", min: "1", name: "actor_id", "aria-label": "Actor id", placeholder: "actor id" });
  const action = el("input", { name: "action", "aria-label": "Action", placeholder: "action, e.g. auth.login_failed" });
  const since = el("input", { type: "datetime-local", name: "since", "aria-label": "Since" });
  const filters = el("form", { class: "toolbar" }, actor, action, since, el("button", { type: "submit" }, "Filter"));
  const body = el("div", {});
  target.append(el("h1", {}, "Audit log"), filters, body);
  async function load(page = 1) {
    const params = new URLSearchParams({ page, per_page: 50 });
    if (actor.value) params.set("actor_id", actor.value);
    if (action.value.trim()) params.set("action", action.value.trim());
    if (since.value) params.set("since", `${since.value}:00Z`);
    try {
      const data = await api(`/admin/audit?${params}`);
      const rows = data.items.map((e) => el("tr", { "data-id": e.id }, el("td", {}, e.created_at), el("td", {}, e.action),
        el("td", {}, e.actor_username ? `${e.actor_username} (#${e.actor_id})` : e.actor_id ?? "—"),
        el("td", {}, `${e.target_type} ${e.target_id}`), el("td", {}, e.ip), el("td", {}, e.request_id),
        el("td", {}, e.details ? JSON.stringify(e.details) : "")));
      body.replaceChildren(el("p", { class: "status", role: "status" }, `${data.total} events`),
        el("div", { class: "table-wrap" }, el("table", { class: "grid" },
          el("thead", {}, el("tr", {}, ["time", "action", "actor", "target", "ip", "request", "details"].map((h) => el("th", {}, h)))),
          el("tbody", {}, rows))), pagerFor(data, load));
    } catch (err) {
      body.replaceChildren(el("p", { class: "notice error", role: "alert" }, err.message));
    }
  }
  filters.addEventListener("submit", (e) => { e.preventDefault(); load(1); });
  await load();
}

function size(bytes) {
  return bytes > 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}

export async function renderBackups(target) {
  const status = el("p", { class: "status", role: "status" });
  const make = el("button", { type: "button" }, "Make a backup now");
  const body = el("div", {});
  target.append(el("h1", {}, "Backups"), el("div", { class: "toolbar" }, make, status), body);
  async function load() {
    const data = await api("/admin/backups?per_page=50");
    const rows = data.items.map((b) => el("tr", { "data-id": b.id }, el("td", {}, b.created_at), el("td", {}, b.filename),
      el("td", {}, b.method), el("td", {}, size(b.size_bytes)), el("td", {}, b.total_rows),
      el("td", { title: JSON.stringify(b.row_counts) }, Object.entries(b.row_counts).filter(([, n]) => n).map(([t, n]) => `${t} ${n}`).join(", ")),
      el("td", { class: "actions" }, b.file_exists ? el("button", { type: "button", class: "danger", onclick: () => restore(b) }, "Restore") : "file missing")));
    body.replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ["time", "file", "method", "size", "rows", "row counts", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows))));
  }
  async function restore(b) {
    if (!confirm(`Replace every table with backup #${b.id} of ${b.created_at}? Changes made since are lost.`)) return;
    status.textContent = "Restoring…";
    try {
      const result = await api(`/admin/backups/${b.id}/restore`, { method: "POST" });
      status.textContent = `Restored ${result.tables.length} tables (${result.statements} statements).`;
    } catch (err) { status.textContent = err.message; }
  }
  make.addEventListener("click", async () => {
    make.disabled = true;
    status.textContent = "Backing up…";
    try {
      const b = await api("/admin/backups", { method: "POST", body: {} });
      status.textContent = `Backup #${b.id}: ${size(b.size_bytes)}, ${b.total_rows} rows.`;
      await load();
    } catch (err) { status.textContent = err.message; } finally { make.disabled = false; }
  });
  await load();
}

// The week's trending searches as every visitor's search box offers them; catalog staff hide a term for good.
export async function renderTrending(target) {
  const status = el("p", { class: "status", role: "status" });
  const body = el("div", {});
  target.append(el("h1", {}, "Trending searches"),
    el("p", {}, "The most searched terms of the last 7 days, offered in every visitor's search box. A hidden term never shows again."),
    status, body);
  async function load() {
    const terms = await api("/search/trending?limit=50");
    const rows = terms.map((t) => el("tr", { "data-term": t.term }, el("td", {}, t.term), el("td", {}, t.count),
      el("td", { class: "actions" }, el("button", { type: "button", class: "danger row-hide", onclick: () => hide(t.term) }, "Hide"))));
    body.replaceChildren(terms.length ? el("div", { class: "table-wrap" }, el("table", { class: "grid", "data-view": "trending" },
      el("thead", {}, el("tr", {}, ["term", "searches", ""].map((h) => el("th", {}, h)))),
      el("tbody", {}, rows))) : el("p", { class: "status" }, "No searches this week."));
  }
  async function hide(term) {
    if (!confirm(`Hide "${term}" from the trending searches for good?`)) return;
    try {
      await api(`/search/trending/${encodeURIComponent(term)}`, { method: "DELETE" });
      await load();
      status.textContent = `"${term}" is hidden.`;
    } catch (err) { status.textContent = err.message; }
  }
  await load();
}
