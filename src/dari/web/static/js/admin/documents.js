// Documents: drag-and-drop upload of many files with per-file progress, live ingestion status,
// access lists, reindex, delete and a preview of the extracted text.

import { api, listOf, upload } from "../api.js";
import { clear, h, toast } from "../dom.js";
import { formatBytes, formatDate, formatNumber, t } from "../i18n.js";
import { icon } from "../icons.js";
import { confirmDialog, load, modal, pageHeader, statusBadge, table } from "./ui.js";

const FINAL = new Set(["indexed", "failed"]);
const PARALLEL_UPLOADS = 3;
const POLL_MS = 1000;
let departments = [];
let roles = [];
let refreshList = () => {};

export async function render(page) {
  try {
    [departments, roles] = await Promise.all([
      api("/api/admin/departments").then((b) => listOf(b, "departments")).catch(() => []),
      api("/api/admin/roles").then((b) => listOf(b, "roles")).catch(() => []),
    ]);
  } catch {
    departments = [];
  }
  const access = accessPicker();
  const queue = h("ul", { class: "upload-queue", "aria-label": t("admin.docs.queue") });
  const input = h("input", { type: "file", multiple: true, id: "file-input", class: "sr-only", "aria-label": t("admin.docs.choose") });
  const zone = h("div", { class: "dropzone", id: "dropzone", tabindex: "0", role: "button", "aria-label": t("admin.docs.drop_label") },
    h("div", { class: "dropzone-icon" }, icon("upload", { size: 32 })),
    h("strong", { text: t("admin.docs.drop") }),
    h("span", { class: "muted", text: t("admin.docs.formats") }));
  zone.addEventListener("click", () => input.click());
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  for (const type of ["dragenter", "dragover"]) zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    enqueue([...(event.dataTransfer?.files || [])], queue, access.value());
  });
  input.addEventListener("change", () => {
    enqueue([...input.files], queue, access.value());
    input.value = "";
  });

  const status = h("select", { class: "input", "aria-label": t("admin.docs.filter_status") },
    h("option", { value: "", text: t("admin.docs.all_status") }),
    ...["queued", "parsing", "chunking", "embedding", "indexed", "failed"].map((s) => h("option", { value: s, text: t(`status.${s}`) })));
  const search = h("input", { type: "search", class: "input", placeholder: t("admin.docs.search"), "aria-label": t("admin.docs.search") });
  const listHost = h("div", { id: "document-list" });
  refreshList = () => {
    const params = new URLSearchParams({ limit: "100" });
    if (status.value) params.set("status", status.value);
    if (search.value.trim()) params.set("q", search.value.trim());
    return load(listHost, `/api/documents?${params}`, (body) => drawList(listHost, listOf(body, "documents")));
  };
  status.addEventListener("change", refreshList);
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refreshList, 300);
  });

  clear(page).append(
    pageHeader(t("admin.section.documents"), t("admin.docs.description")),
    h("section", { class: "card upload-card" },
      h("h2", { class: "card-title", text: t("admin.docs.upload") }),
      h("div", { class: "upload-grid" }, zone, h("div", {}, access.element)),
      input, queue),
    h("section", { class: "card" },
      h("div", { class: "toolbar" }, h("h2", { class: "card-title", text: t("admin.docs.list") }), search, status,
        h("button", { type: "button", class: "btn", text: t("common.refresh"), onclick: () => refreshList() })),
      listHost),
  );
  refreshList();
}

/** Who may read a document: everyone, or chosen departments / roles. */
function accessPicker(initial = null) {
  const isPublic = !initial || initial.public === true || (!initial.departments?.length && !initial.roles?.length && !initial.users?.length);
  const mode = h("select", { class: "input", name: "access-mode", "aria-label": t("admin.docs.access") },
    h("option", { value: "public", text: t("admin.docs.access_public"), selected: isPublic }),
    h("option", { value: "restricted", text: t("admin.docs.access_restricted"), selected: !isPublic }));
  const chosenDepts = new Set((initial?.departments || []).map((d) => (typeof d === "string" ? d : d.id)));
  const chosenRoles = new Set(initial?.roles || []);
  const deptBoxes = departments.map((d) => h("label", { class: "check" },
    h("input", { type: "checkbox", value: d.id, checked: chosenDepts.has(d.id) || chosenDepts.has(d.code) }), h("span", { text: d.name })));
  const roleBoxes = roles.map((r) => h("label", { class: "check" },
    h("input", { type: "checkbox", value: r.name, checked: chosenRoles.has(r.name) }), h("span", { text: r.name })));
  const subs = h("input", { type: "checkbox", checked: initial?.include_subdepartments !== false });
  const details = h("div", { class: "access-details", hidden: isPublic },
    h("p", { class: "eyebrow", text: t("admin.docs.access_departments") }), h("div", { class: "check-grid" }, ...deptBoxes),
    h("label", { class: "check" }, subs, h("span", { text: t("admin.docs.include_subdepartments") })),
    h("p", { class: "eyebrow", text: t("admin.docs.access_roles") }), h("div", { class: "check-grid" }, ...roleBoxes));
  mode.addEventListener("change", () => {
    details.hidden = mode.value === "public";
  });
  return {
    element: h("div", { class: "access-picker" }, h("label", { class: "field" }, h("span", { text: t("admin.docs.access") }), mode), details),
    value: () => {
      if (mode.value === "public") return { public: true };
      const checked = (boxes) => boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
      return { public: false, departments: checked(deptBoxes), include_subdepartments: subs.checked, roles: checked(roleBoxes), users: initial?.users || [] };
    },
  };
}

