// Account page: tabs for profile, password, addresses, orders (account_orders.js) and sessions.
import { $, api, el, loadOrLogIn, rememberCsrf } from "./api.js";
import { bindForm, showNotice } from "./forms.js";
import { currentUser } from "./header.js";

function selectTab(name) {
  document.querySelectorAll('[role="tab"]').forEach((tab) => {
    const on = tab.getAttribute("aria-controls") === `tab-${name}`;
    tab.setAttribute("aria-selected", String(on));
    $(tab.getAttribute("aria-controls")).hidden = !on;
  });
  if (name === "sessions") loadSessions();
  if (name === "addresses") loadAddresses();
  history.replaceState(null, "", `#${name}`);
}

document.querySelectorAll('[role="tab"]').forEach((tab) =>
  tab.addEventListener("click", () => selectTab(tab.getAttribute("aria-controls").slice(4))));

function fillProfile(user) {
  $("profile-email").textContent = user.email;
  const form = $("profile-form");
  form.elements.username.value = user.username;
  form.elements.full_name.value = user.full_name || "";
  form.elements.phone.value = user.phone || "";
}

bindForm($("profile-form"), async (values) => {
  fillProfile(await api("/account", { method: "PATCH", body: values }));
  showNotice($("profile-form"), "Saved.");
});

bindForm($("password-form"), async (values) => {
  await api("/account/password", { method: "POST", body: values });
  $("password-form").reset();
  showNotice($("password-form"), "Password changed; your other sessions have ended.");
});

// ------------------------------------------------------------ addresses
const addressForm = $("address-form");
const ADDRESS_FIELDS = ["full_name", "line1", "line2", "city", "postal_code", "country", "phone"];

function editAddress(address) {
  addressForm.elements.id.value = address ? address.id : "";
  for (const name of ADDRESS_FIELDS) addressForm.elements[name].value = address ? address[name] || "" : "";
  $("address-form-title").textContent = address ? "Edit address" : "Add an address";
  $("address-cancel").hidden = !address;
}

function addressItem(a) {
  const text = [a.full_name, a.line1, a.line2, `${a.postal_code} ${a.city}`, a.country, a.phone].filter(Boolean).join(", ");
  return el("li", { "data-address-id": a.id }, el("span", {}, text),
    el("span", {},
      el("button", { type: "button", class: "secondary", onclick: () => editAddress(a) }, "Edit"), " ",
      el("button", { type: "button", class: "danger", onclick: async () => {
        await api(`/account/addresses/${a.id}`, { method: "DELETE" });
        loadAddresses();
      } }, "Delete")));
}

async function loadAddresses() {
  const data = await api("/account/addresses?per_page=100");
  $("address-list").replaceChildren(...(data.items.length ? data.items.map(addressItem) : [el("li", {}, "No addresses yet.")]));
}

$("address-cancel").addEventListener("click", () => editAddress(null));
bindForm(addressForm, async (values) => {
  const { id, ...body } = values;
  if (id) await api(`/account/addresses/${id}`, { method: "PATCH", body });
  else await api("/account/addresses", { method: "POST", body });
  editAddress(null);
  showNotice(addressForm, "Address saved.");
  loadAddresses();
});

// ------------------------------------------------------------ sessions
function sessionItem(sess) {
  const label = `${sess.user_agent || "unknown browser"} · ${sess.ip} · since ${new Date(sess.created_at).toLocaleString()}`;
  return el("li", { "data-session-id": sess.id }, el("span", {}, label, sess.current ? el("strong", {}, " (this one)") : null),
    el("button", { type: "button", class: "danger", onclick: async () => {
      await api(`/auth/sessions/${sess.id}`, { method: "DELETE" });
      if (sess.current) { rememberCsrf(null); location.assign("/login"); } else loadSessions();
    } }, sess.current ? "Log out" : "End"));
}

async function loadSessions() {
  const data = await api("/auth/sessions");
  $("session-list").replaceChildren(...data.items.map(sessionItem));
}

async function start() {
  const user = await loadOrLogIn(currentUser, $("account-status"), "your account");
  if (!user) return;
  fillProfile(user);
  $("account-status").hidden = true;
  $("account").hidden = false;
  const wanted = location.hash.slice(1);
  selectTab(["profile", "password", "addresses", "orders", "sessions"].includes(wanted) ? wanted : "profile");
}

start();
