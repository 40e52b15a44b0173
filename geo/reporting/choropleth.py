"""Commune choropleth maps as plotly figures (pure builders, no Streamlit).

Geometry is referenced by URL, not embedded: plotly.js fetches a GeoJSON URL once and keeps it in
``window.PlotlyGeoAssets``, so a rerun after a filter or indicator change sends only codes, colours
and hover text. The basemap is plain white (no tiles), so the map works offline.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET
from geo.text.numbers import format_number, format_percent, format_points

# Okabe-Ito: distinguishable with the common colour-vision deficiencies; status is also in the text.
STATUS_COLOURS = {MET: "#0072B2", NOT_MET: "#E69F00", NO_DATA: "#D4D4D4", NO_TARGET: "#F0F0F0",
                  NOT_APPLICABLE: "#FFFFFF"}
STATUS_ICONS = {MET: "✔", NOT_MET: "✘", NO_DATA: "∅", NO_TARGET: "·", NOT_APPLICABLE: "—"}
NO_DATA_LINE = "#7F7F7F"
# Sequential, colour-blind safe (viridis family); darker always means "worse" on our maps.
SEQUENTIAL = ["#FDE725", "#7AD151", "#22A884", "#2A788E", "#414487", "#440154"]
YES_NO_COLOURS = {1: "#0072B2", 0: "#E69F00"}
LOW_PRECISION_OPACITY = 0.4
CERTAINTY_ORDER = ("clearly_met", "not_clearly_different", "clearly_not_met")
TREND_ORDER = ("target_met", "on_track", "off_track", "not_assessable")
CATEGORY_COLOURS = {"clearly_met": "#0072B2", "clearly_not_met": "#E69F00", "not_clearly_different": "#F0E442",
                    "target_met": "#0072B2", "on_track": "#56B4E9", "off_track": "#D55E00",
                    "not_assessable": "#999999"}
CATEGORY_ICONS = {"clearly_met": "✔", "clearly_not_met": "✘", "not_clearly_different": "≈",
                  "target_met": "✔", "on_track": "↗", "off_track": "✘", "not_assessable": "?"}

# Mainland, Hoàng Sa and Trường Sa all in view.
VIETNAM_BOUNDS = (102.1, 8.2, 112.2, 23.4)


def view_for_bounds(min_lon: float, min_lat: float, max_lon: float, max_lat: float,
                    width_px: int = 900, height_px: int = 720) -> tuple[dict, float]:
    """Centre and web-mercator zoom that fit a bounding box in the map area."""
    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(max_lon - min_lon, 1e-3)
    lat_span = max(abs(merc(max_lat) - merc(min_lat)), 1e-5)
    # MapLibre's world is 512 px wide at zoom 0.
    zoom_x = math.log2(width_px / 512 * 360 / lon_span)
    zoom_y = math.log2(height_px / 512 * 2 * math.pi / lat_span)
    zoom = max(3.0, min(zoom_x, zoom_y, 14.0) - 0.1)
    return {"lat": (min_lat + max_lat) / 2, "lon": (min_lon + max_lon) / 2}, zoom


def class_breaks(values: pd.Series, n: int = 5) -> list[float]:
    """Quantile class edges rounded to readable numbers (duplicates dropped for skewed data)."""
    v = values.dropna().astype(float)
    if v.empty:
        return []
    edges = np.quantile(v, np.linspace(0, 1, n + 1))
    span = float(edges[-1] - edges[0])
    decimals = 0 if span >= 20 else 1
    rounded = sorted(set(np.round(edges, decimals).tolist()))
    rounded[0] = min(rounded[0], float(v.min()))
    rounded[-1] = max(rounded[-1], float(v.max()))
    return rounded


def hover_fields(frame: pd.DataFrame, meta: dict, labels: dict, lang: str, status_column: str = "status",
                 with_interval: bool = False, target=None) -> pd.Series:
    """Per-commune hover values [name, province, value, gap, status], escaped for plotly's HTML labels.

    Labels and the target are the same for every commune, so they go in the template once
    (see hover_template) instead of 3,321 times in the payload. When ``target`` has group variants
    (e.g. an ethnic-minority-area target) each commune also carries the text of the target that
    applied to it (``target_group`` from assess_communes), as a sixth field.
    """
    icons = STATUS_ICONS | CATEGORY_ICONS
    status_label = {k: f"{icons[k]} {labels[k]}" for k in icons if k in labels}
    if meta["measure"] == "yes_no":
        value_text = frame["value"].map(
            lambda v: "—" if pd.isna(v) else (labels["yes"] if v >= 50 else labels["no"]))
    else:
        value_text = [
            format_percent(v, lang) + ("" if pd.isna(n) or pd.isna(d)
                                       else f" ({format_number(n, lang)}/{format_number(d, lang)})")
            for v, n, d in zip(frame["value"], frame["numerator"], frame["denominator"], strict=True)
        ]
        if with_interval and "lo" in frame:
            value_text = [
                text if pd.isna(lo) else f"{text} · {labels['interval']} {format_number(lo, lang, 1)}–"
                                         f"{format_percent(hi, lang)}"
                for text, lo, hi in zip(value_text, frame["lo"], frame["hi"], strict=True)
            ]
    rows = [
        [html.escape(str(name)), html.escape(str(prov)), value, format_points(gap, lang), status_label.get(st, "")]
        for name, prov, value, gap, st in zip(frame["full_name"], frame["province_name"], value_text,
                                              frame["gap"], frame[status_column], strict=True)
    ]
    if target is not None and target.variants and "target_group" in frame:
        texts = {g: html.escape(target.variant(g).text(lang)) for g in frame["target_group"].unique()}
        rows = [[*row, texts[g]] for row, g in zip(rows, frame["target_group"], strict=True)]
    return pd.Series(rows, index=frame.index, dtype=object)


def hover_template(labels: dict, target_text: str, per_commune_target: bool = False) -> str:
    target = "%{customdata[5]}" if per_commune_target else html.escape(target_text)
    return (
        "<b>%{customdata[0]}</b> — %{customdata[1]}"
        f"<br>{labels['value']}: %{{customdata[2]}}"
        f"<br>{labels['target']}: {target}"
        f"<br>{labels['gap']}: %{{customdata[3]}}"
        f"<br>{labels['status']}: %{{customdata[4]}}<extra></extra>"
    )


def _category_trace(sub: pd.DataFrame, geojson_url: str, colour: str, name: str, template: str,
                    line_colour: str = "#FFFFFF", line_width: float = 0.3, opacity: float = 1.0
                    ) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson=geojson_url, featureidkey="id",
        locations=sub["code"].tolist(), z=[0] * len(sub),
        colorscale=[[0, colour], [1, colour]], showscale=False, zmin=0, zmax=1,
        marker={"line": {"color": line_colour, "width": line_width}, "opacity": opacity},
        customdata=sub["hover"].tolist(), hovertemplate=template,
        name=name, showlegend=True, legendgroup=name,
    )


def _split_precision(sub: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(precise, low-precision) rows; without a low_precision column everything is precise."""
    if "low_precision" not in sub:
        return sub, sub.iloc[0:0]
    low = sub["low_precision"].fillna(False).astype(bool)
    return sub[~low], sub[low]


