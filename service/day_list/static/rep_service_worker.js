// The rep's phone app without a connection: every page and file of the app that loads is also kept on the phone
// (Cache Storage), and served from there when the network fails, so a day opened once opens again in a lift or a
// basement. Online, the network always answers first: nothing shown is older than it must be. Outcomes are never
// cached: the page keeps them in its outbox and sends them when the connection returns.
"use strict";
const CACHE = "routeplan-rep-app-v1"; // kept across updates: a new name would drop the day pages kept offline
const APP_FILES = [
  "/web/static/vendor/leaflet/leaflet.css",
  "/web/static/vendor/leaflet/leaflet.js",
  "/web/static/web.css",
  "/web/static/rep_app.css",
  "/web/static/day_page.js",
  "/web/static/rep_offline.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(APP_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const old = caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))));
  event.waitUntil(old.then(() => self.clients.claim()));
});

function kept(url) {
  return url.pathname.startsWith("/web/static/") || /^\/reps\/\d+\/day\//.test(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !kept(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(request).then((hit) => hit || Response.error()))
  );
});
