"""What each column of a file means, as the app guessed it and as the user settled it on screen.

A column's *roles* are a tuple of role names: an id field (``ma_xa``, ``ma_xa_cu``, ``ten_xa``, ``tinh``,
``huyen``, ``nam``, ``truoc_2025``), ``attribute:<field>`` (a per-commune attribute such as ``em_class``,
read by geo/ingest/attributes.py and kept out of the values; a bare ``attribute`` from an older saved
mapping means "as its header says"),
or an indicator part ``<indicator>__tu_so`` / ``__mau_so`` / ``__gia_tri``. An empty tuple means "ignore".
One column may hold several roles only when they are all denominators ("Số trẻ được cân đo" for underweight
and stunting). A mapping is tied to its file's header *signature* (the folded header texts), so a saved
mapping is applied again only to a file with the same headers, never to one that merely looks alike.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from geo.ingest.attributes import FIELDS as ATTRIBUTE_FIELDS
from geo.ingest.attributes import load_attribute_aliases
from geo.ingest.headers import ColumnMap, HeaderAliases, normalize_header
from geo.ingest.vocab import DENOMINATOR, ID_FIELDS, NUMERATOR, PARTS, SUFFIX_SEP, VALUE
from geo.text.catalogue import error

ATTRIBUTE = "attribute"
ATTRIBUTE_SEP = ":"


def attribute_role(field: str) -> str:
    return f"{ATTRIBUTE}{ATTRIBUTE_SEP}{field}"


def attribute_field(role: str) -> str | None:
    """``em_class`` for ``attribute:em_class``; None for any other role."""
    prefix = ATTRIBUTE + ATTRIBUTE_SEP
    return role[len(prefix):] if role.startswith(prefix) else None


def attribute_columns(roles: Sequence[Sequence[str]]) -> dict[int, str]:
    """Column position → attribute field, from a mapping's roles."""
    return {pos: attribute_field(r) for pos, col in enumerate(roles) for r in col if attribute_field(r)}


def find_mapping(mappings: Sequence[ColumnMapping], signature: str | None) -> ColumnMapping | None:
    """The mapping made for exactly these headers (the first when several are), else None."""
    return next((m for m in mappings if m.signature == signature), None)
Roles = tuple[str, ...]
SUGGEST_CUTOFF = 0.55  # closeness (see suggest_roles): "Trẻ nhẹ cân (người)" finds an underweight entry


@dataclass(frozen=True)
class ColumnMapping:
    """The user's meaning for every column of a file with these headers; ``name`` when saved."""

    signature: str
    roles: tuple[Roles, ...]
    name: str = ""

    def to_json(self) -> str:
        return json.dumps([list(r) for r in self.roles], ensure_ascii=False)

    @classmethod
    def from_json(cls, signature: str, text: str, name: str = "") -> ColumnMapping:
        return cls(signature, tuple(tuple(str(x) for x in r) for r in json.loads(text)), name)


@dataclass(frozen=True)
class Guess:
    """One column: what the app understood (``roles``) and, for an unknown one, the closest vocabulary entry."""

    position: int
    header: str
    roles: Roles
    suggestion: Roles = ()
    suggested_from: str = ""  # the vocabulary entry the suggestion comes from (folded)


def header_signature(headers: Sequence[object]) -> str:
    """Identity of a header row: its folded texts in order (case, diacritics, NFC/NFD and spacing do not count)."""
    keys = [normalize_header("" if h is None else h) for h in headers]
    return hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:32]


def role_options(aliases: HeaderAliases) -> list[str]:
    """Every role a column can be given, in display order (id fields, attribute, then each indicator's parts)."""
    out = list(ID_FIELDS) + [attribute_role(f) for f in ATTRIBUTE_FIELDS]
    for ind in aliases.order:
        out += [f"{ind}{SUFFIX_SEP}{p}" for p in (NUMERATOR, DENOMINATOR, VALUE)]
    return out


def roles_of(cmap: ColumnMap) -> list[Roles]:
    """Per column position, the roles ``map_headers`` gave it."""
    out: list[list[str]] = [[] for _ in cmap.headers]
    for f, cols in cmap.fields.items():
        for pos in cols:
            out[pos].append(f)
    for ind, parts in cmap.indicators.items():
        for part, cols in parts.items():
            for pos in cols:
                out[pos].append(f"{ind}{SUFFIX_SEP}{part}")
    return [tuple(r) for r in out]


def _vocabulary(aliases: HeaderAliases) -> dict[str, Roles]:
    """Folded vocabulary entry → the roles it names (what an unknown header is compared against)."""
    vocab: dict[str, Roles] = {}
    for key, f in aliases.fields.items():
        vocab.setdefault(key, (f,))
    for key, ind in aliases.indicators.items():
        vocab.setdefault(key, (f"{ind}{SUFFIX_SEP}{VALUE}",))
    for key, pairs in aliases.columns.items():
        vocab.setdefault(key, tuple(f"{i}{SUFFIX_SEP}{p}" for i, p in pairs))
    return {k: v for k, v in vocab.items() if k}