// ---- uploads ----------------------------------------------------------------------------------

const waiting = [];
let running = 0;

function enqueue(files, queue, access) {
  for (const file of files) {
    const progress = h("progress", { max: 100, value: 0, "aria-label": t("admin.docs.progress_of", { name: file.name }) });
    const state = h("span", { class: "upload-state", text: t("admin.docs.waiting") });
    const message = h("p", { class: "upload-message", role: "alert", hidden: true });
    const row = h("li", { class: "upload-item", dataset: { name: file.name } },
      h("div", { class: "upload-line" }, h("span", { class: "upload-name", text: file.name }), h("span", { class: "muted", text: formatBytes(file.size) }), state),
      progress, message);
    queue.append(row);
    waiting.push({ file, access, row, progress, state, message });
  }
  pump();
}

function pump() {
  while (running < PARALLEL_UPLOADS && waiting.length) {
    const job = waiting.shift();
    running += 1;
    send(job).finally(() => {
      running -= 1;
      pump();
    });
  }
}

async function send({ file, access, row, progress, state, message }) {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("access", JSON.stringify(access));
  state.replaceChildren(statusBadge("uploading"));
  const { status, body } = await upload("/api/documents", form, {
    onProgress: (fraction) => {
      progress.value = Math.round(fraction * 100);
    },
  });
  if (status >= 200 && status < 300 && body) {
    progress.value = 100;
    row.classList.add("uploaded");
    const document = body.document || body;
    row.dataset.documentId = document.id;
    showStatus(document, state, progress, message, row);
    if (!FINAL.has(document.status)) poll(document.id, state, progress, message, row);
    else refreshList();
    return;
  }
  row.classList.add("failed");
  progress.value = 0;
  state.replaceChildren(statusBadge("failed"));
  message.hidden = false;
  message.textContent = uploadError(status, body);
}

/** A sentence for the admin, in their language; the server's specifics follow in brackets. */
function uploadError(status, body) {
  const detail = body?.detail ? ` (${body.detail})` : "";
  if (status === 413) return t("admin.docs.too_large") + detail;
  if (status === 415) return t("admin.docs.bad_type") + detail;
  if (status === 400 && body?.code === "empty_file") return t("admin.docs.empty_file");
  if (status === 403) return t("admin.docs.forbidden");
  if (status === 0) return t("error.network");
  return body?.detail || body?.title || t("error.generic");
}

function showStatus(document, state, progress, message, row) {
  const value = document.status || "queued";
  row.dataset.status = value;
  const done = document.chunks_done ?? document.progress?.done;
  const total = document.chunks_total ?? document.progress?.total;
  const parts = [statusBadge(value)];
  if (total && !FINAL.has(value)) parts.push(h("span", { class: "muted", text: ` ${formatNumber(done || 0)}/${formatNumber(total)}` }));
  state.replaceChildren(...parts);
  if (value === "failed") {
    message.hidden = false;
    message.textContent = document.error || t("admin.docs.ingest_failed");
  }
}

async function poll(id, state, progress, message, row) {
  let missing = 0;
  for (let attempt = 0; attempt < 900; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!row.isConnected) return;
    try {
      const document = await api(`/api/documents/${encodeURIComponent(id)}`);
      showStatus(document, state, progress, message, row);
      if (FINAL.has(document.status)) {
        refreshList();
        return;
      }
    } catch (error) {
      if (error.code === "session_expired") return;
      // A 404 right after the upload can be the commit landing a moment late; later, deleted.
      if (error.status === 404 && (missing += 1) > 5) return;
    }
  }
}

// ---- the list ---------------------------------------------------------------------------------

