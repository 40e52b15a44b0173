"""Funnel and trend exports legible at print size: ticks at powers of ten, data spread out, bigger marks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.reporting.charts import build_funnel_plot, build_trend_chart, for_print


def funnel_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    den = rng.integers(80, 2500, 200).astype(float)
    return pd.DataFrame({"code": [f"{i:05d}" for i in range(200)], "denominator": den,
                         "numerator": np.round(den * rng.uniform(0.1, 0.3, 200))})


def test_funnel_log_axis_labels_powers_of_ten_and_starts_near_the_smallest_commune():
    fig = build_funnel_plot(funnel_frame(), p0=20.0, target=None, labels={}, lang="vi")
    x = fig.layout.xaxis
    assert x.type == "log" and x.dtick == 1  # no "2" / "5" labels between decades
    lo, hi = x.range
    assert 1.6 < lo < np.log10(80) and np.log10(2500) < hi < 3.6  # not from 1 (log 0): data fill the width


def test_for_print_enlarges_text_markers_and_lines_without_touching_the_screen_chart():
    fig = build_funnel_plot(funnel_frame(), p0=20.0, target=None, labels={}, lang="vi")
    printed = for_print(fig)
    points = [t for t in printed.data if t.meta == "communes"]
    assert points and all(t.marker.size >= 9 for t in points)
    assert printed.layout.font.size == 16 and printed.layout.xaxis.tickfont.size == 15
    assert all(t.marker.size == 6 for t in fig.data if t.meta == "communes")  # the page's figure is unchanged
    series = pd.DataFrame({"year": [2021, 2022, 2023], "value": [30.0, 28.0, 26.5], "series_name": "Lai Châu"})
    trend = for_print(build_trend_chart(series, targets=[], labels={}, title="", lang="en"))
    line = next(t for t in trend.data if t.mode == "lines+markers")
    assert line.line.width > 3 and line.marker.size > 10
