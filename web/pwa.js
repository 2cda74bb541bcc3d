// Makes Boss an installable web app: registers the service worker (./sw.js), which caches the
// UI shell and shows an offline page when the server does not answer. Browsers without service
// workers (or pages not served over HTTPS or from localhost) simply go without.
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err) => {
    console.warn('Boss: the offline page is not available:', err);
  });
}
