"""The view an export is made for, and what every export of it says about itself.

The page's map, chart and data exports, the briefing packs and ``python -m geo brief`` all describe a
view from here, the same way: the area label (naming every active filter), the title, the target
subtitle, the source line, the illustrative mark, the data files' metadata and their names. The page
hands over the communes it already filtered (``selected``) and assessed (``assessed``), so filters are
applied once per rerun; a view made for another province (a pack of many) computes its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go

from geo.geometry.boundaries import BOUNDARY_SOURCE, Layers
from geo.indicators.registry import Registry, Target
from geo.indicators.selection import Filters, assess_communes, filter_communes, join_indicator
from geo.reference.communes import COMMUNE_TYPES
from geo.reporting import briefing as gb
from geo.reporting import publication as gx
from geo.reporting.charts import for_print
from geo.reporting.export_map import build_export_map
from geo.reporting.filenames import Selection
from geo.reporting.render import render_publication
from geo.reporting.tabular import FileMeta, describe_file
from geo.store.keys import dataset_key
from geo.text.catalogue import catalogue, say

LAGGING_TOP = 15
STATUS_COLOURINGS = ("status", "certainty", "trend")  # map colourings an export draws as met / not met
YES_NO_FILTERS = ("em_area", "border", "coastal", "island")  # Filters fields, each named by filter.<field>
_CARTESIAN_ROOM = 64  # px under a chart's x axis (tick labels and axis title) before the footer starts


@dataclass(frozen=True)
class ExportView:
    """The selection an export is made for (what ui.context.Context holds, minus the page)."""

    reg: Registry
    layers: Layers
    communes: pd.DataFrame  # all communes with the dataset's attributes (em_area, under5…)
    values: pd.DataFrame
    dataset_name: str
    dataset_version: str  # "" when the dataset has no stored version (illustrative, an unsaved upload)
    illustrative: bool
    framework: str
    indicator: str
    year: int
    target_year: int
    lang: str
    filters: Filters = field(default_factory=Filters)
    selected: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # communes inside `filters`
    assessed: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # `selected`, joined, assessed

    def for_province(self, code: str | None) -> ExportView:
        """The same selection for another area; frames handed over for this area are not carried along."""
        if (code or None) == self.filters.province:
            return self
        return replace(self, filters=replace(self.filters, province=code or None), selected=None, assessed=None)

    @property
    def meta(self) -> dict:
        meta = self.reg.indicator(self.indicator)
        return meta | {"short": meta[f"short_{self.lang}"]}

    @property
    def target(self) -> Target | None:
        return self.reg.target(self.framework, self.indicator, self.target_year)

    def selected_communes(self) -> pd.DataFrame:
        """The communes inside the filters: the caller's, or filtered here once."""
        return self.selected if self.selected is not None else filter_communes(self.communes, self.filters)

    def frame(self) -> pd.DataFrame:
        """The communes of the view joined to the indicator-year and assessed (as the pages' context does)."""
        if self.assessed is not None:
            return self.assessed
        joined, _ = join_indicator(self.selected_communes(), self.values, self.indicator, self.year)
        return assess_communes(joined, self.meta, self.target)

    def province_name(self, code: str) -> str:
        return str(self.layers.provinces.set_index("code").loc[code, "name"])

    def area_name(self) -> str:
        code = self.filters.province
        return self.province_name(code) if code else say("filter.all_country", self.lang)


def labels(lang: str, target_year: int) -> dict[str, str]:
    """Every label the export builders read (publication, export map, briefing), from the catalogue.

    Templates stay unformatted (the builders fill them), but for the two whose numbers are the view's.
    """
    raw = catalogue()[lang]
    out = {key: raw[key] for key in dict.fromkeys((*gx.LABEL_KEYS, *gb.LABEL_KEYS))}
    out["briefing.col.communes_meeting"] = say("briefing.col.communes_meeting", lang, year=target_year)
    out["briefing.lagging_note"] = say("briefing.lagging_note", lang, n=LAGGING_TOP)
    return out


def _yes_no_filters(filters: Filters, lang: str) -> list[str]:
    """'Xã biên giới: Có' for every yes/no filter that is set, in YES_NO_FILTERS order."""
    yes, no = say("yes", lang), say("no", lang)
    return [f"{say(f'filter.{name}', lang)}: {yes if getattr(filters, name) else no}"
            for name in YES_NO_FILTERS if getattr(filters, name) is not None]


