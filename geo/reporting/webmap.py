"""What the browser map (deck.gl, ui/assets/webmap.js) needs per rerun: colours and hover text by commune code.

Geometry and commune names go to the browser once, as static files fetched by URL and kept by the
page; a rerun sends only the codes shown, one palette index per commune, the legend, and the hover
values that change with the indicator (value and gap text, status). The classes are those of the
static exports (geo/reporting/choropleth.py: same colours, same breaks, same labels).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_MET
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
    """Palette entries with their legend rows, in legend order."""

    def __init__(self) -> None:
        self.colours: list[list[int]] = []
        self.legend: list[dict] = []

    def add(self, colour: str, label: str | None, opacity: float = 1.0, line: str | None = None) -> int:
        self.colours.append(_rgba(colour, opacity) + (_rgba(line)[:3] if line else []))
        if label is not None:
            self.legend.append({"colour": colour, "opacity": opacity, "label": label,
                                **({"line": line} if line else {})})
        return len(self.colours) - 1


def _low(frame: pd.DataFrame) -> np.ndarray:
    if "low_precision" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["low_precision"].fillna(False).astype(bool).to_numpy()


def _categorical(frame, column, order, colours, names, labels, pal: _Palette, idx: np.ndarray,
                 low: np.ndarray, always=()) -> None:
    values = frame[column].to_numpy()
    for key in order:
        here = values == key
        if here.any() or key in always:
            k = pal.add(colours[key], names[key])
            idx[here & ~low] = k
        if (here & low).any():
            k = pal.add(colours[key], f"{names[key]} — {labels['low_precision']}", LOW_PRECISION_OPACITY)
            idx[here & low] = k


def classify(frame: pd.DataFrame, *, mode: str, meta: dict, labels: dict, value_column: str = "value"
             ) -> tuple[np.ndarray, _Palette, dict | None]:
    """Palette index per row (-1: not drawn), the palette with its legend, and the colour bar (value mode)."""
    pal = _Palette()
    idx = np.full(len(frame), -1, dtype=int)
    has_data = frame["value"].notna().to_numpy()
    low = _low(frame)
    values = frame[value_column].to_numpy(dtype=float)
    bar = None
    if mode == "status":
        names = {k: f"{STATUS_ICONS[k]} {labels[k]}" for k in (MET, NOT_MET, NO_TARGET)}
        _categorical(frame, "status", (MET, NOT_MET, NO_TARGET), STATUS_COLOURS, names, labels, pal, idx, low,
                     always=(MET, NOT_MET))
    elif mode in ("certainty", "trend"):
        column, order = ("certainty", CERTAINTY_ORDER) if mode == "certainty" else ("trend_status", TREND_ORDER)
        names = {k: f"{CATEGORY_ICONS[k]} {labels[k]}" for k in order}
        _categorical(frame, column, order, CATEGORY_COLOURS, names, labels, pal, idx,
                     np.zeros(len(frame), dtype=bool) if mode == "trend" else low)
    elif meta["measure"] == "yes_no":
        for flag in (1, 0):
            here = has_data & ((values >= 50) == bool(flag))
            idx[here] = pal.add(YES_NO_COLOURS[flag], labels["yes"] if flag else labels["no"])
    elif mode == "classed":
        edges = class_breaks(pd.Series(values[has_data]))
        palette = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        n = max(len(edges) - 1, 1)
        cls = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n - 1)
        for k in range(n):
            colour = palette[round(k * (len(palette) - 1) / max(n - 1, 1))]
            label = f"{format_number(edges[k], labels['lang'], 1)}–{format_percent(edges[k + 1], labels['lang'])}"
            here = has_data & (cls == k)
            idx[here & ~low] = pal.add(colour, label)
            if (here & low).any():
                idx[here & low] = pal.add(colour, f"{label} — {labels['low_precision']}", LOW_PRECISION_OPACITY)
    else:
        scale = SEQUENTIAL if meta["direction"] == "lower_is_better" else SEQUENTIAL[::-1]
        zmin, zmax = (float(np.nanmin(values[has_data])), float(np.nanmax(values[has_data]))) \
            if has_data.any() else (0.0, 1.0)
        step = np.clip(((values - zmin) / max(zmax - zmin, 1e-9) * (GRADIENT_STEPS - 1)).round(), 0,
                       GRADIENT_STEPS - 1)
        base = len(pal.colours)
        for s in range(GRADIENT_STEPS):
            pal.add(_interpolate(scale, s / (GRADIENT_STEPS - 1)), None)
        idx[has_data & ~low] = base + step[has_data & ~low].astype(int)
        if (has_data & low).any():
            pale = len(pal.colours)
            for s in range(GRADIENT_STEPS):
                pal.add(_interpolate(scale, s / (GRADIENT_STEPS - 1)), None, LOW_PRECISION_OPACITY)
            pal.legend.append({"colour": _interpolate(scale, 0.5), "opacity": LOW_PRECISION_OPACITY,
                               "label": labels["low_precision"]})
            idx[has_data & low] = pale + step[has_data & low].astype(int)
        bar = {"title": f"{meta['short']} ({meta['unit']})", "colours": scale,
               "min": format_percent(zmin, labels["lang"]), "max": format_percent(zmax, labels["lang"])}
    idx[~has_data] = pal.add(STATUS_COLOURS[NO_DATA], f"{STATUS_ICONS[NO_DATA]} {labels[NO_DATA]}",
                             line=NO_DATA_LINE)
    return idx, pal, bar


def map_payload(frame: pd.DataFrame, hover: pd.Series, *, mode: str, meta: dict, labels: dict, target_text: str,
                value_column: str = "value") -> dict:
    """The per-rerun data of the browser map. `hover` is geo.reporting.choropleth.hover_fields(frame, ...).

    Compact on purpose (it travels on every rerun): codes as one string of 5-digit codes and one
    palette index per commune. "hover" holds, per commune, only the text that is not already in the
    static names file (value, gap) plus the index of its status label; publish_hover() moves it into a
    static file so that it travels only when the user hovers.
    """
    idx, pal, bar = classify(frame, mode=mode, meta=meta, labels=labels, value_column=value_column)
    drawn = idx >= 0
    rows = hover[drawn].tolist()
    statuses: list[str] = sorted({r[4] for r in rows})
    where = {s: i for i, s in enumerate(statuses)}
    codes = "".join(frame["code"].to_numpy()[drawn])
    return {
        "codes": codes,
        "colour": idx[drawn].tolist(),
        "palette": pal.colours,
        "legend": pal.legend,
        "bar": bar,
        "legend_title": labels.get("legend_title", ""),
        "hover": {"codes": codes, "rows": "\n".join(f"{r[2]}\t{r[3]}\t{where[r[4]]}" for r in rows),
                  "statuses": statuses},
        "hover_labels": {k: labels[k] for k in ("value", "target", "gap", "status")},
        "target_text": target_text,
    }


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
