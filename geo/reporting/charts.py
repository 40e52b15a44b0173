"""Trend line chart and funnel plot (pure plotly builders, no Streamlit).

Every visible word comes from the ``labels`` dict, already translated by the caller, so the charts
follow the UI language; a missing key shows the key itself rather than failing. Colours are the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies), and meaning is also
carried by line style, marker symbol and text, never by colour alone. User data (commune and series
names) is HTML-escaped before it reaches plotly's hover labels.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.indicators.registry import LOWER_IS_BETTER, Target
from geo.indicators.uncertainty import funnel_limits, wilson_interval
from geo.text.numbers import format_number, format_percent


@functools.cache
def white_template() -> go.layout.Template:
    """plotly_white's layout with the trace defaults of the one trace type these charts draw (scatter).

    Naming "plotly_white" makes plotly copy and validate its defaults for all 24 trace types on every
    figure: 20 ms a chart, a large part of an overview or equity rerun; this is 7 ms and draws the same.
    """
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    return go.layout.Template(layout=white.layout, data={"scatter": white.data.scatter})

# Okabe & Ito (2008), in the order lines are drawn: blue, vermillion, bluish green, reddish purple,
# sky blue, orange, black.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
TARGET_COLOUR = "#000000"
REFERENCE_COLOUR = "#4D4D4D"
LIMIT_COLOUR = "#7F7F7F"
#: Funnel point colours: worse than expected, within the limits, better than expected.
FUNNEL_COLOURS = {"worse": "#D55E00", "within": "#999999", "better": "#0072B2"}

#: Keys of ``labels`` used by :func:`build_trend_chart`.
TREND_LABEL_KEYS = ("axis_year", "axis_value", "year", "value", "interval", "target", "projection")
#: Keys of ``labels`` used by :func:`build_funnel_plot`.
FUNNEL_LABEL_KEYS = (
    "axis_denominator", "axis_value", "value", "counts", "interval", "province", "target", "reference",
    "limit_95", "limit_998", "funnel_worse", "funnel_within", "funnel_better", "title",
)  # fmt: skip


#: Plotly's text size on screen (px) when a chart sets none: the base ``scale_text`` multiplies.
BASE_FONT = 13.0


def scale_text(fig: go.Figure, scale: float) -> go.Figure:
    """Every text of the chart ``scale`` times its size (ticks, axis titles, legend, hover labels, chart
    title, annotations and trace labels), for a projector; a no-op at 1, so screen and exports stay as they
    are. Sizes a builder set explicitly are multiplied, the others start from BASE_FONT."""
    if scale == 1:
        return fig
    layout = fig.layout

    def size(current) -> float:
        return round((current or BASE_FONT) * scale, 1)

    fig.update_layout(font={"size": size(layout.font.size)}, legend={"font": {"size": size(layout.legend.font.size)}},
                      hoverlabel={"font": {"size": size(layout.hoverlabel.font.size)}},
                      title={"font": {"size": size(layout.title.font.size or BASE_FONT * 1.3)}})
    for axes in (fig.layout.xaxis, fig.layout.yaxis):
        axes.tickfont.size = size(axes.tickfont.size)
        axes.title.font.size = size(axes.title.font.size)
    for note in fig.layout.annotations:
        note.font.size = size(note.font.size)
    for trace in fig.data:
        if getattr(trace, "textfont", None) is not None and trace.text is not None:
            trace.textfont.size = size(trace.textfont.size)
    margin = layout.margin
    fig.update_layout(margin={k: round(getattr(margin, k) * scale) for k in ("l", "r", "t", "b")
                              if getattr(margin, k) is not None})
    if layout.height:
        fig.update_layout(height=round(layout.height * min(scale, 1.3)))
    return fig


def _label(labels: dict, key: str) -> str:
    return html.escape(str(labels.get(key, key)))


def _separators(lang: str) -> str:
    """Plotly's decimal and thousands marks for axis ticks (12,5 / 1.234 in Vietnamese)."""
    return ",." if lang == "vi" else ".,"


def _hex_to_rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _percent_texts(values: Iterable, lang: str) -> list[str]:
    return [format_percent(None if pd.isna(v) else float(v), lang) for v in values]


