"""Carry data reported for the communes before 1 July 2025 onto the 3,321 communes in force since.

Most old communes went whole into one new commune; 460 were split across several. Counts
(numerators, denominators) of old communes are summed into their new commune. A split old commune's
counts are ALLOCATED to its receivers in proportion to the receivers' population, because the only
population figures we have are those of the NEW communes (``vn2025/commune_attributes.csv``): nobody
published how many people of the old commune went to each part, so the new communes' sizes are the
best available proxy. Allocated counts are not rounded, so totals are preserved, and every result
that rests on them is flagged ``allocated``.

Yes/no indicators cannot be summed: ``data/crosswalk_rules.csv`` says per indicator whether the new
commune has it when ANY of its old parts had it (facilities such as a play point) or only when ALL of
them had it (standards such as the child-friendly commune). A split old commune passes its yes/no
value to each receiver (flagged ``allocated``).

Coverage of each result (new commune, year, indicator), worst first:

* ``partial``: some of the new commune's old parts did not report; the value describes only those that did;
* ``allocated``: all parts reported but at least one was split, so the value rests on allocated counts;
* ``complete``: every old part reported and none was split.

Source of the crosswalk: ``crosswalk_2025/`` (splits.json old → new, merges.json new → old, each part
``full`` or ``partial``) in the reference data; see its README.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.config import registry_dir
from geo.errors import DataError

SPLITS_FILE = "crosswalk_2025/splits.json"
MERGES_FILE = "crosswalk_2025/merges.json"
OLD_UNITS_FILE = "vn_pre2025/units_20250301.json"
COMMUNES_FILE = "vn2025/communes.parquet"
ATTRIBUTES_FILE = "vn2025/commune_attributes.csv"
PROVINCES_FILE = "vn2025/provinces.csv"
RULES_FILE = "crosswalk_rules.csv"

FULL, PARTIAL = "full", "partial"
ANY, ALL = "any", "all"
COMPLETE, PARTIAL_COVERAGE, ALLOCATED = "complete", "partial", "allocated"
COVERAGE_ORDER = (PARTIAL_COVERAGE, ALLOCATED, COMPLETE)  # worst first
SOURCE_2025, SOURCE_CROSSWALK = "2025", "crosswalk"
COMMUNE_LEVEL, DISTRICT_LEVEL = "commune", "district"

# Reasons an old row did not reach a new commune (CarryResult.skipped["reason"]).
NOT_IN_CROSSWALK = "not_in_crosswalk"
RATE_WITHOUT_COUNTS = "rate_without_counts"
ALSO_REPORTED_2025 = "also_reported_with_2025_code"

VALUE_COLUMNS = ("code", "year", "indicator", "numerator", "denominator", "value")
RESULT_COLUMNS = (*VALUE_COLUMNS, "coverage", "parts_expected", "parts_reported", "source")


@dataclass(frozen=True, eq=False)
class Crosswalk:
    """Tidy crosswalk tables (treat as read-only).

    ``links``: old_code, new_code, part (full/partial), receivers (new communes the old one went to),
    weight (its share of the old commune's counts). ``old_units``: old_code, name, full_name, unit_type,
    level (commune, or district for the 5 island districts that had no communes), district_code,
    district_name, province_code, province_name. ``new_units``: code, name, full_name, province_code,
    province_name, province_full_name, population. ``rules``: indicator, combine (any/all), note_vi,
    note_en. ``recoded``: crosswalk code → code used by the boundary files where the two sources differ.
    """

    links: pd.DataFrame
    old_units: pd.DataFrame
    new_units: pd.DataFrame
    rules: pd.DataFrame
    recoded: dict[str, str] = field(default_factory=dict)

    def count_parts(self) -> pd.Series:
        """Number of old parts (full or partial) of each new commune; index new code."""
        return self.links.groupby("new_code")["old_code"].nunique().rename("parts_expected")


@dataclass(frozen=True, eq=False)
class CarryResult:
    """Old rows carried to 2025 communes.

    ``values``: RESULT_COLUMNS, one row per new commune, year and indicator. ``coverage``: code, year,
    coverage (the worst over the commune's indicators that year). ``skipped``: old_code, new_code (NA when
    unknown), year, indicator, reason, source_row: old rows (or their share for one new commune) that
    reached no result, and why.
    """

    values: pd.DataFrame
    coverage: pd.DataFrame
    skipped: pd.DataFrame


# --- Loading ---------------------------------------------------------------------------------------


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text)).strip()


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise DataError(
            f"Không tìm thấy tệp bảng chuyển đổi {path}.",
            f"Crosswalk file {path} is missing.",
            "Kiểm tra thư mục dữ liệu tham chiếu (biến môi trường VNCHILD_DATA_DIR).",
            "Check the reference data folder (environment variable VNCHILD_DATA_DIR).",
        )
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise DataError(
            f"Không đọc được tệp {path.name}.",
            f"Could not read {path.name} ({type(exc).__name__}: {exc}).",
            "Chép lại tệp gốc của dữ liệu tham chiếu.",
            "Copy the original reference file again.",
        ) from None


def _strip_type(full_name: str, unit_type: str) -> str:
    """'Phường Trúc Bạch' with type 'Phường' → 'Trúc Bạch' (names are matched without the unit type)."""
    if unit_type and full_name.casefold().startswith(unit_type.casefold() + " "):
        return full_name[len(unit_type) + 1 :].strip()
    return full_name


def read_old_units(reference_dir: str | Path) -> pd.DataFrame:
    """The 10,047 communes of 1 March 2025 plus the 5 island districts that had no communes."""
    units = _read_json(Path(reference_dir) / OLD_UNITS_FILE)
    rows = []
    for prov in units["data"]:
        for dist in prov.get("level2s", []):
            level3s = dist.get("level3s", [])
            if not level3s:  # island districts (Bạch Long Vĩ, Côn Đảo, …) are units of their own
                level3s = [{"level3_id": dist["level2_id"], "name": dist["name"], "type": dist.get("type", "")}]
                level = DISTRICT_LEVEL
            else:
                level = COMMUNE_LEVEL
            for unit in level3s:
                full, kind = _nfc(unit["name"]), _nfc(unit.get("type", ""))
                rows.append((str(unit["level3_id"]), _strip_type(full, kind), full, kind, level,
                             str(dist["level2_id"]), _nfc(dist["name"]), str(prov["level1_id"]), _nfc(prov["name"])))
    cols = ["old_code", "name", "full_name", "unit_type", "level", "district_code", "district_name",
            "province_code", "province_name"]
    return pd.DataFrame(rows, columns=cols)


def read_new_units(reference_dir: str | Path) -> pd.DataFrame:
    """The 3,321 communes of 2025 without geometry: names, province and population (for allocation)."""
    ref = Path(reference_dir)
    for rel in (COMMUNES_FILE, ATTRIBUTES_FILE, PROVINCES_FILE):
        if not (ref / rel).is_file():
            raise DataError(
                f"Không tìm thấy tệp dữ liệu tham chiếu {ref / rel}.",
                f"Reference data file {ref / rel} is missing.",
                "Kiểm tra thư mục dữ liệu tham chiếu (biến môi trường VNCHILD_DATA_DIR).",
                "Check the reference data folder (environment variable VNCHILD_DATA_DIR).",
            )
    # Only attribute columns: the geometry column is never decoded.
    communes = pd.read_parquet(ref / COMMUNES_FILE, columns=["code", "name", "fullName", "province_code"])
    communes = communes.rename(columns={"fullName": "full_name"})
    communes["code"] = communes["code"].astype(str).str.zfill(5)
    communes["province_code"] = communes["province_code"].astype(str).str.zfill(2)
    for col in ("name", "full_name"):
        communes[col] = communes[col].map(_nfc)
    attrs = pd.read_csv(ref / ATTRIBUTES_FILE, dtype={"code": str}, usecols=["code", "population"], encoding="utf-8")
    attrs["code"] = attrs["code"].str.zfill(5)
    provinces = pd.read_csv(ref / PROVINCES_FILE, dtype=str, encoding="utf-8")
    provinces = provinces.rename(columns={"code": "province_code", "name": "province_name",
                                          "fullName": "province_full_name", "nameEn": "province_name_en"})
    provinces["province_code"] = provinces["province_code"].str.zfill(2)
    out = communes.merge(attrs, on="code", how="left", validate="one_to_one").merge(
        provinces[["province_code", "province_name", "province_full_name", "province_name_en"]],
        on="province_code", how="left", validate="many_to_one", indicator=True,
    )
    orphans = sorted(out.loc[out["_merge"] == "left_only", "province_code"].unique())
    if orphans:
        raise DataError(
            f"Tệp {PROVINCES_FILE} thiếu tỉnh có mã {orphans}.", f"{PROVINCES_FILE} lacks provinces {orphans}.",
            "Chép lại tệp gốc của dữ liệu tham chiếu.", "Copy the original reference file again.",
        )
    out = out.drop(columns="_merge")
    out["population"] = pd.to_numeric(out["population"], errors="coerce").astype(float)
    return out.sort_values("code", ignore_index=True)


def read_links(reference_dir: str | Path) -> pd.DataFrame:
    """merges.json as tidy rows: new_code, new_name, new_province_code, old_code, part."""
    merges = _read_json(Path(reference_dir) / MERGES_FILE)
    rows = [
        (str(unit["level2_id"]), _nfc(unit["name"]), str(prov["level1_id"]), str(part["old_id"]),
         str(part.get("type", FULL)))
        for prov in merges["data"]
        for unit in prov.get("level2s", [])
        for part in unit.get("merges", [])
    ]
    return pd.DataFrame(rows, columns=["new_code", "new_name", "new_province_code", "old_code", "part"])


def load_crosswalk_rules(path: str | Path | None = None, yes_no_indicators: list[str] | None = None) -> pd.DataFrame:
    """``data/crosswalk_rules.csv``, validated; with ``yes_no_indicators`` every one must have a rule."""
    path = Path(path) if path is not None else registry_dir() / RULES_FILE
    schema = pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
            "combine": pa.Column(str, pa.Check.isin([ANY, ALL])),
            "note_vi": pa.Column(str, pa.Check.str_length(min_value=1)),
            "note_en": pa.Column(str, pa.Check.str_length(min_value=1)),
        },
        strict=True,
    )
    try:
        rules = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        rules = schema.validate(rules, lazy=True)
    except FileNotFoundError:
        raise DataError(
            f"Thiếu tệp quy tắc gộp xã {path}.", f"Missing crosswalk rules file {path}.",
            "Khôi phục data/crosswalk_rules.csv từ kho mã.", "Restore data/crosswalk_rules.csv from the repository.",
        ) from None
    except (pa.errors.SchemaErrors, ValueError, UnicodeDecodeError) as exc:
        raise DataError(
            f"Tệp quy tắc gộp xã {path.name} không hợp lệ (cột indicator, combine = any/all, note_vi, note_en).",
            f"Crosswalk rules file {path.name} is invalid: {str(exc)[:300]}",
            "Sửa tệp rồi tải lại ứng dụng.", "Fix the file and reload the app.",
        ) from None
    if yes_no_indicators is not None:
        missing = sorted(set(yes_no_indicators) - set(rules["indicator"]))
        extra = sorted(set(rules["indicator"]) - set(yes_no_indicators))
        if missing or extra:
            raise DataError(
                f"Tệp {path.name}: thiếu quy tắc cho {missing}; thừa (không phải chỉ số có/không) {extra}.",
                f"{path.name}: no rule for {missing}; rules for indicators that are not yes/no: {extra}.",
                "Mỗi chỉ số có/không cần đúng một dòng.", "Give each yes/no indicator exactly one row.",
            )
    return rules


_LINKS_SCHEMA = pa.DataFrameSchema(
    {
        "old_code": pa.Column(str, pa.Check.str_matches(r"^\d{3}(\d{2})?$")),
        "new_code": pa.Column(str, pa.Check.str_matches(r"^\d{5}$")),
        "part": pa.Column(str, pa.Check.isin([FULL, PARTIAL])),
    },
    unique=["old_code", "new_code"],
)


def build_crosswalk(
    links: pd.DataFrame,
    new_units: pd.DataFrame,
    old_units: pd.DataFrame | None = None,
    rules: pd.DataFrame | None = None,
    recoded: dict[str, str] | None = None,
) -> Crosswalk:
    """Weights from tidy links and new-commune populations (used by the loader and by tests' tiny crosswalks).

    ``links`` needs old_code, new_code and optionally part (default: full when the old commune has one
    receiver, partial otherwise); ``new_units`` needs code and population. A split old commune's weight
    for each receiver is that receiver's population over the receivers' total; when any receiver's
    population is unknown the old commune is split equally (say so rather than guess a size).
    """
    links = links.copy()
    receivers = links.groupby("old_code")["new_code"].transform("nunique").astype(int)
    if "part" not in links:
        links["part"] = np.where(receivers > 1, PARTIAL, FULL)
    try:
        links = _LINKS_SCHEMA.validate(links, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataError(
            "Bảng chuyển đổi xã cũ → xã mới không hợp lệ.", f"The old → new commune crosswalk is invalid: "
            f"{exc.failure_cases[['column', 'check', 'failure_case']].head(5).to_dict('records')}",
        ) from None
    missing = sorted(set(links["new_code"]) - set(new_units["code"]))
    if missing:
        raise DataError(
            f"Bảng chuyển đổi nhắc tới xã mới không có trong danh mục: {missing[:5]}.",
            f"The crosswalk names new communes that are not in the commune table: {missing[:5]}.",
        )
    pop = links["new_code"].map(new_units.set_index("code")["population"]).astype(float)
    unknown = pop.isna() | (pop <= 0)
    equal = unknown.groupby(links["old_code"]).transform("any")
    total = pop.groupby(links["old_code"]).transform("sum")
    links["receivers"] = receivers
    links["weight"] = np.where(receivers == 1, 1.0, np.where(equal, 1.0 / receivers, pop / total))
    if old_units is None:
        old_units = pd.DataFrame({"old_code": sorted(links["old_code"].unique())})
    if rules is None:
        rules = load_crosswalk_rules()
    cols = ["old_code", "new_code", "part", "receivers", "weight"]
    return Crosswalk(links=links[cols].reset_index(drop=True), old_units=old_units, new_units=new_units,
                     rules=rules, recoded=dict(recoded or {}))


def load_crosswalk(reference_dir: str | Path, rules_path: str | Path | None = None,
                   yes_no_indicators: list[str] | None = None) -> Crosswalk:
    """The official old → new crosswalk as tidy tables, with codes aligned to the boundary files.

    Pass the registry's yes/no indicator ids as ``yes_no_indicators`` so that one without a combination
    rule fails here rather than being summed like counts.

    Two new communes carry different codes in the crosswalk and in the boundary files (Ba Chẽ, Ia Mơ);
    they are matched by province and full name and the boundary code is used (``Crosswalk.recoded``).
    """
    reference_dir = Path(reference_dir)
    new_units = read_new_units(reference_dir)
    old_units = read_old_units(reference_dir)
    links = read_links(reference_dir)

    known = set(new_units["code"])
    by_name = {(p, n.casefold()): c for c, n, p in new_units[["code", "full_name", "province_code"]].itertuples(
        index=False)}
    recoded: dict[str, str] = {}
    for code, name, prov in links[["new_code", "new_name", "new_province_code"]].drop_duplicates().itertuples(
            index=False):
        if code not in known and (prov, name.casefold()) in by_name:
            recoded[code] = by_name[(prov, name.casefold())]
    links["new_code"] = links["new_code"].replace(recoded)

    unknown_old = sorted(set(links["old_code"]) - set(old_units["old_code"]))
    if unknown_old:
        raise DataError(
            f"Bảng chuyển đổi nhắc tới xã cũ không có trong danh mục trước 2025: {unknown_old[:5]}.",
            f"The crosswalk names old units missing from the pre-2025 list: {unknown_old[:5]}.",
        )
    rules = load_crosswalk_rules(rules_path, yes_no_indicators)
    return build_crosswalk(links[["old_code", "new_code", "part"]], new_units, old_units, rules, recoded)


# --- Carrying old rows to 2025 ---------------------------------------------------------------------

_OLD_ROWS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str),
        "year": pa.Column(int, coerce=True),
        "indicator": pa.Column(str),
        "numerator": pa.Column(float, nullable=True, coerce=True),
        "denominator": pa.Column(float, nullable=True, coerce=True),
        "value": pa.Column(float, nullable=True, coerce=True),
    },
    unique=["code", "year", "indicator"],
)


def _check_rows(rows: pd.DataFrame) -> pd.DataFrame:
    try:
        return _OLD_ROWS_SCHEMA.validate(rows, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise DataError(
            "Dữ liệu theo xã cũ không đúng định dạng (cần code, year, indicator, numerator, denominator, "
            "value; mỗi xã, năm, chỉ số một dòng).",
            "Old-commune rows are malformed (need code, year, indicator, numerator, denominator, value; "
            f"one row per commune, year and indicator): "
            f"{exc.failure_cases[['column', 'check']].drop_duplicates().head(5).to_dict('records')}",
        ) from None


def carry_to_2025(old_rows: pd.DataFrame, crosswalk: Crosswalk) -> CarryResult:
    """Sum (or, for yes/no, combine) old communes' rows into the new communes; see the module docstring.

    ``old_rows``: code (pre-2025 code), year, indicator, numerator, denominator, value, optionally
    source_row. Rates given only as a percentage (no counts) are carried when they are the only old
    part reported for that new commune and year; several such parts cannot be combined without counts
    and are listed in ``skipped``.
    """
    rows = _check_rows(old_rows.copy())
    if "source_row" not in rows:
        rows["source_row"] = pd.NA
    links = crosswalk.links
    merged = rows.merge(links, left_on="code", right_on="old_code", how="left", validate="many_to_many",
                        indicator=True)
    skipped = [merged.loc[merged["_merge"] == "left_only", ["code", "year", "indicator", "source_row"]]
               .rename(columns={"code": "old_code"}).assign(reason=NOT_IN_CROSSWALK, new_code=pd.NA)]
    merged = merged[merged["_merge"] == "both"].drop(columns="_merge")

    combine = dict(zip(crosswalk.rules["indicator"], crosswalk.rules["combine"], strict=True))
    keys = ["new_code", "year", "indicator"]
    is_yes_no = merged["indicator"].isin(list(combine))
    parts = []

    counts = merged[~is_yes_no].copy()
    if not counts.empty:
        has_counts = counts["numerator"].notna() & counts["denominator"].notna()
        counts["num_w"] = counts["numerator"] * counts["weight"]
        counts["den_w"] = counts["denominator"] * counts["weight"]
        counts["has_counts"] = has_counts
        grouped = counts.groupby(keys, sort=False)
        summary = grouped.agg(
            numerator=("num_w", "sum"), denominator=("den_w", "sum"), n=("code", "nunique"),
            n_counts=("has_counts", "sum"), split=("receivers", "max"), value_only=("value", "first"),
        ).reset_index()
        lone_value = (summary["n"] == 1) & (summary["n_counts"] == 0)
        mixed = (summary["n_counts"] < summary["n"]) & ~lone_value
        summary.loc[lone_value, ["numerator", "denominator"]] = np.nan
        summary["value"] = np.where(lone_value, summary["value_only"],
                                    100.0 * summary["numerator"] / summary["denominator"].where(
                                        summary["denominator"] > 0))
        bad = summary.loc[mixed, keys]
        if not bad.empty:
            dropped = counts.merge(bad, on=keys, how="inner", validate="many_to_one")
            skipped.append(dropped[["old_code", "new_code", "year", "indicator", "source_row"]]
                           .assign(reason=RATE_WITHOUT_COUNTS))
        parts.append(summary.loc[~mixed, [*keys, "numerator", "denominator", "value", "n", "split"]])

    flags = merged[is_yes_no].copy()
    if not flags.empty:
        flags["rule"] = flags["indicator"].map(combine)
        grouped = flags.groupby(keys, sort=False)
        summary = grouped.agg(
            any_yes=("numerator", "max"), all_yes=("numerator", "min"), n=("code", "nunique"),
            split=("receivers", "max"), rule=("rule", "first"),
        ).reset_index()
        summary["numerator"] = np.where(summary["rule"] == ANY, summary["any_yes"], summary["all_yes"]).astype(float)
        summary["denominator"] = 1.0
        summary["value"] = 100.0 * summary["numerator"]
        parts.append(summary[[*keys, "numerator", "denominator", "value", "n", "split"]])

    if parts:
        out = pd.concat(parts, ignore_index=True)
    else:
        out = pd.DataFrame(columns=[*keys, "numerator", "denominator", "value", "n", "split"])
    expected = crosswalk.count_parts()
    out["parts_expected"] = out["new_code"].map(expected).astype(int)
    out["parts_reported"] = out["n"].astype(int)
    out["coverage"] = np.select(
        [out["parts_reported"] < out["parts_expected"], out["split"] > 1], [PARTIAL_COVERAGE, ALLOCATED], COMPLETE)
    out["source"] = SOURCE_CROSSWALK
    out = out.rename(columns={"new_code": "code"})[list(RESULT_COLUMNS)]
    out = _set_types(out.sort_values(["code", "year", "indicator"], ignore_index=True))
    return CarryResult(values=out, coverage=_summarise_coverage(out), skipped=_gather_skipped(skipped))


def _set_types(values: pd.DataFrame) -> pd.DataFrame:
    return values.astype({"code": str, "year": int, "indicator": str, "numerator": float, "denominator": float,
                          "value": float, "parts_expected": int, "parts_reported": int})


def _summarise_coverage(values: pd.DataFrame) -> pd.DataFrame:
    if values.empty:
        return pd.DataFrame(columns=["code", "year", "coverage"])
    rank = values["coverage"].map({level: i for i, level in enumerate(COVERAGE_ORDER)})
    worst = rank.groupby([values["code"], values["year"]]).min().rename("coverage").reset_index()
    worst["coverage"] = worst["coverage"].map(dict(enumerate(COVERAGE_ORDER)))
    return worst


def _gather_skipped(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    cols = ["old_code", "new_code", "year", "indicator", "reason", "source_row"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    return out[cols].drop_duplicates(ignore_index=True)


def carry_upload(valid_rows: pd.DataFrame, crosswalk: Crosswalk) -> CarryResult:
    """All valid rows of an upload on 2025 communes: pre-2025 rows carried, 2025 rows kept as they are.

    When the same new commune, year and indicator comes both from a 2025 row and from old rows, the
    2025 row wins (it was reported for the commune as it is now) and the old rows go to ``skipped``.
    """
    from geo.ingest.match import PRE2025_BASES  # local import: matching imports this module

    is_old = valid_rows["basis"].isin(PRE2025_BASES)
    carried = carry_to_2025(valid_rows.loc[is_old, [*VALUE_COLUMNS, "source_row"]], crosswalk)
    direct = valid_rows.loc[~is_old, list(VALUE_COLUMNS)].copy()
    direct["parts_expected"] = direct["code"].map(crosswalk.count_parts()).fillna(1).astype(int)
    direct["parts_reported"] = direct["parts_expected"]
    direct["coverage"] = COMPLETE
    direct["source"] = SOURCE_2025
    both = carried.values.merge(direct[["code", "year", "indicator"]], on=["code", "year", "indicator"],
                                how="left", validate="one_to_one", indicator=True)
    clash = both["_merge"] == "both"
    skipped = [carried.skipped]
    if clash.any():
        clashing = both.loc[clash, ["code", "year", "indicator"]]
        old = valid_rows.loc[is_old].merge(crosswalk.links[["old_code", "new_code"]], left_on="code",
                                           right_on="old_code", how="inner", validate="many_to_many")
        old = old.drop(columns="code").rename(columns={"new_code": "code"}).merge(
            clashing, on=["code", "year", "indicator"], how="inner", validate="many_to_one")
        skipped.append(old[["old_code", "code", "year", "indicator", "source_row"]]
                       .rename(columns={"code": "new_code"}).assign(reason=ALSO_REPORTED_2025))
    values = pd.concat([carried.values[~clash.to_numpy()], direct[list(RESULT_COLUMNS)]], ignore_index=True)
    values = _set_types(values.sort_values(["code", "year", "indicator"], ignore_index=True))
    return CarryResult(values=values, coverage=_summarise_coverage(values), skipped=_gather_skipped(skipped))
