"""What a briefing pack shows for one area, computed without Streamlit: the page and ``python -m geo brief`` share it.

A ``BriefView`` is the selection (dataset, plan, indicator, years, filters, language); every pack is
built from one, for the view's own area or for each province in turn (``for_province``). The map is
the commune-level map of the area (every commune its own shape, province outlines on top for the
country). Target columns show the chosen plan's target; where that plan states none for an
indicator, the target of the first plan that does (national plans first) is shown with that plan
named, and the status is judged against it, so a row never says "no target" while a plan has one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from geo.geometry.boundaries import BOUNDARY_SOURCE, Layers, dissolve_provinces
from geo.indicators.registry import Registry, Target
from geo.indicators.selection import Filters, assess_communes, filter_communes, join_indicator
from geo.reference.communes import COMMUNE_TYPES
from geo.reporting import briefing as gb
from geo.reporting import packs
from geo.text.catalogue import catalogue, say
from geo.text.numbers import format_percent

LAGGING_TOP = 15
BRIEFING_MAP_SIZE = (1200, 900, 1.75)  # ~2100 px wide: 300 dpi across the A4 text width
TARGET_YEARS = (2025, 2030)
Geometry = Callable[[str | None], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]


@dataclass(frozen=True)
class BriefView:
    """The selection a pack is made for (what ui.context.Context holds, minus the page)."""

    reg: Registry
    layers: Layers
    communes: pd.DataFrame  # all communes with the dataset's attributes (em_area, under5…)
    values: pd.DataFrame
    dataset_name: str
    dataset_version: str
    illustrative: bool
    framework: str
    indicator: str
    year: int
    target_year: int
    lang: str
    filters: Filters = field(default_factory=Filters)

    def for_province(self, code: str | None) -> BriefView:
        return replace(self, filters=replace(self.filters, province=code or None))

    @property
    def meta(self) -> dict:
        meta = self.reg.indicator(self.indicator)
        return meta | {"short": meta[f"short_{self.lang}"]}

    @property
    def target(self) -> Target | None:
        return self.reg.target(self.framework, self.indicator, self.target_year)

    def frame(self) -> pd.DataFrame:
        """The communes of the view joined to the indicator-year and assessed (as the pages' context does)."""
        joined, _ = join_indicator(self.communes, self.values, self.indicator, self.year)
        return assess_communes(filter_communes(joined, self.filters), self.meta, self.target)

    def province_name(self, code: str) -> str:
        return str(self.layers.provinces.set_index("code").loc[code, "name"])

    def area_name(self) -> str:
        code = self.filters.province
        return self.province_name(code) if code else say("filter.all_country", self.lang)


def labels(lang: str, target_year: int) -> dict[str, str]:
    """Translated labels of geo.reporting.briefing and the export map, from the catalogue."""
    raw = catalogue()[lang]  # templates stay unformatted: the builders fill them
    out = {key: raw[key] for key in dict.fromkeys((*gb.LABEL_KEYS, "legend.title", "yes", "no",
                                                        "export.title", "export.subtitle", "export.source_line",
                                                        "export.reference_date"))
           if key != "briefing.col.communes_meeting" and key != "briefing.lagging_note"}
    out["briefing.col.communes_meeting"] = say("briefing.col.communes_meeting", lang, year=target_year)
    out["briefing.lagging_note"] = say("briefing.lagging_note", lang, n=LAGGING_TOP)
    return out


def area_label(view: BriefView) -> str:
    """The area plus any filter that narrows it, e.g. 'Lai Châu (Xã biên giới: Có)'."""
    lang, f = view.lang, view.filters
    yes, no = say("yes", lang), say("no", lang)
    extra = []
    if f.em_area is not None:
        extra.append(f"{say('filter.em_area', lang)}: {yes if f.em_area else no}")
    if f.border is not None:
        extra.append(f"{say('filter.border', lang)}: {yes if f.border else no}")
    if set(f.commune_types) != set(COMMUNE_TYPES):
        extra.append(", ".join(say(f"type.{c}", lang) for c in f.commune_types))
    return view.area_name() + (f" ({'; '.join(extra)})" if extra else "")


def dataset_identity(view: BriefView) -> tuple[str, str]:
    """(dataset, version) for source lines: a stored upload's name and version, or the built-in model."""
    if view.illustrative:
        from geo.synthetic.illustrative import MODEL_VERSION

        return say("illustrative.badge", view.lang), say("export.version_builtin", view.lang, model=MODEL_VERSION)
    return view.dataset_name, view.dataset_version


def framework_name(view: BriefView, framework: str | None = None) -> str:
    return view.reg.framework(framework or view.framework)[f"name_{view.lang}"]


def target_text(view: BriefView) -> str:
    target = view.target
    return target.text(view.lang) if target is not None else say("status.no_target", view.lang)


def fallback_frameworks(reg: Registry, chosen: str) -> list[str]:
    """Other plans to take a missing target from: national ones first, then file order."""
    others = [f for f in reg.framework_ids() if f != chosen]
    return sorted(others, key=lambda f: reg.framework(f).get("scope") != "national")


_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def status_table(view: BriefView) -> tuple[pd.DataFrame, list[str]]:
    """briefing.STATUS_COLUMNS for every indicator, and the notes naming the other plans used.

    Where the chosen plan has no target for an indicator and year, the first other plan's target is
    shown with a mark (¹, ²…) and judged against; each note says which plan a mark stands for.
    """
    from geo.analysis.overview import summarise_targets

    reg, lang = view.reg, view.lang
    args = (view.communes, view.values, reg)
    table = summarise_targets(*args, view.framework, view.year, view.filters, lang=lang).set_index("indicator")
    others = {}
    out = []
    for ind, row in table.iterrows():
        rec = {"indicator": reg.indicator(ind)[f"short_{lang}"], "value": format_percent(row["value"], lang)}
        for ty in TARGET_YEARS:
            text, status = row[f"target_text_{ty}"], row[f"status_{ty}"]
            if not text:
                for fw in fallback_frameworks(reg, view.framework):
                    if reg.target(fw, ind, ty) is None:
                        continue
                    if fw not in others:
                        others[fw] = summarise_targets(*args, fw, view.year, view.filters,
                                                       lang=lang).set_index("indicator")
                    alt = others[fw].loc[ind]
                    mark = _MARKS[list(others).index(fw) % len(_MARKS)]
                    text = f"{alt[f'target_text_{ty}']} {mark}"
                    status = alt[f"status_{ty}"]
                    if ty == view.target_year:
                        rec["communes_meeting"] = alt[f"n_met_{ty}"]
                    break
            rec[f"target_{ty}"] = text or None
            rec[f"status_{ty}"] = status
        rec.setdefault("communes_meeting", row[f"n_met_{view.target_year}"])
        out.append(rec)
    notes = [say("briefing.target_other_plan", lang, mark=_MARKS[i % len(_MARKS)], framework=framework_name(view, fw),
                 chosen=framework_name(view)) for i, fw in enumerate(others)]
    return pd.DataFrame(out, columns=list(gb.STATUS_COLUMNS)), notes


def equity_rows(view: BriefView) -> list[dict]:
    """Group-vs-rest for every indicator and priority group (the equity page's national table)."""
    from geo.analysis.equity import compare_groups

    communes = filter_communes(view.communes, view.filters)
    rows = []
    for ind in view.reg.indicator_ids():
        meta = view.reg.indicator(ind)
        target = view.reg.target(view.framework, ind, view.target_year)
        for group in ("em_area", "border"):
            res = compare_groups(communes, view.values, meta, target, view.year, group_col=group).iloc[0]
            rows.append({"indicator": ind, "group": group, **res.to_dict()})
    return rows


def equity_table(view: BriefView, rows: list[dict] | None = None) -> pd.DataFrame:
    lang = view.lang
    rows = equity_rows(view) if rows is None else rows
    by = {(r["indicator"], r["group"]): r for r in rows}
    records = []
    for ind in dict.fromkeys(r["indicator"] for r in rows):
        em, border = by.get((ind, "em_area"), {}), by.get((ind, "border"), {})
        records.append({
            "indicator": view.reg.indicator(ind)[f"short_{lang}"],
            "em_area": format_percent(em.get("value_group"), lang),
            "non_em_area": format_percent(em.get("value_rest"), lang),
            "em_gap": em.get("gap_between"),
            "border": format_percent(border.get("value_group"), lang),
            "non_border": format_percent(border.get("value_rest"), lang),
            "border_gap": border.get("gap_between"),
        })
    return pd.DataFrame(records, columns=list(gb.EQUITY_COLUMNS))


def lagging_table(view: BriefView, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    from geo.analysis.ranking import rank_lagging

    lang, meta = view.lang, view.meta
    heading = say("briefing.lagging_indicator", lang, indicator=meta[f"name_{lang}"], target_year=view.target_year,
                  target=target_text(view))
    if meta["measure"] == "yes_no":
        return (pd.DataFrame(columns=list(gb.LAGGING_COLUMNS)),
                f"{heading}. {say('briefing.lagging_yes_no', lang)}")
    ranked = rank_lagging(frame, meta, view.target, limit=LAGGING_TOP)
    table = pd.DataFrame({
        "commune": ranked["full_name"], "province": ranked["province_name"],
        "value": [format_percent(v, lang) for v in ranked["value"]],
        "target": [format_percent(v, lang) for v in ranked["target"]],
        "gap": ranked["gap"],
    }, columns=list(gb.LAGGING_COLUMNS))
    return table, heading


def today(lang: str) -> str:
    d = date.today()
    return d.strftime("%d/%m/%Y") if lang == "vi" else d.isoformat()


def briefing_content(view: BriefView, frame: pd.DataFrame, map_png: bytes | None,
                     equity: list[dict] | None = None) -> gb.BriefingContent:
    """Everything the briefing shows for the view's area (country or province)."""
    lagging, heading = lagging_table(view, frame)
    dataset, version = dataset_identity(view)
    status, notes = status_table(view)
    return gb.BriefingContent(
        area_name=area_label(view), year=view.year, framework_name=framework_name(view), dataset_name=dataset,
        dataset_version=version, illustrative=view.illustrative, status_table=status, status_notes=tuple(notes),
        status_map_png=map_png, equity_table=equity_table(view, equity), lagging_communes=lagging,
        lagging_indicator=heading, reference_date=str(view.year), prepared_on=today(view.lang),
        boundary_source=BOUNDARY_SOURCE,
    )


# --- the map ---------------------------------------------------------------------------------------------


def geometry_reader(layers: Layers) -> Geometry:
    """(communes, outlines) for an area: national detail for the country, full detail for a province.

    Reads each cached layer once per reader, so a set of 34 packs reads the detail file once.
    """
    cache: dict[str, gpd.GeoDataFrame] = {}

    def layer(name: str) -> gpd.GeoDataFrame:
        if name not in cache:
            cache[name] = layers.detail_geometry() if name == "detail" else layers.national_geometry()
        return cache[name]

    def read(province: str | None) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        if not province:
            if "provinces" not in cache:
                cache["provinces"] = dissolve_provinces(layer("national")).rename(columns={"province_code": "code"})
            return layer("national"), cache["provinces"]
        detail = layer("detail")
        communes = detail[detail["province_code"] == province].reset_index(drop=True)
        return communes, dissolve_provinces(communes).rename(columns={"province_code": "code"})

    return read


def map_figure(view: BriefView, frame: pd.DataFrame, geometry: Geometry, *, mode: str | None = None,
               width_px: int, height_px: int) -> go.Figure:
    """The view as a decorated vector map of its communes (status against the target year when there is one)."""
    from geo.reporting import publication as gx

    communes, outlines = geometry(view.filters.province)
    lab = labels(view.lang, view.target_year)
    mode = mode or ("status" if view.target is not None else "value")
    fig = gx.build_export_map(communes, frame[["code", "value", "status"]], mode=mode, meta=view.meta, labels=lab,
                              lang=view.lang, outlines=outlines, decimals=4 if view.filters.province else 3)
    dataset, version = dataset_identity(view)
    title = gx.compose_title(lab, indicator=view.meta[f"name_{view.lang}"], area=area_label(view), year=view.year)
    return gx.decorate_for_publication(
        fig, title=title,
        subtitle=gx.compose_subtitle(lab, target=target_text(view), target_year=view.target_year,
                                     framework=framework_name(view)),
        source_line=gx.compose_source_line(lab, dataset=dataset, version=version, boundary=BOUNDARY_SOURCE),
        reference_date=str(view.year), illustrative=view.illustrative, labels=lab, width_px=width_px,
        height_px=height_px)


# --- one or many packs -------------------------------------------------------------------------------------


def pack_job(view: BriefView, geometry: Geometry, stem: str) -> packs.PackJob:
    """The pack of the view's area: the frame is computed once and shared by the map and the tables."""
    state: dict = {}

    def frame() -> pd.DataFrame:
        if "frame" not in state:
            state["frame"] = view.frame()
        return state["frame"]

    def figure() -> go.Figure | None:
        if frame().empty:
            return None
        width, height, _ = BRIEFING_MAP_SIZE
        return map_figure(view, frame(), geometry, width_px=width, height_px=height)

    code = view.filters.province or "VN"
    return packs.PackJob(code=code, name=area_label(view), map_figure=figure,
                         content=lambda png: briefing_content(view, frame(), png), stem=stem)


def province_stem(view: BriefView, code: str) -> str:
    from geo.reporting.filenames import slug

    return f"briefing_{view.lang}_{code}-{slug(view.province_name(code))}_y{view.year}_t{view.target_year}"


def make_packs(view: BriefView, provinces: list[str | None], *, progress: packs.Progress | None = None,
               render: packs.Renderer | None = None, geometry: Geometry | None = None) -> list[packs.PackResult]:
    """Packs for these areas (None = the whole country) of the same selection, in order."""
    if render is None:
        from geo.reporting.publication import render_figures as render
    geometry = geometry or geometry_reader(view.layers)
    jobs = []
    for code in provinces:
        area = view.for_province(code)
        stem = province_stem(view, code) if code else f"briefing_{view.lang}_vn_y{view.year}_t{view.target_year}"
        jobs.append(pack_job(area, geometry, stem))
    return packs.build_packs(jobs, labels(view.lang, view.target_year), view.lang, map_size=BRIEFING_MAP_SIZE,
                             render=render, progress=progress)


def index_headers(lang: str) -> dict[str, str]:
    return {k: say(f"briefing.index.{k}", lang) for k in ("code", "name", "pdf", "pptx", "pages", "slides",
                                                          "seconds", "error")}


def set_files(view: BriefView, results: list[packs.PackResult]) -> dict[str, bytes]:
    """Every pack's files plus index.csv / index.html, titled for the selection."""
    title = say("briefing.index.title", view.lang, year=view.year, framework=framework_name(view))
    mark = f"{say('illustrative.badge', view.lang)} — {say('illustrative.note', view.lang)}" \
        if view.illustrative else ""
    return packs.pack_files(results, view.lang, title=title, headers=index_headers(view.lang), mark=mark)


@dataclass(frozen=True)
class RunSummary:
    text: str
    failed: int
    seconds: float
    results: tuple = ()


def run_packs(*, view: BriefView, provinces: list[str], out_dir: Path,
              progress: packs.Progress | None = None) -> RunSummary:
    """The command line's work: packs for these provinces written to out_dir, with the index."""
    t0 = time.perf_counter()
    results = make_packs(view, list(provinces), progress=progress)
    packs.write_packs(set_files(view, results), out_dir)
    seconds = time.perf_counter() - t0
    failed = sum(not r.ok for r in results)
    text = say("briefing.cli.done", view.lang, n=len(results) - failed, failed=failed, out=str(out_dir),
               seconds=f"{seconds:.1f}", per=f"{seconds / max(len(results), 1):.1f}")
    return RunSummary(text=text, failed=failed, seconds=seconds, results=tuple(results))


def load_view(*, year: int, lang: str, framework: str = "", indicator: str = "", target_year: int = 2025,
              dataset: str = "", reference_dir: Path | None = None) -> BriefView:
    """The CLI's view: the app's registry and layers, the illustrative data or a stored dataset."""
    from geo import config
    from geo.geometry import boundaries
    from geo.indicators.registry import load_registry
    from geo.indicators.selection import attach_attributes

    reg = load_registry(config.registry_dir())
    ref = reference_dir or config.reference_dir()
    layers = boundaries.build_layers(ref, config.cache_dir(), config.static_dir())
    if dataset:
        from geo.store.datasets import open_store

        store = open_store(config.store_url())
        from geo.store.keys import parse_dataset_key

        name, version = parse_dataset_key(dataset if "@" in dataset else f"{dataset}@")
        versions = store.list_versions(name)["version"].astype(int).tolist()
        number = int(version) if version is not None else max(versions)
        stored = store.load_version(name, number)
        values, attributes, illustrative, ds_version = stored.values, stored.attributes, False, str(number)
    else:
        from geo.synthetic import illustrative as ill

        data = ill.illustrative_for(ref, layers.communes)
        values, attributes, illustrative, name, ds_version = data.values, data.attributes, True, "", ""
    from geo.indicators.coverage import mark_values

    values = mark_values(values)  # as the pages do by default: partial communes out of the aggregates
    return BriefView(reg=reg, layers=layers, communes=attach_attributes(layers.communes, attributes), values=values,
                     dataset_name=name, dataset_version=ds_version, illustrative=illustrative,
                     framework=framework or reg.default_framework(), indicator=indicator or reg.indicator_ids()[0],
                     year=year, target_year=target_year, lang=lang)

