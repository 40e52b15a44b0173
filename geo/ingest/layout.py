"""Report layouts: where the header of an official report sheet is, and which rows below it are not communes.

Commune reports are printed forms: title rows ("UBND HUYỆN …", "BÁO CÁO …") above a header of one or two
rows (a group cell merged across "Số trẻ" / "Tỷ lệ (%)"), sometimes a column-numbering row ("(1) (2)
(3)=(2)/(1)"), total and subtotal rows ("Tổng cộng", "Cộng", "Toàn huyện"), then notes and a signature
block. This module only looks at cell text; what a header means is decided by the caller's ``score``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from geo.text.fold import fold

DATA, TOTAL, NUMBERING, FOOTER, NOTE = "data", "total", "numbering", "footer", "note"

_PLACES = r"(huyen|tinh|thanh pho|quan|thi xa|xa|quoc)"
_TOTAL = re.compile(rf"^(tong cong|tong so|tong|cong|toan {_PLACES}|ca nuoc)( toan {_PLACES})?\s*([:(\-].*)?$")
_FOOTER = re.compile(r"^(nguoi lap bieu|nguoi lap|nguoi ky|thu truong|giam doc|kt\.? giam doc|pho giam doc|"
                     r"chu tich|kt\.? chu tich|truong phong|truong tram|noi nhan|\(ky|ky ten|xac nhan|"
                     r"- luu|luu:|.*, ngay .* thang .* nam)")
_NOTE = re.compile(r"^(ghi chu|chu thich|nguon|luu y|\*)")
_NUMBERING_CELL = re.compile(r"^(\(\d{1,2}\)(\s*=\s*[()0-9/*+\-x ]+)?|[A-Z]|\d{1,2})$")
_NUMBERING_MARK = re.compile(r"^(\(\d{1,2}\)|[A-Z])")
_SHEET_YEAR = re.compile(r"^(?:nam|year|so lieu nam|bao cao nam)?\s*((?:19|20)\d\d)$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def join_header(top: Sequence[Any], sub: Sequence[Any]) -> list[str]:
    """One header per column from a two-row header: a group cell ("Suy dinh dưỡng thể nhẹ cân", merged
    over two columns, so blank in the second) is carried right over the sub-headers under it."""
    width = max(len(top), len(sub))
    top = [_text(v) for v in top] + [""] * (width - len(top))
    sub = [_text(v) for v in sub] + [""] * (width - len(sub))
    out, group = [], ""
    for t, s in zip(top, sub, strict=True):
        if t:
            group = t if s else ""
        elif not s:
            group = ""
        parent = t or group
        child = "tỷ lệ" if s == "%" else s
        out.append(" ".join(x for x in (parent, child) if x))
    return out


@dataclass(frozen=True)
class Header:
    """The header found: one joined text per column, the sheet row numbers it spans."""

    cells: list[str]
    rows: tuple[int, ...]
    score: int


def find_header(records: Sequence[tuple[int, list[Any]]], score: Callable[[list[str]], int]) -> Header | None:
    """The best-scoring one- or two-row header among the first non-blank rows (None when nothing scores).

    A two-row header wins only when it explains more columns than its first row alone, so a data row
    is never glued under a complete one-row header."""
    best: Header | None = None
    for i, (number, row) in enumerate(records):
        one = [_text(v) for v in row]
        candidates = [Header(one, (number,), score(one))]
        if i + 1 < len(records):
            nxt_number, nxt = records[i + 1]
            two = join_header(row, nxt)
            candidates.append(Header(two, (number, nxt_number), score(two)))
        for cand in candidates:
            if cand.score > 0 and (best is None or cand.score > best.score):
                best = cand
    return best


@lru_cache(maxsize=65536)
def _kind_of(text: str) -> str | None:
    """TOTAL / FOOTER / NOTE for a cell text that marks one (cached: names repeat across sheets and years)."""
    key = fold(text)
    for pattern, kind in ((_TOTAL, TOTAL), (_FOOTER, FOOTER), (_NOTE, NOTE)):
        if pattern.match(key):
            return kind
    return None


def _is_numbering(cells: Sequence[Any]) -> bool:
    texts = [t for t in (_text(v) for v in cells) if t]
    return len(texts) >= 3 and all(_NUMBERING_CELL.match(t) for t in texts) and any(
        _NUMBERING_MARK.match(t) for t in texts)


def classify_row(cells: Sequence[Any]) -> str:
    """data / total / numbering / footer / note, from the text of the row's first cells (fast: every row)."""
    head: list[str] = []
    for v in cells:
        if v is None:
            continue
        t = v.strip() if v.__class__ is str else _text(v)
        if t:
            head.append(t)
            if len(head) == 4:
                break
    if not head:
        return NOTE
    if _NUMBERING_CELL.match(head[0]) and _is_numbering(cells):
        return NUMBERING
    for t in head:
        if t[0].isdigit():  # codes, counts, "1." of the TT column: never a total or footer word
            continue
        kind = _kind_of(t)
        if kind is not None:
            return kind
    return DATA


def sheet_year(name: str) -> int | None:
    """The year a sheet's name gives ("2023", "Năm 2024", "Year 2022"), else None."""
    m = _SHEET_YEAR.match(fold(name).strip())
    return int(m.group(1)) if m else None


_TITLE_YEAR = re.compile(r"\bnam\s+((?:19|20)\d\d)\b")


def title_year(rows: Sequence[Sequence[Any]]) -> int | None:
    """The year title rows state ("BÁO CÁO … NĂM 2024"), when they state exactly one."""
    found = {int(m) for row in rows for v in row for m in _TITLE_YEAR.findall(fold(_text(v)))}
    return found.pop() if len(found) == 1 else None


@dataclass
class Body:
    """The rows under the header, sorted: commune rows, total rows (kept for the check), the rest."""

    data: list[tuple[int, list[Any]]] = field(default_factory=list)
    totals: list[tuple[int, list[Any]]] = field(default_factory=list)
    skipped: dict[str, list[int]] = field(default_factory=dict)


def split_body(records: Sequence[tuple[int, list[Any]]]) -> Body:
    """Sort rows below the header; once a signature/date line is met, everything after it is footer."""
    body = Body()
    in_footer = False
    for number, row in records:
        kind = FOOTER if in_footer else classify_row(row)
        if kind == DATA:
            body.data.append((number, row))
        elif kind == TOTAL:
            body.totals.append((number, row))
        else:
            in_footer = in_footer or kind == FOOTER
            body.skipped.setdefault(kind, []).append(number)
    return body
