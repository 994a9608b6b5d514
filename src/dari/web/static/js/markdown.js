// A small, safe Markdown renderer for model answers and document snippets.
//
// It builds DOM nodes and sets text with textContent only: raw HTML in the input (<script>,
// <img onerror>, <a href>) stays visible text, never markup. Links are made only for absolute
// http(s) URLs and always show the URL itself, so "[사내 포털](https://evil.example)" cannot
// hide where it goes. Images are never loaded (a prompt-injected image URL could leak data):
// they become links. Citations "[1]" become chips through the `citation` callback.

import { isWebUrl } from "./dom.js";

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;
const MAX_DEPTH = 8;

/**
 * Render Markdown `source` to a DocumentFragment.
 * options.citation(n) → a Node for "[n]" (or null to keep the text).
 */
export function renderMarkdown(source, options = {}) {
  const fragment = document.createDocumentFragment();
  const lines = String(source ?? "").replace(/\r\n?/g, "\n").split("\n");
  renderBlocks(lines, fragment, options, 0);
  return fragment;
}

function el(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

function renderBlocks(lines, parent, options, depth) {
  let i = 0;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) {
      const p = el("p");
      renderInline(paragraph.join("\n"), p, options, 0);
      parent.append(p);
      paragraph = [];
    }
  };
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      flush();
      i += 1;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1];
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(marker)) body.push(lines[(i += 1) - 1]);
      i += 1; // the closing fence (or the end, while an answer is still streaming)
      const pre = el("pre", "md-code");
      const code = el("code");
      if (fence[2]) code.dataset.lang = fence[2];
      code.textContent = body.join("\n");
      pre.append(code);
      parent.append(pre);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      // Answers live inside a page: their headings start at h3.
      const node = el(`h${Math.min(6, heading[1].length + 2)}`, "md-heading");
      renderInline(heading[2], node, options, 0);
      parent.append(node);
      i += 1;
      continue;
    }
    if (RULE.test(line) && !ITEM.test(line.replace(/^(\s*[-*+])\s+\1/, ""))) {
      flush();
      parent.append(el("hr"));
      i += 1;
      continue;
    }
    if (QUOTE.test(line)) {
      flush();
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(QUOTE.exec(lines[(i += 1) - 1])[1]);
      const quote = el("blockquote");
      if (depth < MAX_DEPTH) renderBlocks(inner, quote, options, depth + 1);
      else quote.textContent = inner.join("\n");
      parent.append(quote);
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_DELIMITER.test(lines[i + 1]) && lines[i + 1].includes("-")) {
      flush();
      i = renderTable(lines, i, parent, options);
      continue;
    }
    if (ITEM.test(line)) {
      flush();
      i = renderList(lines, i, parent, options, depth);
      continue;
    }
    paragraph.push(line);
    i += 1;
  }
  flush();
}

function splitRow(line) {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const cells = [];
  let cell = "";
  for (let k = 0; k < text.length; k += 1) {
    if (text[k] === "\\" && text[k + 1] === "|") {
      cell += "|";
      k += 1;
    } else if (text[k] === "|") {
      cells.push(cell.trim());
      cell = "";
    } else cell += text[k];
  }
  cells.push(cell.trim());
  return cells;
}

function renderTable(lines, start, parent, options) {
  const header = splitRow(lines[start]);
  const aligns = splitRow(lines[start + 1]).map((spec) =>
    spec.startsWith(":") && spec.endsWith(":") ? "center" : spec.endsWith(":") ? "right" : spec.startsWith(":") ? "left" : "",
  );
  const wrap = el("div", "md-table-wrap");
  const table = el("table", "md-table");
  const thead = el("thead");
  const headRow = el("tr");
  header.forEach((text, column) => {
    const th = el("th");
    th.scope = "col";
    if (aligns[column]) th.style.textAlign = aligns[column];
    renderInline(text, th, options, 0);
    headRow.append(th);
  });
  thead.append(headRow);
  table.append(thead);
  const tbody = el("tbody");
  let i = start + 2;
  while (i < lines.length && lines[i].trim() && lines[i].includes("|")) {
    const row = el("tr");
    const cells = splitRow(lines[i]);
    header.forEach((_, column) => {
      const td = el("td");
      if (aligns[column]) td.style.textAlign = aligns[column];
      renderInline(cells[column] ?? "", td, options, 0);
      row.append(td);
    });
    tbody.append(row);
    i += 1;
  }
  table.append(tbody);
  wrap.append(table);
  parent.append(wrap);
  return i;
}

