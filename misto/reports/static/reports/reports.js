/* Reports: pick a place on the map (or by GPS) in the form; show reports on the map page. */
(function () {
  "use strict";
  var cfgNode = document.getElementById("reports-map-config");
  if (!cfgNode || typeof maplibregl === "undefined") { return; }
  var cfg = JSON.parse(cfgNode.textContent);
  var origin = window.location.origin;
  var colours = { "new": "#e8590c", accepted: "#1971c2", in_progress: "#1971c2",
                  resolved: "#2b8a3e", rejected: "#868e96", duplicate: "#868e96" };

  function baseStyle() {
    return {
      version: 8,
      sources: {
        twin: { type: "vector", tiles: [origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        picked: { type: "geojson", data: { type: "FeatureCollection", features: [] } }
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
        { id: "districts", type: "line", source: "twin", "source-layer": "districts",
          paint: { "line-color": "#5b7fa6", "line-width": 2, "line-dasharray": [3, 2] } },
        { id: "streets", type: "line", source: "twin", "source-layer": "streets", minzoom: 11,
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 2, 18, 18] } },
        { id: "picked", type: "circle", source: "picked",
          paint: { "circle-radius": 9, "circle-color": "#d00000", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } }
      ]
    };
  }

  function makeMap(id) {
    var map = new maplibregl.Map({ container: id, style: baseStyle(), center: cfg.centre,
                                   zoom: 12, maxZoom: 19, attributionControl: false });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    return map;
  }

  var pick = document.getElementById("pick-map");
  if (pick) {
    var map = makeMap("pick-map");
    var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
    var said = document.getElementById("picked");
    var setPoint = function (x, y) {
      lon.value = x.toFixed(6); lat.value = y.toFixed(6);
      said.textContent = said.dataset.prefix || "";
      said.textContent += x.toFixed(5) + ", " + y.toFixed(5);
      var src = map.getSource("picked");
      if (src) { src.setData({ type: "Feature", geometry: { type: "Point", coordinates: [x, y] }, properties: {} }); }
      document.body.dispatchEvent(new Event("picked"));
    };
    map.on("click", function (e) { setPoint(e.lngLat.lng, e.lngLat.lat); });
    var gps = document.getElementById("use-gps");
    if (gps && navigator.geolocation) {
      gps.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (p) {
          setPoint(p.coords.longitude, p.coords.latitude);
          map.flyTo({ center: [p.coords.longitude, p.coords.latitude], zoom: 17 });
        }, function (err) { said.textContent = err.message; }, { enableHighAccuracy: true, timeout: 15000 });
      });
    } else if (gps) { gps.hidden = true; }
  }

  var list = document.getElementById("reports-map");
  if (list) {
    var rmap = makeMap("reports-map");
    rmap.on("load", function () {
      var url = origin + cfg.reports + "?" + (list.dataset.query || "");
      rmap.addSource("reports", { type: "geojson", data: url });
      fetch(url).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.features || !data.features.length) { return; }
        var b = new maplibregl.LngLatBounds();
        data.features.forEach(function (f) { b.extend(f.geometry.coordinates); });
        rmap.fitBounds(b, { padding: 40, maxZoom: 16, duration: 0 });
      });
      rmap.addLayer({ id: "reports", type: "circle", source: "reports", paint: {
        "circle-radius": 6, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5,
        "circle-color": ["match", ["get", "status"], "new", colours["new"], "accepted", colours.accepted,
          "in_progress", colours.in_progress, "resolved", colours.resolved, "#868e96"] } });
      rmap.on("click", "reports", function (e) {
        var p = e.features[0].properties;
        new maplibregl.Popup().setLngLat(e.lngLat).setHTML("").addTo(rmap)
          .getElement().querySelector(".maplibregl-popup-content").append(link(p));
      });
      rmap.on("mouseenter", "reports", function () { rmap.getCanvas().style.cursor = "pointer"; });
      rmap.on("mouseleave", "reports", function () { rmap.getCanvas().style.cursor = ""; });
    });
  }

  function link(p) {
    var a = document.createElement("a");
    a.href = p.url; a.textContent = p.public_id + " · " + p.category_title + " · " + p.status_label;
    return a;
  }
})();
