"""The commune map on the map page: a deck.gl component fed by geo.reporting.webmap.map_payload.

Clicking a commune opens its profile. The component is registered once per process; its JavaScript
is ui/assets/webmap.js.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo import config
from geo.reporting.webmap import publish_hover
from ui.cache import web_map_assets

_ASSETS = Path(__file__).parent / "assets"
_CSS = """
.vnmap { position: relative; width: 100%; background: white; outline-offset: 2px; }
.vnmap-legend { position: absolute; top: 8px; right: 8px; background: rgba(255,255,255,0.9); padding: 6px 10px;
  font: 15px "Noto Sans", Arial, sans-serif; color: #222; border-radius: 4px; max-width: 45%; z-index: 2; }
.vnmap-title { font-weight: 600; margin-bottom: 4px; }
.vnmap-entry { display: flex; align-items: center; gap: 6px; line-height: 1.5; }
.vnmap-swatch { display: inline-block; width: 16px; height: 12px; flex: none; }
.vnmap-tooltip { position: absolute; display: none; pointer-events: none; z-index: 3; background: white; color: #222;
  font: 15px "Noto Sans", Arial, sans-serif; padding: 6px 8px; border: 1px solid #999; border-radius: 3px;
  max-width: 420px; box-shadow: 0 1px 4px rgba(0,0,0,0.2); }
.vnmap-bar { height: 12px; width: 180px; margin: 2px 0; }
.vnmap-bar-ticks { display: flex; justify-content: space-between; width: 180px; font-size: 13px; }
"""


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("vnchild_map", js=(_ASSETS / "webmap.js").read_text(encoding="utf-8"),
                                      css=_CSS, isolate_styles=False)


def commune_map(payload: dict, *, layers, geojson_url: str, outline_url: str | None, center: dict, zoom: float,
                view_key: str, aria_label: str, height: int = 720, key: str = "commune_map") -> None:
    """Draw the map; a click on a commune opens its profile page."""
    assets = web_map_assets(str(config.static_dir()), layers.key, layers)
    payload = dict(payload)
    hover = publish_hover(payload, config.static_dir() / layers.static_subdir / "hover")
    data = {**payload, **assets, "hover": layers.url(f"hover/{hover}"), "geo": geojson_url, "outline": outline_url,
            "height": height,
            "view": {"lon": center["lon"], "lat": center["lat"], "zoom": zoom}, "view_key": view_key,
            "aria_label": aria_label}
    result = _component()(data=data, key=key, height=height, on_clicked_change=lambda: None)
    code = str(getattr(result, "clicked", None) or "")
    if len(code) == 5 and code.isdigit():
        st.session_state["commune"] = code
        st.switch_page("views/profile.py")
