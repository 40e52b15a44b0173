"""Which commune each row is: codes and names checked against the 2025 and the pre-2025 lists.

Split from validate.py (the row checks): a code found in both lists is settled by the name in its row,
or held back as ambiguous with both candidates shown; a name next to a 2025 code must describe it.
``bag`` is validate's problem collector (``add``/``count``/``beyond``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from geo.ingest.cells import parse_column, parse_text, parse_yes_no
from geo.ingest.headers import ColumnMap, normalize_header
from geo.ingest.match import (
    AMBIGUOUS,
    HINT_IS_2025_CODE,
    HINT_IS_PRE2025_CODE,
    HINT_IS_PRE2025_NAME,
    HINT_NO_CROSSWALK,
    INVALID_CODE,
    MATCHED,
    UNKNOWN,
    UNKNOWN_PROVINCE,
    CommuneMatcher,
    Match,
)
from geo.ingest.problems import Problem, make_problem
from geo.ingest.vocab import (
    AMBIGUOUS_CODE,
    AMBIGUOUS_NAME,
    BASIS_CODE_2025,
    BASIS_CODE_PRE2025,
    BASIS_NAME_2025,
    BASIS_NAME_PRE2025,
    CODE_OTHER_UNITS,
    ERA_2025,
    ERA_AUTO,
    ERA_PRE2025,
    F_CODE,
    F_DISTRICT,
    F_NAME,
    F_OLD_CODE,
    F_PRE2025,
    F_PROVINCE,
    MISSING_VALUE,
    MIXED_UNITS,
    NAME_CODE_MISMATCH,
    PRE2025_BASE_SET,
    PROVINCE_LEVEL,
    UNKNOWN_COMMUNE,
    UNKNOWN_PROVINCE_CODE,
    WAITS_FOR_ROW,
)
from geo.text.fold import fold_name, normalize_name, split_unit_type

MAX_SUGGESTED_NAMES = 200  # unknown commune names that get suggestions (difflib over the province's names)
STOP_UNKNOWN_NAMES = 2_000  # this many unknown names, and 4 times more than found: the file is not about communes


def identify_rows(cmap: ColumnMap, column: Callable, matcher: CommuneMatcher, era: str, bag: Any,
              numbers: np.ndarray, report: Callable, has_value: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the commune's code and how it was found (2025/old code, 2025/old name), None if not found;
    and the units (ERA_2025 / ERA_PRE2025) when they were inferred rather than stated (a proposal to confirm).

    On auto, a code or name found in one list only is that list's; one in both that its row does not
    settle (3,315 of the 3,321 2025 codes are also pre-2025 codes) takes the units of the file's other
    rows, or 2025 when none says, and is marked inferred: the user confirms the units before saving."""
    n = len(numbers)
    code_pos, old_pos = cmap.find_field(F_CODE), cmap.find_field(F_OLD_CODE)
    name_pos, prov_pos = cmap.find_field(F_NAME), cmap.find_field(F_PROVINCE)
    dist_pos, flag_pos = cmap.find_field(F_DISTRICT), cmap.find_field(F_PRE2025)
    parsed = {}
    for pos, parser in ((code_pos, parse_text), (old_pos, parse_text), (name_pos, parse_text),
                        (prov_pos, parse_text), (dist_pos, parse_text), (flag_pos, parse_yes_no)):
        cells = column(pos)
        values, problems = parse_column(cells, parser)
        report(pos, problems, cells, 2)
        parsed[pos] = (values, problems)
    new_codes, new_bad = parsed[code_pos]
    old_codes, old_bad = parsed[old_pos]
    names, name_bad = parsed[name_pos]
    provs, prov_bad = parsed[prov_pos]
    dists, _ = parsed[dist_pos]
    flags, _ = parsed[flag_pos]
    names_old_default = era == ERA_PRE2025 or (era == ERA_AUTO and old_pos is not None)
    codes = np.full(n, None, dtype=object)
    bases = np.full(n, None, dtype=object)
    memo: dict[tuple, Any] = {}
    units = dict(zip(matcher.new_units["code"], zip(matcher.new_units["name"], matcher.new_units["province_code"],
                                                    strict=True), strict=True))
    # a header that says which units ("Mã xã 2025", "Mã xã (mới)", "old code") settles them like the user would
    stated = era
    # and so does the template's own machine header ``ma_xa`` (the documented 2025-code column); an ordinary
    # "Mã xã" says nothing, so its codes are checked against both lists
    if era == ERA_AUTO and code_pos is not None and (
            _STATES_NEW.search(normalize_header(cmap.headers[code_pos]))
            or str(cmap.headers[code_pos]).strip().casefold() == F_CODE):
        stated = ERA_2025
    old_name_of = ({} if matcher.old_units is None
                   else dict(zip(matcher.old_units["old_code"], matcher.old_units["name"], strict=True)))
    held: dict[int, tuple[str, ...]] = {}  # row index → the 2025 communes it may belong to (held back)
    by_code: dict[int, tuple[str, bool]] = {}  # row index → (era decided from the lists, code in both lists)
    shown: dict[int, tuple[str | None, Any]] = {}  # row index → (column, value) a held row is listed with
    unsettled: dict[int, tuple[Match, str, Match, str]] = {}  # row → (2025 match, basis, pre-2025 match, basis)
    probe = stated == ERA_AUTO and matcher.has_pre2025  # nobody said which units: rows are checked in both lists

    suggested = 0
    unknown_names = found_names = 0

    def lookup(kind: str, *args: Any) -> Any:
        nonlocal suggested
        key = (kind, *args)
        if key not in memo:
            if kind == "code":
                memo[key] = matcher.match_code(*args)
            elif kind == "probe":  # the other list, only to tell which units a row is in: no suggestions
                memo[key] = matcher.match_name(*args, suggest=False)
            elif kind == "name":
                memo[key] = matcher.match_name(*args, suggest=suggested < MAX_SUGGESTED_NAMES)
                suggested += memo[key].status == UNKNOWN
            else:
                memo[key] = _check_agreement(matcher, units, *args)
        return memo[key]

    def finish() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        _settle(unsettled, by_code, shown, codes, bases, bag, numbers)
        _hold_mixed(matcher, shown, by_code, held, codes, bases, bag, numbers)
        _hold_waiting(matcher, held, codes, bases, bag, numbers)
        inferred = np.full(n, None, dtype=object)  # rows whose units nobody stated: a proposal to confirm
        for i, (row_era, _) in by_code.items():
            if codes[i] is not None and (row_era == ERA_PRE2025 or i in unsettled):
                inferred[i] = row_era
        return codes, bases, inferred

    for i in range(n):
        row = int(numbers[i])
        if new_bad[i] is not None or old_bad[i] is not None or name_bad[i] is not None:
            continue  # a refused identifier cell (formula) was reported already
        if new_codes[i] is not None or old_codes[i] is not None:
            decided, auto = None, False
            if new_codes[i] is not None:
                pos, cell = code_pos, new_codes[i]
                code_era = ERA_PRE2025 if era == ERA_PRE2025 else ERA_2025
                if probe:
                    auto = True
                    shown[i] = (cmap.headers[pos], cell)
                    decided = _decide_era(matcher, lookup, old_name_of, units, cell, names[i])
                    if decided == AMBIGUOUS_CODE:
                        code = lookup("code", cell, ERA_2025).code
                        bag.add(make_problem(AMBIGUOUS_CODE, row=row, column=cmap.headers[pos], value=cell,
                                             detail=_both_units(matcher, code)), i, 2)
                        held[i] = (code, *matcher.receivers(code))
                        continue
                    if decided == UNSETTLED:
                        unsettled[i] = (lookup("code", cell, ERA_2025), BASIS_CODE_2025,
                                        lookup("code", cell, ERA_PRE2025), BASIS_CODE_PRE2025)
                        continue
                    code_era = decided or ERA_2025
            else:
                pos, cell, code_era = old_pos, old_codes[i], ERA_PRE2025
            basis = BASIS_CODE_PRE2025 if code_era == ERA_PRE2025 else BASIS_CODE_2025
            match = lookup("code", cell, code_era)
            if match.status != MATCHED and bag.beyond(row, 2):
                bag.count(i)
                continue
            if match.status != MATCHED:
                bag.add(_unknown_code(match, row, cmap.headers[pos], cell, code_era), i, 2)
                continue
            if names[i] and old_name_of and not auto:
                problem = _era_by_name(matcher, old_name_of, units, match.code, names[i], code_era, stated)
                if problem is not None:
                    bag.add(make_problem(problem, row=row, column=cmap.headers[pos], value=cell,
                                         detail=_both_units(matcher, match.code)), i, 2)
                    held[i] = (match.code, *matcher.receivers(match.code))
                    continue
            if auto:
                by_code[i] = (code_era, match.code in units and match.code in old_name_of)
            codes[i], bases[i] = match.code, basis
            if basis == BASIS_CODE_2025 and (names[i] or provs[i]) and not lookup("agree", match.code, names[i],
                                                                                  provs[i]):
                label = matcher.describe_commune(match.code)
                shown = ", ".join(p for p in (names[i], provs[i]) if p)
                bag.add(make_problem(NAME_CODE_MISMATCH, row=row, column=cmap.headers[pos], value=shown,
                                 detail=label), i, 2)
            continue
        if names[i] is None:
            if has_value[i]:
                where = next((p for p in (code_pos, old_pos, name_pos) if p is not None), None)
                bag.add(make_problem(MISSING_VALUE, row=row, column=cmap.headers[where] if where is not None else None,
                                 detail_key="err.ingest.need.commune"), i, 2)
            continue
        if provs[i] is None:
            if prov_bad[i] is None:
                bag.add(make_problem(MISSING_VALUE, row=row, column=cmap.headers[prov_pos] if prov_pos is not None
                                 else F_PROVINCE, detail_key="err.ingest.need.province"), i, 2)
            continue
        is_old_name = names_old_default or (era == ERA_AUTO and flags[i] == 1.0)
        name_era = ERA_PRE2025 if is_old_name else ERA_2025
        match = lookup("name", names[i], provs[i], name_era, dists[i])
        if probe and not names_old_default and flags[i] is None and (
                match.status == MATCHED or match.note == HINT_IS_PRE2025_NAME):
            old = lookup("probe", names[i], provs[i], ERA_PRE2025, dists[i])
            shown[i] = (cmap.headers[name_pos], names[i])
            if match.status == MATCHED and old.status in (MATCHED, AMBIGUOUS) and not (
                    old.status == MATCHED and matcher.same_unit(old.code, match.code)):
                unsettled[i] = (match, BASIS_NAME_2025, old, BASIS_NAME_PRE2025)
                found_names += 1
                continue
            if match.status != MATCHED and old.status == MATCHED:  # a pre-2025 name only: read as one, inferred
                match, is_old_name = old, True
            if match.status == MATCHED:
                by_code[i] = (ERA_PRE2025 if is_old_name else ERA_2025, False)
        found_names += match.status == MATCHED
        unknown_names += match.status == UNKNOWN
        if unknown_names > STOP_UNKNOWN_NAMES and unknown_names > 4 * found_names:
            bag.add(make_problem(UNKNOWN_COMMUNE, row=row, column=cmap.headers[name_pos], value=names[i],
                                 detail_key="err.ingest.detail.stopped_unknown", checked=f"{i + 1:,}",
                                 unknown=f"{unknown_names:,}"), i, 2)
            for rest in range(i + 1, n):  # not checked, so not usable: counted, never stored
                bag.count(rest)
            break
        if match.status == MATCHED:
            codes[i] = match.code
            bases[i] = BASIS_NAME_PRE2025 if is_old_name else BASIS_NAME_2025
        elif bag.beyond(row, 2):  # it would not be listed: count it without building its messages
            bag.count(i)
        elif match.status == AMBIGUOUS:
            bag.add(make_problem(AMBIGUOUS_NAME, row=row, column=cmap.headers[name_pos], value=names[i],
                             suggestions=list(match.suggestions)), i, 2)
        elif match.status == UNKNOWN_PROVINCE:
            bag.add(make_problem(UNKNOWN_PROVINCE_CODE, row=row, column=cmap.headers[prov_pos], value=provs[i],
                             suggestions=list(match.suggestions)), i, 2)
        else:
            bag.add(_unknown_name(match, row, cmap.headers[name_pos], names[i], provs[i], name_era), i, 2)
    return finish()