def build_trend_chart(series: pd.DataFrame, *, targets: list[Target], labels: dict, title: str, lang: str,
                      projections: pd.DataFrame | None = None, text_scale: float = 1.0) -> go.Figure:
    """Yearly lines (e.g. commune, province, national) with optional interval bands and the targets.

    ``series``: long rows with year, value (percent), series_name and optionally lo / hi (a shaded
    band, e.g. the Wilson interval). ``targets``: drawn as labelled diamonds at (target year, value).
    ``projections``: optional rows year, value, series_name drawn dashed (the current AARR carried
    forward). Series keep their order of first appearance, and their colour. ``text_scale``: see
    :func:`scale_text` (presentation mode).
    """
    fig = go.Figure()
    interval_label = _label(labels, "interval")
    names = list(dict.fromkeys(series["series_name"].astype(str))) if not series.empty else []
    colours = {name: OKABE_ITO[i % len(OKABE_ITO)] for i, name in enumerate(names)}
    has_band = {"lo", "hi"} <= set(series.columns)
    all_values: list[float] = []

    for name in names:
        rows = series[series["series_name"].astype(str) == name].sort_values("year")
        colour, safe_name = colours[name], html.escape(name)
        all_values += rows["value"].dropna().tolist()
        if has_band and rows[["lo", "hi"]].notna().all(axis=1).any():
            band = rows.dropna(subset=["lo", "hi"])
            all_values += band["lo"].tolist() + band["hi"].tolist()
            fig.add_trace(go.Scatter(
                x=list(band["year"]) + list(band["year"])[::-1], y=list(band["hi"]) + list(band["lo"])[::-1],
                fill="toself", fillcolor=_hex_to_rgba(colour, 0.15), line={"width": 0}, mode="lines",
                hoverinfo="skip", showlegend=False, legendgroup=safe_name, name=f"{safe_name} ({interval_label})",
            ))
        lo = rows["lo"] if has_band else pd.Series(np.nan, index=rows.index)
        hi = rows["hi"] if has_band else pd.Series(np.nan, index=rows.index)
        custom = np.column_stack([_percent_texts(rows["value"], lang), _percent_texts(lo, lang),
                                  _percent_texts(hi, lang)]) if len(rows) else None
        band_line = f"<br>{interval_label}: %{{customdata[1]}} – %{{customdata[2]}}" if has_band else ""
        fig.add_trace(go.Scatter(
            x=rows["year"], y=rows["value"], mode="lines+markers", name=safe_name, legendgroup=safe_name,
            line={"color": colour, "width": 2.5}, marker={"size": 7, "color": colour}, customdata=custom,
            hovertemplate=(f"<b>{safe_name}</b><br>{_label(labels, 'year')}: %{{x}}<br>"
                           f"{_label(labels, 'value')}: %{{customdata[0]}}{band_line}<extra></extra>"),
        ))

    if projections is not None and not projections.empty:
        for name, rows in projections.groupby(projections["series_name"].astype(str), sort=False):
            rows = rows.sort_values("year")
            all_values += rows["value"].dropna().tolist()
            safe_name = html.escape(name)
            fig.add_trace(go.Scatter(
                x=rows["year"], y=rows["value"], mode="lines", legendgroup=safe_name, showlegend=False,
                name=f"{safe_name} ({_label(labels, 'projection')})",
                line={"color": colours.get(name, REFERENCE_COLOUR), "width": 2, "dash": "dash"},
                customdata=np.array(_percent_texts(rows["value"], lang)).reshape(-1, 1),
                hovertemplate=(f"<b>{safe_name}</b> ({_label(labels, 'projection')})<br>"
                               f"{_label(labels, 'year')}: %{{x}}<br>{_label(labels, 'value')}: "
                               f"%{{customdata[0]}}<extra></extra>"),
            ))

    if targets:
        ordered = sorted(targets, key=lambda t: t.year)
        texts = [html.escape(t.text(lang)) for t in ordered]
        all_values += [t.value for t in ordered]
        fig.add_trace(go.Scatter(
            x=[t.year for t in ordered], y=[t.value for t in ordered], mode="markers+text",
            name=_label(labels, "target"), text=[f"{t.year}: {s}" for t, s in zip(ordered, texts, strict=True)],
            textposition=["top center"] * (len(ordered) - 1) + ["top left"], textfont={"color": TARGET_COLOUR},
            marker={"symbol": "diamond", "size": 13, "color": "white", "line": {"color": TARGET_COLOUR, "width": 2}},
            customdata=np.array(_percent_texts([t.value for t in ordered], lang)).reshape(-1, 1),
            hovertemplate=(f"<b>{_label(labels, 'target')} %{{x}}</b><br>%{{text}}<br>"
                           f"{_label(labels, 'value')}: %{{customdata[0]}}<extra></extra>"),
            meta="targets",
        ))

    years = list(series["year"]) if not series.empty else []
    years += [t.year for t in targets]
    if projections is not None and not projections.empty:
        years += list(projections["year"])
    fig.update_layout(
        title={"text": html.escape(title)}, separators=_separators(lang), hovermode="closest",
        template=white_template(), margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.3, "x": 0},
    )
    fig.update_xaxes(title_text=_label(labels, "axis_year"), dtick=1, tickformat="d",
                     range=[min(years) - 0.5, max(years) + (0.9 if targets else 0.5)] if years else None)
    fig.update_yaxes(title_text=_label(labels, "axis_value"), ticksuffix="%", range=_value_range(all_values))
    return scale_text(fig, text_scale)


