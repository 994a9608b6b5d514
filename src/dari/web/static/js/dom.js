// Tiny DOM helpers. Text always goes in through textContent: nothing here parses HTML.

const SAFE_URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);

/** True for an absolute http(s) URL (what a link to outside may point at). */
export function isWebUrl(value) {
  try {
    const url = new URL(String(value));
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** True for a same-origin path like "/admin/users" (never "//host" or "javascript:"). */
function isLocalPath(value) {
  return typeof value === "string" && /^\/(?!\/)[^\s\\]*$/.test(value);
}

/**
 * Create an element: h("button", {class: "x", onclick: fn, "aria-label": "…"}, "text", child…).
 * `text` sets textContent; on* props add listeners; URL attributes accept only http(s) or local
 * paths; there is deliberately no way to set innerHTML.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

/** An SVG element (charts, icons), same rules as h(). */
export function svg(tag, props = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setProps(el, props);
  append(el, children);
  return el;
}

function setProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key.startsWith("on")) continue; // never an inline handler from a string
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "disabled" || key === "hidden" || key === "selected") el[key] = Boolean(value);
    else if (SAFE_URL_ATTRS.has(key)) {
      if (isWebUrl(value) || isLocalPath(value)) el.setAttribute(key, String(value));
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/** A unique id (client message ids, element ids). */
export function uid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `id-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Show a transient message at the bottom of the screen (role=status for screen readers). */
export function toast(message, kind = "info") {
  let host = document.getElementById("toasts");
  if (!host) {
    host = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(host);
  }
  const item = h("div", { class: `toast toast-${kind}`, text: message });
  host.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 6000 : 3500);
}
