"""A figure dressed for publication: title block, target subtitle, source line, data date and the mark.

Drawing the figure to files is geo.reporting.render; the vector commune map is geo.reporting.export_map.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

import plotly.graph_objects as go

from geo.reporting.render import FONT_FAMILY

_BANNER_COLOUR = "#8A1C1C"
_BANNER_FILL = "#FDECEA"

LABEL_KEYS = (
    "status.met", "status.not_met", "status.no_data", "status.no_target", "status.not_applicable", "yes", "no",
    "legend.title",
    "illustrative.badge", "illustrative.note", "export.title", "export.subtitle", "export.source_line",
    "export.reference_date", "download.meta_indicator", "download.meta_definition", "download.meta_year",
    "download.meta_filters", "download.meta_target", "download.meta_framework", "download.meta_dataset",
    "download.meta_reference_date", "download.meta_created", "download.meta_illustrative",
)


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
