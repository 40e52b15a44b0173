"""One-click briefing pack: the same five pages as an A4 PDF and as a PowerPoint deck.

Pages: title, status of all targets, status map, equity gaps, communes furthest from the target.
The PDF is drawn with reportlab and the Noto Sans TTF embedded: pure Python, no browser, about a
second for a national pack, and pdftotext gets the Vietnamese text back intact. The map arrives as
PNG bytes (geo.reporting.render), so only that step needs Chromium. For illustrative data every
page carries the mark in a band at the top and the bottom of the margin, never over the content.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

from geo.errors import DataError
from geo.geometry.boundaries import BOUNDARY_SOURCE
from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE, NOT_MET
from geo.reporting.choropleth import STATUS_COLOURS
from geo.text.fold import nfc
from geo.text.numbers import format_number, format_points

Progress = Callable[[float, str], None]

STATUS_COLUMNS = ("indicator", "value", "target_2025", "target_2030", "status_2025", "status_2030",
                  "communes_meeting")
EQUITY_COLUMNS = ("indicator", "em_area", "non_em_area", "em_gap", "border", "non_border", "border_gap")
LAGGING_COLUMNS = ("commune", "province", "value", "target", "gap")
# How each column is written: text as given, a number with one decimal, signed points, or a status key.
_KINDS = {
    "indicator": "text", "value": "number", "target_2025": "text", "target_2030": "text",
    "status_2025": "status", "status_2030": "status", "communes_meeting": "int",
    "em_area": "number", "non_em_area": "number", "em_gap": "points", "border": "number",
    "non_border": "number", "border_gap": "points", "commune": "text", "province": "text",
    "target": "number", "gap": "points",
}
_STATUS_TEXT = {MET: "#FFFFFF", NOT_MET: "#000000", NO_DATA: "#000000", NO_TARGET: "#000000", NOT_APPLICABLE: "#000000"}
_BANNER = "#8A1C1C"
_BANNER_FILL = "#FDECEA"
_HEADER_FILL = "#E8EEF4"
_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
PDF_FONT = "BriefingSans"
PPTX_FONT = "Arial"  # present in Office everywhere and has Vietnamese; LibreOffice maps it to Liberation Sans

LABEL_KEYS = (
    "briefing.title", "briefing.framework", "briefing.dataset", "briefing.reference_date", "briefing.prepared_on",
    "briefing.boundary", "briefing.status_title", "briefing.map_title", "briefing.equity_title",
    "briefing.equity_note", "briefing.lagging_title", "briefing.lagging_note", "briefing.no_map",
    "briefing.empty", "briefing.continued", "briefing.page", "illustrative.badge", "illustrative.note",
    "status.met", "status.not_met", "status.no_data", "status.no_target", "status.not_applicable",
    *(f"briefing.col.{c}" for c in dict.fromkeys(STATUS_COLUMNS + EQUITY_COLUMNS + LAGGING_COLUMNS)),
)


@dataclass(frozen=True)
class BriefingContent:
    """Everything a briefing shows, already computed; the builders only lay it out.

    status_table: STATUS_COLUMNS (status_* are status keys: met / not_met / no_data / no_target);
    e.g. overview.summarise_targets renamed (target_text_Y -> target_Y, n_met_Y -> communes_meeting).
    equity_table: EQUITY_COLUMNS, values in %, gaps in points signed like equity.compare_groups'
    gap_between (positive = the ethnic-minority / border group is worse off).
    lagging_communes: LAGGING_COLUMNS, already sorted and cut to the top N (ranking.rank_lagging).
    Numbers may also be given as ready-made text (e.g. "12,5%"), which is written as is.
    """

    area_name: str
    year: int
    framework_name: str
    dataset_name: str
    dataset_version: str
    illustrative: bool
    status_table: pd.DataFrame
    status_map_png: bytes | None
    equity_table: pd.DataFrame
    lagging_communes: pd.DataFrame
    lagging_indicator: str = ""
    status_notes: tuple[str, ...] = ()  # e.g. which plan a marked target comes from
    reference_date: str = ""
    prepared_on: str = ""
    boundary_source: str = BOUNDARY_SOURCE


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def format_cell(value: object, kind: str, labels: Mapping[str, str], lang: str) -> str:
    """Text for one table cell; text values pass through so callers can pre-format anything."""
    if _is_missing(value):
        return "—"
    if isinstance(value, str):
        return labels.get(f"status.{value}", value) if kind == "status" else value
    if kind == "number":
        return format_number(float(value), lang, 1)
    if kind == "points":
        return format_points(float(value), lang)
    if kind == "int":
        return format_number(float(value), lang, 0)
    return str(value)


def _table_rows(frame: pd.DataFrame, columns: Sequence[str], labels: Mapping[str, str], lang: str) -> list[list]:
    """[(text, status or None)] per cell, header excluded."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"briefing table lacks columns {missing}")
    rows = []
    for record in frame[list(columns)].itertuples(index=False, name=None):
        rows.append([(nfc(format_cell(v, _KINDS[c], labels, lang)), v if _KINDS[c] == "status" else None)
                     for c, v in zip(columns, record, strict=True)])
    return rows


