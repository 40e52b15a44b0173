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
    let guardUntil = 0;
    let userUntil = 0;
    // Moves that follow the user's own wheel, drag, touch or keys (plus the easing after them).
    ["wheel", "mousedown", "touchstart", "keydown", "dblclick"].forEach(function (type) {
      gd.addEventListener(type, function () { userUntil = Date.now() + 1500; }, { capture: true, passive: true });
    });
    function remember() {
      // A redraw moves the map back to the figure's own centre and zoom, sometimes one after the
      // other. Such moves are not the user's choice: never remember them, and right after a redraw
      // put the remembered view back. Any other move is the user's and is remembered.
      if (restoring) return;
      const map = mapOf(gd);
      const own = (gd.layout && gd.layout.map) || {};
      const c = map.getCenter();
      const ownZoom = own.zoom !== undefined && Math.abs(map.getZoom() - own.zoom) < 1e-6;
      const ownCenter = !!own.center && Math.abs(c.lng - own.center.lon) < 1e-6 &&
        Math.abs(c.lat - own.center.lat) < 1e-6;
      const userMoving = Date.now() < userUntil;
      const redrawing = !userMoving && Date.now() < guardUntil;
      if ((ownZoom && ownCenter && !userMoving) || (redrawing && (ownZoom || ownCenter))) {
        if (redrawing) restore();
        return;
      }
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
    function settle() {
      // Plotly may still be applying the figure's own view when afterplot fires: try again shortly.
      guardUntil = Date.now() + 3000;
      watch();
      restore();
      host.setTimeout(restore, 300);
      host.setTimeout(restore, 1000);
    }
    gd.on("plotly_afterplot", settle);
    settle();
  }
  host.setInterval(function () {
    host.document.querySelectorAll(".js-plotly-plot").forEach(attach);
  }, 250);
})();
