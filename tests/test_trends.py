"""AARR, required AARR and on-track status (WHO/UNICEF tracking method), and the trend chart."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from geo.indicators.registry import HIGHER_IS_BETTER, LOWER_IS_BETTER, YES_NO, Target
from geo.indicators.status import NO_DATA, NO_TARGET
from geo.indicators.trends import (
    FLAT,
    IMPROVING,
    NOT_ASSESSABLE,
    OFF_TRACK,
    ON_TRACK,
    RESULT_COLUMNS,
    TARGET_MET,
    WORSENING,
    aggregate_by_year,
    assess_area_trend,
    assess_trend,
    compute_aarr,
    project_value,
    required_aarr,
)
from geo.reporting.charts import OKABE_ITO, build_trend_chart

STUNTING_2025 = Target("f", "stunting_u5", 2025, "<", 20.0, "dưới 20%", "below 20%")
STUNTING_2030 = Target("f", "stunting_u5", 2030, "<", 18.0, "dưới 18%", "below 18%")
BIRTH_2030 = Target("f", "birth_registration_u5", 2030, ">=", 98.5, "đạt 98,5%", "98.5%")
PLAY_2030 = Target("f", "play_point", 2030, ">=", 45.0, "45% số xã", "45% of communes")


def rows(code: str, points: dict[int, tuple[float, float]]) -> pd.DataFrame:
    """Long rows for one commune from {year: (numerator, denominator)}."""
    df = pd.DataFrame([{"code": code, "year": y, "numerator": a, "denominator": b} for y, (a, b) in points.items()])
    df["value"] = 100.0 * df["numerator"] / df["denominator"]
    return df


def one(result: pd.DataFrame, code: str) -> pd.Series:
    return result.set_index("code").loc[code]


# --- compute_aarr / required_aarr ------------------------------------------------------------------


def test_aarr_of_a_series_halving_over_ten_years():
    # p halves in 10 years: AARR = (1 - 0.5**(1/10)) * 100 = 6.6967 %/yr, whatever points lie on the curve.
    years = [2015, 2017, 2020, 2025]
    values = [30.0 * 0.5 ** ((y - 2015) / 10) for y in years]
    assert compute_aarr(years, values) == pytest.approx(6.6967008, abs=1e-6)
    assert compute_aarr([2015, 2025], [30.0, 15.0]) == pytest.approx(6.6967008, abs=1e-6)


def test_aarr_two_points_is_the_compound_rate_and_fit_uses_logs():
    # 30 -> 24 in two years: 1 - 0.8**0.5 = 10.5573 %/yr.
    assert compute_aarr([2021, 2023], [30.0, 24.0]) == pytest.approx(10.557281, abs=1e-6)
    # Uneven, non-collinear points: slope of ln(p) on year by least squares, not first-to-last.
    years, values = [2021, 2022, 2025], [20.0, 12.0, 15.0]
    slope = np.polyfit(years, np.log(values), 1)[0]
    assert compute_aarr(years, values) == pytest.approx((1 - math.exp(slope)) * 100)
    assert compute_aarr(years, values) != pytest.approx((1 - (15 / 20) ** 0.25) * 100)


def test_aarr_of_higher_is_better_is_the_reduction_of_the_shortfall():
    # Coverage 90 % -> 95 %: shortfall 10 -> 5 over 4 years, AARR = 1 - 0.5**0.25 = 15.9104 %/yr.
    assert compute_aarr([2021, 2025], [90.0, 95.0], direction=HIGHER_IS_BETTER) == pytest.approx(15.910358, abs=1e-6)


def test_aarr_needs_two_usable_years():
    assert math.isnan(compute_aarr([2025], [12.0]))
    assert math.isnan(compute_aarr([2024, 2025], [0.0, 12.0]))  # a zero cannot be logged
    assert math.isnan(compute_aarr([2024, 2025], [np.nan, 12.0]))


def test_required_aarr_known_cases():
    # 20 % in 2025 to 18 % in 2030: 1 - 0.9**(1/5) = 2.0852 %/yr.
    assert required_aarr(20.0, 2025, 18.0, 2030) == pytest.approx(2.0851638, abs=1e-6)
    # 24 % in 2020 to 12 % in 2030 (halving in ten years): 6.6967 %/yr.
    assert required_aarr(24.0, 2020, 12.0, 2030) == pytest.approx(6.6967008, abs=1e-6)
    # Birth registration 95 % in 2023 to 98.5 % in 2025: shortfall 5 -> 1.5, 1 - 0.3**0.5 = 45.2277 %/yr.
    assert required_aarr(95.0, 2023, 98.5, 2025, direction=HIGHER_IS_BETTER) == pytest.approx(45.227744, abs=1e-6)
    # A 100 % target (shortfall 0) needs 100 %/yr: no proportional reduction reaches it.
    assert required_aarr(95.0, 2025, 100.0, 2030, direction=HIGHER_IS_BETTER) == pytest.approx(100.0)
    assert required_aarr(10.0, 2025, 12.0, 2030) < 0  # already better than the target
    assert math.isnan(required_aarr(20.0, 2025, 18.0, 2025))  # no years left
    assert math.isnan(required_aarr(0.0, 2024, 18.0, 2030))


def test_project_value_carries_the_aarr_forward():
    assert project_value(20.0, 2025, 10.0, 2027) == pytest.approx(20.0 * 0.9**2)
    assert project_value(95.0, 2025, 50.0, 2026, direction=HIGHER_IS_BETTER) == pytest.approx(97.5)
    assert project_value(60.0, 2025, -50.0, 2030) == 100.0  # clipped to a percentage


# --- assess_trend: statuses ---------------------------------------------------------------------------


def test_status_edge_cases():
    frame = pd.concat([
        rows("met", {2021: (30, 100), 2025: (12, 100)}),  # 12 % already below 20 %
        rows("on", {2021: (30, 100), 2023: (24, 100)}),  # AARR 10.56 >= required 6.49 (24 -> 18 by 2030)
        rows("up", {2021: (20, 100), 2022: (22, 100), 2023: (25, 100)}),  # prevalence increasing
        rows("single", {2024: (25, 100)}),  # one year, not meeting the target
        rows("single_met", {2024: (5, 100)}),  # one year, meeting it: met needs no trend
        rows("slow", {2021: (30, 100), 2023: (29, 100)}),  # improving, but too slowly
    ], ignore_index=True)
    result = assess_trend(frame, STUNTING_2030, LOWER_IS_BETTER)
    assert list(result.columns) == ["code", *RESULT_COLUMNS]
    assert result["code"].tolist() == sorted(frame["code"].unique())
    status = result.set_index("code")["status"]
    assert status["met"] == TARGET_MET
    assert status["on"] == ON_TRACK
    assert status["up"] == OFF_TRACK
    assert status["single"] == NOT_ASSESSABLE
    assert status["single_met"] == TARGET_MET
    assert status["slow"] == OFF_TRACK
    on = one(result, "on")
    assert on["aarr"] == pytest.approx(10.557281, abs=1e-6)
    assert on["required_aarr"] == pytest.approx((1 - (18 / 24) ** (1 / 7)) * 100)
    assert (on["n_points"], on["first_year"], on["last_year"], on["last_value"]) == (2, 2021, 2023, 24.0)
    assert one(result, "single")["n_points"] == 1 and math.isnan(one(result, "single")["aarr"])


def test_trend_arrows_including_worsening_and_flat():
    frame = pd.concat([
        rows("better", {2021: (30, 100), 2025: (20, 100)}),
        rows("worse", {2021: (20, 100), 2025: (25, 100)}),
        rows("flat", {2021: (2000, 10000), 2025: (1990, 10000)}),  # -0.5 % in 4 years: |AARR| 0.13 < 0.5
        rows("one", {2025: (25, 100)}),
    ], ignore_index=True)
    trend = assess_trend(frame, STUNTING_2030, LOWER_IS_BETTER).set_index("code")["trend"]
    assert trend["better"] == IMPROVING
    assert trend["worse"] == WORSENING
    assert trend["flat"] == FLAT
    assert pd.isna(trend["one"])


def test_zero_counts_are_handled_without_nan():
    frame = pd.concat([
        rows("never", {2021: (0, 50), 2022: (0, 40), 2023: (0, 45)}),  # no case ever: met and flat
        rows("appears", {2021: (0, 100), 2025: (10, 100)}),  # 0 -> 10 %: fit uses half a case in 2021
    ], ignore_index=True)
    strict = Target("f", "stunting_u5", 2030, "<", 5.0, "dưới 5%", "below 5%")
    result = assess_trend(frame, strict, LOWER_IS_BETTER).set_index("code")
    never = result.loc["never"]
    assert never["status"] == TARGET_MET and never["aarr"] == 0.0 and never["trend"] == FLAT
    appears = result.loc["appears"]
    # ln(0.5) -> ln(10) over 4 years: AARR = 1 - 20**(1/4) = -111.47 %/yr, clearly worsening and off track.
    assert appears["aarr"] == pytest.approx((1 - 20 ** 0.25) * 100)
    assert appears["trend"] == WORSENING and appears["status"] == OFF_TRACK


def test_zero_without_counts_is_left_out_of_the_fit():
    frame = pd.DataFrame({"code": ["a"] * 3, "year": [2021, 2022, 2023], "value": [0.0, 24.0, 12.0]})
    result = one(assess_trend(frame, STUNTING_2030, LOWER_IS_BETTER), "a")
    assert result["n_points"] == 2 and result["aarr"] == pytest.approx(50.0)


def test_higher_is_better_uses_the_shortfall_and_full_coverage_meets():
    frame = pd.concat([
        rows("slow", {2021: (90, 100), 2025: (95, 100)}),  # AARR 15.9 < required 1 - 0.3**0.2 = 21.40
        rows("fast", {2021: (80, 100), 2025: (97, 100)}),  # shortfall 20 -> 3: AARR 37.8 > 1 - 0.5**0.2 = 12.9
        rows("full", {2021: (90, 100), 2024: (50, 50)}),  # every child registered: met, fit not broken
    ], ignore_index=True)
    result = assess_trend(frame, BIRTH_2030, HIGHER_IS_BETTER).set_index("code")
    assert result.loc["slow", "aarr"] == pytest.approx(15.910358, abs=1e-6)
    assert result.loc["slow", "required_aarr"] == pytest.approx(21.399691, abs=1e-6)
    assert result.loc["slow", "status"] == OFF_TRACK and result.loc["slow", "trend"] == IMPROVING
    assert result.loc["fast", "status"] == ON_TRACK
    assert result.loc["full", "status"] == TARGET_MET and result.loc["full", "trend"] == IMPROVING
    assert result.loc["slow", "projected_value"] == pytest.approx(100 - 5 * (1 - 0.15910358) ** 5, abs=1e-5)


def test_deadline_reached_without_meeting_is_off_track():
    frame = rows("late", {2021: (40, 100), 2025: (21, 100)})  # fast fall, but 21 % is not < 20 % in 2025
    result = one(assess_trend(frame, STUNTING_2025, LOWER_IS_BETTER), "late")
    assert result["status"] == OFF_TRACK and bool(result["deadline_reached"])
    assert math.isnan(result["required_aarr"]) and math.isnan(result["projected_value"])


def test_no_target_and_no_data_and_yes_no_communes():
    frame = pd.concat([rows("a", {2021: (30, 100), 2025: (20, 100)}),
                       pd.DataFrame({"code": ["empty"], "year": [2025], "numerator": [np.nan],
                                     "denominator": [np.nan], "value": [np.nan]})], ignore_index=True)
    no_target = assess_trend(frame, None, LOWER_IS_BETTER).set_index("code")
    assert no_target.loc["a", "status"] == NO_TARGET and no_target.loc["a", "trend"] == IMPROVING
    assert no_target.loc["empty", "status"] == NO_DATA and no_target.loc["empty", "n_points"] == 0

    yes_no = pd.concat([rows("x", {2021: (0, 1), 2025: (1, 1)}), rows("y", {2021: (1, 1), 2025: (1, 1)})])
    result = assess_trend(yes_no, PLAY_2030, HIGHER_IS_BETTER, measure=YES_NO)
    assert (result["status"] == NOT_ASSESSABLE).all()
    assert result["aarr"].isna().all() and result["trend"].isna().all()


def test_duplicate_years_are_rejected():
    frame = pd.concat([rows("a", {2021: (3, 10)}), rows("a", {2021: (4, 10)})])
    with pytest.raises(ValueError, match="one row per area and year"):
        assess_trend(frame, STUNTING_2030, LOWER_IS_BETTER)


# --- areas ---------------------------------------------------------------------------------------------


def test_area_trend_sums_counts_before_assessing():
    frame = pd.concat([
        rows("a", {2021: (10, 100), 2025: (5, 100)}),
        rows("b", {2021: (30, 100), 2025: (15, 100)}),
        rows("c", {2021: (1, 2), 2025: (2, 2)}),  # tiny commune: weighs by its 2 children, not as a third
    ], ignore_index=True)
    frame["province"] = ["p1", "p1", "p1", "p1", "p2", "p2"]
    national = assess_area_trend(frame, STUNTING_2030, LOWER_IS_BETTER)
    assert len(national) == 1 and "code" not in national.columns
    # 2021: 41/202 = 20.297 %, 2025: 22/202 = 10.891 %.
    assert national["last_value"].iloc[0] == pytest.approx(100 * 22 / 202)
    assert national["aarr"].iloc[0] == pytest.approx((1 - (22 / 41) ** 0.25) * 100)
    assert national["status"].iloc[0] == TARGET_MET

    by_province = assess_area_trend(frame, STUNTING_2030, LOWER_IS_BETTER, by="province").set_index("province")
    assert by_province.loc["p1", "aarr"] == pytest.approx((1 - 0.5**0.25) * 100)
    assert by_province.loc["p2", "trend"] == WORSENING


def test_area_trend_of_a_yes_no_indicator_is_the_share_of_communes():
    frame = pd.concat([rows(c, {2021: (y21, 1), 2025: (y25, 1)})
                       for c, y21, y25 in [("a", 0, 1), ("b", 0, 0), ("c", 1, 1), ("d", 0, 0)]])
    result = assess_area_trend(frame, PLAY_2030, HIGHER_IS_BETTER)
    # Share with a play space 25 % -> 50 %: shortfall 75 -> 50, AARR = 1 - (2/3)**(1/4) = 9.64 %/yr.
    assert result["last_value"].iloc[0] == pytest.approx(50.0)
    assert result["aarr"].iloc[0] == pytest.approx((1 - (50 / 75) ** 0.25) * 100)
    assert result["status"].iloc[0] == TARGET_MET


def test_aggregate_by_year_gives_rates_and_intervals():
    frame = pd.concat([rows("a", {2021: (10, 100), 2022: (0, 10)}), rows("b", {2021: (30, 100)})])
    yearly = aggregate_by_year(frame).set_index("year")
    assert yearly.loc[2021, "value"] == pytest.approx(20.0)
    assert yearly.loc[2021, "lo"] < 20.0 < yearly.loc[2021, "hi"]
    assert yearly.loc[2022, "lo"] == 0.0  # Wilson is exact at 0/n


def test_full_scale_runs_fast():
    # 3,321 communes x 5 years, as in the app; the brief asks < 1 s per indicator.
    rng = np.random.default_rng(1)
    codes = np.repeat([f"{i:05d}" for i in range(3321)], 5)
    years = np.tile(np.arange(2021, 2026), 3321)
    den = rng.integers(0, 3000, size=len(codes)).astype(float)
    num = rng.binomial(den.astype(int), 0.2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame = pd.DataFrame({"code": codes, "year": years, "numerator": num, "denominator": den,
                              "value": np.where(den > 0, 100 * num / den, np.nan)})
    start = time.perf_counter()
    result = assess_trend(frame, STUNTING_2030, LOWER_IS_BETTER)
    elapsed = time.perf_counter() - start
    assert len(result) == 3321 and result["status"].notna().all()
    assert elapsed < 1.0


# --- trend chart ----------------------------------------------------------------------------------------

LABELS = {"axis_year": "Năm", "axis_value": "Tỷ lệ (%)", "year": "Năm", "value": "Giá trị",
          "interval": "Khoảng tin cậy 95%", "target": "Mục tiêu", "projection": "Dự báo"}


def test_trend_chart_has_lines_bands_and_target_markers():
    series = pd.DataFrame({
        "year": [2021, 2022, 2023, 2021, 2022, 2023],
        "value": [25.0, 22.5, 20.0, 18.0, 17.0, 16.5],
        "series_name": ["Xã <A>"] * 3 + ["Toàn quốc"] * 3,
        "lo": [20.0, 18.0, 15.0, np.nan, np.nan, np.nan],
        "hi": [30.0, 27.0, 25.0, np.nan, np.nan, np.nan],
    })
    projection = pd.DataFrame({"year": [2023, 2030], "value": [20.0, 15.0], "series_name": ["Xã <A>"] * 2})
    fig = build_trend_chart(series, targets=[STUNTING_2030, STUNTING_2025], labels=LABELS, title="SDD thấp còi",
                            lang="vi", projections=projection)
    targets = [t for t in fig.data if t.meta == "targets"]
    assert len(targets) == 1
    assert list(targets[0].x) == [2025, 2030] and list(targets[0].y) == [20.0, 18.0]
    assert "dưới 20%" in targets[0].text[0] and targets[0].name == "Mục tiêu"
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert [t.name for t in lines] == ["Xã &lt;A&gt;", "Toàn quốc"]  # escaped user text
    assert [t.line.color for t in lines] == list(OKABE_ITO[:2])
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 1  # only the series with an interval
    assert lines[0].customdata[1][0] == "22,5%"  # Vietnamese decimal comma in hover
    assert any(t.line.dash == "dash" for t in fig.data)  # projection
    assert fig.layout.yaxis.ticksuffix == "%" and fig.layout.yaxis.title.text == "Tỷ lệ (%)"
    assert fig.layout.separators == ",."
    assert fig.layout.xaxis.range[1] >= 2030


def test_trend_chart_without_targets_or_bands_and_in_english():
    series = pd.DataFrame({"year": [2021, 2025], "value": [12.5, 10.0], "series_name": ["Commune"] * 2})
    fig = build_trend_chart(series, targets=[], labels=LABELS, title="t", lang="en")
    assert not [t for t in fig.data if t.meta == "targets"]
    assert fig.data[0].customdata[0][0] == "12.5%"  # English decimal point
    assert fig.layout.separators == ".,"
    assert "Khoảng tin cậy" not in fig.data[0].hovertemplate  # no band line without lo/hi


def test_standing_target_is_due_every_year_so_no_rate_is_required():
    history = pd.DataFrame({"code": ["a"] * 3, "year": [2021, 2022, 2023], "value": [80.0, 85.0, 90.0]})
    standing = Target("f", "disaster_relief", 2030, ">=", 100.0, "t", "t", standing=True)
    res = assess_trend(history, standing, "higher_is_better").iloc[0]
    assert bool(res["deadline_reached"]) and res["status"] == "off_track" and pd.isna(res["required_aarr"])
    later = Target("f", "disaster_relief", 2030, ">=", 100.0, "t", "t")
    assert not bool(assess_trend(history, later, "higher_is_better").iloc[0]["deadline_reached"])
