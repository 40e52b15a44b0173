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


def _keys_used_in_code(namespaces: set[str]) -> set[str]:
    """Keys passed to t(...) directly, plus string literals in a strings namespace (e.g. column tables)."""
    call = re.compile(r"""\bt\(\s*f?["']([a-z0-9_.{}]+)["']""")
    spaces = "|".join(sorted(namespaces))
    literal = re.compile(rf"""["']((?:{spaces})\.[a-z0-9_.]+)["']""")
    used: set[str] = set()
    for path in [ROOT / "app.py", *ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(call.findall(text)) | set(literal.findall(text))
    return used


def test_strings_file_matches_code_both_ways():
    table = load_strings(config.registry_dir() / "strings.csv")
    keys = set(table["vi"])
    used = _keys_used_in_code({k.split(".")[0] for k in keys})
    literal = {k for k in used if "{" not in k}
    prefixes = {k.split("{")[0] for k in used if "{" in k}
    assert literal - keys == set(), "keys used in code but missing from data/strings.csv"
    unused = {k for k in keys if k not in literal and not any(k.startswith(p) for p in prefixes)}
    assert unused == set(), "keys in data/strings.csv that no code uses"


def test_bad_strings_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "strings.csv"
    bad.write_text("key,vi,en\nx.y,có,\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_strings(bad)
    assert "strings.csv" in err.value.vi and "strings.csv" in err.value.en
    with pytest.raises(DataError):
        load_strings(tmp_path / "missing.csv")
