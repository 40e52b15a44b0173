"""Open one JSON file of the reference data, with a clear bilingual error when it is missing or damaged."""

from __future__ import annotations

import json
from pathlib import Path

from geo.text.catalogue import error


def read_json(path: Path) -> dict:
    """The parsed file; DataError (err.reference.json_*) instead of a traceback."""
    if not path.is_file():
        raise error("err.reference.json_missing", path=path)
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise error("err.reference.json_unreadable", name=path.name, kind=type(exc).__name__, text=exc) from None
