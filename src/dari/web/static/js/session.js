// The signed-in session: tokens in memory, mirrored in sessionStorage (this tab only, gone when
// the tab closes), refreshed before the access token expires. Nothing goes to localStorage.

const KEY = "dari.session";
let state = null; // {access_token, refresh_token, expires_at (ms)}
let timer = null;
let inflight = null;
const listeners = new Set();
const refreshListeners = new Set();

function save() {
  if (state) sessionStorage.setItem(KEY, JSON.stringify(state));
  else sessionStorage.removeItem(KEY);
}

function accept(body) {
  const ttl = Number(body.expires_in) > 0 ? Number(body.expires_in) : 900;
  state = {
    access_token: body.access_token,
    refresh_token: body.refresh_token ?? state?.refresh_token ?? null,
    expires_at: Date.now() + ttl * 1000,
    ttl,
  };
  save();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  if (!state?.refresh_token) return;
  // Refresh when 80% of the lifetime is used (at most a minute before expiry).
  const lead = Math.min(60, state.ttl * 0.2) * 1000;
  const delay = Math.max(1000, state.expires_at - Date.now() - lead);
  timer = setTimeout(() => refresh().catch(() => {}), delay);
}

/** Restore the session of this tab (after a reload). */
export function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (saved?.access_token) {
      state = saved;
      schedule();
    }
  } catch {
    state = null;
  }
  return Boolean(state);
}

export function isSignedIn() {
  return Boolean(state?.access_token);
}

/** True when the access token is expired or about to (10 s). */
export function isStale() {
  return !state || state.expires_at - Date.now() < 10_000;
}

export function accessToken() {
  return state?.access_token ?? null;
}

export class LoginError extends Error {
  constructor(code, retryAfter = 0) {
    super(code);
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** POST /api/auth/token (OAuth2 password form). Throws LoginError(code). */
export async function login(username, password) {
  let response;
  try {
    response = await fetch("/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ username, password, grant_type: "password" }),
    });
  } catch {
    throw new LoginError("network");
  }
  if (response.status === 429) throw new LoginError("locked", Number(response.headers.get("Retry-After")) || 0);
  if (response.status === 401 || response.status === 400 || response.status === 403) throw new LoginError("invalid");
  if (response.status === 422) throw new LoginError("invalid_input");
  if (!response.ok) throw new LoginError("server");
  accept(await response.json());
}

/** POST /api/auth/refresh; one at a time. Resolves true, or false (and ends the session). */
export function refresh() {
  if (inflight) return inflight;
  const token = state?.refresh_token;
  if (!token) return Promise.resolve(false);
  inflight = (async () => {
    try {
      const response = await fetch("/api/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (response.ok) {
        accept(await response.json());
        for (const listener of refreshListeners) listener();
        return true;
      }
      if (response.status >= 500) return false; // server trouble: keep the session, try later
      expire("refresh_rejected");
      return false;
    } catch {
      return false; // offline: the reconnect logic tries again
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

/** A usable access token, refreshed first when it is about to expire. */
export async function freshToken() {
  if (state && isStale()) await refresh();
  return accessToken();
}

/** End the session on the server (revokes the refresh token) and here. */
export async function logout() {
  const current = state;
  clear();
  if (current?.refresh_token) {
    try {
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${current.access_token}` },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      });
    } catch {
      /* offline: the refresh token expires on its own */
    }
  }
}

function clear() {
  clearTimeout(timer);
  state = null;
  save();
}

/** The session cannot continue (refresh refused, token rejected): tell the app. */
export function expire(reason = "expired") {
  const had = Boolean(state);
  clear();
  if (had || reason) for (const listener of listeners) listener(reason);
}

/** Called after each successful refresh (the chat socket re-authenticates with it). */
export function onRefreshed(listener) {
  refreshListeners.add(listener);
  return () => refreshListeners.delete(listener);
}

export function onExpired(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Phones freeze timers in the background: check the token when the page becomes visible again.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state && isStale()) refresh();
});