def _categories(frame, column, order, colours, names, geojson_url, template, labels) -> list:
    """One trace per category; low-precision communes get a paler twin trace with its own legend entry."""
    traces = []
    for key in order:
        sub = frame[frame[column] == key]
        precise, low = _split_precision(sub)
        if len(sub) or key in (MET, NOT_MET):
            traces.append(_category_trace(precise, geojson_url, colours[key], names[key], template))
        if len(low):
            traces.append(_category_trace(low, geojson_url, colours[key], f"{names[key]} — {labels['low_precision']}",
                                          template, opacity=LOW_PRECISION_OPACITY))
    return traces


def build_commune_map(
    frame: pd.DataFrame,
    *,
    geojson_url: str,
    outline_url: str | None,
    outline_codes: list[str] | None,
    mode: str,
    meta: dict,
    labels: dict,
    target_text: str,
    center: dict,
    zoom: float,
    uirevision: str = "map",
    height: int = 720,
    value_column: str = "value",
) -> go.Figure:
    """Choropleth of the communes in `frame` (needs code, value, status and hover = hover_fields()).

    mode: "status" (met / not met), "certainty" (clearly met / clearly not met / not clearly
    different, needs a certainty column), "trend" (target met / on track / off track / not
    assessable, needs trend_status), "value" (continuous scale) or "classed" (quantiles).
    Communes flagged low_precision are drawn paler, with their own legend entries. "No data" is
    always its own light-grey category with a dark outline and a legend entry.
    """
    per_commune = bool(len(frame)) and "hover" in frame and len(frame["hover"].iloc[0]) > 5
    template = hover_template(labels, target_text, per_commune_target=per_commune)
    traces: list = []
    values = frame[value_column]
    has_data = frame["value"].notna()
    if mode == "status":
        names = {k: f"{STATUS_ICONS[k]} {labels[k]}" for k in (MET, NOT_MET, NO_TARGET)}
        traces += _categories(frame, "status", (MET, NOT_MET, NO_TARGET), STATUS_COLOURS, names, geojson_url,
                              template, labels)
    elif mode in ("certainty", "trend"):
        column, order = ("certainty", CERTAINTY_ORDER) if mode == "certainty" else ("trend_status", TREND_ORDER)
        names = {k: f"{CATEGORY_ICONS[k]} {labels[k]}" for k in order}
        sub = frame[frame[column].isin(order)]
        if mode == "trend":
            sub = sub.drop(columns="low_precision", errors="ignore")
        traces += _categories(sub, column, order, CATEGORY_COLOURS, names, geojson_url, template, labels)
    elif meta["measure"] == "yes_no":
        for flag in (1, 0):
            sub = frame[has_data & ((frame["value"] >= 50) == bool(flag))]
            traces.append(_category_trace(sub, geojson_url, YES_NO_COLOURS[flag],
                                          labels["yes"] if flag else labels["no"], template))
    elif mode == "classed":
        edges = class_breaks(values[has_data])
        palette = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        n = max(len(edges) - 1, 1)
        idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n - 1)
        for k in range(n):
            precise, low = _split_precision(frame[has_data & (idx == k)])
            colour = palette[round(k * (len(palette) - 1) / max(n - 1, 1))]
            label = f"{format_number(edges[k], labels['lang'], 1)}–{format_percent(edges[k + 1], labels['lang'])}"
            traces.append(_category_trace(precise, geojson_url, colour, label, template))
            if len(low):
                traces.append(_category_trace(low, geojson_url, colour, f"{label} — {labels['low_precision']}",
                                              template, opacity=LOW_PRECISION_OPACITY))
    else:
        scale = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        colorscale = [[i / (len(scale) - 1), c] for i, c in enumerate(scale)]
        zmin, zmax = (float(values[has_data].min()), float(values[has_data].max())) if has_data.any() else (0, 1)
        precise, low = _split_precision(frame[has_data])
        for part, opacity, show_scale, name in ((precise, 1.0, True, meta["short"]),
                                                (low, LOW_PRECISION_OPACITY, False, labels["low_precision"])):
            if part.empty and not show_scale:
                continue
            traces.append(go.Choroplethmap(
                geojson=geojson_url, featureidkey="id", locations=part["code"].tolist(),
                z=part[value_column].round(2).tolist(), zmin=zmin, zmax=zmax, colorscale=colorscale,
                showscale=show_scale,
                colorbar={"title": {"text": f"{meta['short']} ({meta['unit']})"}, "ticksuffix": meta["unit"],
                          "len": 0.6, "thickness": 16, "x": 0.01, "xanchor": "left",
                          "bgcolor": "rgba(255,255,255,0.8)"},
                marker={"line": {"color": "#FFFFFF", "width": 0.3}, "opacity": opacity},
                customdata=part["hover"].tolist(), hovertemplate=template,
                name=name, showlegend=not show_scale,
            ))
    # Nobody to count (0 of 0, e.g. no child hit by a disaster): white, its own legend entry, not "no data".
    not_applicable = frame["status"].eq(NOT_APPLICABLE).fillna(False) if "status" in frame else ~has_data & False
    if not_applicable.any():
        traces.append(_category_trace(frame[not_applicable], geojson_url, STATUS_COLOURS[NOT_APPLICABLE],
                                      f"{STATUS_ICONS[NOT_APPLICABLE]} {labels.get(NOT_APPLICABLE, NOT_APPLICABLE)}",
                                      template, NO_DATA_LINE, 0.8))
    traces.append(_category_trace(frame[~has_data & ~not_applicable], geojson_url, STATUS_COLOURS[NO_DATA],
                                  f"{STATUS_ICONS[NO_DATA]} {labels[NO_DATA]}", template, NO_DATA_LINE, 0.8))
    if outline_url and outline_codes:
        traces.append(go.Choroplethmap(
            geojson=outline_url, featureidkey="id", locations=outline_codes, z=[0] * len(outline_codes),
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker={"line": {"color": "#222222", "width": 1.2}}, hoverinfo="skip", showlegend=False,
            name="provinces",
        ))
    fig = go.Figure(traces)
    fig.update_layout(
        map={"style": "white-bg", "center": center, "zoom": zoom},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=height, uirevision=uirevision,
        legend={"x": 0.99, "xanchor": "right", "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"size": 15}, "title": {"text": labels.get("legend_title", "")}},
        hoverlabel={"font": {"size": 15}, "bgcolor": "white"},
        font={"family": "Noto Sans, Arial, sans-serif", "size": 14},
        paper_bgcolor="white",
        separators=",." if labels.get("lang") == "vi" else ".,",  # 12,5% in Vietnamese, 12.5% in English
    )
    return fig
