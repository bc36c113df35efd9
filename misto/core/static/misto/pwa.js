/* The installable app on every page: the phone menu, the one service worker, "install" and
 * the offer made after a first action (notifications, home screen), never on a first visit. */
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-worker");
  var DISMISSED = "misto.offer.dismissed";

  /* --- Phone menu: a disclosure button; Escape or a click outside closes it. --- */
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  function setOpen(open, returnFocus) {
    toggle.setAttribute("aria-expanded", String(open));
    header.classList.toggle("is-open", open);
    toggle.querySelector(".menu-toggle-label").textContent =
      toggle.getAttribute(open ? "data-label-close" : "data-label-open");
    toggle.querySelector("use").setAttribute("href", open ? "#icon-close" : "#icon-menu");
    if (!open && returnFocus) { toggle.focus(); }
  }
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true", false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false, true);
      }
    });
    document.addEventListener("click", function (event) {
      if (toggle.getAttribute("aria-expanded") === "true" && !header.contains(event.target)) {
        setOpen(false, false);
      }
    });
  }

  /* --- The service worker: one, at the root, for the whole site. --- */
  var signedIn = document.body.getAttribute("data-signed-in") === "1";
  if ("serviceWorker" in navigator && workerUrl) {
    navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {});
    if (!signedIn) {
      // Whoever used this device before must not be readable offline now.
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) { registration.active.postMessage({ type: "signed-out" }); }
      });
    }
  }

  /* --- Add to home screen: Chromium's prompt, kept until the resident asks for it. --- */
  var installPrompt = null;
  var installButtons = document.querySelectorAll(".pwa-install");
  function showInstall(visible) {
    Array.prototype.forEach.call(installButtons, function (b) { b.hidden = !visible; });
  }
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    showInstall(true);
    offer();
  });
  window.addEventListener("appinstalled", function () { installPrompt = null; showInstall(false); });
  Array.prototype.forEach.call(installButtons, function (button) {
    button.addEventListener("click", function () {
      if (!installPrompt) { return; }
      installPrompt.prompt();
      installPrompt.userChoice.then(function () { installPrompt = null; showInstall(false); });
    });
  });

  /* --- The offer after a first action: a success message means the resident just did
   * something (sent a report, saved subscriptions). --- */
  var panel = document.querySelector(".pwa-offer");
  function remembered() {
    try { return window.localStorage.getItem(DISMISSED) === "1"; } catch (e) { return false; }
  }
  function remember() {
    try { window.localStorage.setItem(DISMISSED, "1"); } catch (e) { /* private mode */ }
  }
  function pushOffered() {
    return signedIn && window.mistoPush && window.mistoPush.supported() &&
      window.Notification && Notification.permission === "default";
  }
  function offer() {
    if (!panel || remembered() || !document.querySelector(".message-success")) { return; }
    var push = panel.querySelector(".pwa-push");
    push.hidden = !pushOffered();
    if (push.hidden && !installPrompt) { return; }
    panel.hidden = false;
  }
  if (panel) {
    panel.querySelector(".pwa-dismiss").addEventListener("click", function () {
      remember();
      panel.hidden = true;
    });
    panel.querySelector(".pwa-push").addEventListener("click", function () {
      var status = panel.querySelector(".pwa-offer-status");
      window.mistoPush.subscribe().then(function (ok) {
        status.textContent = ok ? "✓" : "✗";
        panel.querySelector(".pwa-push").hidden = true;
        remember();
      }).catch(function (error) { status.textContent = String(error); });
    });
    // push.js loads after this script (both deferred): offer once everything is there.
    window.addEventListener("DOMContentLoaded", offer);
  }
})();
