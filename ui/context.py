"""What every page starts from: registry, layers, the sidebar selection, the dataset and the assessed frame."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import config
from geo.errors import DataError
from geo.geometry.boundaries import Layers
from geo.indicators.coverage import left_out
from geo.indicators.plans import OUTSIDE, PARTLY, coverage
from geo.indicators.registry import Registry, Target
from geo.indicators.selection import (
    JoinReport,
    add_trend,
    add_uncertainty,
    assess_communes,
    attribute_sources,
    filter_communes,
    in_codes,
    join_indicator,
)
from geo.ingest.service import stored_frames
from geo.store.engine import StoreUnavailable
from geo.store.keys import dataset_key
from ui import present
from ui.cache import (
    communes_with_attributes,
    ensure_layers,
    get_store,
    indicator_values,
    load_illustrative,
    load_registry,
    load_stored,
    marked_values,
    per_figure,
    per_selection,
    per_summary,
    per_view,
    plan_area_names,
    plan_areas,
)
from ui.i18n import translator
from ui.state import PREVIEW, UPLOAD_KEY, Selection, attribute_filters, ignored_notice, render_sidebar

_log = logging.getLogger("vnchild")


@dataclass(frozen=True)
class DatasetView:
    """The dataset on screen: the illustrative one, or a stored version of a user upload."""

    name: str  # "" for the illustrative dataset
    version: int | None
    label: str
    values: pd.DataFrame  # marked (geo.indicators.coverage): coverage, basis, counted
    attributes: pd.DataFrame
    illustrative: bool


@dataclass
class Context:
    """Everything a page needs for the current view."""

    t: object
    reg: Registry
    layers: Layers
    sel: Selection
    dataset: DatasetView
    communes: pd.DataFrame  # all communes with dataset attributes (em_area, under5)
    selected: pd.DataFrame  # those communes inside the sidebar filters: the one place filters are applied (shared)
    meta: dict
    target: Target | None
    frame: pd.DataFrame  # communes in the selection, joined to the indicator-year and assessed (shared: read only)
    report: JoinReport
    areas: dict | None = None  # where each sub-national plan applies (for the plan notes under the title)
    everywhere: pd.DataFrame | None = None  # every commune assessed, before the filters (shared: do not modify)

    @property
    def illustrative(self) -> bool:
        return self.dataset.illustrative

    @property
    def lang(self) -> str:
        return self.sel.lang

    def area_name(self) -> str:
        code = self.sel.filters.province
        if not code:
            return self.t("filter.all_country")
        return self.layers.province_name(code)

    @property
    def data_key(self) -> str:
        """Cache key of the values as marked for this view (dataset version and the partial choice)."""
        return marked_key(self.dataset, self.sel)

    def values_of(self, indicator: str) -> pd.DataFrame:
        """This dataset's rows of one indicator (shared: do not modify)."""
        return indicator_values(None if self.dataset.name == PREVIEW else self.data_key, self.dataset.values,
                                indicator)

    def summary(self, name: str, parts: tuple, compute):
        """``compute()`` (a small table) once per dataset version, partial choice and ``parts`` (everything
        else it reads), shared by all sessions; this session's unsaved upload is computed every time."""
        return self._shared(per_summary, name, parts, compute)

    def national(self, name: str, parts: tuple, compute):
        """``compute()`` over ``everywhere`` (a commune table the page then cuts to the selection), once per
        dataset version and ``parts`` whatever the filters, kept like the assessed frames (per_view)."""
        return self._shared(per_view, name, parts, compute)

    def figure(self, name: str, parts: tuple, compute):
        """``compute()`` (a chart to display, not to modify) once per dataset version and ``parts``."""
        return self._shared(per_figure, name, parts, compute)

    def _shared(self, cache, name: str, parts: tuple, compute):
        if self.dataset.name == PREVIEW:  # this session's unsaved upload: computed every time, never shared
            return compute()
        return cache((name, self.layers.key, self.data_key, *parts), _compute=compute)

    def target_for(self, year: int) -> Target | None:
        return self.reg.target(self.sel.framework, self.sel.indicator, year)


