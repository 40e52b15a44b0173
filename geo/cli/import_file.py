"""``python -m geo import FILE [--units new|old|auto] [--dry-run] [--json] [--mapping NAME]``: the page's import.

It calls the same service functions as the "Your data" page (geo.ingest.service.check_upload, then
save_upload), so a data officer's script and the page give the same answer. Exit status 0 when the file
could be read, 2 when it could not (or the arguments are wrong), 1 when saving was refused. Column
mappings saved on the page apply to a file with the same headers, as on the page; ``--mapping NAME``
uses that one saved mapping only (an unknown name exits 2).
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

from geo import config
from geo.errors import DataError
from geo.indicators.registry import YES_NO, load_registry
from geo.ingest.crosswalk import load_crosswalk
from geo.ingest.headers import load_column_aliases
from geo.ingest.match import build_matcher
from geo.ingest.service import (
    LOAD_ALL,
    LOAD_VALID,
    CheckedUpload,
    check_upload,
    needs_confirmation,
    save_upload,
    saved_mappings,
)
from geo.ingest.vocab import ERA_2025, ERA_AUTO, ERA_PRE2025, FILE_CODES
from geo.store.datasets import open_store

UNITS = {"auto": ERA_AUTO, "new": ERA_2025, "old": ERA_PRE2025}
PASSWORD_ENV = "VNCHILD_IMPORT_PASSWORD"  # the editor password a script gives (else asked on the terminal)


def _number(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def summary(checked: CheckedUpload, crosswalk) -> dict[str, Any]:
    """The import summary as plain data (the JSON of ``--json``; keys documented in the README)."""
    values = checked.values
    used = "old" if checked.basis == "pre2025" else "new"
    problems = [{"row": p.row, "column": p.column, "value": p.value, "code": p.code,
                 "severity": "error" if p.is_error else "warning", "reason_vi": p.message_vi,
                 "reason_en": p.message_en} for p in checked.result.problems]
    parts = crosswalk.links.groupby("new_code")["old_code"].apply(sorted).to_dict()
    communes = []
    for code, group in values.groupby("code", sort=True) if len(values) else []:
        partial = bool((group["coverage"] != "complete").any())
        communes.append({"code": code, "coverage": "partial" if partial else "complete",
                         "old_codes": parts.get(code, []) if used == "old" else [],
                         "of": int(group["parts_expected"].max()),
                         "reported": int(group["parts_reported"].min())})
    rows = [{"code": r.code, "indicator": r.indicator, "year": int(r.year), "numerator": _number(r.numerator),
             "denominator": _number(r.denominator), "rate": _number(r.value), "coverage": r.coverage}
            for r in values.sort_values(["code", "indicator", "year"]).itertuples(index=False)]
    counts = checked.counts
    return {
        "file": checked.filename, "units": used, "basis": checked.basis,
        "sheets": checked.result.source.get("sheets") or {},
        "rows": {"read": int(counts.get("rows", 0)), "valid": int(counts.get("rows_valid", 0)),
                 "problems": problems},
        "needs_confirmation": needs_confirmation(checked),
        "mapping": checked.result.source.get("mapping") or None,
        "communes": communes, "values": rows,
    }


def _print_text(s: dict[str, Any], out) -> None:
    print(f"{s['file']}: {s['rows']['read']} dòng/rows, {s['rows']['valid']} hợp lệ/valid, "
          f"đơn vị/units {s['units']}", file=out)
    for p in s["rows"]["problems"]:
        where = f"dòng/row {p['row']} " if p["row"] is not None else ""
        print(f"  [{p['severity']}] {where}{p['column'] or ''}: {p['reason_vi']} / {p['reason_en']}", file=out)
    for c in s["needs_confirmation"]:
        print(f"  [confirm] {c['kind']}: {c.get('reason_en') or c.get('proposal') or c.get('column')}", file=out)
    for c in s["communes"]:
        print(f"  {c['code']}: {c['coverage']} ({c['reported']}/{c['of']})", file=out)
    print(f"  {len(s['values'])} giá trị/values", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo import", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--units", choices=sorted(UNITS), default="auto",
                        help="codes/names are 2025 units (new), pre-2025 units (old) or decided per file (auto)")
    parser.add_argument("--sheet", default="", help="read only this sheet of a workbook")
    parser.add_argument("--dry-run", action="store_true", help="check and summarise only; store nothing")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--name", help="dataset name to save under (default: the file name)")
    parser.add_argument("--uploader", default=os.environ.get("USER", "cli"))
    parser.add_argument("--valid-only", action="store_true", help="save only the valid rows of a file with errors")
    parser.add_argument("--mapping", default="", help="the saved column mapping to use (default: any saved for "
                        "these headers)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"Không đọc được tệp / cannot read the file: {exc}", file=sys.stderr)
        return 2
    reg = load_registry()
    yes_no = [i for i in reg.indicator_ids() if reg.indicator(i)["measure"] == YES_NO]
    crosswalk = load_crosswalk(config.reference_dir(), yes_no_indicators=yes_no)
    try:
        with open_store(config.store_url()) as store:
            mappings = saved_mappings(store, name=args.mapping or None)
    except DataError as exc:
        if args.mapping:  # asked for a mapping that cannot be had: nothing is read
            print(f"{exc.vi} / {exc.en}", file=sys.stderr)
            return 2
        mappings = []  # no store: the file is read with the app's own guess, as the page would
    checked = check_upload(data, args.file.name, sheet=args.sheet, era=UNITS[args.units], registry=reg,
                           crosswalk=crosswalk, matcher=build_matcher(crosswalk.new_units, crosswalk),
                           aliases=load_column_aliases(reg), mappings=mappings)
    s = summary(checked, crosswalk)
    unreadable = any(p.code in FILE_CODES and p.is_error for p in checked.result.problems)
    if not args.dry_run and not unreadable:
        password = os.environ.get(PASSWORD_ENV) or (getpass.getpass("Mật khẩu / password: ")
                                                    if sys.stdin.isatty() else "")
        try:
            with open_store(config.store_url()) as store:
                name, version = save_upload(store, checked, name=args.name or args.file.stem, uploader=args.uploader,
                                            password=password, configured=config.editor_password(), original=data,
                                            loaded=LOAD_VALID if args.valid_only else LOAD_ALL)
            s["saved"] = {"name": name, "version": version}
        except DataError as exc:
            s["saved"] = None
            s["save_error"] = {"vi": exc.vi, "en": exc.en}
    if args.json:
        json.dump(s, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print_text(s, sys.stdout)
        if s.get("save_error"):
            print(f"  {s['save_error']['vi']} / {s['save_error']['en']}", file=sys.stdout)
    if unreadable:
        return 2
    return 1 if s.get("save_error") else 0