def _unknown_code(match: Any, row: int, column: str, cell: Any, era: str) -> Problem:
    if match.status == INVALID_CODE:
        why = "err.ingest.code.invalid"
    elif match.note == HINT_IS_PRE2025_CODE:
        why = "err.ingest.code.is_pre2025"
    elif match.note == HINT_IS_2025_CODE:
        why = "err.ingest.code.is_2025"
    elif match.note == HINT_NO_CROSSWALK:
        why = "err.ingest.code.no_crosswalk"
    elif era == ERA_PRE2025:
        why = "err.ingest.code.unknown_pre2025"
    else:
        why = "err.ingest.code.unknown_2025"
    return make_problem(UNKNOWN_COMMUNE, row=row, column=column, value=cell, suggestions=list(match.suggestions),
                        detail_key=why)


def _unknown_name(match: Any, row: int, column: str, name: str, province: str, era: str) -> Problem:
    if match.note == HINT_IS_PRE2025_NAME:
        why = "err.ingest.name.is_pre2025"
    elif match.note == HINT_NO_CROSSWALK:
        why = "err.ingest.name.no_crosswalk"
    else:
        why = "err.ingest.name.unknown_pre2025" if era == ERA_PRE2025 else "err.ingest.name.unknown_2025"
    return make_problem(UNKNOWN_COMMUNE, row=row, column=column, value=name, suggestions=list(match.suggestions),
                        detail_key=why, name=name, province=province)


