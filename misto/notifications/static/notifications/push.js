/* Offer Web Push in this browser: register /notices/sw.js, subscribe with the VAPID key. */
(function () {
  "use strict";
  var button = document.getElementById("push-enable");
  var status = document.getElementById("push-status");
  if (!button || !("serviceWorker" in navigator) || !("PushManager" in window)) { return; }
  button.hidden = false;
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  function key(b64) {
    var pad = "=".repeat((4 - b64.length % 4) % 4);
    var raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  button.addEventListener("click", function () {
    Promise.all([
      navigator.serviceWorker.register("/notices/sw.js", { scope: "/notices/" }),
      fetch("/api/notifications/push/key").then(function (r) { return r.json(); })
    ]).then(function (both) {
      return both[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(both[1].public_key) });
    }).then(function (sub) {
      return fetch("/api/notifications/push/subscriptions", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": decodeURIComponent(csrf) },
        body: JSON.stringify(sub.toJSON())
      });
    }).then(function (r) { status.textContent = r.ok ? "✓" : String(r.status); })
      .catch(function (e) { status.textContent = String(e); });
  });
})();
