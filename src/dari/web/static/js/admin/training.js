// 학습: review rated answers (accept, correct the answer or the route), export datasets,
// run router / LoRA training, see the gate's before/after, promote and roll back.
// API: /api/admin/training/* (docs/training.md).

import { api } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { renderMarkdown } from "../markdown.js";
import { card, confirmDialog, failure, load, pageHeader, statusBadge, table, tabs } from "./ui.js";

let view = "reviews";
let rating = "down";
let timer = null;

export async function render(page) {
  const host = h("div", { class: "training" });
  const draw = () => {
    if (timer) clearTimeout(timer);
    clear(page).append(
      pageHeader(t("admin.section.training"), t("admin.train.description")),
      tabs([
        { id: "reviews", label: t("admin.train.reviews") },
        { id: "datasets", label: t("admin.train.datasets") },
        { id: "runs", label: t("admin.train.runs") },
      ], view, (id) => { view = id; draw(); }),
      host,
    );
    if (view === "reviews") reviews(host, draw);
    else if (view === "datasets") datasets(host);
    else runs(host);
  };
  draw();
}

async function act(call, done) {
  try {
    await call();
    toast(t("admin.train.saved"), "ok");
    done?.();
  } catch (error) {
    if (error.status === 401) return;
    toast(error.detail || t("error.generic"), "error");
  }
}

// --- reviews -------------------------------------------------------------------------------

function reviews(host, redraw) {
  const list = h("div", { class: "review-list" });
  clear(host).append(
    tabs([{ id: "down", label: t("admin.conv.down") }, { id: "up", label: t("admin.conv.up") }], rating, (id) => { rating = id; redraw(); }),
    list,
  );
  load(list, `/api/admin/training/reviews?limit=50&feedback=${rating}`, (body) => {
    if (!body.items.length) list.append(h("p", { class: "empty-state muted", text: t("admin.conv.empty") }));
    for (const item of body.items) list.append(reviewCard(item, redraw));
  });
}

function reviewCard(item, redraw) {
  const answer = h("div", { class: "md review-answer" });
  answer.append(renderMarkdown(item.answer || ""));
  const plan = item.intent || {};
  const calls = (item.tool_results || []).map((r) => `${r.tool || r.name || "?"}(${JSON.stringify(r.arguments || r.args || {})})`);
  const save = (body) => act(() => api(`/api/admin/training/reviews/${item.message_id}`, { method: "PUT", json: body }), redraw);

  const corrected = h("textarea", { class: "input", rows: 3, "aria-label": t("admin.train.corrected_answer") });
  corrected.value = item.review?.answer || "";
  const intent = h("select", { class: "input", "aria-label": t("admin.train.intent") },
    ...["erp", "doc_qa", "mixed", "chitchat", "out_of_scope"].map((v) => h("option", { value: v, text: v })));
  intent.value = item.review?.route?.intent || plan.intent || "erp";
  const tool = h("input", { class: "input", placeholder: "receivables_by_customer", "aria-label": t("admin.train.tool") });
  tool.value = item.review?.route?.tool || (plan.calls || [])[0]?.tool || "";
  const args = h("input", { class: "input", placeholder: "{}", "aria-label": t("admin.train.arguments") });
  args.value = JSON.stringify(item.review?.route?.arguments || {});
  const routeBody = () => {
    let parsed = {};
    try { parsed = JSON.parse(args.value || "{}"); } catch { toast(t("admin.train.bad_json"), "error"); return null; }
    return { kind: "route", route: { intent: intent.value, tool: tool.value || null, arguments: parsed }, answer: corrected.value || null };
  };

  return h("article", { class: "card review", dataset: { message: item.message_id } },
    h("header", { class: "review-head" },
      h("span", { class: `badge ${item.rating === "down" ? "badge-danger" : "badge-ok"}`, text: t(item.rating === "down" ? "feedback.down" : "feedback.up") }),
      item.review ? h("span", { class: "badge badge-info", text: t(`admin.train.kind_${item.review.kind}`) }) : null,
      h("span", { class: "muted", text: formatDate(item.rated_at) })),
    h("p", { class: "review-question" }, h("strong", { text: "Q. " }), item.question || ""),
    answer,
    item.comment ? h("blockquote", { class: "review-comment", text: item.comment }) : null,
    h("p", { class: "muted small", text: `${t("admin.train.route")}: ${plan.intent || "-"} ${(plan.calls || []).map((c) => c.tool).join(", ")}` }),
    (item.sources || []).length ? h("p", { class: "muted small", text: t("admin.conv.sources", { list: item.sources.map((s) => s.title || s.tool || "").join(", ") }) }) : null,
    calls.length ? h("p", { class: "muted small", text: `ERP: ${calls.join("; ")}` }) : null,
    h("details", {},
      h("summary", { text: t("admin.train.correct") }),
      h("label", { class: "field" }, h("span", { text: t("admin.train.corrected_answer") }), corrected),
      h("div", { class: "field-row" },
        h("label", { class: "field" }, h("span", { text: t("admin.train.intent") }), intent),
        h("label", { class: "field" }, h("span", { text: t("admin.train.tool") }), tool),
        h("label", { class: "field" }, h("span", { text: t("admin.train.arguments") }), args)),
      h("div", { class: "page-actions" },
        h("button", { type: "button", class: "btn", text: t("admin.train.save_answer"), onclick: () => save({ kind: "answer", answer: corrected.value }) }),
        h("button", { type: "button", class: "btn", text: t("admin.train.save_route"), onclick: () => { const b = routeBody(); if (b) save(b); } }))),
    h("div", { class: "page-actions" },
      h("button", { type: "button", class: "btn btn-primary", text: t("admin.train.accept"), onclick: () => save({ kind: "accept" }) }),
      h("button", { type: "button", class: "btn", text: t("admin.train.reject"), onclick: () => save({ kind: "reject" }) })));
}