def _value_range(values: list[float]) -> list[float] | None:
    """A y range that shows every value and target with some air, clipped to 0-100 %."""
    finite = [float(v) for v in values if v is not None and np.isfinite(v)]
    if not finite:
        return None
    lo, hi = min(finite), max(finite)
    pad = max((hi - lo) * 0.12, 1.0)
    return [max(0.0, lo - pad), min(100.0, hi + pad) + (1.5 if hi + pad >= 100.0 else 0.0)]


def build_funnel_plot(frame: pd.DataFrame, *, p0: float, target: Target | None, labels: dict, lang: str,
                      direction: str = LOWER_IS_BETTER, log_x: bool = True, text_scale: float = 1.0) -> go.Figure:
    """Funnel plot: commune rate against its denominator, with limits around the reference ``p0``.

    ``frame``: code, numerator, denominator and optionally value, name and province (display names).
    Limits: exact binomial 95 % and 99.8 % from :func:`geo.uncertainty.funnel_limits`. Points outside
    the 99.8 % limits are coloured as worse / better than expected (depending on ``direction``).
    Every point carries ``customdata[0]`` = commune code, so a click can open the commune profile.
    """
    data = frame[frame["denominator"].notna() & (frame["denominator"] > 0) & frame["numerator"].notna()].copy()
    if "value" not in data.columns:
        data["value"] = 100.0 * data["numerator"] / data["denominator"]
    fig = go.Figure()

    n_max = float(data["denominator"].max()) if not data.empty else 100.0
    grid = np.unique(np.round(np.geomspace(1.0, max(n_max * 1.1, 10.0), 160)))
    limits = funnel_limits(p0, grid)
    styles = {0: ("limit_95", "dash"), 1: ("limit_998", "dot")}
    for i, (_, rows) in enumerate(limits.groupby("z", sort=True)):
        key, dash = styles.get(i, ("limit_998", "dot"))
        for j, side in enumerate(("hi", "lo")):
            fig.add_trace(go.Scatter(
                x=rows["n"], y=rows[side], mode="lines", name=_label(labels, key), legendgroup=key,
                showlegend=j == 0, line={"color": LIMIT_COLOUR, "width": 1.3, "dash": dash}, hoverinfo="skip",
                meta="limit",
            ))
    x_span = [1.0, max(n_max * 1.1, 10.0)]
    fig.add_trace(go.Scatter(
        x=x_span, y=[p0, p0], mode="lines", name=f"{_label(labels, 'reference')}: {format_percent(p0, lang)}",
        line={"color": REFERENCE_COLOUR, "width": 1.5}, hoverinfo="skip", meta="reference",
    ))
    if target is not None:
        fig.add_trace(go.Scatter(
            x=x_span, y=[target.value, target.value], mode="lines",
            name=f"{_label(labels, 'target')} {target.year}: {html.escape(target.text(lang))}",
            line={"color": TARGET_COLOUR, "width": 2, "dash": "longdash"}, hoverinfo="skip", meta="target",
        ))

    if not data.empty:
        # Judge each point against the drawn 99.8 % line (interpolated on log n), so colour and line agree.
        outer = limits[limits["z"] == limits["z"].max()]
        log_n, den = np.log(outer["n"].to_numpy()), np.log(data["denominator"].to_numpy(dtype=float))
        above = data["value"].to_numpy() > np.interp(den, log_n, outer["hi"].to_numpy()) + 1e-9
        below = data["value"].to_numpy() < np.interp(den, log_n, outer["lo"].to_numpy()) - 1e-9
        worse, better = (above, below) if direction == LOWER_IS_BETTER else (below, above)
        category = np.select([worse, better], ["worse", "better"], default="within")
        lo, hi = wilson_interval(data["numerator"], data["denominator"])
        names = data["name"].astype(str) if "name" in data.columns else data["code"].astype(str)
        provinces = data["province"].astype(str) if "province" in data.columns else pd.Series("", index=data.index)
        custom = np.column_stack([
            data["code"].astype(str), [html.escape(s) for s in names], [html.escape(s) for s in provinces],
            _percent_texts(data["value"], lang),
            [f"{format_number(a, lang)} / {format_number(b, lang)}"
             for a, b in zip(data["numerator"], data["denominator"], strict=True)],
            _percent_texts(lo, lang), _percent_texts(hi, lang),
        ])
        province_line = f"<br>{_label(labels, 'province')}: %{{customdata[2]}}" if "province" in data.columns else ""
        template = (f"<b>%{{customdata[1]}}</b>{province_line}<br>{_label(labels, 'value')}: %{{customdata[3]}}"
                    f"<br>{_label(labels, 'counts')}: %{{customdata[4]}}<br>{_label(labels, 'interval')}: "
                    f"%{{customdata[5]}} – %{{customdata[6]}}<extra></extra>")
        up, down = ("worse", "better") if direction == LOWER_IS_BETTER else ("better", "worse")
        symbols = {up: "triangle-up", "within": "circle", down: "triangle-down"}  # shape says above / below
        for cat in ("worse", "within", "better"):
            mask = category == cat
            if not mask.any():
                continue
            fig.add_trace(go.Scatter(
                x=data["denominator"].to_numpy()[mask], y=data["value"].to_numpy()[mask], mode="markers",
                name=_label(labels, f"funnel_{cat}"), customdata=custom[mask], hovertemplate=template,
                marker={"size": 6, "color": FUNNEL_COLOURS[cat], "opacity": 0.75,
                        "symbol": symbols[cat]},
                meta="communes",
            ))

    fig.update_layout(
        title={"text": _label(labels, "title")} if "title" in labels else None, separators=_separators(lang),
        template=white_template(), hovermode="closest", margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.35, "x": 0},
    )
    xaxis: dict = {"title_text": _label(labels, "axis_denominator"), "type": "log" if log_x else "linear"}
    if log_x:
        # Labels at powers of ten only (plotly's default also writes "2" and "5" between them), and the
        # range starts at the smallest commune, not at 1, so the points are not crowded on the right.
        n_min = float(data["denominator"].min()) if not data.empty else 1.0
        xaxis |= {"dtick": 1, "tickformat": ",d", "minor": {"ticks": "outside", "showgrid": True},
                  "range": [np.log10(max(n_min * 0.7, 1.0)), np.log10(max(n_max * 1.15, 10.0))]}
    fig.update_xaxes(**xaxis)
    fig.update_yaxes(title_text=_label(labels, "axis_value"), ticksuffix="%", rangemode="tozero")
    return scale_text(fig, text_scale)


def for_print(fig: go.Figure, *, font_size: int = 16) -> go.Figure:
    """A copy legible on paper: larger text, ticks and markers, lines a little thicker (screen sizes are
    tuned for a monitor at arm's length; a printed A4 page or a slide is read from further)."""
    out = go.Figure(fig)
    out.update_layout(font={"size": font_size})
    out.update_xaxes(tickfont={"size": font_size - 1}, title_font={"size": font_size}, ticks="outside", ticklen=6)
    out.update_yaxes(tickfont={"size": font_size - 1}, title_font={"size": font_size}, ticks="outside", ticklen=6)
    for trace in out.data:
        if trace.type != "scatter":
            continue
        if trace.mode and "markers" in trace.mode and trace.marker.size is not None:
            size = trace.marker.size
            trace.marker.size = [s * 1.6 for s in size] if isinstance(size, (list, tuple)) else size * 1.6
            if trace.meta == "communes":
                trace.marker.opacity = 0.85
                trace.marker.line = {"width": 0.6, "color": "#FFFFFF"}
        if trace.mode and "lines" in trace.mode and trace.line.width:
            trace.line.width = trace.line.width * 1.4
    return out
