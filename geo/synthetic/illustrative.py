"""Deterministic ILLUSTRATIVE commune-level data (never official statistics).

No commune-level indicator data for Vietnam is public, so the app ships a synthetic data set generated
here from a fixed seed. Its levels are tuned to a handful of published national and regional anchors
(National Institute of Nutrition surveillance figures on stunting, the pre-merger list of communes in
ethnic-minority and mountainous areas), so that maps look plausible, but every commune value is invented.

Two layers:

* reference loading (file I/O): :func:`assign_regions` and :func:`load_generator_input` read the
  reference data (``../shared/data``) and ``data/regions.csv``;
* the generator (pure): :func:`generate_illustrative` turns a plain commune table into counts.

Model in brief (all randomness from one ``numpy.random.Generator(PCG64(seed))`` after sorting by code):
each commune gets an illustrative ethnic-minority-area flag (probability from its dominant pre-2025
province and unit type), an under-5 population share, and a stunting log-odds made of a regional
intercept + a fixed effect for the poorest mountain provinces + a random effect per pre-2025 province +
a persistent commune effect + a small commune-year effect + a slow downward trend. Counts are binomial
draws, so small communes are noisier. Underweight shares the stunting log-odds (shifted). The other
indicators load on a "disadvantage" score derived from the same commune log-odds, so a commune that is
poor on nutrition tends to be poor on the rest too. Model v2 adds, from a second random stream (so the
v1 values do not change), two rare-event rates (children hit by a disaster and helped promptly; children
found abused and given support): most commune-years have no such child and are stored as 0 of 0 (value
NaN: not applicable, never 0 % or 100 %); and three context rates without targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.random import PCG64, Generator

from geo.config import registry_dir
from geo.indicators.registry import Registry, load_registry
from geo.reference.communes import COMMUNE_TYPES, read_attributes, read_communes
from geo.reference.crosswalk_links import FULL, read_links
from geo.reference.old_units import read_old_units
from geo.text.catalogue import error
from geo.text.fold import nfc

MODEL_VERSION = 2

REGION_IDS: tuple[str, ...] = (
    "northern_midlands_mountains",
    "red_river_delta",
    "north_central_coast",
    "central_highlands",
    "southeast",
    "mekong_delta",
)

#: Indicators the model draws counts for; their measure (rate/share/yes_no) and order come from the
#: registry (data/indicators.csv), see :func:`indicator_kinds`.
MODELLED: frozenset[str] = frozenset({
    "underweight_u5", "stunting_u5", "play_point", "child_friendly_commune", "birth_registration_u5",
    "preschool_age5", "primary_completion", "lower_secondary_graduation", "school_sanitation",
    "school_psych_support", "participation_awareness", "child_participation_11plus",
    # model v2 (own random stream, so the indicators above keep their v1 values):
    "disaster_relief", "abuse_intervention", "children_special_circumstances", "children_poor_households",
    "child_injury",
})
#: Rare events: most commune-years have nobody to count, stored as 0 of 0 (not applicable, value NaN).
EVENT_INDICATORS: tuple[str, ...] = ("disaster_relief", "abuse_intervention")

INPUT_COLUMNS: tuple[str, ...] = ("code", "province_code", "commune_type", "population", "region", "border")
VALUE_COLUMNS: tuple[str, ...] = ("code", "year", "indicator", "numerator", "denominator", "value")
ATTRIBUTE_COLUMNS: tuple[str, ...] = ("code", "region", "em_area", "under5")

DATASET_NAME = "Dữ liệu minh họa / Illustrative data"

# --------------------------------------------------------------------------------------------------
# Model parameters (illustrative; tuned so that aggregates match the anchors listed in ``meta``).
# --------------------------------------------------------------------------------------------------

#: Probability that a rural commune (xã) of a pre-2025 province is flagged as an ethnic-minority area.
#: Rough shape of Decision 861/QĐ-TTg (3,434 of 10,047 pre-merger communes, 51 provinces); not the list.
_EM_INTENSITY: dict[str, float] = {
    # Northern midlands and mountains
    "02": 1.0, "04": 1.0, "06": 1.0, "08": 0.92, "10": 0.95, "11": 1.0, "12": 1.0, "14": 1.0,
    "15": 0.88, "17": 0.95, "19": 0.55, "20": 1.0, "24": 0.5, "25": 0.45,
    # Red River Delta
    "01": 0.03, "22": 0.4, "26": 0.1, "27": 0.0, "30": 0.0, "31": 0.0, "33": 0.0, "34": 0.0,
    "35": 0.0, "36": 0.0, "37": 0.1,
    # North Central and Central coastal areas
    "38": 0.4, "40": 0.4, "42": 0.12, "44": 0.25, "45": 0.3, "46": 0.22, "48": 0.05, "49": 0.42,
    "51": 0.38, "52": 0.2, "54": 0.22, "56": 0.28, "58": 0.5, "60": 0.22,
    # Central Highlands
    "62": 0.95, "64": 0.88, "66": 0.8, "67": 0.88, "68": 0.78,
    # Southeast
    "70": 0.6, "72": 0.12, "74": 0.03, "75": 0.15, "77": 0.12, "79": 0.0,
    # Mekong River Delta
    "80": 0.0, "82": 0.0, "83": 0.0, "84": 0.5, "86": 0.12, "87": 0.0, "89": 0.22, "91": 0.3,
    "92": 0.05, "93": 0.2, "94": 0.65, "95": 0.3, "96": 0.08,
}
_EM_REGION_DEFAULT: dict[str, float] = {
    "northern_midlands_mountains": 0.85, "red_river_delta": 0.05, "north_central_coast": 0.3,
    "central_highlands": 0.85, "southeast": 0.15, "mekong_delta": 0.2,
}
_EM_TYPE_FACTOR: dict[str, float] = {"xa": 1.0, "phuong": 0.06, "dac_khu": 0.4}

#: Under-5 share of the total population.
_U5_BASE_SHARE = 0.0735
_U5_REGION_FACTOR: dict[str, float] = {
    "northern_midlands_mountains": 1.17, "red_river_delta": 1.0, "north_central_coast": 1.04,
    "central_highlands": 1.2, "southeast": 0.9, "mekong_delta": 0.88,
}
_U5_TYPE_FACTOR: dict[str, float] = {"xa": 1.03, "phuong": 0.9, "dac_khu": 0.95}
_U5_EM_FACTOR = 1.08
_U5_DECLINE_PER_YEAR = 0.015  # earlier years had slightly more under-5s (falling births)

#: Stunting log-odds intercept per region (non-EM rural commune, middle year, before other effects).
_STUNT_REGION_LOGIT: dict[str, float] = {
    "northern_midlands_mountains": -1.42,
    "red_river_delta": -1.57,
    "north_central_coast": -1.38,
    "central_highlands": -0.95,
    "southeast": -1.64,
    "mekong_delta": -1.54,
}
#: Fixed effects of pre-2025 provinces (log-odds): poorest mountain provinces up, midland ones down.
_STUNT_PROVINCE_LOGIT: dict[str, float] = {
    "02": 0.62, "04": 0.55, "10": 0.55, "11": 0.58, "12": 0.62, "14": 0.6,
    "15": 0.15, "06": 0.2, "20": 0.1,
    "19": -0.3, "24": -0.3, "25": -0.25,
    "62": 0.12, "64": 0.08,
    "01": -0.1, "79": -0.1,
}
_STUNT_EM_LOGIT = 0.38
_STUNT_TYPE_LOGIT: dict[str, float] = {"xa": 0.0, "phuong": -0.32, "dac_khu": -0.1}
_STUNT_BORDER_LOGIT = 0.08
_STUNT_TREND_PER_YEAR = -0.03  # ≈ -0.4 to -0.5 points a year around 20 %
_STUNT_PROVINCE_SD = 0.1
_STUNT_COMMUNE_SD = 0.22
_STUNT_YEAR_SD = 0.06
_UNDERWEIGHT_SHIFT = -0.65
_UNDERWEIGHT_COMMUNE_SD = 0.12
_MID_YEAR = 2023

#: Other rates/shares: (log-odds in 2021 for an average commune, trend per year, loading on the
#: disadvantage score (sd 1), commune sd, commune-year sd).
_OTHER_PARAMS: dict[str, tuple[float, float, float, float, float]] = {
    "birth_registration_u5": (4.0, 0.10, -0.55, 0.35, 0.10),
    "preschool_age5": (4.3, 0.09, -0.5, 0.35, 0.10),
    "primary_completion": (3.45, 0.08, -0.45, 0.3, 0.08),
    "lower_secondary_graduation": (2.65, 0.07, -0.38, 0.28, 0.08),
    "school_sanitation": (1.5, 0.1, -0.35, 0.35, 0.05),
    "school_psych_support": (-0.5, 0.26, -0.3, 0.35, 0.08),
    "participation_awareness": (0.65, 0.12, -0.3, 0.3, 0.08),
    "child_participation_11plus": (-0.6, 0.13, -0.3, 0.35, 0.1),
}
#: Yes/no adoption curves: (log-odds in 2021, per year, loading on disadvantage, ward bonus).
_PLAY_POINT = (-0.02, 0.16, -0.55, 0.5)
_CHILD_FRIENDLY = (1.15, 0.14, -0.4, 0.2)
_CHILD_FRIENDLY_FLIP = 0.02  # yearly chance that recognition status differs from the trend curve
_MISSING_AT_RANDOM = 0.015
#: v2 indicators. Children under 16 ≈ 3.1 x under-5s. Disasters: yearly chance that a commune is hit,
#: by region (storms and floods on the central coast and in the mountains), share of its children
#: affected; abuse: detected cases per child per year. Help given: log-odds (2021, per year, loading).
_U16_PER_U5 = 3.1
_DISASTER_P: dict[str, float] = {
    "northern_midlands_mountains": 0.12, "red_river_delta": 0.05, "north_central_coast": 0.2,
    "central_highlands": 0.07, "southeast": 0.03, "mekong_delta": 0.08,
}
_DISASTER_AFFECTED = (0.01, 0.25)
_DISASTER_HELP = (2.2, 0.2, -0.35)
_ABUSE_RATE = 0.0001  # ~2,000 detected cases a year nationally (order of magnitude)
_ABUSE_HELP = (1.6, 0.25, -0.3)
#: Context rates: (log-odds, loading on disadvantage, ethnic-minority-area shift).
_CONTEXT_PARAMS: dict[str, tuple[float, float, float]] = {
    "children_special_circumstances": (-3.7, 0.3, 0.3),
    "children_poor_households": (-2.4, 0.6, 0.9),
    "child_injury": (-5.2, 0.2, 0.2),
}

_DESCRIPTION_VI = (
    "Đây là dữ liệu MINH HỌA do máy tính tạo ra theo một mô hình ngẫu nhiên có hạt giống cố định, "
    "không phải số liệu thống kê chính thức và không được dùng để đánh giá bất kỳ xã, phường nào. "
    "Mức chung được hiệu chỉnh theo một số mốc đã công bố: tỷ lệ suy dinh dưỡng thấp còi trẻ dưới 5 tuổi "
    "toàn quốc 19,6% (2019–2020); theo vùng năm 2018: Tây Nguyên 32,7%, Trung du và miền núi phía Bắc "
    "25,4%, Đồng bằng sông Hồng 20,4%, Đông Nam Bộ 16,8%, một số tỉnh miền núi phía Bắc 35–41%; trẻ dân "
    "tộc Kinh 17,5% so với 31,4% ở trẻ các dân tộc khác (2015) (Viện Dinh dưỡng Quốc gia); khoảng một phần "
    "ba số xã thuộc vùng dân tộc thiểu số và miền núi (3.434/10.047 xã trước sáp nhập). Cờ vùng dân tộc "
    "thiểu số ở đây cũng chỉ là minh họa. Số đếm được rút ngẫu nhiên nên xã nhỏ dao động nhiều hơn; "
    "khoảng 1,5% giá trị được để trống để minh họa ô \u201ckhông có số liệu\u201d."
)
_DESCRIPTION_EN = (
    "This is ILLUSTRATIVE data generated by a seeded random model. It is not official statistics and "
    "must not be used to assess any commune or ward. Overall levels were tuned to a few published "
    "anchors: national under-5 stunting 19.6% (2019-2020); by region in 2018: Central Highlands 32.7%, "
    "Northern midlands and mountains 25.4%, Red River Delta 20.4%, Southeast 16.8%, some northern mountain "
    "provinces 35-41%; 17.5% among Kinh children vs 31.4% among other ethnic groups (2015) (National "
    "Institute of Nutrition); about one third of communes in ethnic-minority and mountainous areas "
    "(3,434 of 10,047 before the merger). The ethnic-minority-area flag is itself illustrative. Counts are "
    "random draws, so small communes vary more; about 1.5% of values are left blank to show \"no data\"."
)


@dataclass(frozen=True, eq=False)
class IllustrativeDataset:
    """The generated data: long ``values``, per-commune ``attributes`` and descriptive ``meta``."""

    values: pd.DataFrame
    attributes: pd.DataFrame
    meta: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Reference loading (file I/O)
# --------------------------------------------------------------------------------------------------


def indicator_kinds(registry: Registry | None = None) -> dict[str, str]:
    """Indicator id -> measure, in the registry's order; every registry indicator must be modelled here.

    An indicator added to data/indicators.csv without model parameters is refused rather than left out
    silently, so the illustrative set always covers what the app shows.
    """
    registry = registry if registry is not None else load_registry()
    kinds = {i: str(registry.indicator(i)["measure"]) for i in registry.indicator_ids()}
    unmodelled = sorted(set(kinds) - MODELLED)
    if unmodelled:
        raise error("err.illustrative.unmodelled", indicators=unmodelled)
    return kinds


def load_regions(path: Path | None = None) -> pd.DataFrame:
    """``data/regions.csv``: the 63 pre-2025 provinces and their socio-economic region (GSO)."""
    path = Path(path) if path is not None else registry_dir() / "regions.csv"
    if not path.exists():
        raise error("err.illustrative.regions_missing", path=path)
    regions = pd.read_csv(path, dtype=str, encoding="utf-8")
    unknown = sorted(set(regions["region"]) - set(REGION_IDS))
    if unknown:
        raise error("err.illustrative.regions_unknown", regions=unknown, valid=list(REGION_IDS))
    return regions


def _old_unit_province(reference_dir: Path) -> dict[str, str]:
    """Pre-2025 commune code (5 digits) and district code (3 digits) -> pre-2025 province code."""
    units = read_old_units(reference_dir)
    out = dict(zip(units["district_code"], units["province_code"], strict=True))
    out.update(zip(units["old_code"], units["province_code"], strict=True))
    return out


def dominant_old_province(reference_dir: Path) -> pd.Series:
    """For every new commune, the pre-2025 province that contributed most of its old units.

    Counts the old communes listed in ``crosswalk_2025/merges.json`` (full and partial alike) by their
    pre-2025 province; ties go to the province with more fully merged units, then to the province of the
    old commune that kept the new commune's code, then to the lower code. New communes whose code is not
    in the crosswalk (two codes differ between the sources) are matched by name within the province;
    anything left falls back to the pre-2025 province with the new province's code.
    Index: new commune code; values: 2-digit pre-2025 province code.
    """
    reference_dir = Path(reference_dir)
    old_prov = _old_unit_province(reference_dir)
    links = read_links(reference_dir)
    communes = read_communes(reference_dir)

    names = {(p, n.casefold()): c for c, n, p in links[["new_code", "new_name", "new_province_code"]].itertuples(
        index=False)}
    parts = links[links["old_code"].isin(old_prov.keys())].rename(
        columns={"old_code": "old_id", "part": "type", "new_province_code": "new_province"})
    parts = parts.assign(old_province=parts["old_id"].map(old_prov))
    parts["n_full"] = (parts["type"] == FULL).astype(int)
    parts["same_code"] = (parts["old_id"] == parts["new_code"]).astype(int)
    grouped = (
        parts.groupby(["new_code", "old_province"], sort=True)
        .agg(n=("old_id", "size"), n_full=("n_full", "sum"), same_code=("same_code", "max"))
        .reset_index()
        .sort_values(["new_code", "n", "n_full", "same_code", "old_province"],
                     ascending=[True, False, False, False, True], kind="mergesort")
        .drop_duplicates("new_code")
    )
    by_crosswalk = dict(zip(grouped["new_code"], grouped["old_province"], strict=True))

    result: dict[str, str] = {}
    for code, full_name, pcode in communes[["code", "full_name", "province_code"]].itertuples(index=False):
        if code in by_crosswalk:
            result[code] = by_crosswalk[code]
            continue
        alias = names.get((pcode, nfc(full_name).strip().casefold()))
        result[code] = by_crosswalk.get(alias, pcode) if alias else pcode
    return pd.Series(result, name="old_province_code", dtype=str).rename_axis("code").sort_index()


def assign_regions(reference_dir: Path, regions_path: Path | None = None) -> pd.Series:
    """Region id of every new commune: the region of its dominant pre-2025 province.

    New provinces that straddle regions (e.g. Lâm Đồng = Lâm Đồng + Đắk Nông + Bình Thuận) thereby get
    per-commune regions. Index: new commune code; values: region id (see ``REGION_IDS``).
    """
    regions = load_regions(regions_path)
    lookup = dict(zip(regions["old_province_code"], regions["region"], strict=True))
    dominant = dominant_old_province(reference_dir)
    mapped = dominant.map(lookup)
    if mapped.isna().any():
        raise error("err.illustrative.regions_incomplete", provinces=sorted(dominant[mapped.isna()].unique()))
    return mapped.astype(str).rename("region")


def load_generator_input(reference_dir: Path, regions_path: Path | None = None) -> pd.DataFrame:
    """The generator's input built from the reference files, one row per new commune, sorted by code.

    Columns: ``code``, ``province_code``, ``commune_type``, ``population`` (float, NaN where missing),
    ``region``, ``border`` (False placeholder: the app overwrites it with the real flag) and
    ``old_province_code`` (dominant pre-2025 province; optional for the generator).
    """
    reference_dir = Path(reference_dir)
    communes = read_communes(reference_dir)
    population = read_attributes(reference_dir).set_index("code")["population"].astype(float)

    regions = assign_regions(reference_dir, regions_path)
    dominant = dominant_old_province(reference_dir)
    frame = pd.DataFrame({
        "code": communes["code"].astype(str),
        "province_code": communes["province_code"].astype(str),
        "commune_type": communes["commune_type"].astype(str),
    })
    frame["population"] = frame["code"].map(population).astype(float)
    frame["region"] = frame["code"].map(regions).astype(str)
    frame["border"] = False
    frame["old_province_code"] = frame["code"].map(dominant).astype(str)
    return frame.sort_values("code", kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Generator (pure)
# --------------------------------------------------------------------------------------------------


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _check_input(communes: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in INPUT_COLUMNS if c not in communes.columns]
    if missing:
        raise error("err.illustrative.columns", columns=missing, required=list(INPUT_COLUMNS))
    frame = communes.copy()
    frame["code"] = frame["code"].astype(str)
    frame["province_code"] = frame["province_code"].astype(str)
    if frame["code"].duplicated().any():
        dup = sorted(frame.loc[frame["code"].duplicated(), "code"].unique())[:5]
        raise error("err.illustrative.duplicate_codes", codes=dup)
    bad_region = sorted(set(frame["region"].astype(str)) - set(REGION_IDS))
    bad_type = sorted(set(frame["commune_type"].astype(str)) - set(COMMUNE_TYPES))
    if bad_region or bad_type:
        raise error("err.illustrative.unknown_values", regions=bad_region, types=bad_type,
                    valid_regions=list(REGION_IDS), valid_types=list(COMMUNE_TYPES))
    if "old_province_code" not in frame.columns:
        frame["old_province_code"] = frame["province_code"]
    frame["old_province_code"] = frame["old_province_code"].astype(str)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").astype(float)
    frame["border"] = frame["border"].fillna(False).astype(bool)
    return frame.sort_values("code", kind="mergesort").reset_index(drop=True)


def generate_illustrative(
    communes: pd.DataFrame, *, seed: int = 2025, years: Iterable[int] = range(2021, 2026),
    kinds: Mapping[str, str] | None = None,
) -> IllustrativeDataset:
    """Generate the illustrative data set for ``communes`` (see module docstring).

    ``communes`` needs ``code``, ``province_code``, ``commune_type`` (xa/phuong/dac_khu), ``population``
    (may be NaN), ``region`` (see ``REGION_IDS``) and ``border``; an optional ``old_province_code``
    (dominant pre-2025 province, from :func:`load_generator_input`) sharpens province effects and
    defaults to ``province_code``. ``kinds`` (indicator id -> measure, in output order) defaults to
    :func:`indicator_kinds` (the registry). The result depends only on the rows' content, ``seed`` and
    ``kinds``, not on the rows' order. Pure apart from reading the registry when ``kinds`` is not given.
    """
    frame = _check_input(communes)
    measures = dict(kinds) if kinds is not None else indicator_kinds()
    if set(measures) - MODELLED:
        raise error("err.illustrative.unmodelled", indicators=sorted(set(measures) - MODELLED))
    indicators = tuple(measures)
    year_arr = np.array(sorted({int(y) for y in years}), dtype=np.int64)
    if year_arr.size == 0:
        raise error("err.illustrative.no_years")
    rng = Generator(PCG64(seed))
    n, n_years = len(frame), year_arr.size

    region = frame["region"].astype(str).to_numpy()
    ctype = frame["commune_type"].astype(str).to_numpy()
    old_prov = frame["old_province_code"].to_numpy()
    population = frame["population"].to_numpy(dtype=float)
    has_pop = np.isfinite(population) & (population > 0)
    border = frame["border"].to_numpy(dtype=bool)
    is_ward = ctype == "phuong"

    # --- ethnic-minority-area flag ---------------------------------------------------------------
    intensity = np.array([
        _EM_INTENSITY.get(p, _EM_REGION_DEFAULT[r]) for p, r in zip(old_prov, region, strict=True)
    ])
    p_em = intensity * np.array([_EM_TYPE_FACTOR[t] for t in ctype])
    p_em = np.where(border & (ctype == "xa"), np.minimum(1.0, p_em + 0.15), p_em)
    em_area = rng.random(n) < p_em

    # --- under-5 population ----------------------------------------------------------------------
    share = (
        _U5_BASE_SHARE
        * np.array([_U5_REGION_FACTOR[r] for r in region])
        * np.array([_U5_TYPE_FACTOR[t] for t in ctype])
        * np.where(em_area, _U5_EM_FACTOR, 1.0)
        * np.exp(rng.normal(0.0, 0.07, n))
    )
    under5_2025 = np.where(has_pop, np.rint(np.nan_to_num(population) * share), 0).astype(np.int64)
    growth = 1.0 + _U5_DECLINE_PER_YEAR * (2025 - year_arr)  # shape (years,)
    under5 = np.rint(under5_2025[:, None] * growth[None, :]).astype(np.int64)  # (n, years)

    # --- stunting log-odds -------------------------------------------------------------------------
    provinces = np.array(sorted(set(old_prov)))
    prov_effect = dict(zip(provinces, rng.normal(0.0, _STUNT_PROVINCE_SD, provinces.size), strict=True))
    commune_logit = (
        np.array([_STUNT_REGION_LOGIT[r] for r in region])
        + np.array([_STUNT_PROVINCE_LOGIT.get(p, 0.0) + prov_effect[p] for p in old_prov])
        + np.array([_STUNT_TYPE_LOGIT[t] for t in ctype])
        + _STUNT_EM_LOGIT * em_area
        + _STUNT_BORDER_LOGIT * border
        + rng.normal(0.0, _STUNT_COMMUNE_SD, n)
    )
    # Disadvantage score used by the other indicators: standardised against fixed constants (not
    # the sample), so a commune's score does not depend on which other communes are in the frame.
    disadvantage = (commune_logit - (-1.45)) / 0.4
    t_mid = (year_arr - _MID_YEAR)[None, :]
    stunt_logit = (
        commune_logit[:, None]
        + _STUNT_TREND_PER_YEAR * t_mid
        + rng.normal(0.0, _STUNT_YEAR_SD, (n, n_years))
    )
    uw_logit = (
        stunt_logit
        + _UNDERWEIGHT_SHIFT
        + rng.normal(0.0, _UNDERWEIGHT_COMMUNE_SD, n)[:, None]
        + rng.normal(0.0, _STUNT_YEAR_SD, (n, n_years))
    )

    weighed = rng.binomial(under5, rng.uniform(0.88, 0.985, (n, n_years)))
    measured = rng.binomial(weighed, rng.uniform(0.965, 1.0, (n, n_years)))
    counts: dict[str, tuple[np.ndarray, np.ndarray]] = {
        "underweight_u5": (rng.binomial(weighed, _expit(uw_logit)), weighed),
        "stunting_u5": (rng.binomial(measured, _expit(stunt_logit)), measured),
    }

    # --- other rates and school shares -------------------------------------------------------------
    cohort = under5 / 5.0  # one single-year cohort
    size_noise = np.exp(rng.normal(0.0, 0.05, (n, 4)))
    surveyed_frac = rng.uniform(0.05, 0.15, (n, n_years))
    denominators: dict[str, np.ndarray] = {
        "birth_registration_u5": under5,
        "preschool_age5": np.rint(cohort * size_noise[:, [0]]).astype(np.int64),
        "primary_completion": np.rint(cohort * 1.1 * size_noise[:, [1]]).astype(np.int64),
        "lower_secondary_graduation": np.rint(cohort * 1.05 * size_noise[:, [2]]).astype(np.int64),
        "participation_awareness": np.where(
            under5 > 0, np.clip(np.rint(cohort * 10.0 * surveyed_frac), 20, 600), 0
        ).astype(np.int64),
        "child_participation_11plus": np.rint(cohort * 5.0 * 1.08 * size_noise[:, [3]]).astype(np.int64),
    }
    schools = np.where(
        has_pop,
        np.clip(np.rint(np.nan_to_num(population) / 3500.0 * np.exp(rng.normal(0.0, 0.25, n))), 1, 12),
        rng.integers(2, 7, n),
    ).astype(np.int64)
    school_den = np.repeat(schools[:, None], n_years, axis=1)
    denominators["school_sanitation"] = school_den
    denominators["school_psych_support"] = school_den
    t_start = (year_arr - 2021)[None, :]
    for ind, (a, slope, load, sd_c, sd_cy) in _OTHER_PARAMS.items():
        logit = (
            a + slope * t_start + load * disadvantage[:, None]
            + rng.normal(0.0, sd_c, n)[:, None] + rng.normal(0.0, sd_cy, (n, n_years))
        )
        den = denominators[ind]
        counts[ind] = (rng.binomial(den, _expit(logit)), den)

    # --- yes/no: latent adoption thresholds (play point never lost once gained) -------------------
    ward_bonus = is_ward.astype(float)
    a, slope, load, bonus = _PLAY_POINT
    curve = _expit(a + slope * t_start + load * disadvantage[:, None] + bonus * ward_bonus[:, None])
    curve = np.maximum.accumulate(curve, axis=1)
    play = (rng.random(n)[:, None] < curve).astype(np.int64)
    a, slope, load, bonus = _CHILD_FRIENDLY
    curve = _expit(a + slope * t_start + load * disadvantage[:, None] + bonus * ward_bonus[:, None])
    friendly = rng.random(n)[:, None] < curve
    flip = rng.random((n, n_years)) < _CHILD_FRIENDLY_FLIP
    friendly = (friendly ^ flip).astype(np.int64)
    ones = np.ones((n, n_years), dtype=np.int64)
    counts["play_point"] = (play, ones)
    counts["child_friendly_commune"] = (friendly, ones)

    # --- v2: rare events and context rates, from their own stream (v1 draws are unchanged) -------------
    rng2 = Generator(PCG64([seed, MODEL_VERSION]))
    u16 = np.rint(under5 * _U16_PER_U5 * np.exp(rng2.normal(0.0, 0.05, n))[:, None]).astype(np.int64)
    hit = rng2.random((n, n_years)) < np.array([_DISASTER_P[r] for r in region])[:, None]
    affected = np.where(hit, rng2.binomial(u16, rng2.uniform(*_DISASTER_AFFECTED, (n, n_years))), 0)
    detected = rng2.poisson(u16 * _ABUSE_RATE)
    for ind, den, (a, slope, load) in (("disaster_relief", affected, _DISASTER_HELP),
                                        ("abuse_intervention", detected, _ABUSE_HELP)):
        logit = a + slope * t_start + load * disadvantage[:, None] + rng2.normal(0.0, 0.4, n)[:, None]
        counts[ind] = (rng2.binomial(den, _expit(logit)), den.astype(np.int64))
    for ind, (a, load, em_shift) in _CONTEXT_PARAMS.items():
        logit = (a + load * disadvantage[:, None] + em_shift * em_area[:, None]
                 + rng2.normal(0.0, 0.3, n)[:, None] + rng2.normal(0.0, 0.05, (n, n_years)))
        counts[ind] = (rng2.binomial(u16, _expit(logit)), u16)

    # --- assemble the long table ---------------------------------------------------------------------
    # (one draw for all indicators in registry order: the v1 indicators come first, so their slices are
    # the ones model v1 drew)
    missing = rng.random((len(indicators), n, n_years)) < _MISSING_AT_RANDOM
    codes = frame["code"].to_numpy(dtype=object)
    parts = []
    for k, ind in enumerate(indicators):
        num, den = counts[ind]
        keep = ~missing[k] & ((den > 0) | (ind in EVENT_INDICATORS))
        if measures[ind] == "rate":
            keep &= has_pop[:, None]
        rows, cols = np.nonzero(keep)
        parts.append((rows, cols, np.full(rows.size, k), num[rows, cols], den[rows, cols]))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    kinds = np.concatenate([p[2] for p in parts])
    order = np.lexsort((kinds, cols, rows))  # code, year, indicator (declared order)
    rows, cols, kinds = rows[order], cols[order], kinds[order]
    num = np.concatenate([p[3] for p in parts])[order].astype(float)
    den = np.concatenate([p[4] for p in parts])[order].astype(float)
    values = pd.DataFrame({
        "code": pd.array(codes[rows], dtype="str"),
        "year": year_arr[cols].astype(np.int64),
        "indicator": pd.array(np.array(indicators, dtype=object)[kinds], dtype="str"),
        "numerator": num,
        "denominator": den,
        "value": np.divide(100.0 * num, den, out=np.full(num.size, np.nan), where=den > 0),
    })

    attributes = pd.DataFrame({
        "code": pd.array(codes, dtype="str"),
        "region": pd.array(region.astype(object), dtype="str"),
        "em_area": em_area.astype(bool),
        "under5": pd.array(np.where(has_pop, under5_2025, 0), dtype="Int64"),
    })
    attributes.loc[~has_pop, "under5"] = pd.NA

    meta = {
        "name": DATASET_NAME,
        "seed": int(seed),
        "generated_by": f"geo.synthetic.illustrative.generate_illustrative (model v{MODEL_VERSION})",
        "model_version": MODEL_VERSION,
        "years": [int(y) for y in year_arr],
        "indicator_kinds": dict(measures),
        "n_communes": int(n),
        "description_vi": _DESCRIPTION_VI,
        "description_en": _DESCRIPTION_EN,
    }
    return IllustrativeDataset(values=values, attributes=attributes, meta=meta)


def illustrative_for(reference_dir, communes: pd.DataFrame, registry: Registry | None = None) -> IllustrativeDataset:
    """The built-in dataset for the app's commune layer (its border flags and unit types): pages and CLI alike.

    ``registry``: the caller's, when it has one (reading and validating the files again costs seconds)."""
    frame = load_generator_input(reference_dir)
    flags = communes.set_index("code")[["border", "commune_type"]]
    frame = frame.drop(columns=["border", "commune_type"], errors="ignore").join(flags, on="code")
    return generate_illustrative(frame, kinds=indicator_kinds(registry))
