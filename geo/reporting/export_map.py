"""The vector commune map for print: the interactive map's categories and colours as SVG paths.

The interactive map (geo.reporting.choropleth) draws on MapLibre/WebGL with geometry by URL, which a
static export can neither fetch nor print as vectors; build_export_map() draws the same categories
and colours on a plotly ``geo`` subplot with the geometry embedded (geo.reporting.render draws it).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET
from geo.reporting.choropleth import NO_DATA_LINE, SEQUENTIAL, STATUS_COLOURS, YES_NO_COLOURS
from geo.reporting.render import FONT_FAMILY
from geo.text.numbers import format_number


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
