/* IoT pages: a map of sensors over the twin's tiles, and a live SVG chart (no chart library). */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function drawMap(cfg) {
    var box = document.getElementById("iot-map");
    if (!box || !window.maplibregl || !cfg.points.length) { return; }
    var features = cfg.points.map(function (p) {
      return { type: "Feature", geometry: { type: "Point", coordinates: [p.lon, p.lat] },
               properties: { id: p.id, name: p.name, url: p.url } };
    });
    var map = new maplibregl.Map({
      container: box, attributionControl: false, center: [cfg.points[0].lon, cfg.points[0].lat],
      zoom: cfg.points.length > 1 ? 12 : 16,
      style: { version: 8, glyphs: MistoMaps.glyphs,
        sources: { twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], maxzoom: 16 },
                   devices: { type: "geojson", data: { type: "FeatureCollection", features: features } } },
        layers: [
          { id: "bg", type: "background", paint: { "background-color": "#eef1ea" } },
          { id: "districts", type: "line", source: "twin", "source-layer": "districts", paint: { "line-color": "#0b5cad", "line-dasharray": [3, 2] } },
          { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 3 } },
          { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d9d0c1" } }
        ].concat(MistoMaps.twinLabels(["districts", "streets", "addresses"]), [
          { id: "devices", type: "circle", source: "devices", paint: { "circle-radius": 6, "circle-color": "#a4161a", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } }
        ]) }
    });
    window.iotMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    if (cfg.points.length > 1) {
      var lons = cfg.points.map(function (p) { return p.lon; }), lats = cfg.points.map(function (p) { return p.lat; });
      var bounds = [[Math.min.apply(null, lons), Math.min.apply(null, lats)], [Math.max.apply(null, lons), Math.max.apply(null, lats)]];
      map.on("load", function () { map.resize(); map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: 16 }); });
    }
    map.on("click", "devices", function (e) {
      var url = e.features[0].properties.url;
      if (url) { window.location.href = url; }
    });
  }

  function drawChart(svg, points, unit) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var W = 800, H = 300, L = 90, R = 20, T = 30, B = 40;
    el("title", {}, svg).textContent = points.length + " readings";
    if (!points.length) { el("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, svg).textContent = "—"; return; }
    var xs = points.map(function (p) { return p[0]; }), ys = points.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 60000; }
    if (y1 === y0) { y1 = y0 + 1; y0 = y0 - 1; }
    var pad = (y1 - y0) * 0.08; y0 -= pad; y1 += pad;
    function sx(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
    function sy(y) { return H - B - (y - y0) / (y1 - y0) * (H - T - B); }
    for (var i = 0; i <= 4; i++) {
      var v = y0 + (y1 - y0) * i / 4;
      el("line", { x1: L, x2: W - R, y1: sy(v), y2: sy(v), "class": "grid" }, svg);
      el("text", { x: L - 8, y: sy(v) + 7, "text-anchor": "end" }, svg).textContent = v.toFixed(Math.abs(v) < 10 ? 2 : 0);
    }
    [x0, (x0 + x1) / 2, x1].forEach(function (t, k) {
      var d = new Date(t);
      el("text", { x: sx(t), y: H - 8, "text-anchor": ["start", "middle", "end"][k] }, svg).textContent =
        d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    });
    el("line", { x1: L, x2: L, y1: T, y2: H - B, "class": "axis" }, svg);
    el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, "class": "axis" }, svg);
    el("polyline", { points: points.map(function (p) { return sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1); }).join(" "), "class": "line" }, svg);
    var last = points[points.length - 1];
    el("circle", { cx: sx(last[0]), cy: sy(last[1]), r: 4, "class": "dot" }, svg);
    if (unit) { el("text", { x: 4, y: 22 }, svg).textContent = unit; }
  }

  var mapCfg = document.getElementById("iot-map-config");
  if (mapCfg) { drawMap(JSON.parse(mapCfg.textContent)); }

  var devCfg = document.getElementById("iot-device-config");
  if (!devCfg) { return; }
  var cfg = JSON.parse(devCfg.textContent);
  var svg = document.getElementById("iot-chart");
  var points = cfg.series.map(function (p) { return [Date.parse(p[0]), p[1]]; });
  drawChart(svg, points, cfg.unit);
  if (!window.EventSource) { return; }
  var source = new EventSource(cfg.stream);
  source.addEventListener("reading", function (msg) {
    var r = JSON.parse(msg.data);
    var row = document.querySelector('#iot-latest tr[data-quantity="' + r.quantity + '"]');
    if (row) {
      row.querySelector(".iot-value").textContent = (Math.round(r.value * 100) / 100) + (cfg.unit && r.quantity === cfg.quantity ? " " + cfg.unit : "");
      row.querySelector(".iot-ts").textContent = new Date(r.ts).toLocaleString();
    }
    var status = document.getElementById("iot-status");
    if (status) { status.className = "iot-small iot-status-online"; status.dataset.live = "1"; }
    if (r.quantity !== cfg.quantity) { return; }
    var t = Date.parse(r.ts);
    if (!points.length || t > points[points.length - 1][0]) {
      points.push([t, r.value]);
      drawChart(svg, points, cfg.unit);
      svg.dataset.count = String(points.length);
      document.getElementById("iot-live").textContent = r.quantity + ": " + r.value + " (" + new Date(t).toLocaleTimeString() + ")";
    }
  });
})();
