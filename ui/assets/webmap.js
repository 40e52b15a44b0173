// The commune (or province) map in the browser: deck.gl (vendored, served from the app's static folder).
// Layers, bottom to top: the sea (the canvas background), the neighbouring countries, Vietnam's land
// (white: land outside the selection), the units coloured by code from each rerun, their edges, province
// outlines, place names. Polygons come triangulated (geo/geometry/mesh.py) and edges are plain GL lines,
// so a frame stays cheap with software WebGL too. Geometry, names and label points are static files fetched once per page and kept; a rerun
// only recolours and keeps the view the user moved to (per area, in sessionStorage, and in the share link
// through the "view" state). Until the user moves it, the view fits the area's bounds to the canvas's real
// size (with a margin) and refits when the canvas is resized. The legend is a column beside the canvas
// (under it when narrow), never over it; its swatches are drawn from the same palette entries as the map.
// Hover shows the unit's values and the target that applied to it; a click sends its code to Python.
const cache = (window.__vnchildMap = window.__vnchildMap || { json: {}, ready: {}, hover: {}, lib: null });
const MARGIN = 16;  // px between the area's bounds and the canvas edge
const LABEL_FONT = '"Noto Sans", "DejaVu Sans", Arial, sans-serif';
// The names' glyph atlas at half deck.gl's default size (its signed-distance transform is a quarter of the
// work; 0.14–0.23 s of the first frame at the default) with buffer, radius and outline halved alike: labels
// are 13 px, drawn down from 32 px glyphs.
const LABEL_ATLAS = { sdf: true, fontSize: 32, buffer: 2, radius: 6 };

function fetchFile(url, read) {
  if (!url) return Promise.resolve(null);
  if (!cache.json[url]) {
    cache.json[url] = fetch(url).then((r) => {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return read(r);
    }).then((j) => { cache.ready[url] = j; return j; });
  }
  return cache.json[url];
}

const fetchJson = (url) => fetchFile(url, (r) => r.json());
const fetchMesh = (url) => fetchFile(url, (r) => r.arrayBuffer().then(decodeMesh));

function decodeMesh(buf) {
  // geo/geometry/mesh.py's file: triangulated once when the cache was built, so deck.gl draws the polygons
  // without flattening or triangulating them (its binary features: triangles given, _normalize off).
  const size = new DataView(buf).getUint32(4, true);
  const head = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 8, size)));
  let at = 8 + size;
  const take = (Type, n) => { const a = new Type(buf, at, n); at += 4 * n; return a; };
  const { vertices: v, triangles: t, polygons: p, rings: r, scale } = head;
  const dpos = take(Int32Array, 2 * v), dtri = take(Int32Array, 3 * t);
  const polygonStart = take(Uint32Array, p + 1), ringStart = take(Uint32Array, r + 1), polygonFeature = take(Uint32Array, p);
  const positions = new Float32Array(2 * v);
  for (let i = 0, x = 0, y = 0; i < v; i++) {
    x += dpos[2 * i]; y += dpos[2 * i + 1];
    positions[2 * i] = x / scale; positions[2 * i + 1] = y / scale;
  }
  const triangles = new Uint32Array(3 * t);
  for (let i = 0, k = 0; i < 3 * t; i++) { k += dtri[i]; triangles[i] = k; }
  const feature = new Uint32Array(v);  // each vertex's feature: what picking and the accessors read
  for (let i = 0; i < p; i++) feature.fill(polygonFeature[i], polygonStart[i], polygonStart[i + 1]);
  const none = () => ({ positions: { value: new Float32Array(0), size: 2 }, globalFeatureIds: { value: new Uint32Array(0), size: 1 },
                        featureIds: { value: new Uint32Array(0), size: 1 }, numericProps: {}, properties: [] });
  const polygons = {
    positions: { value: positions, size: 2 }, polygonIndices: { value: polygonStart, size: 1 },
    primitivePolygonIndices: { value: ringStart, size: 1 }, triangles: { value: triangles, size: 1 },
    globalFeatureIds: { value: feature, size: 1 }, featureIds: { value: feature, size: 1 }, numericProps: {},
    properties: head.ids.map((id) => ({ id })),
  };
  return { ids: head.ids, data: { points: none(), lines: { ...none(), pathIndices: { value: new Uint32Array([0]), size: 1 } }, polygons } };
}

