"""Wilson intervals, classification with uncertainty, EB smoothing, funnel limits and the funnel plot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.indicators.registry import HIGHER_IS_BETTER, LOWER_IS_BETTER, Target
from geo.indicators.status import NO_DATA, NO_TARGET
from geo.indicators.uncertainty import (
    CLEARLY_MET,
    CLEARLY_NOT_MET,
    NOT_CLEARLY_DIFFERENT,
    classify_with_uncertainty,
    flag_low_precision,
    funnel_limits,
    smooth_rates_eb,
    wilson_interval,
)
from geo.reporting.charts import build_funnel_plot

STUNTING = Target("f", "stunting_u5", 2030, "<", 20.0, "dưới 20%", "below 20%")
BIRTH = Target("f", "birth_registration_u5", 2025, ">=", 98.5, "đạt 98,5%", "98.5%")


# --- Wilson ------------------------------------------------------------------------------------------------


def test_wilson_known_values():
    # z = 1.96, z² = 3.8416. Bounds = (p + z²/2n ± z*sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
    # 0/10:  hi = (z²/n) / (1 + z²/n) = 0.38416 / 1.38416 = 0.277540 -> (0, 27.7540)
    # 10/10: lo = 1 / 1.38416 = 0.722460 -> (72.2460, 100)
    # 5/10:  0.5 ± (1.96 / 1.38416) * sqrt(0.025 + 0.009604) = 0.5 ± 1.416021 * 0.186022 = 0.5 ± 0.263410
    #        -> (23.6590, 76.3410)
    # 81/263: Newcombe (1998, Stat Med 17:857, Table I, method 3) gives 0.2553 to 0.3662 -> (25.5288, 36.6211)
    lo, hi = wilson_interval(np.array([0, 10, 5, 81]), np.array([10, 10, 10, 263]))
    np.testing.assert_allclose(lo, [0.0, 72.2460, 23.6590, 25.5288], atol=5e-5)
    np.testing.assert_allclose(hi, [27.7540, 100.0, 76.3410, 36.6211], atol=5e-5)


def test_wilson_is_exact_at_the_ends_and_nan_without_denominator():
    lo, hi = wilson_interval(pd.Series([0, 7, 3, 2, np.nan], index=list("abcde")),
                             pd.Series([7, 7, 0, np.nan, 5], index=list("abcde")))
    assert list(lo.index) == list("abcde")
    assert lo["a"] == 0.0 and hi["b"] == 100.0  # exactly, not -1e-15
    assert lo[["c", "d", "e"]].isna().all() and hi[["c", "d", "e"]].isna().all()
    assert lo[["a", "b"]].notna().all()
    scalar = wilson_interval(1, 1)
    assert isinstance(scalar[0], float) and scalar[1] == 100.0
    assert scalar[0] == pytest.approx(100 / 4.8416, abs=1e-4)  # 1/1: lo = 1 / (1 + z²) = 20.6543 %


def test_wilson_narrows_with_n_and_z():
    lo_small, hi_small = wilson_interval(5, 20)
    lo_big, hi_big = wilson_interval(500, 2000)
    assert hi_big - lo_big < hi_small - lo_small
    lo99, hi99 = wilson_interval(5, 20, z=2.576)
    assert lo99 < lo_small and hi99 > hi_small


# --- classify / flag -------------------------------------------------------------------------------------


def test_classify_with_uncertainty_lower_is_better():
    lo = pd.Series([10.0, 22.0, 15.0, np.nan, 12.0])
    hi = pd.Series([15.0, 30.0, 25.0, np.nan, 20.0])
    value = pd.Series([12.0, 25.0, 19.0, np.nan, 16.0])
    out = classify_with_uncertainty(lo, hi, value, STUNTING, LOWER_IS_BETTER)
    # the last interval touches 20 and the target is strictly "< 20": not clearly met
    assert out.tolist() == [CLEARLY_MET, CLEARLY_NOT_MET, NOT_CLEARLY_DIFFERENT, NO_DATA, NOT_CLEARLY_DIFFERENT]


def test_classify_with_uncertainty_higher_is_better_and_no_target():
    lo, hi, value = [99.0, 90.0, 97.0], [100.0, 98.0, 99.5], [99.5, 95.0, 98.6]
    out = classify_with_uncertainty(lo, hi, value, BIRTH, HIGHER_IS_BETTER)
    assert out.tolist() == [CLEARLY_MET, CLEARLY_NOT_MET, NOT_CLEARLY_DIFFERENT]
    assert classify_with_uncertainty(lo, hi, [99.5, np.nan, 98.0], None, HIGHER_IS_BETTER).tolist() == [
        NO_TARGET, NO_DATA, NO_TARGET]


def test_flag_low_precision_threshold_is_configurable():
    den = pd.Series([0, 10, 49, 50, 500, np.nan])
    assert flag_low_precision(den).tolist() == [False, True, True, False, False, False]
    assert flag_low_precision(den, threshold=20).tolist() == [False, True, False, False, False, False]


# --- EB smoothing ------------------------------------------------------------------------------------------


def test_eb_hand_computed_two_communes():
    # Group: 0/10 and 10/10. m = 0.5; s² = (10*0.25 + 10*0.25)/20 = 0.25; n̄ = 10;
    # A = 0.25 - 0.25/10 = 0.225; M = 0.25/0.225 - 1 = 1/9;
    # smoothed = (x + m M) / (n + M): (0 + 1/18) / (10 + 1/9) = 0.5495 %, (10 + 1/18) / (10 + 1/9) = 99.4505 %.
    out = smooth_rates_eb([0, 10], [10, 10], ["p", "p"])
    np.testing.assert_allclose(out, [0.549451, 99.450549], atol=1e-5)


def test_eb_small_communes_move_most_and_large_barely():
    num = pd.Series([150, 3, 20, 30, 25, 40], index=list("abcdef"))
    den = pd.Series([1000, 5, 100, 120, 110, 150], index=list("abcdef"))
    raw = 100 * num / den
    smoothed = smooth_rates_eb(num, den, pd.Series(["p"] * 6, index=list("abcdef")))
    moved = (smoothed - raw).abs()
    assert moved["a"] < 0.5  # n = 1000 stays put (15.0 %)
    assert moved.idxmax() == "b"  # n = 5 at 60 % is pulled hardest towards the province
    pooled = 100 * num.sum() / den.sum()
    assert abs(smoothed["b"] - pooled) < abs(raw["b"] - pooled)
    assert list(smoothed.index) == list("abcdef")


def test_eb_zero_groups_and_missing_denominators():
    num = [0, 0, 0, 5, 6, 0]
    den = [10, 200, 3, 50, 60, 0]
    groups = ["zero", "zero", "zero", "q", "q", "q"]
    out = smooth_rates_eb(num, den, groups)
    assert out[:3].tolist() == [0.0, 0.0, 0.0]  # all-zero province: no NaN, no division by zero
    assert out[3] == pytest.approx(out[4]) == pytest.approx(100 * 11 / 110)  # no excess variation: pooled
    assert math.isnan(out[5])


def test_eb_does_not_mix_groups():
    out = smooth_rates_eb([1, 30, 1, 2], [10, 100, 10, 20], ["a", "a", "b", "b"])
    assert out[2] == pytest.approx(10.0) and out[3] == pytest.approx(10.0)  # group b is homogeneous at 10 %
    assert out[0] > 10.0  # group a pulls its small commune towards 28 %


# --- funnel limits -----------------------------------------------------------------------------------------


def test_funnel_exact_limit_matches_hand_computation():
    # n = 10, p0 = 50 %: F(1) = 11/1024, F(2) = 56/1024; P = Phi(-1.96) = 0.0249979.
    # Spiegelhalter: r = 2, alpha = (F(2) - P) / (F(2) - F(1)) = 0.675604, lo = (2 - alpha)/10 = 13.2440 %;
    # by symmetry hi = 76.7560 %.
    limits = funnel_limits(50.0, [10], z_levels=(1.96,))
    assert limits["lo"].iloc[0] == pytest.approx(13.2440, abs=1e-3)
    assert limits["hi"].iloc[0] == pytest.approx(76.7560, abs=1e-3)
    assert limits["coverage"].iloc[0] == pytest.approx(0.95, abs=1e-4)


def test_funnel_limits_narrow_with_n_and_are_nearly_symmetric():
    ns = [20, 100, 1000, 10000]
    limits = funnel_limits(20.0, ns)
    assert set(limits.columns) == {"n", "z", "coverage", "lo", "hi"}
    for z, rows in limits.groupby("z"):
        width = (rows["hi"] - rows["lo"]).to_numpy()
        assert (np.diff(width) < 0).all()
        assert (rows["lo"] <= 20.0).all() and (rows["hi"] >= 20.0).all()
        big = rows[rows["n"] == 10000].iloc[0]
        half = z * math.sqrt(0.2 * 0.8 / 10000) * 100  # normal approximation at large n
        assert big["hi"] - 20.0 == pytest.approx(half, abs=0.05)
        assert 20.0 - big["lo"] == pytest.approx(half, abs=0.05)
    outer, inner = limits[limits["z"] == 3.09], limits[limits["z"] == 1.96]
    assert (outer["hi"].to_numpy() > inner["hi"].to_numpy()).all()


def test_funnel_limits_normal_method_and_degenerate_p0():
    normal = funnel_limits(20.0, [100], z_levels=(1.96,), method="normal")
    assert normal["hi"].iloc[0] == pytest.approx(20 + 1.96 * 4.0)
    assert normal["lo"].iloc[0] == pytest.approx(20 - 1.96 * 4.0)
    zero = funnel_limits(0.0, [10, 100])
    assert (zero["lo"] == 0).all() and (zero["hi"] == 0).all()
    with pytest.raises(ValueError):
        funnel_limits(20.0, [10], method="poisson")


# --- funnel plot -------------------------------------------------------------------------------------------

LABELS = {"axis_denominator": "Số trẻ", "axis_value": "Tỷ lệ (%)", "value": "Giá trị", "counts": "Số ca",
          "interval": "KTC 95%", "province": "Tỉnh", "target": "Mục tiêu", "reference": "Toàn tỉnh",
          "limit_95": "Giới hạn 95%", "limit_998": "Giới hạn 99,8%", "funnel_worse": "Kém hơn kỳ vọng",
          "funnel_within": "Trong giới hạn", "funnel_better": "Tốt hơn kỳ vọng"}


def funnel_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["00001", "00002", "00003", "00004", "00005"],
        "numerator": [200, 1, 20, 5, 0],
        "denominator": [500, 10, 100, 200, 0],
        "name": ["Xã <b>A</b>", "Xã B", "Xã C", "Xã D", "Xã E"],
        "province": ["Lào Cai", "Lào Cai", "Hà Giang & co", "Lào Cai", "Lào Cai"],
    })


def test_funnel_plot_points_carry_codes_and_limits_and_target():
    fig = build_funnel_plot(funnel_frame(), p0=20.0, target=STUNTING, labels=LABELS, lang="vi")
    points = [t for t in fig.data if t.meta == "communes"]
    codes = sorted(row[0] for t in points for row in t.customdata)
    assert codes == ["00001", "00002", "00003", "00004"]  # denominator 0 has no point
    by_name = {t.name: {row[0] for row in t.customdata} for t in points}
    assert by_name["Kém hơn kỳ vọng"] == {"00001"}  # 40 % of 500 is far above 20 %
    assert by_name["Tốt hơn kỳ vọng"] == {"00004"}  # 2.5 % of 200 is far below
    assert by_name["Trong giới hạn"] == {"00002", "00003"}
    names = {row[0]: row[1] for t in points for row in t.customdata}
    assert names["00001"] == "Xã &lt;b&gt;A&lt;/b&gt;"
    assert any(row[2] == "Hà Giang &amp; co" for t in points for row in t.customdata)
    assert all("customdata[0]" not in t.hovertemplate for t in points)  # the code is for clicks, not shown
    assert len([t for t in fig.data if t.meta == "limit"]) == 4  # 95 % and 99.8 %, upper and lower
    target = [t for t in fig.data if t.meta == "target"]
    assert len(target) == 1 and set(target[0].y) == {20.0} and "dưới 20%" in target[0].name
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Số trẻ"


def test_funnel_plot_direction_and_linear_axis_without_target():
    fig = build_funnel_plot(funnel_frame(), p0=20.0, target=None, labels=LABELS, lang="en",
                            direction=HIGHER_IS_BETTER, log_x=False)
    by_name = {t.name: {row[0] for row in t.customdata} for t in fig.data if t.meta == "communes"}
    assert by_name["Tốt hơn kỳ vọng"] == {"00001"}  # higher is better: above the funnel is better
    assert by_name["Kém hơn kỳ vọng"] == {"00004"}
    assert not [t for t in fig.data if t.meta == "target"]
    assert fig.layout.xaxis.type == "linear"
