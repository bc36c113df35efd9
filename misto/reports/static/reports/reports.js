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
      glyphs: MistoMaps.glyphs,
      sources: {
        twin: { type: "vector", tiles: [origin + cfg.tiles], minzoom: 0, maxzoom: 16 }
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
        { id: "districts", type: "line", source: "twin", "source-layer": "districts",
          paint: { "line-color": "#5b7fa6", "line-width": 2, "line-dasharray": [3, 2] } },
        { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", minzoom: 14,
          paint: { "fill-color": "#d8ccb9", "fill-opacity": 0.8 } },
        { id: "streets", type: "line", source: "twin", "source-layer": "streets", minzoom: 11,
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 2, 18, 18] } },
        { id: "landmarks", type: "circle", source: "twin", "source-layer": "landmarks", minzoom: 16,
          paint: { "circle-radius": 2.5, "circle-color": "#d9480f" } }
      ].concat(MistoMaps.twinLabels())
    };
  }

  function makeMap(id) {
    var map = new maplibregl.Map({ container: id, style: baseStyle(), center: cfg.centre,
                                   zoom: 12, maxZoom: 19, attributionControl: false });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    return map;
  }

  // The twin's API lives beside its tiles (/api/twin/tiles/... -> /api/twin).
  var twinApi = origin + cfg.tiles.replace(/\/tiles\/.*$/, "");

  var pick = document.getElementById("pick-map");
  if (pick) {
    var map = makeMap("pick-map");
    window.reportsPickMap = map;
    var lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
    var said = document.getElementById("picked");
    var landmark = document.getElementById("id_landmark");
    var pin = document.createElement("div");
    pin.className = "report-pin";
    pin.setAttribute("aria-hidden", "true");
    var marker = new maplibregl.Marker({ element: pin, anchor: "bottom" });
    // The marker shows where the report will be: a click, the GPS, or a landmark's plate.
    var showMarker = function (x, y, zoom) {
      marker.setLngLat([x, y]).addTo(map);
      pin.dataset.lon = String(x); pin.dataset.lat = String(y);
      if (zoom) { map.jumpTo({ center: [x, y], zoom: Math.max(map.getZoom(), zoom) }); }
    };
    var setPoint = function (x, y) {
      lon.value = x.toFixed(6); lat.value = y.toFixed(6);
      said.textContent = said.dataset.prefix || "";
      said.textContent += x.toFixed(5) + ", " + y.toFixed(5);
      showMarker(x, y);
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

    // A typed landmark number: the map moves to its plate (the form sends the number itself).
    var asked = "";
    var goToLandmark = function () {
      var number = landmark.value.trim();
      if (!number || number === asked) { return; }
      asked = number;
      fetch(twinApi + "/landmarks/" + encodeURIComponent(number), { headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (f) {
          if (!f || landmark.value.trim() !== number) { return; }
          var c = f.geometry.coordinates;
          showMarker(c[0], c[1], 18);
          pick.dataset.landmark = f.properties.number;
        }).catch(function () { asked = ""; });
    };
    if (landmark) {
      landmark.addEventListener("change", goToLandmark);
      var timer = null;
      landmark.addEventListener("input", function () {
        clearTimeout(timer);
        if (/^\s*\d{1,4}\s*[-\u2010-\u2015\s]\s*\d{3,}\s*$/.test(landmark.value)) { timer = setTimeout(goToLandmark, 400); }
      });
      if (landmark.value.trim()) { map.once("load", goToLandmark); }
    }
    // Where the server placed an address (the "nearby" fragment says it): the marker follows.
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var spot = e.target && e.target.querySelector && e.target.querySelector("[data-place-lon]");
      if (spot && !lon.value) {
        showMarker(parseFloat(spot.dataset.placeLon), parseFloat(spot.dataset.placeLat), 17);
      }
    });
  }

  var list = document.getElementById("reports-map");
  // The legend's swatches take the markers' own colours, so the two cannot disagree.
  document.querySelectorAll("#reports-legend [data-status]").forEach(function (item) {
    var dot = item.querySelector(".legend-dot");
    if (dot) { dot.style.background = colours[item.dataset.status] || colours.rejected; }
  });
  if (list) {
    var rmap = makeMap("reports-map");
    window.reportsMap = rmap;
    rmap.on("load", function () {
      var url = origin + cfg.reports + "?" + (list.dataset.query || "");
      rmap.addSource("reports", { type: "geojson", data: url });
      fetch(url).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.features || !data.features.length) { return; }
        var b = new maplibregl.LngLatBounds();
        data.features.forEach(function (f) { b.extend(f.geometry.coordinates); });
        rmap.fitBounds(b, { padding: 40, maxZoom: 16, duration: 0 });
      });
      var match = ["match", ["get", "status"]];
      Object.keys(colours).forEach(function (status) { match.push(status, colours[status]); });
      match.push(colours.rejected);
      rmap.addLayer({ id: "reports", type: "circle", source: "reports", paint: {
        "circle-radius": 6, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5,
        "circle-color": match } });
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
