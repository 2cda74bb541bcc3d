// The service worker of the installable web app. It caches the UI shell only (pages, scripts,
// styles, icons) and never an API answer: process lists, tokens and the like must not linger in
// a phone's cache, and stale ones would mislead. When the server does not answer a page load,
// it shows the "offline: Boss unreachable" page instead of the browser's error.
//
// Files are fetched from the network first (the server revalidates them cheaply with ETags, so
// an upgrade shows at once); the cached copy is used only when the network fails.

const CACHE = 'boss-shell-v1';
const OFFLINE_PAGE = '/offline.html';
// What the offline page needs, cached at install so that it shows even if never visited.
const PRECACHE = [OFFLINE_PAGE, '/styles/theme.css', '/styles/base.css', '/icons/icon-192.png', '/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** Whether a request is part of the UI shell (a file of the web UI on this server). */
function isShell(request) {
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  // The API, its documents and viewer, and the metrics are never cached.
  return !(url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname === '/metrics');
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (!isShell(request)) return; // the browser handles it, untouched
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && response.type === 'basic') {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(async () => {
        // A page load while Boss is down: the offline page, not a stale app that cannot work.
        if (request.mode === 'navigate') {
          return (await caches.match(OFFLINE_PAGE)) || Response.error();
        }
        return (await caches.match(request)) || Response.error();
      }),
  );
});
