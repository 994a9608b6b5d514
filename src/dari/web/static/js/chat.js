// The conversation view: sending, streaming events into an answer, stop, loading history.

import { api, listOf } from "./api.js";
import { $, h, toast, uid } from "./dom.js";
import { t } from "./i18n.js";
import {
  assistantBlock, citationInfo, openSource, renderAnswer, renderFooter, renderSources,
  renderToolInto, setStatus, userBubble,
} from "./messages.js";

const STATUS_BY_INTENT = { doc_qa: "chat.searching_docs", erp: "chat.querying_erp", mixed: "chat.searching_both" };

export class ChatView {
  constructor({ socket, conversations, drafts }) {
    this.socket = socket;
    this.conversations = conversations;
    this.drafts = drafts;
    this.messages = $("#messages");
    this.welcome = $("#welcome");
    this.title = $("#chat-title");
    this.input = $("#composer-input");
    this.sendButton = $("#send");
    this.stopButton = $("#stop");
    this.conversationId = null;
    this.blocks = new Map(); // message_id -> block
    this.active = null; // the block being streamed
    this.pending = null; // {text, block} sent but not yet `started`
    this.renderQueued = false;
    socket.addEventListener("event", (event) => this.onEvent(event.detail));
    this.stopButton.addEventListener("click", () => this.stop());
  }

  get streaming() {
    return Boolean(this.active || this.pending);
  }

  updateButtons() {
    this.stopButton.hidden = !this.streaming;
    this.sendButton.hidden = this.streaming;
  }

  reset() {
    this.conversationId = null;
    this.blocks.clear();
    this.active = null;
    this.pending = null;
    for (const node of [...this.messages.children]) if (node !== this.welcome) node.remove();
    this.welcome.hidden = false;
    this.title.textContent = t("chat.new_title");
    this.updateButtons();
  }

  scroll() {
    const nearBottom = this.messages.scrollHeight - this.messages.scrollTop - this.messages.clientHeight < 160;
    if (nearBottom || this.streaming) this.messages.scrollTop = this.messages.scrollHeight;
  }

  /** Send the composer's text. Returns false when nothing was sent. */
  send(text) {
    const clean = text.trim();
    if (!clean || this.streaming) return false;
    this.welcome.hidden = true;
    this.messages.append(userBubble(clean));
    const block = assistantBlock();
    this.messages.append(block.article);
    this.pending = { text: clean, block, conversationId: this.conversationId };
    this.socket.send({ type: "message", conversation_id: this.conversationId, text: clean, client_message_id: uid() });
    this.updateButtons();
    this.messages.scrollTop = this.messages.scrollHeight;
    return true;
  }

  stop() {
    const messageId = this.active?.messageId;
    this.socket.send(messageId ? { type: "cancel", message_id: messageId } : { type: "cancel" });
    setStatus(this.active || this.pending?.block, t("chat.stopping"));
  }

  /** The session ended before the answer started: give the text back to the composer. */
  takeBackPending() {
    if (!this.pending) return null;
    const { text, block } = this.pending;
    block.article.previousElementSibling?.remove();
    block.article.remove();
    this.pending = null;
    this.updateButtons();
    if (!this.messages.querySelector(".msg")) this.welcome.hidden = false;
    return text;
  }

  onCite = (info, block) => openSource(info, block);

