"""What a briefing pack shows for one area, computed without Streamlit: the page and ``python -m geo brief`` share it.

An ``ExportView`` (geo.reporting.export_view: dataset, plan, indicator, years, filters, language) is the
selection; every pack is built from one, for the view's own area or for each province in turn
(``for_province``). The map is
the commune-level map of the area (every commune its own shape, province outlines on top for the
country). Target columns show the chosen plan's target; where that plan states none for an
indicator, the target of the first plan that does (national plans first) is shown with that plan
named, and the status is judged against it, so a row never says "no target" while a plan has one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from geo.geometry.boundaries import BOUNDARY_SOURCE, Layers, dissolve_provinces
from geo.indicators.registry import Registry
from geo.indicators.selection import in_codes
from geo.reporting import briefing as gb
from geo.reporting import packs
from geo.reporting.export_map import build_export_map
from geo.reporting.export_view import (
    LAGGING_TOP,
    ExportView,
    area_label,
    dataset_identity,
    decorate,
    framework_name,
    labels,
    target_text,
    title,
)
from geo.text.catalogue import say
from geo.text.numbers import format_percent

BRIEFING_MAP_SIZE = (1200, 900, 1.75)  # ~2100 px wide: 300 dpi across the A4 text width
TARGET_YEARS = (2025, 2030)
Geometry = Callable[[str | None], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]


def fallback_frameworks(reg: Registry, chosen: str) -> list[str]:
    """Other plans to take a missing target from: national ones first, then file order."""
    others = [f for f in reg.framework_ids() if f != chosen]
    return sorted(others, key=lambda f: reg.framework(f).get("scope") != "national")


_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def status_table(view: ExportView) -> tuple[pd.DataFrame, list[str]]:
    """briefing.STATUS_COLUMNS for every indicator, and the notes naming the other plans used.

    Where the chosen plan has no target for an indicator and year, the first other plan's target is
    shown with a mark (¹, ²…) and judged against; each note says which plan a mark stands for.
    """
    from geo.analysis.overview import summarise_targets

    reg, lang = view.reg, view.lang
    selected = view.selected_communes()  # already inside the filters
    # the year's rows of the area, filtered once
    values = view.values[(view.values["year"] == view.year) & in_codes(view.values["code"], selected["code"])]
    table = summarise_targets(selected, values, reg, view.framework, view.year, lang=lang).set_index("indicator")
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
                        others[fw] = summarise_targets(selected, values, reg, fw, view.year,
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


def equity_rows(view: ExportView) -> list[dict]:
    """Group-vs-rest for every indicator and priority group (the equity page's national table)."""
    from geo.analysis.equity import compare_groups_many
    from geo.analysis.overview import list_indicators

    communes = view.selected_communes()
    metas = list_indicators(view.reg)
    targets = {m["id"]: view.reg.target(view.framework, m["id"], view.target_year) for m in metas}
    by_group = compare_groups_many(communes, view.values, metas, targets, view.year, groups=("em_area", "border"))
    return [{"indicator": m["id"], "group": group, **by_group[group][k]}
            for k, m in enumerate(metas) for group in ("em_area", "border")]


def equity_table(view: ExportView, rows: list[dict] | None = None) -> pd.DataFrame:
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


def lagging_table(view: ExportView, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
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


def briefing_content(view: ExportView, frame: pd.DataFrame, map_png: bytes | None,
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


def map_figure(view: ExportView, frame: pd.DataFrame, geometry: Geometry, *, mode: str | None = None,
               width_px: int, height_px: int) -> go.Figure:
    """The view as a decorated vector map of its communes (status against the target year when there is one)."""
    communes, outlines = geometry(view.filters.province)
    mode = mode or ("status" if view.target is not None else "value")
    fig = build_export_map(communes, frame[["code", "value", "status"]], mode=mode, meta=view.meta,
                           labels=labels(view.lang, view.target_year), lang=view.lang, outlines=outlines,
                           decimals=4 if view.filters.province else 3)
    return decorate(view, fig, title=title(view), width_px=width_px, height_px=height_px)


# --- one or many packs -------------------------------------------------------------------------------------


def pack_job(view: ExportView, geometry: Geometry, stem: str) -> packs.PackJob:
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


def province_stem(view: ExportView, code: str) -> str:
    from geo.reporting.filenames import slug

    return f"briefing_{view.lang}_{code}-{slug(view.province_name(code))}_y{view.year}_t{view.target_year}"


def make_packs(view: ExportView, provinces: list[str | None], *, progress: packs.Progress | None = None,
               render: packs.Renderer | None = None, geometry: Geometry | None = None) -> list[packs.PackResult]:
    """Packs for these areas (None = the whole country) of the same selection, in order."""
    if render is None:
        from geo.reporting.render import render_figures as render
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


def set_files(view: ExportView, results: list[packs.PackResult]) -> dict[str, bytes]:
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


def run_packs(*, view: ExportView, provinces: list[str], out_dir: Path,
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
              dataset: str = "", reference_dir: Path | None = None) -> ExportView:
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

        data = ill.illustrative_for(ref, layers.communes, reg)
        values, attributes, illustrative, name, ds_version = data.values, data.attributes, True, "", ""
    from geo.indicators.coverage import mark_values

    values = mark_values(values)  # as the pages do by default: partial communes out of the aggregates
    return ExportView(reg=reg, layers=layers, communes=attach_attributes(layers.communes, attributes), values=values,
                     dataset_name=name, dataset_version=ds_version, illustrative=illustrative,
                     framework=framework or reg.default_framework(), indicator=indicator or reg.indicator_ids()[0],
                     year=year, target_year=target_year, lang=lang)

