"""Turn geo/ result tables into what a page shows and what a download contains (same rows, labelled)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.text.fold import fold

# internal column -> (strings key, display kind); order here is the display order
COLUMNS = {
    "rank": ("col.rank", "int"),
    "code": ("col.code", "code"),
    "full_name": ("col.commune", "text"),
    "province_name": ("col.province", "text"),
    "value": ("col.value", "num1"),
    "target": ("col.target", "num1"),
    "gap": ("col.gap", "num1"),
    "lo": ("col.ci_low", "num1"),
    "hi": ("col.ci_high", "num1"),
    "certainty": ("col.certainty", "text"),
    "low_precision": ("col.low_precision", "text"),
    "trend": ("col.trend", "text"),
    "trend_change": ("col.trend_change", "num1"),
    "aarr": ("col.aarr", "num1"),
    "required_aarr": ("col.required_aarr", "num1"),
    "trend_status": ("col.trend_status", "text"),
    "cases_to_target": ("col.cases_above_target", "int"),
    "numerator": ("col.numerator", "int"),
    "denominator": ("col.denominator", "int"),
    "n_communes": ("col.n_communes", "int"),
    "n_reporting": ("col.n_reporting", "int"),
    "n_yes": ("col.n_yes", "int"),
    "n_no": ("col.n_no", "int"),
    "status": ("col.status", "text"),
    "communes_needed": ("col.communes_needed", "int"),
    "readiness": ("col.readiness", "num1"),
    "n_targets_met": ("col.n_targets_met", "int"),
    "under5": ("col.under5", "int"),
    "em_area": ("col.em_area", "text"),
    "border": ("col.border", "text"),
    "coverage": ("cover.col_coverage", "text"),
    "basis": ("cover.col_basis", "text"),
}


_MARKS = {"coverage": "complete", "basis": "counts"}  # the plain value of each mark column
PRECISION_COLUMNS = ["lo", "hi", "certainty", "low_precision", "aarr", "required_aarr", "trend_status"]
UNCERTAIN = ("clearly_met", "clearly_not_met", "not_clearly_different")
TREND_STATES = ("target_met", "on_track", "off_track", "not_assessable")


@dataclass(frozen=True)
class TableView:
    frame: pd.DataFrame  # labelled columns, numbers still numeric
    kinds: dict[str, str]  # labelled column -> display kind
    export: pd.DataFrame  # what the download files contain (same rows)


def _cases_key(meta: dict | None) -> str:
    if meta is None or meta.get("direction") == "lower_is_better":
        return "col.cases_above_target"
    return "col.cases_to_target_schools" if meta.get("measure") == "share" else "col.cases_below_target"


def display_frame(df: pd.DataFrame, t, lang: str, meta: dict | None = None) -> TableView:
    """Known columns only, translated headers and categorical values; numbers untouched."""
    out = pd.DataFrame(index=df.index)
    kinds: dict[str, str] = {}
    yes_no = {True: t("yes"), False: t("no")}
    for col, (key, kind) in COLUMNS.items():
        if col not in df.columns or (col in _MARKS and df[col].dropna().isin([_MARKS[col]]).all()):
            continue  # a coverage or basis column only where some row is not the plain case
        label = t(_cases_key(meta)) if col == "cases_to_target" else t(key)
        series = df[col]
        if col == "required_aarr" and "required_year" in df.columns:  # rank_lagging says which target year
            years = df["required_year"].dropna().unique()
            if not len(years):
                continue  # no rate can help (the target is due now): no empty column
            label = t("targets.col.required_aarr_year", year=int(years[0]))
        if col in ("em_area", "border", "low_precision"):
            series = series.map(lambda v: yes_no.get(v, "—") if pd.notna(v) else "—")
        elif col == "certainty":
            series = series.map(lambda v: t(f"uncertainty.{v}") if v in UNCERTAIN else t(f"status.{v}"))
        elif col == "trend_status":
            series = series.map(lambda v: t(f"trend.status.{v}") if v in TREND_STATES else t(f"status.{v}"))
        elif col == "trend":
            series = series.map(lambda v: t(f"trend.{v}") if pd.notna(v) else t("trend.unknown"))
        elif col == "status":
            series = series.map(lambda v: t(f"status.{v}"))
        elif col == "coverage":
            series = series.map(lambda v: t(f"coverage.{v}") if isinstance(v, str) else "—")
        elif col == "basis":
            series = series.map(lambda v: t(f"cover.basis.{v}") if isinstance(v, str) else "—")
        elif col == "readiness":
            series = series * 100
        out[label] = series.to_numpy()
        kinds[label] = kind
    return TableView(frame=out.reset_index(drop=True), kinds=kinds, export=out.reset_index(drop=True))


MISSING = "—"


def data_grid(data, **kwargs):
    """st.dataframe with the app's defaults: no index, full width, and a dash for a missing cell (Streamlit
    writes a literal "None" there otherwise, e.g. the AARR of a yes/no indicator). Every table goes through here."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(data, placeholder=MISSING, **kwargs)


def search_box(df: pd.DataFrame, t) -> pd.DataFrame:
    """Filter rows by commune or province name, with or without diacritics."""
    query = st.text_input(t("lagging.search"), key="search", placeholder=t("lagging.search_hint"))
    if not query.strip() or df.empty:
        return df
    needle = fold(query.strip())
    text = (df["full_name"].astype(str) + " " + df["province_name"].astype(str)).map(fold)
    return df[text.str.contains(needle, regex=False)]


def equity_view(rows: list[dict], t, by_province: bool = False) -> TableView:
    """Group vs rest: rates from counts, the group's disadvantage in points, and commune counts."""
    df = pd.DataFrame(rows)
    first = ("province_name", "col.province") if by_province else ("indicator", "col.indicator")
    out = pd.DataFrame({
        t(first[1]): df[first[0]],
        t("equity.group"): df["group"].map(lambda g: t(f"equity.group_{g}")),
        t("equity.value_group"): df["value_group"],
        t("equity.value_rest"): df["value_rest"],
        t("equity.gap_between"): df["gap_between"],
        t("equity.n_group"): df["n_group"],
        t("equity.n_rest"): df["n_rest"],
        t("equity.unknown"): df["n_unknown"],
    })
    kinds = {t("equity.value_group"): "num1", t("equity.value_rest"): "num1", t("equity.gap_between"): "num1",
             t("equity.n_group"): "int", t("equity.n_rest"): "int", t("equity.unknown"): "int"}
    return TableView(frame=out, kinds=kinds, export=out)
