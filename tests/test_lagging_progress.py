"""The lagging table's "AARR needed": the rate per year that takes each commune to the target that applies to
it by the target year, hand-computed on tiny inline data."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.analysis.ranking import progress_goal, rank_lagging, ranked_within
from geo.indicators.registry import Target
from geo.indicators.selection import assess_communes, join_indicator

STUNTING = {"id": "stunting_u5", "measure": "rate", "direction": "lower_is_better", "aggregation": "sum_counts"}
PRESCHOOL = {"id": "preschool_age5", "measure": "rate", "direction": "higher_is_better", "aggregation": "sum_counts"}
EM_2030 = Target("f", "stunting_u5", 2030, "<", 25.0, "< 25% (EM)", "< 25% (EM)", group="em_area")
S2025 = Target("f", "stunting_u5", 2025, "<", 20.0, "< 20%", "< 20%")
S2030 = Target("f", "stunting_u5", 2030, "<", 18.0, "< 18%", "< 18%", variants=(EM_2030,))
P2030 = Target("f", "preschool_age5", 2030, ">", 99.9, "> 99.9%", "> 99.9%")
STANDING = Target("f", "stunting_u5", 2025, "<", 20.0, "x", "x", standing=True)

COMMUNES = pd.DataFrame({"code": ["00001", "00002", "00003"], "full_name": ["A", "B", "C"],
                         "province_code": ["12"] * 3, "province_name": ["Lai Châu"] * 3,
                         "em_area": pd.array([False, False, True], dtype="boolean")})


def history(indicator: str, rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame([(c, y, indicator, n, d, 100.0 * n / d) for c, y, n, d in rows],
                        columns=["code", "year", "indicator", "numerator", "denominator", "value"])


def ranked(values: pd.DataFrame, meta: dict, target: Target, year: int, later: Target | None = None) -> pd.DataFrame:
    frame, _ = join_indicator(COMMUNES, values, meta["id"], year)
    frame = assess_communes(frame, meta, target)
    return rank_lagging(frame, meta, target, history=values, year=year, later=later).set_index("code")


def test_aarr_needed_for_a_target_still_ahead():
    # 2024: 30 % and 25 %, against < 20 % in 2025 (one year left): 1 - 20/30 = 33.3 %/yr, 1 - 20/25 = 20 %/yr
    values = history("stunting_u5", [("00001", 2023, 33, 100), ("00001", 2024, 30, 100),
                                     ("00002", 2023, 25, 100), ("00002", 2024, 25, 100)])
    out = ranked(values, STUNTING, S2025, 2024)
    assert out.loc["00001", "required_aarr"] == pytest.approx(33.3333333)
    assert out.loc["00002", "required_aarr"] == pytest.approx(20.0)
    assert out["required_year"].tolist() == [2025, 2025]
    assert out.loc["00001", "aarr"] == pytest.approx(100 * (1 - 30 / 33))  # current AARR kept beside it


def test_target_year_reached_gives_the_aarr_needed_for_the_plans_next_target():
    # 2025, target year 2025 reached: towards < 18 % in 2030 (5 years): 1 - (18/30)^(1/5) = 9.7120 %/yr;
    # the ethnic-minority-area commune towards its own < 25 %: 1 - (25/40)^(1/5) = 8.9718 %/yr
    values = history("stunting_u5", [("00001", 2025, 30, 100), ("00002", 2025, 22, 100), ("00003", 2025, 40, 100)])
    out = ranked(values, STUNTING, S2025, 2025, later=S2030)
    assert out.loc["00001", "required_aarr"] == pytest.approx(9.711955, abs=1e-5)
    assert out.loc["00002", "required_aarr"] == pytest.approx(3.933943, abs=1e-5)  # 1 - (18/22)^(1/5)
    assert out.loc["00003", "required_aarr"] == pytest.approx(8.971790, abs=1e-5)
    assert set(out["required_year"]) == {2030}
    alone = ranked(values, STUNTING, S2025, 2025)  # no later target: nothing to compute, said by the year
    assert alone["required_aarr"].isna().all() and alone["required_year"].isna().all()


def test_higher_is_better_uses_the_shortfall():
    # 95 % in 2025 towards > 99.9 % in 2030: shortfall 5 -> 0.1, 1 - (0.1/5)^(1/5) = 54.2695 %/yr
    values = history("preschool_age5", [("00001", 2025, 95, 100)])
    out = ranked(values, PRESCHOOL, P2030, 2025)
    assert out.loc["00001", "required_aarr"] == pytest.approx(54.26949, abs=1e-4)


def test_progress_goal():
    assert progress_goal(S2025, S2030, 2024) is S2025
    assert progress_goal(S2025, S2030, 2025) is S2030
    assert progress_goal(S2025, None, 2025) is None
    assert progress_goal(STANDING, STANDING, 2024) is None  # due every year: no rate to reach it later


def test_a_province_list_fits_only_its_communes_with_the_same_figures():
    # History of the whole country (here: a commune outside the list, and a met one); the list's own
    # trends and AARRs needed are what the full history gives, and the others are not fitted at all.
    values = history("stunting_u5", [("00001", 2023, 33, 100), ("00001", 2024, 30, 100),
                                     ("00002", 2023, 10, 100), ("00002", 2024, 9, 100),
                                     ("00003", 2023, 26, 100), ("00003", 2024, 27, 100),
                                     ("09999", 2023, 50, 100), ("09999", 2024, 40, 100)])
    out = ranked(values, STUNTING, S2025, 2024)
    assert list(out.index) == ["00001", "00003"]  # 00002 meets the target, 09999 is not in the frame
    assert out.loc["00001", "aarr"] == pytest.approx(100 * (1 - 30 / 33))
    assert out.loc["00003", "aarr"] == pytest.approx(100 * (1 - 27 / 26))
    assert out.loc["00003", "required_aarr"] == pytest.approx(100 * (1 - 20 / 27))
    assert out.loc["00003", "trend"] == "worsening" and out.loc["00001", "trend"] == "improving"


@pytest.mark.parametrize("order", ["furthest", "nearest"])
def test_a_cut_of_the_countrys_ranking_is_the_ranking_of_the_cut(order):
    # The page ranks every commune once and cuts it per province/filter: same rows, same order, ranks 1..n.
    communes = pd.DataFrame({"code": [f"{i:05d}" for i in range(1, 9)], "full_name": list("ABCDEFGH"),
                             "province_code": ["12", "14"] * 4, "province_name": ["Lai Châu", "Sơn La"] * 4,
                             "em_area": pd.array([False, True] * 4, dtype="boolean")})
    rows = [(c, y, n, 100) for c, base in zip(communes["code"], (30, 26, 40, 22, 26, 35, 19, 45), strict=True)
            for y, n in ((2023, base + 2), (2024, base))]
    values = history("stunting_u5", rows)
    frame = assess_communes(join_indicator(communes, values, "stunting_u5", 2024)[0], STUNTING, S2030)
    country = rank_lagging(frame, STUNTING, S2030, order=order, history=values, year=2024)
    assert len(country) >= 6 and country["rank"].tolist() == list(range(1, len(country) + 1))
    for province in ("12", "14"):
        part = frame[frame["province_code"] == province].reset_index(drop=True)
        alone = rank_lagging(part, STUNTING, S2030, order=order, history=values, year=2024)
        pd.testing.assert_frame_equal(ranked_within(country, part["code"]), alone)
