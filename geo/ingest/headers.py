"""Understand a file's header row: which column is the commune code, the year, an indicator's counts.

Headers are compared through ``normalize_header`` (the one folding of geo/text/fold.py, then runs of other
characters as one "_"), so "Mã xã", "MA_XA" and "ma xa" are the same header. The accepted names are data:
``data/upload_columns.csv`` plus each indicator's id and names from the registry.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandera.pandas as pa

from geo.config import registry_dir
from geo.indicators.registry import Registry, read_data_file
from geo.ingest.cells import as_text
from geo.ingest.vocab import (
    DENOMINATOR,
    F_CODE,
    F_NAME,
    F_OLD_CODE,
    F_YEAR,
    ID_FIELDS,
    NUMERATOR,
    PARTS,
    SUFFIX_SEP,
    VALUE,
)
from geo.text.catalogue import error
from geo.text.fold import fold

COLUMNS_FILE = "upload_columns.csv"
_LANGS = ("vi", "en")
IGNORED = "bo_qua"  # the field of data/upload_columns.csv rows naming columns that are known and not data


def normalize_header(text: Any) -> str:
    """Header comparison key: no diacritics, lower case, runs of other characters as one "_"."""
    return re.sub(r"[^a-z0-9]+", "_", fold(str(text))).strip("_")
@dataclass(frozen=True, eq=False)
class HeaderAliases:
    """Header keys → meaning, built from data/upload_columns.csv plus the registry's indicator names."""

    fields: dict[str, str]  # key → id field (ma_xa, nam, …)
    parts: dict[str, str]  # key → tu_so / mau_so / gia_tri
    indicators: dict[str, str]  # key → indicator id
    canonical: dict[str, dict[str, str]]  # lang → field → header used by the template
    measures: dict[str, str]  # indicator id → measure
    order: tuple[str, ...]  # indicator ids in display order
    # key → (indicator, part) pairs of an official-form header ("Số trẻ SDD thể nhẹ cân"); a shared
    # denominator ("Số trẻ được cân đo") names several indicators' mau_so
    columns: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # numbering and note columns ("STT", "TT", "Ghi chú"): known, not data
    zero_not_applicable: frozenset[str] = frozenset()  # indicators where 0 of 0 is "not applicable" (registry)

    def format_header(self, indicator: str | None, part: str | None, lang: str = "vi") -> str:
        """Header the template writes: ``ma_xa``, ``stunting_u5__tu_so``, ``play_point``, …"""
        if indicator is None:
            return self.canonical[lang][part or ""]
        if part is None or part == VALUE:
            return indicator
        return f"{indicator}{SUFFIX_SEP}{self.canonical[lang][part]}"

    def list_known_headers(self) -> list[str]:
        out = [self.canonical[lang][f] for lang in ("vi", "en") for f in ID_FIELDS]
        for ind in self.order:
            out.append(ind)
            out += [self.format_header(ind, p, lang) for lang in ("vi", "en") for p in (NUMERATOR, DENOMINATOR)]
        return list(dict.fromkeys(out))


_ALIASES_SCHEMA = pa.DataFrameSchema(
    {
        "field": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="id_format")),
        "lang": pa.Column(str, pa.Check.isin(list(_LANGS), error="allowed")),
        "alias": pa.Column(str),  # blank cells are refused as empty
    },
    strict=True,
)


