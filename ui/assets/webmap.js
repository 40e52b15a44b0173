// The commune map in the browser: deck.gl (vendored, served from the app's static folder), one
// GeoJSON layer whose colours come by commune code from each rerun. Geometry and names are fetched once
// per page and kept; a rerun only recolours (no new layer data, no refetch) and keeps the view the user
// moved to (per area, in sessionStorage, so it also survives leaving the page and coming back).
// Hover shows the commune's values; a click sends its code to Python (open the profile).
const cache = (window.__vnchildMap = window.__vnchildMap || { json: {}, hover: {}, lib: null });

function fetchJson(url) {
  if (!cache.json[url]) {
    cache.json[url] = fetch(url).then((r) => {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  return cache.json[url];
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

function legendHtml(d) {
  let out = d.legend_title ? `<div class="vnmap-title">${esc(d.legend_title)}</div>` : "";
  if (d.bar) {
    out += `<div class="vnmap-bar-title">${esc(d.bar.title)}</div>` +
      `<div class="vnmap-bar" style="background:linear-gradient(to right,${d.bar.colours.join(",")})"></div>` +
      `<div class="vnmap-bar-ticks"><span>${esc(d.bar.min)}</span><span>${esc(d.bar.max)}</span></div>`;
  }
  for (const e of d.legend) {
    const border = e.line ? `border:1.5px solid ${e.line}` : "border:1px solid #999";
    out += `<div class="vnmap-entry"><span class="vnmap-swatch" style="background:${e.colour};opacity:${e.opacity};${border}"></span>${esc(e.label)}</div>`;
  }
  return out;
}

function viewKey(d) { return "vnchild-view-" + d.view_key; }

function initialView(d) {
  const saved = window.sessionStorage.getItem(viewKey(d));
  if (saved) {
    try { return JSON.parse(saved); } catch (e) { /* ignore a damaged entry */ }
  }
  return { longitude: d.view.lon, latitude: d.view.lat, zoom: d.view.zoom };
}

function render(state) {
  const d = state.data;
  const lib = state.lib;
  if (!lib || !state.geo) return;
  // code → row of this rerun; features not in the view are not drawn and not picked.
  const rows = new Map();
  for (let i = 0; i < d.codes.length / 5; i++) rows.set(d.codes.substr(i * 5, 5), i);
  state.rows = rows;
  const none = [0, 0, 0, 0];
  const fill = (f) => { const i = rows.get(f.id); return i === undefined ? none : d.palette[d.colour[i]]; };
  const line = (f) => {
    const i = rows.get(f.id);
    if (i === undefined) return none;
    const p = d.palette[d.colour[i]];
    return p.length > 4 ? [p[4], p[5], p[6], 255] : [255, 255, 255, 255];
  };
  const width = (f) => { const i = rows.get(f.id); return i !== undefined && d.palette[d.colour[i]].length > 4 ? 0.8 : 0.3; };
  state.version += 1;
  const layers = [
    new lib.GeoJsonLayer({
      id: "communes", data: state.geo, filled: true, stroked: true, pickable: true, autoHighlight: true,
      highlightColor: [0, 0, 0, 60], lineWidthUnits: "pixels", getFillColor: fill, getLineColor: line,
      getLineWidth: width, updateTriggers: { getFillColor: state.version, getLineColor: state.version, getLineWidth: state.version },
    }),
  ];
  if (state.outline) {
    layers.push(new lib.GeoJsonLayer({
      id: "provinces", data: state.outline, filled: false, stroked: true, pickable: false,
      lineWidthUnits: "pixels", getLineColor: [34, 34, 34, 255], getLineWidth: 1.2,
    }));
  }
  state.legend.innerHTML = legendHtml(d);
  if (state.shownKey !== d.view_key) {  // another area: its own remembered or default view
    state.shownKey = d.view_key;
    const view = initialView(d);
    state.deck.setProps({ initialViewState: view });
    state.root.setAttribute("data-view", JSON.stringify(view));
  }
  state.deck.setProps({ layers });
  state.root.setAttribute("data-version", String(state.version));
}

function tooltip(state, info) {
  const f = info && info.object;
  if (!f || !state.rows) return null;
  const i = state.rows.get(f.id);
  if (i === undefined) return null;
  const d = state.data;
  const [name, province] = (state.names && state.names[f.id]) || [f.id, ""];
  const l = d.hover_labels;
  // The values of this view come from a static file, fetched on the first hover after a rerun.
  const url = d.hover;
  if (!cache.hover[url]) {
    cache.hover[url] = { rows: null };
    fetchJson(url).then((h) => {
      const at = new Map();
      for (let k = 0; k < h.codes.length / 5; k++) at.set(h.codes.substr(k * 5, 5), k);
      cache.hover[url] = { rows: h.rows.split("\n"), at, statuses: h.statuses };
      if (state.lastHover) showTooltip(state, state.lastHover);  // now with the values
    });
  }
  const h = cache.hover[url];
  let value = "…", gap = "…", status = "…";
  if (h.rows) {
    const k = h.at.get(f.id);
    if (k !== undefined) {
      const parts = h.rows[k].split("\t");
      value = parts[0]; gap = parts[1]; status = h.statuses[+parts[2]] || "";
    }
  }
  return `<b>${esc(name)}</b> — ${esc(province)}<br>${esc(l.value)}: ${esc(value)}<br>${esc(l.target)}: ` +
    `${esc(d.target_text)}<br>${esc(l.gap)}: ${esc(gap)}<br>${esc(l.status)}: ${esc(status)}`;
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
  tip.style.top = (info.y + 14) + "px";
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let state = parentElement.__vnmap;
  if (!state) {
    const root = document.createElement("div");
    root.className = "vnmap";
    root.style.height = data.height + "px";
    root.tabIndex = 0;
    root.setAttribute("role", "application");
    root.setAttribute("aria-label", data.aria_label || "map");
    const legend = document.createElement("div");
    legend.className = "vnmap-legend";
    parentElement.appendChild(root);
    parentElement.appendChild(legend);
    state = parentElement.__vnmap = { root, legend, version: 0, data, shownKey: null, setTrigger: setTriggerValue };
    const tip = document.createElement("div");
    tip.className = "vnmap-tooltip";
    tip.setAttribute("role", "tooltip");
    root.appendChild(tip);
    state.tip = tip;
    root.addEventListener("pointerleave", () => showTooltip(state, null));
    // A click on a commune of this view sends its code to Python (the page opens its profile).
    root.addEventListener("click", (e) => {
      if (!state.deck || !state.rows) return;
      const r = root.getBoundingClientRect();
      const picked = state.deck.pickObject({ x: e.clientX - r.left, y: e.clientY - r.top, layerIds: ["communes"] });
      const f = picked && picked.object;
      if (f && state.rows.has(f.id)) state.setTrigger("clicked", f.id);
    });
    Promise.all([loadDeck(data.lib), fetchJson(data.geo), data.outline ? fetchJson(data.outline) : null,
                 fetchJson(data.names)]).then(([lib, geo, outline, names]) => {
      state.lib = lib; state.geo = geo; state.outline = outline; state.names = names; state.geoUrl = state.data.geo;
      state.deck = new lib.Deck({
        parent: root, initialViewState: initialView(state.data), controller: { keyboard: true, doubleClickZoom: true },
        onHover: (info) => showTooltip(state, info && info.object ? info : null),
        getCursor: ({ isHovering }) => (isHovering ? "pointer" : "grab"),
        onViewStateChange: ({ viewState }) => {
          const view = { longitude: viewState.longitude, latitude: viewState.latitude, zoom: viewState.zoom };
          window.sessionStorage.setItem(viewKey(state.data), JSON.stringify(view));
          root.setAttribute("data-view", JSON.stringify(view));
        },
        // data-rendered = the rerun whose colours are on screen (what tests and the bench wait for).
        onAfterRender: () => root.setAttribute("data-rendered", root.getAttribute("data-version") || ""),
      });
      state.shownKey = state.data.view_key;
      root.setAttribute("data-view", JSON.stringify(initialView(state.data)));
      render(state);
    }).catch((err) => { root.textContent = String(err); });
    return;
  }
  state.data = data;
  state.setTrigger = setTriggerValue;
  if (state.geoUrl && data.geo !== state.geoUrl) {  // another area's geometry (fetched once, then kept)
    fetchJson(data.geo).then((geo) => {
      if (state.data.geo !== data.geo) return;
      state.geo = geo; state.geoUrl = data.geo;
      render(state);
    });
    return;
  }
  render(state);
}
