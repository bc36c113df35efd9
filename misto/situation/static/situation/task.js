/* The crew's task map: the place as a red dot over the twin's own tiles. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("task-config").textContent);
  if (!cfg.point || !window.maplibregl) { return; }
  var here = [cfg.point.lon, cfg.point.lat];
  var map = new maplibregl.Map({
    container: "task-map",
    style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
      twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
      place: { type: "geojson", data: { type: "Feature", geometry: { type: "Point", coordinates: here }, properties: {} } }
    }, layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d8ccb9" } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 8 } },
      { id: "landmarks", type: "circle", source: "twin", "source-layer": "landmarks", paint: { "circle-radius": 3, "circle-color": "#d9480f" } }
    ].concat(MistoMaps.twinLabels(), [
      { id: "place", type: "circle", source: "place", paint: { "circle-radius": 10, "circle-color": "#c92a2a", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } }
    ]) },
    center: here, zoom: 17, attributionControl: false
  });
  window.taskMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
})();
