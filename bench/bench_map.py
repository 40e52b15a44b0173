"""Benchmark of the app, side by side with a naive baseline in the same run.

Ours: cache build (coverage-simplified levels of detail, border flags, GeoJSON files), warm rerun of
the map page after a filter change, page switches and profile opens (AppTest, server side), the
bytes a browser receives for the national map (geometry file once + figure JSON per rerun), trend
and interval computation for all communes, and validation + crosswalk of full national uploads.
Baseline: full-resolution geometry embedded in a plain plotly choropleth, rebuilt on every rerun.

Run: make bench   (or .venv/bin/python bench/bench_map.py [--runs N] [--skip-baseline])
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo import config  # noqa: E402
from geo.geometry import boundaries  # noqa: E402


def _mb(n: float) -> str:
    return f"{n / 1e6:,.2f} MB"


def bench_build() -> tuple[float, dict]:
    """Cold build into a throw-away cache (the app's own cache is left alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        layers = boundaries.build_layers(config.reference_dir(), Path(tmp) / "cache", Path(tmp) / "static")
        seconds = time.perf_counter() - t0
        info = boundaries.build_info(layers)
    return seconds, info


PAGES = ["views/overview.py", "views/lagging.py", "views/equity.py", "views/map.py"]
PROFILE_CODES = ["00004", "02761", "01594", "23419", "31594", "06211", "03166", "09205", "00070", "00008",
                 "00025", "00082", "00091", "00097", "00103", "00118"]


def bench_reruns(runs: int) -> dict:
    """Median wall time of AppTest reruns after filter/indicator changes (warm caches)."""
    from streamlit.testing.v1 import AppTest

    boundaries.build_layers(config.reference_dir(), config.cache_dir(), config.static_dir())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    spec = at.get("plotly_chart")[0].proto.spec
    changes = [
        lambda: at.radio(key="em").set_value("yes"),
        lambda: at.radio(key="border").set_value("yes"),
        lambda: at.radio(key="em").set_value("all"),
        lambda: at.radio(key="border").set_value("all"),
        lambda: at.selectbox(key="prov").set_value("15"),
        lambda: at.selectbox(key="prov").set_value(""),
        lambda: at.selectbox(key="ind").set_value("underweight_u5"),
        lambda: at.selectbox(key="ind").set_value("stunting_u5"),
    ]
    times = []
    for i in range(runs):
        changes[i % len(changes)]()
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    switches = []
    for i in range(runs):
        at.switch_page(PAGES[i % len(PAGES)])
        t = time.perf_counter()
        at.run()
        switches.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    at.switch_page("views/profile.py").run()
    profiles = []
    for code in PROFILE_CODES[:runs]:
        at.selectbox(key="commune").set_value(code)
        t = time.perf_counter()
        at.run()
        profiles.append(time.perf_counter() - t)
        assert not at.exception and at.header[0].value, at.exception
    return {"first_run": first, "median": statistics.median(times), "max": max(times), "n": runs,
            "figure_json_bytes": len(spec.encode("utf-8")), "switch": statistics.median(switches),
            "switch_max": max(switches), "profile": statistics.median(profiles), "profile_max": max(profiles)}


def bench_baseline(runs: int) -> dict:
    """Naive approach: full-resolution GeoJSON inside a plotly choropleth, rebuilt each rerun."""
    import plotly.express as px

    from geo.synthetic.illustrative import generate_illustrative, load_generator_input

    t0 = time.perf_counter()
    gdf = boundaries.load_communes(config.reference_dir())
    frame = load_generator_input(config.reference_dir())
    values = generate_illustrative(frame).values
    load_s = time.perf_counter() - t0
    v = values[(values["indicator"] == "stunting_u5") & (values["year"] == 2025)]
    data = gdf[["code", "full_name", "province_code", "geometry"]].merge(v, on="code", how="left")
    geojson = json.loads(data[["code", "geometry"]].to_json(drop_id=True))
    times, size = [], 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for i in range(runs):
        sub = data if i % 2 == 0 else data[data["province_code"] != "01"]
        t = time.perf_counter()
        fig = px.choropleth_map(sub, geojson=geojson, locations="code", featureidkey="properties.code",
                                color="value", hover_name="full_name", map_style="white-bg",
                                center={"lat": 16, "lon": 106}, zoom=4.6)
        size = len(fig.to_json())
        times.append(time.perf_counter() - t)
        del fig
        gc.collect()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    return {"load": load_s, "median": statistics.median(times), "payload": size, "peak": peak, "n": runs}


def bench_trends() -> dict:
    """Trend assessment (AARR vs required, per commune) and Wilson intervals, all 12 indicators x 5 years."""
    from geo.indicators.registry import load_registry
    from geo.indicators.trends import assess_trend
    from geo.indicators.uncertainty import smooth_rates_eb, wilson_interval
    from geo.synthetic.illustrative import generate_illustrative, load_generator_input

    reg = load_registry()
    values = generate_illustrative(load_generator_input(config.reference_dir())).values
    values = values.assign(province=values["code"].str[:2])
    runs = {"trends": [], "intervals": [], "smoothing": []}
    for _ in range(3):
        t = time.perf_counter()
        for ind in reg.indicator_ids():
            meta = reg.indicator(ind)
            assess_trend(values[values["indicator"] == ind], reg.target(reg.default_framework(), ind, 2030),
                         meta["direction"], measure=meta["measure"])
        runs["trends"].append(time.perf_counter() - t)
        t = time.perf_counter()
        wilson_interval(values["numerator"], values["denominator"])
        runs["intervals"].append(time.perf_counter() - t)
        t = time.perf_counter()
        smooth_rates_eb(values["numerator"], values["denominator"], values["province"] + values["indicator"])
        runs["smoothing"].append(time.perf_counter() - t)
    return {k: min(v) for k, v in runs.items()} | {"rows": len(values)}


def _national_csv(values, codes_column: str, codes=None, years=(2021, 2022, 2023, 2024, 2025)) -> bytes:
    """A full national upload in the documented format: one row per commune-year, counts per indicator."""
    import pandas as pd

    v = values[values["year"].isin(years)]
    wide = v.pivot_table(index=["code", "year"], columns="indicator", values=["numerator", "denominator"])
    wide.columns = [f"{ind}__{'tu_so' if part == 'numerator' else 'mau_so'}" for part, ind in wide.columns]
    wide = wide.reset_index().rename(columns={"code": codes_column, "year": "nam"})
    if codes is not None:  # re-key onto the old communes (one old commune per row, values reused)
        wide = pd.DataFrame({codes_column: codes}).merge(wide.drop(columns=codes_column).drop_duplicates("nam"),
                                                         how="cross")
    return wide.to_csv(index=False).encode("utf-8")


def _national_form_rows(cw, k: int):
    """The commune rows of year number ``k`` of the national form: (TT, code, name, measured, uw, uw %, st, st %)."""
    old = cw.old_units.sort_values("old_code")
    for i, (code, name) in enumerate(zip(old["old_code"], old["full_name"], strict=True), start=1):
        n, u, st = 100 + i % 300, 10 + (i + k) % 20, 20 + (i * 7 + k) % 30
        yield [i, code, name, n, u, round(100 * u / n, 1), st, round(100 * st / n, 1)]


def _national_form_csv(cw, years=(2021, 2022, 2023, 2024)) -> bytes:
    """Exactly the workbook's commune rows as one flat CSV (year column, the template's headers)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ma_xa_cu", "ten_xa", "nam", "underweight_u5__mau_so", "underweight_u5__tu_so",
                     "underweight_u5__gia_tri", "stunting_u5__mau_so", "stunting_u5__tu_so", "stunting_u5__gia_tri"])
    for k, year in enumerate(years):
        for _, code, name, n, u, pu, st, ps in _national_form_rows(cw, k):
            writer.writerow([code, name, year, n, u, pu, n, st, ps])
    return out.getvalue().encode("utf-8")


def _national_workbook(cw, years=(2021, 2022, 2023, 2024)) -> bytes:
    """All old communes x 4 years as official report sheets: one sheet per year ("Năm 2021"), title rows, a
    two-level header (group cell over "Số trẻ" / "Tỷ lệ (%)"), a total row and a signature block."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for k, year in enumerate(years):
        ws = book.create_sheet(f"Năm {year}")
        ws.append(["UBND TỈNH …"])
        ws.append([f"BÁO CÁO KẾT QUẢ CÂN ĐO TRẺ EM DƯỚI 5 TUỔI NĂM {year}"])
        ws.append(["TT", "Mã xã", "Tên xã", "Số trẻ được cân đo", "Suy dinh dưỡng thể nhẹ cân", None,
                   "Suy dinh dưỡng thể thấp còi", None])
        ws.append([None, None, None, None, "Số trẻ", "Tỷ lệ (%)", "Số trẻ", "Tỷ lệ (%)"])
        tot = [0, 0, 0]
        for row in _national_form_rows(cw, k):
            n, u, st = row[3], row[4], row[6]
            tot = [tot[0] + n, tot[1] + u, tot[2] + st]
            ws.append(row)
        ws.append([None, None, "Tổng cộng", *tot[:2], None, tot[2], None])
        ws.append([])
        ws.append([None, "NGƯỜI LẬP BIỂU", None, None, None, "GIÁM ĐỐC"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bench_upload() -> dict:
    """Validation and crosswalk time for full national files, in 2025 codes and in pre-2025 codes."""
    from geo.indicators.registry import load_registry
    from geo.ingest.carry import carry_upload
    from geo.ingest.crosswalk import load_crosswalk
    from geo.ingest.match import build_matcher
    from geo.ingest.validate import validate_upload
    from geo.synthetic.illustrative import generate_illustrative, load_generator_input

    reg = load_registry()
    yes_no = [i for i in reg.indicator_ids() if reg.indicator(i)["measure"] == "yes_no"]
    cw = load_crosswalk(config.reference_dir(), yes_no_indicators=yes_no)
    matcher = build_matcher(cw.new_units, cw)
    values = generate_illustrative(load_generator_input(config.reference_dir())).values
    new_file = _national_csv(values, "ma_xa")
    old_codes = sorted(cw.old_units["old_code"]) if "old_code" in cw.old_units else None
    old_file = _national_csv(values, "ma_xa_cu", codes=old_codes, years=(2021, 2022, 2023, 2024))
    out = {}
    from geo.ingest.headers import load_column_aliases

    out |= bench_national_form(reg, cw, matcher, load_column_aliases(reg))
    for name, data in (("new", new_file), ("old", old_file)):
        t = time.perf_counter()
        result = validate_upload(data, f"{name}.csv", reg, matcher)
        t_valid = time.perf_counter() - t
        t = time.perf_counter()
        carried = carry_upload(result.valid_rows, cw)
        out[name] = {"rows": int(result.counts.get("rows", 0)) or data.count(b"\n") - 1, "validate": t_valid,
                     "crosswalk": time.perf_counter() - t, "errors": len(result.errors),
                     "values": len(carried.values)}
    return out


def bench_national_form(reg, cw, matcher, aliases) -> dict:
    """The page's check + carry (check_upload) of the national official-form workbook and of its same rows as CSV."""
    from geo.ingest.service import check_upload

    out = {}
    for key, name, data in (("book", "national_old.xlsx", _national_workbook(cw)),
                            ("book_csv", "national_old.csv", _national_form_csv(cw))):
        t = time.perf_counter()
        checked = check_upload(data, name, sheet="", era="pre2025", registry=reg, crosswalk=cw, matcher=matcher,
                               aliases=aliases)
        out[key] = {"rows": int(checked.counts.get("rows", 0)), "seconds": time.perf_counter() - t,
                    "errors": len(checked.result.errors), "values": len(checked.values), "mb": len(data) / 1e6}
    return out


def main_upload_only() -> None:
    """``--upload-only``: the national official-form workbook against its same rows as CSV, with the load."""
    from geo.indicators.registry import load_registry
    from geo.ingest.crosswalk import load_crosswalk
    from geo.ingest.headers import load_column_aliases
    from geo.ingest.match import build_matcher

    reg = load_registry()
    yes_no = [i for i in reg.indicator_ids() if reg.indicator(i)["measure"] == "yes_no"]
    cw = load_crosswalk(config.reference_dir(), yes_no_indicators=yes_no)
    matcher = build_matcher(cw.new_units, cw)
    before = os.getloadavg()
    got = bench_national_form(reg, cw, matcher, load_column_aliases(reg))
    after = os.getloadavg()
    for key, label in (("book", "official-form workbook (.xlsx, 4 sheets)"), ("book_csv", "same rows as CSV")):
        r = got[key]
        print(f"{label:<42} {r['rows']:>7,} rows  {r['mb']:5.1f} MB  check + carry {r['seconds']:6.1f} s  "
              f"{r['values']:,} values, {r['errors']} errors")
    print(f"load average (1, 5, 15 min) before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, "
          f"after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f} (2 cores)")


def bench_exports() -> dict:
    """Export clicks as a user makes them (AppTest): map PNG+SVG+PDF, briefing PDF+PPTX, country and province."""
    from streamlit.testing.v1 import AppTest

    def click(page: str, button: str, **params) -> float:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params.update(params)
        at.run()
        at.switch_page(page).run()
        at.run()  # warm
        at.button(key=button)  # fail early if the button is missing
        t = time.perf_counter()
        at.button(key=button).click().run()
        elapsed = time.perf_counter() - t
        assert not at.exception, at.exception
        return elapsed

    return {
        "map_country": click("views/map.py", "export_map_render"),
        "map_province": click("views/map.py", "export_map_render", prov="12"),
        "briefing_country": click("views/overview.py", "briefing_render"),
        "briefing_province": click("views/overview.py", "briefing_render", prov="12"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16, help="warm reruns to time (ours)")
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--upload-only", action="store_true",
                        help="only the national official-form workbook against the same rows as CSV")
    args = parser.parse_args()
    if args.upload_only:
        main_upload_only()
        return

    print("Building layers from scratch (cold cache)…", flush=True)
    build_s, info = bench_build()
    print("Timing warm reruns (AppTest)…", flush=True)
    rr = bench_reruns(args.runs)
    geometry = info["bytes"]["communes_national.mesh"] + info["bytes"]["provinces_national.mesh"]
    ours_payload = geometry + rr["figure_json_bytes"]
    tr = bench_trends()
    print("Validation and crosswalk of national files…", flush=True)
    up = bench_upload()
    print("Exports (map files, briefing pack)…", flush=True)
    ex = bench_exports()
    base = None if args.skip_baseline else (print("Naive baseline…", flush=True) or bench_baseline(args.baseline_runs))

    rows = [
        ("cache build (cold)", f"{build_s:,.1f} s", "— (no cache)" if base else "skipped"),
        ("data load per process", "in cache build", f"{base['load']:,.1f} s" if base else "skipped"),
        ("warm rerun after filter change (median)", f"{rr['median']:.3f} s (n={rr['n']}, max {rr['max']:.3f})",
         f"{base['median']:.2f} s (figure build only, n={base['n']})" if base else "skipped"),
        ("national map payload, first view", f"{_mb(ours_payload)} (geometry {_mb(geometry)} once + "
         f"figure {_mb(rr['figure_json_bytes'])})", _mb(base["payload"]) if base else "skipped"),
        ("payload per later rerun", _mb(rr["figure_json_bytes"]), _mb(base["payload"]) if base else "skipped"),
        ("switch view, warm (median)", f"{rr['switch']:.3f} s (max {rr['switch_max']:.3f})", "—"),
        ("open a commune profile, warm (median)", f"{rr['profile']:.3f} s (max {rr['profile_max']:.3f})", "—"),
        (f"trends, all communes x 12 indicators x 5 years ({tr['rows']:,} rows)", f"{tr['trends']:.2f} s", "—"),
        ("Wilson intervals, same rows", f"{tr['intervals'] * 1000:.0f} ms", "—"),
        ("empirical-Bayes smoothing, same rows", f"{tr['smoothing'] * 1000:.0f} ms", "—"),
        (f"upload: validate {up['new']['rows']:,} rows in 2025 codes (CSV)", f"{up['new']['validate']:.2f} s "
         f"+ crosswalk {up['new']['crosswalk']:.2f} s", "—"),
        (f"upload: validate {up['old']['rows']:,} rows in pre-2025 codes (CSV)", f"{up['old']['validate']:.2f} s "
         f"+ crosswalk {up['old']['crosswalk']:.2f} s", "—"),
        (f"upload: official-form workbook, 4 sheets, {up['book']['rows']:,} old-commune rows "
         f"({up['book']['mb']:.1f} MB .xlsx), check + carry", f"{up['book']['seconds']:.2f} s "
         f"({up['book']['values']:,} values, {up['book']['errors']} errors)",
         f"same rows as CSV: {up['book_csv']['seconds']:.2f} s ({up['book_csv']['values']:,} values)"),
        ("export map PNG+SVG+PDF 1600x1200, country / Lai Châu (click to files)",
         f"{ex['map_country']:.1f} s / {ex['map_province']:.1f} s", "—"),
        ("briefing pack PDF+PPTX, country / Lai Châu (click to files)",
         f"{ex['briefing_country']:.1f} s / {ex['briefing_province']:.1f} s", "—"),
        ("vertices drawn (national)", f"{info['vertices']['national']:,}", f"{info['vertices']['source']:,}"),
        ("extra peak RSS building the figure", "—", _mb(base["peak"]) if base else "skipped"),
    ]
    w0, w1 = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print()
    print(f"{'measure':<{w0}}  {'ours':<{w1}}  baseline (full-res plotly choropleth)")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * 38}")
    for name, ours, baseline in rows:
        print(f"{name:<{w0}}  {ours:<{w1}}  {baseline}")
    print(f"\nborder communes derived: {info['border_communes']}; first AppTest run (cold caches): "
          f"{rr['first_run']:.1f} s")
    print("targets: payload ≤ 3 MB:", "OK" if ours_payload <= 3e6 else "MISSED",
          "| warm rerun ≤ 0.5 s:", "OK" if rr["median"] <= 0.5 else "MISSED",
          "| view switch / profile ≤ 0.5 s:", "OK" if max(rr["switch"], rr["profile"]) <= 0.5 else "MISSED")


if __name__ == "__main__":
    main()
