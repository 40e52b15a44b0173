"""Identify the commune a row of a user's file is about: by 2025 code, pre-2025 code, or name + province.

Codes are compared as zero-padded 5-digit strings ("4" → "00004"), because spreadsheets drop leading
zeros. Names are compared through a normalised key, so that the same commune typed differently still
matches: Unicode NFC, lower case, no unit type ("Xã", "Phường", "Thị trấn", "Đặc khu", also without
diacritics), punctuation as spaces, single spaces, numbers without leading zeros ("Phường 01" =
"Phường 1"), and ONE tone-mark placement: the old ("classic") one, tone on the second vowel of a final
"oa", "oe", "uy" ("Hòa" → "Hoà", "Thủy" → "Thuỷ", "Khỏe" → "Khoẻ"), which is what the official lists
use (Thanh Hoá, Khánh Hoà). When that key finds nothing, a diacritics-free key (no marks, đ → d, no
spaces) is tried, so "Ba Dinh" finds Ba Đình when that is unambiguous.

Provinces are resolved the same way ("Tỉnh Lào Cai", "TP Hồ Chí Minh", "Ho Chi Minh", "Hà Nội",
"Ha Noi", "Hanoi"); a pre-2025 province name in a 2025 file is accepted and stands for the province it
merged into. Pre-2025 names are looked up among the 10,047 old communes (optionally narrowed by the
old district), only when the file says it is pre-2025. Several candidates give ``ambiguous`` with up to
three suggestions; none gives ``unknown`` with the closest names (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import pandas as pd
import pandera.pandas as pa

from geo.ingest.crosswalk import Crosswalk
from geo.ingest.vocab import ERA_2025, ERA_PRE2025
from geo.reference.communes import CODE_TEXT_PREFIX
from geo.text.catalogue import error
from geo.text.fold import fold_name, nfc, normalize_name, split_unit_type, strip_words

MATCHED, UNKNOWN, AMBIGUOUS, UNKNOWN_PROVINCE, INVALID_CODE = (
    "matched", "unknown", "ambiguous", "unknown_province", "invalid_code")
# Notes on how a match was made, or hints on why it failed (Match.note).
NOTE_NO_DIACRITICS = "without_diacritics"
NOTE_CODE_ALIAS = "code_alias"
NOTE_OLD_PROVINCE = "old_province_name"
HINT_IS_PRE2025_CODE = "is_pre2025_code"
HINT_IS_2025_CODE = "is_2025_code"
HINT_IS_PRE2025_NAME = "is_pre2025_name"
HINT_NO_CROSSWALK = "no_crosswalk"

MAX_SUGGESTIONS = 3
CODE_WIDTH = 5

_WHOLE_DECIMAL = re.compile(r"(?<=\d)\.0+$")
_PROVINCE_PREFIXES = ("thành phố", "thanh pho", "thủ đô", "thu do", "tỉnh", "tinh", "tp", "t p")
_PROVINCE_SUFFIXES = ("province", "city")
_DISTRICT_PREFIXES = ("thành phố", "thanh pho", "thị xã", "thi xa", "quận", "quan", "huyện", "huyen", "tp")
# Common short forms, as normalised keys → the province's normalised name.
_PROVINCE_ALIASES = {"hcm": "hồ chí minh", "tphcm": "hồ chí minh", "tp hcm": "hồ chí minh",
                     "sài gòn": "hồ chí minh", "sai gon": "hồ chí minh", "saigon": "hồ chí minh"}


# --- Normalisation --------------------------------------------------------------------------------


def pad_code(raw: Any, width: int = CODE_WIDTH) -> str | None:
    """A code as a zero-padded string ("4", 4, 4.0, "'00004", "VN00004" → "00004"); None when not a code.

    "VN" + digits is how the app's own CSV downloads write codes (geo/reporting/tabular.py), so a file the
    app exported reads back in.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        if raw != raw or not raw.is_integer():  # NaN or fractional
            return None
        text = str(int(raw))
    else:
        text = nfc(raw).strip().lstrip("'").strip()
        text = _WHOLE_DECIMAL.sub("", text)  # "4.0", as a float column exported to CSV writes it
        if text[:2].upper() == CODE_TEXT_PREFIX and text[2:].isdigit():
            text = text[2:]
    if not text.isascii() or not text.isdigit() or len(text) > width:
        return None
    return text.zfill(width)


