/* Web Push in this browser, through the site's one service worker (/sw.js, scope "/"):
 * window.mistoPush.subscribe() asks for permission, subscribes with the VAPID key and
 * registers the subscription; the settings page's button and the offer made after a first
 * action (misto/pwa.js) both use it. */
(function () {
  "use strict";
  var KEY_URL = "/api/notifications/push/key";
  var SUBSCRIPTIONS_URL = "/api/notifications/push/subscriptions";
  var LEGACY_SCOPE = "/notices/";

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window;
  }
  function csrf() {
    return decodeURIComponent((document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "");
  }
  function key(b64) {
    var pad = "=".repeat((4 - b64.length % 4) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function subscribeWith(registration) {
    return fetch(KEY_URL).then(function (r) { return r.json(); }).then(function (body) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: key(body.public_key)
      });
    }).then(function (subscription) {
      return fetch(SUBSCRIPTIONS_URL, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(subscription.toJSON())
      });
    }).then(function (response) { return response.ok; });
  }
  function subscribe() {
    return navigator.serviceWorker.ready.then(subscribeWith);
  }

  /* Browsers that subscribed through the old worker (scope /notices/) move to the root one:
   * the old registration is removed and the subscription made again under "/". */
  function migrateLegacy() {
    if (!supported() || !navigator.serviceWorker.getRegistrations) { return; }
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        if (new URL(registration.scope).pathname !== LEGACY_SCOPE) { return; }
        registration.pushManager.getSubscription().then(function (old) {
          return registration.unregister().then(function () {
            if (old && window.Notification && Notification.permission === "granted") {
              return subscribe();
            }
          });
        }).catch(function () {});
      });
    });
  }

  window.mistoPush = { supported: supported, subscribe: subscribe };
  if (document.body.getAttribute("data-signed-in") === "1") { migrateLegacy(); }

  var button = document.getElementById("push-enable");
  var status = document.getElementById("push-status");
  if (!button || !supported()) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    subscribe().then(function (ok) { status.textContent = ok ? "✓" : "✗"; })
      .catch(function (e) { status.textContent = String(e); });
  });
})();