function drawList(host, documents) {
  host.append(table([
    { label: t("admin.docs.title"), class: "wrap", value: (d) => h("div", {}, h("strong", { text: d.title || d.id }), d.source_path && d.source_path !== d.title ? h("div", { class: "muted small", text: d.source_path }) : null) },
    { label: t("admin.docs.type"), value: (d) => (d.doc_type || d.type || "").toUpperCase() },
    { label: t("admin.docs.size"), class: "num", value: (d) => formatBytes(d.size_bytes ?? d.size) },
    { label: t("admin.docs.status"), class: "wrap", value: (d) => h("div", {}, statusBadge(d.status),
      d.status === "failed" && d.error ? h("div", { class: "small form-error", text: d.error }) : null,
      d.warnings?.length ? h("div", { class: "small muted", text: t("admin.docs.warnings", { list: d.warnings.join(", ") }) }) : null) },
    { label: t("admin.docs.chunks"), class: "num", value: (d) => formatNumber(d.chunk_count ?? d.chunks_total ?? d.chunks ?? "") },
    { label: t("admin.docs.access"), value: (d) => accessSummary(d.access) },
    { label: t("admin.docs.updated"), value: (d) => formatDate(d.updated_at || d.created_at) },
    { label: "", class: "actions", value: (d) => h("div", { class: "row-actions" },
      h("button", { type: "button", class: "btn btn-small", text: t("admin.docs.preview"), onclick: () => preview(d) }),
      // Managing buttons only where the server says this user may manage (`can_manage`).
      d.can_manage === false ? null : h("button", { type: "button", class: "btn btn-small", text: t("admin.docs.access_edit"), onclick: () => editAccess(d) }),
      d.can_manage === false ? null : h("button", { type: "button", class: "btn btn-small", text: t("admin.docs.reindex"), onclick: () => reindex(d) }),
      d.can_manage === false ? null : h("button", { type: "button", class: "btn btn-small btn-danger-ghost", text: t("common.delete"), onclick: () => remove(d) })) },
  ], documents, { empty: t("admin.docs.empty") }));
}

function accessSummary(access) {
  if (!access || access.public) return h("span", { class: "badge badge-ok", text: t("admin.docs.access_public_short") });
  const names = [
    ...(access.departments || []).map((d) => departments.find((x) => x.id === d || x.code === d)?.name || d.name || d),
    ...(access.roles || []).map((r) => `@${r}`),
  ];
  return h("span", { class: "badge badge-warn", title: names.join(", "), text: names.length ? names.slice(0, 2).join(", ") + (names.length > 2 ? ` +${names.length - 2}` : "") : t("admin.docs.access_restricted_short") });
}

async function preview(d) {
  const body = h("div", {}, h("p", { class: "muted", text: t("common.loading") }));
  modal(d.title || d.filename || "", body);
  for (const path of [`/api/documents/${d.id}/text?limit=200`]) {
    try {
      const result = await api(path);
      const chunks = listOf(result, "chunks");
      clear(body);
      if (!chunks.length) body.append(h("p", { class: "muted", text: t("admin.docs.no_text") }));
      for (const chunk of chunks.slice(0, 200)) {
        const where = [chunk.location?.page && t("location.page", { n: chunk.location.page }), chunk.location?.sheet && t("location.sheet", { name: chunk.location.sheet }),
          chunk.location?.slide && t("location.slide", { n: chunk.location.slide }), (chunk.heading_path || []).join(" › ")].filter(Boolean).join(" · ");
        body.append(h("div", { class: "preview-chunk" }, where ? h("p", { class: "eyebrow", text: where }) : null, h("p", { class: "snippet", text: chunk.text ?? chunk.content ?? "" })));
      }
      return;
    } catch (error) {
      if (error.status !== 404 && error.status !== 405) {
        clear(body).append(h("p", { class: "form-error", text: error.detail || t("error.generic") }));
        return;
      }
    }
  }
  clear(body).append(h("p", { class: "muted", text: t("admin.docs.no_text") }));
}

function editAccess(d) {
  const picker = accessPicker(d.access);
  const save = h("button", { type: "button", class: "btn btn-primary", text: t("common.save") });
  const dialog = modal(t("admin.docs.access_for", { title: d.title || "" }), picker.element, [save]);
  save.addEventListener("click", async () => {
    try {
      await api(`/api/documents/${d.id}`, { method: "PATCH", json: { access: picker.value() } });
      dialog.close();
      toast(t("admin.docs.access_saved"));
      refreshList();
    } catch (error) {
      toast(error.detail || t("error.generic"), "error");
    }
  });
}

async function reindex(d) {
  try {
    await api(`/api/documents/${d.id}/reindex`, { method: "POST" });
    toast(t("admin.docs.reindex_started"));
    refreshList();
  } catch (error) {
    toast(error.detail || t("error.generic"), "error");
  }
}

async function remove(d) {
  if (!(await confirmDialog(t("admin.docs.delete_confirm", { title: d.title || "" })))) return;
  try {
    await api(`/api/documents/${d.id}`, { method: "DELETE" });
    toast(t("admin.docs.deleted"));
    refreshList();
  } catch (error) {
    toast(error.detail || t("error.generic"), "error");
  }
}
