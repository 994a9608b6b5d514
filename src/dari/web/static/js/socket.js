// The chat WebSocket (/ws/chat, protocol in docs/chat-protocol.md).
//
// Authenticates with a first `auth` frame (never a token in the URL), keeps the connection alive
// with pings, reconnects with exponential backoff, and after a reconnect sends `resume` with the
// last seq seen of an unfinished answer so no token is lost or shown twice.

import { accessToken, freshToken, onRefreshed, refresh } from "./session.js";

const PING_EVERY_MS = 25_000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export class ChatSocket extends EventTarget {
  constructor(url = null) {
    super();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.url = url || `${scheme}//${location.host}/ws/chat`;
    this.ws = null;
    this.ready = false;
    this.queue = [];
    this.attempt = 0;
    this.closedByUs = false;
    this.pingTimer = null;
    this.retryTimer = null;
    this.streams = new Map(); // message_id -> {lastSeq, done}
    this.authFailures = 0;
    this.state = "idle";
    this.fresh = false; // a new connection: unfinished answers must be resumed
    this.unacked = null; // the last `message` frame, until the server starts (or refuses) it
    this.resendAfterAuth = false;
    // A refreshed token goes to the server at once, so it never acts on an expired one.
    onRefreshed(() => {
      if (this.ready) this.sendNow({ type: "auth", token: accessToken() });
    });
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  async connect() {
    this.closedByUs = false;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    const token = await freshToken();
    if (!token) {
      this.dispatchEvent(new CustomEvent("auth-failed", { detail: "no_session" }));
      return;
    }
    this.setState(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.ready = false;
    this.fresh = true;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "auth", token: accessToken() || token }));
    });
    ws.addEventListener("message", (event) => this.onFrame(event.data));
    ws.addEventListener("close", (event) => this.onClose(ws, event));
    ws.addEventListener("error", () => {
      /* followed by close */
    });
  }

  onFrame(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (!event || typeof event.type !== "string") return;
    if (event.type === "ready") {
      this.ready = true;
      this.attempt = 0;
      this.authFailures = 0;
      this.setState("online");
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.sendNow({ type: "ping" }), PING_EVERY_MS);
      if (this.fresh) {
        for (const [messageId, stream] of this.streams) {
          if (!stream.done) this.sendNow({ type: "resume", message_id: messageId, after_seq: stream.lastSeq });
        }
      }
      this.fresh = false;
      // A message the server refused for an expired token is sent again with the new one.
      if (this.resendAfterAuth && this.unacked) this.sendNow(this.unacked);
      this.resendAfterAuth = false;
      const pending = this.queue.splice(0);
      for (const frame of pending) this.sendNow(frame);
      this.dispatchEvent(new CustomEvent("ready", { detail: event }));
      return;
    }
    if (event.type === "pong") return;
    if (event.type === "error" && (event.code === "unauthorized" || event.code === "token_expired")) {
      if (event.code === "token_expired") this.resendAfterAuth = true;
      this.handleAuthError(event);
      return;
    }
    if (event.type === "started" || (event.type === "error" && !event.message_id)) this.unacked = null;
    if (event.message_id && typeof event.seq === "number") {
      const stream = this.streams.get(event.message_id) || { lastSeq: 0, done: false };
      if (event.seq <= stream.lastSeq) return; // already shown (replayed after a resume)
      stream.lastSeq = event.seq;
      if (event.type === "done" || (event.type === "error" && event.message_id)) stream.done = true;
      this.streams.set(event.message_id, stream);
    }
    this.dispatchEvent(new CustomEvent("event", { detail: event }));
  }

  async handleAuthError(event) {
    this.authFailures += 1;
    // One refresh per failure streak; if the server still refuses, the session is over.
    if (this.authFailures <= 1 && (await refresh())) {
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "auth", token: accessToken() }));
      else this.connect();
      return;
    }
    this.closedByUs = true;
    this.ws?.close();
    this.dispatchEvent(new CustomEvent("auth-failed", { detail: event.code }));
  }

  onClose(ws, event) {
    if (ws !== this.ws) return;
    this.ready = false;
    clearInterval(this.pingTimer);
    if (this.closedByUs) {
      this.setState("idle");
      return;
    }
    if (event.code === 4401 || event.code === 4403) {
      this.handleAuthError({ code: "unauthorized" });
      return;
    }
    this.setState("offline");
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  sendNow(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Send a frame now, or as soon as the connection is ready again. */
  send(frame) {
    if (frame.type === "message") this.unacked = frame;
    if (this.ready && this.ws?.readyState === WebSocket.OPEN) this.sendNow(frame);
    else {
      this.queue.push(frame);
      if (!this.ws || this.ws.readyState > WebSocket.OPEN) this.connect();
    }
  }

  track(messageId) {
    if (!this.streams.has(messageId)) this.streams.set(messageId, { lastSeq: 0, done: false });
  }

  /** Simulate or force a drop (tests, "reconnect now" after coming back online). */
  drop() {
    this.ws?.close();
  }

  close() {
    this.closedByUs = true;
    this.unacked = null;
    this.resendAfterAuth = false;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.queue = [];
    this.ws?.close();
    this.ws = null;
  }
}