def load_context(*, precision: bool = False, commune_page: bool = False) -> Context:
    """Sidebar, dataset and the assessed selection (cheap on warm reruns: everything heavy is cached).

    precision=True adds intervals, low-precision flags and trend status to the frame (map, lagging,
    funnel); other pages skip that work.
    """
    t = translator()
    reg = load_registry(str(config.registry_dir()))
    layers = ensure_layers(t)
    names, available = list_datasets(t)
    preview = st.session_state.get(UPLOAD_KEY)
    if preview is not None and getattr(preview, "carried", None) is not None:
        names = [*names, PREVIEW]
    areas = plan_areas(str(config.reference_dir()), str(config.registry_dir()), layers.key)
    sel = render_sidebar(reg, layers, t, names, areas, commune_page=commune_page)
    ds = choose_dataset(t, layers, names, available)
    ds = mark_dataset(t, layers, ds, sel)
    meta = reg.indicator(sel.indicator) | {"short": reg.indicator(sel.indicator)[f"short_{sel.lang}"]}
    target = reg.target(sel.framework, sel.indicator, sel.target_year)
    sources = attribute_sources(ds.attributes, illustrative=ds.illustrative)
    sel = attribute_filters(t, sel, sources)
    attribute_note(t, sources)
    communes = communes_with_attributes(dataset_key(ds.name, ds.version), layers.key, _communes=layers.communes,
                                        _attributes=ds.attributes, _cache=ds.name != PREVIEW)

    def assessed() -> tuple[pd.DataFrame, JoinReport]:
        """Every commune assessed (each on its own, so keeping the selected ones afterwards gives the same rows)."""
        rows = indicator_values(None if ds.name == PREVIEW else marked_key(ds, sel), ds.values, sel.indicator)
        frame, report = join_indicator(communes, rows, sel.indicator, sel.year)
        frame = assess_communes(frame, meta, target)
        if precision:
            frame = add_trend(add_uncertainty(frame, meta, target, sel.min_n), rows, meta, target, sel.year)
        return frame, report

    key = view_key(layers, ds, sel, precision)
    everywhere, report = assessed() if key is None else per_view(key, _compute=assessed)

    def cut() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
        selected = filter_communes(communes, sel.filters)
        if len(selected) == len(communes):
            selected = communes  # every commune (a subset of the same length is the table itself)
        inside = in_codes(everywhere["code"], selected["code"])
        whole = inside.all() and everywhere.index.equals(pd.RangeIndex(len(everywhere)))
        frame = everywhere if whole else everywhere[inside].reset_index(drop=True)  # no copy of the whole country
        return selected, frame, left_out(frame)

    selected, frame, leftout = cut() if key is None else per_selection((*key, repr(sel.filters)), _compute=cut)
    present.frame(t)
    ignored_notice(t)
    coverage_notes(t, leftout, meta, sel)
    return Context(t=t, reg=reg, layers=layers, sel=sel, dataset=ds, communes=communes, selected=selected,
                   meta=meta, target=target, frame=frame, report=report, areas=areas, everywhere=everywhere)


def marked_key(ds: DatasetView, sel: Selection) -> str:
    """Cache key of the values as marked for a view: the dataset version and the partial choice."""
    return f"{dataset_key(ds.name, ds.version)}|{int(sel.filters.include_partial)}"


def view_key(layers: Layers, ds: DatasetView, sel: Selection, precision: bool = False) -> tuple | None:
    """What an assessed frame depends on, or None for this session's unsaved upload (not cached)."""
    if ds.name == PREVIEW:
        return None
    return (layers.key, ds.name, ds.version, sel.framework, sel.indicator, sel.year, sel.target_year, sel.min_n,
            precision, sel.filters.include_partial)


def explain_store_error(t, err: DataError) -> str:
    """What a visitor is told: an unreachable store without its connection details (those go to the log)."""
    if isinstance(err, StoreUnavailable):
        _log.warning("dataset store unavailable: %s", err.en)
        return t("store.unavailable")
    return err.message(st.session_state.get("lang", "vi"))


def list_datasets(t) -> tuple[list[str], bool]:
    """Names of the stored datasets, and whether the store answered.

    Not cached: a dataset saved through any replica must show at the next rerun; it is one small query.
    When the store is down the user's chosen dataset stays in the list (and so in the URL), shown from the
    illustrative data meanwhile, and comes back by itself when the store does.
    """
    try:
        names = get_store(config.store_url()).dataset_names()
    except DataError as err:
        st.sidebar.warning(explain_store_error(t, err), icon=":material/warning:")
        chosen = st.session_state.get("ds") or st.query_params.get("ds", "")  # first run: still only in the URL
        return ([chosen] if chosen and chosen != PREVIEW else []), False
    return names, True


