"""Images that don't lie: inside every large commune of an exported map, the pixels are exactly a palette colour.

Plan. The map page's own export (PNG and SVG drawn from one figure in one browser session, PNG at
scale 1 so both share pixel coordinates) is opened as a user gets it. The SVG says where each
commune was drawn (its `choroplethlocation` path, in page pixels) and with which fill; trace order
and `locations` tie every path to its commune code. For each commune large enough to hold a
5 × 5 patch well inside its edges (maximum inscribed circle of the path), the PNG patch around the
circle's centre must be that fill exactly, and the fill must be the palette colour of the commune's
status. Communes near the centre of the map, where the diagonal watermark used to cross, are among
those sampled: a translucent mark over the map tints them and fails this test.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from geo.indicators.status import NO_DATA
from geo.reporting.choropleth import STATUS_COLOURS
from tests.apptest import run_script

pytestmark = [pytest.mark.realdata, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")
_NUM = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
PATCH = 2  # half-width: a 5 x 5 patch


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def svg_rgb(text: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


def path_polygon(d: str) -> shapely.Geometry:
    """d3-geo's path (M x,y L x,y … Z per ring) as a shapely (multi)polygon in page pixels."""
    rings = []
    for part in d.split("M")[1:]:
        nums = [float(v) for v in _NUM.findall(part.replace("Z", " "))]
        points = list(zip(nums[0::2], nums[1::2], strict=True))
        if len(points) >= 3:
            rings.append(shapely.Polygon(points))
    shells = [r.buffer(0) for r in rings if r.is_valid or r.buffer(0).area > 0]
    return shapely.unary_union([s for s in shells if not s.is_empty]) if shells else shapely.Polygon()


def drawn_communes(svg: bytes, figure_codes: list[list[str]]) -> list[tuple[str, tuple, shapely.Geometry]]:
    """(code, fill rgb, polygon) for every commune path, matched to codes by trace order and location order."""
    root = ET.fromstring(svg)
    traces = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "trace choropleth"]
    out = []
    for trace, codes in zip(traces, figure_codes, strict=False):
        paths = [p for p in trace if p.get("class") == "choroplethlocation"]
        for code, path in zip(codes, paths, strict=False):
            out.append((code, svg_rgb(path.get("fill")), path_polygon(path.get("d"))))
    return out


def _map_script():
    """Runs as a Streamlit page: the map export figure of the URL's view, built by the page's own code."""
    import streamlit as st

    from ui import export_panel as exports
    from ui.context import load_context

    ctx = load_context()
    fig = exports.map_figure(ctx, width_px=1600, height_px=1200)
    status = dict(zip(ctx.frame["code"].astype(str), ctx.frame["status"], strict=True))
    st.session_state["out"] = {"fig": fig, "status": status,
                               "has_value": dict(zip(ctx.frame["code"].astype(str), ctx.frame["value"].notna(),
                                                     strict=True))}


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="Chromium not installed")
def test_large_commune_fills_are_exactly_the_palette_colours(layers):
    from geo.reporting import render as gx

    at = run_script(_map_script, prov="12")
    out = at.session_state["out"]
    fig = out["fig"]
    png_bytes, svg = gx.render_figures([(fig, "png"), (fig, "svg")], width_px=1600, height_px=1200, scale=1.0)
    png = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"))
    assert png.shape[:2] == (1200, 1600)

    codes = [list(tr.locations) for tr in fig.data if tr.type == "choropleth" and tr.showlegend is not False]
    communes = drawn_communes(svg, codes)
    assert len(communes) >= 38
    expected = {code: STATUS_COLOURS[out["status"][code] if out["has_value"][code] else NO_DATA]
                for code in out["status"]}
    sampled, centre_hits = [], 0
    h, w = png.shape[:2]
    for code, fill, poly in communes:
        if poly.is_empty or poly.area < 400:
            continue
        circle = shapely.maximum_inscribed_circle(poly)
        centre = shapely.get_point(circle, 0)
        if circle.length < PATCH + 3:  # the circle's radius line
            continue
        x, y = int(round(centre.x)), int(round(centre.y))
        patch = png[y - PATCH:y + PATCH + 1, x - PATCH:x + PATCH + 1].reshape(-1, 3)
        sampled.append((code, fill, {tuple(int(c) for c in px) for px in patch}))
        centre_hits += abs(x - w / 2) < w * 0.2 and abs(y - h / 2) < h * 0.2
    assert len(sampled) >= 15 and centre_hits >= 3, (len(sampled), centre_hits)
    palette = {hex_rgb(c) for c in STATUS_COLOURS.values()}
    for code, fill, colours in sampled:
        assert fill == hex_rgb(expected[code]) and fill in palette, (code, fill, expected[code])
        assert colours == {fill}, f"commune {code}: drawn {fill}, image shows {sorted(colours)}"