// Outlines as plain GL lines (one pixel, no instancing). deck.gl's PathLayer draws every segment as an
// instance; with software WebGL (SwiftShader, what a machine without a GPU runs) that cost 4–6 s per frame
// for the country's commune outlines, the page frozen meanwhile; these lines cost ≈ 0.1 s.
const LINES_VS = `#version 300 es
#define SHADER_NAME vnmap-lines-vertex-shader
in vec2 positions;
in vec4 colors;
out vec4 vColor;
void main(void) {
  gl_Position = project_position_to_clipspace(vec3(positions, 0.0), vec3(0.0), vec3(0.0));
  vColor = colors;
}`;
const LINES_FS = `#version 300 es
#define SHADER_NAME vnmap-lines-fragment-shader
precision highp float;
in vec4 vColor;
out vec4 fragColor;
void main(void) { fragColor = vColor; }`;

function linesLayer(lib) {
  if (cache.Lines) return cache.Lines;
  class Lines extends lib.Layer {
    getShaders() { return super.getShaders({ vs: LINES_VS, fs: LINES_FS, modules: [lib.project32] }); }
    initializeState() { this.setState({ model: null }); }
    updateState({ props, oldProps }) {
      if (this.state.model && props.lines === oldProps.lines) return;
      if (this.state.model) this.state.model.destroy();
      const { positions, colors } = props.lines;
      this.setState({ model: new window.luma.Model(this.context.device, {
        ...this.getShaders(), id: props.id, isInstanced: false,
        bufferLayout: [{ name: "positions", format: "float32x2" }, { name: "colors", format: "unorm8x4" }],
        geometry: new window.luma.Geometry({ topology: "line-list", attributes: {
          positions: { size: 2, value: positions }, colors: { size: 4, value: colors, normalized: true } } }),
      }) });
    }
    getModels() { return this.state.model ? [this.state.model] : []; }  // deck.gl sets their view uniforms, destroys them
    draw() { if (this.state.model && this.props.lines.count) this.state.model.draw(this.context.renderPass); }
  }
  Lines.layerName = "VnmapLines";
  cache.Lines = Lines;
  return Lines;
}

// The rings of a mesh as line segments (two vertices each): colourOf(feature) gives a ring's [r, g, b, a],
// or null to leave it out. GL lines are one pixel wide.
function ringLines(mesh, colourOf) {
  const p = mesh.data.polygons, pos = p.positions.value, starts = p.primitivePolygonIndices.value;
  const feature = p.featureIds.value, rings = starts.length - 1;
  const colour = new Array(rings);
  let n = 0;
  for (let r = 0; r < rings; r++) {
    colour[r] = colourOf(feature[starts[r]]);
    if (colour[r]) n += starts[r + 1] - starts[r] - 1;
  }
  const positions = new Float32Array(4 * n), colors = new Uint8Array(8 * n);
  let s = 0;
  for (let r = 0; r < rings; r++) {
    const c = colour[r];
    if (!c) continue;
    for (let i = starts[r]; i < starts[r + 1] - 1; i++, s++) {
      positions.set(pos.subarray(2 * i, 2 * i + 4), 4 * s);  // this vertex and the next
      colors.set(c, 8 * s);
      colors.set(c, 8 * s + 4);
    }
  }
  return { positions, colors, count: 2 * n };
}

function loadDeck(url) {
  if (window.deck) return Promise.resolve(window.deck);
  if (!cache.lib) {
    cache.lib = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => resolve(window.deck);
      s.onerror = () => reject(new Error("could not load " + url));
      document.head.appendChild(s);
    });
  }
  return cache.lib;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const rgba = (p) => `rgba(${p[0]},${p[1]},${p[2]},${(p[3] / 255).toFixed(3)})`;

