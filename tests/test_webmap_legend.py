"""The browser map's legend shows exactly what is drawn (pure: tiny inline data, no Streamlit, no files)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.reporting.choropleth import LOW_PRECISION_OPACITY, hover_fields
from geo.reporting.webmap import legend_fills, map_payload, used_fills

LABELS = {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có số liệu", "no_target": "Không có mục tiêu",
          "not_applicable": "Không áp dụng", "clearly_met": "Đạt rõ ràng", "clearly_not_met": "Chưa đạt rõ ràng",
          "not_clearly_different": "Chưa rõ", "target_met": "Đã đạt", "on_track": "Đúng tiến độ",
          "off_track": "Chậm tiến độ", "not_assessable": "Không đánh giá được", "yes": "Có", "no": "Không",
          "value": "Giá trị", "target": "Mục tiêu", "gap": "Khoảng cách", "status": "Tình trạng",
          "legend_title": "", "lang": "vi", "low_precision": "ít trẻ", "interval": "KTC 95%",
          "sea": "Biển", "neighbours": "Nước láng giềng", "outside": "Ngoài vùng chọn", "partial": "thiếu một phần"}
RATE = {"measure": "rate", "direction": "lower_is_better", "short": "Thấp còi", "unit": "%"}
YES_NO = {"measure": "yes_no", "direction": "higher_is_better", "short": "Điểm vui chơi", "unit": "%"}
MODES = ("status", "certainty", "trend", "value", "classed")


def frame() -> pd.DataFrame:
    """Every kind of commune: met/not met, precise and imprecise, partial coverage, no data, not applicable."""
    n = 12
    value = [5.0, 12.0, 30.0, 45.0, 8.0, 25.0, 18.0, 60.0, 33.0, 14.0, np.nan, np.nan]
    return pd.DataFrame({
        "code": [f"{i:05d}" for i in range(1, n + 1)],
        "full_name": [f"Xã {i}" for i in range(n)], "province_name": ["Lai Châu"] * n,
        "numerator": [v / 10 for v in value[:10]] + [np.nan, 0.0],
        "denominator": [10.0] * 10 + [np.nan, 0.0],
        "value": value, "gap": [v - 20 for v in value],
        "status": ["met", "met", "not_met", "not_met", "met", "not_met", "met", "not_met", "not_met", "met",
                   "no_data", "not_applicable"],
        "low_precision": [False, True, False, True, False, False, True, False, True, False, False, False],
        "coverage": ["complete", "complete", "partial", "partial", "allocated", "complete", "partial", "complete",
                     "complete", "complete", None, None],
        "certainty": ["clearly_met", "not_clearly_different", "clearly_not_met", "not_clearly_different",
                      "clearly_met", "clearly_not_met", "not_clearly_different", "clearly_not_met",
                      "clearly_not_met", "clearly_met", None, None],
        "trend_status": ["target_met", "on_track", "off_track", "not_assessable", "target_met", "off_track",
                         "on_track", "off_track", "off_track", "target_met", None, None],
    })


def payload(mode: str, meta: dict = RATE, data: pd.DataFrame | None = None, outside: bool = True) -> dict:
    data = frame() if data is None else data
    status_column = {"certainty": "certainty", "trend": "trend_status"}.get(mode, "status")
    hover = hover_fields(data, meta, LABELS, "vi", status_column=status_column)
    return map_payload(data, hover, mode=mode, meta=meta, labels=LABELS, target_text="dưới 20%", outside=outside)


def swatch(p: dict, entry: dict) -> tuple:
    """How a legend swatch is drawn: the palette entry it is painted with (colour, opacity, outline)."""
    return tuple(p["palette"][entry["fill"]])


@pytest.mark.parametrize("meta", [RATE, YES_NO], ids=["rate", "yes_no"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("outside", [True, False])
def test_legend_entries_are_the_distinct_fills_drawn(mode, meta, outside):
    p = payload(mode, meta, outside=outside)
    drawn = used_fills(p)
    in_legend = [i for e in p["legend"] for i in legend_fills(e)]
    # every fill drawn has a legend entry, and every legend entry stands for something drawn
    assert drawn <= set(in_legend)
    assert all(any(i in drawn for i in legend_fills(e)) for e in p["legend"]), p["legend"]
    assert len(in_legend) == len(set(in_legend))  # one entry per fill
    # distinct entries are drawn differently (colour, opacity or outline): no two swatches alike
    swatches = [swatch(p, e) for e in p["legend"] if "fill" in e]
    assert len(swatches) == len(set(swatches))
    # the swatch is painted from the same palette entry, so colour and opacity match the map's fill
    for e in p["legend"]:
        if "fill" in e:
            rgba = p["palette"][e["fill"]]
            assert rgba[3] == round(255 * e["opacity"])
            assert "#" + "".join(f"{c:02X}" for c in rgba[:3]) == e["colour"].upper()
    assert ("outside" in p["context"]) == outside


def test_imprecise_communes_have_their_own_paler_entries_and_text_cues():
    p = payload("status")
    labels = {e["label"]: e for e in p["legend"]}
    met, pale = labels["✔ Đạt"], labels["✔ Đạt — ít trẻ"]
    assert met["colour"] == pale["colour"] and pale["opacity"] == LOW_PRECISION_OPACITY and met["opacity"] == 1
    assert swatch(p, met) != swatch(p, pale)
    assert {"∅ Không có số liệu", "— Không áp dụng", "Biển", "Nước láng giềng", "Ngoài vùng chọn"} <= set(labels)
    # the not-applicable commune (0 of 0) is not drawn as "no data"
    i_na, i_nd = 11, 10
    assert p["colour"][i_na] != p["colour"][i_nd]


def test_partial_coverage_is_outlined_with_its_own_entry():
    p = payload("status")
    labels = {e["label"]: e for e in p["legend"]}
    part, full = labels["✘ Chưa đạt — thiếu một phần"], labels["✘ Chưa đạt"]
    assert part["colour"] == full["colour"] and part["line"] and "line" not in full
    assert len(p["palette"][part["fill"]]) == 7 and p["colour"][2] == part["fill"]  # fill + outline colour
    assert "✘ Chưa đạt — ít trẻ — thiếu một phần" in labels and "✔ Đạt — ít trẻ — thiếu một phần" in labels


def test_a_category_nobody_is_in_has_no_legend_entry():
    data = frame()
    data = data[data["status"] != "met"].reset_index(drop=True)
    p = payload("status", data=data)
    assert not any(e["label"].startswith("✔") for e in p["legend"])


def test_value_mode_draws_scale_bars_with_the_fills_opacity():
    p = payload("value")
    bars = [e for e in p["legend"] if "fills" in e]
    assert sorted({e["opacity"] for e in bars}) == [LOW_PRECISION_OPACITY, 1.0]
    assert any(e.get("line") for e in bars)  # partial coverage: the same scale, outlined
    for e in bars:
        assert all(p["palette"][i][3] == round(255 * e["opacity"]) for i in legend_fills(e))