def _say(progress: Progress | None) -> Progress:
    return progress or (lambda _f, _m: None)


def _texts(content: BriefingContent, labels: Mapping[str, str]) -> dict[str, str]:
    """The title-page lines, shared by the PDF and the deck."""
    return {
        "title": labels["briefing.title"].format(area=content.area_name, year=content.year),
        "framework": labels["briefing.framework"].format(framework=content.framework_name),
        "dataset": labels["briefing.dataset"].format(dataset=content.dataset_name, version=content.dataset_version),
        "reference_date": labels["briefing.reference_date"].format(date=content.reference_date)
        if content.reference_date else "",
        "prepared_on": labels["briefing.prepared_on"].format(date=content.prepared_on) if content.prepared_on else "",
        "boundary": labels["briefing.boundary"].format(source=content.boundary_source),
        "mark": f"{labels['illustrative.badge']} — {labels['illustrative.note']}",
    }


def _sections(content: BriefingContent) -> list[tuple[str, pd.DataFrame, tuple[str, ...], str | None]]:
    return [
        ("status", content.status_table, STATUS_COLUMNS, None),
        ("equity", content.equity_table, EQUITY_COLUMNS, "briefing.equity_note"),
        ("lagging", content.lagging_communes, LAGGING_COLUMNS, "briefing.lagging_note"),
    ]


# --- PDF (reportlab) -------------------------------------------------------------------------------------


