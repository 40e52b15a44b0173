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

from geo import config
from geo.geometry import boundaries
from geo.indicators import registry
from geo.indicators.selection import assess_communes, attach_attributes, join_indicator
from geo.reporting.choropleth import view_for_bounds
from geo.reporting.webmap import classify
from geo.synthetic import illustrative

st.set_page_config(page_title="pydeck prototype", layout="wide")


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
codes = "".join(frame["code"])
cls = "".join(chr(48 + i) for i in idx)
palette = [c[:4] for c in pal.colours]
expr = f"@@={json.dumps(palette)}[{json.dumps(cls)}[{json.dumps(codes)}.indexOf(id) / 5]] || [0, 0, 0, 0]"
bounds = layers.provinces.set_index("code").loc[code, ["min_lon", "min_lat", "max_lon", "max_lat"]] \
    if code else (102.1, 8.2, 112.2, 23.4)
center, zoom = view_for_bounds(*bounds)
url = layers.province_url(code) if code else layers.national_url
layer = pdk.Layer("GeoJsonLayer", data=url, id="communes", pickable=True, stroked=True, filled=True,
                  get_fill_color=expr, get_line_color=[255, 255, 255], line_width_units="pixels", get_line_width=0.3,
                  update_triggers={"getFillColor": [ind, code]})
deck = pdk.Deck(layers=[layer], map_style=None, tooltip={"text": "{id}"},
                initial_view_state=pdk.ViewState(longitude=center["lon"], latitude=center["lat"], zoom=zoom))
st.title(names[ind])
event = st.pydeck_chart(deck, height=720, on_select="rerun", selection_mode="single-object", key="map")
picked = (event.selection.objects.get("communes") or [{}])[0] if event and event.selection else {}
if picked:
    st.write(picked.get("id"))
