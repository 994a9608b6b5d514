// The conversation list: load, search, open, rename, delete.

import { api, listOf } from "./api.js";
import { $, clear, h, toast } from "./dom.js";
import { formatRelative, t } from "./i18n.js";
import { icon } from "./icons.js";
import { CITATION_MARK } from "./markdown.js";

// Citation marks ("[1]", "[1, 2]", "[1，2]") and one the preview cut short ("[1, ").
const PREVIEW_MARKS = new RegExp(`\\s*${CITATION_MARK.source}|\\s*\\[[\\d,，\\s]*$`, "g");

export class ConversationList {
  /** onOpen(id|null) is called when the user picks a conversation (null = new chat). */
  constructor({ onOpen }) {
    this.onOpen = onOpen;
    this.list = $("#conversation-list");
    this.empty = $("#conversation-empty");
    this.search = $("#conversation-search");
    this.items = [];
    this.activeId = null;
    this.query = "";
    let timer = null;
    this.search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.query = this.search.value.trim();
        this.load();
      }, 250);
    });
  }

  async load() {
    const params = new URLSearchParams({ limit: "50" });
    if (this.query) params.set("q", this.query);
    try {
      const body = await api(`/api/conversations?${params}`);
      this.items = listOf(body, "conversations");
    } catch (error) {
      if (error.status === 401) return;
      if (error.code === "network") return; // offline: keep what is shown
      this.items = [];
      if (error.status !== 404) toast(t("error.load_conversations"), "error");
    }
    this.render();
  }

  setActive(id) {
    this.activeId = id;
    for (const li of this.list.children) li.classList.toggle("active", li.dataset.id === String(id));
    for (const button of this.list.querySelectorAll(".conversation-open")) {
      button.toggleAttribute("aria-current", button.closest("li").dataset.id === String(id));
    }
  }

  /** After an answer: make sure the conversation is listed first with its title. */
  touch(id, title) {
    const existing = this.items.find((c) => String(c.id) === String(id));
    if (existing) {
      this.items = [existing, ...this.items.filter((c) => c !== existing)];
      existing.updated_at = new Date().toISOString();
      if (title) existing.title = title;
    } else {
      this.items.unshift({ id, title: title || t("chat.new_title"), updated_at: new Date().toISOString() });
    }
    this.render();
  }

  render() {
    clear(this.list);
    this.empty.hidden = this.items.length > 0;
    this.empty.textContent = this.query ? t("chat.no_results") : t("chat.no_conversations");
    for (const item of this.items) this.list.append(this.renderItem(item));
    this.setActive(this.activeId);
  }

  renderItem(item) {
    const title = item.title || t("chat.untitled");
    const raw = typeof item.last_message === "string" ? item.last_message : item.last_message?.content || item.preview || "";
    // A plain one-line preview: Markdown markers and citation numbers are noise here; a "~" in
    // a period ("1일~11월 23일") or a "_" in a file name is text.
    const preview = raw
      .replace(PREVIEW_MARKS, "")
      .replace(/^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)/gm, "")
      .replace(/\*\*|__|~~|`+/g, "")
      .replace(/\s+/g, " ")
      .trim();
    const li = h("li", { class: "conversation-item", dataset: { id: String(item.id) } });
    const open = h(
      "button",
      { type: "button", class: "conversation-open", onclick: () => this.onOpen(item.id) },
      h("span", { class: "conversation-title", text: title }),
      h("span", { class: "conversation-meta muted", text: [formatRelative(item.updated_at), preview].filter(Boolean).join(" · ") }),
    );
    const rename = h("button", {
      type: "button", class: "icon-btn small", title: t("chat.rename"),
      "aria-label": t("chat.rename_named", { title }), onclick: () => this.startRename(li, item),
    }, icon("pencil", { size: 16 }));
    const remove = h("button", {
      type: "button", class: "icon-btn small danger", title: t("chat.delete"),
      "aria-label": t("chat.delete_named", { title }), onclick: () => this.confirmDelete(li, item),
    }, icon("trash", { size: 16 }));
    li.append(open, h("div", { class: "conversation-actions" }, rename, remove));
    return li;
  }

  startRename(li, item) {
    const input = h("input", { class: "rename-input", value: item.title || "", maxlength: 200, "aria-label": t("chat.rename") });
    const form = h("form", { class: "rename-form" }, input,
      h("button", { type: "submit", class: "btn btn-small btn-primary", text: t("common.save") }),
      h("button", { type: "button", class: "btn btn-small", text: t("common.cancel"), onclick: () => this.render() }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      try {
        await api(`/api/conversations/${encodeURIComponent(item.id)}`, { method: "PATCH", json: { title } });
        item.title = title;
        document.dispatchEvent(new CustomEvent("dari:renamed", { detail: { id: item.id, title } }));
      } catch {
        toast(t("error.rename"), "error");
      }
      this.render();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.render();
    });
    li.replaceChildren(form);
    input.focus();
    input.select();
  }

  confirmDelete(li, item) {
    const yes = h("button", { type: "button", class: "btn btn-small btn-danger", text: t("common.delete") });
    const no = h("button", { type: "button", class: "btn btn-small", text: t("common.cancel"), onclick: () => this.render() });
    yes.addEventListener("click", async () => {
      try {
        await api(`/api/conversations/${encodeURIComponent(item.id)}`, { method: "DELETE" });
        this.items = this.items.filter((c) => c !== item);
        if (String(this.activeId) === String(item.id)) this.onOpen(null);
        toast(t("chat.deleted"));
      } catch {
        toast(t("error.delete"), "error");
      }
      this.render();
    });
    li.replaceChildren(h("div", { class: "confirm-row", role: "alertdialog", "aria-label": t("chat.delete_confirm") },
      h("span", { text: t("chat.delete_confirm") }), yes, no));
    yes.focus();
  }
}
