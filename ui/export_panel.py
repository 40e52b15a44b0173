"""Publication exports in the UI: the map as PNG/SVG/PDF, any chart's files, the data behind them, the briefing pack.

Heavy work (drawing in headless Chromium, writing the PDF and the deck) only runs when a button is
clicked; the files are kept in st.session_state together with the view they were made for, and
their download buttons disappear as soon as the view (or the requested size) changes, so a download
never hands out a map of another selection. The pure builders live in geo/export.py and
geo/briefing.py; this module gathers what the current view shows and passes it on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo.errors import DataError
from geo.geometry.boundaries import BOUNDARY_SOURCE, dissolve_provinces
from geo.reference.communes import COMMUNE_TYPES
from geo.reporting import briefing_content as bc
from geo.reporting import packs
from geo.reporting import publication as gx
from geo.reporting.bundle import csv_bundle
from geo.reporting.charts import for_print
from geo.reporting.filenames import Selection, file_name, file_stem
from geo.reporting.tabular import DataTable, FileMeta, describe_file
from geo.reporting.workbook import xlsx_workbook
from geo.store.keys import dataset_key
from geo.synthetic.illustrative import MODEL_VERSION
from geo.text.fold import searchable
from geo.text.numbers import format_number

_LOG = logging.getLogger(__name__)

MAP_STATE = "_export_map"  # {"key": view, "files": {fmt: bytes}, "base": name, "size": (w, h)}
BRIEFING_NOTE = "_export_briefing_note"  # why the last pack has no map image (shown next to its downloads)
BRIEFING_STATE = "_export_briefing"  # {"key": view, "files": {"pdf": bytes, "pptx": bytes}, "base": name}
CHART_STATE = "_export_chart_"  # + chart name; same shape as MAP_STATE

# name -> (width px, height px, PNG scale). A4 is 297 x 210 mm = 1123 x 794 CSS px; x3.125 is 300 dpi.
SIZE_PRESETS = {
    "a4_landscape": (1123, 794, 3.125),
    "a4_portrait": (794, 1123, 3.125),
    "slide": (1600, 900, 1.2),
    "large": (1600, 1200, 1.0),
    "medium": (1200, 900, 1.0),
}
DEFAULT_PRESET = "large"
CHART_SIZE = (1600, 1000, 1.0)
LAGGING_TOP = bc.LAGGING_TOP
MIMES = {"zip": "application/zip", "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_STATUS_COLOURS = ("status", "certainty", "trend")
_DOWNLOAD = {"on_click": "ignore", "icon": ":material/download:", "width": "stretch"}  # no rerun on click
_CARTESIAN_ROOM = 64  # px under a chart's x axis (tick labels and axis title) before the footer starts

# Every label the builders read (geo.export.LABEL_KEYS + geo.briefing.LABEL_KEYS), spelled out so the
# strings test sees each key used.
LABEL_KEYS = (
    "status.met", "status.not_met", "status.no_data", "status.no_target", "status.not_applicable", "yes", "no",
    "legend.title",
    "illustrative.badge", "illustrative.note",
    "export.title", "export.subtitle", "export.source_line", "export.reference_date",
    "download.meta_indicator", "download.meta_definition", "download.meta_year", "download.meta_filters",
    "download.meta_target", "download.meta_framework", "download.meta_dataset", "download.meta_reference_date",
    "download.meta_created", "download.meta_illustrative",
    "briefing.title", "briefing.framework", "briefing.dataset", "briefing.reference_date", "briefing.prepared_on",
    "briefing.boundary", "briefing.status_title", "briefing.map_title", "briefing.equity_title",
    "briefing.equity_note", "briefing.lagging_title", "briefing.lagging_note", "briefing.no_map",
    "briefing.empty", "briefing.continued", "briefing.page",
    "briefing.col.indicator", "briefing.col.value", "briefing.col.target_2025", "briefing.col.target_2030",
    "briefing.col.status_2025", "briefing.col.status_2030", "briefing.col.em_area",
    "briefing.col.non_em_area", "briefing.col.em_gap", "briefing.col.border", "briefing.col.non_border",
    "briefing.col.border_gap", "briefing.col.commune", "briefing.col.province", "briefing.col.target",
    "briefing.col.gap",
)


# --- what the current view is -------------------------------------------------------------------------


def export_labels(ctx) -> dict[str, str]:
    """Translated labels for geo.export and geo.briefing, in the session's language."""
    t = ctx.t
    labels = {key: t(key) for key in LABEL_KEYS}
    labels["briefing.col.communes_meeting"] = t("briefing.col.communes_meeting", year=ctx.sel.target_year)
    labels["briefing.lagging_note"] = t("briefing.lagging_note", n=LAGGING_TOP)
    return labels


