/* Outage map (public page, detail) and area drawing (compose): MapLibre over the twin's tiles. */
(function () {
  "use strict";
  var box = document.getElementById("notices-map");
  if (!box || !window.maplibregl) { return; }
  var cfg = JSON.parse(document.getElementById("notices-config").textContent);
  var origin = window.location.origin;
  var areaNode = document.getElementById("notice-area");
  var sheltersNode = document.getElementById("notice-shelters");
  var shelterPoints = sheltersNode ? JSON.parse(sheltersNode.textContent) : null;
  var walksNode = document.getElementById("notice-walks");
  var walks = walksNode ? JSON.parse(walksNode.textContent) : null;
  var isEmergency = box.getAttribute("data-emergency") === "1";
  var drawing = box.getAttribute("data-draw") === "1";
  var empty = { type: "FeatureCollection", features: [] };

  var map = new maplibregl.Map({
    container: box,
    style: {
      version: 8,
      glyphs: MistoMaps.glyphs,
      sources: {
        twin: { type: "vector", tiles: [origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        outages: { type: "geojson", data: empty },
        "outage-labels": { type: "geojson", data: empty },
        draft: { type: "geojson", data: empty },
        shelters: { type: "geojson", data: shelterPoints || empty },
        walks: { type: "geojson", data: walks || empty }
      },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
        { id: "districts", type: "line", source: "twin", "source-layer": "districts",
          paint: { "line-color": "#5b7fa6", "line-width": 2, "line-dasharray": [3, 2] } },
        { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", minzoom: 13,
          paint: { "fill-color": "#c9b8a0", "fill-opacity": 0.8 } },
        { id: "streets", type: "line", source: "twin", "source-layer": "streets",
          paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 2, 18, 16] } },
        { id: "outage-fill", type: "fill", source: "outages",
          paint: { "fill-color": ["case", ["get", "emergency"], "#d00000", "#1f6fd1"], "fill-opacity": 0.3 } },
        { id: "outage-line", type: "line", source: "outages",
          paint: { "line-color": ["case", ["get", "emergency"], "#a00000", "#0b4c9c"], "line-width": 2.5 } },
        { id: "landmarks", type: "circle", source: "twin", "source-layer": "landmarks", minzoom: 16,
          paint: { "circle-radius": 2.5, "circle-color": "#d9480f" } }
      ].concat(MistoMaps.twinLabels(), [
        MistoMaps.areaLabels("outage-label", "outage-labels"),
        { id: "draft-fill", type: "fill", source: "draft", paint: { "fill-color": "#f0a000", "fill-opacity": 0.3 } },
        { id: "draft-line", type: "line", source: "draft", paint: { "line-color": "#b06000", "line-width": 2 } },
        { id: "draft-points", type: "circle", source: "draft", filter: ["==", "$type", "Point"],
          paint: { "circle-radius": 5, "circle-color": "#b06000" } },
        { id: "walks", type: "line", source: "walks", layout: { "line-cap": "round", "line-join": "round" },
          paint: { "line-color": ["case", ["get", "best"], "#1c7ed6", "#74c0fc"], "line-width": ["case", ["get", "best"], 5, 3] } },
        { id: "shelters", type: "circle", source: "shelters",
          paint: { "circle-radius": 7, "circle-color": "#1e6b34", "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } }
      ])
    },
    center: [35.165, 47.845], zoom: 12, maxZoom: 19, attributionControl: false
  });
  window.noticesMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");

  function extend(bounds, coords) {
    if (typeof coords[0] === "number") { bounds.extend(coords); return; }
    coords.forEach(function (c) { extend(bounds, c); });
  }
  // The areas, and their titles at one point inside each.
  function showOutages(collection) {
    map.getSource("outages").setData(collection);
    map.getSource("outage-labels").setData(MistoMaps.labelPoints(collection));
  }
  function fit(collection) {
    var bounds = new maplibregl.LngLatBounds();
    var any = false;
    collection.features.forEach(function (f) { if (f.geometry) { extend(bounds, f.geometry.coordinates); any = true; } });
    if (any) { map.fitBounds(bounds, { padding: 30, maxZoom: 17, duration: 0 }); }
  }

  map.on("load", function () {
    if (areaNode) {
      var area = JSON.parse(areaNode.textContent);
      var one = { type: "FeatureCollection", features: [{ type: "Feature", geometry: area,
        properties: { emergency: isEmergency, title: box.getAttribute("data-title") || "" } }] };
      showOutages(one);
      // The emergency page frames the area together with the shelters around it.
      var extra = (shelterPoints ? shelterPoints.features : []).concat(walks ? walks.features : []);
      fit({ type: "FeatureCollection", features: one.features.concat(extra) });
      box.setAttribute("data-loaded", "1");
    } else if (!drawing) {
      fetch(cfg.outages, { headers: { Accept: "application/geo+json" } }).then(function (r) { return r.json(); })
        .then(function (data) {
          // The district filter of the page applies to the map too (city-wide outages stay).
          if (cfg.district) {
            data.features = data.features.filter(function (f) {
              var p = f.properties;
              return p.target === "city" || (p.districts || []).indexOf(cfg.district) >= 0;
            });
          }
          showOutages(data);
          // The place a resident checked ("is my building affected?"): a marker, framed with the areas.
          var place = cfg.place ? { type: "Feature", geometry: { type: "Point", coordinates: [cfg.place.lon, cfg.place.lat] } } : null;
          if (place) {
            var marker = new maplibregl.Marker({ color: "#8a3ffc" }).setLngLat(place.geometry.coordinates).addTo(map);
            marker.getElement().setAttribute("aria-label", cfg.place.label);
            marker.getElement().setAttribute("title", cfg.place.label);
          }
          var framed = place ? { type: "FeatureCollection", features: data.features.concat([place]) } : data;
          if (framed.features.length) { fit(framed); }
          box.setAttribute("data-loaded", String(data.features.length));
          map.on("click", "outage-fill", function (e) {
            var p = e.features[0].properties;
            new maplibregl.Popup().setLngLat(e.lngLat)
              .setHTML("")
              .setDOMContent(popup(p)).addTo(map);
          });
        });
    }
  });

  function popup(p) {
    var div = document.createElement("div");
    var a = document.createElement("a");
    a.href = p.url.replace(/^https?:\/\/[^/]+/, "");
    a.textContent = p.title;
    div.appendChild(a);
    var small = document.createElement("p");
    small.textContent = cfg.text.from + " " + (p.starts_at || "") + " " + cfg.text.until + " " + (p.ends_at || "") +
      " · " + p.building_count + " " + cfg.text.buildings;
    div.appendChild(small);
    return div;
  }

  if (drawing) {
    var field = document.getElementById("id_area");
    var points = [];
    function show(closed) {
      var features = points.map(function (p) { return { type: "Feature", geometry: { type: "Point", coordinates: p }, properties: {} }; });
      if (points.length >= 3) {
        var ring = points.concat([points[0]]);
        features.push({ type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties: {} });
        if (closed && field) { field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] }); }
      }
      map.getSource("draft").setData({ type: "FeatureCollection", features: features });
    }
    map.on("click", function (e) { points.push([+e.lngLat.lng.toFixed(6), +e.lngLat.lat.toFixed(6)]); show(false); });
    document.getElementById("draw-finish").addEventListener("click", function () { show(true); });
    document.getElementById("draw-clear").addEventListener("click", function () { points = []; if (field) { field.value = ""; } show(false); });
  }
})();
