/* The situation centre's live map: MapLibre over the twin's own tiles, incidents, sensors
   and outage areas, kept current by server-sent events (no reload). */
(function () {
  "use strict";
  var node = document.getElementById("situation-config");
  if (!node) { return; }
  var cfg = JSON.parse(node.textContent);
  var T = cfg.text;
  var origin = window.location.origin;
  var state = { incidents: new Map(), devices: new Map(), outages: new Map(), after: cfg.after, connected: false, mapData: {} };
  window.situation = state;

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { n.textContent = text; }
    return n;
  }

  /* --- Filters ------------------------------------------------------------------------ */
  var form = document.getElementById("situation-filters");
  function filters() {
    var out = {};
    if (form) {
      new FormData(form).forEach(function (v, k) { if (v) { out[k] = String(v); } });
    }
    if (cfg.emergency) { out.emergency = String(cfg.emergency); out.status = out.status || "all"; }
    return out;
  }
  function query(f) {
    return Object.keys(f).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(f[k]); }).join("&");
  }
  var PERIOD_MS = { "1h": 3600e3, "24h": 864e5, "7d": 6048e5, "30d": 2592e6 };
  function matches(p) {
    var f = filters();
    var statuses = f.status ? (f.status === "all" ? null : f.status.split(",")) : ["open", "assigned", "in_progress"];
    if (statuses && statuses.indexOf(p.status) < 0) { return false; }
    if (f.kind && f.kind.split(",").indexOf(p.kind) < 0) { return false; }
    if (f.district && f.district.split(",").indexOf(p.district) < 0) { return false; }
    if (f.severity && f.severity.split(",").indexOf(p.severity) < 0) { return false; }
    if (f.period && PERIOD_MS[f.period] && (Date.now() - Date.parse(p.opened_at)) > PERIOD_MS[f.period]) { return false; }
    if (f.emergency && String(p.emergency) !== f.emergency) { return false; }
    return true;
  }

  /* --- Map ---------------------------------------------------------------------------- */
  var mapNode = document.getElementById("situation-map");
  var map = null;
  function emptyFC() { return { type: "FeatureCollection", features: [] }; }
  if (mapNode && window.maplibregl) {
    var layers = [
      { id: "background", type: "background", paint: { "background-color": "#eef1ea" } },
      { id: "districts-fill", type: "fill", source: "twin", "source-layer": "districts", paint: { "fill-color": "#5b7fa6", "fill-opacity": 0.05 } },
      { id: "buildings", type: "fill", source: "twin", "source-layer": "buildings", minzoom: 14, paint: { "fill-color": "#d8ccb9", "fill-opacity": 0.8 } },
      { id: "streets", type: "line", source: "twin", "source-layer": "streets", paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 1.5, 18, 14] } },
      { id: "districts-line", type: "line", source: "twin", "source-layer": "districts", paint: { "line-color": "#5b7fa6", "line-width": 2, "line-dasharray": [3, 2] } },
      { id: "outages-fill", type: "fill", source: "outages", paint: { "fill-color": ["case", ["get", "emergency"], "#e03131", "#f59f00"], "fill-opacity": 0.18 } },
      { id: "outages-line", type: "line", source: "outages", paint: { "line-color": ["case", ["get", "emergency"], "#c92a2a", "#e67700"], "line-width": 2 } },
      { id: "area-line", type: "line", source: "area", paint: { "line-color": "#c92a2a", "line-width": 3 } },
      { id: "affected", type: "fill", source: "buildings", paint: { "fill-color": "#e8590c", "fill-opacity": 0.6 } }
    ].concat(MistoMaps.twinLabels(), [
      MistoMaps.areaLabels("outages-label", "outage-labels", "#8a3c00"),
      { id: "routes", type: "line", source: "routes", layout: { "line-cap": "round", "line-join": "round" }, paint: { "line-color": ["case", ["get", "best"], "#1c7ed6", "#74c0fc"], "line-width": ["case", ["get", "best"], 5, 3] } },
      { id: "shelters", type: "circle", source: "shelters", paint: { "circle-radius": 7, "circle-color": ["match", ["get", "status"], "open", "#2b8a3e", "closed", "#868e96", "#f59f00"], "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
      { id: "devices", type: "circle", source: "devices", paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 2.5, 17, 6],
        "circle-color": ["match", ["get", "state"], "alert", cfg.device_colors.alert, "offline", cfg.device_colors.offline, "never", cfg.device_colors.never, cfg.device_colors.ok],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } },
      { id: "incidents", type: "circle", source: "incidents", paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 5, 17, 11],
        "circle-color": ["match", ["get", "severity"], "critical", cfg.severity_colors.critical, "warning", cfg.severity_colors.warning, cfg.severity_colors.info],
        "circle-stroke-color": ["match", ["get", "status"], "open", "#000000", "#ffffff"], "circle-stroke-width": 2 } }
    ]);
    map = new maplibregl.Map({
      container: mapNode,
      style: { version: 8, glyphs: MistoMaps.glyphs, sources: {
        twin: { type: "vector", tiles: [origin + cfg.tiles], minzoom: 0, maxzoom: 16 },
        incidents: { type: "geojson", data: emptyFC() }, devices: { type: "geojson", data: emptyFC() },
        outages: { type: "geojson", data: emptyFC() }, "outage-labels": { type: "geojson", data: emptyFC() },
        area: { type: "geojson", data: cfg.area || emptyFC() },
        buildings: { type: "geojson", data: cfg.buildings || emptyFC() },
        shelters: { type: "geojson", data: cfg.shelters || emptyFC() },
        routes: { type: "geojson", data: cfg.routes || emptyFC() }
      }, layers: layers },
      center: [35.165, 47.845], zoom: 12, maxZoom: 20, attributionControl: false
    });
    state.map = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    if (cfg.bounds) { map.fitBounds([[cfg.bounds[0], cfg.bounds[1]], [cfg.bounds[2], cfg.bounds[3]]], { padding: 20, duration: 0 }); }
    map.on("click", "incidents", function (e) {
      var p = e.features[0].properties;
      window.location.href = cfg.incident_page.replace("{id}", p.id);
    });
    map.on("mouseenter", "incidents", function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", "incidents", function () { map.getCanvas().style.cursor = ""; });
  }

  function setSource(name, store) {
    if (!map) { return; }
    var fc = { type: "FeatureCollection", features: Array.from(store.values()).filter(function (f) { return f.geometry; }) };
    state.mapData[name] = fc;
    var apply = function () {
      var s = map.getSource(name);
      if (s) { s.setData(fc); }
      // Outage areas carry their titles at one point inside each area.
      if (name === "outages") { map.getSource("outage-labels").setData(MistoMaps.labelPoints(fc)); }
    };
    if (map.isStyleLoaded()) { apply(); } else { map.once("load", apply); }
  }

  /* --- The list (the accessible twin of the map) -------------------------------------- */
  var list = document.getElementById("incident-list");
  var count = document.getElementById("incident-count");
  function render() {
    setSource("incidents", state.incidents);
    if (!list) { return; }
    var items = Array.from(state.incidents.values()).sort(function (a, b) {
      return Date.parse(b.properties.opened_at) - Date.parse(a.properties.opened_at);
    });
    list.innerHTML = "";
    if (count) { count.textContent = String(items.length); }
    if (!items.length) { list.appendChild(el("li", { class: "incident-empty" }, T.nothing)); return; }
    items.slice(0, 300).forEach(function (f) {
      var p = f.properties;
      var li = el("li", { class: "incident sev-" + p.severity, "data-incident": p.id, "data-sources": p.sources.length });
      var a = el("a", { href: cfg.incident_page.replace("{id}", p.id) }, "#" + p.id + " " + p.title);
      li.appendChild(a);
      var meta = el("span", { class: "incident-meta" });
      meta.appendChild(el("span", { class: "badge sev-" + p.severity }, T.severities[p.severity] || p.severity));
      meta.appendChild(el("span", { class: "badge status-" + p.status, "data-status": p.status }, T.statuses[p.status] || p.status));
      meta.appendChild(el("span", { class: "incident-sources" }, T.sources + ": " + p.sources.map(function (s) { return s.module; }).join(", ") + " (" + p.sources.length + ")"));
      if (p.district_name) { meta.appendChild(el("span", {}, p.district_name)); }
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  function upsertIncident(f) {
    if (matches(f.properties)) { state.incidents.set(f.properties.id, f); } else { state.incidents.delete(f.properties.id); }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }
  function loadIncidents() {
    return getJSON(cfg.incidents + "?" + query(filters())).then(function (fc) {
      state.incidents = new Map();
      fc.features.forEach(function (f) { state.incidents.set(f.properties.id, f); });
      render();
    });
  }
  function loadOthers() {
    if (!map || cfg.emergency) { return; }
    getJSON(cfg.devices).then(function (fc) {
      fc.features.forEach(function (f) { state.devices.set(f.id, f); });
      setSource("devices", state.devices);
    }).catch(function () {});
    getJSON(cfg.outages).then(function (fc) {
      fc.features.forEach(function (f) { state.outages.set(f.id, f); });
      setSource("outages", state.outages);
    }).catch(function () {});
  }

  if (form) {
    form.addEventListener("change", function () {
      var f = filters();
      history.replaceState(null, "", window.location.pathname + (Object.keys(f).length ? "?" + query(f) : ""));
      loadIncidents();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); loadIncidents(); });
  }

  /* --- Live updates ------------------------------------------------------------------- */
  var status = document.getElementById("live-status");
  function setLive(on) {
    state.connected = on;
    if (status) { status.textContent = on ? T.live : T.offline; status.className = "live-status " + (on ? "on" : "off"); }
  }
  var listeners = [];
  state.onChange = function (fn) { listeners.push(fn); };
  function connect() {
    var source = new EventSource(cfg.stream + "?after=" + state.after, { withCredentials: true });
    source.onopen = function () { setLive(true); };
    source.onerror = function () { setLive(false); };
    source.addEventListener("incident", function (e) {
      state.after = Number(e.lastEventId) || state.after;
      upsertIncident(JSON.parse(e.data));
      render();
      listeners.forEach(function (fn) { fn("incident"); });
    });
    source.addEventListener("device", function (e) {
      var f = JSON.parse(e.data);
      state.devices.set(f.id, f);
      setSource("devices", state.devices);
      listeners.forEach(function (fn) { fn("device"); });
    });
    source.addEventListener("outage", function (e) {
      var f = JSON.parse(e.data);
      state.outages.set(f.id, f);
      setSource("outages", state.outages);
      listeners.forEach(function (fn) { fn("outage"); });
    });
    source.addEventListener("emergency", function () { listeners.forEach(function (fn) { fn("emergency"); }); });
    source.addEventListener("mark", function (e) { state.after = Number(e.lastEventId) || state.after; });
    state.source = source;
  }
  loadIncidents().catch(function () { setLive(false); }).then(function () { connect(); });
  loadOthers();

  /* --- The dashboard's figures follow the changes too (debounced) --------------------- */
  var figures = document.getElementById("situation-figures");
  if (figures && figures.dataset.fragment) {
    var timer = null;
    state.onChange(function () {
      if (timer) { return; }
      timer = setTimeout(function () {
        timer = null;
        fetch(figures.dataset.fragment, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) { figures.innerHTML = html; } });
      }, 1500);
    });
  }
})();
