// The chat app: boot, login, the composer, and wiring of list, view and socket.

import { api } from "./api.js";
import { $, h, toast } from "./dom.js";
import { ChatView, showToastOnOffline } from "./chat.js";
import { ConversationList } from "./conversations.js";
import { t } from "./i18n.js";
import { expire, isSignedIn, logout, onExpired, restore } from "./session.js";
import { boot, initials, showLogin } from "./shell.js";
import { ChatSocket } from "./socket.js";

const DRAFT_KEY = "dari.draft";
const ME_KEY = "dari.me";
const SUGGESTIONS = ["suggest.leave", "suggest.travel", "suggest.sales", "suggest.stock"];
const ADMIN_PERMISSIONS = ["admin:", "docs:manage", "erp:admin", "audit:read"];

const input = $("#composer-input");
let me = null;
let socket = null;
let chat = null;
let list = null;
let signingIn = false;

// ---- drafts: what the user is typing survives reloads and session expiry ----------------------
const drafts = {
  save() {
    if (!me) return;
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ user: me.username, text: input.value }));
  },
  clear() {
    sessionStorage.removeItem(DRAFT_KEY);
  },
  /** The saved draft, only for the same user (a shared PC must not show someone else's text). */
  restore(username) {
    try {
      const saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
      if (saved && saved.user === username && saved.text && !input.value) input.value = saved.text;
      if (saved && saved.user !== username) {
        input.value = "";
        drafts.clear();
      }
    } catch {
      drafts.clear();
    }
    autosize();
  },
};

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

function setupComposer() {
  input.addEventListener("input", () => {
    autosize();
    drafts.save();
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter is a new line; never while composing Hangul (IME).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
}

function submit() {
  if (chat.send(input.value)) {
    input.value = "";
    autosize();
    // The draft is kept until the server confirms (`started`): an expired session gives it back.
  }
}

function setupSidebar() {
  const sidebar = $("#sidebar");
  const scrim = $("#scrim");
  const open = (yes) => {
    sidebar.classList.toggle("open", yes);
    scrim.hidden = !yes;
  };
  $("#sidebar-open").addEventListener("click", () => open(true));
  $("#sidebar-close").addEventListener("click", () => open(false));
  scrim.addEventListener("click", () => open(false));
  $("#new-chat").addEventListener("click", () => {
    chat.open(null);
    open(false);
    input.focus();
  });
  document.addEventListener("dari:open-conversation", () => open(false));
  $("#logout").addEventListener("click", async () => {
    socket?.close();
    drafts.clear();
    input.value = "";
    sessionStorage.removeItem(ME_KEY);
    await logout();
    location.replace("/");
  });
}

function renderSuggestions() {
  const host = $("#suggestions");
  host.replaceChildren(...SUGGESTIONS.map((key) =>
    h("button", { type: "button", class: "suggestion", text: t(key), onclick: () => {
      input.value = t(key);
      submit();
    } })));
  $("#welcome-title").textContent = me ? t("chat.welcome", { name: me.display_name || me.username }) : "";
}

function showUser() {
  $("#user-name").textContent = me.display_name || me.username;
  $("#user-dept").textContent = me.department?.name || "";
  $("#user-avatar").textContent = initials(me.display_name || me.username);
  const permissions = me.permissions || [];
  const roles = (me.roles || []).map((r) => (typeof r === "string" ? r : r.name));
  $("#admin-link").hidden = !(roles.includes("admin") || permissions.some((p) => ADMIN_PERMISSIONS.some((a) => p.startsWith(a))));
  renderSuggestions();
}

function setConnection(state) {
  const el = $("#connection");
  el.dataset.state = state;
  el.textContent = state === "online" || state === "idle" ? "" : t(`connection.${state}`);
}

async function enter() {
  try {
    me = await api("/api/me");
    sessionStorage.setItem(ME_KEY, JSON.stringify(me));
  } catch (error) {
    if (error.status === 401) return; // onExpired shows the login
    // Offline with a session in this tab: open the (cached) app; the socket reconnects later.
    const cached = error.code === "network" ? JSON.parse(sessionStorage.getItem(ME_KEY) || "null") : null;
    if (!cached) {
      toast(t(error.code === "network" ? "error.network" : "error.server"), "error");
      return;
    }
    me = cached;
    toast(t("chat.offline"), "error");
  }
  drafts.restore(me.username);
  $("#chat-view").hidden = false;
  showUser();
  socket.connect();
  await list.load();
  const id = new URLSearchParams(location.search).get("c");
  if (id && !chat.conversationId) await chat.open(id);
  input.focus();
}

async function signIn(reason) {
  if (signingIn) return;
  signingIn = true;
  $("#chat-view").hidden = true;
  const username = await showLogin({ reason });
  signingIn = false;
  if (me && me.username !== username) {
    // Someone else signed in on this tab: drop the previous user's screen.
    chat.reset();
    input.value = "";
    me = null;
  }
  await enter();
}

async function main() {
  await boot();
  setupComposer();
  socket = new ChatSocket();
  socket.addEventListener("state", (event) => setConnection(event.detail));
  list = new ConversationList({
    onOpen: (id) => {
      document.dispatchEvent(new CustomEvent("dari:open-conversation"));
      chat.open(id);
    },
  });
  chat = new ChatView({ socket, conversations: list, drafts });
  setupSidebar();
  showToastOnOffline();
  window.addEventListener("online", () => {
    if (!me) return;
    socket.connect();
    list.load();
  });
  document.addEventListener("dari:renamed", (event) => chat.rename(event.detail.id, event.detail.title));
  document.addEventListener("dari:language", () => {
    if (me) renderSuggestions();
    list.render();
  });

  socket.addEventListener("auth-failed", () => expire("socket"));
  // For support and the browser tests: simulate a dropped connection (the app then reconnects
  // and resumes the answer). It reveals nothing the page does not already hold.
  window.dariDebug = Object.freeze({ dropConnection: () => socket.drop() });
  onExpired(() => {
    socket.close();
    // Whatever was sent but not started, and whatever is typed, goes back to the composer.
    const unsent = chat.takeBackPending();
    if (unsent && !input.value.trim()) input.value = unsent;
    else if (unsent) input.value = `${unsent}\n${input.value}`;
    drafts.save();
    signIn(input.value.trim() ? "expired_draft" : "expired");
  });

  if (restore() && isSignedIn()) await enter();
  else await signIn(null);
}

main();