def register_pdf_fonts() -> str:
    """Register a Unicode TTF family with reportlab once; its built-in fonts have no Vietnamese."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if PDF_FONT in pdfmetrics.getRegisteredFontNames():
        return PDF_FONT
    for regular, bold in _FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            pdfmetrics.registerFont(TTFont(PDF_FONT, regular))
            pdfmetrics.registerFont(TTFont(f"{PDF_FONT}-Bold", bold))
            addMapping(PDF_FONT, 0, 0, PDF_FONT)
            addMapping(PDF_FONT, 1, 0, f"{PDF_FONT}-Bold")
            addMapping(PDF_FONT, 0, 1, PDF_FONT)
            addMapping(PDF_FONT, 1, 1, f"{PDF_FONT}-Bold")
            return PDF_FONT
    raise DataError(
        vi="Không tìm thấy phông chữ Noto Sans hoặc DejaVu Sans để viết tiếng Việt trong PDF.",
        en="Neither Noto Sans nor DejaVu Sans was found for Vietnamese text in the PDF.",
        fix_vi="Cài gói fonts-noto-core (apt-get install fonts-noto-core).",
        fix_en="Install the fonts-noto-core package (apt-get install fonts-noto-core).",
    )


def build_briefing_pdf(
    content: BriefingContent,
    labels: Mapping[str, str],
    lang: str,
    progress: Progress | None = None,
) -> bytes:
    """A4 PDF briefing (title, status table, map, equity gaps, lagging communes); bytes, no files."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        Image,
        KeepTogether,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    say = _say(progress)
    say(0.0, "start")
    font = register_pdf_fonts()
    bold = f"{font}-Bold"
    texts = _texts(content, labels)
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=13, alignment=TA_LEFT)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=22, leading=28, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=15, leading=19, spaceAfter=6),
        "meta": ParagraphStyle("meta", parent=base, fontSize=11, leading=16),
        "note": ParagraphStyle("note", parent=base, fontSize=9, leading=12, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=8.5, leading=10.5),
        "mark": ParagraphStyle("mark", parent=base, fontName=bold, fontSize=11, leading=15,
                               textColor=colors.HexColor(_BANNER)),
    }

    def para(text: str, style: str) -> Paragraph:
        return Paragraph(escape(nfc(text)), styles[style])

    page_w, page_h = A4
    margin = 18 * mm
    frame_w = page_w - 2 * margin
    footer_text = nfc(f"{content.dataset_name} ({content.dataset_version}) · {content.area_name}, {content.year}")

    def decorate(canvas, doc) -> None:
        """Under every page's content: footer, page number and, for illustrative data, the banner."""
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(margin, 10 * mm, footer_text)
        canvas.drawRightString(page_w - margin, 10 * mm, nfc(labels["briefing.page"].format(n=doc.page)))
        if content.illustrative:
            canvas.setFillColor(colors.HexColor(_BANNER_FILL))
            canvas.setStrokeColor(colors.HexColor(_BANNER))
            canvas.rect(margin, page_h - 13 * mm, frame_w, 8 * mm, fill=1, stroke=1)
            canvas.setFillColor(colors.HexColor(_BANNER))
            canvas.setFont(bold, 9)
            canvas.drawCentredString(page_w / 2, page_h - 10.2 * mm, nfc(labels["illustrative.badge"]))
        canvas.restoreState()

    def bottom_band(canvas, _doc) -> None:
        """A second band in the bottom margin: the mark survives a crop, and never covers the map or a table."""
        if not content.illustrative:
            return
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(_BANNER_FILL))
        canvas.setStrokeColor(colors.HexColor(_BANNER))
        canvas.rect(margin, 12.5 * mm, frame_w, 4.5 * mm, fill=1, stroke=1)
        canvas.setFillColor(colors.HexColor(_BANNER))
        canvas.setFont(bold, 7.5)
        canvas.drawCentredString(page_w / 2, 14 * mm, nfc(labels["illustrative.badge"]))
        canvas.restoreState()

    def table(frame: pd.DataFrame, columns: Sequence[str], kind: str) -> Table | Paragraph:
        if frame is None or frame.empty:
            return para(labels["briefing.empty"], "meta")
        rows = _table_rows(frame, columns, labels, lang)
        header = [para(labels[f"briefing.col.{c}"], "head") for c in columns]
        body = [[para(text, "cell") for text, _ in row] for row in rows]
        first = {"status": 0.34, "equity": 0.25}.get(kind, 0.26)
        widths = [frame_w * first] + [frame_w * (1 - first) / (len(columns) - 1)] * (len(columns) - 1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BBBBBB")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(_HEADER_FILL)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for r, row in enumerate(rows, start=1):
            for c, (_, status) in enumerate(row):
                if status in STATUS_COLOURS:
                    style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(STATUS_COLOURS[status])))
                    body[r - 1][c] = Paragraph(escape(row[c][0]), ParagraphStyle(
                        f"s{status}", parent=styles["cell"], textColor=colors.HexColor(_STATUS_TEXT[status])))
        return Table([header, *body], colWidths=widths, repeatRows=1, style=TableStyle(style))

    story: list = []
    say(0.1, "title")
    story += [Spacer(1, 30 * mm), para(texts["title"], "title")]
    for key in ("framework", "dataset", "reference_date", "prepared_on", "boundary"):
        if texts[key]:
            story.append(para(texts[key], "meta"))
    if content.illustrative:
        box = Table([[para(texts["mark"], "mark")]], colWidths=[frame_w], style=TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(_BANNER_FILL)),
            ("BOX", (0, 0), (-1, -1), 1, colors.HexColor(_BANNER)), ("TOPPADDING", (0, 0), (-1, -1), 8),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
        story += [Spacer(1, 12 * mm), box]
    sections = dict((name, (frame, cols, note)) for name, frame, cols, note in _sections(content))

    say(0.25, "status")
    story += [PageBreak(), para(labels["briefing.status_title"], "h1"),
              table(*sections["status"][:2], "status")]
    if content.status_notes:
        story += [Spacer(1, 3 * mm), *[para(n, "note") for n in content.status_notes]]
    say(0.45, "map")
    story += [PageBreak(), para(labels["briefing.map_title"], "h1")]
    if content.status_map_png:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(content.status_map_png)) as img:
            w_px, h_px = img.size
        avail_h = page_h - 2 * margin - 30 * mm
        ratio = min(frame_w / w_px, avail_h / h_px)
        story.append(Image(io.BytesIO(content.status_map_png), width=w_px * ratio, height=h_px * ratio))
    else:
        story.append(para(labels["briefing.no_map"], "meta"))
    say(0.6, "equity")
    story += [PageBreak(), para(labels["briefing.equity_title"], "h1"), para(labels["briefing.equity_note"], "note"),
              Spacer(1, 3 * mm), table(*sections["equity"][:2], "equity")]
    say(0.75, "lagging")
    lag_title = labels["briefing.lagging_title"]
    heading = [para(lag_title, "h1")]
    if content.lagging_indicator:
        heading.append(para(content.lagging_indicator, "meta"))
    heading += [para(labels["briefing.lagging_note"], "note"), Spacer(1, 3 * mm)]
    story += [PageBreak(), KeepTogether(heading), table(*sections["lagging"][:2], "lagging")]

    say(0.85, "write")
    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin + 4 * mm,
                          bottomMargin=margin, title=nfc(texts["title"]), author=nfc(content.dataset_name),
                          subject=nfc(texts["framework"]))
    body = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[body], onPage=decorate, onPageEnd=bottom_band)])
    doc.build(story)
    say(1.0, "done")
    return buf.getvalue()