def export_mode(ctx) -> str:
    """Status colours for the status/certainty/trend views (when there is a target), values otherwise."""
    return "status" if ctx.sel.colour in _STATUS_COLOURS and ctx.target is not None else "value"


def view_key(ctx, *extra) -> tuple:
    """Everything that changes what an export shows; files made for another key are not offered."""
    sel = ctx.sel
    return (ctx.dataset.name, ctx.dataset.version, ctx.layers.key, sel.lang, sel.framework, sel.indicator,
            sel.year, sel.target_year, sel.filters, *extra)


def base_name(ctx, kind: str) -> str:
    """File names (without extension) that say what is inside; see geo.reporting.filenames."""
    return file_stem(file_selection(ctx), kind)


def area_label(ctx) -> str:
    """The area plus any filter that narrows it, e.g. 'Lai Châu (Xã biên giới: Có)'."""
    t, filters = ctx.t, ctx.sel.filters
    extra = []
    if filters.em_area is not None:
        extra.append(f"{t('filter.em_area')}: {t('yes') if filters.em_area else t('no')}")
    if filters.border is not None:
        extra.append(f"{t('filter.border')}: {t('yes') if filters.border else t('no')}")
    if set(filters.commune_types) != set(COMMUNE_TYPES):
        extra.append(", ".join(t(f"type.{c}") for c in filters.commune_types))
    return ctx.area_name() + (f" ({'; '.join(extra)})" if extra else "")


def dataset_identity(ctx) -> tuple[str, str]:
    """(dataset, version) for source lines: a stored upload's name and version, or the built-in model."""
    if ctx.illustrative or ctx.dataset.version is None:
        return ctx.t("illustrative.badge"), ctx.t("export.version_builtin", model=MODEL_VERSION)
    return ctx.dataset.name, str(ctx.dataset.version)


def _framework_name(ctx) -> str:
    return ctx.reg.framework(ctx.sel.framework)[f"name_{ctx.lang}"]


def _target_text(ctx) -> str:
    return ctx.target.text(ctx.lang) if ctx.target is not None else ctx.t("status.no_target")


def decorate(ctx, fig: go.Figure, *, title: str, width_px: int, height_px: int) -> go.Figure:
    """Title block, target subtitle, source line, data date and (illustrative data) the mark."""
    labels = export_labels(ctx)
    dataset, version = dataset_identity(ctx)
    return gx.decorate_for_publication(
        fig, title=title,
        subtitle=gx.compose_subtitle(labels, target=_target_text(ctx), target_year=ctx.sel.target_year,
                                     framework=_framework_name(ctx)),
        source_line=gx.compose_source_line(labels, dataset=dataset, version=version, boundary=BOUNDARY_SOURCE),
        reference_date=str(ctx.sel.year), illustrative=ctx.illustrative, labels=labels,
        width_px=width_px, height_px=height_px,
    )


def map_title(ctx) -> str:
    return gx.compose_title(export_labels(ctx), indicator=ctx.meta[f"name_{ctx.lang}"], area=area_label(ctx),
                            year=ctx.sel.year)


# --- geometry ---------------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def _national_geometry(layers_key: str, _layers) -> gpd.GeoDataFrame:
    return _layers.national_geometry()


@st.cache_resource(show_spinner=False, max_entries=2)
def _detail_geometry(layers_key: str, _layers) -> gpd.GeoDataFrame:
    return _layers.detail_geometry()


