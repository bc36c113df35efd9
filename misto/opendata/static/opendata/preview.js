/* A dataset's map preview: its GeoJSON file over the twin's tiles (points as dots, lines
   and areas outlined), fitted to the features; a tap shows a feature's properties. */
(function () {
  "use strict";
  var node = document.getElementById("od-map-config");
  if (!node || !window.maplibregl || !document.getElementById("od-map")) { return; }
  var cfg = JSON.parse(node.textContent);
  var map = new maplibregl.Map({
    container: "od-map",
    style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
      twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
      data: { type: "geojson", data: { type: "FeatureCollection", features: [] } }
    }, layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 4 } },
      { id: "areas", type: "fill", source: "data", filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": "#1c7ed6", "fill-opacity": 0.15 } },
      { id: "outlines", type: "line", source: "data", filter: ["!=", ["geometry-type"], "Point"],
        paint: { "line-color": "#1c7ed6", "line-width": 2 } },
      { id: "points", type: "circle", source: "data", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 6, "circle-color": "#1c7ed6", "circle-stroke-color": "#fff",
                 "circle-stroke-width": 1.5 } }
    ].concat(MistoMaps.twinLabels(["streets", "districts"])) },
    center: [30.52, 50.45], zoom: 11, attributionControl: false
  });
  window.opendataMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  var loaded = new Promise(function (resolve) { map.on("load", resolve); });
  Promise.all([fetch(cfg.data).then(function (r) { return r.json(); }), loaded]).then(function (both) {
    var collection = both[0];
    map.getSource("data").setData(collection);
    var bounds = new maplibregl.LngLatBounds();
    (collection.features || []).forEach(function (f) {
      var g = f.geometry;
      if (!g) { return; }
      JSON.stringify(g.coordinates).replace(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g, function (pair) {
        var xy = pair.split(",").map(Number);
        bounds.extend(xy);
        return pair;
      });
    });
    if (!bounds.isEmpty()) { map.fitBounds(bounds, { padding: 30, maxZoom: 16, duration: 0 }); }
  });
  ["points", "outlines", "areas"].forEach(function (layer) {
    map.on("click", layer, function (e) {
      var f = e.features && e.features[0];
      if (!f) { return; }
      var rows = Object.keys(f.properties).map(function (k) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = k; dd.textContent = f.properties[k];
        return [dt, dd];
      });
      var dl = document.createElement("dl");
      rows.forEach(function (pair) { dl.appendChild(pair[0]); dl.appendChild(pair[1]); });
      new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(dl).addTo(map);
    });
  });
})();
