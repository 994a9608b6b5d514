// Shared by the chat app and the console: boot, login screen, language toggle, service worker.

import { $, $$ } from "./dom.js";
import { applyIcons } from "./icons.js";
import { initI18n, language, setLanguage, t } from "./i18n.js";
import { LoginError, login } from "./session.js";

export async function boot() {
  await initI18n();
  applyIcons(document);
  for (const button of $$(".lang-toggle")) {
    button.addEventListener("click", () => setLanguage(language() === "ko" ? "en" : "ko"));
  }
  // Buttons marked data-close close their dialog.
  document.addEventListener("click", (event) => {
    const closer = event.target.closest?.("[data-close]");
    if (closer) closer.closest("dialog")?.close();
  });
  registerServiceWorker();
  document.body.classList.remove("booting");
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    /* the app works without it */
  });
}

/** Messages for the login screen's notice, by why it is shown. */
const NOTICES = {
  expired: "login.expired",
  expired_draft: "login.expired_draft",
  logged_out: "login.logged_out",
};

/**
 * Show the login form; resolves after a successful login.
 * `reason` picks the notice shown above the form (session expired, logged out…).
 */
export function showLogin({ reason = null, view = $("#login-view"), hide = [] } = {}) {
  for (const el of hide) el.hidden = true;
  view.hidden = false;
  const notice = $("#login-notice");
  notice.hidden = !reason;
  if (reason) notice.textContent = t(NOTICES[reason] || "login.expired");
  const form = $("#login-form");
  const username = $("#login-username");
  const password = $("#login-password");
  const error = $("#login-error");
  const submit = $("#login-submit");
  password.value = "";
  error.hidden = true;
  (username.value ? password : username).focus();
  return new Promise((resolve) => {
    const onSubmit = async (event) => {
      event.preventDefault();
      error.hidden = true;
      if (!username.value.trim() || !password.value) {
        error.textContent = t("login.missing");
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      submit.textContent = t("login.signing_in");
      try {
        await login(username.value.trim(), password.value);
        form.removeEventListener("submit", onSubmit);
        password.value = "";
        view.hidden = true;
        resolve(username.value.trim());
      } catch (failure) {
        const code = failure instanceof LoginError ? failure.code : "server";
        error.textContent = code === "locked" && failure.retryAfter
          ? t("login.locked_for", { minutes: Math.max(1, Math.ceil(failure.retryAfter / 60)) })
          : t(`login.error_${code}`);
        error.hidden = false;
        password.select();
      } finally {
        submit.disabled = false;
        submit.textContent = t("login.submit");
      }
    };
    form.addEventListener("submit", onSubmit);
  });
}

/** Initials for the avatar: "김다리" → "다리", "Kim Dari" → "KD". */
export function initials(name) {
  const text = String(name || "").trim();
  if (!text) return "?";
  if (/[\uAC00-\uD7AF]/.test(text)) return text.length > 2 ? text.slice(-2) : text;
  return text.split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
}
