"""The browser map (deck.gl component) fed by geo.reporting.webmap.map_payload: the commune map and the
overview's status map.

A click on a commune opens its profile; on a province map (click="province") it opens that province
(the province filter, so the URL gets prov=). The view the user moved to goes into the share link
(state "view" → the URL's view=<area>_<lon>_<lat>_<zoom>, see ui/state.py). The component is registered
once per process; its JavaScript is ui/assets/webmap.js.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import config
from geo.geometry.context import labels_file
from geo.reporting.webmap import publish_hover
from ui.cache import web_map_assets
from ui.state import MAP_VIEW_KEY, PENDING_PROVINCE_KEY, map_view, set_map_view

_ASSETS = Path(__file__).parent / "assets"
# Tooltip: #1a1a1a on white is about 17:1 (WCAG asks ≥ 4.5:1); the legend is a column beside the map
# (under it when the page is narrow), never over the data.
_CSS = """
.vnmap-frame { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: flex-start; width: 100%; }
.vnmap { position: relative; flex: 1 1 520px; min-width: 0; background: #D9E8F3; outline-offset: 2px; }
.vnmap-legend { flex: 0 1 250px; min-width: 200px; background: white; padding: 4px 6px;
  font: 15px "Noto Sans", Arial, sans-serif; color: #1a1a1a; }
.vnmap-title { font-weight: 600; margin-bottom: 4px; }
.vnmap-entry { display: flex; align-items: center; gap: 6px; line-height: 1.5; }
.vnmap-scale { display: block; margin: 2px 0 4px; }
.vnmap-swatch { display: inline-block; width: 18px; height: 13px; flex: none; box-sizing: border-box; }
.vnmap-tooltip { position: absolute; display: none; pointer-events: none; z-index: 3; background: #ffffff;
  color: #1a1a1a; font: 15px "Noto Sans", Arial, sans-serif; padding: 6px 8px; border: 1px solid #555;
  border-radius: 3px; max-width: 420px; box-shadow: 0 1px 4px rgba(0,0,0,0.25); }
.vnmap-bar { height: 12px; width: 180px; margin: 2px 0; }
.vnmap-bar-ticks { display: flex; justify-content: space-between; width: 180px; font-size: 13px; }
"""


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("vnchild_map", js=(_ASSETS / "webmap.js").read_text(encoding="utf-8"),
                                      css=_CSS, isolate_styles=False)


def commune_map(payload: dict, *, layers, geojson_url: str, outline_url: str | None, bounds, view_key: str,
                aria_label: str, labels_for: str | None = "", height: int = 640,
                fill_viewport: float | None = None, click: str = "profile", key: str = "commune_map") -> None:
    """Draw the map; a click on a unit opens its profile (click="profile") or its province ("province").

    bounds: (min_lon, min_lat, max_lon, max_lat) of the area, fitted to the canvas's real size in the
    browser. labels_for: "" for the national place names (provinces, Hoàng Sa, Trường Sa), a province code
    for its communes' names, None for none. fill_viewport: the map's height as a fraction of the
    window's height (presentation mode), kept on resize.
    """
    assets = web_map_assets(str(config.static_dir()), layers.key, layers)
    if st.session_state.get(MAP_VIEW_KEY) and map_view(view_key) is None:
        st.session_state[MAP_VIEW_KEY] = ""  # another map's view: the link keeps only this map's
    payload = dict(payload)
    hover = publish_hover(payload, config.static_dir() / layers.static_subdir / "hover")
    data = {**payload, **assets, "hover": layers.url(f"hover/{hover}"), "geo": geojson_url, "outline": outline_url,
            "base_geo": layers.national_url,  # every commune: drawn on until an area's own geometry has arrived
            "height": height, "fill_viewport": fill_viewport, "bounds": [float(b) for b in bounds],
            "labels": None if labels_for is None else layers.url(labels_file(labels_for or None)),
            "url_view": map_view(view_key), "view_key": view_key, "aria_label": aria_label}
    result = _component()(data=data, key=key, height="content", on_clicked_change=lambda: None,
                          on_view_change=lambda: None)
    view = getattr(result, "view", None)
    if isinstance(view, dict) and view.get("key") == view_key:
        set_map_view(view_key, view)
    code = str(getattr(result, "clicked", None) or "")
    if click == "province" and len(code) == 2 and code.isdigit():
        st.session_state[PENDING_PROVINCE_KEY] = code
        st.session_state.pop(MAP_VIEW_KEY, None)
        st.rerun()
    if click == "profile" and len(code) == 5 and code.isdigit():
        st.session_state["commune"] = code
        st.switch_page("views/profile.py")