def choose_dataset(t, layers: Layers, names: list[str], available: bool = True) -> DatasetView:
    """The dataset picked in the sidebar (latest version unless the URL names one); else illustrative.

    PREVIEW is this session's checked upload, shown before (or without) saving it: no login needed.
    """
    name = st.session_state.get("ds") or ""
    if name == PREVIEW and PREVIEW in names:
        values, attributes = stored_frames(st.session_state[UPLOAD_KEY])
        return DatasetView(name=PREVIEW, version=None, label=t("dataset.preview"), values=values,
                           attributes=attributes, illustrative=False)
    if name in names and available:
        try:
            store_url = config.store_url()
            versions = get_store(store_url).list_versions(name)["version"].astype(int).tolist()
            wanted = st.session_state.get("dsv") or ""
            version = int(wanted) if wanted.isdigit() and int(wanted) in versions else max(versions)
            stored = load_stored(store_url, name, version)
            return DatasetView(name=name, version=version, label=t("dataset.label", name=name, version=version),
                               values=stored.values, attributes=stored.attributes, illustrative=False)
        except DataError as err:
            st.warning(explain_store_error(t, err))
    ill = load_illustrative(str(config.reference_dir()), layers.key)
    return DatasetView(name="", version=None, label=t("illustrative.badge"), values=ill.values,
                       attributes=ill.attributes, illustrative=True)


def mark_dataset(t, layers: Layers, ds: DatasetView, sel: Selection) -> DatasetView:
    """The dataset with each value's coverage and basis, and whether it counts (the user's partial choice).

    The choice is offered only when the dataset has partial communes; it is part of the selection (URL).
    """
    include = sel.filters.include_partial
    if ds.name == PREVIEW:
        values, partial = marked_values("", "", include, _values=ds.values, _cache=False)
    else:
        values, partial = marked_values(dataset_key(ds.name, ds.version), layers.key, include, _values=ds.values)
    if partial:
        st.sidebar.toggle(t("cover.include_partial"), value=include, key="partial_toggle",
                          help=t("cover.include_partial_help"),
                          on_change=lambda: st.session_state.update(
                              partial="1" if st.session_state.partial_toggle else "0"))
    return dataclasses.replace(ds, values=values)


def attribute_note(t, sources: dict[str, tuple[str, int]]) -> None:
    """Under the filters: where each filter's attribute comes from (uploaded, derived, illustrative, unknown)."""
    parts = []
    for col in ("em_area", "em_class", "border", "coastal", "island", "especially_difficult"):
        source, n = sources[col]
        if source == "unknown" and col in ("em_class", "especially_difficult"):
            continue  # no filter is drawn for these
        parts.append(t("attr.source_line", name=t(f"attr.name.{col}"), source=t(f"attr.source.{source}", n=n)))
    st.sidebar.caption("ⓘ " + "; ".join(parts))


def coverage_notes(t, counts: dict[str, int], meta: dict, sel: Selection) -> None:
    """Say on screen which shown values the area figures leave out (``left_out`` counts), and exactly why."""
    if counts["partial"]:
        st.caption("◐ " + t("cover.partial_left_out", n=counts["partial"]))
    if counts["partial_counted"]:
        st.caption("◐ " + t("cover.partial_included", n=counts["partial_counted"]))
    bare = counts["rate_only"] + counts["rate_weighted"]
    if bare and not counts["with_counts"]:
        st.info(t("cover.no_aggregate_rates_only", n=bare, indicator=meta[f"short_{sel.lang}"]), icon="ℹ️")
    elif bare:
        st.caption("ⓘ " + t("cover.rates_only_left_out", n=bare, k=counts["with_counts"]))
    if counts["rate_weighted"]:
        st.caption("ⓘ " + t("cover.rate_weighted_note", n=counts["rate_weighted"]))


def plan_notes(t, reg: Registry, sel: Selection, areas: dict, codes: pd.Series) -> None:
    """Say on screen when the plan's values come from a summary, or the plan is applied outside its area."""
    name = reg.framework(sel.framework)[f"name_{sel.lang}"]
    if coverage(areas, sel.framework, codes) in (PARTLY, OUTSIDE):
        kind, _ = reg.framework_area(sel.framework)
        area_name = plan_area_names(str(config.reference_dir()), str(config.registry_dir()))[sel.framework]
        area = t(f"plan.area.{kind}", name=area_name)
        outside = int((~in_codes(codes.astype(str), areas[sel.framework])).sum())
        st.warning(t("plan.outside_area", name=name, area=area, n=outside, total=len(codes)),
                   icon=":material/warning:")
    if reg.from_summary(sel.framework):
        st.caption("ⓘ " + t("plan.from_summary", name=name))
