"""The one reader of ``vn_pre2025/units_20250301.json``: the communes in force before 1 July 2025."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.reference.jsonfile import read_json
from geo.text.fold import nfc

OLD_UNITS_FILE = "vn_pre2025/units_20250301.json"
COMMUNE_LEVEL, DISTRICT_LEVEL = "commune", "district"
OLD_UNIT_COLUMNS = ["old_code", "name", "full_name", "unit_type", "level", "district_code", "district_name",
                    "province_code", "province_name"]


def _strip_type(full_name: str, unit_type: str) -> str:
    """'Phường Trúc Bạch' with type 'Phường' → 'Trúc Bạch' (names are matched without the unit type)."""
    if unit_type and full_name.casefold().startswith(unit_type.casefold() + " "):
        return full_name[len(unit_type) + 1 :].strip()
    return full_name


def read_old_units(reference_dir: str | Path) -> pd.DataFrame:
    """The 10,047 communes of 1 March 2025 plus the 5 island districts that had no communes (OLD_UNIT_COLUMNS)."""
    units = read_json(Path(reference_dir) / OLD_UNITS_FILE)
    rows = []
    for prov in units["data"]:
        for dist in prov.get("level2s", []):
            level3s = dist.get("level3s", [])
            if not level3s:  # island districts (Bạch Long Vĩ, Côn Đảo, …) are units of their own
                level3s = [{"level3_id": dist["level2_id"], "name": dist["name"], "type": dist.get("type", "")}]
                level = DISTRICT_LEVEL
            else:
                level = COMMUNE_LEVEL
            for unit in level3s:
                full, kind = nfc(unit["name"]).strip(), nfc(unit.get("type", "")).strip()
                rows.append((str(unit["level3_id"]), _strip_type(full, kind), full, kind, level,
                             str(dist["level2_id"]), nfc(dist["name"]).strip(), str(prov["level1_id"]),
                             nfc(prov["name"]).strip()))
    return pd.DataFrame(rows, columns=OLD_UNIT_COLUMNS)
