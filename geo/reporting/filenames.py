"""File names that say what is inside: area, indicator, data year, target year, framework, filters.

A name is built from fixed fields in a fixed order, each written with a key letter, so it reads
``stunting-u5_p12-lai-chau_y2025_t2030_f-tam-duong_em-yes_lagging.csv`` and two different selections
can never share one: every field that differs changes its part, and free text (an area or dataset
name, a search) is followed by a short hash of its exact spelling because two spellings can fold
to the same ASCII. Names stay ASCII, without spaces, and at most MAX_LENGTH characters: a long
name keeps its readable start and ends with a hash of the whole selection.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_LENGTH = 150
_SAFE = re.compile(r"[^a-z0-9]+")


def slug(text: object) -> str:
    """ASCII, lower case, hyphens: 'Lai Châu' -> 'lai-chau', 'Đắk Lắk' -> 'dak-lak'."""
    folded = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn").lower()
    return _SAFE.sub("-", ascii_text).strip("-")


def _digest(text: str, n: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def _free_text(text: str) -> str:
    """A readable slug plus a hash of the exact text: different spellings never meet."""
    return f"{slug(text)[:24].strip('-')}-{_digest(text, 4)}"


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class Selection:
    """What a downloaded file shows. Filters left at their default (None / all) are not written.

    province: province code or "" for the whole country (province_name only makes it readable).
    flags: yes/no filters by name (em_area, border, coastal…), None = not filtered.
    commune_types: the types kept, when not all of them; extra: page options (sort order, search,
    group…) in a fixed order by name. dataset: "" for the built-in illustrative data, else name@version.
    """

    indicator: str
    year: int
    target_year: int
    framework: str
    province: str = ""
    province_name: str = ""
    flags: Mapping[str, bool | None] = field(default_factory=dict)
    commune_types: Sequence[str] = ()
    all_commune_types: Sequence[str] = ()
    dataset: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


def _parts(sel: Selection, kind: str) -> list[str]:
    parts = [slug(sel.indicator)]
    parts.append(f"p{sel.province}-{slug(sel.province_name)}" if sel.province else "vn")
    parts += [f"y{int(sel.year)}", f"t{int(sel.target_year)}", f"f-{slug(sel.framework)}"]
    for name in sorted(sel.flags):
        flag = _flag(sel.flags[name])
        if flag is not None:
            parts.append(f"{slug(name)}-{flag}")
    types = sorted(dict.fromkeys(sel.commune_types))
    if types and set(types) != set(sel.all_commune_types):
        parts.append("type-" + ".".join(slug(t) for t in types))
    if sel.dataset:
        parts.append("ds-" + _free_text(sel.dataset))
    for name in sorted(sel.extra):
        value = str(sel.extra[name])
        if value != "":
            parts.append(f"o-{slug(name)}-{_free_text(value) if slug(value) != value else value}")
    parts.append(slug(kind))
    return [p for p in parts if p]


def canonical(sel: Selection, kind: str) -> str:
    """Every field of the selection, exactly (the key a long name's hash is taken from)."""
    flags = ",".join(f"{k}={sel.flags[k]}" for k in sorted(sel.flags))
    extra = ",".join(f"{k}={sel.extra[k]}" for k in sorted(sel.extra))
    types = ",".join(sorted(sel.commune_types)) if set(sel.commune_types) != set(sel.all_commune_types) else "*"
    return "|".join(str(x) for x in (sel.indicator, sel.province, sel.year, sel.target_year, sel.framework, flags,
                                     types, sel.dataset, extra, kind))


def file_stem(sel: Selection, kind: str, room: int = 5) -> str:
    """The name without its extension, leaving `room` characters for one (".pptx" is 5)."""
    stem = "_".join(_parts(sel, kind))
    if len(stem) + room > MAX_LENGTH:
        tail = f"_{slug(kind)}_{_digest(canonical(sel, kind), 10)}"
        stem = stem[:MAX_LENGTH - room - len(tail)].rstrip("_-") + tail
    return stem


def file_name(sel: Selection, kind: str, ext: str) -> str:
    """`<indicator>_<area>_y<year>_t<target year>_f-<framework>[_<filter>…][_ds-…]_<kind>.<ext>`."""
    return f"{file_stem(sel, kind)}.{slug(ext)}"
