"""Briefing packs for many provinces in one action: the page's button and ``python -m geo brief`` both call this.

Each pack is exactly the single briefing (geo.reporting.briefing): the caller hands one PackJob per
area with the two functions the single pack uses (its map figure, its content from the map PNG).
What makes it fast is the drawing: the maps are rendered in batches, several per Chromium session
(starting the browser costs ~3 s, a map ~1 s), and the PDF and deck are pure Python. A failed
area does not stop the others: its row in the index says why, in both languages.
"""

from __future__ import annotations

import csv
import html
import io
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go

from geo.errors import DataError
from geo.reporting import briefing as gb
from geo.reporting.tabular import csv_code
from geo.text import catalogue

Progress = Callable[[float, str], None]
Renderer = Callable[..., list[bytes]]
INDEX_CSV = "index.csv"
INDEX_HTML = "index.html"
#: Maps drawn per browser session: a session holds every figure's geometry, so memory stays bounded.
BATCH = 6


@dataclass(frozen=True)
class PackJob:
    """One area's pack: its code and name, the map figure (None when nothing to map), the content."""

    code: str
    name: str
    map_figure: Callable[[], go.Figure | None]
    content: Callable[[bytes | None], gb.BriefingContent]
    stem: str = ""  # file name without extension


@dataclass
class PackResult:
    code: str
    name: str
    stem: str
    files: dict[str, bytes] = field(default_factory=dict)
    pages: int = 0
    slides: int = 0
    seconds: float = 0.0
    error_vi: str = ""
    error_en: str = ""
    note: str = ""  # why the pack has no map image (no Chromium, or it failed): the pack is still made

    @property
    def ok(self) -> bool:
        return not self.error_en


def _say(progress: Progress | None) -> Progress:
    return progress or (lambda _f, _m: None)


def build_packs(
    jobs: Sequence[PackJob],
    labels: Mapping[str, str],
    lang: str,
    *,
    map_size: tuple[int, int, float],
    render: Renderer,
    progress: Progress | None = None,
    batch: int | None = None,
) -> list[PackResult]:
    """PDF + PPTX for every job, in order; progress(fraction, area name) after each pack.

    render: geo's render_figures (given here so the caller picks the browser; tests pass it too).
    """
    say = _say(progress)
    batch = batch or BATCH
    width, height, scale = map_size
    results: list[PackResult] = []
    total = max(len(jobs), 1)
    for start in range(0, len(jobs), max(batch, 1)):
        chunk = jobs[start:start + batch]
        t0 = time.perf_counter()
        figures: list[go.Figure | DataError | None] = []
        for job in chunk:
            try:
                figures.append(job.map_figure())
            except DataError as err:
                figures.append(err)
        drawable = [(i, f) for i, f in enumerate(figures) if isinstance(f, go.Figure)]
        pngs: dict[int, bytes] = {}
        render_error: DataError | None = None
        if drawable:
            try:
                out = render([(f, "png") for _, f in drawable], width_px=width, height_px=height, scale=scale)
                pngs = {i: png for (i, _), png in zip(drawable, out, strict=True)}
            except DataError as err:
                render_error = err
        share = (time.perf_counter() - t0) / max(len(chunk), 1)  # the batch's drawing, shared out
        for i, job in enumerate(chunk):
            t1 = time.perf_counter()
            result = PackResult(code=job.code, name=job.name, stem=job.stem or job.code)
            failure = figures[i] if isinstance(figures[i], DataError) else None
            pack_labels = labels
            if failure is None and render_error is not None and i in dict(drawable):
                result.note = catalogue.say("briefing.no_map_image", lang, reason=render_error.message(lang))
                pack_labels = {**labels, "briefing.no_map": result.note}
            if failure is not None:
                result.error_vi, result.error_en = failure.vi, failure.en
            else:
                try:
                    content = job.content(pngs.get(i))
                    result.files = {"pdf": gb.build_briefing_pdf(content, pack_labels, lang),
                                    "pptx": gb.build_briefing_pptx(content, pack_labels, lang)}
                    result.slides = gb.count_briefing_slides(content)
                    result.pages = _pdf_pages(result.files["pdf"])
                except DataError as err:
                    result.error_vi, result.error_en = err.vi, err.en
            result.seconds = share + time.perf_counter() - t1
            results.append(result)
            say(len(results) / total, job.name)
    return results


def _pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def index_rows(results: Sequence[PackResult], lang: str) -> list[dict]:
    """One row per area: code (text), name, the two files, pages, slides, seconds, error (empty when fine)."""
    return [{"code": r.code, "name": r.name, "pdf": f"{r.stem}.pdf" if r.ok else "",
             "pptx": f"{r.stem}.pptx" if r.ok else "", "pages": r.pages, "slides": r.slides,
             "seconds": round(r.seconds, 1), "error": r.error_vi if lang == "vi" else r.error_en}
            for r in results]


def index_csv(results: Sequence[PackResult], lang: str, headers: Mapping[str, str]) -> bytes:
    """index.csv: plain data (one header row), UTF-8 with BOM; headers are the translated column names; the
    province code in its CSV form ("VN12", text under every reader's defaults: see tabular.CSV_CODE_PREFIX)."""
    rows = index_rows(results, lang)
    buf = io.StringIO(newline="")
    keys = list(rows[0]) if rows else ["code", "name", "pdf", "pptx", "pages", "slides", "seconds", "error"]
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([headers.get(k, k) for k in keys])
    for row in rows:
        writer.writerow([csv_code(row[k]) if k == "code" else row[k] for k in keys])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def index_html(results: Sequence[PackResult], lang: str, *, title: str, headers: Mapping[str, str],
               mark: str = "") -> bytes:
    """index.html: a table linking every file, readable offline in any browser."""
    rows = index_rows(results, lang)
    keys = ["code", "name", "pdf", "pptx", "pages", "slides", "error"]
    head = "".join(f"<th>{html.escape(headers.get(k, k))}</th>" for k in keys)
    body = []
    for row in rows:
        cells = []
        for k in keys:
            value = str(row[k])
            if k in ("pdf", "pptx") and value:
                cells.append(f'<td><a href="{html.escape(value)}">{html.escape(value)}</a></td>')
            else:
                cells.append(f"<td>{html.escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    banner = (f'<p style="background:#FDECEA;color:#8A1C1C;border:1px solid #8A1C1C;padding:6px">'
              f"<b>{html.escape(mark)}</b></p>") if mark else ""
    doc = (f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
           f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{banner}"
           f'<table border="1" cellpadding="4" style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
           f"<tbody>{''.join(body)}</tbody></table></body></html>")
    return doc.encode("utf-8")


def pack_files(results: Sequence[PackResult], lang: str, *, title: str, headers: Mapping[str, str],
               mark: str = "") -> dict[str, bytes]:
    """Every file of the set by name: <stem>.pdf, <stem>.pptx per area, index.csv and index.html."""
    files: dict[str, bytes] = {}
    for r in results:
        for fmt, data in r.files.items():
            files[f"{r.stem}.{fmt}"] = data
    files[INDEX_CSV] = index_csv(results, lang, headers)
    files[INDEX_HTML] = index_html(results, lang, title=title, headers=headers, mark=mark)
    return files


def write_packs(files: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write the set into out_dir (created if needed); returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def zip_packs(files: Mapping[str, bytes]) -> bytes:
    """The set as one zip (the page's download); PDFs and decks are already compressed, so stored."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2025, 7, 1, 0, 0, 0)), data)
    return buf.getvalue()