_STATES_NEW = re.compile(r"(^|_)(2025|moi|new)(_|$)")


def _name_fits(name: str, unit_name: str, unit_type: str | None = None) -> bool:
    """The name written in a row is this unit's (a unit type written, "TT" = thị trấn, must be the unit's too)."""
    typed, given = split_unit_type(normalize_name(name))
    if typed and unit_type and typed != unit_type:
        return False
    want = normalize_name(unit_name)
    return given == want or fold_name(given) == fold_name(want)


def _era_by_name(matcher: CommuneMatcher, old_names: dict[str, str], units: dict[str, tuple[str, str]], code: str,
                 name: str, code_era: str, era: str) -> str | None:
    """A code that is both a 2025 and a pre-2025 code is settled by the name in its row; None when it is.

    The name fits only the other list's unit → held back (the code was read in the wrong list); it fits
    both and the user did not say which units the file uses → held back as ambiguous."""
    if code not in old_names or code not in units:
        return None
    fits_new = _name_fits(name, units[code][0], matcher.unit_type(code, ERA_2025))
    fits_old = _name_fits(name, old_names[code], matcher.unit_type(code, ERA_PRE2025))
    if code_era == ERA_2025 and fits_old and not fits_new or code_era == ERA_PRE2025 and fits_new and not fits_old:
        return CODE_OTHER_UNITS
    if fits_new and fits_old and era == ERA_AUTO:
        return AMBIGUOUS_CODE
    return None


