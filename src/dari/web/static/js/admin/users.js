// Users, departments and roles (/api/admin/users, /api/admin/departments, /api/admin/roles).

import { api, listOf } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { card, failure, load, modal, pageHeader, statusBadge, table, tabs } from "./ui.js";

let tab = "users";
let departments = [];
let roles = [];

export async function render(page) {
  const body = h("div");
  const draw = () => {
    clear(page).append(
      pageHeader(t("admin.section.users"), t("admin.users.description")),
      tabs([
        { id: "users", label: t("admin.users.tab_users") },
        { id: "departments", label: t("admin.users.tab_departments") },
        { id: "roles", label: t("admin.users.tab_roles") },
      ], tab, (id) => {
        tab = id;
        draw();
      }),
      body,
    );
    ({ users, departments: showDepartments, roles: showRoles })[tab](body);
  };
  try {
    [departments, roles] = await Promise.all([
      api("/api/admin/departments").then((b) => listOf(b, "departments")),
      api("/api/admin/roles").then((b) => listOf(b, "roles")),
    ]);
  } catch (error) {
    if (error.status === 401) return;
    departments = [];
    roles = [];
  }
  draw();
}

const departmentName = (id) => departments.find((d) => d.id === id)?.name || "";

function users(host) {
  const search = h("input", { type: "search", class: "input", placeholder: t("admin.users.search"), "aria-label": t("admin.users.search") });
  const list = h("div");
  const create = h("button", { type: "button", class: "btn btn-primary", text: t("admin.users.create"), onclick: () => userForm(null, refresh) });
  const refresh = () => {
    const params = new URLSearchParams({ limit: "100" });
    if (search.value.trim()) params.set("q", search.value.trim());
    load(list, `/api/admin/users?${params}`, (body) => {
      const rows = listOf(body, "users");
      list.append(table([
        { label: t("admin.users.username"), value: (u) => h("strong", { text: u.username }) },
        { label: t("admin.users.display_name"), value: (u) => u.display_name },
        { label: t("admin.users.department"), value: (u) => departmentName(u.department_id) || u.department?.name || "" },
        { label: t("admin.users.roles"), value: (u) => h("span", {}, ...(u.roles || []).map((r) => h("span", { class: "badge", text: r }))) },
        { label: t("admin.users.status"), value: (u) => statusBadge(u.is_active === false ? "inactive" : "active") },
        { label: t("admin.users.created"), value: (u) => formatDate(u.created_at, false) },
        { label: "", class: "actions", value: (u) => h("button", { type: "button", class: "btn btn-small", text: t("common.edit"), onclick: () => userForm(u, refresh) }) },
      ], rows, { caption: t("admin.section.users") }));
      if (body?.total > rows.length) list.append(h("p", { class: "muted", text: t("admin.users.more", { total: body.total }) }));
    });
  };
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  host.replaceChildren(h("div", { class: "toolbar" }, search, create), list);
  refresh();
}

function roleChecks(selected) {
  return h("fieldset", { class: "checks" }, h("legend", { text: t("admin.users.roles") }),
    ...roles.map((r) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "roles", value: r.name, checked: selected.includes(r.name) }),
      h("span", { text: r.name }), r.description ? h("small", { class: "muted", text: ` ${r.description}` }) : null)));
}

function departmentSelect(value) {
  return h("select", { name: "department" }, h("option", { value: "", text: t("admin.users.no_department") }),
    ...departments.map((d) => h("option", { value: d.id, text: `${d.name} (${d.code})`, selected: d.id === value })));
}

function userForm(user, done) {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { class: "form-grid" },
    h("label", { class: "field" }, h("span", { text: t("admin.users.username") }),
      h("input", { name: "username", value: user?.username || "", required: true, disabled: Boolean(user), autocomplete: "off" })),
    h("label", { class: "field" }, h("span", { text: t("admin.users.display_name") }), h("input", { name: "display_name", value: user?.display_name || "" })),
    h("label", { class: "field" }, h("span", { text: t("admin.users.email") }), h("input", { name: "email", type: "email", value: user?.email || "" })),
    h("label", { class: "field" }, h("span", { text: t("admin.users.department") }), departmentSelect(user?.department_id)),
    h("label", { class: "field" }, h("span", { text: user ? t("admin.users.new_password") : t("admin.users.password") }),
      h("input", { name: "password", type: "password", autocomplete: "new-password", placeholder: t("admin.users.password_hint") })),
    user ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "is_active", checked: user.is_active !== false }), h("span", { text: t("admin.users.active") })) : null,
    roleChecks(user?.roles || ["employee"]),
    error);
  const save = h("button", { type: "button", class: "btn btn-primary", text: t("common.save") });
  const dialog = modal(user ? t("admin.users.edit_title", { name: user.username }) : t("admin.users.create"), form, [save]);
  save.addEventListener("click", async () => {
    const data = new FormData(form);
    const chosenRoles = data.getAll("roles").map(String);
    const password = String(data.get("password") || "");
    error.hidden = true;
    try {
      if (!user) {
        await api("/api/admin/users", { method: "POST", json: {
          username: String(data.get("username") || "").trim(), display_name: String(data.get("display_name") || ""),
          email: String(data.get("email") || "") || null, department: String(data.get("department") || "") || null,
          roles: chosenRoles, password: password || null,
        } });
      } else {
        await api(`/api/admin/users/${user.id}`, { method: "PATCH", json: {
          display_name: String(data.get("display_name") || ""), email: String(data.get("email") || "") || null,
          is_active: data.get("is_active") === "on",
        } });
        await api(`/api/admin/users/${user.id}/roles`, { method: "PUT", json: { roles: chosenRoles } });
        await api(`/api/admin/users/${user.id}/department`, { method: "PUT", json: { department: String(data.get("department") || "") || null } });
        if (password) await api(`/api/admin/users/${user.id}/password`, { method: "POST", json: { password } });
      }
      dialog.close();
      toast(t("common.saved"));
      done();
    } catch (failureError) {
      error.textContent = failureError.detail || t("error.generic");
      error.hidden = false;
    }
  });
}

