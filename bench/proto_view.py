"""What a map prototype shows (bench/proto_plotly_lean.py): one sidebar, one dataset, one classification, so
bench/bench_browser.py --extra compares only how each draws the map with the app's own classification."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import config
from geo.geometry import boundaries
from geo.indicators import registry
from geo.indicators.selection import assess_communes, attach_attributes, join_indicator
from geo.reporting.choropleth import view_for_bounds
from geo.reporting.webmap import classify
from geo.synthetic import illustrative

LABELS = {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có số liệu", "no_target": "Không có mục tiêu",
          "low_precision": "ít trẻ", "partial": "một phần số xã cũ", "sea": "Biển", "neighbours": "Nước láng giềng",
          "outside": "Ngoài vùng chọn", "yes": "Có", "no": "Không", "lang": "vi"}


@dataclass(frozen=True)
class PrototypeView:
    title: str  # the indicator's name
    indicator: str
    code: str  # province code, "" for the country
    frame: pd.DataFrame  # the communes shown, assessed against the default plan's 2025 target
    classes: object  # each commune's palette index (geo.reporting.webmap.classify)
    palette: object
    url: str  # GeoJSON of the area, from the app's own geometry (the app itself sends meshes)
    center: dict
    zoom: float


@st.cache_resource
def _data():
    layers = boundaries.load_layers(config.reference_dir(), config.cache_dir(), config.static_dir())
    ds = illustrative.generate_illustrative(illustrative.load_generator_input(config.reference_dir()))
    return layers, ds


@st.cache_resource
def _geojson_url(_layers, code: str) -> str:
    """The area's GeoJSON (written once into the static folder): plotly reads GeoJSON, the app's map meshes."""
    import json

    from geo.reporting.export_map import _feature_collection  # the exports' GeoJSON, the same rounding

    gdf = _layers.detail_geometry() if code else _layers.national_geometry()
    if code:
        gdf = gdf[gdf["province_code"] == code]
    decimals = boundaries.DETAIL_DECIMALS if code else boundaries.NATIONAL_DECIMALS
    name = f"proto/communes_{code or 'national'}.geojson"
    path = config.static_dir() / _layers.static_subdir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        body = _feature_collection(gdf["code"], gdf.geometry.to_numpy(), decimals)
        path.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
    return _layers.url(name)


def prototype_view() -> PrototypeView:
    """The sidebar (indicator, province) and what it selects, exactly as both prototypes need it."""
    layers, ds = _data()
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
    idx, pal, _ = classify(frame, mode="status", meta=meta, labels=LABELS)
    bounds = layers.provinces.set_index("code").loc[code, ["min_lon", "min_lat", "max_lon", "max_lat"]] \
        if code else (102.1, 8.2, 112.2, 23.4)
    center, zoom = view_for_bounds(*bounds)
    url = _geojson_url(layers, code)
    return PrototypeView(title=names[ind], indicator=ind, code=code, frame=frame, classes=idx, palette=pal, url=url,
                         center=center, zoom=zoom)