def _both_units(matcher: CommuneMatcher, code: str) -> str:
    return f"2025: {matcher.describe_commune(code, ERA_2025)} / <2025: {matcher.describe_commune(code, ERA_PRE2025)}"


def _check_agreement(matcher: CommuneMatcher, units: dict[str, tuple[str, str]], code: str, name: str | None,
            province: str | None) -> bool:
    """Whether a name and province written next to a 2025 code describe that commune."""
    unit_name, unit_province = units[code]
    if name:
        given = split_unit_type(normalize_name(name))[1]
        want = normalize_name(unit_name)
        if given != want and fold_name(given) != fold_name(want):
            return False
    if province:
        provinces, _ = matcher.resolve_province(province)
        return not provinces or unit_province in provinces
    return True


def _decide_era(matcher: CommuneMatcher, lookup: Callable, old_name_of: dict[str, str],
                units: dict[str, tuple[str, str]], cell: str, name: str | None) -> str | None:
    """Which list a code belongs to when the user did not say: the only list that has it, or, for a code in
    both, the list whose unit the row's name fits; AMBIGUOUS_CODE when the name fits both or neither.

    None: in neither list (reported as an unknown 2025 code); UNSETTLED: in both with no name in the row
    (the file's other rows propose the units). A commune that went whole and alone into the 2025 commune
    of the same code is the same either way: 2025."""
    new, old = lookup("code", cell, ERA_2025), lookup("code", cell, ERA_PRE2025)
    in_new, in_old = new.status == MATCHED, old.status == MATCHED
    if in_new and not in_old:
        return ERA_2025
    if in_old and not in_new:
        return ERA_PRE2025
    if not in_new:
        return None
    if matcher.same_unit(old.code, new.code):
        return ERA_2025
    if not name:
        return UNSETTLED
    fits_new = _name_fits(name, units[new.code][0], matcher.unit_type(new.code, ERA_2025))
    fits_old = _name_fits(name, old_name_of[old.code], matcher.unit_type(old.code, ERA_PRE2025))
    if fits_old and not fits_new:
        return ERA_PRE2025
    if fits_new and not fits_old:
        return ERA_2025
    return AMBIGUOUS_CODE


