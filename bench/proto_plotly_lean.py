"""Prototype measured by bench/bench_browser.py --extra: the lean plotly path.

Same GeoJSON by URL as the app, the figure written as a plain dict (no go.Choroplethmap validation, no
go.Figure deep copy per rerun), one trace per status class with the codes only and a compact hover
(the commune name and value, no per-commune HTML), and no st.code share-link block on the page.
"""

from __future__ import annotations

import streamlit as st

from geo import config
from geo.geometry import boundaries
from geo.indicators import registry
from geo.indicators.selection import assess_communes, attach_attributes, join_indicator
from geo.reporting.choropleth import view_for_bounds
from geo.reporting.webmap import classify
from geo.synthetic import illustrative

st.set_page_config(page_title="lean plotly prototype", layout="wide")


@st.cache_resource
def data():
    layers = boundaries.load_layers(config.reference_dir(), config.cache_dir(), config.static_dir())
    ds = illustrative.generate_illustrative(illustrative.load_generator_input(config.reference_dir()))
    return layers, ds


layers, ds = data()
reg = registry.load_registry(config.registry_dir())
names = {i: reg.indicator(i)["name_vi"] for i in reg.indicator_ids()}
prov_names = dict(zip(layers.provinces["code"], layers.provinces["name"], strict=True))
ind = st.sidebar.selectbox("Chỉ số", list(names), index=list(names).index("stunting_u5"), format_func=names.get)
code = st.sidebar.selectbox("Tỉnh / thành phố", [""] + sorted(prov_names, key=prov_names.get),
                            format_func=lambda c: prov_names.get(c, "Cả nước"))
meta = reg.indicator(ind) | {"short": reg.indicator(ind)["short_vi"]}
target = reg.target(reg.default_framework(), ind, 2025)
frame, _ = join_indicator(attach_attributes(layers.communes, ds.attributes), ds.values, ind, 2025)
if code:
    frame = frame[frame["province_code"] == code]
frame = assess_communes(frame, meta, target)
labels = {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có số liệu", "no_target": "Không có mục tiêu",
          "low_precision": "ít trẻ", "lang": "vi"}
idx, pal, _ = classify(frame, mode="status", meta=meta, labels=labels)
url = layers.province_url(code) if code else layers.national_url
traces = []
for k, colour in enumerate(pal.colours):
    part = frame[idx == k]
    if part.empty:
        continue
    rgba = f"rgba({colour[0]},{colour[1]},{colour[2]},{colour[3] / 255:.2f})"
    traces.append({"type": "choroplethmap", "geojson": url, "featureidkey": "id", "locations": part["code"].tolist(),
                   "z": [0] * len(part), "colorscale": [[0, rgba], [1, rgba]], "showscale": False,
                   "marker": {"line": {"color": "#FFFFFF", "width": 0.3}},
                   "text": (part["full_name"] + " " + part["value"].round(1).astype(str)).tolist(),
                   "hoverinfo": "text", "name": str(k)})
bounds = layers.provinces.set_index("code").loc[code, ["min_lon", "min_lat", "max_lon", "max_lat"]] \
    if code else (102.1, 8.2, 112.2, 23.4)
center, zoom = view_for_bounds(*bounds)
fig = {"data": traces, "layout": {"map": {"style": "white-bg", "center": center, "zoom": zoom}, "height": 720,
                                  "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": code or "vn"}}
st.title(names[ind])
st.plotly_chart(fig, width="stretch", key="map", on_select="rerun", selection_mode="points")
