"""Prototype measured by bench/bench_browser.py --extra: the national map through pydeck (st.pydeck_chart).

Geometry by URL from the static folder (the app's own GeoJSON), colours by code: pydeck can only send
layer props, so the colours travel as a deck.gl JSON expression with the codes and palette indices
inlined, evaluated per feature in the browser. Picking works (click → selection with the feature id);
the hover can only show what the static GeoJSON holds (the code), not the values — one reason the app
uses its own deck.gl component instead (ui/assets/webmap.js).
"""

from __future__ import annotations

import json

import pydeck as pdk
import streamlit as st

from bench.proto_view import prototype_view

st.set_page_config(page_title="pydeck prototype", layout="wide")
view = prototype_view()
frame, ind, code, center = view.frame, view.indicator, view.code, view.center
codes = "".join(frame["code"])
cls = "".join(chr(48 + i) for i in view.classes)
palette = [c[:4] for c in view.palette.colours]
expr = f"@@={json.dumps(palette)}[{json.dumps(cls)}[{json.dumps(codes)}.indexOf(id) / 5]] || [0, 0, 0, 0]"
layer = pdk.Layer("GeoJsonLayer", data=view.url, id="communes", pickable=True, stroked=True, filled=True,
                  get_fill_color=expr, get_line_color=[255, 255, 255], line_width_units="pixels", get_line_width=0.3,
                  update_triggers={"getFillColor": [ind, code]})
deck = pdk.Deck(layers=[layer], map_style=None, tooltip={"text": "{id}"},
                initial_view_state=pdk.ViewState(longitude=center["lon"], latitude=center["lat"], zoom=view.zoom))
st.title(view.title)
event = st.pydeck_chart(deck, height=720, on_select="rerun", selection_mode="single-object", key="map")
picked = (event.selection.objects.get("communes") or [{}])[0] if event and event.selection else {}
if picked:
    st.write(picked.get("id"))