UNSETTLED = "unsettled"  # a code or name in both lists that its row does not settle


def _settle(unsettled: dict[int, tuple[Match, str, Match, str]], by_code: dict[int, tuple[str, bool]],
            shown: dict[int, tuple[str | None, Any]], codes: np.ndarray, bases: np.ndarray, bag: Any,
            numbers: np.ndarray) -> None:
    """Rows in both lists take the units most of the file's settled rows have (2025 when none or a tie;
    a tie is then held by _hold_mixed): a proposal, marked inferred, never a silent reading."""
    if not unsettled:
        return
    counted = {ERA_2025: 0, ERA_PRE2025: 0}
    for era, _ in by_code.values():
        counted[era] += 1
    era = ERA_PRE2025 if counted[ERA_PRE2025] > counted[ERA_2025] else ERA_2025
    for i, (new, new_basis, old, old_basis) in unsettled.items():
        match, basis = (old, old_basis) if era == ERA_PRE2025 else (new, new_basis)
        if match.status != MATCHED:  # a name that fits several pre-2025 communes
            column, value = shown[i]
            bag.add(make_problem(AMBIGUOUS_NAME, row=int(numbers[i]), column=column, value=value,
                                 suggestions=list(match.suggestions)), i, 2)
            continue
        codes[i], bases[i] = match.code, basis
        by_code[i] = (era, True)


def _hold_mixed(matcher: CommuneMatcher, shown: dict[int, tuple[str | None, Any]],
                by_code: dict[int, tuple[str, bool]], held: dict[int, tuple[str, ...]], codes: np.ndarray,
                bases: np.ndarray, bag: Any, numbers: np.ndarray) -> None:
    """A file whose codes are of both lists (nobody said which): the rows of the smaller side are held back.

    Old and new communes in one table would count a 2025 commune and its old parts twice, and a code of the
    smaller side is the likelier misreading; the user settles it by choosing the file's units."""
    counted = {ERA_2025: 0, ERA_PRE2025: 0}
    for era, _ in by_code.values():
        counted[era] += 1
    if not counted[ERA_2025] or not counted[ERA_PRE2025]:
        return
    if counted[ERA_2025] == counted[ERA_PRE2025]:
        minority = None  # no side is smaller: every row whose code is in both lists is held
    else:
        minority = min(counted, key=counted.get)
    for i, (era, in_both) in by_code.items():
        if era == minority or (minority is None and in_both):
            code = codes[i]
            detail = matcher.describe_commune(code, era)
            column, value = shown[i]
            bag.add(make_problem(MIXED_UNITS, row=int(numbers[i]), column=column, value=value, detail=detail), i, 2)
            held[i] = (code,) if era == ERA_2025 else matcher.receivers(code)
            codes[i] = bases[i] = None