function legendHtml(d) {
  let out = d.legend_title ? `<div class="vnmap-title">${esc(d.legend_title)}</div>` : "";
  for (const e of d.legend) {
    if (e.fills) {  // a colour scale: the bar drawn with the same colours and opacity as the fills
      out += `<div class="vnmap-entry vnmap-scale" data-fills="${e.fills[0]}-${e.fills[1]}">` +
        `<div class="vnmap-bar-title">${esc(e.label)}</div>` +
        `<div class="vnmap-bar" style="background:linear-gradient(to right,${e.colours.join(",")});opacity:${e.opacity};` +
        `${e.line ? "outline:1.5px solid " + e.line : ""}"></div>` +
        (d.bar ? `<div class="vnmap-bar-ticks"><span>${esc(d.bar.min)}</span><span>${esc(d.bar.max)}</span></div>` : "") +
        `</div>`;
      continue;
    }
    const p = d.palette[e.fill];
    const border = p.length > 4 ? `border:1.5px solid rgb(${p[4]},${p[5]},${p[6]})` :
      `border:1px ${e.frame || "solid"} #8a8a8a`;
    out += `<div class="vnmap-entry" data-fill="${e.fill}"><span class="vnmap-swatch" style="background:${rgba(p)};${border}"></span>${esc(e.label)}</div>`;
  }
  return out;
}

function viewKey(d) { return "vnchild-view-" + d.view_key; }

function fitted(state) {
  const d = state.data, lib = state.lib;
  const w = Math.max(state.root.clientWidth, 50), h = Math.max(state.root.clientHeight, 50);
  const [x0, y0, x1, y1] = d.bounds;
  const margin = Math.min(MARGIN, w / 4, h / 4);
  const vp = new lib.WebMercatorViewport({ width: w, height: h })
    .fitBounds([[x0, y0], [x1, y1]], { padding: margin, maxZoom: 14 });
  return { longitude: vp.longitude, latitude: vp.latitude, zoom: vp.zoom };
}

function initialView(state) {
  const d = state.data;
  if (d.url_view && !state.urlViewUsed) {  // a shared link's view (once: then the user's moves win)
    state.urlViewUsed = true;
    state.moved = true;
    return { longitude: d.url_view.lon, latitude: d.url_view.lat, zoom: d.url_view.zoom };
  }
  const saved = window.sessionStorage.getItem(viewKey(d));
  if (saved) {
    try { state.moved = true; return JSON.parse(saved); } catch (e) { /* ignore a damaged entry */ }
  }
  state.moved = false;
  return fitted(state);
}

function setView(state, view) {
  state.view = view;
  state.deck.setProps({ initialViewState: { ...view } });
  state.root.setAttribute("data-view", JSON.stringify(view));
}

function frameHeight(d) {
  if (d.fill_viewport) return Math.max(320, Math.round(window.top.innerHeight * d.fill_viewport));
  return d.height;
}

function labelData(state) {
  // Names that fit inside their unit at this zoom (width and height on screen), plus the always-labelled.
  if (!state.labels || !state.view) return [];
  const z = state.view.zoom, size = state.data.label_size || 13;
  const pxPerDeg = 512 * Math.pow(2, z) / 360;
  const out = [];
  for (const l of state.labels) {
    const [name, lon, lat, w, h, always] = l;
    const k = 1 / Math.cos(lat * Math.PI / 180);  // mercator stretches latitude
    if (always || (w * pxPerDeg >= name.length * size * 0.56 + 4 && h * pxPerDeg * k >= size * 1.3)) {
      out.push(l);
    }
  }
  return out;
}

const OUTLINE = [34, 34, 34, 255];
// The white edge between communes: fainter on the national view, where communes are a few pixels wide.
const edgeAlpha = (zoom) => (zoom >= 7 ? 160 : 80);

function communeLines(state) {
  // Edges of the communes this rerun shows: white, or the class's own edge colour (drawn on top). Kept
  // until the colours or the geometry change.
  const d = state.data, rows = state.rows, ids = state.geo.ids;
  const alpha = edgeAlpha(state.view ? state.view.zoom : 0), edge = [255, 255, 255, alpha];
  const kept = state.lines;
  if (kept && kept.version === state.version && kept.geo === state.geo && kept.alpha === alpha) return kept;
  const colourOf = (bordered) => (f) => {
    const i = rows.get(ids[f]);
    if (i === undefined) return null;
    const p = d.palette[d.colour[i]];
    if (p.length > 4) return bordered ? [p[4], p[5], p[6], 255] : null;
    return bordered ? null : edge;
  };
  state.lines = { version: state.version, geo: state.geo, alpha, plain: ringLines(state.geo, colourOf(false)),
                  bordered: ringLines(state.geo, colourOf(true)) };
  return state.lines;
}

