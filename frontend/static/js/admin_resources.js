// Admin panel: one resource (users, products, categories, offers, orders, coupons, shipping methods,
// tax rates): search, paging, view, add, edit, delete, and for users the bulk actions. The descriptor
// comes from GET /admin/resources.
import { api, el } from "./api.js";
import { bindForm } from "./forms.js";
import { imagesPanel } from "./admin_images.js";
import { orderItemsPanel, variantsPanel } from "./admin_variants.js";

const PER_PAGE = 20;

function show(value) {
  if (value === null || value === undefined) return "—";
  if (value === true) return "yes";
  if (value === false) return "no";
  return String(value);
}

function cell(column, value) {
  if (["status", "role"].includes(column) && value) return el("span", { class: `tag ${value}` }, value);
  return show(value);
}

// "2026-12-01T10:00:00Z" <-> the value of an <input type=datetime-local> (shown in UTC).
const toLocalInput = (iso) => (iso ? iso.replace("Z", "").slice(0, 16) : "");
const fromLocalInput = (text) => (text ? `${text.length === 16 ? `${text}:00` : text}Z` : null);

function input(field, value) {
  const id = `f-${field.name}`;
  let control;
  if (field.type === "select") {
    control = el("select", { id, name: field.name }, field.options.map((o) => el("option", { value: o, selected: o === value }, o)));
  } else if (field.type === "textarea") {
    control = el("textarea", { id, name: field.name }, value ?? "");
  } else if (field.type === "checkbox") {
    control = el("input", { id, name: field.name, type: "checkbox", checked: Boolean(value), value: "true" });
  } else if (field.type === "list") {
    // A list (a shipping method's countries) is typed comma-separated: "GB, IE", or "*" for everywhere.
    control = el("input", { id, name: field.name, type: "text", value: listText(value), placeholder: "GB, IE or *" });
  } else {
    const type = { email: "email", password: "password", integer: "number", datetime: "datetime-local" }[field.type] || "text";
    const shown = field.type === "datetime" ? toLocalInput(value) : value;
    control = el("input", { id, name: field.name, type, value: shown ?? "", step: field.type === "integer" ? "1" : null,
      inputmode: field.type === "money" ? "decimal" : null });
  }
  return el("div", {}, el("label", { for: id }, field.name.replaceAll("_", " "), field.required ? " *" : ""), control);
}

// A list column comes as "FR, GB" from the resource rows, as ["FR", "GB"] from the API.
const listText = (value) => (Array.isArray(value) ? value.join(", ") : String(value ?? ""));
const listOf = (value) => (value === null || value === undefined ? null
  : listText(value).split(",").map((part) => part.trim()).filter(Boolean));

// Form text -> the JSON the API wants; empty optional fields are null (or left out when unchanged).
function convert(field, form) {
  const control = form.elements.namedItem(field.name);
  if (field.type === "checkbox") return control.checked;
  const text = control.value.trim();
  // An emptied text field is "", an emptied number or date is null (e.g. no category).
  if (text === "") return ["text", "textarea"].includes(field.type) ? "" : null;
  if (field.type === "integer") return Number.isInteger(Number(text)) ? Number(text) : text;
  if (field.type === "datetime") return fromLocalInput(text);
  if (field.type === "list") return listOf(text);
  return text;
}

function endpoint(spec, id) {
  const [method, path] = spec.includes(" ") ? spec.split(" ") : [null, spec];
  return { method, path: path.replace("{id}", id) };
}

