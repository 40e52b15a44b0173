"""A target for a group of communes (ethnic-minority areas) is applied to them, the general one to the rest;
0 of 0 (nobody to count) is not applicable. Tiny inline data."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.overview import summarise_provinces, summarise_targets
from geo.indicators.registry import Registry
from geo.indicators.selection import Filters, assess_communes, join_indicator, summarise
from geo.indicators.status import MET, NOT_APPLICABLE, NOT_MET

FW = "plan"


def _indicator(id_, order, direction="lower_is_better"):
    return {"id": id_, "name_vi": id_, "name_en": id_, "short_vi": id_, "short_en": id_, "unit": "%",
            "measure": "rate", "direction": direction, "aggregation": "sum_counts", "order": order}


@pytest.fixture(scope="module")
def reg() -> Registry:
    indicators = pd.DataFrame([_indicator("underweight_u5", 1), _indicator("disaster_relief", 2, "higher_is_better")])
    frameworks = pd.DataFrame([{"id": FW, "name_vi": "k", "name_en": "p", "scope": "national", "default": 1}])
    targets = pd.DataFrame([
        (FW, "underweight_u5", 2025, "<", 11.0, "dưới 11%", "below 11%", 0, 0, ""),
        (FW, "underweight_u5", 2025, "<", 15.0, "dưới 15% ở vùng DTTS", "below 15% in EM areas", 0, 0, "em_area"),
        (FW, "disaster_relief", 2025, ">=", 100.0, "100%", "100%", 0, 1, ""),
    ], columns=["framework_id", "indicator_id", "target_year", "comparison", "value", "text_vi", "text_en",
                "maintain", "standing", "group"])
    return Registry(indicators=indicators, frameworks=frameworks, targets=targets)


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["em1", "low1", "em2", "unk"], "province_code": ["P", "P", "Q", "Q"],
        "province_name": ["Pe", "Pe", "Qu", "Qu"], "commune_type": ["xa"] * 4,
        "em_area": pd.array([True, False, True, pd.NA], dtype="boolean"), "border": [False] * 4,
    })


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    rows = [("em1", 13, 100), ("low1", 13, 100), ("em2", 16, 100), ("unk", 13, 100)]
    out = [(c, 2025, "underweight_u5", n, d, 100.0 * n / d) for c, n, d in rows]
    out += [("em1", 2025, "disaster_relief", 0, 0, float("nan")), ("low1", 2025, "disaster_relief", 3, 4, 75.0),
            ("em2", 2025, "disaster_relief", 0, 0, float("nan"))]
    return pd.DataFrame(out, columns=["code", "year", "indicator", "numerator", "denominator", "value"])


def test_em_commune_is_judged_against_the_em_target_and_lowland_against_the_general(reg, communes, values):
    target = reg.target(FW, "underweight_u5", 2025)
    frame, _ = join_indicator(communes, values, "underweight_u5", 2025)
    out = assess_communes(frame, reg.indicator("underweight_u5"), target).set_index("code")
    # 13 % is below the EM target (15 %) but not below the general one (11 %)
    assert out.loc["em1", "status"] == MET and out.loc["em1", "target_value"] == 15.0
    assert out.loc["em1", "target_group"] == "em_area"
    assert out.loc["low1", "status"] == NOT_MET and out.loc["low1", "target_value"] == 11.0
    assert out.loc["low1", "target_group"] == ""
    assert out.loc["em2", "status"] == NOT_MET  # 16 % misses the EM target too
    assert out.loc["unk", "target_value"] == 11.0  # unknown flag: the general target, said so by target_group
    assert out.loc["em1", "gap"] == pytest.approx(-2.0) and out.loc["low1", "gap"] == pytest.approx(2.0)


def test_group_aggregate_uses_the_group_target(reg, communes, values):
    target = reg.target(FW, "underweight_u5", 2025)
    meta = reg.indicator("underweight_u5")
    frame, _ = join_indicator(communes, values, "underweight_u5", 2025)
    em_only = assess_communes(frame[frame["em_area"].fillna(False)], meta, target)
    kpi = summarise(em_only, meta, target)  # (13 + 16) / 200 = 14.5 % < 15 %
    assert kpi.rate == pytest.approx(14.5) and kpi.status == MET and kpi.gap == pytest.approx(-0.5)
    mixed = summarise(assess_communes(frame, meta, target), meta, target)  # 13.75 % vs the general 11 %
    assert mixed.status == NOT_MET and mixed.n_met == 1


def test_overview_says_which_target_applied(reg, communes, values):
    whole = summarise_targets(communes, values, reg, FW, 2025).set_index("indicator").loc["underweight_u5"]
    assert whole["target_2025"] == 11.0 and whole["target_group_2025"] == "" and whole["n_met_2025"] == 1
    em = summarise_targets(communes, values, reg, FW, 2025, Filters(em_area=True), lang="en")
    row = em.set_index("indicator").loc["underweight_u5"]
    assert row["target_2025"] == 15.0 and row["target_group_2025"] == "em_area"
    assert row["target_text_2025"] == "below 15% in EM areas" and row["status_2025"] == MET
    provinces = summarise_provinces(communes, values, reg, FW, "underweight_u5", 2025, 2025,
                                    Filters(em_area=True)).set_index("province_code")
    assert provinces["target"].eq(15.0).all() and provinces.loc["P", "status"] == MET


def test_no_affected_child_is_not_applicable_never_0_or_100(reg, communes, values):
    target = reg.target(FW, "disaster_relief", 2025)
    frame, _ = join_indicator(communes, values, "disaster_relief", 2025)
    out = assess_communes(frame, reg.indicator("disaster_relief"), target).set_index("code")
    assert out.loc["em1", "status"] == NOT_APPLICABLE and pd.isna(out.loc["em1", "value"])
    assert out.loc["low1", "status"] == NOT_MET
    assert out.loc["unk", "status"] == "no_data"  # no row at all is still "no data"
    overview = summarise_targets(communes, values, reg, FW, 2025, Filters(province="Q"))
    row = overview.set_index("indicator").loc["disaster_relief"]
    assert row["status_2025"] == NOT_APPLICABLE and pd.isna(row["value"]) and row["n_zero"] == 1
    assert bool(row["standing_2025"])


def test_commune_profile_uses_its_group_target(reg, communes, values):
    from geo.analysis.profile import profile_commune

    em = profile_commune("em1", communes, values, reg, FW, year=2025).get("indicators").set_index("indicator")
    low = profile_commune("low1", communes, values, reg, FW, year=2025).get("indicators").set_index("indicator")
    assert em.loc["underweight_u5", "target_2025"] == 15.0 and em.loc["underweight_u5", "status_2025"] == MET
    assert low.loc["underweight_u5", "target_2025"] == 11.0 and low.loc["underweight_u5", "status_2025"] == NOT_MET
    assert em.loc["disaster_relief", "status_2025"] == NOT_APPLICABLE  # 0 of 0 this year
    assert low.loc["disaster_relief", "status_2025"] == NOT_MET


def test_coastal_and_island_filters_and_dataset_override():
    from geo.indicators.selection import attach_attributes, filter_communes

    communes = pd.DataFrame({"code": ["a", "b", "c"], "province_code": ["P"] * 3, "commune_type": ["xa"] * 3,
                             "border": [False] * 3, "coastal": [True, False, True], "island": [False, False, True]})
    # an uploaded attribute table says "b" is coastal after all (an official list wins over the geometry)
    merged = attach_attributes(communes, pd.DataFrame({"code": ["b"], "coastal": [True]}))
    assert merged.set_index("code")["coastal"].tolist() == [True, True, True]
    assert filter_communes(communes, Filters(coastal=True))["code"].tolist() == ["a", "c"]
    assert filter_communes(communes, Filters(island=True))["code"].tolist() == ["c"]
    assert filter_communes(communes, Filters(coastal=True, island=False))["code"].tolist() == ["a"]
    assert filter_communes(communes, Filters(coastal=False))["code"].tolist() == ["b"]


def test_equity_judges_the_group_against_its_own_target(reg, communes, values):
    from geo.analysis.equity import compare_groups

    row = compare_groups(communes, values, reg.indicator("underweight_u5"), reg.target(FW, "underweight_u5", 2025),
                         2025, group_col="em_area").iloc[0]
    assert row["value_group"] == pytest.approx(14.5) and row["status_group"] == MET  # vs < 15 %
    assert row["value_rest"] == pytest.approx(13.0) and row["status_rest"] == NOT_MET  # vs < 11 %
    assert row["n_unknown"] == 1


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Two years of underweight: 14 % then 13 % in em1 and low1 (AARR 1 - 13/14 = 7.14 %/yr)."""
    rows = [(c, y, "underweight_u5", n, 100, float(n)) for c in ("em1", "low1") for y, n in ((2023, 14), (2024, 13))]
    return pd.DataFrame(rows, columns=["code", "year", "indicator", "numerator", "denominator", "value"])