@st.cache_resource(show_spinner=False, max_entries=2)
def _province_shapes(layers_key: str, _layers) -> gpd.GeoDataFrame:
    """Province polygons dissolved from the national communes (so outlines sit on commune edges), id `code`."""
    shapes = dissolve_provinces(_national_geometry(layers_key, _layers))
    return shapes.rename(columns={"province_code": "code"})


def map_figure(ctx, *, mode: str | None = None, width_px: int, height_px: int) -> go.Figure:
    """The current view as a decorated vector map (embedded geometry, no MapLibre): the briefing's builder."""
    return bc.map_figure(brief_view(ctx), ctx.frame, _geometry(ctx), mode=mode or export_mode(ctx),
                         width_px=width_px, height_px=height_px)


def render_map_files(ctx, *, width_px: int, height_px: int, scale: float) -> dict[str, bytes]:
    """PNG, SVG and PDF of the current map view, drawn in one browser session."""
    return render_files(ctx, map_figure(ctx, width_px=width_px, height_px=height_px), title=map_title(ctx),
                        width_px=width_px, height_px=height_px, scale=scale)


def render_files(ctx, fig: go.Figure, *, title: str, width_px: int, height_px: int, scale: float
                 ) -> dict[str, bytes]:
    """PNG at `scale`, SVG and PDF at their nominal size (width_px x height_px CSS px, i.e. A4 for 1123 x 794),
    all from one browser session; the PDF and SVG are titled with the chart's own title."""
    labels = export_labels(ctx)
    dataset, version = dataset_identity(ctx)
    subject = gx.compose_subtitle(labels, target=_target_text(ctx), target_year=ctx.sel.target_year,
                                  framework=_framework_name(ctx))
    source = gx.compose_source_line(labels, dataset=dataset, version=version, boundary=BOUNDARY_SOURCE)
    mark = f"{labels['illustrative.badge']} — {labels['illustrative.note']}" if ctx.illustrative else ""
    return gx.render_publication(fig, title=title, subject=subject, source=source, author=f"{dataset} ({version})",
                                 mark=mark, width_px=width_px, height_px=height_px, scale=scale)


def province_export_figure(ctx, provinces: pd.DataFrame) -> go.Figure:
    """Static province map (status against the target year) for chart_export_buttons on the overview.

    provinces: geo.overview.summarise_provinces rows (province_code or code, value, status). The
    interactive province map draws with MapLibre from a URL, which a static export cannot use.
    """
    frame = provinces.rename(columns={"province_code": "code"})[["code", "value", "status"]]
    shapes = _province_shapes(ctx.layers.key, ctx.layers)
    mode = "status" if ctx.target is not None else "value"
    drawn = shapes[shapes["code"].isin(frame["code"].astype(str))]
    return gx.build_export_map(shapes, frame, mode=mode, meta=ctx.meta, labels=export_labels(ctx), lang=ctx.lang,
                               outlines=drawn)


# --- charts -----------------------------------------------------------------------------------------------


def _is_cartesian(fig: go.Figure) -> bool:
    return any(tr.type in ("scatter", "scattergl", "bar", "box", "histogram", "violin") for tr in fig.data)


def publication_chart(ctx, fig: go.Figure, *, title: str, width_px: int, height_px: int) -> go.Figure:
    """A chart decorated for print: legend above the plot, footer below the x axis."""
    cartesian = _is_cartesian(fig)
    fig = for_print(fig) if cartesian else go.Figure(fig)
    if cartesian:
        fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
                          height=None, width=None)
    out = decorate(ctx, fig, title=title, width_px=width_px, height_px=height_px)
    if cartesian:
        footer = ("source", "reference_date", "illustrative_banner")
        for note in out.layout.annotations:
            if note.name in footer:
                note.yshift = (note.yshift or 0) - _CARTESIAN_ROOM
        out.update_layout(margin={"b": (out.layout.margin.b or 0) + _CARTESIAN_ROOM})
    return out


def render_chart_files(ctx, fig: go.Figure, *, title: str, size: tuple[int, int, float] = CHART_SIZE
                       ) -> dict[str, bytes]:
    width, height, scale = size
    out = publication_chart(ctx, fig, title=title, width_px=width, height_px=height)
    return render_files(ctx, out, title=title, width_px=width, height_px=height, scale=scale)


