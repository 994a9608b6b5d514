// The admin console: sign in, check permissions (GET /api/me), route between sections.
// The API enforces every permission; the console only hides what a user cannot use.

import { api } from "../api.js";
import { $, clear, h, toast } from "../dom.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { isSignedIn, logout, onExpired, restore } from "../session.js";
import { boot, showLogin } from "../shell.js";

// Each section: the permissions that open it (any of them), and its module (loaded on demand).
const SECTIONS = [
  { id: "documents", icon: "document", permissions: ["docs:manage"], load: () => import("./documents.js") },
  { id: "users", icon: "users", permissions: ["admin:users"], load: () => import("./users.js") },
  { id: "erp", icon: "database", permissions: ["admin:erp", "admin:system"], load: () => import("./erp.js") },
  { id: "conversations", icon: "chat", permissions: ["admin:system", "admin:conversations"], load: () => import("./conversations.js") },
  { id: "training", icon: "chart", permissions: ["admin:system"], load: () => import("./training.js") },
  { id: "usage", icon: "chart", permissions: ["admin:system", "admin:usage"], load: () => import("./usage.js") },
  { id: "health", icon: "pulse", permissions: ["admin:system", "admin:users", "docs:manage"], load: () => import("./health.js") },
  { id: "audit", icon: "list", permissions: ["admin:audit", "audit:read", "admin:users"], load: () => import("./audit.js") },
];

let me = null;
let allowed = [];
let signingIn = false;

/** Like the server's Principal.has: exact, `*`, or `<prefix>:*`. */
export function has(permission) {
  const held = me?.permissions || [];
  return held.includes(permission) || held.includes("*") || held.includes(`${permission.split(":")[0]}:*`);
}

function can(section) {
  return section.permissions.some(has);
}

function renderNav(active) {
  const list = $("#nav-list");
  clear(list);
  for (const section of allowed) {
    list.append(h("li", {}, h("a", {
      href: `/admin/${section.id}`,
      class: "nav-item",
      "aria-current": section.id === active ? "page" : null,
      onclick: (event) => {
        if (event.metaKey || event.ctrlKey) return;
        event.preventDefault();
        navigate(section.id);
      },
    }, h("span", { class: "nav-icon" }, icon(section.icon)), h("span", { text: t(`admin.section.${section.id}`) }))));
  }
}

function current() {
  const part = location.pathname.replace(/^\/admin\/?/, "").split("/")[0];
  return allowed.find((s) => s.id === part) ? part : allowed[0]?.id;
}

export function navigate(id) {
  history.pushState(null, "", `/admin/${id}`);
  show();
}

async function show() {
  const id = current();
  const section = allowed.find((s) => s.id === id);
  renderNav(id);
  $("#admin-nav").classList.remove("open");
  const page = $("#page");
  clear(page);
  if (!section) return;
  $("#crumb").textContent = t(`admin.section.${id}`);
  document.title = `${t(`admin.section.${id}`)} · ${t("admin.title")}`;
  if (location.pathname !== `/admin/${id}`) history.replaceState(null, "", `/admin/${id}`);
  try {
    const module = await section.load();
    await module.render(page, { me, navigate });
  } catch (error) {
    if (error?.status === 401) return;
    page.append(h("div", { class: "state-box", role: "alert", text: t("error.generic") }));
    console.error(error);
  }
  page.focus({ preventScroll: true });
}

async function enter() {
  try {
    me = await api("/api/me");
  } catch (error) {
    if (error.status !== 401) toast(t("error.server"), "error");
    return;
  }
  allowed = SECTIONS.filter(can);
  if (!allowed.length) {
    $("#admin-view").hidden = true;
    $("#forbidden-view").hidden = false;
    return;
  }
  $("#forbidden-view").hidden = true;
  $("#admin-view").hidden = false;
  $("#user-name").textContent = me.display_name || me.username;
  $("#user-dept").textContent = me.department?.name || "";
  await show();
}

async function signIn(reason) {
  if (signingIn) return;
  signingIn = true;
  $("#admin-view").hidden = true;
  $("#forbidden-view").hidden = true;
  await showLogin({ reason });
  signingIn = false;
  await enter();
}

async function main() {
  await boot();
  window.addEventListener("popstate", () => me && show());
  document.addEventListener("dari:language", () => me && allowed.length && show());
  $("#nav-toggle").addEventListener("click", () => $("#admin-nav").classList.toggle("open"));
  $("#logout").addEventListener("click", async () => {
    await logout();
    location.replace("/admin");
  });
  onExpired(() => signIn("expired"));
  if (restore() && isSignedIn()) await enter();
  else await signIn(null);
}

main();