  queueRender(block) {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      renderAnswer(block, this.onCite);
      this.scroll();
    });
  }

  blockFor(event) {
    if (event.message_id && this.blocks.has(event.message_id)) return this.blocks.get(event.message_id);
    return this.active;
  }

  onEvent(event) {
    switch (event.type) {
      case "started": {
        const block = this.pending?.block || assistantBlock();
        if (!this.pending) this.messages.append(block.article);
        this.pending = null;
        block.messageId = event.message_id;
        block.article.dataset.messageId = event.message_id;
        this.blocks.set(event.message_id, block);
        this.active = block;
        this.socket.track(event.message_id);
        if (event.conversation_id && event.conversation_id !== this.conversationId) {
          const isNew = !this.conversationId;
          this.conversationId = event.conversation_id;
          history.replaceState(null, "", `/?c=${encodeURIComponent(event.conversation_id)}`);
          if (isNew) this.conversations.touch(event.conversation_id, event.title || null);
          this.conversations.setActive(event.conversation_id);
        }
        this.drafts.clear();
        this.updateButtons();
        break;
      }
      case "intent": {
        const block = this.blockFor(event);
        if (block) setStatus(block, t(STATUS_BY_INTENT[event.intent] || "chat.writing"));
        break;
      }
      case "status": {
        // The model is busy: show the place in line, then that the answer is being written.
        const block = this.blockFor(event);
        if (block) {
          const text = event.state === "queued" ? t("chat.queued", { position: event.position }) : t("chat.writing");
          setStatus(block, text);
        }
        break;
      }
      case "clarification": {
        // Two customers match, a value is missing…: one button per choice sends that question.
        const block = this.blockFor(event);
        if (!block || !(event.choices || []).length) break;
        const row = h("div", { class: "clarify-choices", role: "group", "aria-label": t("chat.choose") });
        for (const choice of event.choices) {
          const button = h("button", { type: "button", class: "btn", text: choice.label });
          button.addEventListener("click", () => this.send(choice.text));
          row.append(button);
        }
        block.body.after(row);
        break;
      }
      case "sources": {
        const block = this.blockFor(event);
        if (!block) break;
        for (const source of event.sources || []) {
          const info = citationInfo(source);
          if (Number.isFinite(info.n)) block.citations.set(info.n, info);
        }
        break;
      }
      case "tool_call": {
        const block = this.blockFor(event);
        if (block) setStatus(block, t("chat.calling_tool", { tool: event.title || event.tool || "" }));
        break;
      }
      case "tool_result": {
        const block = this.blockFor(event);
        if (block) {
          renderToolInto(block, event);
          this.scroll();
        }
        break;
      }
      case "token": {
        const block = this.blockFor(event);
        if (!block) break;
        if (!block.text) setStatus(block, t("chat.writing"));
        block.text += event.delta || "";
        this.queueRender(block);
        break;
      }
      case "citation": {
        const block = this.blockFor(event);
        if (!block) break;
        const info = citationInfo(event);
        // Marked as cited: the sources under the answer are those it cites, not every
        // chunk the search returned (`sources`), as when the conversation is opened again.
        if (Number.isFinite(info.n)) block.citations.set(info.n, { ...block.citations.get(info.n), ...info, cited: true });
        this.queueRender(block);
        break;
      }
      case "done": {
        const block = this.blockFor(event);
        if (!block) break;
        setStatus(block, null);
        renderAnswer(block, this.onCite);
        renderSources(block, this.onCite);
        renderFooter(block, { timings: event.timings, cancelled: event.cancelled });
        if (!block.text && event.cancelled) block.body.append(h("p", { class: "muted", text: t("chat.stopped_before") }));
        if (this.active === block) this.active = null;
        this.updateButtons();
        if (this.conversationId) this.refreshTitle(this.conversationId);
        this.scroll();
        break;
      }
      case "error":
        this.onError(event);
        break;
      default:
        break;
    }
  }

  onError(event) {
    const message = t(`error.${event.code}`) !== `error.${event.code}` ? t(`error.${event.code}`) : event.message || t("error.generic");
    const block = (event.message_id && this.blocks.get(event.message_id)) || this.active || this.pending?.block;
    if (event.code === "nothing_to_cancel") return;
    if (block && (event.message_id || this.pending || this.active)) {
      setStatus(block, null);
      block.body.append(h("p", { class: "answer-error", role: "alert", text: message }));
      if (this.pending?.block === block && ["empty_message", "message_too_long", "busy", "rate_limited", "not_found"].includes(event.code)) {
        // Nothing was stored: give the text back so it is not lost.
        this.input.value = this.pending.text;
        this.input.dispatchEvent(new Event("input"));
      }
      if (this.active === block) this.active = null;
      if (this.pending?.block === block) this.pending = null;
      this.updateButtons();
      return;
    }
    toast(message, "error");
  }

  /** Load a stored conversation with its messages. */
  async open(id) {
    this.reset();
    if (!id) {
      history.replaceState(null, "", "/");
      this.conversations.setActive(null);
      return;
    }
    let body;
    try {
      body = await api(`/api/conversations/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error.status !== 401) toast(t("error.load_conversation"), "error");
      history.replaceState(null, "", "/");
      return;
    }
    this.conversationId = body.id ?? id;
    this.title.textContent = body.title || t("chat.untitled");
    this.conversations.setActive(this.conversationId);
    history.replaceState(null, "", `/?c=${encodeURIComponent(this.conversationId)}`);
    const messages = listOf(body.messages ?? body, "messages");
    this.welcome.hidden = messages.length > 0;
    for (const message of messages) {
      if (message.role === "user") {
        this.messages.append(userBubble(message.content ?? message.text ?? ""));
        continue;
      }
      const block = assistantBlock();
      block.messageId = message.id;
      block.text = message.content ?? message.text ?? "";
      for (const raw of message.citations || []) {
        const info = citationInfo(raw);
        if (Number.isFinite(info.n)) block.citations.set(info.n, { ...info, cited: true });
      }
      setStatus(block, null);
      for (const result of message.tool_results || []) renderToolInto(block, result);
      renderAnswer(block, this.onCite);
      renderSources(block, this.onCite);
      renderFooter(block, { feedback: message.feedback, cancelled: message.cancelled });
      this.blocks.set(message.id, block);
      this.messages.append(block.article);
    }
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  /** The server names a new conversation after its first question: show that name. */
  async refreshTitle(id) {
    await this.conversations.load();
    const found = this.conversations.items.find((c) => String(c.id) === String(id));
    if (found?.title && String(this.conversationId) === String(id)) this.title.textContent = found.title;
  }

  rename(id, title) {
    if (String(id) === String(this.conversationId)) this.title.textContent = title;
  }
}

export function showToastOnOffline() {
  window.addEventListener("offline", () => toast(t("chat.offline"), "error"));
}
