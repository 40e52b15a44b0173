"""What the browser map (deck.gl, ui/assets/webmap.js) needs per rerun: colours and hover text by commune code.

Geometry and commune names go to the browser once, as static files fetched by URL and kept by the
page; a rerun sends only the codes shown, one palette index per commune, the legend, and the hover
values that change with the indicator (value and gap text, status). The classes are those of the
static exports (geo/reporting/choropleth.py: same colours, same breaks, same labels).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET
from geo.ingest.carry import PARTIAL_COVERAGE
from geo.reporting.choropleth import (
    CATEGORY_COLOURS,
    CATEGORY_ICONS,
    CERTAINTY_ORDER,
    LOW_PRECISION_OPACITY,
    NO_DATA_LINE,
    SEQUENTIAL,
    STATUS_COLOURS,
    STATUS_ICONS,
    TREND_ORDER,
    YES_NO_COLOURS,
    class_breaks,
)
from geo.text.numbers import format_number, format_percent

# Context around the data: the sea, the neighbouring countries and land outside the selection (drawn
# under the communes; the communes' paler fills sit on that white land exactly as their legend swatches
# sit on the legend's white).
SEA_COLOUR = "#D9E8F3"
NEIGHBOUR_COLOUR = "#E3E0D8"
OUTSIDE_COLOUR = "#FFFFFF"
# A value carried from the pre-2025 communes of which only some reported (geo/ingest/carry.py "partial"):
# the fill of its class with a dark outline, and its own legend entry.
PARTIAL_LINE = "#1A1A1A"
HOVER_FILES_KEPT = 256  # hover files of recent views kept in the static folder (a few MB at most)
GRADIENT_STEPS = 48  # a continuous scale drawn in 48 steps: finer than the eye tells apart on a map
NAMES_FILE = "commune_names.json"


def write_names(communes: pd.DataFrame, path: Path) -> None:
    """code → [full name, province] for the hover, written once per boundary version (sent once, cached)."""
    names = {c: [n, p] for c, n, p in zip(communes["code"], communes["full_name"], communes["province_name"],
                                           strict=True)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(names, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)


def _rgba(colour: str, opacity: float = 1.0) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i:i + 2], 16) for i in (0, 2, 4)] + [round(255 * opacity)]


def _interpolate(scale: list[str], x: float) -> str:
    """Colour at x in [0, 1] on a piecewise-linear scale of hex colours."""
    pos = min(max(x, 0.0), 1.0) * (len(scale) - 1)
    i = min(int(pos), len(scale) - 2)
    a, b = _rgba(scale[i]), _rgba(scale[i + 1])
    f = pos - i
    return "#" + "".join(f"{round(a[k] + (b[k] - a[k]) * f):02X}" for k in range(3))


class _Palette:
    """The fills drawn and their legend entries, made together so the legend shows exactly what is drawn.

    Every palette entry belongs to one legend entry ("fill": its index, or "fills": [first, end) for a
    colour scale drawn as a bar); the browser draws a legend swatch from the same palette entry as the
    commune (same colour, opacity and outline).
    """

    def __init__(self) -> None:
        self.colours: list[list[int]] = []
        self.legend: list[dict] = []

    def add(self, colour: str, label: str, opacity: float = 1.0, line: str | None = None, **extra) -> int:
        """One fill with its own legend entry (extra: how the swatch frame reads, e.g. dashed)."""
        self.colours.append(_rgba(colour, opacity) + (_rgba(line)[:3] if line else []))
        k = len(self.colours) - 1
        self.legend.append({"fill": k, "colour": colour, "opacity": opacity, "label": label,
                            **({"line": line} if line else {}), **extra})
        return k

    def add_scale(self, scale: list[str], label: str, opacity: float = 1.0, line: str | None = None) -> int:
        """GRADIENT_STEPS fills of a continuous scale with one legend bar; returns the first index."""
        base = len(self.colours)
        for s in range(GRADIENT_STEPS):
            self.colours.append(_rgba(_interpolate(scale, s / (GRADIENT_STEPS - 1)), opacity)
                                + (_rgba(line)[:3] if line else []))
        self.legend.append({"fills": [base, base + GRADIENT_STEPS], "colours": scale, "opacity": opacity,
                            "label": label, **({"line": line} if line else {})})
        return base

    def drop_unused(self, used: set[int]) -> None:
        """Keep the legend to the fills actually drawn (indices stay valid)."""
        self.legend = [e for e in self.legend
                       if ("fill" in e and e["fill"] in used) or
                       ("fills" in e and any(i in used for i in range(*e["fills"])))]


def legend_fills(entry: dict) -> range:
    """The palette indices a legend entry stands for."""
    return range(entry["fill"], entry["fill"] + 1) if "fill" in entry else range(*entry["fills"])


def _low(frame: pd.DataFrame) -> np.ndarray:
    if "low_precision" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["low_precision"].fillna(False).astype(bool).to_numpy()


def _partial(frame: pd.DataFrame) -> np.ndarray:
    if "coverage" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["coverage"].eq(PARTIAL_COVERAGE).fillna(False).to_numpy(dtype=bool)


def _variants(low: np.ndarray, partial: np.ndarray, labels: dict):
    """(rows, opacity, outline, label suffix) of the four ways one class is drawn: precise or not (paler),
    complete or partial coverage (dark outline)."""
    for pale in (False, True):
        for part in (False, True):
            rows = (low if pale else ~low) & (partial if part else ~partial)
            suffix = "".join((f" — {labels['low_precision']}" if pale else "",
                              f" — {labels['partial']}" if part else ""))
            yield rows, LOW_PRECISION_OPACITY if pale else 1.0, PARTIAL_LINE if part else None, suffix


def _add_class(pal: _Palette, idx: np.ndarray, here: np.ndarray, colour: str, label: str, low: np.ndarray,
               partial: np.ndarray, labels: dict) -> None:
    for rows, opacity, line, suffix in _variants(low, partial, labels):
        if (here & rows).any():
            idx[here & rows] = pal.add(colour, label + suffix, opacity, line)


def _categorical(frame, column, order, colours, names, labels, pal: _Palette, idx: np.ndarray,
                 low: np.ndarray, partial: np.ndarray) -> None:
    values = frame[column].to_numpy()
    for key in order:
        _add_class(pal, idx, values == key, colours[key], names[key], low, partial, labels)


def classify(frame: pd.DataFrame, *, mode: str, meta: dict, labels: dict, value_column: str = "value"
             ) -> tuple[np.ndarray, _Palette, dict | None]:
    """Palette index per row (-1: not drawn), the palette with its legend, and the colour bar (value mode)."""
    pal = _Palette()
    idx = np.full(len(frame), -1, dtype=int)
    has_data = frame["value"].notna().to_numpy()
    low = _low(frame)
    partial = _partial(frame) & has_data
    values = frame[value_column].to_numpy(dtype=float)
    bar = None
    if mode == "status":
        names = {k: f"{STATUS_ICONS[k]} {labels[k]}" for k in (MET, NOT_MET, NO_TARGET)}
        _categorical(frame, "status", (MET, NOT_MET, NO_TARGET), STATUS_COLOURS, names, labels, pal, idx, low,
                     partial)
    elif mode in ("certainty", "trend"):
        column, order = ("certainty", CERTAINTY_ORDER) if mode == "certainty" else ("trend_status", TREND_ORDER)
        names = {k: f"{CATEGORY_ICONS[k]} {labels[k]}" for k in order}
        _categorical(frame, column, order, CATEGORY_COLOURS, names, labels, pal, idx,
                     np.zeros(len(frame), dtype=bool) if mode == "trend" else low, partial)
    elif meta["measure"] == "yes_no":
        for flag in (1, 0):
            here = has_data & ((values >= 50) == bool(flag))
            _add_class(pal, idx, here, YES_NO_COLOURS[flag], labels["yes"] if flag else labels["no"],
                       np.zeros(len(frame), dtype=bool), partial, labels)
    elif mode == "classed":
        edges = class_breaks(pd.Series(values[has_data]))
        palette = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        n = max(len(edges) - 1, 1)
        cls = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n - 1)
        for k in range(n):
            colour = palette[round(k * (len(palette) - 1) / max(n - 1, 1))]
            label = f"{format_number(edges[k], labels['lang'], 1)}–{format_percent(edges[k + 1], labels['lang'])}"
            _add_class(pal, idx, has_data & (cls == k), colour, label, low, partial, labels)
    else:
        scale = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        zmin, zmax = (float(np.nanmin(values[has_data])), float(np.nanmax(values[has_data]))) \
            if has_data.any() else (0.0, 1.0)
        step = np.clip(((values - zmin) / max(zmax - zmin, 1e-9) * (GRADIENT_STEPS - 1)).round(), 0,
                       GRADIENT_STEPS - 1)
        title = f"{meta['short']} ({meta['unit']})"
        for rows, opacity, line, suffix in _variants(low, partial, labels):
            if (has_data & rows).any():
                at = has_data & rows
                idx[at] = pal.add_scale(scale, title + suffix, opacity, line) + step[at].astype(int)
        bar = {"title": f"{meta['short']} ({meta['unit']})", "colours": scale,
               "min": format_percent(zmin, labels["lang"]), "max": format_percent(zmax, labels["lang"])}
    # Nobody to count (0 of 0, e.g. no child hit by a disaster): white with a grey outline, not "no data".
    na = ~has_data & (frame["status"].eq(NOT_APPLICABLE).fillna(False).to_numpy() if "status" in frame
                      else np.zeros(len(frame), dtype=bool))
    if na.any():
        idx[na] = pal.add(STATUS_COLOURS[NOT_APPLICABLE],
                          f"{STATUS_ICONS[NOT_APPLICABLE]} {labels.get(NOT_APPLICABLE, NOT_APPLICABLE)}",
                          line=NO_DATA_LINE)
    if (~has_data & ~na).any():
        idx[~has_data & ~na] = pal.add(STATUS_COLOURS[NO_DATA], f"{STATUS_ICONS[NO_DATA]} {labels[NO_DATA]}",
                                       line=NO_DATA_LINE)
    pal.drop_unused(set(idx[idx >= 0].tolist()))
    return idx, pal, bar


def add_context(pal: _Palette, labels: dict, *, outside: bool) -> dict[str, int]:
    """Fills of the sea, the neighbouring countries and (when shown) land outside the selection."""
    context = {"sea": pal.add(SEA_COLOUR, labels["sea"]), "neighbours": pal.add(NEIGHBOUR_COLOUR, labels["neighbours"])}
    if outside:
        context["outside"] = pal.add(OUTSIDE_COLOUR, labels["outside"], frame="dashed")
    return context


def map_payload(frame: pd.DataFrame, hover: pd.Series, *, mode: str, meta: dict, labels: dict, target_text: str,
                value_column: str = "value", outside: bool = False, with_names: bool = False) -> dict:
    """The per-rerun data of the browser map. `hover` is geo.reporting.choropleth.hover_fields(frame, ...).

    Compact on purpose (it travels on every rerun): codes as one string of fixed-width codes (5 digits
    for communes, 2 for provinces) and one palette index per unit. "hover" holds, per unit, only the
    text that is not already in the static names file (value, gap) plus the index of its status label
    and, when the target has group variants, of the target that applied; publish_hover() moves it into
    a static file so that it travels only when the user hovers. `outside`: land outside the selection
    is visible (a province view, or filters that leave communes out), so it has its own legend entry.
    `with_names`: the hover's name and second line come with the rows (province maps: the static names
    file holds communes only).
    """
    idx, pal, bar = classify(frame, mode=mode, meta=meta, labels=labels, value_column=value_column)
    context = add_context(pal, labels, outside=outside)
    drawn = idx >= 0
    rows = hover[drawn].tolist()
    statuses: list[str] = sorted({r[4] for r in rows})
    where = {s: i for i, s in enumerate(statuses)}
    # hover_fields escapes for plotly's HTML labels; the browser map escapes itself.
    targets: list[str] = sorted({html.unescape(r[5]) for r in rows if len(r) > 5})
    which = {t: i for i, t in enumerate(targets)}
    codes_all = frame["code"].astype(str).to_numpy()
    width = len(codes_all[0]) if len(codes_all) else 5
    codes = "".join(codes_all[drawn])
    fields = ["value", "gap", "status"] + (["target"] if targets else []) + (["name", "sub"] if with_names else [])
    lines = ["\t".join([r[2], r[3], str(where[r[4]])] + ([str(which[html.unescape(r[5])])] if targets else [])
                       + ([html.unescape(r[0]), html.unescape(r[1])] if with_names else [])) for r in rows]
    return {
        "codes": codes,
        "code_width": width,
        "colour": idx[drawn].tolist(),
        "palette": pal.colours,
        "legend": pal.legend,
        "context": context,
        "bar": bar,
        "legend_title": labels.get("legend_title", ""),
        "hover": {"codes": codes, "fields": fields, "rows": "\n".join(lines), "statuses": statuses,
                  "targets": targets},
        "hover_labels": {k: labels[k] for k in ("value", "target", "gap", "status")},
        "target_text": target_text,
    }


def area_bounds(provinces: pd.DataFrame, province: str | None) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a province, or of the whole country (Hoàng Sa and Trường Sa
    included) from the provinces' bounds."""
    cols = ["min_lon", "min_lat", "max_lon", "max_lat"]
    if province:
        row = provinces.set_index("code").loc[province, cols]
        return tuple(float(v) for v in row)
    return (float(provinces["min_lon"].min()), float(provinces["min_lat"].min()),
            float(provinces["max_lon"].max()), float(provinces["max_lat"].max()))


def used_fills(payload: dict) -> set[int]:
    """Palette indices the browser draws for this payload: the units' fills and the context layers'."""
    return set(payload["colour"]) | set(payload["context"].values())


def publish_hover(payload: dict, folder: Path) -> str:
    """Move the hover texts out of the rerun into a static file named by its content; returns the file name.

    The browser fetches it only when the user hovers (compressed by the proxy), so a rerun carries
    codes and colours only. The oldest files beyond HOVER_FILES_KEPT are removed.
    """
    body = json.dumps(payload.pop("hover"), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    name = hashlib.sha1(body).hexdigest()[:16] + ".json"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        tmp = folder / f".{name}.{os.getpid()}"
        tmp.write_bytes(body)
        tmp.replace(path)
        files = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime)
        for old in files[:-HOVER_FILES_KEPT]:
            old.unlink(missing_ok=True)
    else:
        path.touch()
    return name
