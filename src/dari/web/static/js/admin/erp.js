// ERP: connection status, the tool catalog with the roles allowed to use each tool, and a
// "try as user" runner (POST /api/erp/tools/{name}).

import { api, ApiError, listOf } from "../api.js";
import { clear, h } from "../dom.js";
import { renderToolResult } from "../erp-view.js";
import { language, t } from "../i18n.js";
import { card, failure, loading, pageHeader, statusBadge, table } from "./ui.js";

export async function render(page) {
  const statusHost = h("div");
  const runnerHost = h("div");
  clear(page).append(
    pageHeader(t("admin.section.erp"), t("admin.erp.description")),
    card(t("admin.erp.status"), statusHost),
    card(t("admin.erp.runner"), runnerHost),
  );
  loading(statusHost);
  let status = null;
  try {
    status = await api("/api/admin/erp/status");
    drawStatus(statusHost, status);
  } catch (error) {
    if (error.status === 401) return;
    failure(statusHost, error);
  }
  let tools = [];
  try {
    tools = listOf(await api("/api/erp/tools"), "tools");
  } catch {
    tools = [];
  }
  drawRunner(runnerHost, tools);
}

function drawStatus(host, status) {
  clear(host).append(
    h("dl", { class: "facts" },
      h("dt", { text: t("admin.erp.connection") }), h("dd", {}, statusBadge(status.connected ? "connected" : "down"), status.error ? h("span", { class: "muted", text: ` ${status.error}` }) : null),
      h("dt", { text: t("admin.erp.connector") }), h("dd", { text: status.connector || "" }),
      h("dt", { text: "URL" }), h("dd", {}, h("code", { text: status.url || "" })),
      h("dt", { text: t("admin.erp.catalog") }), h("dd", {}, `${status.catalog_name || ""} `, h("code", { class: "muted", text: status.catalog_path || "" }),
        status.catalog_error ? h("p", { class: "form-error", text: status.catalog_error }) : null)),
    h("h3", { class: "sub-title", text: t("admin.erp.tools", { count: (status.tools || []).length }) }),
    table([
      { label: t("admin.erp.tool"), value: (tool) => h("code", { text: tool.name }) },
      { label: t("admin.erp.permission"), value: (tool) => h("code", { class: "perm", text: tool.permission }) },
      { label: t("admin.erp.roles"), value: (tool) => h("span", {}, ...(tool.roles || []).map((r) => h("span", { class: "badge", text: r }))) },
      { label: t("admin.erp.row_scoped"), value: (tool) => (tool.row_scoped ? statusBadge("row_scoped") : "") },
    ], status.tools || []),
  );
  // What `dari erp check` says the catalog still lacks, with its line numbers.
  const findings = status.check || [];
  host.append(h("h3", { class: "sub-title", text: t("admin.erp.check", { count: findings.length }) }));
  host.append(findings.length
    ? table([
      { label: t("admin.erp.check_line"), class: "num", value: (f) => (f.line ? String(f.line) : "") },
      { label: t("admin.erp.check_severity"), value: (f) => statusBadge(f.severity) },
      { label: t("admin.erp.check_message"), class: "wrap", value: (f) => f.message },
    ], findings)
    : h("p", { class: "muted", text: t("admin.erp.check_ok") }));
  const tables = Object.entries(status.query_tables || {});
  if (tables.length) {
    host.append(h("h3", { class: "sub-title", text: t("admin.erp.query_tables") }),
      table([{ label: t("admin.erp.role"), value: ([role]) => h("span", { class: "badge", text: role }) },
        { label: t("admin.erp.tables"), class: "wrap", value: ([, names]) => names.join(", ") }], tables));
  }
}

/** A form field for one JSON-Schema property. */
function field(name, schema, required) {
  const label = `${schema.title || name}${required ? " *" : ""}`;
  let input;
  if (Array.isArray(schema.enum)) {
    input = h("select", { name }, required ? null : h("option", { value: "", text: "—" }), ...schema.enum.map((v) => h("option", { value: String(v), text: String(v) })));
  } else if (schema.type === "boolean") {
    input = h("input", { type: "checkbox", name });
  } else if (schema.type === "integer" || schema.type === "number") {
    input = h("input", { type: "number", name, step: schema.type === "integer" ? 1 : "any", min: schema.minimum, max: schema.maximum });
  } else if (schema.format === "date") {
    input = h("input", { type: "date", name });
  } else {
    input = h("input", { name, maxlength: schema.maxLength });
  }
  if (schema.default !== undefined && input.type !== "checkbox") input.value = String(schema.default);
  input.dataset.type = schema.type || "string";
  return h("label", { class: "field" }, h("span", { text: label }), input, schema.description ? h("small", { class: "muted", text: schema.description }) : null);
}