# --- the data behind a chart ------------------------------------------------------------------------------


def file_meta(ctx, title: str) -> FileMeta:
    """Metadata of every data file of this view (geo's one builder, fed from the context)."""
    from ui.tables import filters_text, framework_note

    lang, sel = ctx.lang, ctx.sel
    dataset, version = dataset_identity(ctx)
    framework = ctx.reg.framework(sel.framework)
    return describe_file(
        lang=lang, title=title, indicator=ctx.meta[f"name_{lang}"], definition=ctx.meta[f"definition_{lang}"],
        year=sel.year, target=f"{sel.target_year}: {_target_text(ctx)}", framework=framework[f"name_{lang}"],
        framework_source=str(framework.get(f"source_{lang}") or ""),
        framework_note=framework_note(ctx), filters=filters_text(ctx),
        dataset=f"{dataset} ({version})", boundary=BOUNDARY_SOURCE, illustrative=ctx.illustrative,
        created=datetime.now().astimezone().isoformat(timespec="seconds"))


def file_selection(ctx, extra: dict[str, str] | None = None) -> Selection:
    """What a downloaded file shows, for its name: every part of the view that changes its content."""
    sel, f = ctx.sel, ctx.sel.filters
    dataset = "" if ctx.illustrative else dataset_key(ctx.dataset.name, ctx.dataset.version)
    return Selection(indicator=sel.indicator, year=sel.year, target_year=sel.target_year, framework=sel.framework,
                     province=f.province or "", province_name=ctx.area_name() if f.province else "",
                     flags={"em_area": f.em_area, "border": f.border}, commune_types=f.commune_types,
                     all_commune_types=COMMUNE_TYPES, dataset=dataset, extra=dict(extra or {}))


def download_name(ctx, kind: str, ext: str, extra: dict[str, str] | None = None) -> str:
    return file_name(file_selection(ctx, extra), kind, ext)


def data_table(view, name: str, decimals: int = 1) -> DataTable:
    """A ui.tables.TableView as a typed table for the writers (same rows, same columns, same kinds)."""
    return DataTable(frame=view.export, kinds=view.kinds, name=name, decimals=decimals)


def indicator_decimals(ctx) -> int:
    """Decimals shown for the indicator: its metadata's `decimals` when the registry has one, else one."""
    value = ctx.meta.get("decimals")
    return int(value) if value not in (None, "") and not pd.isna(value) else 1


def data_files(ctx, tables: list[DataTable], *, title: str) -> dict[str, bytes]:
    """The CSV bundle (zip) and the workbook of these tables, with this view's metadata."""
    meta = file_meta(ctx, title)
    return {"zip": csv_bundle(tables, meta), "xlsx": xlsx_workbook(tables, meta)}


def map_data(ctx) -> DataTable:
    """Exactly the communes of the map view (same filters), with translated headers."""
    from ui.tables import display_frame

    return data_table(display_frame(ctx.frame, ctx.t, ctx.lang, meta=ctx.meta), ctx.t("lagging.sheet"),
                      indicator_decimals(ctx))


def data_downloads(ctx, tables: Callable[[], list[DataTable]], *, kind: str, title: str, key: str,
                   extra: dict[str, str] | None = None) -> None:
    """The one pair of data buttons of the app: CSV bundle and Excel of exactly these rows, built on click.

    `tables` is a function, so the files are only written when someone downloads (export time = click time).
    """
    t = ctx.t
    c1, c2 = st.columns(2)
    c1.download_button(t("download.bundle"), lambda: csv_bundle(tables(), file_meta(ctx, title)),
                       file_name=download_name(ctx, kind, "zip", extra), mime=MIMES["zip"], key=f"{key}_csv",
                       **_DOWNLOAD)
    c2.download_button(t("download.workbook"), lambda: xlsx_workbook(tables(), file_meta(ctx, title)),
                       file_name=download_name(ctx, kind, "xlsx", extra), mime=MIMES["xlsx"], key=f"{key}_xlsx",
                       **_DOWNLOAD)


