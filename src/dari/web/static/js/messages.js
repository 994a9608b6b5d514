// Rendering of one exchange: the user's bubble and the assistant's answer (Markdown, citation
// chips, ERP tables, sources, feedback buttons). Streaming state lives in chat.js.

import { api } from "./api.js";
import { $, clear, h, toast } from "./dom.js";
import { renderToolResult } from "./erp-view.js";
import { icon } from "./icons.js";
import { formatNumber, t } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";

/** "12쪽", "시트 매출", "슬라이드 3" from a location object. */
export function formatLocation(location) {
  if (!location || typeof location !== "object") return typeof location === "string" ? location : "";
  const parts = [];
  if (location.page != null) parts.push(t("location.page", { n: location.page }));
  if (location.sheet != null) parts.push(t("location.sheet", { name: location.sheet }));
  if (location.slide != null) parts.push(t("location.slide", { n: location.slide }));
  if (location.section) parts.push(String(location.section));
  const heading = location.heading_path || location.headings;
  if (Array.isArray(heading) && heading.length) parts.push(heading.join(" › "));
  return parts.join(" · ");
}

export function userBubble(text) {
  return h("article", { class: "msg msg-user", "aria-label": t("chat.you_said") },
    h("div", { class: "bubble", text }));
}

/** An assistant answer block; returns an object with the parts chat.js updates. */
export function assistantBlock() {
  const status = h("p", { class: "answer-status", role: "status" },
    h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")),
    h("span", { class: "status-text", text: t("chat.thinking") }));
  const tools = h("div", { class: "answer-tools" });
  const body = h("div", { class: "answer-body md" });
  const sources = h("div", { class: "answer-sources", hidden: true });
  const footer = h("footer", { class: "answer-foot", hidden: true });
  const article = h("article", { class: "msg msg-assistant", "aria-label": t("chat.assistant_said") },
    h("div", { class: "avatar bot", "aria-hidden": "true" }, h("img", { src: "/static/icons/icon.svg", alt: "" })),
    h("div", { class: "answer" }, status, tools, body, sources, footer));
  return { article, status, tools, body, sources, footer, citations: new Map(), text: "", messageId: null };
}

export function setStatus(block, text) {
  if (!text) {
    block.status.hidden = true;
    return;
  }
  block.status.hidden = false;
  block.status.querySelector(".status-text").textContent = text;
}

/** Normalise a citation or source into {n, kind, title, location, chunk_id, …}. */
export function citationInfo(raw) {
  return {
    n: Number(raw.n ?? raw.number),
    kind: raw.kind || (raw.tool ? "erp" : "document"),
    title: raw.title || raw.document_title || raw.tool || "",
    location: raw.location,
    chunk_id: raw.chunk_id,
    document_id: raw.document_id,
    snippet: raw.snippet || raw.text || "",
    tool: raw.tool,
    arguments: raw.arguments,
    call_id: raw.call_id,
  };
}

/** Render the answer's Markdown with [n] chips for citations we know. */
export function renderAnswer(block, onCite) {
  const fragment = renderMarkdown(block.text, {
    citation: (n) => {
      const info = block.citations.get(n);
      if (!info) return null;
      return h("button", {
        type: "button",
        class: `cite-chip cite-${info.kind}`,
        text: String(n),
        title: info.title,
        "aria-label": t("chat.cite_label", { n, title: info.title }),
        onclick: () => onCite(info, block),
      });
    },
  });
  block.body.replaceChildren(fragment);
}

export function renderSources(block, onCite) {
  // Only what the answer cites (`citation` events, stored citations); the search's other
  // chunks (`sources`) only make citation chips clickable while the answer streams.
  const infos = [...block.citations.values()].filter((info) => info.cited).sort((a, b) => a.n - b.n);
  clear(block.sources);
  if (!infos.length) {
    block.sources.hidden = true;
    return;
  }
  block.sources.hidden = false;
  const list = h("ol", { class: "source-list" });
  for (const info of infos) {
    list.append(h("li", {},
      h("button", { type: "button", class: "source-item", onclick: () => onCite(info, block) },
        h("span", { class: `cite-chip cite-${info.kind}`, "aria-hidden": "true", text: String(info.n) }),
        h("span", { class: "source-title", text: info.title }),
        h("span", { class: "source-loc muted", text: info.kind === "erp" ? t("source.erp") : formatLocation(info.location) }))));
  }
  block.sources.append(h("p", { class: "eyebrow", text: t("chat.sources", { count: infos.length }) }), list);
}

