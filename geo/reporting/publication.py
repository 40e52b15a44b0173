"""Publication exports: static PNG/SVG/PDF figures, a vector commune map and the data behind a chart.

Rendering uses plotly's own engine, kaleido 1.x, which drives a local Chromium (Debian's
/usr/bin/chromium) over the DevTools pipe, so exports look exactly like the app's charts. Nothing is
fetched from the network: plotly.js comes from the plotly package, MathJax is off, the world
topojson that plotly.js requests for every ``geo`` subplot is replaced by an empty local file, and
Chromium is given an unreachable proxy so any stray http(s) request fails at once instead of
leaking or hanging.

The interactive map (geo.choropleth) draws on MapLibre/WebGL with geometry by URL, which a static
export can neither fetch nor print as vectors; build_export_map() draws the same categories and
colours as SVG paths on a ``geo`` subplot with the geometry embedded.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import tempfile
import textwrap
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from geo.errors import DataError
from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET
from geo.reporting.choropleth import NO_DATA_LINE, SEQUENTIAL, STATUS_COLOURS, YES_NO_COLOURS
from geo.text.numbers import format_number

CHROMIUM_ENV = "VNCHILD_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
FORMATS = ("png", "svg", "pdf")
# Noto Sans (fonts-noto-core) covers every Vietnamese letter; the rest are fallbacks for SVG viewers.
FONT_FAMILY = "Noto Sans, DejaVu Sans, Arial, sans-serif"
# Nothing listens on the discard port: a request that is not file:// fails immediately.
_DEAD_PROXY = "http://127.0.0.1:9"
_EMPTY_TOPOJSON = {"type": "Topology", "objects": {}, "arcs": []}
_TOPOJSON_SCOPES = ("world", "usa", "europe", "asia", "africa", "north-america", "south-america")
_BANNER_COLOUR = "#8A1C1C"
_BANNER_FILL = "#FDECEA"
# Each render runs a Chromium (~200 MB, one core busy): cap how many sessions run at once on 2 cores.
_BROWSER_SLOTS = threading.BoundedSemaphore(2)

LABEL_KEYS = (
    "status.met", "status.not_met", "status.no_data", "status.no_target", "status.not_applicable", "yes", "no",
    "legend.title",
    "illustrative.badge", "illustrative.note", "export.title", "export.subtitle", "export.source_line",
    "export.reference_date", "download.meta_indicator", "download.meta_definition", "download.meta_year",
    "download.meta_filters", "download.meta_target", "download.meta_framework", "download.meta_dataset",
    "download.meta_reference_date", "download.meta_created", "download.meta_illustrative",
)


def chromium_path() -> str:
    """The browser kaleido drives: Debian's Chromium unless VNCHILD_CHROMIUM points elsewhere."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def _write_empty_topojson(folder: Path) -> str:
    """plotly.js fetches <topojsonURL><scope>_<res>m.json for any geo subplot, even with base layers off."""
    for scope in _TOPOJSON_SCOPES:
        for res in (50, 110):
            (folder / f"{scope}_{res}m.json").write_text(json.dumps(_EMPTY_TOPOJSON), encoding="utf-8")
    return folder.as_uri() + "/"


def _require_browser(path: str) -> None:
    if not Path(path).is_file():
        raise DataError(
            vi=f"Không tìm thấy trình duyệt Chromium để xuất hình ({path}).",
            en=f"Chromium, needed to export images, was not found at {path}.",
            fix_vi="Cài gói chromium (apt-get install chromium) hoặc đặt biến VNCHILD_CHROMIUM.",
            fix_en="Install the chromium package (apt-get install chromium) or set VNCHILD_CHROMIUM.",
        )