function buildLayers(state) {
  const d = state.data, lib = state.lib;
  const rows = state.rows;
  const none = [0, 0, 0, 0];
  const fill = (f) => { const i = rows.get(f.properties.id); return i === undefined ? none : d.palette[d.colour[i]]; };
  const ctx = d.context || {};
  const layers = [];
  if (state.neighbours && ctx.neighbours !== undefined) {
    layers.push(new lib.GeoJsonLayer({
      id: "neighbours", data: state.neighbours.data, filled: true, stroked: false, pickable: false,
      getFillColor: d.palette[ctx.neighbours].slice(0, 4),
    }));
  }
  if (state.land) {  // Vietnam's land: white under the units (what "outside the selection" looks like)
    const landColour = ctx.outside !== undefined ? d.palette[ctx.outside].slice(0, 4) : [255, 255, 255, 255];
    layers.push(new lib.GeoJsonLayer({
      id: "land", data: state.land.data, filled: true, stroked: false, pickable: false, getFillColor: landColour,
    }));
  }
  layers.push(new lib.GeoJsonLayer({
    id: "communes", data: state.geo.data, filled: true, stroked: false, pickable: true, autoHighlight: true,
    highlightColor: [0, 0, 0, 60], getFillColor: fill, updateTriggers: { getFillColor: state.version },
  }));
  const Lines = linesLayer(lib);
  const lines = communeLines(state);
  layers.push(new Lines({ id: "commune-lines", lines: lines.plain }));
  layers.push(new Lines({ id: "commune-borders", lines: lines.bordered }));  // on top: a class's own edge colour
  if (state.outline) {
    const outline = state.outline.lines || (state.outline.lines = ringLines(state.outline, () => OUTLINE));
    layers.push(new Lines({ id: "provinces", lines: outline }));
  }
  const shown = labelData(state);
  state.root.setAttribute("data-labels", String(shown.length));
  if (shown.length) {
    layers.push(new lib.TextLayer({
      id: "labels", data: shown, pickable: false, getPosition: (l) => [l[1], l[2]], getText: (l) => l[0],
      getSize: d.label_size || 13, sizeUnits: "pixels", getColor: [20, 20, 20, 255], fontFamily: LABEL_FONT,
      fontWeight: 600, characterSet: state.charset, outlineWidth: 1.5, outlineColor: [255, 255, 255, 230],
      fontSettings: LABEL_ATLAS, getTextAnchor: "middle", getAlignmentBaseline: "center",
      updateTriggers: { getPosition: state.labelsUrl },
    }));
  }
  return layers;
}

function render(state) {
  const d = state.data;
  if (!state.lib || !state.geo) return;
  // code → row of this rerun; features not in the view are not drawn and not picked.
  const rows = new Map();
  const w = d.code_width || 5;
  for (let i = 0; i < d.codes.length / w; i++) rows.set(d.codes.substr(i * w, w), i);
  state.rows = rows;
  state.version += 1;
  state.legend.innerHTML = legendHtml(d);
  const height = frameHeight(d);
  if (state.root.clientHeight !== height) state.root.style.height = height + "px";
  if (state.shownKey !== d.view_key) {  // another area: its own remembered or fitted view
    state.shownKey = d.view_key;
    setView(state, initialView(state));
  }
  state.deck.setProps({ layers: buildLayers(state) });
  state.root.setAttribute("data-version", String(state.version));
}

