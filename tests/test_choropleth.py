"""The map figure builder on tiny inline data (no Streamlit, no files)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.reporting.choropleth import build_commune_map, class_breaks, hover_fields, view_for_bounds

LABELS = {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có số liệu", "no_target": "Không có mục tiêu",
          "clearly_met": "Đạt rõ ràng", "clearly_not_met": "Chưa đạt rõ ràng", "not_clearly_different": "Chưa rõ",
          "target_met": "Đã đạt", "on_track": "Đúng tiến độ", "off_track": "Chậm tiến độ",
          "not_assessable": "Không đánh giá được", "yes": "Có", "no": "Không", "value": "Giá trị",
          "target": "Mục tiêu", "gap": "Khoảng cách", "status": "Tình trạng", "legend_title": "", "lang": "vi",
          "low_precision": "ít trẻ", "interval": "KTC 95%"}
META = {"measure": "rate", "direction": "lower_is_better", "short": "Thấp còi", "unit": "%"}


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["00001", "00002", "00003", "00004"],
        "full_name": ["Xã <b>A</b>", "Xã B", "Xã C", "Xã D"],
        "province_name": ["Lào Cai"] * 4,
        "numerator": [10.0, 300.0, 5.0, np.nan], "denominator": [100.0, 1000.0, 10.0, np.nan],
        "value": [10.0, 30.0, 50.0, np.nan], "gap": [-10.0, 10.0, 30.0, np.nan],
        "status": ["met", "not_met", "not_met", "no_data"], "low_precision": [False, False, True, False],
        "lo": [5.5, 27.2, 23.7, np.nan], "hi": [17.4, 32.9, 76.3, np.nan],
    })


def build(mode: str, data: pd.DataFrame | None = None):
    data = frame() if data is None else data
    data["hover"] = hover_fields(data, META, LABELS, "vi", with_interval=True)
    return build_commune_map(data, geojson_url="app/static/x.geojson", outline_url="app/static/p.geojson",
                             outline_codes=["15"], mode=mode, meta=META, labels=LABELS, target_text="dưới 20%",
                             center={"lat": 22, "lon": 104}, zoom=7)


def test_status_map_references_geometry_by_url_and_keeps_no_data_apart():
    fig = build("status")
    by_name = {tr.name: list(tr.locations) for tr in fig.data}
    assert by_name["✔ Đạt"] == ["00001"] and by_name["✘ Chưa đạt"] == ["00002"]
    assert by_name["✘ Chưa đạt — ít trẻ"] == ["00003"]  # paler twin trace with its own legend entry
    assert by_name["∅ Không có số liệu"] == ["00004"]
    assert all(isinstance(tr.geojson, str) for tr in fig.data)
    assert fig.layout.separators == ",." and fig.layout.uirevision == "map"


def test_hover_is_escaped_and_localised():
    hover = hover_fields(frame(), META, LABELS, "vi", with_interval=True)
    assert hover.iloc[0][0] == "Xã &lt;b&gt;A&lt;/b&gt;"
    assert hover.iloc[1][2].startswith("30,0% (300/1.000)") and "KTC 95% 27,2–32,9%" in hover.iloc[1][2]
    assert hover.iloc[3][2] == "—"


def test_value_map_has_a_colour_bar_and_a_pale_low_precision_trace():
    fig = build("value")
    main = [tr for tr in fig.data if tr.showscale]
    assert len(main) == 1 and main[0].colorbar.title.text == "Thấp còi (%)"
    assert any(tr.marker.opacity < 1 and "00003" in tr.locations for tr in fig.data)


def test_class_breaks_cover_all_values_and_view_fits_bounds():
    edges = class_breaks(pd.Series([1.0, 2.0, 2.5, 8.0, 30.0, np.nan]))
    assert edges[0] <= 1.0 and edges[-1] >= 30.0 and edges == sorted(edges)
    center, zoom = view_for_bounds(102.1, 8.2, 112.2, 23.4)
    assert 102 < center["lon"] < 113 and 3 <= zoom < 6
    assert view_for_bounds(105.7, 20.9, 105.9, 21.1)[1] > zoom  # a small area zooms in further