# --- the briefing pack ------------------------------------------------------------------------------------


def brief_view(ctx) -> bc.BriefView:
    """This session's selection for geo.reporting.briefing_content (the CLI builds the same from arguments)."""
    sel = ctx.sel
    dataset, version = dataset_identity(ctx)
    return bc.BriefView(reg=ctx.reg, layers=ctx.layers, communes=ctx.communes, values=ctx.dataset.values,
                        dataset_name=ctx.dataset.name, dataset_version=str(ctx.dataset.version or ""),
                        illustrative=ctx.illustrative, framework=sel.framework, indicator=sel.indicator, year=sel.year,
                        target_year=sel.target_year, lang=ctx.lang, filters=sel.filters)


def _geometry(ctx) -> bc.Geometry:
    """Commune polygons for the packs, from the process-wide cached layers."""
    def read(province: str | None):
        if not province:
            return _national_geometry(ctx.layers.key, ctx.layers), _province_shapes(ctx.layers.key, ctx.layers)
        detail = _detail_geometry(ctx.layers.key, ctx.layers)
        communes = detail[detail["province_code"] == province].reset_index(drop=True)
        return communes, dissolve_provinces(communes).rename(columns={"province_code": "code"})

    return read


def build_briefing_files(ctx, progress: Callable[[float, str], None] | None = None) -> dict[str, bytes]:
    """The briefing of the current view as A4 PDF and 16:9 PPTX (the same builder as every multi-province pack)."""
    say = progress or (lambda _f, _m: None)
    say(0.05, "render")
    result = bc.make_packs(brief_view(ctx), [ctx.sel.filters.province], geometry=_geometry(ctx),
                           progress=lambda f, _m: say(f, "done"))[0]
    if not result.ok:
        raise DataError(vi=result.error_vi, en=result.error_en)
    if result.note:
        st.session_state[BRIEFING_NOTE] = result.note
    return result.files


def build_province_packs(ctx, provinces: list[str], progress: Callable[[float, str], None]) -> dict:
    """Packs for these provinces of the same selection: files by name (PDF, PPTX, index) and the results."""
    view = brief_view(ctx)
    results = bc.make_packs(view, list(provinces), geometry=_geometry(ctx), progress=progress)
    return {"files": bc.set_files(view, results), "ok": sum(r.ok for r in results),
            "failed": sum(not r.ok for r in results)}


# --- widgets ----------------------------------------------------------------------------------------------


def _run_safely(ctx, action: Callable[[], object]) -> object | None:
    """Run an export; any failure becomes a message in the session's language, never a traceback."""
    t = ctx.t
    try:
        return action()
    except DataError as err:
        _LOG.warning("export failed: %s", err.en)
        st.error(f"**{t('export.failed')}** {err.message(ctx.lang)}", icon=":material/warning:")
    except Exception as exc:  # noqa: BLE001 - a failed export must not take the page down
        _LOG.exception("export failed")
        st.error(f"**{t('export.failed')}** {t('export.failed_detail', error=type(exc).__name__)}",
                 icon=":material/warning:")
    return None


def _current(state_key: str, key: tuple) -> dict | None:
    """The stored result if it was made for this view; a stale one is dropped (frees the memory)."""
    stored = st.session_state.get(state_key)
    if stored is None:
        return None
    if stored.get("key") != key:
        del st.session_state[state_key]
        return None
    return stored


def _file_buttons(t, stored: dict, widget_key: str) -> None:
    files, base = stored["files"], stored["base"]
    width, height, scale = stored["size"]
    st.caption(t("export.ready", width=round(width * scale), height=round(height * scale)))
    columns = st.columns(len(files))
    for column, (fmt, data) in zip(columns, files.items(), strict=True):
        column.download_button(t(f"export.download_{fmt}"), data, file_name=f"{base}.{fmt}", mime=MIMES[fmt],
                               key=f"{widget_key}_{fmt}", **_DOWNLOAD)


def _apply_preset() -> None:
    width, height, scale = SIZE_PRESETS[st.session_state["export_preset"]]
    st.session_state.update(export_width=width, export_height=height, export_scale=scale)


