"""Benchmark: briefing packs (PDF + PPTX) per province and for all 34, by the page's and the CLI's own code.

Runs geo.reporting.briefing_content.run_packs (what ``python -m geo brief`` calls) into a throw-away
folder: first one province alone (its own browser session), then all 34 (maps drawn in batches of
geo.reporting.packs.BATCH per browser session). The baseline is the pre-batching way, one browser
session per province, timed on the same first province in the same run.

Run: .venv/bin/python bench/bench_brief.py [--provinces 12,15] [--skip-all]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.reporting import briefing_content as bc  # noqa: E402
from geo.reporting import packs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provinces", default="12", help="provinces timed alone (comma-separated)")
    ap.add_argument("--skip-all", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    view = bc.load_view(year=2025, lang="vi")
    print(f"load registry, layers, illustrative data: {time.perf_counter() - t0:.1f} s", flush=True)
    codes = view.layers.provinces["code"].astype(str).tolist()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for code in args.provinces.split(","):
            one = bc.run_packs(view=view, provinces=[code], out_dir=Path(tmp) / f"one_{code}")
            rows.append((f"one province alone ({view.province_name(code)}), batch session", one.seconds))
            old = packs.BATCH
            try:  # baseline: a browser per province (batch of 1), same code otherwise
                packs.BATCH = 1
                base = bc.run_packs(view=view, provinces=[code, code], out_dir=Path(tmp) / f"base_{code}")
            finally:
                packs.BATCH = old
            rows.append((f"baseline: one browser session per pack, 2 × {view.province_name(code)}, per pack",
                         base.seconds / 2))
        if not args.skip_all:
            all34 = bc.run_packs(view=view, provinces=codes, out_dir=Path(tmp) / "all",
                                 progress=lambda f, name: print(f"  {f:4.0%} {name}", flush=True))
            files = sorted(p.name for p in (Path(tmp) / "all").iterdir())
            n_pdf, n_pptx = sum(f.endswith(".pdf") for f in files), sum(f.endswith(".pptx") for f in files)
            assert n_pdf == n_pptx == len(codes) and "index.csv" in files and all34.failed == 0, files[:5]
            per = [r.seconds for r in all34.results]
            rows += [(f"all {len(codes)} provinces ({n_pdf} PDF + {n_pptx} PPTX + index)", all34.seconds),
                     ("  per province, median (min–max)", statistics.median(per))]
            print(f"  per province min {min(per):.1f} s, max {max(per):.1f} s", flush=True)
    print("\n| measure | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
