/* Misto's one service worker (served at /sw.js by misto.core.pwa): the app shell, the pages
 * a resident needs offline (network first, cache as fallback) and Web Push. */
"use strict";
var CONFIG = {{ config|safe }};
var SHELL = "misto-shell-" + CONFIG.version;
var PAGES = "misto-pages";
var PERSONAL = "misto-personal";
var KEEP = [SHELL, PAGES, PERSONAL];

function pathOf(url) { return new URL(url, self.location.origin).pathname; }
function isPersonal(path) { return CONFIG.personal.indexOf(path) !== -1; }
function isKept(path) { return CONFIG.pages.indexOf(path) !== -1 || isPersonal(path); }

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () {
        // Public offline pages are fetched now, so the shelters list is there even before
        // it was opened; one that fails (a module mid-deploy) must not block the install.
        // Without cookies: the copy kept is the public page, not a signed-in person's, and
        // its answer cannot set back the CSRF cookie that a sign-in made meanwhile has
        // rotated (Django re-sends the cookie with every form it renders), which would
        // refuse the next form the person sends.
        return caches.open(PAGES).then(function (cache) {
          return Promise.all(CONFIG.pages.map(function (url) {
            return fetch(url, { credentials: "omit" }).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(url, response); }
            }).catch(function () {});
          }));
        });
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("misto-") === 0 && KEEP.indexOf(name) === -1;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  // The page says nobody is signed in: the previous resident's pages must go.
  if (event.data && event.data.type === "signed-out") {
    event.waitUntil(caches.delete(PERSONAL));
  }
});

function networkFirst(request) {
  var url = new URL(request.url);
  var path = url.pathname;
  return fetch(request).then(function (response) {
    // Kept under the bare address: a filtered view (?district=...) is not what to keep.
    if (isKept(path) && !url.search) {
      var store = isPersonal(path) ? PERSONAL : PAGES;
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(store).then(function (cache) { cache.put(path, copy); });
      } else if (response.redirected) {
        // Sent to the sign-in page: what was kept for this address is no longer theirs.
        caches.open(store).then(function (cache) { cache.delete(path); });
      }
    }
    return response;
  }).catch(function () {
    return caches.match(path)
      .then(function (kept) { return kept || caches.match(CONFIG.offline); })
      .then(function (fallback) { return fallback || Response.error(); });
  });
}

function staleWhileRevalidate(request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (kept) { fresh.catch(function () {}); return kept; }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(staleWhileRevalidate(request));
  }
  // Anything else (the API, map tiles, live updates) goes to the network untouched.
});

/* Web Push: a message from misto.notifications (title, body, url, urgent). */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data.json(); } catch (e) { data = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Misto", {
    body: data.body || "", icon: CONFIG.icon, badge: CONFIG.icon,
    data: { url: data.url || CONFIG.default_url },
    requireInteraction: !!data.urgent
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = event.notification.data && event.notification.data.url || CONFIG.default_url;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (pathOf(windows[i].url) === pathOf(target) && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(target);
    }));
});
