// Small inline SVG charts (line, bar) for ERP results and the usage dashboard. Labels are set
// with textContent; the data also appears as a table for screen readers.

import { h, svg } from "./dom.js";
import { formatNumber, language } from "./i18n.js";

const COLORS = ["#3056d3", "#12a594", "#e5484d", "#f5a524", "#8e4ec6", "#6b7280"];
const W = 640;
const H = 240;
const PAD = { top: 16, right: 16, bottom: 46, left: 64 };

function compact(value) {
  if (typeof value !== "number") return String(value ?? "");
  return new Intl.NumberFormat(language() === "ko" ? "ko-KR" : "en-US", {
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(value);
}

/** The top of the axis: 4 equal steps of a "nice" size (1, 2, 2.5, 5 × 10ⁿ; whole for counts). */
function niceMax(max, integers) {
  if (max <= 0) return integers ? 4 : 1;
  const raw = max / 4;
  const exponent = 10 ** Math.floor(Math.log10(raw));
  const factors = integers && exponent < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = factors.map((f) => f * exponent).find((v) => v >= raw) ?? 10 * exponent;
  if (integers) step = Math.max(1, Math.ceil(step));
  return step * 4;
}

function shortLabel(label, limit = 10) {
  const text = String(label ?? "");
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/**
 * chart({type: "line"|"bar", labels: [...], series: [{name, values: [...]}], unit, title})
 * → a <figure> holding an <svg role="img">.
 */
export function chart({ type = "line", labels = [], series = [], unit = "", title = "" }) {
  const values = series.flatMap((s) => s.values.filter((v) => typeof v === "number" && Number.isFinite(v)));
  const minValue = Math.min(0, ...values);
  // Counts get whole-number ticks: never "0.3 questions".
  const maxValue = niceMax(Math.max(0, ...values), values.every(Number.isInteger));
  const span = maxValue - minValue || 1;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const n = Math.max(labels.length, 1);
  const x = (i) => PAD.left + (type === "bar" ? (innerW / n) * (i + 0.5) : n === 1 ? innerW / 2 : (innerW / (n - 1)) * i);
  const y = (v) => PAD.top + innerH - ((v - minValue) / span) * innerH;

  const summary = `${title || ""} ${series.map((s) => s.name).join(", ")}`.trim();
  const root = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: `chart chart-${type}`,
    role: "img",
    "aria-label": summary,
    preserveAspectRatio: "xMidYMid meet",
  });
  const grid = svg("g", { class: "chart-grid" });
  for (let k = 0; k <= 4; k += 1) {
    const v = minValue + (span * k) / 4;
    const yy = y(v);
    grid.append(
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: yy, y2: yy }),
      svg("text", { x: PAD.left - 8, y: yy + 4, "text-anchor": "end", class: "chart-tick", text: compact(v) }),
    );
  }
  root.append(grid);

  const every = Math.ceil(labels.length / 8); // at most ~8 x labels
  const axis = svg("g", { class: "chart-axis" });
  labels.forEach((label, i) => {
    const last = i === labels.length - 1;
    if (i % every !== 0 && !(last && i % every >= every / 2)) return;
    axis.append(svg("text", { x: x(i), y: H - PAD.bottom + 18, "text-anchor": "middle", class: "chart-tick", text: shortLabel(label) }));
  });
  root.append(axis);

  series.forEach((s, index) => {
    const color = s.color || COLORS[index % COLORS.length];
    const group = svg("g", { class: "chart-series", fill: color, stroke: color });
    if (type === "bar") {
      const slot = innerW / n;
      const barW = Math.max(2, (slot * 0.7) / series.length);
      s.values.forEach((v, i) => {
        if (typeof v !== "number") return;
        const top = y(Math.max(v, 0));
        const height = Math.abs(y(v) - y(0));
        const bar = svg("rect", {
          x: x(i) - (slot * 0.7) / 2 + barW * index,
          y: top,
          width: barW,
          height: Math.max(height, 1),
          rx: 2,
          stroke: "none",
        });
        bar.append(svg("title", { text: `${labels[i]}: ${formatNumber(v)}${unit ? ` ${unit}` : ""}` }));
        group.append(bar);
      });
    } else {
      const points = s.values.map((v, i) => (typeof v === "number" ? `${x(i)},${y(v)}` : null)).filter(Boolean);
      group.append(svg("polyline", { points: points.join(" "), fill: "none", "stroke-width": 2.5, "stroke-linejoin": "round" }));
      s.values.forEach((v, i) => {
        if (typeof v !== "number") return;
        const dot = svg("circle", { cx: x(i), cy: y(v), r: labels.length > 40 ? 1.5 : 3.5, stroke: "none" });
        dot.append(svg("title", { text: `${labels[i]}: ${formatNumber(v)}${unit ? ` ${unit}` : ""}` }));
        group.append(dot);
      });
    }
    root.append(group);
  });

  const figure = h("figure", { class: "chart-figure" });
  if (title || series.length > 1) {
    const legend = h("figcaption", { class: "chart-legend" });
    if (title) legend.append(h("span", { class: "chart-title", text: unit ? `${title} (${unit})` : title }));
    if (series.length > 1)
      series.forEach((s, index) => {
        const swatch = h("span", { class: "swatch" });
        swatch.style.background = s.color || COLORS[index % COLORS.length];
        legend.append(h("span", { class: "legend-item" }, swatch, s.name));
      });
    figure.append(legend);
  }
  figure.append(root);
  return figure;
}