# --- PPTX (python-pptx) ----------------------------------------------------------------------------------


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _style_runs(text_frame, *, size: float, bold: bool = False, colour: str = "#222222",
                font_name: str = PPTX_FONT) -> None:
    from pptx.util import Pt

    for paragraph in text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.name = font_name
            run.font.color.rgb = _rgb(colour)


def _chunks(frame: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    if frame is None or frame.empty:
        return [pd.DataFrame()]
    return [frame.iloc[i:i + size] for i in range(0, len(frame), size)]


def count_briefing_slides(content: BriefingContent, rows_per_slide: int = 10) -> int:
    """Slides build_briefing_pptx makes: long tables continue on extra slides."""
    tables = sum(len(_chunks(frame, rows_per_slide)) for _, frame, _, _ in _sections(content))
    return 2 + tables  # title + map + table slides


def build_briefing_pptx(
    content: BriefingContent,
    labels: Mapping[str, str],
    lang: str,
    progress: Progress | None = None,
    *,
    rows_per_slide: int = 10,
    font_name: str = PPTX_FONT,
) -> bytes:
    """16:9 deck with the PDF's pages as slides; tables longer than rows_per_slide continue on the next slide."""
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches

    say = _say(progress)
    say(0.0, "start")
    texts = _texts(content, labels)
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    slide_w, slide_h = prs.slide_width, prs.slide_height
    margin = Inches(0.5)

    def mark(slide) -> None:
        """A banner in the bottom margin of every slide (nothing translucent over the map or the tables)."""
        if not content.illustrative:
            return
        banner = slide.shapes.add_textbox(margin, slide_h - Inches(0.55), slide_w - 2 * margin, Inches(0.4))
        banner.fill.solid()
        banner.fill.fore_color.rgb = _rgb(_BANNER_FILL)
        banner.line.color.rgb = _rgb(_BANNER)
        banner.text_frame.text = nfc(texts["mark"])
        _style_runs(banner.text_frame, size=12, bold=True, colour=_BANNER, font_name=font_name)
        banner.name = "illustrative_banner"

    def titled(title: str):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": slide.shapes.title works
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = margin, Inches(0.3), slide_w - 2 * margin, Inches(0.9)
        shape.text = nfc(title)
        shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        _style_runs(shape.text_frame, size=26, bold=True, font_name=font_name)
        return slide

    def note(slide, text: str, top) -> None:
        box = slide.shapes.add_textbox(margin, top, slide_w - 2 * margin, Inches(0.4))
        box.text_frame.word_wrap = True
        box.text_frame.text = nfc(text)
        _style_runs(box.text_frame, size=12, colour="#444444", font_name=font_name)

    def table(slide, frame: pd.DataFrame, columns: Sequence[str], top) -> None:
        if frame.empty:
            note(slide, labels["briefing.empty"], top)
            return
        rows = _table_rows(frame, columns, labels, lang)
        height = slide_h - top - Inches(0.8)
        shape = slide.shapes.add_table(len(rows) + 1, len(columns), margin, top, slide_w - 2 * margin,
                                       Emu(int(min(height, Inches(0.42) * (len(rows) + 1)))))
        tbl = shape.table
        first = 0.34 if columns[0] == "indicator" else 0.24
        total = slide_w - 2 * margin
        tbl.columns[0].width = Emu(int(total * first))
        for j in range(1, len(columns)):
            tbl.columns[j].width = Emu(int(total * (1 - first) / (len(columns) - 1)))
        for j, col in enumerate(columns):
            cell = tbl.cell(0, j)
            cell.text = nfc(labels[f"briefing.col.{col}"])
            _style_runs(cell.text_frame, size=12, bold=True, colour="#FFFFFF", font_name=font_name)
        for i, row in enumerate(rows, start=1):
            for j, (text, status) in enumerate(row):
                cell = tbl.cell(i, j)
                cell.text = text
                colour = "#222222"
                if status in STATUS_COLOURS:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = _rgb(STATUS_COLOURS[status])
                    colour = _STATUS_TEXT[status]
                _style_runs(cell.text_frame, size=12, colour=colour, font_name=font_name)

    say(0.1, "title")
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.left, slide.shapes.title.top = margin, Inches(1.6)
    slide.shapes.title.width, slide.shapes.title.height = slide_w - 2 * margin, Inches(1.5)
    slide.shapes.title.text = nfc(texts["title"])
    _style_runs(slide.shapes.title.text_frame, size=34, bold=True, font_name=font_name)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = margin, Inches(3.3), slide_w - 2 * margin, Inches(2.6)
    lines = [texts[k] for k in ("framework", "dataset", "reference_date", "prepared_on", "boundary") if texts[k]]
    sub.text_frame.text = nfc("\n".join(lines))
    _style_runs(sub.text_frame, size=16, colour="#333333", font_name=font_name)
    mark(slide)

    sections = {name: (frame, cols, note_key) for name, frame, cols, note_key in _sections(content)}
    order = [("status", "briefing.status_title", 0.25), ("map", "briefing.map_title", 0.45),
             ("equity", "briefing.equity_title", 0.6), ("lagging", "briefing.lagging_title", 0.75)]
    for name, title_key, frac in order:
        say(frac, name)
        if name == "map":
            slide = titled(labels[title_key])
            if content.status_map_png:
                from PIL import Image as PILImage

                with PILImage.open(io.BytesIO(content.status_map_png)) as img:
                    w_px, h_px = img.size
                box_w, box_h = slide_w - 2 * margin, slide_h - Inches(1.4) - Inches(0.7)
                ratio = min(box_w / w_px, box_h / h_px)
                w, h = Emu(int(w_px * ratio)), Emu(int(h_px * ratio))
                slide.shapes.add_picture(io.BytesIO(content.status_map_png), Emu(int((slide_w - w) / 2)),
                                         Inches(1.3), w, h)
            else:
                note(slide, labels["briefing.no_map"], Inches(1.4))
            mark(slide)
            continue
        frame, cols, note_key = sections[name]
        for k, part in enumerate(_chunks(frame, rows_per_slide)):
            title = labels[title_key] + (f" {labels['briefing.continued']}" if k else "")
            slide = titled(title)
            top = Inches(1.3)
            if name == "lagging" and content.lagging_indicator:
                note(slide, content.lagging_indicator, top)
                top += Inches(0.45)
            if note_key:
                note(slide, labels[note_key], top)
                top += Inches(0.5)
            table(slide, part, cols, top)
            if name == "status" and content.status_notes:
                box = slide.shapes.add_textbox(margin, slide_h - Inches(1.1), slide_w - 2 * margin, Inches(0.5))
                box.text_frame.word_wrap = True
                box.text_frame.text = nfc("\n".join(content.status_notes))
                _style_runs(box.text_frame, size=10, colour="#444444", font_name=font_name)
            mark(slide)
    say(0.9, "write")
    prs.core_properties.title = nfc(texts["title"])
    prs.core_properties.author = nfc(content.dataset_name)
    buf = io.BytesIO()
    prs.save(buf)
    say(1.0, "done")
    return buf.getvalue()
