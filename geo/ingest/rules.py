"""How yes/no indicators combine when old communes merge: ``data/crosswalk_rules.csv``, validated once here.

Yes/no values cannot be summed: a facility (a play point) is there when ANY old part had it, a standard
(child-friendly commune) only when ALL of them met it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from geo.config import registry_dir
from geo.indicators.registry import read_data_file
from geo.text.catalogue import error

RULES_FILE = "crosswalk_rules.csv"
ANY, ALL = "any", "all"

RULES_SCHEMA = pa.DataFrameSchema(
    {
        "indicator": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="id_format"), unique=True),
        "combine": pa.Column(str, pa.Check.isin([ANY, ALL], error="allowed")),
        "note_vi": pa.Column(str),  # blank cells are refused as empty
        "note_en": pa.Column(str),
    },
    strict=True,
)


def load_crosswalk_rules(path: str | Path | None = None, yes_no_indicators: list[str] | None = None) -> pd.DataFrame:
    """``data/crosswalk_rules.csv``, validated; with ``yes_no_indicators`` every one must have a rule."""
    path = Path(path) if path is not None else registry_dir() / RULES_FILE
    rules = read_data_file(path, RULES_SCHEMA, allowed={"combine": (ANY, ALL)})
    if yes_no_indicators is not None:
        missing = sorted(set(yes_no_indicators) - set(rules["indicator"]))
        extra = sorted(set(rules["indicator"]) - set(yes_no_indicators))
        if missing or extra:
            raise error("err.ingest.rules_mismatch", name=path.name, missing=missing, extra=extra)
    return rules