def _size_controls(t) -> tuple[int, int, float]:
    """Preset picker that fills width, height and PNG scale; the three stay editable."""
    if "export_width" not in st.session_state:
        width, height, scale = SIZE_PRESETS[DEFAULT_PRESET]
        st.session_state.update(export_preset=DEFAULT_PRESET, export_width=width, export_height=height,
                                export_scale=scale)
    st.selectbox(t("export.size"), list(SIZE_PRESETS), key="export_preset", on_change=_apply_preset,
                 format_func=lambda p: searchable(t(f"export.preset.{p}")))
    c1, c2, c3 = st.columns(3)
    width = c1.number_input(t("export.width"), min_value=400, max_value=4000, step=50, key="export_width")
    height = c2.number_input(t("export.height"), min_value=300, max_value=4000, step=50, key="export_height")
    scale = c3.number_input(t("export.scale"), min_value=0.5, max_value=4.0, step=0.25, key="export_scale",
                            format="%.3f", help=t("export.scale_help"))
    return int(width), int(height), float(scale)


def map_export_panel(ctx) -> None:
    """Map page: render the current view as PNG/SVG/PDF, and download the rows behind it."""
    t = ctx.t
    with st.expander(t("export.section"), icon=":material/ios_share:"):
        if ctx.frame.empty:
            st.info(t("export.empty"))
            return
        width, height, scale = _size_controls(t)
        mode = export_mode(ctx)
        st.caption(t(f"export.mode.{mode}", year=ctx.sel.target_year))
        key = view_key(ctx, "map", mode, width, height, scale)
        if st.button(t("export.render"), key="export_map_render", type="primary", icon=":material/print:",
                     help=t("export.render_help")):
            st.session_state.pop(MAP_STATE, None)
            with st.spinner(t("export.rendering"), show_time=True):
                files = _run_safely(ctx, lambda: render_map_files(ctx, width_px=width, height_px=height,
                                                                  scale=scale))
            if files is not None:
                st.session_state[MAP_STATE] = {"key": key, "files": files, "base": base_name(ctx, "map"),
                                               "size": (width, height, scale)}
        stored = _current(MAP_STATE, key)
        if stored is not None:
            _file_buttons(t, stored, "export_map")
        st.markdown(f"**{t('export.data_title')}**")
        st.caption(t("export.data_help", n=format_number(len(ctx.frame), ctx.lang)))
        data_downloads(ctx, lambda: [map_data(ctx)], kind="map_data", title=map_title(ctx), key="export_map_data")


def chart_export_buttons(fig: go.Figure | Callable[[], go.Figure], ctx, *, title: str, name: str,
                         data: tuple[int, Callable[[], list[DataTable]]] | None = None,
                         extra: dict[str, str] | None = None) -> None:
    """Any plotly chart (not a MapLibre map): its PNG/SVG/PDF on click, plus the rows behind it when given.

    `fig` may be a function, and `data` a (row count, function) pair, so what is made only for export is
    built on click, not on every rerun.
    """
    t = ctx.t
    state_key = CHART_STATE + name
    with st.expander(t("export.chart_section"), icon=":material/ios_share:"):
        key = view_key(ctx, "chart", name, title, tuple(sorted((extra or {}).items())))
        if st.button(t("export.render_chart"), key=f"export_{name}_render", icon=":material/image:"):
            st.session_state.pop(state_key, None)
            with st.spinner(t("export.rendering"), show_time=True):
                files = _run_safely(ctx, lambda: render_chart_files(ctx, fig() if callable(fig) else fig,
                                                                    title=title))
            if files is not None:
                stem = file_stem(file_selection(ctx, extra), name)
                st.session_state[state_key] = {"key": key, "files": files, "base": stem, "size": CHART_SIZE}
        stored = _current(state_key, key)
        if stored is not None:
            _file_buttons(t, stored, f"export_{name}")
        if data is not None:
            rows, tables = data
            st.caption(t("export.data_help", n=format_number(rows, ctx.lang)))
            data_downloads(ctx, tables, kind=f"{name}_data", title=title, key=f"export_{name}_data", extra=extra)


