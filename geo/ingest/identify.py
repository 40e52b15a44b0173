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
    NAME_CODE_MISMATCH,
    UNKNOWN_COMMUNE,
    UNKNOWN_PROVINCE_CODE,
)
from geo.text.fold import fold_name, normalize_name, split_unit_type

MAX_SUGGESTED_NAMES = 200  # unknown commune names that get suggestions (difflib over the province's names)
STOP_UNKNOWN_NAMES = 2_000  # this many unknown names, and 4 times more than found: the file is not about communes


def identify_rows(cmap: ColumnMap, column: Callable, matcher: CommuneMatcher, era: str, bag: Any,
              numbers: np.ndarray, report: Callable, has_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the commune's code and how it was found (2025/old code, 2025/old name); None if not found."""
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
    if era == ERA_AUTO and code_pos is not None and _STATES_NEW.search(normalize_header(cmap.headers[code_pos])):
        stated = ERA_2025
    old_names = ({} if matcher.old_units is None or name_pos is None
                 else dict(zip(matcher.old_units["old_code"], matcher.old_units["name"], strict=True)))

    suggested = 0
    unknown_names = found_names = 0

    def lookup(kind: str, *args: Any) -> Any:
        nonlocal suggested
        key = (kind, *args)
        if key not in memo:
            if kind == "code":
                memo[key] = matcher.match_code(*args)
            elif kind == "name":
                memo[key] = matcher.match_name(*args, suggest=suggested < MAX_SUGGESTED_NAMES)
                suggested += memo[key].status == UNKNOWN
            else:
                memo[key] = _check_agreement(matcher, units, *args)
        return memo[key]

    for i in range(n):
        row = int(numbers[i])
        if new_bad[i] is not None or old_bad[i] is not None or name_bad[i] is not None:
            continue  # a refused identifier cell (formula) was reported already
        if new_codes[i] is not None or old_codes[i] is not None:
            if new_codes[i] is not None:
                pos, cell = code_pos, new_codes[i]
                code_era = ERA_PRE2025 if era == ERA_PRE2025 else ERA_2025
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
            if names[i] and old_names:
                held = _era_by_name(matcher, old_names, units, match.code, names[i], code_era, stated)
                if held is not None:
                    bag.add(make_problem(held, row=row, column=cmap.headers[pos], value=cell,
                                         detail=_both_units(matcher, match.code)), i, 2)
                    continue
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
        old_names = names_old_default or (era == ERA_AUTO and flags[i] == 1.0)
        name_era = ERA_PRE2025 if old_names else ERA_2025
        match = lookup("name", names[i], provs[i], name_era, dists[i])
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
            bases[i] = BASIS_NAME_PRE2025 if old_names else BASIS_NAME_2025
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
    return codes, bases


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


def _name_fits(name: str, unit_name: str) -> bool:
    given = split_unit_type(normalize_name(name))[1]
    want = normalize_name(unit_name)
    return given == want or fold_name(given) == fold_name(want)


def _era_by_name(matcher: CommuneMatcher, old_names: dict[str, str], units: dict[str, tuple[str, str]], code: str,
                 name: str, code_era: str, era: str) -> str | None:
    """A code that is both a 2025 and a pre-2025 code is settled by the name in its row; None when it is.

    The name fits only the other list's unit → held back (the code was read in the wrong list); it fits
    both and the user did not say which units the file uses → held back as ambiguous."""
    if code not in old_names or code not in units:
        return None
    fits_new, fits_old = _name_fits(name, units[code][0]), _name_fits(name, old_names[code])
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