def test_lagging_table_shows_the_target_each_commune_was_ranked_against(reg, communes, values):
    from geo.analysis.ranking import rank_lagging

    meta, target = reg.indicator("underweight_u5"), reg.target(FW, "underweight_u5", 2025)
    frame, _ = join_indicator(communes, values, "underweight_u5", 2025)
    for given in (assess_communes(frame, meta, target), frame):  # assessed by the page, or by rank_lagging
        ranked = rank_lagging(given, meta, target).set_index("code")
        assert sorted(ranked.index) == ["em2", "low1", "unk"]  # em1 (13 %) meets its EM target of 15 %
        assert ranked.loc["em2", "target"] == 15.0 and ranked.loc["em2", "gap"] == pytest.approx(1.0)
        assert ranked.loc["low1", "target"] == 11.0 and ranked.loc["low1", "gap"] == pytest.approx(2.0)
        assert ranked.loc["unk", "target"] == 11.0


def test_map_trend_mode_judges_progress_against_the_group_target(reg, communes, history):
    from geo.indicators.selection import add_trend

    meta, target = reg.indicator("underweight_u5"), reg.target(FW, "underweight_u5", 2025)
    frame, _ = join_indicator(communes, history, "underweight_u5", 2024)
    out = add_trend(assess_communes(frame, meta, target), history, meta, target, 2024).set_index("code")
    assert out.loc["em1", "trend_status"] == "target_met"  # 13 % < 15 % (EM areas)
    assert out.loc["low1", "trend_status"] == "off_track"  # 13 % vs < 11 %: needs 1 - 11/13 = 15.38 %/yr
    assert out.loc["low1", "required_aarr"] == pytest.approx(100 * (1 - 11 / 13))
    assert out.loc["low1", "aarr"] == pytest.approx(100 * (1 - 13 / 14))


