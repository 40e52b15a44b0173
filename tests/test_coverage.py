"""Rates without counts and partial communes, carried from import to every aggregate (hand-computed values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.indicators.aggregate import aggregate_rates
from geo.indicators.coverage import COUNTS, RATE_ONLY, left_out, mark_values
from geo.indicators.registry import load_registry
from geo.indicators.selection import Filters, assess_communes, join_indicator, summarise
from geo.ingest import carry as cy
from geo.ingest.carry import carry_to_2025
from geo.ingest.crosswalk import build_crosswalk
from geo.ingest.service import store_flags

# Old A (00001) + B (00002) → new X (10000); old C (00003) split between X and Y (20000), populations 3 : 1.
LINKS = pd.DataFrame({"old_code": ["00001", "00002", "00003", "00003"],
                      "new_code": ["10000", "10000", "10000", "20000"]})
NEW = pd.DataFrame({"code": ["10000", "20000"], "population": [300.0, 100.0]})
RULES = pd.DataFrame({"indicator": ["play_point"], "combine": ["any"], "note_vi": ["-"], "note_en": ["-"]})


def _rates(**by_code: float) -> pd.DataFrame:
    codes = list(by_code)
    return pd.DataFrame({"code": codes, "year": 2024, "indicator": "stunting_u5", "numerator": np.nan,
                         "denominator": np.nan, "value": [by_code[c] for c in codes]})


def _one(result: cy.CarryResult, code: str) -> dict:
    rows = result.values[result.values["code"] == code]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_rates_only_old_communes_are_combined_by_crosswalk_weights_and_flagged() -> None:
    result = carry_to_2025(_rates(**{"00001": 10.0, "00002": 20.0, "00003": 40.0}),
                           build_crosswalk(LINKS, NEW, rules=RULES))
    x = _one(result, "10000")
    # weights 1 (A), 1 (B), 0.75 (C's share by population 300 : 100): (10 + 20 + 30) / 2.75
    assert x["value"] == pytest.approx(60 / 2.75)
    assert np.isnan(x["numerator"]) and np.isnan(x["denominator"])
    assert x["marks"] == cy.RATE_WEIGHTED and x["coverage"] == cy.ALLOCATED
    y = _one(result, "20000")  # one old part alone keeps its own rate, unmarked
    assert (y["value"], y["marks"], y["coverage"]) == (40.0, "", cy.ALLOCATED)
    assert result.skipped.empty


def test_partial_rates_only_merge_is_marked_partial_and_weighted() -> None:
    result = carry_to_2025(_rates(**{"00001": 10.0, "00002": 20.0}), build_crosswalk(LINKS, NEW, rules=RULES))
    x = _one(result, "10000")
    assert x["value"] == pytest.approx(15.0) and x["coverage"] == cy.PARTIAL_COVERAGE
    flags = store_flags(result.values)
    assert flags.tolist() == ["partial|rate_weighted"]


def _marked(include_partial: bool = False) -> pd.DataFrame:
    values = pd.DataFrame({
        "code": ["1", "2", "3", "4"], "year": 2024, "indicator": "stunting_u5",
        "numerator": [10.0, 30.0, np.nan, 5.0], "denominator": [100.0, 100.0, np.nan, 10.0],
        "value": [10.0, 30.0, 12.0, 50.0],
        "flags": ["complete", "allocated", "complete", "partial"],
    })
    return mark_values(values, include_partial=include_partial)


def test_marks_say_coverage_basis_and_whether_a_value_counts() -> None:
    marked = _marked()
    assert marked["coverage"].tolist() == ["complete", "allocated", "complete", "partial"]
    assert marked["basis"].tolist() == [COUNTS, COUNTS, RATE_ONLY, COUNTS]
    assert marked["counted"].tolist() == [True, True, True, False]
    assert _marked(include_partial=True)["counted"].all()
    unmarked = mark_values(marked.drop(columns=["flags", "coverage", "basis", "counted"]))
    assert (unmarked["coverage"] == "complete").all()  # no flags (illustrative, old versions): complete


def test_partial_commune_left_out_of_aggregate_by_default_and_in_on_request() -> None:
    # default: 1 and 2 only: (10 + 30) / 200; 3 has no counts, 4 is partial
    agg = aggregate_rates(_marked()).iloc[0]
    assert agg["rate"] == pytest.approx(20.0) and agg["n_reported"] == 2
    agg = aggregate_rates(_marked(include_partial=True)).iloc[0]
    assert agg["rate"] == pytest.approx(45 / 210 * 100) and agg["n_reported"] == 3


def test_communes_meeting_target_leave_partial_out_unless_chosen() -> None:
    reg = load_registry()
    meta = reg.indicator("stunting_u5")
    target = reg.target("nutrition_1896", "stunting_u5", 2030)  # 19 %: a value of 1 % meets it
    communes = pd.DataFrame({"code": ["1", "2", "3", "4"], "province_code": "01", "province_name": "P"})
    low = _marked().assign(value=[1.0, 1.0, 1.0, 1.0], numerator=[1.0, 1.0, np.nan, 1.0],
                           denominator=[100.0, 100.0, np.nan, 100.0])
    for include, met in ((False, 3), (True, 4)):
        values = low.assign(counted=low["coverage"].ne("partial") | include)
        frame, _ = join_indicator(communes, values, "stunting_u5", 2024)
        assert {"coverage", "basis", "counted"} <= set(frame.columns)
        frame = assess_communes(frame, meta, target)
        assert (frame["status"] == "met").sum() == 4  # each commune's own status is always shown
        assert summarise(frame, meta, target).n_met == met


def test_left_out_counts_say_why() -> None:
    communes = pd.DataFrame({"code": ["1", "2", "3", "4", "5"]})
    frame, _ = join_indicator(communes, _marked(), "stunting_u5", 2024)
    assert left_out(frame) == {"partial": 1, "partial_counted": 0, "rate_only": 1, "rate_weighted": 0,
                               "with_counts": 2}


def test_filters_default_leaves_partial_out() -> None:
    assert Filters().include_partial is False