export async function renderResource(target, resource) {
  const state = { page: 1, q: "", selected: new Set() };
  const title = el("h1", {}, resource.label);
  const search = el("input", { type: "search", placeholder: `Search ${resource.label.toLowerCase()}`, "aria-label": "Search" });
  const addButton = resource.can_write && resource.create ? el("button", { type: "button", class: "row-add" }, "Add") : null;
  const toolbar = el("form", { class: "toolbar", role: "search" }, search, el("button", { type: "submit", class: "secondary" }, "Search"), addButton);
  const panel = el("div", {});
  const status = el("p", { class: "status", role: "status" });
  const table = el("table", { class: "grid", "data-resource": resource.name });
  const pager = el("nav", { class: "pager", "aria-label": "Pages" });
  const bulk = resource.name === "users" && resource.can_write ? usersBulkBar(state, () => load()) : null;
  // bulk is null outside users: append() would print it as the text "null".
  target.append(...[title, toolbar, bulk, panel, status, el("div", { class: "table-wrap" }, table), pager].filter(Boolean));
  if (resource.name === "users" && resource.can_write) target.append(usersExtras(() => load()));

  toolbar.addEventListener("submit", (e) => { e.preventDefault(); state.q = search.value.trim(); state.page = 1; load(); });
  if (addButton) addButton.addEventListener("click", () => openForm(null));

  let latest = 0;
  async function load() {
    const ticket = ++latest;
    const params = new URLSearchParams({ page: state.page, per_page: PER_PAGE });
    if (state.q) params.set("q", state.q);
    const data = await api(`/admin/resources/${resource.name}?${params}`);
    if (ticket !== latest) return;  // a newer load (e.g. a search typed meanwhile) has the last word
    status.textContent = `${data.total} ${resource.label.toLowerCase()}${state.q ? ` matching “${state.q}”` : ""}`;
    renderTable(data.items);
    pager.replaceChildren();
    if (data.pages > 1) {
      const go = (page, label) => el("button", { type: "button", class: "secondary", onclick: () => { state.page = page; load(); } }, label);
      if (data.page > 1) pager.append(go(data.page - 1, "‹ Previous"));
      pager.append(el("span", {}, ` Page ${data.page} of ${data.pages} `));
      if (data.page < data.pages) pager.append(go(data.page + 1, "Next ›"));
    }
  }

  function renderTable(rows) {
    const head = el("tr", {}, bulk ? el("th", {}, "") : null, resource.columns.map((c) => el("th", { scope: "col" }, c.replaceAll("_", " "))), el("th", {}, ""));
    const body = rows.map((row) => {
      const actions = [el("button", { type: "button", class: "secondary row-view", onclick: () => view(row.id) }, "View")];
      if (resource.can_write && resource.update) actions.push(el("button", { type: "button", class: "row-edit", onclick: () => openForm(row.id) }, "Edit"));
      if (resource.can_write && resource.delete) actions.push(el("button", { type: "button", class: "danger row-delete", onclick: () => remove(row.id) }, "Delete"));
      const pick = bulk ? el("td", {}, el("input", { type: "checkbox", "aria-label": `Select ${row.id}`, class: "row-select", checked: state.selected.has(row.id),
        onchange: (e) => (e.target.checked ? state.selected.add(row.id) : state.selected.delete(row.id)) })) : null;
      return el("tr", { "data-id": row.id }, pick, resource.columns.map((c) => el("td", { "data-column": c }, cell(c, row[c]))), el("td", { class: "actions" }, actions));
    });
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, body));
  }

  async function view(id) {
    const row = await api(`/admin/resources/${resource.name}/${id}`);
    panel.replaceChildren(el("div", { class: "panel", "data-view-id": id }, el("h2", {}, `${resource.label} #${id}`),
      el("dl", {}, Object.entries(row).flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, show(v))])),
      el("div", { class: "form-actions" }, el("button", { type: "button", class: "secondary", onclick: () => panel.replaceChildren() }, "Close"))),
      ...rowBlocks(id));
  }

  // What a row has besides its columns, under its view and its edit form: a product's images and
  // variants, an order's items.
  function rowBlocks(id) {
    const options = { canWrite: resource.can_write };
    if (resource.name === "products") return [imagesPanel(id, options), variantsPanel(id, options)];
    if (resource.name === "orders") return [orderItemsPanel(id)];
    return [];
  }

  async function remove(id) {
    if (!confirm(`Delete ${resource.label.toLowerCase()} #${id}?`)) return;
    try {
      await api(endpoint(resource.delete, id).path, { method: "DELETE" });
      panel.replaceChildren(el("p", { class: "notice", role: "status" }, `Deleted #${id}.`));
      load();
    } catch (err) {
      panel.replaceChildren(el("p", { class: "notice error", role: "alert" }, err.message));
    }
  }

  async function openForm(id) {
    const row = id === null ? {} : await api(`/admin/resources/${resource.name}/${id}`);
    const fields = id === null ? resource.create_fields : resource.edit_fields;
    const form = el("form", { class: "panel", novalidate: true, "data-form": id === null ? "add" : "edit" },
      el("h2", {}, id === null ? `Add to ${resource.label.toLowerCase()}` : `Edit ${resource.label.toLowerCase()} #${id}`),
      el("div", { class: "form-grid" }, fields.map((f) => input(f, row[f.name]))),
      el("div", { class: "form-actions" }, el("button", { type: "submit" }, "Save"),
        el("button", { type: "button", class: "secondary", onclick: () => panel.replaceChildren() }, "Cancel")));
    panel.replaceChildren(form, ...(id === null ? [] : rowBlocks(id)));
    bindForm(form, async () => {
      const body = {};
      for (const field of fields) {
        const value = convert(field, form);
        // Only what changed goes out: a PATCH then touches just those columns.
        const old = field.type === "checkbox" ? Boolean(row[field.name])
          : field.type === "list" ? listOf(row[field.name]) : row[field.name] ?? null;
        if (id !== null && JSON.stringify(value) === JSON.stringify(old)) continue;
        if (id === null && (value === null || value === "")) continue;
        body[field.name] = value;
      }
      if (id === null) {
        await api(resource.create, { method: "POST", body });
      } else {
        const { method, path } = endpoint(resource.update, id);
        await api(path, { method, body });
      }
      panel.replaceChildren(el("p", { class: "notice", role: "status" }, id === null ? "Added." : `Saved #${id}.`));
      load();
    });
  }

  await load();
}