def area_label(view: ExportView) -> str:
    """The area plus every filter that narrows it, e.g. 'Quảng Ninh (Xã ven biển: Có; Xã đảo: Không)'."""
    lang, f = view.lang, view.filters
    extra = _yes_no_filters(f, lang)
    if set(f.commune_types) != set(COMMUNE_TYPES):
        extra.append(", ".join(say(f"type.{c}", lang) for c in f.commune_types))
    return view.area_name() + (f" ({'; '.join(extra)})" if extra else "")


def filters_text(view: ExportView) -> str:
    """The area and every filter, for a data file's metadata: 'Lai Châu; Xã biên giới: Có; Loại đơn vị: Xã'."""
    lang, f = view.lang, view.filters
    types = f"{say('filter.type', lang)}: " + ", ".join(say(f"type.{c}", lang) for c in f.commune_types)
    return "; ".join([view.area_name(), *_yes_no_filters(f, lang), types])


def framework_name(view: ExportView, framework: str | None = None) -> str:
    return view.reg.framework(framework or view.framework)[f"name_{view.lang}"]


def framework_note(view: ExportView) -> str:
    """The plan's source and note for exports, saying when its values come from a summary."""
    lang, framework = view.lang, view.reg.framework(view.framework)
    return " ".join(x for x in (
        framework[f"source_{lang}"] + ".", framework[f"note_{lang}"],
        say("plan.from_summary", lang, name=framework[f"name_{lang}"]) if view.reg.from_summary(view.framework)
        else "",
    ) if x)


def dataset_identity(view: ExportView) -> tuple[str, str]:
    """(dataset, version) for source lines: the built-in model, an unsaved upload, or a stored name and version."""
    lang = view.lang
    if view.illustrative:
        from geo.synthetic.illustrative import MODEL_VERSION

        return say("illustrative.badge", lang), say("export.version_builtin", lang, model=MODEL_VERSION)
    if not view.dataset_version:
        return say("export.dataset_preview", lang), say("export.version_unsaved", lang)
    return view.dataset_name, view.dataset_version


def target_text(view: ExportView) -> str:
    target = view.target
    return target.text(view.lang) if target is not None else say("status.no_target", view.lang)


def title(view: ExportView) -> str:
    """'<indicator> — <area with its filters>, <year>'."""
    return gx.compose_title(labels(view.lang, view.target_year), indicator=view.meta[f"name_{view.lang}"],
                            area=area_label(view), year=view.year)


def subtitle(view: ExportView) -> str:
    return gx.compose_subtitle(labels(view.lang, view.target_year), target=target_text(view),
                               target_year=view.target_year, framework=framework_name(view))


def source_line(view: ExportView) -> str:
    dataset, version = dataset_identity(view)
    return gx.compose_source_line(labels(view.lang, view.target_year), dataset=dataset, version=version,
                                  boundary=BOUNDARY_SOURCE)


def mark(view: ExportView) -> str:
    """The illustrative mark for a file's metadata ('' for real data)."""
    if not view.illustrative:
        return ""
    return f"{say('illustrative.badge', view.lang)} — {say('illustrative.note', view.lang)}"


def decorate(view: ExportView, fig: go.Figure, *, title: str, width_px: int, height_px: int) -> go.Figure:
    """Title block, target subtitle, source line, data date and (illustrative data) the mark."""
    return gx.decorate_for_publication(
        fig, title=title, subtitle=subtitle(view), source_line=source_line(view), reference_date=str(view.year),
        illustrative=view.illustrative, labels=labels(view.lang, view.target_year), width_px=width_px,
        height_px=height_px)


def _is_cartesian(fig: go.Figure) -> bool:
    return any(tr.type in ("scatter", "scattergl", "bar", "box", "histogram", "violin") for tr in fig.data)


