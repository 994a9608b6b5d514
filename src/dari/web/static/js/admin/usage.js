// Usage dashboard: questions per day, users, answer time and feedback (GET /api/admin/usage).

import { listOf } from "../api.js";
import { clear, h } from "../dom.js";
import { chart } from "../chart.js";
import { formatNumber, t } from "../i18n.js";
import { card, load, pageHeader, statCards, tabs } from "./ui.js";

let days = 30;

export async function render(page) {
  const host = h("div");
  const draw = () => {
    clear(page).append(
      pageHeader(t("admin.section.usage"), t("admin.usage.description")),
      tabs([7, 30, 90].map((d) => ({ id: d, label: t("admin.usage.days", { n: d }) })), days, (d) => {
        days = d;
        draw();
      }),
      host,
    );
    load(host, `/api/admin/usage?days=${days}`, (body) => drawUsage(host, body));
  };
  draw();
}

function drawUsage(host, body) {
  const rows = listOf(body, "days");
  const totals = body?.totals || {};
  const up = totals.up ?? rows.reduce((s, r) => s + (r.up || 0), 0);
  const down = totals.down ?? rows.reduce((s, r) => s + (r.down || 0), 0);
  const ratio = up + down ? `${formatNumber((up / (up + down)) * 100, { maximumFractionDigits: 0 })}%` : "—";
  const p50 = totals.answer_ms_p50;
  host.append(statCards([
    { label: t("admin.usage.questions"), value: formatNumber(totals.questions ?? rows.reduce((s, r) => s + (r.questions || 0), 0)) },
    { label: t("admin.usage.users"), value: formatNumber(totals.users ?? 0) },
    { label: t("admin.usage.answer_p50"), value: p50 == null ? "—" : `${formatNumber(p50 / 1000, { maximumFractionDigits: 1 })}${t("unit.seconds")}` },
    { label: t("admin.usage.satisfaction"), value: ratio },
  ]));
  const labels = rows.map((r) => String(r.date || "").slice(5));
  host.append(h("div", { class: "chart-grid-2" },
    card(null, chart({ type: "bar", labels, title: t("admin.usage.questions_per_day"), unit: t("unit.count"), series: [{ name: t("admin.usage.questions"), values: rows.map((r) => r.questions ?? 0) }] })),
    card(null, chart({ type: "line", labels, title: t("admin.usage.users_per_day"), unit: t("unit.people"), series: [{ name: t("admin.usage.users"), values: rows.map((r) => r.users ?? 0) }] })),
    card(null, chart({ type: "line", labels, title: t("admin.usage.answer_time"), unit: t("unit.seconds"), series: [{ name: "p50", values: rows.map((r) => (r.answer_ms_p50 == null ? null : r.answer_ms_p50 / 1000)) }] })),
    card(null, chart({ type: "bar", labels, title: t("admin.usage.feedback"), series: [
      { name: t("feedback.up"), values: rows.map((r) => r.up ?? 0), color: "#12a594" },
      { name: t("feedback.down"), values: rows.map((r) => r.down ?? 0), color: "#e5484d" },
    ] }))));
}