function hoverValues(state, code) {
  // The values of this view come from a static file, fetched on the first hover after a rerun.
  const url = state.data.hover;
  if (!cache.hover[url]) {
    cache.hover[url] = { rows: null };
    fetchJson(url).then((h) => {
      const at = new Map();
      const w = state.data.code_width || 5;
      for (let k = 0; k < h.codes.length / w; k++) at.set(h.codes.substr(k * w, w), k);
      cache.hover[url] = { ...h, rows: h.rows.split("\n"), at };
      if (state.lastHover) showTooltip(state, state.lastHover);  // now with the values
    });
  }
  const h = cache.hover[url];
  if (!h.rows) return null;
  const k = h.at.get(code);
  if (k === undefined) return null;
  const parts = h.rows[k].split("\t");
  const out = {};
  (h.fields || ["value", "gap", "status"]).forEach((f, j) => { out[f] = parts[j]; });
  out.status = h.statuses[+out.status] || "";
  if (out.target !== undefined) out.target = h.targets[+out.target];
  return out;
}

function pickedCode(state, info) {
  // Binary features are picked by index (the feature's number in the mesh file), not as objects.
  if (!info || !info.layer || info.layer.id !== "communes" || !(info.index >= 0) || !state.rows) return null;
  const code = state.geo.ids[info.index];
  return code !== undefined && state.rows.has(code) ? code : null;
}

function tooltip(state, info) {
  const code = pickedCode(state, info);
  if (!code) return null;
  const d = state.data, l = d.hover_labels;
  const v = hoverValues(state, code) || { value: "…", gap: "…", status: "…" };
  const [name, sub] = v.name !== undefined ? [v.name, v.sub] : ((state.names && state.names[code]) || [code, ""]);
  return `<b>${esc(name)}</b>${sub ? " — " + esc(sub) : ""}<br>${esc(l.value)}: ${esc(v.value)}<br>${esc(l.target)}: ` +
    `<span class="vnmap-target">${esc(v.target || d.target_text)}</span><br>${esc(l.gap)}: ${esc(v.gap)}` +
    `<br>${esc(l.status)}: ${esc(v.status)}`;
}

function showTooltip(state, info) {
  state.lastHover = info;
  const html = info ? tooltip(state, info) : null;
  const tip = state.tip;
  if (!html) { tip.style.display = "none"; return; }
  tip.innerHTML = html;
  tip.style.display = "block";
  const w = state.root.clientWidth;
  tip.style.left = Math.min(info.x + 14, Math.max(w - tip.offsetWidth - 4, 0)) + "px";
  tip.style.top = Math.min(info.y + 14, Math.max(state.root.clientHeight - tip.offsetHeight - 4, 0)) + "px";
}

// Every character a Vietnamese place name uses, so the label font atlas is drawn once per page (a new
// character set redraws it: that alone took a second on the first province a user opened).
const VI_LETTERS = "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ";
const charset = new Set(VI_LETTERS);
for (let c = 32; c < 127; c++) charset.add(String.fromCharCode(c));

function charsetOf(labels) {
  const before = charset.size;  // the set only grows: a name with another character adds it
  for (const l of labels || []) for (const ch of l[0]) charset.add(ch);
  if (!cache.charset || charset.size !== before) cache.charset = Array.from(charset);
  return cache.charset;
}

