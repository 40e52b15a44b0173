"""PDF and SVG files carry their real title, subject and source (not the browser's "Kaleido-fier")."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from pypdf import PdfReader
from reportlab.pdfgen import canvas

from geo.reporting.document_info import stamp_pdf, stamp_svg

TITLE = "Tỷ lệ suy dinh dưỡng thấp còi — Lai Châu, 2025"


def browser_like_pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle("Kaleido-fier")
    c.drawString(100, 700, "map")
    c.showPage()
    c.drawString(100, 700, "page 2")
    c.save()
    return buf.getvalue()


def test_pdf_gets_the_real_title_subject_and_source_and_keeps_its_pages():
    raw = browser_like_pdf()
    out = stamp_pdf(raw, title=TITLE, subject="Mục tiêu 2025: dưới 20%", author="Dữ liệu minh họa (mô hình v3)",
                    keywords="Dữ liệu minh họa")
    reader = PdfReader(io.BytesIO(out))
    meta = reader.metadata
    assert meta.title == TITLE and meta.subject == "Mục tiêu 2025: dưới 20%"
    assert meta.author == "Dữ liệu minh họa (mô hình v3)" and "Kaleido" not in str(dict(meta))
    assert len(reader.pages) == 2 and "page 2" in reader.pages[1].extract_text()


def test_svg_gets_title_desc_and_dublin_core_metadata():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    out = stamp_svg(svg, title=TITLE + " <&>", subject="Mục tiêu", source="sapnhap.bando.com.vn")
    root = ET.fromstring(out)
    ns = {"s": "http://www.w3.org/2000/svg", "dc": "http://purl.org/dc/elements/1.1/"}
    assert root.find("s:title", ns).text == TITLE + " <&>" and list(root)[0].tag.endswith("title")
    assert root.find(".//dc:source", ns).text == "sapnhap.bando.com.vn"
    assert root.find("s:rect", ns) is not None
