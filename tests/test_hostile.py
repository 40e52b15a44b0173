"""The hostile-input corpus (tests/hostile.py): each file is refused or checked within 10 s and 500 MB.

Each check runs in a forked child (geo.ingest.isolate) that measures its own CPU time (the work done, whatever
else the shared machine runs) and peak memory growth, so one runaway case cannot take the test run down; the
child's own 30 s bound is far above the 10 s asserted.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from geo.indicators.registry import load_registry
from geo.ingest import identify
from geo.ingest import validate as up
from geo.ingest.crosswalk import load_crosswalk
from geo.ingest.headers import load_column_aliases
from geo.ingest.isolate import run_bounded
from geo.ingest.match import build_matcher
from geo.reporting.downloads import to_csv_bytes
from tests import hostile

pytestmark = pytest.mark.realdata
SECONDS, MEGABYTES = 10.0, 500.0


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return 0


def _measured(fn, *args):
    """In the child: reset the peak-memory mark, run, report (result, seconds, MB of peak growth)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    start_rss, started, wall = _status("VmRSS:"), time.process_time(), time.perf_counter()
    result = fn(*args)
    return result, time.process_time() - started, time.perf_counter() - wall, _status("VmHWM:") - start_rss


@pytest.fixture(scope="module")
def check(reference_dir):
    registry = load_registry()
    crosswalk = load_crosswalk(reference_dir)
    matcher = build_matcher(crosswalk.new_units, crosswalk)
    aliases = load_column_aliases(registry)

    def run(name: str, data: bytes) -> up.ValidationResult:
        result, seconds, wall, grown = run_bounded(
            _measured, lambda: up.validate_upload(data, name, registry, matcher, aliases=aliases),
            timeout_s=30, max_growth_mb=2000)
        print(f"{name}: {len(data) / 1e6:.1f} MB file, {seconds:.2f} s CPU ({wall:.2f} s wall), +{grown} MB")
        assert seconds < SECONDS and grown < MEGABYTES, (name, seconds, grown)
        return result

    return run


def _codes(result: up.ValidationResult) -> list[str]:
    return [p.code for p in result.problems]


def test_five_million_header_cells_are_refused_before_any_header_work(check):
    result = check(*hostile.huge_header_csv())
    assert _codes(result) == ["too_large"] and "5,000,000 columns" in result.problems[0].message_en


def test_many_unknown_names_stop_the_check_with_a_clear_reason(check):
    result = check(*hostile.unknown_names_csv())
    assert result.counts["rows_valid"] == 0 and result.counts["errors"] == 150_000
    stopped = [p for p in result.problems if "checking stopped" in p.message_en]
    assert len(stopped) == 1 and "2,001 commune names" in stopped[0].message_en
    assert "Hãy kiểm tra cột tỉnh" in stopped[0].message_vi
    with_suggestions = [p for p in result.problems if p.suggestions]
    assert len(with_suggestions) <= identify.MAX_SUGGESTED_NAMES


def test_unknown_headers_get_few_suggestions_but_are_all_listed(check):
    result = check(*hostile.unknown_headers_csv())
    unknown = [p for p in result.problems if p.code == "unknown_column"]
    assert len(unknown) == 900
    assert 0 < sum(bool(p.suggestions) for p in unknown) <= up.MAX_SUGGESTED_HEADERS


def test_shared_string_bomb_is_refused_from_a_streamed_count(check):
    result = check(*hostile.shared_strings_bomb_xlsx())
    assert _codes(result) == ["too_large"] and "1,000,000 shared strings" in result.problems[0].message_en


def test_oversize_file_is_refused_with_sizes_in_the_same_unit(check):
    result = check(*hostile.oversize_csv())
    assert _codes(result) == ["too_large"]
    assert re.search(r"21\.0 MB.*20\.0 MB", result.problems[0].message_en), result.problems[0].message_en


def test_cr_led_formula_never_starts_a_line_of_the_problem_list(check):
    result = check(*hostile.cr_formula_csv())
    assert "formula_like" in _codes(result)
    text = to_csv_bytes(result.tabulate_problems("en")).decode("utf-8-sig")
    assert not [line for line in re.split(r"[\r\n]", text) if line.lstrip('"').startswith(("=", "+", "-", "@"))]
    back = pd.read_csv(io.BytesIO(text.encode()), keep_default_na=False)
    assert len(back) == len(result.problems)  # the CR did not split a row


def test_markdown_file_name_is_checked_like_any_other(check):
    result = check(*hostile.markdown_name_csv())
    assert result.counts["rows_valid"] == 1 and not result.errors


CORPUS = Path(__file__).parent / "upload_corpus"


def _rezip(data: bytes, change) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out.getvalue()


@pytest.fixture(scope="module")
def aliases():
    return load_column_aliases(load_registry())


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_dtd_past_the_first_4_kb_of_a_part_is_refused(aliases, part):
    from geo.ingest.read import read_table

    def add_dtd(name: str, body: bytes) -> bytes:
        if name != part:
            return body
        head, sep, rest = body.partition(b"?>")
        return head + sep + b"<!-- " + b"x" * 8000 + b" -->" + b'<!DOCTYPE x [<!ENTITY a "b">]>' + rest

    data = _rezip((CORPUS / "good_workbook.xlsx").read_bytes(), add_dtd)
    table, problems = read_table(data, "deep_dtd.xlsx", aliases)
    assert table is None and "DTD" in problems[0].message_en


def test_a_damaged_part_is_named_as_a_damaged_workbook_not_an_unexpected_error(aliases):
    """The central directory is fine, a sheet's compressed data is not: openpyxl only meets it while reading."""
    from geo.ingest.read import read_table

    data = bytearray((CORPUS / "good_workbook.xlsx").read_bytes())
    start = data.find(b"xl/worksheets/sheet1.xml") + 60  # inside that member's compressed bytes
    for i in range(start, start + 40):
        data[i] ^= 0x5A
    table, problems = read_table(bytes(data), "damaged.xlsx", aliases)
    assert table is None and problems[0].code == "unreadable_file"
    assert "unexpected" not in problems[0].message_en, problems[0].message_en