function renderList(lines, start, parent, options, depth) {
  const first = ITEM.exec(lines[start]);
  const baseIndent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const list = el(ordered ? "ol" : "ul");
  if (ordered) {
    const startNumber = Number.parseInt(first[2], 10);
    if (startNumber !== 1) list.start = startNumber;
  }
  let i = start;
  let loose = false;
  while (i < lines.length) {
    const match = ITEM.exec(lines[i]);
    if (!match || match[1].length !== baseIndent || /\d/.test(match[2]) !== ordered) break;
    const contentIndent = match[1].length + match[2].length + 1;
    const body = [match[3]];
    i += 1;
    while (i < lines.length) {
      const next = lines[i];
      if (!next.trim()) {
        // A blank line continues the item only if indented content follows.
        const after = lines[i + 1];
        if (after !== undefined && after.trim() && leading(after) >= contentIndent) {
          loose = true;
          body.push("");
          i += 1;
          continue;
        }
        break;
      }
      const nested = ITEM.exec(next);
      if (nested && nested[1].length <= baseIndent) break;
      if (leading(next) < contentIndent && !nested && (HEADING.test(next) || FENCE.test(next) || QUOTE.test(next))) break;
      body.push(leading(next) >= contentIndent ? next.slice(contentIndent) : next.trimStart());
      i += 1;
    }
    const li = el("li");
    if (depth < MAX_DEPTH) renderBlocks(body, li, options, depth + 1);
    else li.textContent = body.join("\n");
    list.append(li);
    if (i < lines.length && !lines[i].trim()) {
      const after = lines[i + 1];
      const continues = after !== undefined && ITEM.exec(after)?.[1].length === baseIndent;
      if (!continues) break;
      loose = true;
      i += 1;
    }
  }
  if (!loose) {
    // Tight list: items hold their text directly, not in paragraphs.
    for (const li of list.children) {
      const only = li.firstElementChild;
      if (only && only.tagName === "P" && li.firstChild === only) only.replaceWith(...only.childNodes);
    }
  }
  parent.append(list);
  return i;
}

function leading(line) {
  return line.length - line.trimStart().length;
}

// ---- inline ---------------------------------------------------------------------------------

const ESCAPABLE = "\\`*_{}[]()#+-.!|~<>\"'";
// A bare URL stops at spaces, quotes, angle brackets and Hangul (Korean particles follow URLs).
const BARE_URL = /^https?:\/\/[^\s<>"'\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+/i;
// The server's citation mark (dari/chat/assistant/marks.py): "," or a full-width "，" separates.
// The one pattern of the web app (conversations.js strips it from previews).
export const CITATION_MARK = /\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]/;
// A mark in running text: not a link's "[1](…)" nor a reference definition "[1]:".
const CITATION = new RegExp(`^${CITATION_MARK.source}(?![(:])`);

