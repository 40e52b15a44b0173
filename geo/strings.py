"""User-interface strings live in data/strings.csv (key, vi, en) so translation is a data change."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from geo.errors import DataError

LANGUAGES = ("vi", "en")

STRINGS_SCHEMA = pa.DataFrameSchema(
    {
        "key": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_.]+$"), unique=True),
        "vi": pa.Column(str, pa.Check.str_length(min_value=1)),
        "en": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    strict=True,
)


def load_strings(path: str | Path) -> dict[str, dict[str, str]]:
    """{lang: {key: text}}, validated once here (every key has both languages)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        STRINGS_SCHEMA.validate(df, lazy=True)
    except FileNotFoundError as exc:
        raise DataError(vi=f"Thiếu tệp chuỗi giao diện {path}.", en=f"Missing UI strings file {path}.") from exc
    except (pa.errors.SchemaErrors, ValueError, UnicodeDecodeError) as exc:
        raise DataError(vi=f"Tệp chuỗi giao diện {path.name} không hợp lệ.",
                        en=f"UI strings file {path.name} is invalid: {str(exc)[:300]}") from exc
    return {lang: dict(zip(df["key"], df[lang], strict=True)) for lang in LANGUAGES}
