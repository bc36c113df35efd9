/* The fleet dispatch map: municipal vehicles over the twin's tiles, labelled with their
   plates (green on a trip, grey parked), refreshed from /api/fleet/vehicles; a click opens
   the vehicle's day. The table under the map is what a screen reader reads. */
(function () {
  "use strict";
  var node = document.getElementById("fl-config");
  if (!node || !window.maplibregl || !document.getElementById("fl-map")) { return; }
  var cfg = JSON.parse(node.textContent);
  function features(list) {
    return { type: "FeatureCollection", features: list.filter(function (v) {
      return v.lon !== null && v.lat !== null;
    }).map(function (v) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [v.lon, v.lat] },
        properties: { id: v.id, url: v.url, moving: v.on_trip ? "yes" : "no",
                      label: v.plate + (v.fuel_l !== null ? " · " + Math.round(v.fuel_l) + " l" : "") } };
    }) };
  }
  var map = new maplibregl.Map({
    container: "fl-map",
    style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
      twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
      vehicles: { type: "geojson", data: { type: "FeatureCollection", features: [] } }
    }, layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 6 } }
    ].concat(MistoMaps.twinLabels(["streets"]), [
      { id: "vehicles", type: "circle", source: "vehicles", paint: {
        "circle-radius": 10, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
        "circle-color": ["match", ["get", "moving"], "yes", "#2b8a3e", "#495057"] } },
      { id: "vehicle-labels", type: "symbol", source: "vehicles", layout: {
        "text-field": ["get", "label"], "text-font": ["DejaVuSans-Bold"], "text-size": 12,
        "text-offset": [0, -1.6], "text-allow-overlap": true },
        paint: { "text-color": "#1f2933", "text-halo-color": "#fff", "text-halo-width": 1.6 } }
    ]) },
    center: [35.16, 47.84], zoom: 12, attributionControl: false
  });
  window.fleetMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.on("click", "vehicles", function (e) {
    var f = e.features && e.features[0];
    if (f && f.properties.url) { window.location.href = f.properties.url; }
  });
  var fitted = false;
  function poll() {
    fetch(cfg.vehicles, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        window.fleetVehicles = list;
        var data = features(list);
        if (map.getSource("vehicles")) { map.getSource("vehicles").setData(data); }
        if (!fitted && data.features.length) {
          var bounds = new maplibregl.LngLatBounds();
          data.features.forEach(function (f) { bounds.extend(f.geometry.coordinates); });
          map.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
          fitted = true;
        }
      })
      .catch(function () { /* keep the last positions; the next poll tries again */ });
  }
  map.on("load", poll);
  setInterval(poll, (cfg.refresh_s || 10) * 1000);
})();
