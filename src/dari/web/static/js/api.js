// JSON API calls with the session's token. A 401 triggers one refresh and one retry; if that
// fails the session ends (the app goes back to the login screen). Errors are problem+json.

import { expire, freshToken, refresh } from "./session.js";

export class ApiError extends Error {
  constructor(status, code, detail, problem = {}) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.problem = problem;
  }
}

async function problemOf(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    /* not JSON */
  }
  const code = body.code || (typeof body.detail === "string" && body.detail) || `http_${response.status}`;
  const detail = typeof body.detail === "string" ? body.detail : body.title || "";
  return new ApiError(response.status, code, detail, body);
}

/**
 * Call the API: api("/api/me"), api("/api/x", {method: "POST", json: {...}}).
 * Returns parsed JSON (null for 204). Throws ApiError.
 */
export async function api(path, { method = "GET", json, form, body, headers = {}, signal, auth = true } = {}) {
  const init = { method, signal, headers: { Accept: "application/json, application/problem+json", ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (form !== undefined) {
    init.body = form;
  } else if (body !== undefined) {
    init.body = body;
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (auth) {
      const token = await freshToken();
      if (!token) {
        expire("no_session");
        throw new ApiError(401, "session_expired", "");
      }
      init.headers.Authorization = `Bearer ${token}`;
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw new ApiError(0, "network", "");
    }
    if (response.status === 401 && auth && attempt === 0) {
      if (await refresh()) continue;
      expire("unauthorized");
      throw new ApiError(401, "session_expired", "");
    }
    if (!response.ok) throw await problemOf(response);
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    return type.includes("json") ? response.json() : response.text();
  }
  throw new ApiError(401, "session_expired", "");
}

/** The list inside a response, whatever the envelope: [...], {items}, {results}, {<key>}. */
export function listOf(body, ...keys) {
  if (Array.isArray(body)) return body;
  if (!body || typeof body !== "object") return [];
  for (const key of [...keys, "items", "results", "data"]) if (Array.isArray(body[key])) return body[key];
  return [];
}

/**
 * Upload with progress (fetch has no upload progress): resolves {status, body}.
 * onProgress(fraction 0..1). A 401 is retried once after a refresh.
 */
export function upload(path, formData, { onProgress, method = "POST" } = {}) {
  const send = async (retry) => {
    const token = await freshToken();
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.responseType = "text";
      xhr.setRequestHeader("Accept", "application/json, application/problem+json");
      if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
      });
      xhr.addEventListener("load", async () => {
        let body = null;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          body = null;
        }
        if (xhr.status === 401 && retry && (await refresh())) {
          send(false).then(resolve, reject);
          return;
        }
        if (xhr.status === 401) expire("unauthorized");
        resolve({ status: xhr.status, body });
      });
      xhr.addEventListener("error", () => resolve({ status: 0, body: null }));
      xhr.addEventListener("abort", () => resolve({ status: -1, body: null }));
      xhr.send(formData);
    });
  };
  return send(true);
}
