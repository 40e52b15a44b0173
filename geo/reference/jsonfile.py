"""Open one JSON file of the reference data, with the reference data's clear bilingual errors."""

from __future__ import annotations

import json
from pathlib import Path

from geo.reference.communes import require, unreadable


def read_json(path: Path) -> dict:
    """The parsed file; DataError (err.reference.file_*) instead of a traceback."""
    try:
        with require(path).open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise unreadable(path, exc) from None