def _run_coroutine(factory: Callable[[], Awaitable]) -> object:
    """Run a coroutine on a fresh event loop in its own thread (Streamlit or Jupyter may own this thread's loop)."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="vnchild-export", daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def render_figures(
    jobs: Sequence[tuple[go.Figure, str]],
    *,
    width_px: int = 1200,
    height_px: int = 900,
    scale: float = 1.0,
    browser_path: str | None = None,
    timeout_s: float = 90,
    offline: bool = True,
) -> list[bytes]:
    """Several (figure, format) renders in one browser session: starting Chromium costs ~3 s, a render ~1-2 s."""
    for _, fmt in jobs:
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    path = browser_path or chromium_path()
    _require_browser(path)
    import kaleido  # heavy and only needed here
    import plotly

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    kopts: dict = {"path": path, "plotlyjs": str(plotly_js), "mathjax": False, "timeout": timeout_s, "n": 1}
    if offline:
        kopts["proxy_server"] = _DEAD_PROXY
    # kaleido would scale the PDF page too (a 300 dpi A4 map would become a 2.6 x 1.9 m page): scale
    # is a raster resolution, so it applies to PNG only.
    specs = [(fig.to_dict(), {"format": fmt, "width": int(width_px), "height": int(height_px),
                              "scale": float(scale) if fmt == "png" else 1.0}) for fig, fmt in jobs]

    with tempfile.TemporaryDirectory(prefix="vnchild-export-") as tmp:
        topojson_url = _write_empty_topojson(Path(tmp))

        async def render_all() -> list:
            # Our own Kaleido, not kaleido's global sync server, so these options always apply.
            async with kaleido.Kaleido(**kopts) as k:
                return [await k.calc_fig(spec, opts=opts, topojson=topojson_url) for spec, opts in specs]

        try:
            with _BROWSER_SLOTS:
                results = _run_coroutine(render_all)
        except Exception as exc:  # kaleido wraps browser and plotly.js failures in several error types
            kinds = "/".join(sorted({fmt.upper() for _, fmt in jobs}))
            raise DataError(
                vi=f"Không xuất được hình ({kinds}).",
                en=f"Could not export the figure as {kinds}: {type(exc).__name__}: {str(exc)[:300]}",
            ) from exc
    return [r if isinstance(r, bytes) else str(r).encode("utf-8") for r in results]


def render_figure(
    fig: go.Figure,
    fmt: str,
    *,
    width_px: int = 1200,
    height_px: int = 900,
    scale: float = 1.0,
    browser_path: str | None = None,
    timeout_s: float = 90,
    offline: bool = True,
) -> bytes:
    """PNG, SVG or PDF bytes of a figure, drawn server-side by plotly.js in headless Chromium.

    PNG is width_px*scale x height_px*scale pixels; SVG and PDF are vector and ignore scale (the PDF
    page is width_px x height_px CSS pixels). Each call starts and stops its own browser, so it is
    safe from any thread; use render_figures() for several outputs. offline=False lets the figure
    load remote images.
    """
    return render_figures([(fig, fmt)], width_px=width_px, height_px=height_px, scale=scale,
                          browser_path=browser_path, timeout_s=timeout_s, offline=offline)[0]


def render_publication(fig: go.Figure, *, title: str, subject: str, source: str, author: str, mark: str = "",
                       width_px: int, height_px: int, scale: float = 1.0) -> dict[str, bytes]:
    """PNG, SVG and PDF from one browser session, the PDF and SVG carrying the real title, subject and
    source (geo.reporting.document_info) instead of the browser's page title."""
    from geo.reporting.document_info import stamp_pdf, stamp_svg

    png, svg, pdf = render_figures([(fig, fmt) for fmt in FORMATS], width_px=width_px, height_px=height_px,
                                   scale=scale)
    return {"png": png, "svg": stamp_svg(svg, title=title, subject=subject, source=source),
            "pdf": stamp_pdf(pdf, title=title, subject=subject, author=author, keywords=mark)}


# --- the vector map -------------------------------------------------------------------------------------


