"""Hostile upload files built on the fly (small to ship, big when built): each was once slow, big or unsafe.

Each builder returns ``(filename, bytes)``; sizes stay inside the app's 20 MB / 200,000-row limits unless the
point is to exceed them.
"""

from __future__ import annotations

import io
import zipfile

MARKDOWN_NAME = "[bấm vào](http://198.51.100.7/x) ![ảnh](http://198.51.100.7/pixel.png) **đậm** `mã`.csv"


def huge_header_csv(cells: int = 5_000_000) -> tuple[str, bytes]:
    """10 MB of header: five million one-letter column names, then one data row."""
    header = ",".join(["a"] * cells)
    return "huge_header.csv", (header + "\n" + "1\n").encode()


def unknown_names_csv(rows: int = 150_000) -> tuple[str, bytes]:
    """150,000 commune names that exist nowhere, all in one province (each once asked a spelling suggestion)."""
    lines = ["ten_xa,tinh,nam,stunting_u5__tu_so,stunting_u5__mau_so"]
    lines += [f"Xã Không Tồn Tại Số {i},Hà Nội,2024,1,10" for i in range(rows)]
    return "unknown_names.csv", ("\n".join(lines) + "\n").encode()


def unknown_headers_csv(columns: int = 900, rows: int = 20) -> tuple[str, bytes]:
    """Thousands of unknown, distinct column names (each once asked for a spelling suggestion)."""
    header = ["ma_xa", "nam"] + [f"stunting_u5__tu_so_{i}" for i in range(columns)]  # close to a real one
    body = [",".join(["00004", "2024"] + ["1"] * columns)] * rows
    return "unknown_headers.csv", ("\n".join([",".join(header), *body]) + "\n").encode()


def shared_strings_bomb_xlsx(strings: int = 2_500_000) -> tuple[str, bytes]:
    """A few-MB workbook whose shared-strings table holds millions of distinct strings (openpyxl loads them all)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>'
            '</c></row></sheetData></worksheet>'))
        body = "".join(f"<si><t>{i:x}</t></si>" for i in range(strings))
        z.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main" count="{strings}" uniqueCount="{strings}">' + body + "</sst>"))
    return "shared_strings.xlsx", buf.getvalue()


def oversize_csv(megabytes: int = 21) -> tuple[str, bytes]:
    line = "00004,2024,1,10\n"
    return "oversize.csv", ("ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so\n" + line * (
        megabytes * 1024 * 1024 // len(line) + 1)).encode()


def cr_formula_csv() -> tuple[str, bytes]:
    """A cell holding a bare CR then ``=4``: the problem list must not turn it into a row starting ``=4``."""
    return "cr_formula.csv", b'ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so\n"\r=4",2024,1,10\n00004,2024,1,10\n'


def markdown_name_csv() -> tuple[str, bytes]:
    return MARKDOWN_NAME, b"ma_xa,nam,stunting_u5__tu_so,stunting_u5__mau_so\n00004,2024,1,10\n"


ALL = {
    "huge_header": huge_header_csv,
    "unknown_names": unknown_names_csv,
    "unknown_headers": unknown_headers_csv,
    "shared_strings": shared_strings_bomb_xlsx,
    "oversize": oversize_csv,
    "cr_formula": cr_formula_csv,
    "markdown_name": markdown_name_csv,
}
