/* The directory's map: the places found as dots over the twin's tiles, green when open now;
   a tap opens the place's card. */
(function () {
  "use strict";
  var node = document.getElementById("dir-config");
  if (!node || !window.maplibregl || !document.getElementById("dir-map")) { return; }
  var cfg = JSON.parse(node.textContent);
  var points = cfg.points || [];
  var features = points.map(function (p) {
    return { type: "Feature", geometry: { type: "Point", coordinates: [p.lon, p.lat] },
             properties: { name: p.name, status: p.status, url: p.url, open: p.open ? 1 : 0 } };
  });
  var centre = points.length ? [points[0].lon, points[0].lat] : [35.16, 47.84];
  var map = new maplibregl.Map({
    container: "dir-map",
    style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
      twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
      places: { type: "geojson", data: { type: "FeatureCollection", features: features } }
    }, layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 6 } }
    ].concat(MistoMaps.twinLabels(["streets"]), [
      { id: "places", type: "circle", source: "places", paint: {
        "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
        "circle-color": ["case", ["==", ["get", "open"], 1], "#2b8a3e", "#868e96"] } }
    ]) },
    center: centre, zoom: points.length === 1 ? 16 : 13, attributionControl: false
  });
  window.directoryMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  if (points.length > 1) {
    var bounds = new maplibregl.LngLatBounds();
    points.forEach(function (p) { bounds.extend([p.lon, p.lat]); });
    map.fitBounds(bounds, { padding: 40, maxZoom: 16, duration: 0 });
  }
  map.on("click", "places", function (e) {
    var f = e.features && e.features[0];
    if (f && f.properties.url) { window.location.href = f.properties.url; }
  });
})();
