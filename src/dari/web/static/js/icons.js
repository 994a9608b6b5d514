// Line icons drawn as inline SVG (no icon font, no emoji: they look the same on every PC).

import { svg } from "./dom.js";

const PATHS = {
  "thumb-up": ["M7 10v10H4V10h3z", "M7 10l4-7c1.2 0 2.2 1 2 2.3L12.5 9H18a2 2 0 0 1 2 2.3l-1.2 6.9A2 2 0 0 1 16.8 20H7"],
  "thumb-down": ["M17 14V4h3v10h-3z", "M17 14l-4 7c-1.2 0-2.2-1-2-2.3l.5-3.7H6a2 2 0 0 1-2-2.3l1.2-6.9A2 2 0 0 1 7.2 4H17"],
  copy: ["M9 9h10v11H9z", "M15 9V5a1 1 0 0 0-1-1H6a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3"],
  trash: ["M4 7h16", "M9 7V4h6v3", "M6 7l1 13h10l1-13", "M10 11v6M14 11v6"],
  pencil: ["M4 20h4L19 9l-4-4L4 16v4z", "M13 7l4 4"],
  menu: ["M4 6h16M4 12h16M4 18h16"],
  close: ["M6 6l12 12M18 6L6 18"],
  send: ["M4 12L20 4l-6 16-3-7-7-1z", "M11 13l9-9"],
  stop: ["M7 7h10v10H7z"],
  plus: ["M12 5v14M5 12h14"],
  document: ["M6 3h8l4 4v14H6z", "M14 3v4h4", "M9 12h6M9 16h6"],
  users: ["M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z", "M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6", "M16 4.2a3.5 3.5 0 0 1 0 6.6", "M18 14.3c2 .7 3.5 2.7 3.5 5.7"],
  database: ["M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z", "M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6", "M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"],
  chat: ["M4 5h16v11H10l-5 4v-4H4z"],
  chart: ["M4 20V4", "M4 20h16", "M8 16v-4M12 16V8M16 16v-6"],
  pulse: ["M3 12h4l2.5-6 5 12 2.5-6h4"],
  list: ["M9 6h11M9 12h11M9 18h11", "M4.5 6h.5M4.5 12h.5M4.5 18h.5"],
  upload: ["M12 16V4", "M7 9l5-5 5 5", "M4 16v4h16v-4"],
};

/** An icon element; `label` makes it announced (otherwise it is decorative). */
export function icon(name, { size = 18, label = null } = {}) {
  const el = svg("svg", {
    viewBox: "0 0 24 24", width: size, height: size, class: `icon icon-${name}`, fill: "none",
    stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round", "stroke-linejoin": "round",
    "aria-hidden": label ? null : "true", role: label ? "img" : null, "aria-label": label,
  });
  for (const d of PATHS[name] || []) el.append(svg("path", { d }));
  return el;
}

/** Replace every `<span data-icon="name">` placeholder in `root` with its icon. */
export function applyIcons(root = document) {
  for (const slot of root.querySelectorAll("[data-icon]")) {
    if (slot.firstElementChild?.tagName === "svg") continue;
    slot.replaceChildren(icon(slot.dataset.icon, { size: Number(slot.dataset.size) || 18 }));
  }
}