def suggest_roles(header: str, aliases: HeaderAliases) -> tuple[Roles, str]:
    """The closest vocabulary entry to an unknown header; ((), "") when none is close enough.

    Both sides go through the one folding (normalize_header). Closeness mixes the shared words, weighted so
    that words every entry has ("số", "trẻ") count little and telling ones ("nhẹ", "cân", "còi") much, with
    difflib's character ratio for spelling variants; the best entry must reach SUGGEST_CUTOFF."""
    key = normalize_header(header)
    if not key:
        return (), ""
    vocab = _vocabulary(aliases)
    weight = _word_weights(tuple(vocab))
    words = key.split("_")
    best, best_score = "", 0.0
    for entry in vocab:
        score = _closeness(words, entry.split("_"), weight, key, entry)
        if score > best_score:
            best, best_score = entry, score
    return (vocab[best], best) if best and best_score >= SUGGEST_CUTOFF else ((), "")


@lru_cache(maxsize=4)
def _word_weights(entries: tuple[str, ...]) -> dict[str, float]:
    counts = Counter(w for e in entries for w in set(e.split("_")))
    return {w: math.log((1 + len(entries)) / (1 + n)) + 1.0 for w, n in counts.items()}


def _closeness(words: list[str], entry_words: list[str], weight: dict[str, float], key: str, entry: str) -> float:
    common = set(words) & set(entry_words)
    if not common:
        return 0.0
    w = lambda ws: sum(weight.get(x, 1.0) for x in ws)  # noqa: E731
    precision, recall = w(common) / w(set(words)), w(common) / w(set(entry_words))
    f1 = 2 * precision * recall / (precision + recall)
    return 0.7 * f1 + 0.3 * difflib.SequenceMatcher(None, key, entry).ratio()


def guess_columns(cmap: ColumnMap, aliases: HeaderAliases) -> list[Guess]:
    """Each column with the app's reading; unknown columns get a suggestion that is shown, never applied."""
    out = []
    unknown = set(cmap.unknown)
    attributes = load_attribute_aliases()
    for pos, roles in enumerate(roles_of(cmap)):
        header = cmap.headers[pos]
        if pos in unknown and normalize_header(header) in attributes:  # read apart, by geo/ingest/attributes
            out.append(Guess(pos, header, (attribute_role(attributes[normalize_header(header)]),)))
        elif pos in unknown:
            suggestion, source = suggest_roles(header, aliases)
            out.append(Guess(pos, header, (), suggestion, source))
        else:
            out.append(Guess(pos, header, roles))
    return out


def check_roles(roles: Sequence[Sequence[str]], aliases: HeaderAliases) -> tuple[Roles, ...]:
    """The roles as given, refused (bilingual) when a role is unknown or a column mixes non-denominator roles."""
    known = set(role_options(aliases)) | {ATTRIBUTE}
    out = []
    for pos, col in enumerate(roles):
        col = tuple(dict.fromkeys(str(r) for r in col))
        bad = [r for r in col if r not in known]
        if bad:
            raise error("err.ingest.mapping.unknown_role", column=pos + 1, role=", ".join(bad))
        if len(col) > 1 and not all(r.endswith(f"{SUFFIX_SEP}{DENOMINATOR}") for r in col):
            raise error("err.ingest.mapping.only_denominators", column=pos + 1)
        out.append(col)
    return tuple(out)


def apply_mapping(headers: Sequence[str], roles: Sequence[Roles]) -> ColumnMap:
    """The ColumnMap a user's mapping gives; columns beyond the mapping (or with no role) are ignored."""
    cmap = ColumnMap(headers=list(headers))
    for pos in range(len(headers)):
        col = roles[pos] if pos < len(roles) else ()
        for role in col:
            if role in ID_FIELDS:
                cmap.fields[role].append(pos)
            elif SUFFIX_SEP in role:
                ind, part = role.split(SUFFIX_SEP, 1)
                if part in PARTS:
                    cmap.indicators[ind][part].append(pos)
    return cmap


def mapping_table(guesses: Sequence[Guess], applied: Sequence[Roles] | None = None) -> pd.DataFrame:
    """position, column, roles (as used), guessed (the app's own reading), suggestion: one row per column."""
    rows = []
    for g in guesses:
        used = tuple(applied[g.position]) if applied is not None and g.position < len(applied) else g.roles
        rows.append((g.position, g.header, used, g.roles, g.suggestion))
    return pd.DataFrame(rows, columns=["position", "column", "roles", "guessed", "suggestion"])