def _hold_waiting(matcher: CommuneMatcher, held: dict[int, tuple[str, ...]], codes: np.ndarray, bases: np.ndarray,
                  bag: Any, numbers: np.ndarray) -> None:
    """Rows of a 2025 commune that a held row may also belong to wait with it, so that commune is never
    shown complete or partial on a guess (settling the held row settles them)."""
    waiting: dict[str, int] = {}
    for i, candidates in sorted(held.items()):
        for code in candidates:
            waiting.setdefault(code, int(numbers[i]))
    if not waiting:
        return
    for i in np.flatnonzero(pd.notna(codes)):
        old = bases[i] in PRE2025_BASE_SET
        targets = matcher.receivers(codes[i]) if old else (codes[i],)
        hit = next((c for c in targets if c in waiting), None)
        if hit is None:
            continue
        bag.add(make_problem(WAITS_FOR_ROW, row=int(numbers[i]), value=codes[i], detail=matcher.describe_commune(hit),
                             count=waiting[hit]), int(i), 2)
        codes[i] = bases[i] = None


PROVINCE_SHARE = 0.8  # this share of a column's filled cells must look like provinces
_PROVINCE_CODE = re.compile(r"^\d{1,2}$")


def province_level(cmap: ColumnMap, rows: list[list[Any]], matcher: CommuneMatcher) -> Problem | None:
    """PROVINCE_LEVEL when the table is about provinces, not communes; None otherwise.

    Said when a column headed like a province code ("Mã tỉnh") holds 1-2 digit codes, when the table names
    provinces but no commune column, or when most "names" are provinces ("Thành phố Hà Nội", "Tỉnh Cao
    Bằng"). A commune code column with small numbers (Hà Nội's "4") is never taken for province codes."""
    if len(rows) < 3:
        return None

    def cells(pos: int) -> list[str]:
        out = []
        for r in rows:
            v = r[pos] if pos < len(r) else None
            if v is not None and str(v).strip():
                out.append(str(v).strip().removesuffix(".0"))
        return out

    def share(values: list[str], test: Callable[[str], bool]) -> float:
        return sum(bool(test(v)) for v in values) / len(values) if values else 0.0

    for pos, header in enumerate(cmap.headers):
        key = normalize_header(header)
        words = key.split("_")
        if words[:1] == ["ma"] and "tinh" in words and share(cells(pos), _PROVINCE_CODE.match) >= PROVINCE_SHARE:
            return make_problem(PROVINCE_LEVEL, column=header, detail_key="ingest.province_level.codes",
                                header=header)
    ids = [f for f in (F_CODE, F_OLD_CODE, F_NAME) if f in cmap.fields]
    prov_pos = cmap.find_field(F_PROVINCE)
    if not ids and prov_pos is not None:
        return make_problem(PROVINCE_LEVEL, column=cmap.headers[prov_pos], detail_key="ingest.province_level.names")
    name_pos = cmap.find_field(F_NAME)
    if name_pos is None:
        return None

    def is_province(text: str) -> bool:
        typed, _ = split_unit_type(normalize_name(text))
        if typed:  # "Xã …", "Phường …": a commune, whatever its name
            return False
        return any(matcher.resolve_province(text, era)[0] for era in (ERA_2025, ERA_PRE2025))

    if share(cells(name_pos), is_province) >= PROVINCE_SHARE:
        return make_problem(PROVINCE_LEVEL, column=cmap.headers[name_pos], detail_key="ingest.province_level.names")
    return None
