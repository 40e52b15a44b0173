"""The one message catalogue: every text a user can see lives in data/strings.csv (key, vi, en).

Translation is a data change. geo/ builds its errors with ``error(key, **params)``; ui/ looks texts up with
``ui.i18n.translator``. The catalogue's own load errors are the one place where text stays inline (there is no
catalogue to read them from).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from geo import config
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


@functools.lru_cache(maxsize=4)
def _catalogue(path: str) -> dict[str, dict[str, str]]:
    return load_strings(path)


@functools.lru_cache(maxsize=1)
def _catalogue_path() -> str:
    return str(config.registry_dir() / "strings.csv")  # a fixed place: built once, not per message


def catalogue() -> dict[str, dict[str, str]]:
    """The one message catalogue (data/strings.csv), read once per process."""
    return _catalogue(_catalogue_path())


def say(key: str, lang: str, **params: object) -> str:
    """One catalogue text in one language, with ``{name}`` placeholders filled from ``params``."""
    return catalogue()[lang][key].format(**params)


def error(key: str, **params: object) -> DataError:
    """A DataError whose sentence is ``key`` and whose fix (if any) is ``key.fix`` in the catalogue.

    geo/ raises ``error("err.reference.file_missing", path=...)`` so every message a user can see is catalogue data.
    """
    table = catalogue()
    fix = f"{key}.fix"
    return DataError(
        vi=say(key, "vi", **params), en=say(key, "en", **params),
        fix_vi=table["vi"][fix].format(**params) if fix in table["vi"] else "",
        fix_en=table["en"][fix].format(**params) if fix in table["en"] else "",
    )
