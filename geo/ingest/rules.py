"""How yes/no indicators combine when old communes merge: ``data/crosswalk_rules.csv``, validated once here.

Yes/no values cannot be summed: a facility (a play point) is there when ANY old part had it, a standard
(child-friendly commune) only when ALL of them met it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from geo.config import registry_dir
from geo.text.catalogue import error

RULES_FILE = "crosswalk_rules.csv"
ANY, ALL = "any", "all"

RULES_SCHEMA = pa.DataFrameSchema(
    {
        "indicator": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
        "combine": pa.Column(str, pa.Check.isin([ANY, ALL])),
        "note_vi": pa.Column(str, pa.Check.str_length(min_value=1)),
        "note_en": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    strict=True,
)


def load_crosswalk_rules(path: str | Path | None = None, yes_no_indicators: list[str] | None = None) -> pd.DataFrame:
    """``data/crosswalk_rules.csv``, validated; with ``yes_no_indicators`` every one must have a rule."""
    path = Path(path) if path is not None else registry_dir() / RULES_FILE
    try:
        rules = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        rules = RULES_SCHEMA.validate(rules, lazy=True)
    except FileNotFoundError:
        raise error("err.ingest.rules_missing", path=path) from None
    except (pa.errors.SchemaErrors, ValueError, UnicodeDecodeError) as exc:
        raise error("err.ingest.rules_invalid", name=path.name, detail=str(exc)[:300]) from None
    if yes_no_indicators is not None:
        missing = sorted(set(yes_no_indicators) - set(rules["indicator"]))
        extra = sorted(set(rules["indicator"]) - set(yes_no_indicators))
        if missing or extra:
            raise error("err.ingest.rules_mismatch", name=path.name, missing=missing, extra=extra)
    return rules
