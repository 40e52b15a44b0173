"""The Excel download: data sheets an editor can publish as they are, and an about sheet.

Each data sheet: row 1 the title (with the illustrative mark, on a red band, when the data are
illustrative), row 2 the header (bold, frozen with everything above it, filter buttons), then the
rows with number formats matching the page (whole numbers for counts, one decimal for rates, a
sign for points), codes as text cells so Excel keeps their leading zeros, and column widths that
fit the content. The about sheet repeats the mark and holds the metadata and the column
dictionary. Print headers carry the mark too, so a printout cannot lose it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from geo.reporting.downloads import convert_cell, name_sheet
from geo.reporting.tabular import DataTable, FileMeta, as_cells, column_dictionary, plain_frame, width_of
from geo.text.catalogue import say

HEADER_ROW = 2  # the title (and mark) is row 1: pandas.read_excel(..., header=1)
_FORMATS = {"int": "#,##0", "num1": "#,##0.0", "pct": "#,##0.0", "pp": "+#,##0.0;-#,##0.0;0.0", "text": "@",
            "code": "@"}
_MARK_FILL = "FDECEA"
_MARK_TEXT = "8A1C1C"
_HEADER_FILL = "E8EEF4"


def number_format(kind: str, decimals: int) -> str:
    """Excel format code for a display kind (decimals apply to the non-integer kinds)."""
    code = _FORMATS[kind]
    if kind in ("num1", "pct", "pp") and decimals != 1:
        tail = ("." + "0" * decimals) if decimals > 0 else ""
        code = code.replace(".0", tail)
    return code


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "mark": (Font(bold=True, color=_MARK_TEXT, size=12), PatternFill("solid", fgColor=_MARK_FILL)),
        "title": (Font(bold=True, size=12), None),
        "header": (Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


def _cell(ws, value, *, font=None, fill=None, number_format: str | None = None, alignment=None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=convert_cell(value) if isinstance(value, str) else value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _title_line(meta: FileMeta) -> str:
    return f"{meta.title} — {meta.mark}" if meta.illustrative and meta.mark else meta.title


def _print_mark(ws, meta: FileMeta) -> None:
    if meta.illustrative and meta.mark:
        ws.oddHeader.center.text = meta.mark.replace("&", "&&")
        ws.oddFooter.center.text = meta.mark.replace("&", "&&")


def _data_sheet(wb, table: DataTable, meta: FileMeta, taken: set[str], styles: dict) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name_sheet(table.name, taken))
    frame = plain_frame(table)
    columns = list(frame.columns)
    kinds = [table.kind(str(c)) for c in table.frame.columns]
    rows = as_cells(frame)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    for j, col in enumerate(columns, start=1):
        sample = [r[j - 1] for r in rows[:2000]]
        shown = [f"{v:,.{table.decimals}f}" if isinstance(v, float) else v for v in sample]
        ws.column_dimensions[get_column_letter(j)].width = width_of(shown, col)
    if columns:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{HEADER_ROW + max(len(rows), 1)}"
    _print_mark(ws, meta)
    kind_of_title = "mark" if meta.illustrative and meta.mark else "title"
    font, fill = styles[kind_of_title]
    ws.append([_cell(ws, _title_line(meta), font=font, fill=fill)])
    hfont, hfill = styles["header"]
    ws.append([_cell(ws, str(c), font=hfont, fill=hfill, alignment=styles["wrap"]) for c in columns])
    formats = [number_format(k, 0 if k == "int" else table.decimals) for k in kinds]
    for row in rows:
        ws.append([_cell(ws, v, number_format=f) if v is not None else None
                   for v, f in zip(row, formats, strict=True)])


def _about_sheet(wb, tables: Sequence[DataTable], meta: FileMeta, taken: set[str], styles: dict) -> None:
    ws = wb.create_sheet(name_sheet(say("workbook.about_sheet", meta.lang), taken))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 14
    _print_mark(ws, meta)
    wrap = styles["wrap"]
    bold = styles["header"][0]
    if meta.illustrative and meta.mark:
        font, fill = styles["mark"]
        ws.append([_cell(ws, meta.mark, font=font, fill=fill), _cell(ws, "", fill=fill)])
    ws.append([_cell(ws, meta.title, font=styles["title"][0])])
    for entry in meta.entries:
        ws.append([_cell(ws, entry.label, font=bold, alignment=wrap), _cell(ws, entry.value, alignment=wrap)])
    for table in tables:
        ws.append([])
        ws.append([_cell(ws, say("workbook.columns_of", meta.lang, sheet=table.name), font=styles["title"][0])])
        hfont, hfill = styles["header"]
        ws.append([_cell(ws, say("workbook.column", meta.lang), font=hfont, fill=hfill),
                   _cell(ws, say("workbook.description", meta.lang), font=hfont, fill=hfill),
                   _cell(ws, say("workbook.type", meta.lang), font=hfont, fill=hfill)])
        for record in column_dictionary(table, meta.column_notes):
            kind = record["kind"]
            ws.append([_cell(ws, record["name"], alignment=wrap), _cell(ws, record["description"], alignment=wrap),
                       _cell(ws, say(f"workbook.type_{kind}", meta.lang))])


def xlsx_workbook(tables: Sequence[DataTable], meta: FileMeta) -> bytes:
    """Data sheets first (so read_excel's first sheet is data), then the about sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    styles = _styles()
    taken: set[str] = set()
    for table in tables:
        _data_sheet(wb, table, meta, taken, styles)
    _about_sheet(wb, tables, meta, taken, styles)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
