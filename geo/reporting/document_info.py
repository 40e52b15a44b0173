"""Real titles inside exported files: PDF document info and SVG <title>/<desc>/<metadata>.

Chromium names every printed PDF after its page ("Kaleido-fier" for kaleido's), and plotly's SVG
has no title at all, so a file manager, a PDF reader's title bar or a search index would show the
wrong thing. The figure is not redrawn: the PDF is copied page for page by pypdf (vectors and fonts
untouched) with a new info dictionary, and the SVG gets its elements right after the root tag.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")


def stamp_pdf(pdf: bytes, *, title: str, subject: str, author: str, keywords: str = "",
              creator: str = "vn-child-targets") -> bytes:
    """The same PDF with /Title, /Subject, /Author, /Keywords and /Creator set (XMP is left out)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.metadata = None  # drop the browser's own info (its title and producer)
    info = {"/Title": title, "/Subject": subject, "/Author": author, "/Creator": creator, "/Producer": creator}
    if keywords:
        info["/Keywords"] = keywords
    writer.add_metadata(info)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def stamp_svg(svg: bytes, *, title: str, subject: str, source: str) -> bytes:
    """The same SVG with <title>, <desc> and a Dublin Core <metadata> block as the root's first children."""
    match = _SVG_ROOT.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    block = (
        f"<title>{escape(title)}</title><desc>{escape(subject)}</desc>"
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><rdf:Description>'
        f"<dc:title>{escape(title)}</dc:title><dc:description>{escape(subject)}</dc:description>"
        f"<dc:source>{escape(source)}</dc:source></rdf:Description></rdf:RDF></metadata>"
    ).encode()
    return svg[:match.end()] + block + svg[match.end():]
