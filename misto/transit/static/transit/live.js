/* The live transport map: vehicles over the twin's tiles, coloured by how many seats are
   free, moving as their positions come in (every few seconds from /api/transit/vehicles);
   a route filter; stops as small dots that open the stop's page. Also fills the table of
   vehicles under the map, which is what a screen reader reads. */
(function () {
  "use strict";
  var node = document.getElementById("tr-config");
  if (!node) { return; }
  var cfg = JSON.parse(node.textContent);
  var texts = {};
  var tpl = document.getElementById("tr-texts");
  if (tpl) {
    Array.prototype.forEach.call(tpl.content.querySelectorAll("[data-k]"), function (el) {
      texts[el.getAttribute("data-k")] = el.textContent;
    });
  }
  var routeSelect = document.getElementById("tr-route");
  var rows = document.getElementById("tr-vehicle-rows");
  var latest = [];

  function seatsClass(v) {
    var s = v.load && v.load.occupancy_status;
    if (s === "EMPTY" || s === "MANY_SEATS_AVAILABLE") { return "many"; }
    if (s === "FEW_SEATS_AVAILABLE") { return "few"; }
    if (s && s !== "NO_DATA_AVAILABLE") { return "full"; }
    return "none";
  }
  function delayText(s) {
    if (s === null || s === undefined) { return "—"; }
    var m = Math.round(s / 60);
    if (m === 0) { return texts.ontime || "on time"; }
    return m > 0 ? m + " " + (texts.late || "min late") : (-m) + " " + (texts.early || "min early");
  }
  function shown() {
    var route = routeSelect ? routeSelect.value : "";
    return latest.filter(function (v) { return !route || v.route_id === route; });
  }
  function features() {
    return { type: "FeatureCollection", features: shown().map(function (v) {
      var free = v.load && v.load.free_seats !== null ? v.load.free_seats : null;
      return { type: "Feature", geometry: { type: "Point", coordinates: [v.lon, v.lat] },
        properties: { id: v.id, route: v.route || "?", seats: seatsClass(v),
                      label: (v.route || "?") + (free !== null ? " · " + free : "") } };
    }) };
  }
  function fillTable() {
    if (!rows) { return; }
    var list = shown();
    rows.textContent = "";
    if (!list.length) {
      var tr = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = 4; td.textContent = texts.none || ""; tr.appendChild(td); rows.appendChild(tr);
      return;
    }
    list.forEach(function (v) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-vehicle", v.id);
      [v.route ? v.route + (v.headsign ? " → " + v.headsign : "") : "—", v.label,
       v.load && v.load.free_seats !== null ? v.load.free_seats + " · " + v.load.label
         : (texts.nodata || "—"),
       delayText(v.delay_s)].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        var th = rows.parentNode.querySelectorAll("thead th")[i];
        if (th) { td.setAttribute("data-label", th.textContent); }
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
  }

  var map = null;
  if (window.maplibregl && document.getElementById("tr-map")) {
    var stops = { type: "FeatureCollection", features: (cfg.stops || []).map(function (s) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [s.lon, s.lat] },
               properties: { name: s.name, url: s.url } };
    }) };
    var centre = cfg.stops && cfg.stops.length ? [cfg.stops[0].lon, cfg.stops[0].lat] : [35.16, 47.84];
    map = new maplibregl.Map({
      container: "tr-map",
      style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
        twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        stops: { type: "geojson", data: stops },
        vehicles: { type: "geojson", data: { type: "FeatureCollection", features: [] } }
      }, layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
        { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
        { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 6 } }
      ].concat(MistoMaps.twinLabels(["streets"]), [
        { id: "stops", type: "circle", source: "stops", paint: {
          "circle-radius": 5, "circle-color": "#1c7ed6", "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 } },
        { id: "vehicles", type: "circle", source: "vehicles", paint: {
          "circle-radius": 11, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
          "circle-color": ["match", ["get", "seats"], "many", "#2b8a3e", "few", "#e67700", "full", "#c92a2a", "#868e96"] } },
        { id: "vehicle-labels", type: "symbol", source: "vehicles", layout: {
          "text-field": ["get", "label"], "text-font": ["DejaVuSans-Bold"], "text-size": 12,
          "text-offset": [0, -1.7], "text-allow-overlap": true },
          paint: { "text-color": "#1f2933", "text-halo-color": "#fff", "text-halo-width": 1.6 } }
      ]) },
      center: centre, zoom: cfg.stops && cfg.stops.length === 1 ? 15 : 13, attributionControl: false
    });
    window.transitMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    if (cfg.stops && cfg.stops.length > 1) {
      var bounds = new maplibregl.LngLatBounds();
      cfg.stops.forEach(function (s) { bounds.extend([s.lon, s.lat]); });
      map.fitBounds(bounds, { padding: 30, maxZoom: 15, duration: 0 });
    }
    map.on("click", "stops", function (e) {
      var f = e.features && e.features[0];
      if (f && f.properties.url) { window.location.href = f.properties.url; }
    });
  }
  function draw() {
    fillTable();
    if (map && map.getSource("vehicles")) { map.getSource("vehicles").setData(features()); }
  }
  function poll() {
    fetch(cfg.vehicles, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { latest = list; window.transitVehicles = list; draw(); })
      .catch(function () { /* keep the last positions; the next poll tries again */ });
  }
  if (routeSelect) { routeSelect.addEventListener("change", draw); }
  if (map) { map.on("load", draw); }
  poll();
  setInterval(poll, (cfg.refresh_s || 5) * 1000);
})();