function loadLabels(state) {
  const url = state.data.labels;
  if (state.labelsUrl === url) return;
  state.labelsUrl = url;
  fetchJson(url).then((labels) => {
    if (state.data.labels !== url) return;
    state.labels = labels || [];
    state.charset = charsetOf(state.labels);
    if (state.deck) state.deck.setProps({ layers: buildLayers(state) });
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let state = parentElement.__vnmap;
  if (!state) {
    const frame = document.createElement("div");
    frame.className = "vnmap-frame";
    const root = document.createElement("div");
    root.className = "vnmap";
    root.style.height = frameHeight(data) + "px";
    root.tabIndex = 0;
    root.setAttribute("role", "application");
    root.setAttribute("aria-label", data.aria_label || "map");
    const legend = document.createElement("div");
    legend.className = "vnmap-legend";
    legend.setAttribute("role", "list");
    frame.appendChild(root);
    frame.appendChild(legend);
    parentElement.appendChild(frame);
    state = parentElement.__vnmap = { root, legend, version: 0, data, shownKey: null, setTrigger: setTriggerValue,
                                      setState: setStateValue, moved: false };
    const tip = document.createElement("div");
    tip.className = "vnmap-tooltip";
    tip.setAttribute("role", "tooltip");
    root.appendChild(tip);
    state.tip = tip;
    root.addEventListener("pointerleave", () => showTooltip(state, null));
    // A click on a unit of this view sends its code to Python (a commune's profile, or a province's map).
    root.addEventListener("click", (e) => {
      if (!state.deck || !state.rows) return;
      const r = root.getBoundingClientRect();
      const picked = state.deck.pickObject({ x: e.clientX - r.left, y: e.clientY - r.top, layerIds: ["communes"] });
      const code = pickedCode(state, picked);
      if (code) state.setTrigger("clicked", code);
    });
    // Fill the viewport (presentation mode) and refit the area while the user has not moved the view.
    const onResize = () => {
      if (!state.deck) return;
      const height = frameHeight(state.data);
      if (root.clientHeight !== height) root.style.height = height + "px";
      if (!state.moved) setView(state, fitted(state));
    };
    window.top.addEventListener("resize", onResize);
    new ResizeObserver(onResize).observe(root);
    loadLabels(state);
    Promise.all([loadDeck(data.lib), fetchMesh(data.geo), fetchMesh(data.outline), fetchJson(data.names),
                 fetchMesh(data.land), fetchMesh(data.neighbours)]).then(([lib, geo, outline, names, land, neighbours]) => {
      Object.assign(state, { lib, geo, outline, names, land, neighbours, geoUrl: state.data.geo });
      const view = initialView(state);
      state.view = view;
      state.deck = new lib.Deck({
        parent: root, initialViewState: view, controller: { keyboard: true, doubleClickZoom: true },
        onHover: (info) => showTooltip(state, pickedCode(state, info) ? info : null),
        getCursor: ({ isHovering }) => (isHovering ? "pointer" : "grab"),
        onViewStateChange: ({ viewState }) => {
          const v = { longitude: viewState.longitude, latitude: viewState.latitude, zoom: viewState.zoom };
          const was = state.view;
          if (was && Math.abs(v.longitude - was.longitude) < 1e-7 && Math.abs(v.latitude - was.latitude) < 1e-7 &&
              Math.abs(v.zoom - was.zoom) < 1e-7) {
            return;  // the canvas was resized (a scrollbar, a status box), nobody moved the map: no rerun
          }
          const zoomed = !state.view || Math.abs(v.zoom - state.view.zoom) > 0.05;
          state.view = v;
          root.setAttribute("data-view", JSON.stringify(v));
          // Only the user's moves come here (a new initialViewState does not): from now on the view is theirs.
          state.moved = true;
          window.sessionStorage.setItem(viewKey(state.data), JSON.stringify(v));
          // The share link keeps the view: sent to Python once the user has stopped moving.
          clearTimeout(state.sendTimer);
          state.sendTimer = setTimeout(() => {
            if (state.setState) {
              state.setState("view", { key: state.data.view_key, lon: v.longitude, lat: v.latitude, zoom: v.zoom });
            }
          }, 800);
          if (zoomed) state.deck.setProps({ layers: buildLayers(state) });  // which names fit
        },
        // data-rendered = the rerun whose colours are on screen (what tests and the bench wait for).
        onAfterRender: () => root.setAttribute("data-rendered", root.getAttribute("data-version") || ""),
      });
      state.shownKey = state.data.view_key;
      root.setAttribute("data-view", JSON.stringify(view));
      render(state);
    }).catch((err) => { root.textContent = String(err); });
    return;
  }
  state.data = data;
  state.setTrigger = setTriggerValue;
  state.setState = setStateValue;
  loadLabels(state);
  if (state.geoUrl && data.geo !== state.geoUrl) {  // another area's geometry (fetched once, then kept)
    const base = data.base_geo && cache.ready[data.base_geo];
    if (base && !cache.ready[data.geo]) {
      // The country's geometry holds every commune: the new area is coloured and framed on it at once
      // (coarser), and its own detailed geometry replaces it when it has arrived.
      state.geo = base; state.geoUrl = data.base_geo;
      render(state);
    }
    Promise.all([fetchMesh(data.geo), fetchMesh(data.outline)]).then(([geo, outline]) => {
      if (state.data.geo !== data.geo) return;
      state.geo = geo; state.outline = outline; state.geoUrl = data.geo;
      render(state);
    });
    return;
  }
  render(state);
}
