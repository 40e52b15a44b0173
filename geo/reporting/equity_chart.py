"""Equity for publication: each priority group against the rest, as dots with 95 % intervals.

One row per comparison (a priority group nationally, or one group in each province): the group's
rate and the rest's rate, each with a Wilson interval on its summed counts, joined by a line, and
the gap written at the right. A side with fewer reporting communes than MIN_COMMUNES or fewer
children than the precision threshold cannot carry a published gap: its row is drawn pale, marked
⚠ and named in a note under the chart, so "36 communes against 2, a 74-point gap" is never shown as
a finding. The intervals treat children as independent, so they are narrower than the truth when
communes differ among themselves; the note says so.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.indicators.registry import Target
from geo.indicators.uncertainty import LOW_PRECISION_THRESHOLD, wilson_interval
from geo.reporting.charts import OKABE_ITO, TARGET_COLOUR, scale_text, white_template
from geo.text.numbers import format_number, format_percent, format_points

#: A side with fewer reporting communes than this is one or two communes' story, not a group's.
MIN_COMMUNES = 5
GROUP_COLOUR, REST_COLOUR = OKABE_ITO[1], OKABE_ITO[0]
PALE = 0.3
#: Keys of ``labels`` used by build_equity_chart (translated by the caller).
LABEL_KEYS = ("group", "rest", "axis_value", "interval", "gap", "communes", "children", "small_mark",
              "small_note", "interval_note", "target")
REQUIRED = ("label", "numerator_group", "denominator_group", "n_group_reporting", "numerator_rest",
            "denominator_rest", "n_rest_reporting", "gap_between")


def small_sides(rows: pd.DataFrame, *, min_children: float = LOW_PRECISION_THRESHOLD,
                min_communes: int = MIN_COMMUNES) -> pd.Series:
    """True where either side has too few reporting communes or children for its rate to be published."""
    small = pd.Series(False, index=rows.index)
    for side in ("group", "rest"):
        communes = rows[f"n_{side}_reporting"].fillna(0)
        children = rows[f"denominator_{side}"].fillna(0)
        small |= (communes < min_communes) | (children < float(min_children))
    return small


def _side(rows: pd.DataFrame, side: str) -> pd.DataFrame:
    num, den = rows[f"numerator_{side}"].astype(float), rows[f"denominator_{side}"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (100.0 * num / den).where(den > 0)
    lo, hi = wilson_interval(num, den)
    return pd.DataFrame({"value": value, "lo": lo, "hi": hi, "n": rows[f"n_{side}_reporting"], "den": den})


def build_equity_chart(rows: pd.DataFrame, *, labels: Mapping[str, str], lang: str, target: Target | None = None,
                       min_children: float = LOW_PRECISION_THRESHOLD, min_communes: int = MIN_COMMUNES,
                       title: str = "", text_scale: float = 1.0) -> go.Figure:
    """Dot-and-interval chart of `rows` (equity.compare_groups columns plus `label`), first row on top.

    Rates come from summed counts (never averaged percentages). Each trace has meta "group" or
    "rest" (plus "_small" for the pale ones); customdata[0] is the row label.
    """
    missing = [c for c in REQUIRED if c not in rows.columns]
    if missing:
        raise ValueError(f"equity chart rows lack columns {missing}")
    rows = rows.reset_index(drop=True)
    small = small_sides(rows, min_children=min_children, min_communes=min_communes)
    names = [html.escape(str(name)) + (f" {labels['small_mark']}" if flag else "")
             for name, flag in zip(rows["label"], small, strict=True)]
    sides = {side: _side(rows, side) for side in ("group", "rest")}
    fig = go.Figure()
    # Grey line from rest to group: the gap, read along the row (paler for small groups).
    for pale in (False, True):
        xs, ys = [], []
        for i, name in enumerate(names):
            a, b = sides["rest"]["value"].iloc[i], sides["group"]["value"].iloc[i]
            if bool(small.iloc[i]) == pale and pd.notna(a) and pd.notna(b):
                xs += [a, b, None]
                ys += [name, name, None]
        if pale and not xs:
            continue
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": "#D0D0D0" if pale else "#9A9A9A", "width": 3},
                                 meta="link_small" if pale else "link"))
    interval = html.escape(labels["interval"])
    for side, colour, symbol in (("rest", REST_COLOUR, "diamond-open"), ("group", GROUP_COLOUR, "circle")):
        data = sides[side]
        for pale in (False, True):
            mask = (small == pale).to_numpy() & data["value"].notna().to_numpy()
            if not mask.any() and pale:
                continue
            part = data[mask]
            custom = np.column_stack([
                np.asarray(names, dtype=object)[mask],
                [format_percent(v, lang) for v in part["value"]],
                [format_percent(v, lang) for v in part["lo"]], [format_percent(v, lang) for v in part["hi"]],
                [format_number(v, lang) for v in part["n"]], [format_number(v, lang) for v in part["den"]],
            ]) if mask.any() else None
            fig.add_trace(go.Scatter(
                x=part["value"], y=np.asarray(names, dtype=object)[mask], mode="markers",
                name=html.escape(labels[side]), legendgroup=side, showlegend=not pale,
                marker={"size": 14, "symbol": symbol, "color": colour, "opacity": PALE if pale else 1.0,
                        "line": {"width": 2.5, "color": colour}},
                error_x={"type": "data", "symmetric": False, "array": (part["hi"] - part["value"]).tolist(),
                         "arrayminus": (part["value"] - part["lo"]).tolist(), "thickness": 2, "width": 6,
                         "color": _fade(colour) if pale else colour},
                customdata=custom, meta=f"{side}_small" if pale else side,
                hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{html.escape(labels[side])}: %{{customdata[1]}}"
                               f"<br>{interval}: %{{customdata[2]}} – %{{customdata[3]}}<br>"
                               f"{html.escape(labels['communes'])}: %{{customdata[4]}} · "
                               f"{html.escape(labels['children'])}: %{{customdata[5]}}<extra></extra>"),
            ))
    annotations = []
    for i, name in enumerate(names):
        gap = rows["gap_between"].iloc[i]
        if pd.notna(gap):
            annotations.append({"x": 1.0, "xref": "paper", "xanchor": "left", "xshift": 8, "y": name, "yref": "y",
                                "text": html.escape(format_points(float(gap), lang)), "showarrow": False,
                                "font": {"size": 14, "color": "#222222" if not small.iloc[i] else "#9A9A9A"},
                                "name": "gap"})
    notes = [labels["interval_note"]]
    if small.any():
        notes.insert(0, labels["small_note"].format(
            names=", ".join(str(n) for n in rows.loc[small, "label"]), communes=min_communes,
            children=format_number(min_children, lang)))
    annotations.append({"x": 0, "xref": "paper", "y": 0, "yref": "paper", "yanchor": "top", "xanchor": "left",
                        "yshift": -48, "showarrow": False, "align": "left", "name": "equity_note",
                        "text": "<br>".join(html.escape(n) for n in notes), "font": {"size": 12, "color": "#444444"}})
    if target is not None and names:
        fig.add_trace(go.Scatter(
            x=[target.value, target.value], y=[names[0], names[-1]], mode="lines", meta="target",
            name=html.escape(f"{labels['target']} {target.year}: {target.text(lang)}"), hoverinfo="skip",
            line={"color": TARGET_COLOUR, "dash": "longdash", "width": 1.5}))
    values = pd.concat([sides[s][c] for s in sides for c in ("lo", "hi")]).dropna().tolist()
    values += [target.value] if target is not None else []
    span = [max(0.0, min(values) - 3), min(100.0, max(values) + 3)] if values else None
    fig.update_layout(
        title={"text": html.escape(title)} if title else None, template=white_template(),
        separators=",." if lang == "vi" else ".,", hovermode="closest",
        height=max(320, 60 * len(rows) + 200), margin={"l": 20, "r": 110, "t": 60, "b": 110 + 16 * len(notes)},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "font": {"size": 14}},
        font={"size": 14}, annotations=annotations,
    )
    fig.update_xaxes(title_text=html.escape(labels["axis_value"]), ticksuffix="%", range=span, zeroline=False,
                     showgrid=True)
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names, automargin=True,
                     tickfont={"size": 14})
    return scale_text(fig, text_scale)


def _fade(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{PALE})"
