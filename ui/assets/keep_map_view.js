// Keeps the map's zoom and position when Streamlit redraws it after a filter or indicator change.
// Streamlit 1.67 re-renders a plotly chart with the figure's own map centre and zoom whenever its
// data change, so plotly's `uirevision` does not carry the user's view over. This script runs in a
// same-origin component iframe: it remembers the last view the user moved to (any view other than the figure's own) per
// `layout.uirevision` (one per area) in sessionStorage and puts it back after every redraw
// (plotly_afterplot). Choosing another area (a new uirevision) starts from that area's default view.
(function () {
  const host = window.parent;
  const store = host.sessionStorage;
  function mapOf(gd) {
    const full = gd._fullLayout;
    return full && full.map && full.map._subplot && full.map._subplot.map;
  }
  function keyOf(gd) {
    return "vnchild-view-" + ((gd.layout && gd.layout.uirevision) || "");
  }
  function attach(gd) {
    if (gd.__keepView || !mapOf(gd) || typeof gd.on !== "function") return;
    gd.__keepView = true;
    let restoring = false;
    function remember() {
      // A redraw snaps the map back to the figure's own view; that is not a choice to remember.
      const map = mapOf(gd);
      const own = (gd.layout && gd.layout.map) || {};
      const c = map.getCenter();
      const atOwn = own.zoom !== undefined && own.center && Math.abs(map.getZoom() - own.zoom) < 1e-6 &&
        Math.abs(c.lng - own.center.lon) < 1e-6 && Math.abs(c.lat - own.center.lat) < 1e-6;
      if (restoring || atOwn) return;
      store.setItem(keyOf(gd), JSON.stringify({ center: [c.lng, c.lat], zoom: map.getZoom() }));
    }
    let watched = null;
    function watch() {
      const map = mapOf(gd);
      if (map && map !== watched) {
        map.on("moveend", remember);
        watched = map;
      }
    }
    function restore() {
      const saved = store.getItem(keyOf(gd));
      const map = mapOf(gd);
      if (!saved || !map) return;
      const view = JSON.parse(saved);
      const c = map.getCenter();
      const same = Math.abs(map.getZoom() - view.zoom) < 1e-6 &&
        Math.abs(c.lng - view.center[0]) < 1e-9 && Math.abs(c.lat - view.center[1]) < 1e-9;
      if (same) return;
      restoring = true;
      try { map.jumpTo({ center: view.center, zoom: view.zoom }); } finally { restoring = false; }
    }
    gd.on("plotly_afterplot", function () { watch(); restore(); });
    watch();
    restore();
  }
  host.setInterval(function () {
    host.document.querySelectorAll(".js-plotly-plot").forEach(attach);
  }, 250);
})();
