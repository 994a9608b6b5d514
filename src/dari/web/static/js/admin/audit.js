// Audit log viewer (GET /api/admin/audit): newest first, filters, keyset paging.

import { api, listOf } from "../api.js";
import { clear, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { failure, loading, pageHeader, statusBadge, table } from "./ui.js";

export async function render(page) {
  const action = h("input", { class: "input", placeholder: t("admin.audit.action_hint"), "aria-label": t("admin.audit.action") });
  const outcome = h("select", { class: "input", "aria-label": t("admin.audit.outcome") },
    h("option", { value: "", text: t("admin.audit.all_outcomes") }),
    ...["ok", "denied", "failed", "locked"].map((o) => h("option", { value: o, text: t(`status.${o}`) })));
  const host = h("div");
  const more = h("button", { type: "button", class: "btn", text: t("admin.audit.more"), hidden: true });
  const form = h("form", { class: "toolbar" }, action, outcome, h("button", { type: "submit", class: "btn btn-primary", text: t("common.search") }));
  let rows = [];
  let next = null;
  const fetchPage = async (reset) => {
    if (reset) {
      rows = [];
      next = null;
      loading(host);
    }
    const params = new URLSearchParams({ limit: "50" });
    if (action.value.trim()) params.set("action", action.value.trim());
    if (outcome.value) params.set("outcome", outcome.value);
    if (next) params.set("before_id", String(next));
    try {
      const body = await api(`/api/admin/audit?${params}`);
      rows = [...rows, ...listOf(body, "events")];
      next = body?.next_before_id ?? null;
      clear(host).append(table([
        { label: t("admin.audit.time"), value: (e) => formatDate(e.at || e.created_at) },
        { label: t("admin.audit.action"), value: (e) => h("code", { text: e.action }) },
        { label: t("admin.audit.outcome"), value: (e) => statusBadge(e.outcome) },
        { label: t("admin.audit.actor"), value: (e) => e.actor_name || e.actor_id || "—" },
        { label: t("admin.audit.subject"), value: (e) => [e.subject_type, e.subject_id].filter(Boolean).join(" ") },
        { label: "IP", value: (e) => e.ip || "" },
        { label: t("admin.audit.details"), class: "wrap", value: (e) => (e.details && Object.keys(e.details).length ? h("code", { class: "details", text: JSON.stringify(e.details) }) : "") },
      ], rows, { empty: t("admin.audit.empty") }));
      more.hidden = !next;
    } catch (error) {
      if (error.status !== 401) failure(host, error);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fetchPage(true);
  });
  more.addEventListener("click", () => fetchPage(false));
  clear(page).append(pageHeader(t("admin.section.audit"), t("admin.audit.description")), h("section", { class: "card" }, form, host, h("div", { class: "toolbar" }, more)));
  fetchPage(true);
}
