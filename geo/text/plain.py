"""Text from outside (file names, sheet names, dataset names) shown as plain text inside Streamlit's Markdown.

Streamlit renders Markdown in titles, captions, alerts and status labels: an uploaded file named
``![x](http://host/p.png).csv`` would make every viewer's browser fetch that address, and ``**…**`` or a link
would change what the sentence says. Escaping every Markdown punctuation character with a backslash shows
the name exactly as typed and renders nothing; HTML is never enabled, so ``<`` is shown as it is.
"""

from __future__ import annotations

import re

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=^&\"'])")


def plain(text: object) -> str:
    """``text`` with every Markdown punctuation character escaped, and line breaks turned into spaces."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)