function showDepartments(host) {
  const byParent = new Map();
  for (const d of departments) {
    const key = d.parent_id || "";
    byParent.set(key, [...(byParent.get(key) || []), d]);
  }
  const tree = (parent, depth) => (byParent.get(parent) || []).flatMap((d) => [{ ...d, depth }, ...tree(d.id, depth + 1)]);
  const rows = tree("", 0);
  const code = h("input", { name: "code", class: "input", placeholder: t("admin.departments.code"), "aria-label": t("admin.departments.code"), required: true });
  const name = h("input", { name: "name", class: "input", placeholder: t("admin.departments.name"), "aria-label": t("admin.departments.name"), required: true });
  const parent = h("select", { class: "input", "aria-label": t("admin.departments.parent") }, h("option", { value: "", text: t("admin.departments.top") }),
    ...departments.map((d) => h("option", { value: d.id, text: d.name })));
  const form = h("form", { class: "toolbar" }, code, name, parent, h("button", { type: "submit", class: "btn btn-primary", text: t("admin.departments.add") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("/api/admin/departments", { method: "POST", json: { code: code.value.trim(), name: name.value.trim(), parent: parent.value || null } });
      departments = listOf(await api("/api/admin/departments"), "departments");
      toast(t("common.saved"));
      showDepartments(host);
    } catch (error) {
      toast(error.detail || t("error.generic"), "error");
    }
  });
  host.replaceChildren(card(null, form), table([
    { label: t("admin.departments.name"), value: (d) => h("span", { class: "tree", style: { paddingLeft: `${d.depth * 20}px` } }, d.depth ? "└ " : "", d.name) },
    { label: t("admin.departments.code"), value: (d) => h("code", { text: d.code }) },
  ], rows));
}

function showRoles(host) {
  const list = h("div");
  list.append(table([
    { label: t("admin.roles.name"), value: (r) => h("strong", { text: r.name }) },
    { label: t("admin.roles.description"), value: (r) => r.description },
    { label: t("admin.roles.permissions"), class: "wrap", value: (r) => h("span", {}, ...(r.permissions || []).map((p) => h("code", { class: "perm", text: p }))) },
    { label: "", value: (r) => (r.builtin ? statusBadge("builtin") : h("button", { type: "button", class: "btn btn-small", text: t("common.edit"), onclick: () => roleForm(r, host) })) },
  ], roles));
  const create = h("button", { type: "button", class: "btn btn-primary", text: t("admin.roles.create"), onclick: () => roleForm(null, host) });
  host.replaceChildren(h("div", { class: "toolbar" }, h("span", { class: "muted", text: t("admin.roles.hint") }), create), list);
}

function roleForm(role, host) {
  const name = h("input", { name: "name", value: role?.name || "", disabled: Boolean(role), required: true });
  const description = h("input", { name: "description", value: role?.description || "" });
  const permissions = h("textarea", { name: "permissions", rows: 5, value: (role?.permissions || []).join("\n") });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const save = h("button", { type: "button", class: "btn btn-primary", text: t("common.save") });
  const dialog = modal(role ? role.name : t("admin.roles.create"), h("div", {},
    h("label", { class: "field" }, h("span", { text: t("admin.roles.name") }), name),
    h("label", { class: "field" }, h("span", { text: t("admin.roles.description") }), description),
    h("label", { class: "field" }, h("span", { text: t("admin.roles.permissions_one_per_line") }), permissions), error), [save]);
  save.addEventListener("click", async () => {
    const json = { description: description.value, permissions: permissions.value.split(/[\s,]+/).filter(Boolean) };
    try {
      if (role) await api(`/api/admin/roles/${encodeURIComponent(role.name)}`, { method: "PATCH", json });
      else await api("/api/admin/roles", { method: "POST", json: { name: name.value.trim(), ...json } });
      roles = listOf(await api("/api/admin/roles"), "roles");
      dialog.close();
      showRoles(host);
    } catch (failureError) {
      error.textContent = failureError.detail || t("error.generic");
      error.hidden = false;
    }
  });
}

export { failure };