def briefing_panel(ctx) -> None:
    """Overview page: a five-page briefing (PDF, A4) and the same as slides (PPTX) for this selection."""
    t = ctx.t
    with st.container(border=True):
        st.markdown(f"**{t('briefing.section')}**")
        st.caption(t("briefing.intro", area=area_label(ctx), year=ctx.sel.year))
        key = view_key(ctx, "briefing")
        if st.button(t("briefing.button"), key="briefing_render", type="primary", icon=":material/description:"):
            st.session_state.pop(BRIEFING_STATE, None)
            st.session_state.pop(BRIEFING_NOTE, None)
            with st.status(t("briefing.working"), expanded=True) as status:
                bar = st.progress(0.0, text=t("briefing.step.start"))

                def report(fraction: float, step: str) -> None:
                    bar.progress(min(max(fraction, 0.0), 1.0), text=t(f"briefing.step.{step}"))

                files = _run_safely(ctx, lambda: build_briefing_files(ctx, report))
                if files is None:
                    status.update(label=t("export.failed"), state="error", expanded=True)
                else:
                    status.update(label=t("briefing.ready"), state="complete", expanded=False)
            if files is not None:
                st.session_state[BRIEFING_STATE] = {"key": key, "files": files,
                                                    "base": base_name(ctx, f"briefing_{ctx.lang}")}
        stored = _current(BRIEFING_STATE, key)
        if stored is not None:
            if st.session_state.get(BRIEFING_NOTE):
                st.warning(st.session_state[BRIEFING_NOTE], icon=":material/image:")
            c1, c2 = st.columns(2)
            for column, fmt in ((c1, "pdf"), (c2, "pptx")):
                column.download_button(t(f"briefing.download_{fmt}"), stored["files"][fmt],
                                       file_name=f"{stored['base']}.{fmt}", mime=MIMES[fmt],
                                       key=f"briefing_{fmt}", **_DOWNLOAD)
    _province_packs_panel(ctx)


PACKS_STATE = "_export_packs"  # {"key": view + provinces, "zip": bytes, "ok": n, "failed": n, "base": name}


def _province_packs_panel(ctx) -> None:
    """Packs for every province (or a chosen list) of the same selection, in one click, with a progress bar."""
    t = ctx.t
    provinces = ctx.layers.provinces.sort_values("name")
    names = dict(zip(provinces["code"].astype(str), provinces["name"], strict=True))
    with st.expander(t("briefing.all_section"), icon=":material/library_books:"):
        chosen = st.multiselect(t("briefing.all_pick"), list(names), key="briefing_provinces",
                                format_func=lambda c: searchable(names.get(c, c)))
        codes = chosen or list(names)
        key = view_key(ctx, "packs", tuple(codes))
        if st.button(t("briefing.all_button"), key="briefing_all_render", icon=":material/library_books:"):
            st.session_state.pop(PACKS_STATE, None)
            bar = st.progress(0.0, text=t("briefing.step.start"))
            done = {"n": 0}

            def report(fraction: float, name: str) -> None:
                done["n"] += 1
                bar.progress(min(max(fraction, 0.0), 1.0),
                             text=t("briefing.all_working", done=done["n"], total=len(codes), name=name))

            made = _run_safely(ctx, lambda: build_province_packs(ctx, codes, report))
            if made is not None:
                bar.progress(1.0, text=t("briefing.all_ready", n=made["ok"], failed=made["failed"]))
                st.session_state[PACKS_STATE] = {"key": key, "zip": packs.zip_packs(made["files"]),
                                                 "files": made["files"], "ok": made["ok"], "failed": made["failed"],
                                                 "base": base_name(ctx, f"briefings_{ctx.lang}_{len(codes)}")}
        stored = _current(PACKS_STATE, key)
        if stored is not None:
            st.caption(t("briefing.all_ready", n=stored["ok"], failed=stored["failed"]))
            st.download_button(t("briefing.all_download"), stored["zip"], file_name=f"{stored['base']}.zip",
                               mime=MIMES["zip"], key="briefing_all_zip", **_DOWNLOAD)