def _polygons_only(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop lines and points a collapse may leave in a collection; keep (multi)polygons as they are."""
    if geom is None or shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _feature_collection(codes: pd.Series, geoms: np.ndarray, decimals: int) -> dict:
    """GeoJSON with `id` = code, snapped to a 10^-decimals grid (less to send, smaller SVG and PDF).

    plotly's geo subplot draws with d3-geo on the sphere, which decides a polygon's inside from its
    winding: exterior rings must be clockwise, and a ring collapsed to zero area by rounding can
    be read as "the whole globe" and paint over the map. set_precision removes collapsed parts and
    orient_polygons fixes the winding (GeoJSON's RFC 7946 order is the opposite, so shapely's
    default counter-clockwise boxes would be drawn inside out).
    """
    snapped = shapely.set_precision(geoms, 10.0 ** -decimals)
    snapped = np.array([_polygons_only(g) for g in snapped], dtype=object)
    oriented = shapely.orient_polygons(snapped, exterior_cw=True)
    bodies = shapely.to_geojson(oriented)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": str(c), "properties": {}, "geometry": json.loads(g)}
        for c, g, geom in zip(codes, bodies, oriented, strict=True) if g is not None and not shapely.is_empty(geom)
    ]}


def _flat_trace(part: pd.DataFrame, colour: str, name: str, *, line_colour: str = "#FFFFFF",
                line_width: float = 0.3, decimals: int) -> tuple[go.Choropleth, dict]:
    """One colour for a category; each trace embeds only its own features so nothing is sent twice."""
    return go.Choropleth(
        featureidkey="id", locations=part["code"].astype(str).tolist(), z=[0] * len(part),
        colorscale=[[0, colour], [1, colour]], zmin=0, zmax=1, showscale=False,
        marker={"line": {"color": line_colour, "width": line_width}},
        name=name, showlegend=True, hoverinfo="skip",
    ), _feature_collection(part["code"], np.asarray(part["geometry"].values), decimals)


def _legend_swatch(colour: str, name: str, line_colour: str) -> go.Scattergeo:
    """A legend entry for an empty category: plotly drops empty choropleth traces from the legend."""
    return go.Scattergeo(lon=[None], lat=[None], mode="markers", name=name, hoverinfo="skip",
                         marker={"symbol": "square", "size": 14, "color": colour,
                                 "line": {"color": line_colour, "width": 1}})


def _category(part: pd.DataFrame, colour: str, label: str, lang: str, decimals: int,
              line_colour: str = "#FFFFFF", line_width: float = 0.3) -> tuple[go.BaseTraceType, dict | None]:
    name = f"{label} ({format_number(len(part), lang)})"
    if part.empty:
        return _legend_swatch(colour, name, colour if line_colour == "#FFFFFF" else line_colour), None
    return _flat_trace(part, colour, name, line_colour=line_colour, line_width=line_width, decimals=decimals)


def build_export_map(
    geometry: gpd.GeoDataFrame,
    frame: pd.DataFrame,
    *,
    mode: str,
    meta: Mapping,
    labels: Mapping[str, str],
    lang: str = "vi",
    outlines: gpd.GeoDataFrame | None = None,
    simplify: float | None = None,
    decimals: int = 4,
) -> go.Figure:
    """Static vector choropleth of the communes in `frame` (code, value, status), for print and PDF.

    geometry: GeoDataFrame(code, geometry) in EPSG:4326; communes of `frame` without geometry are not
    drawn. mode "status" colours met / not met (/ no target), "value" a continuous scale (yes/no for
    yes_no indicators). "No data" is always its own grey category with a darker outline and a legend
    entry, even when empty; "not applicable" (status, 0 of 0) is white with the same outline, in the
    legend when present. Legend entries carry the commune count. outlines: optional polygons
    (e.g. boundaries.dissolve_provinces) drawn as dark lines on top. simplify: optional coverage
    simplification tolerance in degrees (keeps neighbours glued).
    """
    if mode not in ("status", "value"):
        raise ValueError(f"mode must be 'status' or 'value', not {mode!r}")
    if geometry.crs is not None and geometry.crs.to_epsg() != 4326:
        geometry = geometry.to_crs(4326)
    geoms = geometry[["code", "geometry"]].copy()
    geoms["code"] = geoms["code"].astype(str)
    if simplify:
        geoms["geometry"] = shapely.coverage_simplify(np.asarray(geoms.geometry.values), simplify)
    data = frame.assign(code=frame["code"].astype(str)).merge(
        pd.DataFrame(geoms), on="code", how="inner", validate="many_to_one")
    has_data = data["value"].notna()
    traces: list = []
    if mode == "status":
        for status in (MET, NOT_MET, NO_TARGET):
            part = data[has_data & (data["status"] == status)]
            if status != NO_TARGET or len(part):
                traces.append(_category(part, STATUS_COLOURS[status], labels[f"status.{status}"], lang, decimals))
    elif meta.get("measure") == "yes_no":
        for flag in (1, 0):
            part = data[has_data & ((data["value"] >= 50) == bool(flag))]
            traces.append(_category(part, YES_NO_COLOURS[flag], labels["yes" if flag else "no"], lang, decimals))
    else:
        part = data[has_data]
        palette = SEQUENTIAL if meta.get("direction") == "lower_is_better" else SEQUENTIAL[::-1]
        unit = meta.get("unit", "")
        traces.append((go.Choropleth(
            featureidkey="id", locations=part["code"].tolist(), z=part["value"].astype(float).round(2).tolist(),
            colorscale=[[i / (len(palette) - 1), c] for i, c in enumerate(palette)],
            marker={"line": {"color": "#FFFFFF", "width": 0.3}}, hoverinfo="skip", showlegend=False,
            colorbar={"title": {"text": html.escape(f"{meta.get('short', '')} ({unit})" if unit
                                                    else str(meta.get("short", "")))},
                      "ticksuffix": unit if unit == "%" else "", "len": 0.7, "thickness": 18,
                      "x": 1.0, "xanchor": "left", "y": 0.5, "yanchor": "middle", "outlinewidth": 0},
        ), _feature_collection(part["code"], np.asarray(part["geometry"].values), decimals)))
    # Nobody to count (0 of 0, e.g. no child hit by a disaster): its own fill and legend entry, never "no data".
    not_applicable = ~has_data & (data["status"].eq(NOT_APPLICABLE).fillna(False).astype(bool)
                                  if "status" in data else False)
    if not_applicable.any():
        traces.append(_category(data[not_applicable], STATUS_COLOURS[NOT_APPLICABLE],
                                labels[f"status.{NOT_APPLICABLE}"], lang, decimals, NO_DATA_LINE, 0.8))
    traces.append(_category(data[~has_data & ~not_applicable], STATUS_COLOURS[NO_DATA], labels[f"status.{NO_DATA}"],
                            lang, decimals, NO_DATA_LINE, 0.8))
    if outlines is not None and len(outlines):
        code_col = "code" if "code" in outlines.columns else outlines.columns[0]
        lines = outlines.to_crs(4326) if outlines.crs is not None and outlines.crs.to_epsg() != 4326 else outlines
        ids = lines[code_col].astype(str).rename("code")
        traces.append((go.Choropleth(
            featureidkey="id", locations=ids.tolist(), z=[0] * len(ids),
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker={"line": {"color": "#333333", "width": 0.9}}, hoverinfo="skip", showlegend=False,
        ), _feature_collection(ids, np.asarray(lines.geometry.values), decimals)))
    fig = go.Figure([trace for trace, _ in traces])
    # Set after the figure exists: plotly deep-copies traces passed to Figure(), ~1 s for a national map.
    for trace, (_, geojson) in zip(fig.data, traces, strict=True):
        if geojson is not None:
            trace.geojson = geojson
    fig.update_layout(
        geo={"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"},
             "scope": "world", "resolution": 110, "bgcolor": "rgba(0,0,0,0)"},
        # One row above the map (the colour bar sits to its right): neither can cover a commune, whatever
        # the area's shape, and plotly grows the margins to make room.
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                "font": {"size": 14}, "title": {"text": html.escape(labels["legend.title"]) + ":", "side": "left"}},
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font={"family": FONT_FAMILY, "size": 14, "color": "#222222"},
        separators=",." if lang == "vi" else ".,",
        paper_bgcolor="white", plot_bgcolor="white",
    )
    return fig


# --- titles, source line and the illustrative mark ----------------------------------------------------


def compose_title(labels: Mapping[str, str], *, indicator: str, area: str, year: int | str) -> str:
    """What and where: '<indicator> — <area>, <year>' (template export.title)."""
    return labels["export.title"].format(indicator=indicator, area=area, year=year)


def compose_subtitle(labels: Mapping[str, str], *, target: str, target_year: int | str, framework: str) -> str:
    """Which target and which framework it comes from (template export.subtitle)."""
    return labels["export.subtitle"].format(target=target, target_year=target_year, framework=framework)


def compose_source_line(labels: Mapping[str, str], *, dataset: str, version: str, boundary: str) -> str:
    """Dataset name and version plus the boundary source, so a printed map can be traced back."""
    return labels["export.source_line"].format(dataset=dataset, version=version, boundary=boundary)


def _wrap(text: str, size: float, width_px: int, em: float = 0.56) -> list[str]:
    """Lines that fit the export width: plotly never wraps titles or annotations by itself.

    em is an average glyph width for Noto Sans (bold ~0.6, regular ~0.53); a little slack is fine.
    """
    per_line = max(16, int((width_px - 48) / (size * em)))
    return textwrap.wrap(text, per_line, break_long_words=False, break_on_hyphens=False) or [""]


def _html_lines(lines: list[str]) -> str:
    return "<br>".join(html.escape(line) for line in lines)


def decorate_for_publication(
    fig: go.Figure,
    *,
    title: str,
    subtitle: str,
    source_line: str,
    reference_date: str,
    illustrative: bool,
    labels: Mapping[str, str],
    width_px: int = 1200,
    height_px: int | None = None,
) -> go.Figure:
    """A copy of `fig` with the title block, a footer (source, data date) and, for illustrative data,
    the mark in a band above the title and a banner under the footer: both in the margins, so the
    mark never tints a data colour (a translucent mark over a map reads as another category), and
    no crop that keeps the chart can lose both.

    width_px/height_px are the intended export size: long titles and footers are wrapped to the
    width and margins sized to the number of lines (plotly itself
    never wraps text and would cut it at the edge). Title and subtitle are annotations named
    "title"/"subtitle": plotly mis-measures multi-line layout titles and clips their first line.
    """
    out = go.Figure(fig)
    height_px = height_px or int(width_px * 0.75)
    title_lines = _wrap(title, 22, width_px, 0.6)
    subtitle_lines = _wrap(subtitle, 15, width_px, 0.53) if subtitle else []
    legend_px = 40 if any(t.showlegend is not False for t in out.data) else 6
    header = [
        ("subtitle", _html_lines(subtitle_lines), {"size": 15, "color": "#444444"}, 21 * len(subtitle_lines)),
        ("title", f"<b>{_html_lines(title_lines)}</b>", {"size": 22, "color": "#111111"}, 30 * len(title_lines)),
    ]
    annotations, offset = [], legend_px
    for name, text, font, height in header:
        if text:
            annotations.append({"text": text, "name": name, "xref": "paper", "yref": "paper", "x": 0, "y": 1,
                                "xanchor": "left", "yanchor": "bottom", "yshift": offset, "showarrow": False,
                                "align": "left", "font": font})
            offset += height + 4
    if illustrative:
        band = _wrap(labels["illustrative.badge"], 14, width_px - 16, 0.6)
        annotations.append({"text": f"<b>{_html_lines(band)}</b>", "name": "illustrative_band", "xref": "paper",
                            "yref": "paper", "x": 0, "y": 1, "xanchor": "left", "yanchor": "bottom",
                            "yshift": offset + 6, "showarrow": False, "align": "left",
                            "font": {"size": 14, "color": _BANNER_COLOUR}, "bgcolor": _BANNER_FILL,
                            "bordercolor": _BANNER_COLOUR, "borderwidth": 1, "borderpad": 4})
        offset += 20 * len(band) + 18
    top = offset + 14
    blocks = [(_wrap(source_line, 13, width_px, 0.53), {"name": "source"}),
              (_wrap(labels["export.reference_date"].format(date=reference_date), 13, width_px, 0.53),
               {"name": "reference_date"})]
    if illustrative:
        note = f"{labels['illustrative.badge']} — {labels['illustrative.note']}"
        blocks.append((_wrap(note, 14, width_px - 16, 0.56), {
            "font": {"size": 14, "color": _BANNER_COLOUR}, "bgcolor": _BANNER_FILL, "bordercolor": _BANNER_COLOUR,
            "borderwidth": 1, "borderpad": 5, "name": "illustrative_banner"}))
    offset = 10
    for lines, style in blocks:
        boxed = "bgcolor" in style
        offset += 6 if boxed else 0
        annotations.append({
            "text": _html_lines(lines), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
            "yanchor": "top", "yshift": -offset, "showarrow": False, "align": "left",
            "font": {"size": 13, "color": "#444444"}, **style,
        })
        offset += 20 * len(lines) + (14 if boxed else 0)
    bottom = offset + 8
    margin = out.layout.margin
    left, right = max(margin.l or 0, 16), max(margin.r or 0, 16)
    out.update_layout(
        title={"text": ""}, font={"family": FONT_FAMILY},
        margin={"t": top, "b": bottom, "l": left, "r": right},
        annotations=list(out.layout.annotations or ()) + annotations,
    )
    return out
