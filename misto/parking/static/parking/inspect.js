/* The inspector's phone: ask where the phone is as the page opens (and again before each
   check), so the check needs only the plate; without a position the inspector picks the lot. */
(function () {
  "use strict";
  var form = document.getElementById("inspect-form");
  if (!form) { return; }
  var lon = document.getElementById("f-lon"), lat = document.getElementById("f-lat");
  var where = document.getElementById("inspect-where");
  function locate() {
    if (!navigator.geolocation) { where.textContent = where.getAttribute("data-none"); return; }
    where.textContent = where.getAttribute("data-waiting");
    navigator.geolocation.getCurrentPosition(function (pos) {
      lon.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      where.textContent = where.getAttribute("data-found");
    }, function () { where.textContent = where.getAttribute("data-none"); },
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 });
  }
  locate();
  form.addEventListener("submit", function () { if (!lon.value) { locate(); } });
})();