function renderInline(text, parent, options, depth) {
  let buffer = "";
  const flushText = () => {
    if (buffer) parent.append(document.createTextNode(buffer));
    buffer = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const rest = text.slice(i);
    if (ch === "\\" && i + 1 < text.length && ESCAPABLE.includes(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "\\" && text[i + 1] === "\n") {
      flushText();
      parent.append(el("br"));
      i += 2;
      continue;
    }
    if (ch === "\n") {
      flushText();
      parent.append(el("br"));
      i += 1;
      continue;
    }
    if (ch === "`") {
      const run = /^`+/.exec(rest)[0];
      const end = text.indexOf(run, i + run.length);
      if (end > -1) {
        flushText();
        const code = el("code", "md-inline-code");
        code.textContent = text.slice(i + run.length, end).replace(/^ (.+) $/, "$1");
        parent.append(code);
        i = end + run.length;
        continue;
      }
      buffer += run;
      i += run.length;
      continue;
    }
    if (ch === "[" || (ch === "!" && text[i + 1] === "[")) {
      const citation = ch === "[" ? CITATION.exec(rest) : null;
      if (citation && options.citation && !options.inLink) {
        const numbers = citation[1].split(/[,，]/).map((n) => Number.parseInt(n.trim(), 10));
        const nodes = numbers.map((n) => options.citation(n));
        if (nodes.every(Boolean)) {
          flushText();
          parent.append(...nodes);
          i += citation[0].length;
          continue;
        }
      }
      const link = options.inLink ? null : parseLink(text, ch === "!" ? i + 1 : i);
      if (link) {
        flushText();
        appendLink(parent, link, ch === "!", options, depth);
        i = link.end;
        continue;
      }
    }
    if (ch === "<") {
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(rest);
      if (auto && isWebUrl(auto[1]) && !options.inLink) {
        flushText();
        parent.append(makeAnchor(auto[1], auto[1]));
        i += auto[0].length;
        continue;
      }
    }
    if ((ch === "h" || ch === "H") && !options.inLink && (i === 0 || !/[\w/]/.test(text[i - 1]))) {
      const bare = BARE_URL.exec(rest);
      if (bare) {
        let url = bare[0];
        while (/[.,;:!?)\]}]$/.test(url) && !balanced(url)) url = url.slice(0, -1);
        while (/[.,;:!?]$/.test(url)) url = url.slice(0, -1);
        if (isWebUrl(url)) {
          flushText();
          parent.append(makeAnchor(url, url));
          i += url.length;
          continue;
        }
      }
    }
    if ((ch === "*" || ch === "_" || ch === "~") && depth < MAX_DEPTH) {
      const span = parseEmphasis(text, i);
      if (span) {
        flushText();
        const node = el(span.tag);
        renderInline(span.inner, node, options, depth + 1);
        parent.append(node);
        i = span.end;
        continue;
      }
    }
    buffer += ch;
    i += 1;
  }
  flushText();
}

function balanced(url) {
  return (url.match(/\(/g) || []).length >= (url.match(/\)/g) || []).length && url.endsWith(")");
}

/** [label](destination "title") starting at text[start] === "[". */
function parseLink(text, start) {
  if (text[start] !== "[") return null;
  let depth = 0;
  let k = start;
  for (; k < text.length; k += 1) {
    if (text[k] === "\\") {
      k += 1;
      continue;
    }
    if (text[k] === "[") depth += 1;
    else if (text[k] === "]") {
      depth -= 1;
      if (depth === 0) break;
    } else if (text[k] === "\n" && text[k + 1] === "\n") return null;
  }
  if (k >= text.length || text[k + 1] !== "(") return null;
  const label = text.slice(start + 1, k);
  let j = k + 2;
  let parens = 1;
  let destination = "";
  for (; j < text.length; j += 1) {
    if (text[j] === "(") parens += 1;
    else if (text[j] === ")") {
      parens -= 1;
      if (parens === 0) break;
    } else if (text[j] === "\n" && text[j + 1] === "\n") return null;
    destination += text[j];
  }
  if (j >= text.length) return null;
  let url = destination.trim();
  const titled = /^(\S+)\s+(["'(]).*\2?$/s.exec(url);
  if (titled) url = titled[1];
  if (url.startsWith("<") && url.endsWith(">")) url = url.slice(1, -1);
  return { label, url, end: j + 1, source: text.slice(start, j + 1) };
}

function appendLink(parent, link, isImage, options, depth) {
  // Control characters and spaces are how "java\tscript:" tricks work: such a URL is no link.
  const clean = !/[\u0000-\u0020\u007f-\u009f]/.test(link.url);
  if (!clean || !isWebUrl(link.url)) {
    // Not a web link (javascript:, data:, relative…): show exactly what was written, inert.
    parent.append(document.createTextNode((isImage ? "!" : "") + link.source));
    return;
  }
  const label = link.label.trim();
  if (isImage) {
    parent.append(makeAnchor(link.url, label ? `🖼 ${label}` : "🖼", true));
    return;
  }
  const anchor = makeAnchor(link.url, null, label && label !== link.url);
  if (label && label !== link.url && depth < MAX_DEPTH) {
    // Labels keep emphasis but never nested links (a link inside a label is shown as text).
    renderInline(label, anchor.firstChild, { inLink: true }, depth + 1);
  } else anchor.firstChild.textContent = link.url;
  parent.append(anchor);
}

function makeAnchor(url, label, showUrl = false) {
  const anchor = el("a", "md-link");
  anchor.setAttribute("href", url);
  anchor.setAttribute("target", "_blank");
  anchor.setAttribute("rel", "noopener noreferrer nofollow");
  const text = el("span", "md-link-text");
  if (label !== null) text.textContent = label;
  anchor.append(text);
  if (showUrl) {
    const shown = el("span", "md-link-url");
    shown.textContent = ` (${url})`;
    anchor.append(shown);
  }
  anchor.title = url;
  return anchor;
}

/** **strong**, __strong__, *em*, _em_, ~~del~~ at text[start]. */
function parseEmphasis(text, start) {
  const two = text.slice(start, start + 2);
  const candidates = [];
  if (two === "**" || two === "__") candidates.push([two, "strong"]);
  if (two === "~~") candidates.push([two, "del"]);
  if (text[start] === "*" || text[start] === "_") candidates.push([text[start], "em"]);
  for (const [marker, tag] of candidates) {
    if (marker[0] === "_" && start > 0 && /[\p{L}\p{N}]/u.test(text[start - 1])) continue; // snake_case
    const open = start + marker.length;
    if (open >= text.length || /\s/.test(text[open])) continue;
    let close = text.indexOf(marker, open + 1);
    while (close > -1) {
      const ok = !/\s/.test(text[close - 1]) && !(marker.length === 1 && text[close + 1] === marker) && text[close - 1] !== "\\";
      const wordAfter = marker[0] === "_" && /[\p{L}\p{N}]/u.test(text[close + marker.length] ?? "");
      if (ok && !wordAfter) break;
      close = text.indexOf(marker, close + 1);
    }
    if (close > open && !text.slice(open, close).includes("\n\n")) {
      return { tag, inner: text.slice(open, close), end: close + marker.length };
    }
  }
  return null;
}