// --- datasets ------------------------------------------------------------------------------

function datasets(host) {
  const body = h("div");
  const exportButton = h("button", {
    type: "button", class: "btn btn-primary", text: t("admin.train.export"),
    onclick: () => act(() => api("/api/admin/training/datasets", { method: "POST" }), () => datasets(host)),
  });
  clear(host).append(h("div", { class: "page-actions" }, exportButton), body);
  load(body, "/api/admin/training/datasets", (rows) => {
    body.append(table([
      { label: t("admin.train.version"), value: (d) => `v${d.version}` },
      { label: t("admin.train.counts"), value: (d) => Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(", ") },
      { label: t("admin.train.masked"), value: (d) => Object.entries(d.masking).filter(([k]) => k !== "rules").map(([k, v]) => `${k} ${v}`).join(", ") },
      { label: t("admin.train.created"), value: (d) => formatDate(d.created_at) },
    ], rows));
  });
}

// --- runs ----------------------------------------------------------------------------------

function accuracy(report, side) {
  const part = report?.[side];
  if (!part) return "";
  return ["heldout", "bench", "assistant"].filter((k) => part[k]).map((k) => `${t(`admin.train.${k}`)} ${part[k].accuracy ?? "-"}`).join(" · ");
}

function beforeAfter(run) {
  const r = run.report || {};
  if (r.heldout_loss) return `${t("admin.train.loss")} ${r.heldout_loss.before ?? "-"} → ${r.heldout_loss.after ?? "-"}`;
  if (r.before) return `${accuracy(r, "before")} → ${accuracy(r, "after")}`;
  return "";
}

function runs(host) {
  const kind = h("select", { class: "input", "aria-label": t("admin.train.kind") },
    h("option", { value: "router", text: t("admin.train.router") }), h("option", { value: "lora", text: "LoRA" }));
  const version = h("input", { class: "input", type: "number", min: 1, value: 1, "aria-label": t("admin.train.version") });
  const start = h("button", {
    type: "button", class: "btn btn-primary", text: t("admin.train.start"),
    onclick: () => act(() => api("/api/admin/training/runs", { method: "POST", json: { kind: kind.value, dataset: Number(version.value) } }), () => runs(host)),
  });
  const rollback = (which) => h("button", {
    type: "button", class: "btn", text: t(`admin.train.rollback_${which}`),
    onclick: async () => {
      if (await confirmDialog(t("admin.train.rollback_confirm"), { danger: true, confirmLabel: t("admin.train.rollback") })) {
        act(() => api(`/api/admin/training/${which}/rollback`, { method: "POST" }), () => runs(host));
      }
    },
  });
  const body = h("div");
  clear(host).append(card(t("admin.train.new_run"), h("div", { class: "field-row" }, kind, version, start, rollback("router"), rollback("lora"))), body);
  const refresh = async () => {
    try {
      const rows = await api("/api/admin/training/runs?limit=50");
      clear(body).append(runTable(rows, () => runs(host)));
      if (rows.some((r) => ["queued", "running", "cancelling"].includes(r.status)) && view === "runs") {
        timer = setTimeout(refresh, 2000);
      }
    } catch (error) {
      if (error.status !== 401) failure(body, error);
    }
  };
  refresh();
}

function runTable(rows, again) {
  return table([
    { label: t("admin.train.kind"), value: (r) => (r.kind === "router" ? t("admin.train.router") : "LoRA") },
    { label: t("admin.train.version"), value: (r) => `v${r.dataset_version}` },
    { label: t("admin.train.status"), value: (r) => h("span", {}, statusBadge(r.status), r.active ? h("span", { class: "badge badge-ok", text: t("admin.train.active") }) : null) },
    { label: t("admin.train.progress"), value: (r) => (r.progress?.steps ? `${r.progress.step}/${r.progress.steps} · loss ${r.progress.loss}` : "") },
    { label: t("admin.train.before_after"), value: (r) => beforeAfter(r) },
    { label: t("admin.train.gate"), value: (r) => (r.report?.gate ? t(r.report.gate.passed ? "admin.train.passed" : "admin.train.not_passed") : r.error || "") },
    { label: "", value: (r) => h("span", {},
      ["candidate", "rolled_back"].includes(r.status) && r.report?.gate?.passed
        ? h("button", { type: "button", class: "btn btn-primary", text: t("admin.train.promote"), onclick: () => act(() => api(`/api/admin/training/runs/${r.id}/promote`, { method: "POST" }), again) })
        : null,
      ["queued", "running"].includes(r.status)
        ? h("button", { type: "button", class: "btn", text: t("common.cancel"), onclick: () => act(() => api(`/api/admin/training/runs/${r.id}/cancel`, { method: "POST" }), again) })
        : null) },
  ], rows);
}
