"""Figures to files: PNG, SVG and PDF drawn by plotly.js in a local headless Chromium, offline.

Rendering uses plotly's own engine, kaleido 1.x, which drives a local Chromium (Debian's
/usr/bin/chromium) over the DevTools pipe, so exports look exactly like the app's charts. Nothing is
fetched from the network: plotly.js comes from the plotly package, MathJax is off, the world
topojson that plotly.js requests for every ``geo`` subplot is replaced by an empty local file, and
Chromium is given an unreachable proxy so any stray http(s) request fails at once instead of
leaking or hanging.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import plotly.graph_objects as go

from geo.errors import DataError

CHROMIUM_ENV = "VNCHILD_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
FORMATS = ("png", "svg", "pdf")
# Noto Sans (fonts-noto-core) covers every Vietnamese letter; the rest are fallbacks for SVG viewers.
FONT_FAMILY = "Noto Sans, DejaVu Sans, Arial, sans-serif"
# Nothing listens on the discard port: a request that is not file:// fails immediately.
_DEAD_PROXY = "http://127.0.0.1:9"
_EMPTY_TOPOJSON = {"type": "Topology", "objects": {}, "arcs": []}
_TOPOJSON_SCOPES = ("world", "usa", "europe", "asia", "africa", "north-america", "south-america")
# Each render runs a Chromium (~200 MB, one core busy): cap how many sessions run at once on 2 cores.
_BROWSER_SLOTS = threading.BoundedSemaphore(2)


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

def render_figure(fig: go.Figure, fmt: str, **options) -> bytes:
    """PNG, SVG or PDF bytes of a figure, drawn server-side by plotly.js in headless Chromium.

    PNG is width_px*scale x height_px*scale pixels; SVG and PDF are vector and ignore scale (the PDF
    page is width_px x height_px CSS pixels). Each call starts and stops its own browser, so it is
    safe from any thread; use render_figures() (same options) for several outputs. offline=False lets
    the figure load remote images.
    """
    return render_figures([(fig, fmt)], **options)[0]


def render_publication(fig: go.Figure, *, title: str, subject: str, source: str, author: str, mark: str = "",
                       width_px: int, height_px: int, scale: float = 1.0) -> dict[str, bytes]:
    """PNG, SVG and PDF from one browser session, the PDF and SVG carrying the real title, subject and
    source (geo.reporting.document_info) instead of the browser's page title."""
    from geo.reporting.document_info import stamp_pdf, stamp_svg

    png, svg, pdf = render_figures([(fig, fmt) for fmt in FORMATS], width_px=width_px, height_px=height_px,
                                   scale=scale)
    return {"png": png, "svg": stamp_svg(svg, title=title, subject=subject, source=source),
            "pdf": stamp_pdf(pdf, title=title, subject=subject, author=author, keywords=mark)}
