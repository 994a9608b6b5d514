// Dari service worker: caches the app shell (pages, scripts, styles, icons, messages) so the app
// opens instantly and offline. It NEVER caches API or WebSocket traffic: answers, documents and
// ERP data are personal and must come fresh from the server with the user's token.
const VERSION = "__SHELL_VERSION__";
const CACHE = `dari-shell-${VERSION}`;
const PRECACHE = __PRECACHE__;
const SHELL = new Set(PRECACHE);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("dari-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  if (url.origin !== self.location.origin) return false;
  const path = url.pathname;
  if (path.startsWith("/api/") || path.startsWith("/ws/") || path === "/ws") return false;
  if (SHELL.has(path)) return true;
  if (path.startsWith("/admin/")) return true; // console pages are the same shell
  return path.startsWith("/static/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!isShell(url)) return; // the network answers directly; nothing is stored
  if (request.mode === "navigate") {
    // Pages: the network first (fresh after a deploy), the cached shell when offline.
    const shellPath = url.pathname.startsWith("/admin") ? "/admin" : "/";
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(shellPath, copy));
          }
          return response;
        })
        .catch(() => caches.match(shellPath)),
    );
    return;
  }
  // Scripts, styles, icons: this version's cache first, then the network.
  event.respondWith(
    caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit || fetch(request)),
  );
});
