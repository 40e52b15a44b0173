"""``python -m geo brief --province CODE|all --year Y --lang vi|en --out DIR``: briefing packs without a browser tab.

One PDF and one PPTX per province plus index.csv and index.html, made by exactly the functions the
overview page's buttons call (geo.reporting.briefing_content builds each pack's content, geo.reporting.packs
draws the maps in batches and writes the files). Progress goes to stderr, one line per province.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from geo.errors import DataError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo brief",
                                description="Briefing packs (PDF + PPTX) per province, and an index.")
    p.add_argument("--province", action="append", required=True,
                   help="province code (repeat for a list, or comma-separated), or 'all' for all 34")
    p.add_argument("--year", type=int, required=True, help="data year, e.g. 2025")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.add_argument("--out", type=Path, required=True, help="folder for the files (created if missing)")
    p.add_argument("--framework", default="", help="target framework id (default: the registry's default)")
    p.add_argument("--indicator", default="", help="indicator of the map and lagging list (default: the first)")
    p.add_argument("--target-year", type=int, default=2025, choices=(2025, 2030))
    p.add_argument("--dataset", default="", help="stored dataset name[@version] (default: illustrative data)")
    return p


def province_codes(values: list[str], known: list[str]) -> list[str]:
    """'all', or codes given one by one or comma-separated; unknown codes are refused, not skipped."""
    wanted: list[str] = []
    for value in values:
        wanted += [v.strip() for v in value.split(",") if v.strip()]
    if any(v.lower() == "all" for v in wanted):
        return list(known)
    padded = [v.zfill(2) if v.isdigit() else v for v in wanted]
    unknown = [v for v in padded if v not in known]
    if unknown:
        from geo.text.catalogue import error

        raise error("err.brief.unknown_province", codes=", ".join(unknown), known=", ".join(known))
    return list(dict.fromkeys(padded))


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    lang = args.lang
    try:
        from geo.reporting.briefing_content import load_view, run_packs

        t0 = time.perf_counter()

        def report(fraction: float, name: str) -> None:
            print(f"[{fraction:4.0%}] {name} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)

        view = load_view(year=args.year, lang=lang, framework=args.framework, indicator=args.indicator,
                         target_year=args.target_year, dataset=args.dataset)
        codes = province_codes(args.province, view.layers.provinces["code"].astype(str).tolist())
        summary = run_packs(view=view, provinces=codes, out_dir=args.out, progress=report)
    except DataError as err:
        print(err.message(lang), file=sys.stderr)
        return 1
    print(summary.text)
    return 0 if summary.failed == 0 else 1
