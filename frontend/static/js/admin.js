// Admin panel: one page app. The menu shows what the role may see; every view reads and writes
// through the REST API, which checks the same permissions again (a hidden button is a courtesy).
import { $, api, el } from "./api.js";
import { currentUser } from "./header.js";
import { can } from "./permissions.js";
import { renderResource } from "./admin_resources.js";
import { renderAudit, renderBackups, renderDashboard, renderTrending } from "./admin_views.js";

const nav = $("admin-nav");
const main = $("admin-main");

// Views besides the resources, and the permission their API asks for; a lead view comes before the
// resources, the others after them.
const EXTRA_VIEWS = [
  { name: "dashboard", label: "Dashboard", permission: "stats.read", render: renderDashboard, lead: true },
  { name: "trending", label: "Trending searches", permission: "catalog.write", render: renderTrending },
  { name: "audit", label: "Audit log", permission: "audit.read", render: renderAudit },
  { name: "backups", label: "Backups", permission: "backups.manage", render: renderBackups },
];

function message(text) {
  main.replaceChildren(el("p", { class: "notice error", role: "alert" }, text));
}

async function boot() {
  let user;
  try {
    user = await currentUser;
  } catch {
    main.replaceChildren(el("p", { class: "notice" }, "Please ", el("a", { href: "/login?next=/admin" }, "log in"),
      " with a staff account."));
    return;
  }
  let resources;
  try {
    resources = (await api("/admin/resources")).items;
  } catch (err) {
    message(err.status === 403 ? "Your account has no access to the admin panel." : err.message);
    return;
  }
  const extra = EXTRA_VIEWS.filter((v) => can(user.role, v.permission));
  const views = [
    ...extra.filter((v) => v.lead),
    ...resources.map((r) => ({ name: r.name, label: r.label, render: (target) => renderResource(target, r) })),
    ...extra.filter((v) => !v.lead),
  ];
  const show = () => {
    const wanted = location.hash.slice(1) || views[0].name;
    const view = views.find((v) => v.name === wanted) || views[0];
    nav.querySelectorAll("a").forEach((a) => a.setAttribute("aria-current", a.dataset.view === view.name ? "page" : "false"));
    main.replaceChildren();
    main.dataset.view = view.name;
    view.render(main).catch((err) => message(err.message));
  };
  nav.replaceChildren(...views.map((v) => el("a", { href: `#${v.name}`, "data-view": v.name }, v.label)));
  window.addEventListener("hashchange", show);
  show();
}

boot();
