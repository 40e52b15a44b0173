"""The official old → new commune crosswalk as tidy tables, with the weight each link carries.

Most old communes went whole into one new commune; 460 were split across several. A split old commune's
counts are ALLOCATED to its receivers in proportion to the receivers' population, because the only
population figures we have are those of the NEW communes (``vn2025/commune_attributes.csv``): nobody
published how many people of the old commune went to each part, so the new communes' sizes are the
best available proxy. Carrying values along these links is geo/ingest/carry.py.

Source of the crosswalk: ``crosswalk_2025/`` (splits.json old → new, merges.json new → old, each part
``full`` or ``partial``) in the reference data, read by geo/reference/crosswalk_links.py; see its README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from geo.ingest.rules import load_crosswalk_rules
from geo.reference.communes import PROVINCES_FILE, read_attributes, read_communes, read_provinces
from geo.reference.crosswalk_links import FULL, PARTIAL, read_links
from geo.reference.old_units import read_old_units
from geo.text.catalogue import error
from geo.text.fold import nfc


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


# --- Loading ---------------------------------------------------------------------------------------


def read_new_units(reference_dir: str | Path) -> pd.DataFrame:
    """The 3,321 communes of 2025 without geometry: names, province and population (for allocation)."""
    communes = read_communes(reference_dir)[["code", "name", "full_name", "province_code"]].copy()
    for col in ("name", "full_name"):
        communes[col] = communes[col].map(lambda text: nfc(text).strip())
    attrs = read_attributes(reference_dir)[["code", "population"]]
    provinces = read_provinces(reference_dir).rename(columns={
        "code": "province_code", "name": "province_name", "full_name": "province_full_name",
        "name_en": "province_name_en"})
    out = communes.merge(attrs, on="code", how="left", validate="one_to_one").merge(
        provinces[["province_code", "province_name", "province_full_name", "province_name_en"]],
        on="province_code", how="left", validate="many_to_one", indicator=True,
    )
    orphans = sorted(out.loc[out["_merge"] == "left_only", "province_code"].unique())
    if orphans:
        raise error("err.ingest.provinces_incomplete", name=PROVINCES_FILE, codes=orphans)
    out = out.drop(columns="_merge")
    out["population"] = pd.to_numeric(out["population"], errors="coerce").astype(float)
    return out.sort_values("code", ignore_index=True)


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
        cases = exc.failure_cases[["column", "check", "failure_case"]].head(5).to_dict("records")
        raise error("err.ingest.links_invalid", detail=cases) from None
    missing = sorted(set(links["new_code"]) - set(new_units["code"]))
    if missing:
        raise error("err.ingest.links_unknown_new", codes=missing[:5])
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
        raise error("err.ingest.links_unknown_old", codes=unknown_old[:5])
    rules = load_crosswalk_rules(rules_path, yes_no_indicators)
    return build_crosswalk(links[["old_code", "new_code", "part"]], new_units, old_units, rules, recoded)