def load_column_aliases(registry: Registry, path: str | Path | None = None) -> HeaderAliases:
    """Validated header aliases; an alias that would mean two things is a configuration error."""
    path = Path(path) if path is not None else registry_dir() / COLUMNS_FILE
    table = read_data_file(path, _ALIASES_SCHEMA, allowed={"lang": _LANGS})
    inds = registry.indicators.sort_values("order")
    ids = inds["id"].tolist()
    known = set(ID_FIELDS) | set(PARTS) | set(ids) | {f"{i}{SUFFIX_SEP}{p}" for i in ids for p in PARTS} | {IGNORED}
    unknown = sorted(set(table["field"]) - known)
    columns: dict[str, list[tuple[str, str]]] = defaultdict(list)
    meaning: dict[str, tuple[str, str]] = {}
    clashes: list[str] = []

    def add(key: str, kind: str, target: str) -> None:
        if not key:
            return
        if key in meaning and meaning[key] != (kind, target):
            clashes.append(f"{key} ({meaning[key][1]} / {target})")
        meaning.setdefault(key, (kind, target))

    for f in ID_FIELDS:
        add(f, "field", f)
    for p in PARTS:
        add(p, "part", p)
    for row in table.itertuples(index=False):
        if row.field == IGNORED:
            add(normalize_header(row.alias), "ignore", IGNORED)
        elif row.field in ID_FIELDS:
            add(normalize_header(row.alias), "field", row.field)
        elif row.field in PARTS:
            add(normalize_header(row.alias), "part", row.field)
        elif row.field in ids:
            add(normalize_header(row.alias), "indicator", row.field)
        elif SUFFIX_SEP in row.field:
            ind, part = row.field.split(SUFFIX_SEP)
            columns[normalize_header(row.alias)].append((ind, part))
    for key, pairs in columns.items():
        if key in meaning or (len(pairs) > 1 and any(p != DENOMINATOR for _, p in pairs)):
            clashes.append(f"{key} ({pairs})")  # only a denominator may be shared
    for rec in inds.itertuples(index=False):
        for text in (rec.id, rec.short_vi, rec.short_en, rec.name_vi, rec.name_en):
            key = normalize_header(text)
            if meaning.get(key, ("indicator",))[0] == "indicator":
                add(key, "indicator", rec.id)
    if unknown or clashes:
        raise error("err.ingest.aliases_clash", name=path.name, unknown=unknown, clashes=clashes)
    canonical: dict[str, dict[str, str]] = {"vi": {}, "en": {}}
    for row in table.itertuples(index=False):
        canonical[row.lang].setdefault(row.field, row.alias)
    for lang in canonical:
        for f in (*ID_FIELDS, *PARTS):
            canonical[lang].setdefault(f, f)
    return HeaderAliases(
        fields={k: t for k, (kind, t) in meaning.items() if kind == "field"},
        parts={k: t for k, (kind, t) in meaning.items() if kind == "part"},
        indicators={k: t for k, (kind, t) in meaning.items() if kind == "indicator"},
        canonical=canonical,
        measures=dict(zip(inds["id"], inds["measure"], strict=True)),
        order=tuple(ids),
        columns={k: tuple(dict.fromkeys(v)) for k, v in columns.items()},
        ignored=frozenset(k for k, (kind, _) in meaning.items() if kind == "ignore"),
        zero_not_applicable=frozenset(inds.loc[inds["zero_of_zero"] == "not_applicable", "id"]),
    )


@dataclass
class ColumnMap:
    """Which column (0-based position) holds what; headers as the user wrote them."""

    headers: list[str]
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    indicators: dict[str, dict[str, list[int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    unknown: list[int] = field(default_factory=list)

    def find_field(self, name: str) -> int | None:
        cols = self.fields.get(name)
        return cols[0] if cols else None

    def find_part(self, indicator: str, part: str) -> int | None:
        cols = self.indicators.get(indicator, {}).get(part)
        return cols[0] if cols else None

    def has_header(self) -> bool:
        """A usable header row: a year column and at least one way to identify the commune."""
        return F_YEAR in self.fields and any(f in self.fields for f in (F_CODE, F_OLD_CODE, F_NAME))


def map_headers(headers: list[Any], aliases: HeaderAliases) -> ColumnMap:
    """Understand each header: an id field, ``<indicator>`` (value) or ``<indicator>__<part>`` (counts)."""
    cmap = ColumnMap(headers=["" if h is None else as_text(h) for h in headers])
    shared: set[int] = set()  # columns that are the denominator of several indicators ("Số trẻ được cân đo")
    for pos, header in enumerate(cmap.headers):
        key = normalize_header(header)
        if not key:
            continue
        if key in aliases.ignored:
            continue
        if key in aliases.fields:
            cmap.fields[aliases.fields[key]].append(pos)
            continue
        if key in aliases.indicators:
            cmap.indicators[aliases.indicators[key]][VALUE].append(pos)
            continue
        if key in aliases.columns:
            for ind, part in aliases.columns[key]:
                cmap.indicators[ind][part].append(pos)
            if len(aliases.columns[key]) > 1:
                shared.add(pos)
            continue
        for part_key, part in sorted(aliases.parts.items(), key=lambda kv: -len(kv[0])):
            if key.endswith("_" + part_key) and key[: -len(part_key) - 1].rstrip("_") in aliases.indicators:
                cmap.indicators[aliases.indicators[key[: -len(part_key) - 1].rstrip("_")]][part].append(pos)
                break
        else:
            cmap.unknown.append(pos)
    for ind in [i for i, parts in cmap.indicators.items() if set(parts) == {DENOMINATOR}]:
        if set(cmap.indicators[ind][DENOMINATOR]) <= shared:
            del cmap.indicators[ind]  # a shared denominator does not bring an indicator the file lacks
    return cmap
