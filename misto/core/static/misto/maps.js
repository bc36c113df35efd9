/* What every Misto map shares: the glyphs its labels are drawn with (built at `make` time from
   Debian's DejaVu fonts into static/vendor/glyphs, served by whitenoise: no CDN, no outside
   fonts) and the label layers over the twin's tiles (districts, streets along their lines,
   house numbers and landmark numbers at high zoom), plus titles for areas such as outages.
   Loaded after maplibre-gl.js and before a page's own map script, from the template
   "core/maplibre_scripts.html", whose data-static attribute names the static prefix. */
(function () {
  "use strict";
  var script = document.currentScript;
  var prefix = (script && script.getAttribute("data-static")) || "/static/";
  var lang = (document.documentElement.lang || "uk").toLowerCase();
  var REGULAR = ["DejaVuSans"], BOLD = ["DejaVuSans-Bold"];
  var HALO = "rgba(255,255,255,0.92)";

  // MapLibre loads glyphs from a worker, where only absolute URLs resolve.
  var glyphs = window.location.origin + prefix + "vendor/glyphs/{fontstack}/{range}.pbf";

  // The English name where the twin has one (districts do), else the Ukrainian one.
  function name() {
    return lang.indexOf("en") === 0
      ? ["coalesce", ["get", "name_en"], ["get", "name"], ""]
      : ["coalesce", ["get", "name"], ""];
  }

  function symbol(id, sourceLayer, layout, paint, extra) {
    return Object.assign({
      id: id, type: "symbol", source: "twin", "source-layer": sourceLayer,
      layout: Object.assign({ "text-font": REGULAR }, layout),
      paint: Object.assign({ "text-halo-color": HALO, "text-halo-width": 1.6 }, paint)
    }, extra || {});
  }

  /* The label layers over the twin's vector source (named "twin" in each style). `only`, a
     list of "districts", "streets", "addresses", "landmarks", keeps some; all by default. */
  function twinLabels(only) {
    var all = {
      streets: symbol("label-streets", "streets", {
        "symbol-placement": "line", "text-field": name(), "text-max-angle": 30,
        "symbol-spacing": 200, "text-padding": 4,
        "text-size": ["interpolate", ["linear"], ["zoom"], 12, 10, 14, 11.5, 17, 14, 19, 16]
      }, { "text-color": "#1f2933" }, { minzoom: 12 }),
      addresses: symbol("label-addresses", "addresses", {
        "text-field": ["coalesce", ["get", "housenumber"], ""], "text-size": 11, "text-padding": 1
      }, { "text-color": "#4a3b2a", "text-halo-width": 1.2 }, { minzoom: 17 }),
      landmarks: symbol("label-landmarks", "landmarks", {
        "text-field": ["coalesce", ["get", "number"], ""], "text-size": 10.5,
        "text-variable-anchor": ["top", "bottom", "left", "right"], "text-radial-offset": 0.7,
        "text-padding": 1
      }, { "text-color": "#8f2d05", "text-halo-width": 1.4 }, { minzoom: 17 }),
      districts: symbol("label-districts", "districts-labels", {
        "text-field": name(), "text-font": BOLD, "text-max-width": 7, "text-padding": 2,
        "text-size": ["interpolate", ["linear"], ["zoom"], 10, 9.5, 11.5, 10.5, 13, 12.5, 15, 15, 17, 16]
      }, { "text-color": "#22456b", "text-halo-width": 2 }, { maxzoom: 17.5 })
    };
    return ["streets", "addresses", "landmarks", "districts"].filter(function (k) {
      return !only || only.indexOf(k) >= 0;
    }).map(function (k) { return all[k]; });
  }

  /* Area titles (outages): one label point per polygon feature of a GeoJSON collection, at the
     centroid of its largest ring when that lies inside it, else inside along its middle row. */
  function ringArea(ring) {
    var a = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      a += (ring[j][0] * ring[i][1]) - (ring[i][0] * ring[j][1]);
    }
    return a / 2;
  }
  function inside(pt, ring) {
    var yes = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) { yes = !yes; }
    }
    return yes;
  }
  function labelPoint(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    var ring = null, best = 0;
    polygons.forEach(function (p) { var a = Math.abs(ringArea(p[0])); if (a >= best) { best = a; ring = p[0]; } });
    if (!ring) { return geometry.type === "Point" ? geometry.coordinates : null; }
    var cx = 0, cy = 0, a6 = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      cx += (ring[j][0] + ring[i][0]) * f; cy += (ring[j][1] + ring[i][1]) * f; a6 += f * 3;
    }
    var c = a6 ? [cx / a6, cy / a6] : ring[0];
    if (inside(c, ring)) { return c; }
    // A concave ring: the middle of the widest span across its middle latitude.
    var xs = [];
    for (var k = 0, m = ring.length - 1; k < ring.length; m = k++) {
      var y0 = ring[m][1], y1 = ring[k][1];
      if ((y0 > c[1]) !== (y1 > c[1])) { xs.push(ring[m][0] + (c[1] - y0) / (y1 - y0) * (ring[k][0] - ring[m][0])); }
    }
    xs.sort(function (p, q) { return p - q; });
    var span = null;
    for (var s = 0; s + 1 < xs.length; s += 2) { if (!span || xs[s + 1] - xs[s] > span[1] - span[0]) { span = [xs[s], xs[s + 1]]; } }
    return span ? [(span[0] + span[1]) / 2, c[1]] : ring[0];
  }
  function labelPoints(collection) {
    var features = (collection && collection.features) || (collection && collection.type === "Feature" ? [collection] : []);
    return { type: "FeatureCollection", features: features.filter(function (f) { return f.geometry; }).map(function (f) {
      var at = labelPoint(f.geometry);
      return at && { type: "Feature", geometry: { type: "Point", coordinates: at }, properties: f.properties || {} };
    }).filter(Boolean) };
  }

  /* A symbol layer for area titles on a GeoJSON source of label points. */
  function areaLabels(id, source, colour) {
    return {
      id: id, type: "symbol", source: source,
      layout: { "text-field": ["coalesce", ["get", "title"], ""], "text-font": BOLD,
                "text-size": ["interpolate", ["linear"], ["zoom"], 11, 11.5, 16, 14],
                "text-max-width": 12, "text-allow-overlap": false, "text-padding": 2 },
      paint: { "text-color": colour || "#0b3d75", "text-halo-color": HALO, "text-halo-width": 2 }
    };
  }

  window.MistoMaps = { glyphs: glyphs, fonts: { regular: REGULAR, bold: BOLD },
                       twinLabels: twinLabels, labelPoints: labelPoints, areaLabels: areaLabels };
})();
