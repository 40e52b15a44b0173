"""``python -m geo import``: the same summary as the page's service, as JSON; exit status by readability."""

from __future__ import annotations

import json

import pytest

from geo.__main__ import main
from tests.corpus.build_forms import FORMS

pytestmark = pytest.mark.realdata
BY_NAME = {f.name: f for f in FORMS}


def _run(capsys, *args: str) -> tuple[int, dict]:
    rc = main(["import", *args])
    out = capsys.readouterr().out
    return rc, json.loads(out) if "--json" in args else out


def test_dry_run_json_of_an_old_code_report_lists_2025_values_with_coverage(tmp_path, capsys, monkeypatch,
                                                                            reference_dir):
    monkeypatch.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path}/s.db")
    form = BY_NAME["pacnam_partial.xlsx"]
    path = tmp_path / form.name
    path.write_bytes(form.build())
    rc, s = _run(capsys, str(path), "--units", "old", "--dry-run", "--json")
    assert rc == 0
    assert s["units"] == "old" and s["rows"]["read"] == 5 and s["rows"]["valid"] == 5
    assert {"row", "column", "value", "reason_vi", "reason_en"} <= set(s["rows"]["problems"][0])
    assert s["needs_confirmation"] == []
    communes = {c["code"]: c for c in s["communes"]}
    assert communes["01864"]["coverage"] == "partial" and communes["01864"]["of"] == 4
    assert communes["01879"]["coverage"] == "complete" and "01867" in communes["01879"]["old_codes"]
    expected = {(v.code, v.indicator, v.year): (v.numerator, v.denominator, v.coverage) for v in form.runs[0].values}
    got = {(v["code"], v["indicator"], v["year"]): (v["numerator"], v["denominator"], v["coverage"])
           for v in s["values"]}
    assert got == expected
    from geo.store.datasets import open_store

    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        assert store.list_datasets().empty  # --dry-run stored nothing


def test_unreadable_file_exits_2_and_saving_needs_the_password(tmp_path, capsys, monkeypatch, reference_dir):
    monkeypatch.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path}/s.db")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a workbook")
    assert _run(capsys, str(bad), "--dry-run", "--json")[0] == 2
    assert main(["import", str(tmp_path / "missing.csv")]) == 2
    form = BY_NAME["sopcop_2025_units.xlsx"]
    path = tmp_path / form.name
    path.write_bytes(form.build())
    monkeypatch.setenv("VNCHILD_EDITOR_PASSWORD", "đúng")
    monkeypatch.setenv("VNCHILD_IMPORT_PASSWORD", "sai")
    rc, s = _run(capsys, str(path), "--json")
    assert rc == 1 and s["saved"] is None and s["save_error"]["en"]
    monkeypatch.setenv("VNCHILD_IMPORT_PASSWORD", "đúng")
    rc, s = _run(capsys, str(path), "--json", "--name", "Sơn La 2024")
    assert rc == 0 and s["saved"] == {"name": "Sơn La 2024", "version": 1}
