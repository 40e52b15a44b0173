"""Number formatting per language, and the UI strings file checked both ways against the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import config
from geo.errors import DataError
from geo.text.catalogue import load_strings
from geo.text.numbers import format_number, format_percent, format_points

ROOT = Path(__file__).resolve().parents[1]


def test_vietnamese_and_english_number_formats():
    assert format_percent(12.5, "vi") == "12,5%"
    assert format_percent(12.5, "en") == "12.5%"
    assert format_number(1234567, "vi") == "1.234.567"
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(float("nan"), "vi") == "—"
    assert format_points(-2.25, "vi") == "−2,2 điểm %" or format_points(-2.25, "vi") == "−2,3 điểm %"
    assert format_points(3.0, "en") == "+3.0 pp"


_FILE_NAME = re.compile(r"\.(?:csv|json|geojson|parquet|py|pdf|png|svg|xlsx|html|md|js|css)$")


def _keys_used_in_code(namespaces: set[str], root: Path = ROOT) -> set[str]:
    """Keys passed to t(...) in ui/ and views/ or to error(...)/say(...) in geo/, plus string literals in a
    strings namespace (column tables, ``err.*`` keys handed around in geo/, f-string families)."""
    call = re.compile(r"""\b(?:t|error|say)\(\s*f?["']([a-z0-9_.{}]+)["']""")
    spaces = "|".join(sorted(namespaces))
    literal = re.compile(rf"""f?["']((?:{spaces})\.[a-z0-9_.{{}}]+)["']""")
    used: set[str] = set()
    for path in [root / "app.py", *root.glob("views/*.py"), *root.glob("ui/*.py"), *root.glob("geo/**/*.py")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            used |= set(call.findall(text)) | set(literal.findall(text))
    return used


def _check_both_ways(keys: set[str], used: set[str]) -> tuple[set[str], set[str]]:
    """(keys used in code but missing from the file, keys in the file that no code uses).

    A literal such as "build.json" that is no key is a file name, not a missing key."""
    literal = {k for k in used if "{" not in k}
    prefixes = {k.split("{")[0] for k in used if "{" in k}
    # error(key) also shows `key.fix` when the file has one.
    unused = {k for k in keys if k not in literal and not any(k.startswith(p) for p in prefixes)
              and not (k.endswith(".fix") and k.removesuffix(".fix") in literal)}
    return {k for k in literal - keys if not _FILE_NAME.search(k)}, unused


def test_strings_file_matches_code_both_ways():
    table = load_strings(config.registry_dir() / "strings.csv")
    keys = set(table["vi"])
    missing, unused = _check_both_ways(keys, _keys_used_in_code({k.split(".")[0] for k in keys}))
    assert missing == set(), "keys used in code but missing from data/strings.csv"
    assert unused == set(), "keys in data/strings.csv that no code uses"


def test_both_ways_check_reads_geo_errors_and_catalogue_literals(tmp_path):
    (tmp_path / "geo" / "store").mkdir(parents=True)
    (tmp_path / "geo" / "store" / "x.py").write_text(
        'raise error("err.demo.gone", name=n)\n'
        'say(f"err.demo.kind.{kind}", "vi")\n'
        'KEYS = {"a": "err.demo.table"}\n'
        'STEPS = [f"err.demo.step_{n}" for n in range(3)]\n'
        'PATH = "err.demo.json"\n', encoding="utf-8")
    used = _keys_used_in_code({"err"}, root=tmp_path)
    assert used == {"err.demo.gone", "err.demo.kind.{kind}", "err.demo.table", "err.demo.step_{n}", "err.demo.json"}
    keys = {"err.demo.gone", "err.demo.gone.fix", "err.demo.kind.a", "err.demo.stale", "err.demo.stale.fix"}
    missing, unused = _check_both_ways(keys, used)
    assert missing == {"err.demo.table"}  # err.demo.json reads as a file name
    assert unused == {"err.demo.stale", "err.demo.stale.fix"}


def test_bad_strings_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "strings.csv"
    bad.write_text("key,vi,en\nx.y,có,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_strings(bad)
    assert "strings.csv" in err.value.vi and "strings.csv" in err.value.en
    with pytest.raises(DataError):
        load_strings(tmp_path / "missing.csv")
