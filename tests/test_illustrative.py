"""Tests of the deterministic illustrative data generator (geo/synthetic/illustrative.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataError
from geo.indicators.registry import load_registry
from geo.synthetic.illustrative import (
    ATTRIBUTE_COLUMNS,
    EVENT_INDICATORS,
    MODELLED,
    REGION_IDS,
    VALUE_COLUMNS,
    IllustrativeDataset,
    generate_illustrative,
    indicator_kinds,
    load_regions,
)

INDICATOR_KINDS = indicator_kinds()
INDICATORS = tuple(INDICATOR_KINDS)
RATE_INDICATORS = tuple(k for k, v in INDICATOR_KINDS.items() if v == "rate")

YEARS = list(range(2021, 2026))


def _tiny() -> pd.DataFrame:
    """A dozen communes of every region and type; one without population."""
    rows = [
        ("00004", "01", "phuong", 65023.0, "red_river_delta", False),
        ("00619", "01", "xa", 41000.0, "red_river_delta", False),
        ("01273", "04", "xa", 9800.0, "northern_midlands_mountains", True),
        ("00688", "08", "xa", 12500.0, "northern_midlands_mountains", True),
        ("03199", "12", "xa", 7400.0, "northern_midlands_mountains", False),
        ("16681", "40", "xa", 28000.0, "north_central_coast", False),
        ("20333", "48", "dac_khu", np.nan, "north_central_coast", False),
        ("23584", "66", "xa", 21000.0, "central_highlands", False),
        ("24611", "68", "phuong", 52000.0, "central_highlands", False),
        ("26734", "79", "phuong", 120000.0, "southeast", False),
        ("26732", "79", "dac_khu", 11000.0, "southeast", False),
        ("31135", "92", "xa", 35000.0, "mekong_delta", False),
    ]
    columns = ["code", "province_code", "commune_type", "population", "region", "border"]
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture(scope="module")
def tiny_ds() -> IllustrativeDataset:
    return generate_illustrative(_tiny(), seed=2025, years=range(2021, 2026))


# ------------------------------------------------------------------------------------------ pure


def test_same_seed_gives_identical_frames(tiny_ds: IllustrativeDataset) -> None:
    again = generate_illustrative(_tiny(), seed=2025)
    pd.testing.assert_frame_equal(tiny_ds.values, again.values)
    pd.testing.assert_frame_equal(tiny_ds.attributes, again.attributes)
    assert tiny_ds.meta == again.meta


def test_different_seed_differs(tiny_ds: IllustrativeDataset) -> None:
    other = generate_illustrative(_tiny(), seed=2026)
    assert other.meta["seed"] == 2026
    merged = tiny_ds.values.merge(other.values, on=["code", "year", "indicator"], suffixes=("_a", "_b"))
    assert (merged["numerator_a"] != merged["numerator_b"]).any()


def test_input_row_order_does_not_matter(tiny_ds: IllustrativeDataset) -> None:
    shuffled = _tiny().sample(frac=1.0, random_state=3).reset_index(drop=True)
    result = generate_illustrative(shuffled, seed=2025)
    pd.testing.assert_frame_equal(tiny_ds.values, result.values)
    pd.testing.assert_frame_equal(tiny_ds.attributes, result.attributes)


def test_values_schema(tiny_ds: IllustrativeDataset) -> None:
    v = tiny_ds.values
    assert list(v.columns) == list(VALUE_COLUMNS)
    assert pd.api.types.is_string_dtype(v["code"])
    assert pd.api.types.is_string_dtype(v["indicator"])
    assert v["year"].dtype == np.int64
    for col in ("numerator", "denominator", "value"):
        assert v[col].dtype == np.float64, col
    assert set(v["indicator"]) == set(INDICATORS)
    assert set(v["year"]) == set(YEARS)
    assert not v[["code", "year", "indicator"]].duplicated().any()
    assert v[["numerator", "denominator"]].notna().all().all()
    assert (v["numerator"] >= 0).all()
    assert (v["numerator"] <= v["denominator"]).all()
    # Only the rare-event rates have 0-of-0 rows (nobody to count: not applicable), with no value.
    zero = v["denominator"] == 0
    assert set(v.loc[zero, "indicator"]) <= set(EVENT_INDICATORS)
    assert (v.loc[zero, "numerator"] == 0).all() and v.loc[zero, "value"].isna().all()
    rest = v[~zero]
    assert rest["value"].notna().all()
    np.testing.assert_allclose(rest["value"], 100.0 * rest["numerator"] / rest["denominator"])
    assert (v["numerator"] == np.round(v["numerator"])).all()
    assert (v["denominator"] == np.round(v["denominator"])).all()


def test_yes_no_indicators_are_zero_or_one_of_one(tiny_ds: IllustrativeDataset) -> None:
    v = tiny_ds.values
    yes_no = [k for k, kind in INDICATOR_KINDS.items() if kind == "yes_no"]
    assert set(yes_no) == {"play_point", "child_friendly_commune"}
    sub = v[v["indicator"].isin(yes_no)]
    assert set(sub["numerator"].unique()) <= {0.0, 1.0}
    assert (sub["denominator"] == 1.0).all()
    assert set(sub["value"].unique()) <= {0.0, 100.0}


def test_school_shares_have_one_to_twelve_schools(tiny_ds: IllustrativeDataset) -> None:
    v = tiny_ds.values
    sub = v[v["indicator"].isin(["school_sanitation", "school_psych_support"])]
    assert sub["denominator"].between(1, 12).all()


def test_play_point_is_monotone_per_commune(tiny_ds: IllustrativeDataset) -> None:
    play = tiny_ds.values[tiny_ds.values["indicator"] == "play_point"].sort_values(["code", "year"])
    for _, group in play.groupby("code"):
        assert group["numerator"].is_monotonic_increasing


def test_play_point_monotone_on_a_larger_frame() -> None:
    big = pd.concat([_tiny()] * 40, ignore_index=True)
    big["code"] = [f"{i:05d}" for i in range(len(big))]
    play = generate_illustrative(big, seed=11).values.query("indicator == 'play_point'")
    wide = play.pivot(index="code", columns="year", values="numerator")
    diffs = wide.diff(axis=1).iloc[:, 1:]
    assert (diffs.fillna(0) >= 0).all().all()
    assert 0 < wide.stack().mean() < 1


def test_missing_population_gives_no_rate_rows(tiny_ds: IllustrativeDataset) -> None:
    v = tiny_ds.values
    no_pop = v[v["code"] == "20333"]
    assert not no_pop["indicator"].isin(RATE_INDICATORS).any()
    # Non-population indicators (schools, yes/no) still have data for that commune.
    assert no_pop["indicator"].isin(["play_point", "school_sanitation"]).any()
    attrs = tiny_ds.attributes.set_index("code")
    assert pd.isna(attrs.loc["20333", "under5"])
    assert attrs.drop(index="20333")["under5"].notna().all()


def test_codes_stay_zero_padded_strings(tiny_ds: IllustrativeDataset) -> None:
    codes = set(tiny_ds.values["code"])
    assert codes <= set(_tiny()["code"])
    assert "00004" in codes and "00619" in codes
    assert all(isinstance(c, str) and len(c) == 5 for c in codes)
    assert list(tiny_ds.attributes["code"]) == sorted(_tiny()["code"])


def test_attributes_schema(tiny_ds: IllustrativeDataset) -> None:
    a = tiny_ds.attributes
    assert list(a.columns) == list(ATTRIBUTE_COLUMNS)
    assert len(a) == len(_tiny())
    assert a["em_area"].dtype == bool
    assert pd.api.types.is_integer_dtype(a["under5"])
    assert set(a["region"]) <= set(REGION_IDS)
    pop = _tiny().set_index("code")["population"]
    share = a.set_index("code")["under5"].astype(float) / pop
    assert share.dropna().between(0.04, 0.13).all()


def test_meta(tiny_ds: IllustrativeDataset) -> None:
    meta = tiny_ds.meta
    assert meta["name"] == "Dữ liệu minh họa / Illustrative data"
    assert meta["seed"] == 2025
    assert meta["generated_by"]
    assert "MINH HỌA" in meta["description_vi"]
    assert "ILLUSTRATIVE" in meta["description_en"]
    assert "19.6" in meta["description_en"]


def test_years_argument() -> None:
    ds = generate_illustrative(_tiny(), years=[2024, 2022])
    assert sorted(ds.values["year"].unique()) == [2022, 2024]


def test_bad_input_raises_data_error() -> None:
    with pytest.raises(DataError):
        generate_illustrative(_tiny().drop(columns=["region"]))
    bad = _tiny()
    bad.loc[0, "region"] = "atlantis"
    with pytest.raises(DataError):
        generate_illustrative(bad)
    dup = pd.concat([_tiny(), _tiny().head(1)], ignore_index=True)
    with pytest.raises(DataError):
        generate_illustrative(dup)


def test_indicator_kinds_come_from_the_registry() -> None:
    registry = load_registry()
    assert list(INDICATOR_KINDS) == registry.indicator_ids()
    assert INDICATOR_KINDS == {i: registry.indicator(i)["measure"] for i in registry.indicator_ids()}
    assert INDICATOR_KINDS["play_point"] == "yes_no" and INDICATOR_KINDS["school_sanitation"] == "share"


def test_kinds_decide_the_indicators_and_the_population_rule() -> None:
    ds = generate_illustrative(_tiny(), years=[2024], kinds={"stunting_u5": "rate", "play_point": "yes_no"})
    assert set(ds.values["indicator"]) == {"stunting_u5", "play_point"}
    assert ds.meta["indicator_kinds"] == {"stunting_u5": "rate", "play_point": "yes_no"}
    assert "20333" not in set(ds.values.loc[ds.values["indicator"] == "stunting_u5", "code"])  # no population


def test_an_indicator_without_a_model_is_refused() -> None:
    assert "new_indicator" not in MODELLED
    with pytest.raises(DataError) as err:
        generate_illustrative(_tiny(), kinds={"stunting_u5": "rate", "new_indicator": "rate"})
    assert "new_indicator" in err.value.en and "illustrative.py" in err.value.fix_en


def test_regions_csv_is_the_gso_classification() -> None:
    regions = load_regions()
    columns = ["old_province_code", "old_province_name", "region", "region_vi", "region_en"]
    assert list(regions.columns) == columns
    assert len(regions) == 63
    assert regions["old_province_code"].is_unique
    assert regions["old_province_code"].str.fullmatch(r"\d{2}").all()
    counts = regions["region"].value_counts().to_dict()
    assert counts == {
        "northern_midlands_mountains": 14,
        "red_river_delta": 11,
        "north_central_coast": 14,
        "central_highlands": 5,
        "southeast": 6,
        "mekong_delta": 13,
    }
    # One Vietnamese and one English name per region.
    assert (regions.groupby("region")[["region_vi", "region_en"]].nunique() == 1).all().all()
    by_code = regions.set_index("old_province_code")["region"]
    assert by_code["22"] == "red_river_delta"  # Quảng Ninh
    assert by_code["24"] == "northern_midlands_mountains"  # Bắc Giang
    assert by_code["60"] == "north_central_coast"  # Bình Thuận
    assert by_code["68"] == "central_highlands"  # Lâm Đồng
    assert by_code["70"] == "southeast"  # Bình Phước


# -------------------------------------------------------------------------------------- real data


def _data_dir() -> Path:
    env = os.environ.get("VNCHILD_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def real() -> tuple[pd.DataFrame, IllustrativeDataset]:
    data_dir = _data_dir()
    if not (data_dir / "vn2025" / "communes.parquet").exists():
        pytest.skip(f"reference data not found at {data_dir} (set VNCHILD_DATA_DIR)")
    from geo.synthetic.illustrative import load_generator_input

    frame = load_generator_input(data_dir)
    return frame, generate_illustrative(frame)  # its speed is measured in bench/, not here


def _rate(values: pd.DataFrame) -> float:
    return 100.0 * values["numerator"].sum() / values["denominator"].sum()


def _with_attrs(ds: IllustrativeDataset, indicator: str) -> pd.DataFrame:
    v = ds.values[ds.values["indicator"] == indicator]
    return v.merge(ds.attributes[["code", "region", "em_area"]], on="code", how="left")


@pytest.mark.realdata
def test_real_input_covers_every_commune(real) -> None:
    frame, ds = real
    parquet = pd.read_parquet(_data_dir() / "vn2025" / "communes.parquet", columns=["code"])
    assert len(frame) == 3321
    assert set(parquet["code"]) == set(frame["code"]) == set(ds.attributes["code"])
    assert set(parquet["code"]) == set(ds.values["code"])
    assert frame["region"].isin(REGION_IDS).all()
    assert frame["population"].isna().sum() == 2
    assert frame["commune_type"].value_counts().to_dict() == {"xa": 2611, "phuong": 697, "dac_khu": 13}


@pytest.mark.realdata
def test_real_regions_split_mixed_provinces(real) -> None:
    frame, _ = real
    lam_dong = frame.loc[frame["province_code"] == "68", "region"]
    assert {"central_highlands", "north_central_coast"} <= set(lam_dong)
    assert set(frame.loc[frame["province_code"] == "01", "region"]) == {"red_river_delta"}


@pytest.mark.realdata
def test_real_national_aggregates(real) -> None:
    _, ds = real
    stunting = _with_attrs(ds, "stunting_u5")
    underweight = _with_attrs(ds, "underweight_u5")
    assert 18.0 <= _rate(stunting) <= 21.5
    assert 10.0 <= _rate(underweight) <= 13.0
    for year in YEARS:
        assert 18.0 <= _rate(stunting[stunting["year"] == year]) <= 21.5
        assert 10.0 <= _rate(underweight[underweight["year"] == year]) <= 13.0
    assert _rate(stunting[stunting["year"] == 2025]) < _rate(stunting[stunting["year"] == 2021])
    assert _rate(underweight[underweight["year"] == 2025]) < _rate(underweight[underweight["year"] == 2021])


@pytest.mark.realdata
def test_real_regional_and_em_contrasts(real) -> None:
    _, ds = real
    stunting = _with_attrs(ds, "stunting_u5")
    by_region = {r: _rate(g) for r, g in stunting.groupby("region")}
    assert by_region["central_highlands"] > by_region["red_river_delta"]
    assert by_region["northern_midlands_mountains"] > by_region["red_river_delta"]
    assert by_region["red_river_delta"] >= by_region["southeast"] - 1.0
    for rate in by_region.values():
        assert 10.0 < rate < 40.0
    by_em = {flag: _rate(g) for flag, g in stunting.groupby("em_area")}
    assert by_em[True] > by_em[False] + 5.0


@pytest.mark.realdata
def test_real_play_point_and_em_share(real) -> None:
    _, ds = real
    play = _with_attrs(ds, "play_point")
    assert 55.0 <= _rate(play[play["year"] == 2025]) <= 70.0
    assert _rate(play[play["year"] == 2021]) < _rate(play[play["year"] == 2025])
    assert 0.25 <= ds.attributes["em_area"].mean() <= 0.40


@pytest.mark.realdata
def test_real_missing_share_and_under5(real) -> None:
    frame, ds = real
    expected = len(frame) * len(YEARS) * len(INDICATORS)
    missing = 1.0 - len(ds.values) / expected
    assert 0.01 <= missing <= 0.03
    under5 = ds.attributes.set_index("code")["under5"].astype(float)
    pop = frame.set_index("code")["population"]
    assert 6.5 <= 100.0 * under5.sum() / pop.sum() <= 8.5


def test_rare_events_are_mostly_not_applicable_and_context_rates_plausible(tiny_ds: IllustrativeDataset) -> None:
    v = tiny_ds.values
    for ind in EVENT_INDICATORS:
        sub = v[v["indicator"] == ind]
        assert (sub["denominator"] == 0).mean() > 0.3, ind  # many commune-years: nobody affected
    injury = v[v["indicator"] == "child_injury"]
    assert 0.1 < 100.0 * injury["numerator"].sum() / injury["denominator"].sum() < 2.0


def test_v2_indicators_leave_the_v1_values_unchanged(tiny_ds: IllustrativeDataset) -> None:
    """The new indicators draw from their own stream: the v1 indicators keep the values model v1 drew.

    Figures pinned from model v1 (geo/synthetic/illustrative.py before the v2 indicators) on _tiny().
    """
    v1 = tiny_ds.values[tiny_ds.values["indicator"].isin(INDICATORS[:12])]
    assert (len(v1), v1["numerator"].sum(), v1["denominator"].sum()) == (672, 342040.0, 671549.0)
    stunting = v1[v1["indicator"] == "stunting_u5"]
    assert (len(stunting), stunting["numerator"].sum(), stunting["denominator"].sum()) == (54, 26248.0, 132472.0)
