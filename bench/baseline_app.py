"""The map a user would build in an afternoon: the bench's baseline (bench/bench_browser.py starts it).

Per-polygon ``simplify(0.001)`` of the shared 2025 communes, geometry embedded in a
``plotly.express.choropleth_map``, the same illustrative values and the same two sidebar choices
(indicator, province) as the app. Geometry and values are cached the way a careful newcomer would
cache them (st.cache_data); the figure is rebuilt on every rerun.
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import plotly.express as px
import streamlit as st

from geo import config
from geo.indicators import registry
from geo.synthetic import illustrative

st.set_page_config(page_title="baseline", layout="wide")


@st.cache_data
def communes() -> gpd.GeoDataFrame:
    gdf = gpd.read_parquet(config.reference_dir() / "vn2025" / "communes.parquet")
    gdf["code"] = gdf["code"].astype(str).str.zfill(5)
    gdf["province_code"] = gdf["province_code"].astype(str).str.zfill(2)
    gdf["geometry"] = gdf.geometry.simplify(0.001)
    return gdf[["code", "fullName", "province_code", "geometry"]]


@st.cache_data
def values() -> pd.DataFrame:
    frame = illustrative.load_generator_input(config.reference_dir())
    return illustrative.generate_illustrative(frame).values


@st.cache_data
def provinces() -> pd.DataFrame:
    df = pd.read_csv(config.reference_dir() / "vn2025" / "provinces.csv", dtype={"code": str})
    df["code"] = df["code"].str.zfill(2)
    return df


reg = registry.load_registry(config.registry_dir())
names = {i: reg.indicator(i)["name_vi"] for i in reg.indicator_ids()}
prov = provinces()
prov_names = dict(zip(prov["code"], prov["name"], strict=True))
ind = st.sidebar.selectbox("Chỉ số", list(names), index=list(names).index("stunting_u5"), format_func=names.get)
code = st.sidebar.selectbox("Tỉnh / thành phố", [""] + sorted(prov_names, key=prov_names.get),
                            format_func=lambda c: prov_names.get(c, "Cả nước"))
gdf = communes()
if code:
    gdf = gdf[gdf["province_code"] == code]
vals = values()
vals = vals[(vals["indicator"] == ind) & (vals["year"] == 2025)]
frame = gdf.drop(columns="geometry").merge(vals[["code", "value"]], on="code", how="left")
geojson = json.loads(gdf.set_index("code").geometry.to_json())
bounds = gdf.total_bounds
fig = px.choropleth_map(frame, geojson=geojson, locations="code", color="value", hover_name="fullName",
                        hover_data={"value": ":.1f", "code": False}, color_continuous_scale="Viridis_r",
                        map_style="white-bg", zoom=4.6 if not code else 7.5,
                        center={"lat": (bounds[1] + bounds[3]) / 2, "lon": (bounds[0] + bounds[2]) / 2},
                        height=720)
fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
st.title(names[ind])
st.plotly_chart(fig, width="stretch")
