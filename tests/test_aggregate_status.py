"""Aggregation from counts, status and gap maths on tiny inline data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.registry import Target
from geo.indicators.selection import Filters, assess_communes, filter_communes, join_indicator, summarise
from geo.indicators.status import (
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_MET,
    cases_above_target,
    classify_against_target,
    communes_needed,
    compute_gap,
)


def target(value, comparison, indicator="stunting_u5"):
    return Target(framework_id="t", indicator_id=indicator, year=2025, comparison=comparison, value=value,
                  text_vi="", text_en="")


RATE_META = {"measure": "rate", "direction": "lower_is_better", "aggregation": "sum_counts"}
YESNO_META = {"measure": "yes_no", "direction": "higher_is_better", "aggregation": "share_of_communes"}


def test_rate_is_sum_of_counts_not_mean_of_percentages():
    frame = pd.DataFrame({"numerator": [1.0, 300.0], "denominator": [10.0, 1000.0]})
    out = aggregate_rates(frame).iloc[0]
    assert out["rate"] == pytest.approx(100 * 301 / 1010)
    assert out["rate"] != pytest.approx((10.0 + 30.0) / 2)  # the naive mean would be 20%


def test_missing_counts_are_left_out_and_reported():
    frame = pd.DataFrame({"g": ["a", "a", "b"], "numerator": [5.0, np.nan, np.nan],
                          "denominator": [50.0, 40.0, np.nan]})
    out = aggregate_rates(frame, by="g").set_index("g")
    assert out.loc["a", "rate"] == pytest.approx(10.0)
    assert out.loc["a", "n_units"] == 2 and out.loc["a", "n_reported"] == 1
    assert math.isnan(out.loc["b", "rate"]) and out.loc["b", "n_reported"] == 0


def test_zero_denominator_is_not_a_division_by_zero():
    out = aggregate_rates(pd.DataFrame({"numerator": [0.0], "denominator": [0.0]})).iloc[0]
    assert out["n_reported"] == 0 and math.isnan(out["rate"])


def test_status_strict_and_inclusive_targets():
    values = pd.Series([14.9, 15.0, 15.1, np.nan])
    assert classify_against_target(values, target(15, "<")).tolist() == [MET, NOT_MET, NOT_MET, NO_DATA]
    assert classify_against_target(values, target(15, "<=")).tolist() == [MET, MET, NOT_MET, NO_DATA]
    assert classify_against_target(values, None).tolist() == [NO_TARGET] * 4


def test_gap_sign_is_shortfall_for_both_directions():
    v = pd.Series([18.0, 22.0])
    assert compute_gap(v, target(20, "<"), "lower_is_better").tolist() == [-2.0, 2.0]
    assert compute_gap(pd.Series([97.0]), target(98.5, ">=", "birth_registration_u5"),
                       "higher_is_better").tolist() == [pytest.approx(1.5)]


def test_communes_needed_rounds_up_and_never_negative():
    assert communes_needed(n_yes=5, n_reported=10, target_share=60) == 1
    assert communes_needed(n_yes=5, n_reported=11, target_share=60) == 2  # 6.6 -> 7
    assert communes_needed(n_yes=9, n_reported=10, target_share=60) == 0
    assert communes_needed(n_yes=0, n_reported=0, target_share=60) == 0
    assert communes_needed(n_yes=99, n_reported=100, target_share=100) == 1


def test_cases_above_target():
    out = cases_above_target(pd.Series([30.0, 10.0]), pd.Series([100.0, 100.0]), target(20, "<"),
                             "lower_is_better")
    assert out.tolist() == [10.0, 0.0]


COMMUNES = pd.DataFrame({
    "code": ["00001", "00002", "00003", "00004"],
    "province_code": ["01", "01", "02", "02"],
    "commune_type": ["phuong", "xa", "xa", "dac_khu"],
    "border": [False, False, True, True],
    "em_area": pd.array([False, True, True, pd.NA], dtype="boolean"),
})


def test_filters_combine_and_unknown_flags_never_match():
    assert filter_communes(COMMUNES, Filters(province="02"))["code"].tolist() == ["00003", "00004"]
    assert filter_communes(COMMUNES, Filters(border=True, em_area=True))["code"].tolist() == ["00003"]
    assert filter_communes(COMMUNES, Filters(em_area=False))["code"].tolist() == ["00001"]
    assert filter_communes(COMMUNES, Filters(commune_types=("xa",)))["code"].tolist() == ["00002", "00003"]
    assert filter_communes(COMMUNES, Filters(commune_types=())).empty


def _values():
    return pd.DataFrame({
        "code": ["00001", "00002", "00003", "99999", "00001"],
        "year": [2025, 2025, 2025, 2025, 2024],
        "indicator": ["stunting_u5"] * 5,
        "numerator": [10.0, 30.0, 5.0, 1.0, 99.0],
        "denominator": [100.0, 100.0, 50.0, 10.0, 100.0],
        "value": [10.0, 30.0, 10.0, 10.0, 99.0],
    })


def test_join_reports_unknown_codes_and_communes_without_data():
    frame, report = join_indicator(COMMUNES, _values(), "stunting_u5", 2025)
    assert len(frame) == 4 and report.matched == 3
    assert report.communes_without_data == 1 and report.unknown_codes == ["99999"]
    assert frame.set_index("code").loc["00004", "value"] != frame.set_index("code").loc["00004", "value"]


def test_summary_of_a_selection():
    frame, _ = join_indicator(COMMUNES, _values(), "stunting_u5", 2025)
    frame = assess_communes(frame, RATE_META, target(20, "<"))
    s = summarise(frame, RATE_META, target(20, "<"))
    assert s.rate == pytest.approx(100 * 45 / 250)
    assert (s.n_communes, s.n_reported, s.n_met) == (4, 3, 2)
    assert s.status == MET and s.gap == pytest.approx(18 - 20) and s.communes_needed is None
    assert frame.set_index("code").loc["00002", "cases_to_target"] == 10


def test_summary_share_of_communes_counts_communes():
    values = pd.DataFrame({"code": ["00001", "00002", "00003", "00004"], "year": 2025, "indicator": "play_point",
                           "numerator": [1.0, 0.0, 1.0, 0.0], "denominator": 1.0, "value": [100.0, 0, 100, 0]})
    frame, _ = join_indicator(COMMUNES, values, "play_point", 2025)
    t60 = target(60, ">=", "play_point")
    frame = assess_communes(frame, YESNO_META, t60)
    s = summarise(frame, YESNO_META, t60)
    assert s.rate == pytest.approx(50.0) and s.status == NOT_MET
    assert s.communes_needed == 1 and s.gap == pytest.approx(10.0)
    assert frame["gap"].isna().all()  # no per-commune gap for yes/no