function drawRunner(host, tools) {
  if (!tools.length) {
    clear(host).append(h("p", { class: "muted", text: t("admin.erp.no_tools") }));
    return;
  }
  const select = h("select", { class: "input", "aria-label": t("admin.erp.tool") }, ...tools.map((tool) => h("option", { value: tool.name, text: tool.name })));
  const asUser = h("input", { class: "input", placeholder: t("admin.erp.as_user_hint"), "aria-label": t("admin.erp.as_user") });
  const description = h("p", { class: "muted" });
  const fields = h("div", { class: "form-grid" });
  const output = h("div", { class: "runner-output" });
  const run = h("button", { type: "submit", class: "btn btn-primary", text: t("admin.erp.run") });
  const form = h("form", { class: "runner" },
    h("div", { class: "toolbar" }, select, h("label", { class: "inline-field" }, h("span", { text: t("admin.erp.as_user") }), asUser)),
    description, fields, h("div", { class: "toolbar" }, run), output);
  const pick = () => {
    const tool = tools.find((x) => x.name === select.value);
    description.textContent = language() === "en" ? tool.description_en || tool.description_ko : tool.description_ko || tool.description_en || "";
    const properties = tool.parameters?.properties || {};
    const required = new Set(tool.parameters?.required || []);
    fields.replaceChildren(...Object.entries(properties).map(([name, schema]) => field(name, schema, required.has(name))));
  };
  select.addEventListener("change", pick);
  pick();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const args = {};
    for (const input of fields.querySelectorAll("input, select")) {
      if (input.type === "checkbox") args[input.name] = input.checked;
      else if (input.value !== "") args[input.name] = input.dataset.type === "integer" || input.dataset.type === "number" ? Number(input.value) : input.value;
    }
    loading(output);
    const path = `/api/erp/tools/${encodeURIComponent(select.value)}`;
    try {
      const login = asUser.value.trim();
      const result = login ? await callAs(login, path, args) : await api(path, { method: "POST", json: { args } });
      const hint = result.chart || result.chart_hint;
      const chartSpec = hint ? { type: hint.type, x: hint.x, y: Array.isArray(hint.y) ? hint.y[0] : hint.y } : null;
      clear(output).append(renderToolResult({ ok: true, ...result, chart: chartSpec }));
    } catch (error) {
      if (error.code === "session_expired") return; // the login form takes over
      clear(output).append(h("div", { class: "state-box", role: "alert" }, h("strong", { text: error.status === 403 ? t("admin.erp.denied") : t("admin.erp.failed") }),
        error.detail ? h("p", { class: "muted", text: error.detail }) : null));
    }
  });
  clear(host).append(form);
}

/**
 * Run a tool exactly as another user would: a short-lived API key of that user carrying all of
 * their permissions (POST /api/admin/api-keys, audited), used once and revoked at once.
 */
async function callAs(login, path, args) {
  const users = listOf(await api(`/api/admin/users?q=${encodeURIComponent(login)}&limit=20`), "users");
  const user = users.find((u) => u.username === login);
  if (!user) throw new ApiError(404, "user_not_found", t("admin.erp.no_such_user", { login }));
  const roles = listOf(await api("/api/admin/roles"), "roles");
  const permissions = [...new Set(roles.filter((r) => (user.roles || []).includes(r.name)).flatMap((r) => r.permissions || []))];
  if (!permissions.length) throw new ApiError(403, "forbidden", t("admin.erp.no_permissions", { login }));
  const key = await api("/api/admin/api-keys", { method: "POST", json: {
    user_id: user.id, name: t("admin.erp.key_name"), permissions,
    expires_at: new Date(Date.now() + 5 * 60_000).toISOString(),
  } });
  try {
    // The server may answer 201 a moment before the new key is committed: retry a 401 briefly.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await api(path, { method: "POST", json: { args }, auth: false, headers: { Authorization: `Bearer ${key.key}` } });
      } catch (error) {
        if (error.status !== 401 || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
    }
  } finally {
    await api(`/api/admin/api-keys/${encodeURIComponent(key.id)}`, { method: "DELETE" }).catch(() => {});
  }
}
