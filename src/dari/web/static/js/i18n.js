// Messages: one catalog per language (/i18n/ko.json, /i18n/en.json). Korean is the default.

const STORAGE_KEY = "dari.lang";
export const LANGUAGES = ["ko", "en"];
let messages = {};
let fallback = {};
let current = "ko";

export function language() {
  return current;
}

function preferred() {
  const saved = localStorage.getItem(STORAGE_KEY);
  return LANGUAGES.includes(saved) ? saved : "ko";
}

async function fetchCatalog(lang) {
  const response = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status}`);
  return response.json();
}

/** Load the preferred language (and Korean as the fallback for any missing key). */
export async function initI18n(lang = preferred()) {
  current = LANGUAGES.includes(lang) ? lang : "ko";
  const [main, base] = await Promise.all([
    fetchCatalog(current),
    current === "ko" ? null : fetchCatalog("ko").catch(() => ({})),
  ]);
  messages = main;
  fallback = base || main;
  document.documentElement.lang = current;
  applyI18n(document);
}

export async function setLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang);
  await initI18n(lang);
  document.dispatchEvent(new CustomEvent("dari:language", { detail: { lang } }));
}

/** The message for `key`, with {name} placeholders filled in. Unknown keys show the key. */
export function t(key, params = {}) {
  const template = messages[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/** Fill elements marked data-i18n (text), data-i18n-placeholder, data-i18n-label, data-i18n-title. */
export function applyI18n(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

const numberFormats = {};
/** 1234567 → "1,234,567" in the current language. */
export function formatNumber(value, options = {}) {
  if (typeof value !== "number" || !Number.isFinite(value)) return value == null ? "" : String(value);
  const key = JSON.stringify(options);
  numberFormats[key] ??= new Intl.NumberFormat(current === "ko" ? "ko-KR" : "en-US", { maximumFractionDigits: 2, ...options });
  return numberFormats[key].format(value);
}

export function formatDate(value, withTime = true) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(current === "ko" ? "ko-KR" : "en-US", {
    year: "numeric", month: "2-digit", day: "2-digit",
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
  }).format(date);
}

/** "방금", "3분 전", "어제"… for the conversation list. */
export function formatRelative(value) {
  if (!value) return "";
  const date = new Date(value);
  const seconds = (Date.now() - date.getTime()) / 1000;
  if (Number.isNaN(seconds)) return "";
  const rtf = new Intl.RelativeTimeFormat(current === "ko" ? "ko" : "en", { numeric: "auto" });
  if (seconds < 60) return t("time.just_now");
  if (seconds < 3600) return rtf.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86400) return rtf.format(-Math.round(seconds / 3600), "hour");
  if (seconds < 86400 * 7) return rtf.format(-Math.round(seconds / 86400), "day");
  return formatDate(value, false);
}

export function formatBytes(bytes) {
  if (typeof bytes !== "number") return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${formatNumber(value, { maximumFractionDigits: unit ? 1 : 0 })} ${units[unit]}`;
}
