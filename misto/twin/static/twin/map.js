/* The twin's map: MapLibre over the twin's own vector tiles (no external tiles). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("twin-config").textContent);
  var T = cfg.text;
  var origin = window.location.origin;
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

  function styleLayers(layer) {
    var src = { source: "twin", "source-layer": layer.code, minzoom: layer.min_zoom };
    var geom = layer.geometry;
    var out = [];
    function add(id, def) { out.push(Object.assign({ id: id }, src, def)); }
    if (layer.code === "districts") {
      add("districts-fill", { type: "fill", paint: { "fill-color": layer.color, "fill-opacity": 0.07 } });
      add("districts-line", { type: "line", paint: { "line-color": layer.color, "line-width": 2.5, "line-dasharray": [3, 2] } });
    } else if (layer.code === "streets") {
      add("streets-casing", { type: "line", paint: { "line-color": "#b9bec4", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 3, 18, 24] } });
      add("streets", { type: "line", paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 2, 18, 20] } });
    } else if (/Polygon/.test(geom)) {
      add(layer.code, { type: "fill", paint: { "fill-color": layer.color, "fill-opacity": 0.85, "fill-outline-color": "#8a7a64" } });
    } else if (/LineString/.test(geom)) {
      add(layer.code, { type: "line", paint: { "line-color": layer.color, "line-width": 2, "line-dasharray": [2, 1] } });
    } else {
      add(layer.code, { type: "circle", paint: {
        "circle-color": layer.color,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 2.5, 18, 7],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } });
    }
    out.forEach(function (l) { l.layout = { visibility: layer.visible ? "visible" : "none" }; l.metadata = { twin: layer.code }; });
    return out;
  }

  var order = ["districts", "land-plots", "buildings", "networks", "streets"];
  var sorted = cfg.layers.slice().sort(function (a, b) {
    var ia = order.indexOf(a.code), ib = order.indexOf(b.code);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  var layers = [{ id: "background", type: "background", paint: { "background-color": "#eef1ea" } }];
  sorted.forEach(function (layer) { layers = layers.concat(styleLayers(layer)); });
  // Names and numbers over the shapes; each label follows its layer's check box (house
  // numbers follow the buildings: the address points themselves are hidden at first).
  MistoMaps.twinLabels().forEach(function (label) {
    var code = label["source-layer"].replace(/-labels$/, "");
    if (code === "addresses") { code = "buildings"; }
    var meta = cfg.layers.filter(function (l) { return l.code === code; })[0];
    if (!meta) { return; }
    label.metadata = { twin: code, label: true };
    label.layout.visibility = meta.visible ? "visible" : "none";
    layers.push(label);
  });
  layers.push({ id: "selected", type: "circle", source: "selected",
    paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#d00000", "circle-stroke-width": 3 } });

  var map = new maplibregl.Map({
    container: "twin-map",
    style: {
      version: 8,
      glyphs: MistoMaps.glyphs,
      sources: {
        twin: { type: "vector", tiles: [origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        selected: { type: "geojson", data: { type: "FeatureCollection", features: [] } }
      },
      layers: layers
    },
    center: cfg.centre, zoom: 13, maxZoom: 20, attributionControl: false
  });
  window.twinMap = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  if (cfg.bounds) { map.fitBounds([[cfg.bounds[0], cfg.bounds[1]], [cfg.bounds[2], cfg.bounds[3]]], { padding: 20, duration: 0 }); }

  document.querySelectorAll(".twin-layer input").forEach(function (box) {
    box.addEventListener("change", function () {
      map.getStyle().layers.forEach(function (l) {
        if (l.metadata && l.metadata.twin === box.value) {
          map.setLayoutProperty(l.id, "visibility", box.checked ? "visible" : "none");
        }
      });
    });
  });

  // Layers fold away on phones so the map comes first; wide screens show them open.
  if (window.matchMedia("(min-width: 60rem)").matches) { document.getElementById("twin-layers").open = true; }
  function kindLabel(kind) { return (cfg.kinds && cfg.kinds[kind]) || kind || ""; }

  var card = document.getElementById("twin-card");
  var results = document.getElementById("twin-results");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function metres(d) { return Math.round(d) + "\u00a0" + T.metres; }
  function select(lon, lat) {
    map.getSource("selected").setData({ type: "Feature", geometry: { type: "Point", coordinates: [lon, lat] }, properties: {} });
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; }); });
  }
  function reportLink(lon, lat, number) {
    if (!cfg.report_url) { return null; }
    var q = "?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6) + (number ? "&landmark=" + encodeURIComponent(number) : "");
    return el("a", { href: cfg.report_url + q, class: "button twin-report" }, T.report);
  }

  function showFeature(section, props, layerCode) {
    var meta = cfg.layers.filter(function (l) { return l.code === layerCode; })[0];
    section.appendChild(el("h2", {}, props.name || props.number || (meta ? meta.title : layerCode)));
    var dl = el("dl", { class: "twin-facts" });
    function fact(k, v) { if (v !== undefined && v !== null && v !== "") { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, String(v))); } }
    fact(T.layer, meta ? meta.title : layerCode);
    fact(T.number, props.number);
    Object.keys(props).forEach(function (k) {
      if (["name", "number", "layer", "version", "valid_from", "district", "retired_at"].indexOf(k) < 0) {
        var named = (k === "use" || k === "purpose") && cfg.values && cfg.values[props[k]];
        var value = k === "kind" ? kindLabel(props[k]) : named || props[k];
        fact((cfg.fields && cfg.fields[k]) || k, value);
      }
    });
    section.appendChild(dl);
  }

  function showLocation(data, feature) {
    card.hidden = false;
    card.innerHTML = "";
    if (feature) {
      var fsec = el("section", { class: "twin-feature" });
      showFeature(fsec, feature.properties || {}, feature.layer);
      if (feature.id !== undefined) { history(fsec, feature.id); }
      if (feature.id !== undefined && cfg.editable.indexOf(feature.layer) >= 0) { editor(fsec, feature); }
      card.appendChild(fsec);
    }
    var sec = el("section", { class: "twin-place", "data-lon": String(data.lon), "data-lat": String(data.lat) });
    sec.appendChild(el("h2", {}, T.point));
    var dl = el("dl", { class: "twin-facts" });
    dl.appendChild(el("dt", {}, T.district));
    dl.appendChild(el("dd", { "data-twin": "district" }, data.district ? data.district.name + " (" + data.district.katottg + ")" : T.outside));
    dl.appendChild(el("dt", {}, T.address));
    dl.appendChild(el("dd", { "data-twin": "address" }, data.nearest_address ? data.nearest_address.name + " — " + metres(data.nearest_address.distance_m) : "—"));
    sec.appendChild(dl);
    sec.appendChild(el("h3", {}, T.landmarks));
    var ol = el("ol", { class: "twin-landmarks", "data-twin": "landmarks" });
    data.landmarks.forEach(function (item) {
      var li = el("li");
      var b = el("button", { type: "button", class: "link-button" }, item.number);
      b.addEventListener("click", function () { goTo(item.lon, item.lat, 19); });
      li.appendChild(b);
      li.appendChild(document.createTextNode(" " + kindLabel(item.kind) + " — " + metres(item.distance_m)));
      ol.appendChild(li);
    });
    sec.appendChild(ol);
    var link = reportLink(data.lon, data.lat, data.landmarks.length ? data.landmarks[0].number : null);
    if (link) { sec.appendChild(link); }
    if (cfg.editable.length) { adder(sec, data.lon, data.lat); }
    card.appendChild(sec);
  }

  // Every version of the feature: who changed it, when and why (loaded when opened).
  function history(section, id) {
    var box = el("details", { class: "twin-history" });
    box.appendChild(el("summary", {}, T.history));
    var list = el("ol", { reversed: "reversed" });
    box.appendChild(list);
    box.addEventListener("toggle", function () {
      if (!box.open || list.childNodes.length) { return; }
      getJSON(cfg.api + "/features/" + id + "/history").then(function (r) {
        if (!r.ok) { list.appendChild(el("li", {}, T.error)); return; }
        r.body.features.slice().reverse().forEach(function (f) {
          var p = f.properties;
          var when = new Date(p.valid_from).toLocaleString(document.documentElement.lang);
          var text = "v" + p.version + " · " + (T.actions[p.action] || p.action) + " · " + when +
            (p.changed_by ? " · " + p.changed_by : "") + (p.reason ? " — " + p.reason : "");
          list.appendChild(el("li", {}, text));
        });
      });
    });
    section.appendChild(box);
  }

  function locate(lon, lat, feature) {
    select(lon, lat);
    return getJSON(cfg.api + "/locate?lon=" + lon + "&lat=" + lat).then(function (r) {
      if (!r.ok) { card.hidden = false; card.textContent = r.body.detail || T.error; return; }
      showLocation(r.body, feature);
    }).catch(function () { card.hidden = false; card.textContent = T.error; });
  }

  function goTo(lon, lat, zoom) {
    map.jumpTo({ center: [lon, lat], zoom: zoom || 18 });
  }

  map.on("click", function (e) {
    if (moving) { finishMove(e.lngLat); return; }
    var hits = map.queryRenderedFeatures(e.point).filter(function (f) {
      var m = f.layer.metadata;
      return m && m.twin && m.twin !== "districts" && !m.label;
    });
    var f = hits.length ? { id: hits[0].id, layer: hits[0].layer.metadata.twin, properties: hits[0].properties } : null;
    if (f && f.id !== undefined) {
      getJSON(cfg.api + "/features/" + f.id).then(function (r) {
        if (r.ok) { f.properties = r.body.properties; f.geometry = r.body.geometry; }
        locate(e.lngLat.lng, e.lngLat.lat, f);
      });
    } else {
      locate(e.lngLat.lng, e.lngLat.lat, f);
    }
  });

  function showLandmark(body) {
    var c = body.geometry.coordinates;
    goTo(c[0], c[1], 18);
    locate(c[0], c[1], { id: body.id, layer: body.properties.layer, properties: body.properties,
      geometry: body.geometry });
  }

  function search(q) {
    results.textContent = T.searching;
    return getJSON(cfg.api + "/search?q=" + encodeURIComponent(q)).then(function (r) {
      results.innerHTML = "";
      var hits = (r.body && r.body.results) || [];
      if (!hits.length) { results.textContent = T.nothing; return; }
      var top = hits[0];
      if (top.kind === "landmark") {
        getJSON(cfg.api + "/landmarks/" + encodeURIComponent(top.number)).then(function (lr) {
          if (lr.ok) { showLandmark(lr.body); }
        });
      } else {
        goTo(top.lon, top.lat, top.kind === "street" ? 16 : 18);
        select(top.lon, top.lat);
      }
      var ul = el("ul", { class: "twin-hits" });
      hits.forEach(function (hit) {
        var li = el("li");
        var b = el("button", { type: "button", class: "link-button" }, hit.label);
        b.addEventListener("click", function () { goTo(hit.lon, hit.lat, hit.kind === "street" ? 16 : 18); locate(hit.lon, hit.lat, null); });
        li.appendChild(b);
        ul.appendChild(li);
      });
      results.appendChild(ul);
    }).catch(function () { results.textContent = T.error; });
  }

  document.getElementById("twin-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = document.getElementById("twin-q").value.trim();
    if (q) { search(q); }
  });

  // Staff editing: properties, moving points, retiring, adding points.
  var moving = null;
  function send(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); });
  }
  function status(parent, r) {
    var p = el("p", { role: "status", class: r.info ? "message" : r.ok ? "message message-success" : "message message-error" },
      r.ok ? T.saved : (r.body.errors ? r.body.errors.join("; ") : r.body.detail || T.error));
    parent.appendChild(p);
    if (r.ok) { map.getSource("twin").setTiles([origin + cfg.tiles + "?v=" + Date.now()]); }
  }
  function ownProps(props) {
    var out = {};
    Object.keys(props).forEach(function (k) {
      if (["name", "number", "layer", "version", "valid_from", "district", "retired_at"].indexOf(k) < 0) { out[k] = props[k]; }
    });
    var meta = cfg.layers.filter(function (l) { return l.code === props.layer; })[0];
    if (props.name && meta && meta.has_name) { out.name = props.name; }
    return out;
  }
  function editor(section, feature) {
    var form = el("form", { class: "twin-edit form" });
    var id = "twin-props-" + feature.id;
    form.appendChild(el("label", { for: id }, T.edit));
    var area = el("textarea", { id: id, rows: "5" });
    var props = ownProps(feature.properties || {});
    area.value = JSON.stringify(props, null, 1);
    form.appendChild(area);
    var rid = "twin-reason-" + feature.id;
    form.appendChild(el("label", { for: rid }, T.reason));
    var reason = el("input", { id: rid, type: "text" });
    form.appendChild(reason);
    var save = el("button", { type: "submit" }, T.save);
    form.appendChild(save);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var parsed;
      try { parsed = JSON.parse(area.value); } catch (err) { status(form, { ok: false, body: { detail: String(err) } }); return; }
      send("PATCH", cfg.api + "/features/" + feature.id, { properties: parsed, reason: reason.value }).then(function (r) { status(form, r); });
    });
    if (feature.geometry && feature.geometry.type === "Point") {
      var move = el("button", { type: "button" }, T.move);
      move.addEventListener("click", function () { moving = { feature: feature, reason: reason, form: form }; status(form, { ok: false, info: true, body: { detail: T.click_to_move } }); });
      form.appendChild(move);
    }
    var retire = el("button", { type: "button", class: "danger" }, T.retire);
    retire.addEventListener("click", function () {
      send("DELETE", cfg.api + "/features/" + feature.id + "?reason=" + encodeURIComponent(reason.value)).then(function (r) { status(form, r); });
    });
    form.appendChild(retire);
    section.appendChild(form);
  }
  function finishMove(lngLat) {
    var m = moving; moving = null;
    send("PATCH", cfg.api + "/features/" + m.feature.id, {
      geometry: { type: "Point", coordinates: [lngLat.lng, lngLat.lat] }, reason: m.reason.value
    }).then(function (r) { status(m.form, r); select(lngLat.lng, lngLat.lat); });
  }
  function adder(section, lon, lat) {
    var points = cfg.layers.filter(function (l) { return l.geometry === "Point" && cfg.editable.indexOf(l.code) >= 0; });
    points.sort(function (a, b) { return (b.code === "landmarks") - (a.code === "landmarks"); });
    if (!points.length) { return; }
    var form = el("form", { class: "twin-add form" });
    form.appendChild(el("h3", {}, T.add));
    var sel = el("select", { id: "twin-add-layer", "aria-label": T.layer });
    points.forEach(function (l) { sel.appendChild(el("option", { value: l.code }, l.title)); });
    form.appendChild(sel);
    var area = el("textarea", { id: "twin-add-props", rows: "3", "aria-label": T.edit });
    area.value = "{\"kind\": \"pole\"}";
    form.appendChild(area);
    form.appendChild(el("button", { type: "submit" }, T.save));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var parsed;
      try { parsed = JSON.parse(area.value); } catch (err) { status(form, { ok: false, body: { detail: String(err) } }); return; }
      send("POST", cfg.api + "/layers/" + sel.value + "/features", {
        geometry: { type: "Point", coordinates: [lon, lat] }, properties: parsed
      }).then(function (r) { status(form, r); });
    });
    section.appendChild(form);
  }

  // Deep links: /map/?n=12-0457 (from a label's QR code) or ?lon=..&lat=..
  var params = new URLSearchParams(window.location.search);
  map.on("load", function () {
    document.getElementById("twin-map").setAttribute("data-ready", "1");
    if (params.get("n")) {
      document.getElementById("twin-q").value = params.get("n");
      search(params.get("n"));
    } else if (params.get("lon") && params.get("lat")) {
      var lon = parseFloat(params.get("lon")), lat = parseFloat(params.get("lat"));
      goTo(lon, lat, 17);
      locate(lon, lat, null);
    }
  });
})();
