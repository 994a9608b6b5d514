// System health from /readyz (every dependency: database, cache, search, LLM, ERP…).

import { clear, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { card, pageHeader, statusBadge, table } from "./ui.js";

let timer = null;

export async function render(page) {
  const host = h("div");
  const stamp = h("span", { class: "muted" });
  clear(page).append(pageHeader(t("admin.section.health"), t("admin.health.description"), stamp), card(null, host));
  clearInterval(timer);
  const refresh = async () => {
    if (!host.isConnected) {
      clearInterval(timer);
      return;
    }
    let body = null;
    let code = 0;
    try {
      const response = await fetch("/readyz", { headers: { Accept: "application/json" } });
      code = response.status;
      body = await response.json();
    } catch {
      body = null;
    }
    stamp.textContent = t("admin.health.checked", { time: formatDate(new Date()) });
    clear(host);
    if (!body) {
      host.append(h("div", { class: "state-box", role: "alert", text: t("admin.health.unreachable") }));
      return;
    }
    host.append(h("p", { class: "overall" }, statusBadge(code === 200 ? "ok" : "unavailable"), " ",
      h("span", { text: code === 200 ? t("admin.health.all_ok") : t("admin.health.some_failed", { parts: (body.failed || []).join(", ") }) })));
    host.append(table([
      { label: t("admin.health.part"), value: ([name]) => h("strong", { text: name }) },
      { label: t("admin.health.state"), value: ([, value]) => statusBadge(value === "ok" ? "ok" : "unavailable") },
      { label: t("admin.health.detail"), class: "wrap", value: ([, value]) => (value === "ok" ? "" : String(value)) },
    ], Object.entries(body.checks || {})));
  };
  await refresh();
  timer = setInterval(refresh, 10_000);
}
