"""The equity chart: each priority group against the rest, intervals, and pale rows for small groups."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.equity import compare_groups
from geo.indicators.registry import Target
from geo.reporting.equity_chart import LABEL_KEYS, build_equity_chart, small_sides

LABELS = {"group": "Nhóm", "rest": "Các xã còn lại", "axis_value": "Giá trị (%)", "interval": "Khoảng tin cậy 95%",
          "gap": "Mức bất lợi", "communes": "Số xã", "children": "Số trẻ", "small_mark": "⚠",
          "small_note": "⚠ Nhóm nhỏ ({names}): ít hơn {communes} xã hoặc {children} trẻ; không nên công bố chênh lệch.",
          "interval_note": "Khoảng tin cậy tính từ tổng số đếm.", "target": "Mục tiêu"}
TARGET = Target(framework_id="national_qd23", indicator_id="stunting_u5", year=2030, comparison="<", value=18.0,
                text_vi="dưới 18%", text_en="below 18%")
META = {"id": "stunting_u5", "direction": "lower_is_better"}


def rows(**small) -> pd.DataFrame:
    """Two comparisons: a large one, and one whose 'rest' side is 2 communes (the issue's 36 vs 2)."""
    return pd.DataFrame({
        "label": ["Vùng DTTS", "Xã biên giới"],
        "numerator_group": [3100.0, 900.0], "denominator_group": [10000.0, 1000.0],
        "n_group_reporting": [1100, 36], "numerator_rest": [1750.0, 16.0], "denominator_rest": [10000.0, 100.0],
        "n_rest_reporting": [2200, small.get("rest", 2)], "gap_between": [13.5, 74.0],
    })


def test_labels_cover_the_builder():
    assert set(LABEL_KEYS) <= set(LABELS)


def test_small_sides_by_communes_or_children():
    frame = rows()
    assert small_sides(frame).tolist() == [False, True]
    assert small_sides(rows(rest=40)).tolist() == [False, False]
    assert small_sides(rows(rest=40), min_children=500).tolist() == [False, True]  # 100 children in the rest


def test_chart_draws_group_and_rest_with_intervals_and_warns_on_small_groups():
    fig = build_equity_chart(rows(), labels=LABELS, lang="vi", target=TARGET)
    by_meta = {tr.meta: tr for tr in fig.data}
    assert {"group", "rest", "group_small", "rest_small", "link"} <= set(by_meta)
    group = by_meta["group"]
    assert list(group.y) == ["Vùng DTTS"] and group.x[0] == pytest.approx(31.0)
    assert group.error_x.array[0] > 0 and group.error_x.arrayminus[0] > 0  # the Wilson interval
    pale = by_meta["rest_small"]
    assert list(pale.y) == ["Xã biên giới ⚠"] and pale.marker.opacity < 0.5 and not pale.showlegend
    assert by_meta["rest"].marker.symbol != group.marker.symbol  # shape, not colour alone
    notes = {a.name: a.text for a in fig.layout.annotations}
    assert "Nhóm nhỏ (Xã biên giới)" in notes["equity_note"] and "50" in notes["equity_note"]
    gaps = [a for a in fig.layout.annotations if a.name == "gap"]
    assert [a.text for a in gaps] == ["+13,5 điểm %", "+74,0 điểm %"] and gaps[1].font.color == "#9A9A9A"
    assert "dưới 18%" in by_meta["target"].name and set(by_meta["target"].x) == {18.0}


def test_no_warning_when_every_side_is_large_and_rows_from_compare_groups():
    communes = pd.DataFrame({"code": [f"{i:05d}" for i in range(12)], "em_area": [True] * 6 + [False] * 6})
    values = pd.DataFrame({"code": communes["code"], "indicator": "stunting_u5", "year": 2025,
                           "numerator": [30.0] * 6 + [10.0] * 6, "denominator": [100.0] * 12})
    res = compare_groups(communes, values, META, None, 2025, group_col="em_area").assign(label="Vùng DTTS")
    fig = build_equity_chart(res, labels=LABELS, lang="en")
    assert not any(str(tr.meta).endswith("_small") for tr in fig.data)
    note = next(a.text for a in fig.layout.annotations if a.name == "equity_note")
    assert "Nhóm nhỏ" not in note and "tổng số đếm" in note
    assert [a.text for a in fig.layout.annotations if a.name == "gap"] == ["+20.0 pp"]
    with pytest.raises(ValueError):
        build_equity_chart(res.drop(columns=["gap_between"]), labels=LABELS, lang="en")


def test_charts_carry_plotly_whites_look_for_every_trace_type_they_draw():
    """The lean template (see white_template) draws what "plotly_white" draws: its whole layout, and its
    defaults for each trace type in the figure (a new trace type in a chart needs its defaults added)."""
    import plotly.io as pio

    from geo.reporting.charts import build_funnel_plot

    white = pio.templates["plotly_white"]
    frame = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"], "province": ["P", "P"], "value": [10.0, 30.0],
                          "numerator": [10.0, 30.0], "denominator": [100.0, 100.0]})
    for fig in (build_equity_chart(rows(), labels=LABELS, lang="vi", target=TARGET),
                build_funnel_plot(frame, p0=0.2, target=TARGET, labels={}, lang="vi", direction="lower_is_better")):
        template = fig.layout.template
        assert template.layout.to_plotly_json() == white.layout.to_plotly_json()
        for kind in {trace.type for trace in fig.data}:
            assert [t.to_plotly_json() for t in template.data[kind]] == [t.to_plotly_json() for t in white.data[kind]]
