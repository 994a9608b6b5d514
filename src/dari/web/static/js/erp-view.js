// ERP tool results: a table with labels and units, and a chart for time series and rankings.

import { chart } from "./chart.js";
import { h } from "./dom.js";
import { formatNumber, t } from "./i18n.js";

const DATE_LIKE = /^(\d{4}[-./]\d{1,2}([-./]\d{1,2})?|\d{4}년\s?\d{1,2}월|\d{4}-Q\d)$/;

function columnsOf(result) {
  const columns = Array.isArray(result.columns) ? result.columns : [];
  return columns.map((c) => (typeof c === "string" ? { name: c, label: c, unit: "" } : { label: c.name, unit: "", ...c }));
}

function rowsOf(result, columns) {
  const rows = Array.isArray(result.rows) ? result.rows : [];
  return rows.map((row) => (Array.isArray(row) ? row : columns.map((c) => row?.[c.name])));
}

function cellText(value, unit) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    const text = formatNumber(value);
    return unit === "%" ? `${text}%` : text;
  }
  if (typeof value === "boolean") return value ? "✓" : "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Pick a chart: the one the server suggests, else a date column + a numeric column. */
function chartSpec(result, columns, rows) {
  if (rows.length < 2) return null;
  const byName = (name) => columns.findIndex((c) => c.name === name);
  if (result.chart && result.chart.x && result.chart.y) {
    const xi = byName(result.chart.x);
    const yi = byName(result.chart.y);
    if (xi > -1 && yi > -1) return { type: result.chart.type === "bar" ? "bar" : "line", xi, yi };
  }
  const numeric = columns.findIndex((_, i) => rows.every((r) => typeof r[i] === "number"));
  const dateCol = columns.findIndex((_, i) => rows.every((r) => DATE_LIKE.test(String(r[i] ?? ""))));
  if (numeric > -1 && dateCol > -1 && rows.length >= 3) return { type: "line", xi: dateCol, yi: numeric };
  return null;
}

/** A tool_result event (or a stored tool result) as a DOM block. */
export function renderToolResult(result) {
  const box = h("section", { class: "tool-result", "aria-label": t("erp.result_label", { tool: result.title || result.tool || "" }) });
  const head = h("header", { class: "tool-result-head" },
    h("span", { class: "tool-badge", text: "ERP" }),
    h("span", { class: "tool-name", text: result.title || result.tool || "" }),
  );
  box.append(head);
  if (result.ok === false) {
    box.classList.add("tool-error");
    box.append(h("p", { class: "tool-error-text", role: "note", text: result.error?.message || t("erp.failed") }));
    return box;
  }
  const columns = columnsOf(result);
  const rows = rowsOf(result, columns);
  if (!rows.length) {
    box.append(h("p", { class: "muted", text: t("erp.no_rows") }));
    return box;
  }
  const spec = chartSpec(result, columns, rows);
  if (spec) {
    const yColumn = columns[spec.yi];
    box.append(chart({
      type: spec.type,
      labels: rows.map((r) => String(r[spec.xi] ?? "")),
      series: [{ name: yColumn.label || yColumn.name, values: rows.map((r) => r[spec.yi]) }],
      unit: yColumn.unit || "",
      title: yColumn.label || yColumn.name,
    }));
  }
  const table = h("table", { class: "data-table" });
  const headRow = h("tr");
  for (const column of columns) {
    headRow.append(h("th", { scope: "col", text: column.unit ? `${column.label || column.name} (${column.unit})` : column.label || column.name }));
  }
  table.append(h("thead", {}, headRow));
  const body = h("tbody");
  for (const row of rows) {
    const tr = h("tr");
    columns.forEach((column, i) => {
      tr.append(h("td", { class: typeof row[i] === "number" ? "num" : "", text: cellText(row[i], column.unit) }));
    });
    body.append(tr);
  }
  table.append(body);
  box.append(h("div", { class: "table-wrap" }, table));
  const count = result.row_count ?? rows.length;
  box.append(h("p", { class: "tool-foot muted", text: result.truncated ? t("erp.rows_truncated", { shown: rows.length, total: formatNumber(count) }) : t("erp.rows", { count: formatNumber(count) }) }));
  return box;
}
