/* The budget's map: district polygons (the round's pools) and the projects over the twin's
   tiles; a tap on a project opens it. On the proposal form (data-draw) a tap places a point,
   three or more taps draw an area, kept as GeoJSON in the hidden "place" field. */
(function () {
  "use strict";
  var node = document.getElementById("budget-config");
  var box = document.getElementById("budget-map");
  if (!node || !box || !window.maplibregl) { return; }
  var cfg = JSON.parse(node.textContent);
  var drawing = box.getAttribute("data-draw") === "1";
  var field = document.getElementById("id_place");
  var corners = [];

  function placeFeature() {
    if (corners.length === 0) { return { type: "FeatureCollection", features: [] }; }
    var geometry = corners.length < 3 ? { type: "Point", coordinates: corners[corners.length - 1] }
      : { type: "Polygon", coordinates: [corners.concat([corners[0]])] };
    return { type: "FeatureCollection", features: [{ type: "Feature", geometry: geometry, properties: {} }] };
  }

  var map = new maplibregl.Map({
    container: "budget-map",
    style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
      twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
      districts: { type: "geojson", data: cfg.districts },
      projects: { type: "geojson", data: cfg.projects },
      drawn: { type: "geojson", data: placeFeature() }
    }, layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "district-fill", type: "fill", source: "districts", paint: { "fill-color": "#3b6ea5", "fill-opacity": 0.08 } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 5 } },
      { id: "district-line", type: "line", source: "districts", paint: { "line-color": "#22456b", "line-width": 2, "line-dasharray": [3, 2] } },
      { id: "project-area", type: "fill", source: "projects", filter: ["!=", ["geometry-type"], "Point"],
        paint: { "fill-color": ["match", ["get", "status"], "winner", "#2b8a3e", "rejected", "#868e96", "#d9480f"], "fill-opacity": 0.35 } },
      { id: "project-point", type: "circle", source: "projects", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
                 "circle-color": ["match", ["get", "status"], "winner", "#2b8a3e", "rejected", "#868e96", "#d9480f"] } },
      { id: "drawn-area", type: "fill", source: "drawn", paint: { "fill-color": "#7048e8", "fill-opacity": 0.35 } },
      { id: "drawn-point", type: "circle", source: "drawn", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 8, "circle-color": "#7048e8", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } }
    ].concat(MistoMaps.twinLabels(["streets", "districts"])) },
    center: [35.16, 47.84], zoom: 11, attributionControl: false
  });
  window.budgetMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");

  var bounds = new maplibregl.LngLatBounds();
  function extend(coords) {
    if (typeof coords[0] === "number") { bounds.extend(coords); return; }
    coords.forEach(extend);
  }
  var fitTo = (cfg.projects.features.length && !drawing) ? cfg.projects : cfg.districts;
  fitTo.features.forEach(function (f) { extend(f.geometry.coordinates); });
  if (!bounds.isEmpty()) { map.fitBounds(bounds, { padding: 30, maxZoom: 16, duration: 0 }); }

  if (!drawing) {
    ["project-point", "project-area"].forEach(function (layer) {
      map.on("click", layer, function (e) {
        var f = e.features && e.features[0];
        if (f && f.properties.url) { window.location.href = f.properties.url; }
      });
    });
    return;
  }
  var words = JSON.parse((document.getElementById("budget-words") || {}).textContent || "{}");
  var said = document.getElementById("drawn");
  function update() {
    var collection = placeFeature();
    map.getSource("drawn").setData(collection);
    field.value = collection.features.length ? JSON.stringify(collection.features[0].geometry) : "";
    if (said) {
      said.textContent = corners.length === 0 ? "" : corners.length < 3 ? (words.point || "")
        : (words.area || "") + " " + corners.length;
    }
  }
  if (field && field.value) {
    try {
      var old = JSON.parse(field.value);
      corners = old.type === "Point" ? [old.coordinates] : old.coordinates[0].slice(0, -1);
    } catch (ignore) { corners = []; }
  }
  map.on("load", update);
  map.on("click", function (e) {
    var point = [Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))];
    corners.push(point);
    update();
  });
  var clear = document.getElementById("draw-clear");
  if (clear) { clear.addEventListener("click", function () { corners = []; update(); }); }
})();
