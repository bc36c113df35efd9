/* The parking map: lots over the twin's tiles, coloured by their free places, each labelled
   with its code and free count (readable: halo, no overlap); and "find the lots near me",
   which asks the phone where it is and proposes the nearest lots in the form. */
(function () {
  "use strict";
  var COLOURS = ["match", ["get", "state"], "many", "#2b8a3e", "few", "#e8a100", "full", "#c92a2a",
                 "closed", "#343a40", "#868e96"];
  var lang = (document.documentElement.lang || "uk").toLowerCase();
  var FREE = lang.indexOf("en") === 0 ? " free" : " вільних";

  function drawMap(cfg) {
    var box = document.getElementById("parking-map");
    if (!box || !window.maplibregl || !cfg.lots.length) { return; }
    var areas = [], points = [];
    cfg.lots.forEach(function (lot) {
      var props = { code: lot.code, state: lot.state,
                    label: lot.code + "\n" + lot.free + "/" + lot.places + FREE };
      areas.push({ type: "Feature", geometry: { type: "MultiPolygon", coordinates: lot.area }, properties: props });
      points.push({ type: "Feature", geometry: { type: "Point", coordinates: [lot.lon, lot.lat] }, properties: props });
    });
    var map = new maplibregl.Map({
      container: box, attributionControl: false, center: [cfg.lots[0].lon, cfg.lots[0].lat], zoom: 14,
      style: { version: 8, glyphs: MistoMaps.glyphs,
        sources: { twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], maxzoom: 16 },
                   areas: { type: "geojson", data: { type: "FeatureCollection", features: areas } },
                   lots: { type: "geojson", data: { type: "FeatureCollection", features: points } } },
        layers: [
          { id: "bg", type: "background", paint: { "background-color": "#eef1ea" } },
          { id: "districts", type: "line", source: "twin", "source-layer": "districts", paint: { "line-color": "#0b5cad", "line-dasharray": [3, 2] } },
          { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": 3 } },
          { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", paint: { "fill-color": "#d9d0c1" } },
          { id: "lot-areas", type: "fill", source: "areas", paint: { "fill-color": COLOURS, "fill-opacity": 0.35 } },
          { id: "lot-edges", type: "line", source: "areas", paint: { "line-color": COLOURS, "line-width": 2 } }
        ].concat(MistoMaps.twinLabels(["districts", "streets"]), [
          { id: "lots", type: "circle", source: "lots", paint: { "circle-radius": 9, "circle-color": COLOURS, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
          { id: "lot-labels", type: "symbol", source: "lots",
            layout: { "text-field": ["get", "label"], "text-font": MistoMaps.fonts.bold, "text-size": 13,
                      "text-offset": [0, 1.2], "text-anchor": "top", "text-padding": 2 },
            paint: { "text-color": "#1f2933", "text-halo-color": "rgba(255,255,255,0.95)", "text-halo-width": 2 } }
        ]) }
    });
    window.parkingMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    if (cfg.lots.length > 1) {
      var lons = cfg.lots.map(function (l) { return l.lon; }), lats = cfg.lots.map(function (l) { return l.lat; });
      map.on("load", function () {
        map.resize();
        map.fitBounds([[Math.min.apply(null, lons), Math.min.apply(null, lats)], [Math.max.apply(null, lons), Math.max.apply(null, lats)]], { padding: 50, duration: 0, maxZoom: 16 });
      });
    }
    map.on("click", "lots", function (e) {
      var select = document.getElementById("f-lot");
      if (select) { select.value = e.features[0].properties.code; select.focus(); }
    });
  }

  function propose(cfg) {
    var button = document.getElementById("parking-locate"), out = document.getElementById("parking-near");
    var select = document.getElementById("f-lot");
    if (!button || !select) { return; }
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var url = cfg.near + "?lon=" + pos.coords.longitude + "&lat=" + pos.coords.latitude + "&n=3";
        fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (lots) {
          if (!lots.length) { out.textContent = button.getAttribute("data-none") || "—"; return; }
          select.value = lots[0].code;
          out.textContent = lots.map(function (l) { return l.code + " (" + Math.round(l.distance_m) + " m)"; }).join(", ");
        });
      }, function () { out.textContent = "—"; });
    });
  }

  var cfgNode = document.getElementById("parking-map-config");
  if (cfgNode) { var cfg = JSON.parse(cfgNode.textContent); drawMap(cfg); propose(cfg); }
})();
