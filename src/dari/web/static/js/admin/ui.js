// Building blocks of the console pages: headers, tables, tabs, states, confirmations.

import { api, ApiError } from "../api.js";
import { clear, h } from "../dom.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";

export function pageHeader(title, description, ...actions) {
  return h("header", { class: "page-head" },
    h("div", {}, h("h1", { text: title }), description ? h("p", { class: "muted", text: description }) : null),
    actions.length ? h("div", { class: "page-actions" }, ...actions) : null);
}

export function card(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", { class: "card-title", text: title }) : null, ...children);
}

/** A table: columns [{label, value(row) → Node|string, class}], rows. */
export function table(columns, rows, { empty = t("admin.empty"), caption = null } = {}) {
  if (!rows.length) return h("p", { class: "empty-state muted", text: empty });
  const el = h("table", { class: "data-table" });
  if (caption) el.append(h("caption", { class: "sr-only", text: caption }));
  el.append(h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col", class: c.class || "", text: c.label })))));
  const body = h("tbody");
  for (const row of rows) {
    body.append(h("tr", {}, ...columns.map((c) => {
      const value = c.value(row);
      return h("td", { class: c.class || "" }, value instanceof Node ? value : value == null ? "" : String(value));
    })));
  }
  el.append(body);
  return h("div", { class: "table-wrap" }, el);
}

export function tabs(items, active, onSelect) {
  const bar = h("div", { class: "tabs", role: "tablist" });
  for (const item of items) {
    bar.append(h("button", {
      type: "button", role: "tab", class: "tab", "aria-selected": String(item.id === active),
      text: item.label, onclick: () => onSelect(item.id),
    }));
  }
  return bar;
}

export function loading(host) {
  clear(host).append(h("p", { class: "muted loading", text: t("common.loading") }));
}

/** Explain an API failure in the page (403 → no permission; 404 → feature not installed). */
export function failure(host, error) {
  const status = error instanceof ApiError ? error.status : 0;
  const key = status === 403 ? "admin.forbidden_section" : status === 404 || status === 405 ? "admin.unavailable" : "error.generic";
  const detail = error instanceof ApiError && error.detail && status !== 403 ? error.detail : "";
  clear(host).append(h("div", { class: "state-box", role: "alert" },
    h("strong", { text: t(key) }), detail ? h("p", { class: "muted", text: detail }) : null));
}

/** Fetch and render; failures shown in place. */
export async function load(host, path, render) {
  loading(host);
  try {
    const body = await api(path);
    clear(host);
    render(body);
  } catch (error) {
    if (error.status === 401) return;
    failure(host, error);
  }
}

export function statusBadge(status) {
  const value = String(status || "").toLowerCase();
  const kind = ["indexed", "ok", "active", "up", "connected", "allowed", "success"].includes(value)
    ? "badge-ok"
    : ["failed", "error", "unavailable", "down", "denied", "inactive", "locked"].includes(value)
      ? "badge-danger"
      : ["queued", "parsing", "chunking", "embedding", "uploading", "pending"].includes(value)
        ? "badge-info"
        : "";
  const label = t(`status.${value}`) !== `status.${value}` ? t(`status.${value}`) : String(status ?? "");
  return h("span", { class: `badge ${kind}`, dataset: { status: value }, text: label });
}

/** A modal confirmation; resolves true/false. */
export function confirmDialog(message, { danger = true, confirmLabel = t("common.delete") } = {}) {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", class: `btn ${danger ? "btn-danger" : "btn-primary"}`, text: confirmLabel });
    const no = h("button", { type: "button", class: "btn", text: t("common.cancel") });
    const dialog = h("dialog", { class: "sheet small", "aria-label": message },
      h("div", { class: "sheet-body" }, h("p", { text: message })),
      h("div", { class: "sheet-actions" }, no, yes));
    document.body.append(dialog);
    const finish = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    yes.addEventListener("click", () => finish(true));
    no.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", () => finish(false));
    dialog.showModal();
    no.focus();
  });
}

/** A modal with arbitrary content; returns {dialog, close}. */
export function modal(title, body, actions = []) {
  const dialog = h("dialog", { class: "sheet wide", "aria-label": title },
    h("div", { class: "sheet-head" }, h("h3", { text: title }),
      h("button", { type: "button", class: "icon-btn", "data-close": true, "aria-label": t("common.close") }, icon("close"))),
    h("div", { class: "sheet-body" }, body),
    actions.length ? h("div", { class: "sheet-actions" }, ...actions) : null);
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  return { dialog, close: () => dialog.close() };
}

export function names(values) {
  return (values || []).map((v) => (typeof v === "string" ? v : v?.name || v?.code || v?.id)).filter(Boolean);
}

export function statCards(items) {
  return h("div", { class: "stats" }, ...items.map((item) =>
    h("div", { class: "stat" }, h("span", { class: "stat-label muted", text: item.label }), h("strong", { class: "stat-value", text: item.value }))));
}
