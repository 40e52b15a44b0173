"""The one reader of the official old → new crosswalk (``crosswalk_2025/merges.json`` and ``splits.json``).

merges.json lists, per new commune, the old units it was formed from, each ``full`` (the whole old unit)
or ``partial`` (a part of it). splits.json indexes the same relation by the old unit; the app has always
built its links from merges.json alone, and any code that needs either file reads it here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.reference.jsonfile import read_json
from geo.text.fold import nfc

MERGES_FILE = "crosswalk_2025/merges.json"
FULL, PARTIAL = "full", "partial"


def read_links(reference_dir: str | Path) -> pd.DataFrame:
    """merges.json as tidy rows: new_code, new_name, new_province_code, old_code, part."""
    merges = read_json(Path(reference_dir) / MERGES_FILE)
    rows = [
        (str(unit["level2_id"]), nfc(unit["name"]).strip(), str(prov["level1_id"]), str(part["old_id"]),
         str(part.get("type", FULL)))
        for prov in merges["data"]
        for unit in prov.get("level2s", [])
        for part in unit.get("merges", [])
    ]
    return pd.DataFrame(rows, columns=["new_code", "new_name", "new_province_code", "old_code", "part"])
