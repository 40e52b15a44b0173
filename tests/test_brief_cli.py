"""``python -m geo brief``: one PDF and one PPTX per province and an index, by the page's own builders."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.reporting import render as gx

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.realdata, pytest.mark.browser,
              pytest.mark.skipif(not Path(gx.chromium_path()).is_file(), reason="Chromium not found")]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "brief", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_brief_writes_a_pack_per_province_and_an_index(layers, tmp_path):
    out = tmp_path / "packs"
    done = run("--province", "12", "--province", "15", "--year", "2025", "--lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    names = sorted(p.name for p in out.iterdir())
    assert sum(n.endswith(".pdf") for n in names) == 2 and sum(n.endswith(".pptx") for n in names) == 2
    assert {"index.csv", "index.html"} <= set(names) and "100%" in done.stderr
    assert "Made 2 packs (0 failed)" in done.stdout
    index = pd.read_csv(out / "index.csv")  # pandas defaults: the codes are text
    assert index["Province code"].tolist() == ["VN12", "VN15"] and index["Province / city"].tolist() == ["Lai Châu",
                                                                                                   "Lào Cai"]
    assert index["Error"].isna().all() and (index["PDF pages"] >= 5).all()
    pdf = (out / index.loc[0, "Briefing (PDF)"]).read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Briefing: targets for children — Lai Châu, 2025"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Illustrative data" in text and "Communes furthest from the target" in text
    # The chosen plan (Tam Đường) states few targets: the others come from the national plan, marked and named.
    assert "¹" in text and "National Action Programme for Children" in text


def test_brief_refuses_an_unknown_province(tmp_path):
    done = run("--province", "99", "--year", "2025", "--lang", "vi", "--out", str(tmp_path / "x"))
    assert done.returncode == 1 and "Không có tỉnh mã 99" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()
