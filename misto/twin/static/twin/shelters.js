/* The shelters page: draws the walking routes to the nearest open shelters on the map, fills
   the place from the phone's GPS, and keeps the last answer in localStorage so that the page
   the service worker serves offline still shows the way (with a note that it is saved). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("shelters-config").textContent);
  var T = cfg.text;
  var KEY = "misto-shelter-route";
  var section = document.getElementById("shelter-nearest");
  var nearest = cfg.nearest;

  if (nearest) {
    try {
      localStorage.setItem(KEY, JSON.stringify({ html: section.innerHTML, nearest: nearest }));
    } catch (e) { /* private mode: nothing kept */ }
  } else if (!navigator.onLine || window.location.search) {
    // Offline (the worker gave us the kept page) or an answer that did not come: the last one.
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
    if (kept && kept.nearest && !document.getElementById("shelter-error")) {
      section.innerHTML = kept.html;
      var note = document.createElement("p");
      note.className = "shelter-saved";
      note.textContent = T.saved;
      section.insertBefore(note, section.firstChild);
      section.hidden = false;
      nearest = kept.nearest;
    }
  }

  var gps = document.getElementById("shelter-gps");
  var gpsStatus = document.getElementById("shelter-gps-status");
  if (gps && navigator.geolocation) {
    gps.hidden = false;
    gps.addEventListener("click", function () {
      gpsStatus.textContent = T.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("shelter-lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("shelter-lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("shelter-q").value = "";
        gps.form.submit();
      }, function () { gpsStatus.textContent = T.no_gps; }, { timeout: 15000, maximumAge: 60000 });
    });
  }

  if (!nearest || !window.maplibregl || !document.getElementById("shelter-map")) { return; }
  var routes = { type: "FeatureCollection", features: nearest.shelters.map(function (s, i) {
    var f = JSON.parse(JSON.stringify(s.route));
    f.properties.rank = i;
    return f;
  }) };
  var points = { type: "FeatureCollection", features: nearest.shelters.map(function (s, i) {
    return { type: "Feature", geometry: { type: "Point", coordinates: [s.lon, s.lat] },
             properties: { rank: i, name: s.name } };
  }).concat([{ type: "Feature", geometry: { type: "Point", coordinates: [nearest.place.lon, nearest.place.lat] },
               properties: { rank: -1, name: "" } }]) };
  var map = new maplibregl.Map({
    container: "shelter-map",
    style: {
      version: 8,
      glyphs: MistoMaps.glyphs,
      sources: {
        twin: { type: "vector", tiles: [window.location.origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        routes: { type: "geojson", data: routes },
        points: { type: "geojson", data: points }
      },
      layers: [
        { id: "bg", type: "background", paint: { "background-color": "#f4f1ea" } },
        { id: "streets", type: "line", source: "twin", "source-layer": "streets",
          paint: { "line-color": "#ffffff", "line-width": 5 } },
        { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings",
          paint: { "fill-color": "#ddd3c4" } },
        { id: "routes-other", type: "line", source: "routes", filter: [">", ["get", "rank"], 0],
          layout: { "line-cap": "round", "line-join": "round" },
          paint: { "line-color": "#868e96", "line-width": 3, "line-dasharray": [1.5, 1.5] } },
        { id: "route-best", type: "line", source: "routes", filter: ["==", ["get", "rank"], 0],
          layout: { "line-cap": "round", "line-join": "round" },
          paint: { "line-color": "#c92a2a", "line-width": 6 } },
        { id: "shelters", type: "circle", source: "points", filter: [">=", ["get", "rank"], 0],
          paint: { "circle-radius": 8, "circle-color": "#c92a2a", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
        { id: "here", type: "circle", source: "points", filter: ["==", ["get", "rank"], -1],
          paint: { "circle-radius": 8, "circle-color": "#1971c2", "circle-stroke-color": "#fff", "circle-stroke-width": 3 } }
      ].concat(MistoMaps.twinLabels(["streets", "landmarks"])).concat([
        { id: "shelter-names", type: "symbol", source: "points", filter: [">=", ["get", "rank"], 0],
          layout: { "text-field": ["get", "name"], "text-font": ["DejaVuSans-Bold"], "text-size": 12,
                    "text-offset": [0, 1.2], "text-anchor": "top" },
          paint: { "text-color": "#8b1a1a", "text-halo-color": "#fff", "text-halo-width": 1.6 } }
      ])
    },
    center: [nearest.place.lon, nearest.place.lat], zoom: 15, attributionControl: false
  });
  window.shelterMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  var best = nearest.shelters[0].route.geometry.coordinates;
  var west = Infinity, south = Infinity, east = -Infinity, north = -Infinity;
  best.forEach(function (c) {
    west = Math.min(west, c[0]); east = Math.max(east, c[0]);
    south = Math.min(south, c[1]); north = Math.max(north, c[1]);
  });
  map.fitBounds([[west, south], [east, north]], { padding: 40, duration: 0, maxZoom: 17 });
  map.on("load", function () { document.getElementById("shelter-map").dataset.ready = "1"; });
})();
