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
from datetime import date, datetime

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo.errors import DataError
from geo.geometry.boundaries import BOUNDARY_SOURCE, dissolve_provinces
from geo.reference.communes import COMMUNE_TYPES
from geo.reporting import briefing as gb
from geo.reporting import publication as gx
from geo.store.keys import dataset_key
from geo.synthetic.illustrative import MODEL_VERSION
from geo.text.numbers import format_number, format_percent

_LOG = logging.getLogger(__name__)

MAP_STATE = "_export_map"  # {"key": view, "files": {fmt: bytes}, "base": name, "size": (w, h)}
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
BRIEFING_MAP_SIZE = (1200, 900, 1.75)  # ~2100 px wide: 300 dpi across the A4 text width
LAGGING_TOP = 15
MIMES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
_STATUS_COLOURS = ("status", "certainty", "trend")
_DOWNLOAD = {"on_click": "ignore", "icon": ":material/download:", "width": "stretch"}  # no rerun on click
_CARTESIAN_ROOM = 64  # px under a chart's x axis (tick labels and axis title) before the footer starts

# Every label the builders read (geo.export.LABEL_KEYS + geo.briefing.LABEL_KEYS), spelled out so the
# strings test sees each key used.
LABEL_KEYS = (
    "status.met", "status.not_met", "status.no_data", "status.no_target", "yes", "no", "legend.title",
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
    """File names like stunting_u5_2025_VN_map (ASCII, no spaces)."""
    sel = ctx.sel
    return f"{ctx.meta['id']}_{sel.year}_{sel.filters.province or 'VN'}_{kind}"


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
def _province_shapes(layers_key: str, _layers) -> gpd.GeoDataFrame:
    """Province polygons dissolved from the national communes (so outlines sit on commune edges), id `code`."""
    shapes = dissolve_provinces(_national_geometry(layers_key, _layers))
    return shapes.rename(columns={"province_code": "code"})


def _map_geometry(ctx) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(communes, province outlines): national detail for the country, full detail for one province."""
    province = ctx.sel.filters.province
    if not province:
        return _national_geometry(ctx.layers.key, ctx.layers), _province_shapes(ctx.layers.key, ctx.layers)
    detail = ctx.layers.detail_geometry()
    communes = detail[detail["province_code"] == province].reset_index(drop=True)
    outline = dissolve_provinces(communes).rename(columns={"province_code": "code"})
    return communes, outline


def map_figure(ctx, *, mode: str | None = None, width_px: int, height_px: int) -> go.Figure:
    """The current view as a decorated vector map (embedded geometry, no MapLibre)."""
    communes, outlines = _map_geometry(ctx)
    province = ctx.sel.filters.province
    fig = gx.build_export_map(communes, ctx.frame[["code", "value", "status"]], mode=mode or export_mode(ctx),
                              meta=ctx.meta, labels=export_labels(ctx), lang=ctx.lang, outlines=outlines,
                              decimals=4 if province else 3)
    return decorate(ctx, fig, title=map_title(ctx), width_px=width_px, height_px=height_px)


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
    fig = go.Figure(fig)
    cartesian = _is_cartesian(fig)
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


def export_meta(ctx) -> dict[str, str]:
    """Metadata block of every data file: indicator, definition, target, framework, dataset, time, mark."""
    from ui.tables import export_metadata

    t, sel, lang = ctx.t, ctx.sel, ctx.lang
    dataset, version = dataset_identity(ctx)
    return gx.describe_export(
        export_labels(ctx), indicator=ctx.meta[f"name_{lang}"], definition=ctx.meta[f"definition_{lang}"],
        target=f"{sel.target_year}: {_target_text(ctx)}", framework=_framework_name(ctx), dataset=dataset,
        version=version, illustrative=ctx.illustrative, exported_at=datetime.now().astimezone(), year=sel.year,
        area=export_metadata(ctx)[t("download.meta_filters")], reference_date=str(sel.year),
    )


def map_data(ctx) -> pd.DataFrame:
    """Exactly the communes of the map view (same filters), with translated headers."""
    from ui.tables import display_frame

    return display_frame(ctx.frame, ctx.t, ctx.lang, meta=ctx.meta).export


def data_bytes(ctx, frame: pd.DataFrame, fmt: str) -> bytes:
    return gx.export_data(frame, export_meta(ctx), fmt)


# --- the briefing pack ------------------------------------------------------------------------------------


def _status_table(ctx) -> pd.DataFrame:
    from geo.analysis.overview import summarise_targets

    sel, lang = ctx.sel, ctx.lang
    table = summarise_targets(ctx.communes, ctx.dataset.values, ctx.reg, sel.framework, sel.year, sel.filters,
                              lang=lang)
    return pd.DataFrame({
        "indicator": [ctx.reg.indicator(i)[f"short_{lang}"] for i in table["indicator"]],
        "value": [format_percent(v, lang) for v in table["value"]],
        "target_2025": table["target_text_2025"].replace("", None),
        "target_2030": table["target_text_2030"].replace("", None),
        "status_2025": table["status_2025"],
        "status_2030": table["status_2030"],
        "communes_meeting": table[f"n_met_{sel.target_year}"],
    })


def _equity_table(ctx) -> pd.DataFrame:
    from geo.indicators.selection import filter_communes
    from ui.cache import equity_by_indicator

    sel, lang = ctx.sel, ctx.lang
    rows = equity_by_indicator(ctx.layers.key, dataset_key(ctx.dataset.name, ctx.dataset.version), sel.framework,
                               sel.year, sel.target_year, sel.filters,
                               _communes=filter_communes(ctx.communes, sel.filters), _values=ctx.dataset.values,
                               _reg=ctx.reg)
    by = {(r["indicator"], r["group"]): r for r in rows}
    records = []
    for ind in dict.fromkeys(r["indicator"] for r in rows):
        em, border = by.get((ind, "em_area"), {}), by.get((ind, "border"), {})
        records.append({
            "indicator": ctx.reg.indicator(ind)[f"short_{lang}"],
            "em_area": format_percent(em.get("value_group"), lang),
            "non_em_area": format_percent(em.get("value_rest"), lang),
            "em_gap": em.get("gap_between"),
            "border": format_percent(border.get("value_group"), lang),
            "non_border": format_percent(border.get("value_rest"), lang),
            "border_gap": border.get("gap_between"),
        })
    return pd.DataFrame(records, columns=list(gb.EQUITY_COLUMNS))


def _lagging_table(ctx) -> tuple[pd.DataFrame, str]:
    from geo.analysis.ranking import rank_lagging

    t, lang = ctx.t, ctx.lang
    heading = t("briefing.lagging_indicator", indicator=ctx.meta[f"name_{lang}"], target_year=ctx.sel.target_year,
                target=_target_text(ctx))
    if ctx.meta["measure"] == "yes_no":
        return pd.DataFrame(columns=list(gb.LAGGING_COLUMNS)), f"{heading}. {t('briefing.lagging_yes_no')}"
    ranked = rank_lagging(ctx.frame, ctx.meta, ctx.target, limit=LAGGING_TOP)
    table = pd.DataFrame({
        "commune": ranked["full_name"], "province": ranked["province_name"],
        "value": [format_percent(v, lang) for v in ranked["value"]],
        "target": [format_percent(v, lang) for v in ranked["target"]],
        "gap": ranked["gap"],
    }, columns=list(gb.LAGGING_COLUMNS))
    return table, heading


def _today(lang: str) -> str:
    today = date.today()
    return today.strftime("%d/%m/%Y") if lang == "vi" else today.isoformat()


def briefing_content(ctx, map_png: bytes | None) -> gb.BriefingContent:
    """Everything the briefing shows for the current selection (country or province)."""
    lagging, heading = _lagging_table(ctx)
    dataset, version = dataset_identity(ctx)
    return gb.BriefingContent(
        area_name=area_label(ctx), year=ctx.sel.year, framework_name=_framework_name(ctx), dataset_name=dataset,
        dataset_version=version, illustrative=ctx.illustrative, status_table=_status_table(ctx),
        status_map_png=map_png, equity_table=_equity_table(ctx), lagging_communes=lagging,
        lagging_indicator=heading, reference_date=str(ctx.sel.year), prepared_on=_today(ctx.lang),
        boundary_source=BOUNDARY_SOURCE,
    )


def build_briefing_files(ctx, progress: Callable[[float, str], None] | None = None) -> dict[str, bytes]:
    """The briefing as A4 PDF and 16:9 PPTX: map drawn once (Chromium), tables computed once."""
    say = progress or (lambda _f, _m: None)
    say(0.02, "start")
    mode = "status" if ctx.target is not None else "value"
    width, height, scale = BRIEFING_MAP_SIZE
    png = None
    if not ctx.frame.empty:
        say(0.05, "render")
        png = gx.render_figure(map_figure(ctx, mode=mode, width_px=width, height_px=height), "png",
                               width_px=width, height_px=height, scale=scale)
    content = briefing_content(ctx, png)
    labels = export_labels(ctx)
    pdf = gb.build_briefing_pdf(content, labels, ctx.lang, progress=lambda f, m: say(0.5 + 0.3 * f, m))
    pptx = gb.build_briefing_pptx(content, labels, ctx.lang, progress=lambda f, m: say(0.8 + 0.2 * f, m))
    return {"pdf": pdf, "pptx": pptx}


# --- widgets ----------------------------------------------------------------------------------------------


def _run_safely(ctx, action: Callable[[], object]) -> object | None:
    """Run an export; any failure becomes a message in the session's language, never a traceback."""
    t = ctx.t
    try:
        return action()
    except DataError as err:
        _LOG.warning("export failed: %s", err.en)
        st.error(f"**{t('export.failed')}** {err.message(ctx.lang)}", icon="⚠️")
    except Exception as exc:  # noqa: BLE001 - a failed export must not take the page down
        _LOG.exception("export failed")
        st.error(f"**{t('export.failed')}** {t('export.failed_detail', error=type(exc).__name__)}", icon="⚠️")
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


def _data_buttons(ctx, frame: Callable[[], pd.DataFrame], base: str, widget_key: str) -> None:
    """CSV and XLSX of exactly these rows with the metadata block, built on click (export time = click time).

    `frame` is a function: the labelled table is only made when someone downloads, not on every rerun.
    """
    t = ctx.t
    c1, c2 = st.columns(2)
    c1.download_button(t("export.download_csv"), lambda: data_bytes(ctx, frame(), "csv"), file_name=f"{base}.csv",
                       mime=MIMES["csv"], key=f"{widget_key}_csv", **_DOWNLOAD)
    c2.download_button(t("export.download_xlsx"), lambda: data_bytes(ctx, frame(), "xlsx"),
                       file_name=f"{base}.xlsx", mime=MIMES["xlsx"], key=f"{widget_key}_xlsx", **_DOWNLOAD)


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
                 format_func=lambda p: t(f"export.preset.{p}"))
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
        _data_buttons(ctx, lambda: map_data(ctx), base_name(ctx, "data"), "export_map_data")