@lru_cache(maxsize=4096)
def normalize_province(text: Any) -> str:
    """Province key: normalised name without "Tỉnh"/"Thành phố"/"TP" or "Province"/"City"."""
    key = strip_words(normalize_name(text), _PROVINCE_PREFIXES, _PROVINCE_SUFFIXES)
    return _PROVINCE_ALIASES.get(key, _PROVINCE_ALIASES.get(fold_name(key), key))


@lru_cache(maxsize=4096)
def normalize_district(text: Any) -> str:
    """District key: normalised name without "Huyện"/"Quận"/"Thị xã"/"Thành phố"."""
    return strip_words(normalize_name(text), _DISTRICT_PREFIXES)


# --- Matcher ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """Outcome of identifying one commune: ``code`` when ``status`` is matched, else suggestions/hints."""

    code: str | None
    status: str
    suggestions: tuple[str, ...] = ()
    note: str | None = None


_Index = dict[tuple[str, str], list[str]]


@dataclass(frozen=True, eq=False)
class CommuneMatcher:
    """Lookup tables for one reference edition; build with :func:`build_matcher`."""

    new_units: pd.DataFrame
    old_units: pd.DataFrame | None
    code_aliases: dict[str, str]
    _labels: dict[str, dict[str, str]] = field(repr=False)
    _types: dict[str, dict[str, str]] = field(repr=False)
    _provinces: dict[str, dict[str, tuple[str, ...]]] = field(repr=False)
    _province_labels: dict[str, dict[str, str]] = field(repr=False)
    _provinces_wide: dict[str, tuple[str, ...]] = field(repr=False)
    _names: dict[str, _Index] = field(repr=False)
    _folds: dict[str, _Index] = field(repr=False)
    _by_province: dict[str, dict[str, list[tuple[str, str]]]] = field(repr=False)
    _districts: dict[str, tuple[str, str]] = field(repr=False)
    _old_to_new_province: dict[str, tuple[str, ...]] = field(repr=False)
    _receivers: dict[str, tuple[str, ...]] = field(repr=False, default_factory=dict)  # old code → new codes

    def unit_type(self, code: str, era: str = ERA_2025) -> str | None:
        """"xa", "phuong", "thi_tran", "dac_khu" of a unit, when its full name says."""
        return self._types[era].get(code)

    def receivers(self, old_code: str) -> tuple[str, ...]:
        """The 2025 communes an old commune went to (empty without a crosswalk)."""
        return self._receivers.get(old_code, ())

    @cached_property
    def _parts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for targets in self._receivers.values():
            for code in targets:
                counts[code] += 1
        return counts

    def same_unit(self, old_code: str, new_code: str) -> bool:
        """The pre-2025 commune went whole and alone into this 2025 commune: reading a row as either is the same."""
        return self._receivers.get(old_code) == (new_code,) and self._parts.get(new_code) == 1

    @property
    def has_pre2025(self) -> bool:
        return self.old_units is not None

    def describe_commune(self, code: str, era: str = ERA_2025) -> str:
        """'Xã X (Tỉnh Y, mã 01234)', the form suggestions take; the code itself when unknown."""
        return self._labels[era].get(code, code)

    def match_code(self, raw: Any, era: str = ERA_2025) -> Match:
        """A 2025 (or, with era pre2025, an old) code; hints when the code belongs to the other era."""
        code = pad_code(raw)
        if code is None:
            return Match(None, INVALID_CODE)
        if era == ERA_PRE2025:
            if not self.has_pre2025:
                return Match(None, UNKNOWN, note=HINT_NO_CROSSWALK)
            if code in self._labels[ERA_PRE2025]:
                return Match(code, MATCHED)
            district = code.lstrip("0").zfill(3)  # island districts had 3-digit codes and no communes
            if district in self._labels[ERA_PRE2025]:
                return Match(district, MATCHED)
            if code in self._labels[ERA_2025]:
                return Match(None, UNKNOWN, (self.describe_commune(code),), HINT_IS_2025_CODE)
            return Match(None, UNKNOWN)
        if code in self._labels[ERA_2025]:
            return Match(code, MATCHED)
        if code in self.code_aliases:
            return Match(self.code_aliases[code], MATCHED, note=NOTE_CODE_ALIAS)
        if self.has_pre2025 and code in self._labels[ERA_PRE2025]:
            return Match(None, UNKNOWN, (self.describe_commune(code, ERA_PRE2025),), HINT_IS_PRE2025_CODE)
        return Match(None, UNKNOWN)

    def resolve_province(self, raw: Any, era: str = ERA_2025) -> tuple[tuple[str, ...], str | None]:
        """Province codes of the era a typed province name stands for, and a note when it was an old name."""
        key = normalize_province(raw)
        if not key:
            return (), None
        index = self._provinces[era]
        codes = index.get(key) or index.get(fold_name(key))
        if codes:
            return codes, None
        if era == ERA_2025 and self.has_pre2025:
            old = self._provinces[ERA_PRE2025].get(key) or self._provinces[ERA_PRE2025].get(fold_name(key))
            if old:
                new = tuple(sorted({n for o in old for n in self._old_to_new_province.get(o, ())}))
                if new:
                    return new, NOTE_OLD_PROVINCE
        return (), None

    def match_name(self, name: Any, province: Any, era: str = ERA_2025, district: Any = None, *,
                   suggest: bool = True) -> Match:
        """A commune by name within a province (and, for old communes, optionally a district).

        ``suggest=False`` skips the spelling suggestions for an unknown name (difflib over the province's
        names, the only costly step): a caller lists suggestions only for the first problems it shows.
        """
        if era == ERA_PRE2025 and not self.has_pre2025:
            return Match(None, UNKNOWN, note=HINT_NO_CROSSWALK)
        provinces, note = self.resolve_province(province, era)
        if era == ERA_PRE2025:  # an old commune filed under the new province it went to
            key = normalize_province(province)
            wide = self._provinces_wide.get(key) or self._provinces_wide.get(fold_name(key)) or ()
            attempts = [provinces, tuple(sorted(set(wide) - set(provinces)))]
        else:
            attempts = [provinces]
        if not any(attempts):
            key = fold_name(normalize_province(province))
            close = difflib.get_close_matches(key, list(self._provinces[era]), n=MAX_SUGGESTIONS, cutoff=0.6)
            labels = list(dict.fromkeys(self._province_labels[era][self._provinces[era][k][0]] for k in close
                                        if len(self._provinces[era][k]) == 1))
            return Match(None, UNKNOWN_PROVINCE, tuple(labels[:MAX_SUGGESTIONS]))
        unit_type, bare = split_unit_type(normalize_name(name))
        keys = list(dict.fromkeys([bare, normalize_name(name)]))
        district_key = normalize_district(district) if district is not None and str(district).strip() else None
        for group in attempts:
            for index, how in ((self._names[era], None), (self._folds[era], NOTE_NO_DIACRITICS)):
                for key in keys:
                    lookup = key if how is None else fold_name(key)
                    found = [c for p in group for c in index.get((p, lookup), [])]
                    if not found:
                        continue
                    found = self._narrow(found, unit_type, district_key, era)
                    if len(found) == 1:
                        return Match(found[0], MATCHED, note=how or note)
                    labels = tuple(self.describe_commune(c, era) for c in sorted(found))
                    return Match(None, AMBIGUOUS, labels[:MAX_SUGGESTIONS])
        return self._explain_unknown(bare, provinces or attempts[-1], era, province, suggest)

    def _narrow(self, codes: list[str], unit_type: str | None, district_key: str | None, era: str) -> list[str]:
        codes = list(dict.fromkeys(codes))
        if unit_type:
            typed = [c for c in codes if self._types[era].get(c) == unit_type]
            codes = typed or codes
        if district_key and era == ERA_PRE2025:
            in_district = [c for c in codes
                           if district_key in self._districts.get(c, ())
                           or fold_name(district_key) in self._districts.get(c, ())]
            codes = in_district or codes
        return codes

    def _explain_unknown(self, bare: str, provinces: tuple[str, ...], era: str, province: Any,
                         suggest: bool = True) -> Match:
        if era == ERA_2025 and self.has_pre2025:
            old = self.match_name(bare, province, ERA_PRE2025, suggest=False)
            if old.status in (MATCHED, AMBIGUOUS):
                found = (self.describe_commune(old.code, ERA_PRE2025),) if old.code else old.suggestions
                return Match(None, UNKNOWN, found[:MAX_SUGGESTIONS], HINT_IS_PRE2025_NAME)
        if not suggest:
            return Match(None, UNKNOWN)
        pool = [item for p in provinces for item in self._by_province[era].get(p, [])]
        folds = {}
        for code, key in pool:
            folds.setdefault(fold_name(key), []).append(code)
        close = difflib.get_close_matches(fold_name(bare), list(folds), n=MAX_SUGGESTIONS, cutoff=0.6)
        labels = tuple(dict.fromkeys(self.describe_commune(c, era) for k in close for c in folds[k]))
        return Match(None, UNKNOWN, labels[:MAX_SUGGESTIONS])


