"""Prototype measured by bench/bench_browser.py --extra: the lean plotly path.

Same GeoJSON by URL as the app, the figure written as a plain dict (no go.Choroplethmap validation, no
go.Figure deep copy per rerun), one trace per status class with the codes only and a compact hover
(the commune name and value, no per-commune HTML), and no st.code share-link block on the page.
"""

from __future__ import annotations

import streamlit as st

from bench.proto_view import prototype_view

st.set_page_config(page_title="lean plotly prototype", layout="wide")
view = prototype_view()
frame, code, url = view.frame, view.code, view.url
traces = []
for k, colour in enumerate(view.palette.colours):
    part = frame[view.classes == k]
    if part.empty:
        continue
    rgba = f"rgba({colour[0]},{colour[1]},{colour[2]},{colour[3] / 255:.2f})"
    traces.append({"type": "choroplethmap", "geojson": url, "featureidkey": "id", "locations": part["code"].tolist(),
                   "z": [0] * len(part), "colorscale": [[0, rgba], [1, rgba]], "showscale": False,
                   "marker": {"line": {"color": "#FFFFFF", "width": 0.3}},
                   "text": (part["full_name"] + " " + part["value"].round(1).astype(str)).tolist(),
                   "hoverinfo": "text", "name": str(k)})
fig = {"data": traces, "layout": {"map": {"style": "white-bg", "center": view.center, "zoom": view.zoom},
                                  "height": 720,
                                  "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": code or "vn"}}
st.title(view.title)
st.plotly_chart(fig, width="stretch", key="map", on_select="rerun", selection_mode="points")