def chart_export_buttons(fig: go.Figure | Callable[[], go.Figure], ctx, *, title: str, name: str,
                         data: pd.DataFrame | tuple[int, Callable[[], pd.DataFrame]] | None = None) -> None:
    """Any plotly chart (not a MapLibre map): its PNG/SVG/PDF on click, plus the rows behind it when given.

    `fig` may be a function, and `data` a (row count, function) pair, so what is made only for export is
    built on click, not on every rerun.
    """
    t = ctx.t
    state_key = CHART_STATE + name
    with st.expander(t("export.chart_section"), icon=":material/ios_share:"):
        key = view_key(ctx, "chart", name, title)
        if st.button(t("export.render_chart"), key=f"export_{name}_render", icon=":material/image:"):
            st.session_state.pop(state_key, None)
            with st.spinner(t("export.rendering"), show_time=True):
                files = _run_safely(ctx, lambda: render_chart_files(ctx, fig() if callable(fig) else fig,
                                                                    title=title))
            if files is not None:
                st.session_state[state_key] = {"key": key, "files": files, "base": base_name(ctx, name),
                                               "size": CHART_SIZE}
        stored = _current(state_key, key)
        if stored is not None:
            _file_buttons(t, stored, f"export_{name}")
        if data is not None:
            rows, table = data if isinstance(data, tuple) else (len(data), lambda: data)
            st.caption(t("export.data_help", n=format_number(rows, ctx.lang)))
            _data_buttons(ctx, table, base_name(ctx, f"{name}_data"), f"export_{name}_data")


def briefing_panel(ctx) -> None:
    """Overview page: a five-page briefing (PDF, A4) and the same as slides (PPTX) for this selection."""
    t = ctx.t
    with st.container(border=True):
        st.markdown(f"**{t('briefing.section')}**")
        st.caption(t("briefing.intro", area=area_label(ctx), year=ctx.sel.year))
        key = view_key(ctx, "briefing")
        if st.button(t("briefing.button"), key="briefing_render", type="primary", icon=":material/description:"):
            st.session_state.pop(BRIEFING_STATE, None)
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
            c1, c2 = st.columns(2)
            for column, fmt in ((c1, "pdf"), (c2, "pptx")):
                column.download_button(t(f"briefing.download_{fmt}"), stored["files"][fmt],
                                       file_name=f"{stored['base']}.{fmt}", mime=MIMES[fmt],
                                       key=f"briefing_{fmt}", **_DOWNLOAD)