_NEW_UNITS_SCHEMA = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^\d{5}$"), unique=True),
        "name": pa.Column(str),
        "full_name": pa.Column(str),
        "province_code": pa.Column(str, pa.Check.str_matches(r"^\d{2}$")),
        "province_name": pa.Column(str),
    },
)


def _unit_type(full_name: str) -> str | None:
    kind, _ = split_unit_type(normalize_name(full_name))
    return kind


def _add_province(index: dict[str, set[str]], text: Any, code: str) -> None:
    if text is None or (isinstance(text, float) and text != text):
        return
    key = normalize_province(text)
    if key:
        index[key].add(code)
        index[fold_name(key)].add(code)


def build_matcher(new_units: pd.DataFrame, crosswalk: Crosswalk | None = None) -> CommuneMatcher:
    """Index the 2025 communes (and, with a crosswalk, the pre-2025 ones) for code and name lookups.

    ``new_units``: code, name, full_name, province_code, province_name (``load_communes`` or
    ``Crosswalk.new_units``); optional province_full_name and province_name_en are used when present.
    """
    frame = pd.DataFrame(new_units).drop(columns="geometry", errors="ignore")
    if crosswalk is not None and "province_full_name" not in frame:
        extra = crosswalk.new_units[["province_code", "province_full_name", "province_name_en"]].drop_duplicates(
            "province_code")
        frame = frame.drop(columns=["province_name_en"], errors="ignore").merge(
            extra, on="province_code", how="left", validate="many_to_one")
    try:
        _NEW_UNITS_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check"]].drop_duplicates().head(5).to_dict("records")
        raise error("err.ingest.communes_malformed", detail=cases) from None
    if "province_full_name" not in frame:
        frame["province_full_name"] = frame["province_name"]
    frame["province_full_name"] = frame["province_full_name"].fillna(frame["province_name"])

    labels: dict[str, dict[str, str]] = {ERA_2025: {}, ERA_PRE2025: {}}
    types: dict[str, dict[str, str]] = {ERA_2025: {}, ERA_PRE2025: {}}
    names: dict[str, _Index] = {ERA_2025: defaultdict(list), ERA_PRE2025: defaultdict(list)}
    folds: dict[str, _Index] = {ERA_2025: defaultdict(list), ERA_PRE2025: defaultdict(list)}
    by_province: dict[str, dict[str, list]] = {ERA_2025: defaultdict(list), ERA_PRE2025: defaultdict(list)}
    provinces: dict[str, dict[str, set[str]]] = {ERA_2025: defaultdict(set), ERA_PRE2025: defaultdict(set)}
    province_labels: dict[str, dict[str, str]] = {ERA_2025: {}, ERA_PRE2025: {}}

    def index_unit(era: str, code: str, name: str, full_name: str, prov: str, label: str) -> None:
        labels[era][code] = label
        kind = _unit_type(full_name)
        if kind:
            types[era][code] = kind
        for key in dict.fromkeys([normalize_name(name), split_unit_type(normalize_name(full_name))[1]]):
            names[era][(prov, key)].append(code)
            folds[era][(prov, fold_name(key))].append(code)
            by_province[era][prov].append((code, key))

    for row in frame.astype(object).itertuples(index=False):
        index_unit(ERA_2025, row.code, row.name, row.full_name, row.province_code,
                   f"{row.full_name} ({row.province_full_name}, mã {row.code})")
        province_labels[ERA_2025][row.province_code] = row.province_full_name
        for text in (row.province_name, row.province_full_name, getattr(row, "province_name_en", None)):
            _add_province(provinces[ERA_2025], text, row.province_code)

    old_units = None
    districts: dict[str, tuple[str, str]] = {}
    old_to_new: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, str] = {}
    receivers: dict[str, tuple[str, ...]] = {}
    if crosswalk is not None:
        receivers = {o: tuple(sorted(g)) for o, g in crosswalk.links.groupby("old_code")["new_code"]}
        old_units = crosswalk.old_units
        for row in old_units.astype(object).itertuples(index=False):
            index_unit(ERA_PRE2025, row.old_code, row.name, row.full_name, row.province_code,
                       f"{row.full_name} ({row.district_name}, {row.province_name}, mã {row.old_code})")
            province_labels[ERA_PRE2025][row.province_code] = row.province_name
            _add_province(provinces[ERA_PRE2025], row.province_name, row.province_code)
            district = normalize_district(row.district_name)
            districts[row.old_code] = (district, fold_name(district))
        province_of_new = dict(zip(frame["code"], frame["province_code"], strict=True))
        province_of_old = dict(zip(old_units["old_code"], old_units["province_code"], strict=True))
        pairs = {(province_of_old.get(o), province_of_new.get(n))
                 for o, n in crosswalk.links[["old_code", "new_code"]].itertuples(index=False)}
        grouped: dict[str, set[str]] = defaultdict(set)
        for old_p, new_p in pairs:
            if old_p and new_p:
                grouped[old_p].add(new_p)
                provinces[ERA_PRE2025][normalize_province(province_labels[ERA_2025][new_p])].add(old_p)
                provinces[ERA_PRE2025][fold_name(normalize_province(province_labels[ERA_2025][new_p]))].add(old_p)
        old_to_new = {k: tuple(sorted(v)) for k, v in grouped.items()}
        aliases = {old: new for old, new in crosswalk.recoded.items() if old not in labels[ERA_2025]}

    # A new province name resolves to itself first; old names only fill in what new names do not cover.
    province_index = {era: {k: tuple(sorted(v)) for k, v in idx.items()} for era, idx in provinces.items()}
    wide = dict(province_index[ERA_PRE2025])
    for key, codes in list(province_index[ERA_PRE2025].items()):
        own = [c for c in codes if normalize_province(province_labels[ERA_PRE2025].get(c, "")) == key
               or fold_name(normalize_province(province_labels[ERA_PRE2025].get(c, ""))) == key]
        if own:
            province_index[ERA_PRE2025][key] = tuple(sorted(own))
    return CommuneMatcher(
        new_units=frame, old_units=old_units, code_aliases=aliases, _labels=labels, _types=types,
        _provinces=province_index,
        _province_labels={era: dict(v) for era, v in province_labels.items()}, _provinces_wide=wide,
        _names={era: dict(v) for era, v in names.items()}, _folds={era: dict(v) for era, v in folds.items()},
        _by_province={era: dict(v) for era, v in by_province.items()}, _districts=districts,
        _old_to_new_province=old_to_new, _receivers=receivers,
    )