function usersBulkBar(state, reload) {
  const action = el("select", { "aria-label": "Bulk action", name: "action" },
    ["activate", "deactivate", "block", "unblock", "delete"].map((a) => el("option", { value: a }, a)));
  const until = el("input", { type: "datetime-local", "aria-label": "Blocked until", name: "blocked_until" });
  const result = el("span", { class: "status", role: "status" });
  const form = el("form", { class: "toolbar bulk-bar" }, el("strong", {}, "Selected users:"), action, until,
    el("button", { type: "submit" }, "Apply"), result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!state.selected.size) { result.textContent = "Select users first."; return; }
    if (action.value === "delete" && !confirm(`Delete ${state.selected.size} users?`)) return;
    try {
      const body = { action: action.value, user_ids: [...state.selected] };
      if (action.value === "block") body.blocked_until = fromLocalInput(until.value);
      const answer = await api("/admin/users/bulk", { method: "POST", body });
      result.textContent = `${answer.affected} changed.`;
      state.selected.clear();
      reload();
    } catch (err) {
      result.textContent = err.message + (err.fields && Object.keys(err.fields).length ? ` (${Object.keys(err.fields).join(", ")})` : "");
    }
  });
  return form;
}

function usersExtras(reload) {
  const purge = el("form", { class: "panel", novalidate: true }, el("h2", {}, "Purge inactive customers"),
    el("p", { class: "status" }, "Staff are never purged; customers with orders are anonymised instead of deleted."),
    el("label", { for: "purge-days" }, "Inactive for days"), el("input", { id: "purge-days", name: "inactive_days", type: "number", min: "1", value: "365" }),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "danger" }, "Purge")));
  bindForm(purge, async (values) => {
    if (!confirm(`Remove customers inactive for ${values.inactive_days} days?`)) return;
    const answer = await api("/admin/users/purge-inactive", { method: "POST", body: { inactive_days: Number(values.inactive_days) } });
    purge.querySelector(".form-actions").after(el("p", { class: "notice", role: "status" }, `${answer.deleted} deleted, ${answer.anonymised} anonymised.`));
    reload();
  });
  const mail = el("form", { class: "panel", novalidate: true }, el("h2", {}, "Send a test email"),
    el("label", { for: "mail-to" }, "To"), el("input", { id: "mail-to", name: "to", type: "email" }),
    el("div", { class: "form-actions" }, el("button", { type: "submit", class: "secondary" }, "Send")));
  bindForm(mail, async (values) => {
    await api("/admin/mail/test", { method: "POST", body: { to: values.to } });
    mail.querySelector(".form-actions").after(el("p", { class: "notice", role: "status" }, `Queued for ${values.to}.`));
  });
  return el("div", { class: "cards" }, purge, mail);
}