/** Open the source dialog for a citation: the chunk from the API, or the ERP rows. */
export async function openSource(info, block) {
  const dialog = $("#source-dialog");
  const body = $("#source-body");
  $("#source-kind").textContent = info.kind === "erp" ? t("source.erp") : t("source.document");
  $("#source-title").textContent = info.title || "";
  $("#source-location").textContent = formatLocation(info.location);
  clear(body).append(h("p", { class: "muted", text: t("common.loading") }));
  if (!dialog.open) dialog.showModal();
  if (info.kind === "erp") {
    clear(body);
    if (info.arguments) body.append(h("pre", { class: "args", text: JSON.stringify(info.arguments, null, 2) }));
    const result = block?.toolResults?.get(info.call_id);
    if (result) body.append(renderToolResult(result));
    else if (info.snippet) body.append(h("p", { class: "snippet", text: info.snippet }));
    return;
  }
  if (!info.chunk_id) {
    clear(body).append(h("p", { class: "snippet", text: info.snippet }));
    return;
  }
  try {
    const chunk = await api(`/api/chunks/${encodeURIComponent(info.chunk_id)}`);
    $("#source-title").textContent = chunk.title || chunk.document_title || chunk.document?.title || info.title || "";
    $("#source-location").textContent = formatLocation({ ...(chunk.location || info.location || {}), heading_path: chunk.heading_path });
    clear(body).append(h("p", { class: "snippet", text: chunk.text ?? chunk.content ?? chunk.snippet ?? info.snippet }));
  } catch (error) {
    clear(body).append(
      h("p", { class: "form-error", text: error.status === 403 || error.status === 404 ? t("source.unavailable") : t("error.generic") }),
    );
    if (info.snippet) body.append(h("p", { class: "snippet", text: info.snippet }));
  }
}

/** 👍/👎 (+ copy) under a finished answer. */
export function renderFooter(block, { timings, cancelled, feedback } = {}) {
  clear(block.footer);
  block.footer.hidden = false;
  if (cancelled) block.footer.append(h("span", { class: "badge", text: t("chat.stopped") }));
  const up = h("button", { type: "button", class: "icon-btn fb-up", title: t("feedback.up"), "aria-label": t("feedback.up"), "aria-pressed": "false" }, icon("thumb-up"));
  const down = h("button", { type: "button", class: "icon-btn fb-down", title: t("feedback.down"), "aria-label": t("feedback.down"), "aria-pressed": "false" }, icon("thumb-down"));
  const mark = (rating) => {
    up.setAttribute("aria-pressed", String(rating === "up"));
    down.setAttribute("aria-pressed", String(rating === "down"));
  };
  if (feedback?.rating) mark(feedback.rating);
  const send = async (rating, extra = {}) => {
    if (!block.messageId) return;
    try {
      await api(`/api/messages/${encodeURIComponent(block.messageId)}/feedback`, { method: "POST", json: { rating, ...extra } });
      mark(rating);
      toast(t("feedback.thanks"));
    } catch {
      toast(t("error.feedback"), "error");
    }
  };
  up.addEventListener("click", () => send("up"));
  down.addEventListener("click", async () => {
    const extra = await askReason();
    if (extra) send("down", extra);
  });
  const copy = h("button", {
    type: "button", class: "icon-btn", "aria-label": t("chat.copy"), title: t("chat.copy"),
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(block.text);
        toast(t("chat.copied"));
      } catch {
        toast(t("error.generic"), "error");
      }
    },
  }, icon("copy"));
  block.footer.append(up, down, copy);
  if (timings?.total_ms != null) {
    block.footer.append(h("span", { class: "timing muted", text: t("chat.timing", { s: formatNumber(timings.total_ms / 1000, { maximumFractionDigits: 1 }) }) }));
  }
}

/** The 👎 reason dialog: resolves {reason?, comment?} or null when closed without sending. */
function askReason() {
  const dialog = $("#feedback-dialog");
  const form = $("#feedback-form");
  form.reset();
  dialog.showModal();
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const extra = {};
      if (data.get("reason")) extra.reason = data.get("reason");
      if (String(data.get("comment") || "").trim()) extra.comment = String(data.get("comment")).trim();
      dialog.close();
      finish(extra);
    };
    const onClose = () => finish({}); // closing without a reason still records 👎
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
  });
}

export function renderToolInto(block, result) {
  block.toolResults ??= new Map();
  if (result.call_id) block.toolResults.set(result.call_id, result);
  block.tools.append(renderToolResult(result));
}
