"""Profile one briefing pack (the code path of ``python -m geo brief``) against an earlier commit, same run.

Each side runs in its own process: ``load_view`` (registry, layers, illustrative data), then ``make_packs`` for
one province (the map image drawn by Chromium only with ``--browser``: that part is not what is compared), timed
with the process CPU clock (a shared machine inflates wall time, not CPU time); ``--profile`` adds one run per
side under cProfile for the top functions (its overhead inflates pandas-heavy code several times, so the
figures come from the runs without it).
Wall time, this process's CPU and its children's CPU (Chromium drawing the map) are reported separately.
The baseline is a commit's tree exported with ``git archive`` into a temporary folder that shares this tree's
derived cache, static files and reference data; the two sides run interleaved (A B A B …) so both see the
same machine load. Prints the load average before and after, each side's medians and the current tree's
top project functions by cumulative CPU time.

Run: .venv/bin/python bench/profile_brief.py --against COMMIT [--province 12] [--rounds 2] [--profile]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import cProfile, json, pstats, resource, sys, time
from pathlib import Path
from geo.reporting import briefing_content as bc

province, top, browser, profiled = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
import io
from PIL import Image
buf = io.BytesIO()
Image.new("RGB", (400, 250), "white").save(buf, "PNG")
PNG = buf.getvalue()
stub = None if browser else (lambda figures, **kw: [PNG] * len(figures))  # the map image left out
prof = cProfile.Profile(time.process_time)
w0, c0 = time.perf_counter(), time.process_time()
if profiled:
    prof.enable()
view = bc.load_view(year=2025, lang="vi")
w1, c1 = time.perf_counter(), time.process_time()
results = bc.make_packs(view, [province], render=stub)
if profiled:
    prof.disable()
v = view.for_province(province)
c3 = time.process_time()
bc.equity_rows(v)
c4 = time.process_time()
bc.status_table(v)
c5 = time.process_time()
w2, c2 = time.perf_counter(), time.process_time()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
root = str(Path.cwd())
rows = [(f"{Path(k[0]).relative_to(root)}:{k[1]}({k[2]})", s[3]) for k, s in pstats.Stats(prof).stats.items()
        if k[0].startswith(root) and "/geo/" in k[0]] if profiled else []
rows.sort(key=lambda r: -r[1])
print(json.dumps({"failed": sum(not r.ok for r in results), "load_wall": w1 - w0, "load_cpu": c1 - c0,
                  "pack_wall": w2 - w1, "pack_cpu": c2 - c1, "children_cpu": children.ru_utime + children.ru_stime,
                  "equity_cpu": c4 - c3, "status_cpu": c5 - c4, "top": rows[:top]}))
"""


def export_tree(commit: str, into: Path) -> Path:
    """The commit's files (git archive) plus links to this tree's cache and static folders."""
    raw = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        tar.extractall(into, filter="data")
    for name in ("static",):
        if (ROOT / name).exists():
            os.symlink(ROOT / name, into / name)
    return into


def run_side(tree: Path, province: str, top: int, browser: bool, profiled: bool = False) -> dict:
    env = dict(os.environ)
    env["VNCHILD_CACHE_DIR"] = str(ROOT / ".cache")
    env.setdefault("VNCHILD_DATA_DIR", str((ROOT.parent / "shared" / "data").resolve()))
    command = [sys.executable, "-c", CHILD, province, str(top), "1" if browser else "0", "1" if profiled else "0"]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise SystemExit(f"{tree}: exit {done.returncode}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", required=True, help="commit to compare with (the baseline)")
    ap.add_argument("--province", default="12")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--browser", action="store_true", help="draw the map in Chromium too (slower; not changed)")
    ap.add_argument("--profile", action="store_true", help="one more run per side under cProfile: top functions")
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)
    results: dict[str, list[dict]] = {"baseline": [], "current": []}
    with tempfile.TemporaryDirectory() as tmp:
        baseline = export_tree(args.against, Path(tmp) / "baseline")
        for k in range(args.rounds):
            for side, tree in (("baseline", baseline), ("current", ROOT)):
                res = run_side(tree, args.province, args.top, args.browser)
                assert res["failed"] == 0, (side, res)
                results[side].append(res)
                print(f"  round {k + 1} {side}: pack {res['pack_cpu']:.1f} s CPU / {res['pack_wall']:.1f} s wall, "
                      f"load {res['load_cpu']:.1f} s CPU, Chromium {res['children_cpu']:.1f} s CPU", flush=True)
        profiles = {side: run_side(tree, args.province, args.top, args.browser, profiled=True)
                    for side, tree in (("baseline", baseline), ("current", ROOT))} if args.profile else {}
    print(f"load average after: {os.getloadavg()}")
    keys = (("pack_cpu", "one pack (make_packs), CPU of this process"), ("pack_wall", "one pack, wall"),
            ("load_cpu", "load_view (registry, layers, illustrative data), CPU"), ("load_wall", "load_view, wall"),
            ("children_cpu", "children (Chromium, kaleido) CPU, whole run"),
            ("equity_cpu", "equity table of the pack (equity_rows), CPU"),
            ("status_cpu", "status table of the pack (status_table), CPU"))
    print(f"\n| measure (median of {args.rounds}) | baseline {args.against[:8]} | current |\n|---|---|---|")
    for key, label in keys:
        base = statistics.median(r[key] for r in results["baseline"])
        cur = statistics.median(r[key] for r in results["current"])
        print(f"| {label} | {base:.2f} s | {cur:.2f} s |")
    for side, res in profiles.items():  # cProfile's own overhead inflates pandas-heavy code several times
        print(f"\nTop project functions by cumulative CPU under cProfile ({side}):")
        for name, seconds in res["top"]:
            print(f"  {seconds:7.2f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