def test_profile_progress_uses_the_communes_group_target(reg, communes, history):
    from geo.analysis.profile import assess_history, profile_commune

    for code, expected in (("em1", "target_met"), ("low1", "off_track")):
        profile = profile_commune(code, communes, history, reg, FW, year=2024)
        trend = assess_history(profile["history"], reg, FW, 2025, profile["commune"]).set_index("indicator")
        assert trend.loc["underweight_u5", "trend_status"] == expected, code
    general = assess_history(profile_commune("em1", communes, history, reg, FW, year=2024)["history"], reg, FW,
                             2025)  # without the commune's attributes: the general target (< 11 %)
    assert general.set_index("indicator").loc["underweight_u5", "trend_status"] == "off_track"


def test_many_indicators_at_once_match_one_at_a_time(reg, communes, values):
    """compare_groups_many (the briefing's one pass) gives exactly compare_groups' figures, indicator by indicator."""
    from geo.analysis.equity import compare_groups, compare_groups_many

    metas = [reg.indicator(i) for i in reg.indicator_ids()]
    targets = {m["id"]: reg.target(FW, m["id"], 2025) for m in metas}
    both = compare_groups_many(communes, values, metas, targets, 2025, groups=("em_area", "border"))
    assert list(both) == ["em_area", "border"]
    for group, many in both.items():
        for meta, got in zip(metas, many, strict=True):
            one = compare_groups(communes, values, meta, targets[meta["id"]], 2025, group_col=group).iloc[0]
            assert list(got) == list(one.index)
            pd.testing.assert_series_equal(pd.Series(got, dtype=object), one.astype(object), check_names=False)
    row = compare_groups_many(communes, values, metas, targets, 2025)["em_area"][0]
    assert row["value_group"] == pytest.approx(14.5) and row["status_group"] == MET and row["n_unknown"] == 1


def test_many_indicators_at_once_leave_out_what_is_not_counted(reg, communes, values):
    """A partial commune the user chose not to count (coverage marks: counted False) is in neither sum."""
    from geo.analysis.equity import compare_groups, compare_groups_many

    marked = values.assign(counted=values["code"] != "em2")
    metas = [reg.indicator("underweight_u5")]
    targets = {"underweight_u5": reg.target(FW, "underweight_u5", 2025)}
    got = compare_groups_many(communes, marked, metas, targets, 2025)["em_area"][0]
    one = compare_groups(communes, marked, metas[0], targets["underweight_u5"], 2025).iloc[0]
    assert got["n_group"] == 2 and got["n_group_reporting"] == 1 and got["value_group"] == pytest.approx(13.0)
    pd.testing.assert_series_equal(pd.Series(got, dtype=object), one.astype(object), check_names=False)
