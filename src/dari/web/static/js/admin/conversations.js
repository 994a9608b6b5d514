// Conversations and feedback review: rated answers, filterable by 👎 (GET /api/admin/conversations).

import { listOf } from "../api.js";
import { clear, h } from "../dom.js";
import { formatDate, t } from "../i18n.js";
import { icon } from "../icons.js";
import { renderMarkdown } from "../markdown.js";
import { load, pageHeader, tabs } from "./ui.js";

let filter = "down";

export async function render(page) {
  const host = h("div", { class: "review-list" });
  const draw = () => {
    clear(page).append(
      pageHeader(t("admin.section.conversations"), t("admin.conv.description")),
      tabs([{ id: "down", label: t("admin.conv.down") }, { id: "up", label: t("admin.conv.up") }, { id: "", label: t("admin.conv.all") }], filter, (id) => {
        filter = id;
        draw();
      }),
      host,
    );
    load(host, `/api/admin/conversations?limit=50${filter ? `&feedback=${filter}` : ""}`, (body) => {
      const items = listOf(body, "conversations");
      if (!items.length) host.append(h("p", { class: "empty-state muted", text: t("admin.conv.empty") }));
      for (const item of items) host.append(reviewCard(item));
    });
  };
  draw();
}

function reviewCard(item) {
  const answer = h("div", { class: "md review-answer" });
  answer.append(renderMarkdown(item.answer || ""));
  return h("article", { class: "card review" },
    h("header", { class: "review-head" },
      h("span", { class: `badge ${item.rating === "down" ? "badge-danger" : "badge-ok"}` }, icon(item.rating === "down" ? "thumb-down" : "thumb-up", { size: 14 }), t(item.rating === "down" ? "feedback.down" : "feedback.up")),
      item.reason ? h("span", { class: "badge", text: t(`feedback.${item.reason}`) !== `feedback.${item.reason}` ? t(`feedback.${item.reason}`) : item.reason }) : null,
      h("span", { class: "muted", text: formatDate(item.rated_at) }),
      h("span", { class: "muted", text: item.user_name || item.user_id || "" })),
    h("p", { class: "review-question" }, h("strong", { text: "Q. " }), item.question || ""),
    answer,
    item.comment ? h("blockquote", { class: "review-comment", text: item.comment }) : null,
    (item.citations || []).length ? h("p", { class: "muted small", text: t("admin.conv.sources", { list: item.citations.map((c) => `[${c.n}] ${c.title || c.tool || ""}`).join(", ") }) }) : null);
}