def decorate_chart(view: ExportView, fig: go.Figure, *, title: str, width_px: int, height_px: int) -> go.Figure:
    """A chart decorated for print: legend above the plot, footer below the x axis."""
    cartesian = _is_cartesian(fig)
    fig = for_print(fig) if cartesian else go.Figure(fig)
    if cartesian:
        fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
                          height=None, width=None)
    out = decorate(view, fig, title=title, width_px=width_px, height_px=height_px)
    if cartesian:
        footer = ("source", "reference_date", "illustrative_banner")
        for note in out.layout.annotations:
            if note.name in footer:
                note.yshift = (note.yshift or 0) - _CARTESIAN_ROOM
        out.update_layout(margin={"b": (out.layout.margin.b or 0) + _CARTESIAN_ROOM})
    return out


def render_files(view: ExportView, fig: go.Figure, *, title: str, width_px: int, height_px: int, scale: float
                 ) -> dict[str, bytes]:
    """PNG at `scale`, SVG and PDF at their nominal size (width_px x height_px CSS px, i.e. A4 for 1123 x 794),
    all from one browser session; the PDF and SVG are titled with the chart's own title."""
    dataset, version = dataset_identity(view)
    return render_publication(fig, title=title, subject=subtitle(view), source=source_line(view),
                              author=f"{dataset} ({version})", mark=mark(view), width_px=width_px,
                              height_px=height_px, scale=scale)


def map_mode(view: ExportView, colouring: str) -> str:
    """Status colours for the status/certainty/trend colourings (when there is a target), values otherwise."""
    return "status" if colouring in STATUS_COLOURINGS and view.target is not None else "value"


def province_map(view: ExportView, provinces: pd.DataFrame, shapes: gpd.GeoDataFrame) -> go.Figure:
    """Static province map (status against the target year) of geo.analysis.overview.summarise_provinces rows.

    shapes: province polygons with id `code`; the interactive province map draws with MapLibre from a
    URL, which a static export cannot use.
    """
    frame = provinces.rename(columns={"province_code": "code"})[["code", "value", "status"]]
    mode = "status" if view.target is not None else "value"
    drawn = shapes[shapes["code"].isin(frame["code"].astype(str))]
    return build_export_map(shapes, frame, mode=mode, meta=view.meta, labels=labels(view.lang, view.target_year),
                            lang=view.lang, outlines=drawn)


def file_meta(view: ExportView, title: str) -> FileMeta:
    """Metadata of every data file of this view (geo.reporting.tabular's one builder)."""
    lang = view.lang
    dataset, version = dataset_identity(view)
    framework = view.reg.framework(view.framework)
    return describe_file(
        lang=lang, title=title, indicator=view.meta[f"name_{lang}"], definition=view.meta[f"definition_{lang}"],
        year=view.year, target=f"{view.target_year}: {target_text(view)}", framework=framework[f"name_{lang}"],
        framework_source=str(framework.get(f"source_{lang}") or ""), framework_note=framework_note(view),
        filters=filters_text(view), dataset=f"{dataset} ({version})", boundary=BOUNDARY_SOURCE,
        illustrative=view.illustrative, created=datetime.now().astimezone().isoformat(timespec="seconds"))


def file_selection(view: ExportView, extra: Mapping[str, str] | None = None) -> Selection:
    """What a downloaded file shows, for its name: every part of the view that changes its content."""
    f = view.filters
    version = int(view.dataset_version) if view.dataset_version else None
    dataset = "" if view.illustrative else dataset_key(view.dataset_name, version)
    return Selection(indicator=view.indicator, year=view.year, target_year=view.target_year,
                     framework=view.framework, province=f.province or "",
                     province_name=view.area_name() if f.province else "",
                     flags=_name_flags(f), commune_types=f.commune_types,
                     all_commune_types=COMMUNE_TYPES, dataset=dataset, extra=dict(extra or {}))


def _name_flags(f: Filters) -> dict[str, bool | None]:
    """Yes/no filters for a file name; coastal and island only when set, so the hash a long name ends with
    (geo.reporting.filenames.canonical) stays what it was for every selection without them."""
    later = {name: getattr(f, name) for name in ("coastal", "island") if getattr(f, name) is not None}
    return {"em_area": f.em_area, "border": f.border, **later}


def indicator_decimals(meta: Mapping) -> int:
    """Decimals shown for the indicator: its metadata's `decimals` when the registry has one, else one."""
    value = meta.get("decimals")
    return int(value) if value not in (None, "") and not pd.isna(value) else 1
