"""Publication exports in the UI: the map as PNG/SVG/PDF, any chart's files, the data behind them, the briefing pack.

Heavy work (drawing in headless Chromium, writing the PDF and the deck) only runs when a button is
clicked; the files are kept in st.session_state together with the view they were made for, and
their download buttons disappear as soon as the view (or the requested size) changes, so a download
never hands out a map of another selection. What an export says and draws is built in geo/reporting
(export_view, briefing_content); this module hands it the context's view and keeps the files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo.errors import DataError
from geo.geometry.boundaries import dissolve_provinces
from geo.reporting import briefing_content as bc
from geo.reporting import export_view as ev
from geo.reporting import packs
from geo.reporting.bundle import csv_bundle
from geo.reporting.filenames import file_name, file_stem
from geo.reporting.tabular import DataTable
from geo.reporting.workbook import xlsx_workbook
from geo.text.fold import searchable
from geo.text.numbers import format_number
from ui.process import rerun_slots

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
MIMES = {"zip": "application/zip", "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_DOWNLOAD = {"on_click": "ignore", "icon": ":material/download:", "width": "stretch"}  # no rerun on click

# --- what the current view is -------------------------------------------------------------------------


def export_view(ctx) -> ev.ExportView:
    """This session's view for geo.reporting (the CLI builds the same from arguments), with the communes the
    context already filtered and assessed, so nothing here applies the filters again."""
    sel = ctx.sel
    return ev.ExportView(reg=ctx.reg, layers=ctx.layers, communes=ctx.communes, values=ctx.dataset.values,
                         dataset_name=ctx.dataset.name, dataset_version=str(ctx.dataset.version or ""),
                         illustrative=ctx.illustrative, framework=sel.framework, indicator=sel.indicator,
                         year=sel.year, target_year=sel.target_year, lang=ctx.lang, filters=sel.filters,
                         selected=ctx.selected, assessed=ctx.frame)


def export_mode(ctx) -> str:
    return ev.map_mode(export_view(ctx), ctx.sel.colour)


def view_key(ctx, *extra) -> tuple:
    """Everything that changes what an export shows; files made for another key are not offered."""
    sel = ctx.sel
    return (ctx.dataset.name, ctx.dataset.version, ctx.layers.key, sel.lang, sel.framework, sel.indicator,
            sel.year, sel.target_year, sel.filters, *extra)


def base_name(ctx, kind: str) -> str:
    """File names (without extension) that say what is inside; see geo.reporting.filenames."""
    return file_stem(ev.file_selection(export_view(ctx)), kind)


def area_label(ctx) -> str:
    return ev.area_label(export_view(ctx))


def map_title(ctx) -> str:
    return ev.title(export_view(ctx))


# --- geometry (cached per process) -----------------------------------------------------------------------


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


def _geometry(ctx) -> bc.Geometry:
    """Commune polygons for the packs, from the process-wide cached layers."""
    def read(province: str | None):
        if not province:
            return _national_geometry(ctx.layers.key, ctx.layers), _province_shapes(ctx.layers.key, ctx.layers)
        detail = _detail_geometry(ctx.layers.key, ctx.layers)
        communes = detail[detail["province_code"] == province].reset_index(drop=True)
        return communes, dissolve_provinces(communes).rename(columns={"province_code": "code"})

    return read


def map_figure(ctx, *, mode: str | None = None, width_px: int, height_px: int) -> go.Figure:
    """The current view as a decorated vector map (embedded geometry, no MapLibre): the briefing's builder."""
    return bc.map_figure(export_view(ctx), ctx.frame, _geometry(ctx), mode=mode or export_mode(ctx),
                         width_px=width_px, height_px=height_px)


def render_map_files(ctx, *, width_px: int, height_px: int, scale: float) -> dict[str, bytes]:
    """PNG, SVG and PDF of the current map view, drawn in one browser session."""
    return ev.render_files(export_view(ctx), map_figure(ctx, width_px=width_px, height_px=height_px),
                           title=map_title(ctx), width_px=width_px, height_px=height_px, scale=scale)


def province_export_figure(ctx, provinces: pd.DataFrame) -> go.Figure:
    """Static province map of summarise_provinces rows for chart_export_buttons on the overview."""
    return ev.province_map(export_view(ctx), provinces, _province_shapes(ctx.layers.key, ctx.layers))


def render_chart_files(ctx, fig: go.Figure, *, title: str, size: tuple[int, int, float] = CHART_SIZE
                       ) -> dict[str, bytes]:
    width, height, scale = size
    view = export_view(ctx)
    out = ev.decorate_chart(view, fig, title=title, width_px=width, height_px=height)
    return ev.render_files(view, out, title=title, width_px=width, height_px=height, scale=scale)


# --- the data behind a chart ------------------------------------------------------------------------------


def download_name(ctx, kind: str, ext: str, extra: dict[str, str] | None = None) -> str:
    return file_name(ev.file_selection(export_view(ctx), extra), kind, ext)


def data_table(view, name: str, decimals: int = 1) -> DataTable:
    """A ui.tables.TableView as a typed table for the writers (same rows, same columns, same kinds)."""
    return DataTable(frame=view.export, kinds=view.kinds, name=name, decimals=decimals)


def indicator_decimals(ctx) -> int:
    return ev.indicator_decimals(ctx.meta)


def data_files(ctx, tables: list[DataTable], *, title: str) -> dict[str, bytes]:
    """The CSV bundle (zip) and the workbook of these tables, with this view's metadata."""
    meta = ev.file_meta(export_view(ctx), title)
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
    view = export_view(ctx)
    c1, c2 = st.columns(2)
    c1.download_button(t("download.bundle"), lambda: csv_bundle(tables(), ev.file_meta(view, title)),
                       file_name=download_name(ctx, kind, "zip", extra), mime=MIMES["zip"], key=f"{key}_csv",
                       **_DOWNLOAD)
    c2.download_button(t("download.workbook"), lambda: xlsx_workbook(tables(), ev.file_meta(view, title)),
                       file_name=download_name(ctx, kind, "xlsx", extra), mime=MIMES["xlsx"], key=f"{key}_xlsx",
                       **_DOWNLOAD)


# --- the briefing pack ------------------------------------------------------------------------------------


def build_briefing_files(ctx, progress: Callable[[float, str], None] | None = None) -> dict[str, bytes]:
    """The briefing of the current view as A4 PDF and 16:9 PPTX (the same builder as every multi-province pack)."""
    say = progress or (lambda _f, _m: None)
    say(0.05, "render")
    result = bc.make_packs(export_view(ctx), [ctx.sel.filters.province], geometry=_geometry(ctx),
                           progress=lambda f, _m: say(f, "done"))[0]
    if not result.ok:
        raise DataError(vi=result.error_vi, en=result.error_en)
    if result.note:
        st.session_state[BRIEFING_NOTE] = result.note
    return result.files


def build_province_packs(ctx, provinces: list[str], progress: Callable[[float, str], None]) -> dict:
    """Packs for these provinces of the same selection: files by name (PDF, PPTX, index) and the results."""
    view = export_view(ctx)
    results = bc.make_packs(view, list(provinces), geometry=_geometry(ctx), progress=progress)
    return {"files": bc.set_files(view, results), "ok": sum(r.ok for r in results),
            "failed": sum(not r.ok for r in results)}


# --- widgets ----------------------------------------------------------------------------------------------


def _run_safely(ctx, action: Callable[[], object]) -> object | None:
    """Run an export; any failure becomes a message in the session's language, never a traceback."""
    t = ctx.t
    try:
        with rerun_slots().released():  # renders wait on Chromium: other users' reruns go on meanwhile
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


def export_open_key(name: str) -> str:
    """Session key of an export panel's expander (True while open)."""
    return f"export_open_{name}"


def _lazy_expander(label: str, icon: str, name: str):
    """An expander whose body runs only while it is open (Streamlit's lazy expander).

    Closed, its widgets cost neither the rerun on the server nor rendering in the browser (the map
    page's first load: 3.82 → 3.61 s in bench/bench_browser.py).
    Opening one reruns the page once; its size fields then start from the default preset.
    """
    return st.expander(label, icon=icon, key=export_open_key(name), on_change="rerun")


def map_export_panel(ctx) -> None:
    """Map page: render the current view as PNG/SVG/PDF, and download the rows behind it."""
    t = ctx.t
    with _lazy_expander(t("export.section"), ":material/ios_share:", "map") as box:
        if not box.open:
            return
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
    with _lazy_expander(t("export.chart_section"), ":material/ios_share:", name) as box:
        if not box.open:
            return
        key = view_key(ctx, "chart", name, title, tuple(sorted((extra or {}).items())))
        if st.button(t("export.render_chart"), key=f"export_{name}_render", icon=":material/image:"):
            st.session_state.pop(state_key, None)
            with st.spinner(t("export.rendering"), show_time=True):
                files = _run_safely(ctx, lambda: render_chart_files(ctx, fig() if callable(fig) else fig,
                                                                    title=title))
            if files is not None:
                stem = file_stem(ev.file_selection(export_view(ctx), extra), name)
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
    with _lazy_expander(t("briefing.all_section"), ":material/library_books:", "packs") as box:
        if not box.open:
            return
        provinces = ctx.layers.provinces.sort_values("name")
        names = dict(zip(provinces["code"].astype(str), provinces["name"], strict=True))
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
