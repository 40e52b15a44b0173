"""Briefing packs for many areas: order, batching per browser session, failures kept apart, the index.

The renderer is handed in (the page and the CLI pass geo's Chromium renderer); here a stand-in draws
a PNG with PIL and records how it was called, so batching and failure handling are checked without a
browser. The real renderer is exercised by the CLI test (tests/test_brief_cli.py).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import plotly.graph_objects as go

from geo.errors import DataError
from geo.reporting import packs
from tests.test_export import LABELS, content, map_png

HEADERS = {"code": "Mã tỉnh", "name": "Tỉnh", "pdf": "PDF", "pptx": "PowerPoint", "pages": "Số trang",
           "slides": "Số trang chiếu", "seconds": "Giây", "error": "Lỗi"}


def job(code: str, *, figure_fails: bool = False, empty: bool = False) -> packs.PackJob:
    def figure():
        if figure_fails:
            raise DataError(vi="Không có ranh giới.", en="No boundary.")
        return None if empty else go.Figure(go.Scatter(x=[1], y=[1]))

    return packs.PackJob(code=code, name=f"Tỉnh {code}", map_figure=figure,
                         content=lambda png: content(png=png), stem=f"briefing_{code}")


def test_packs_batch_the_maps_and_keep_every_area_in_order():
    calls: list[int] = []

    def render(jobs, **kw):
        calls.append(len(jobs))
        assert kw == {"width_px": 100, "height_px": 80, "scale": 1.0}
        return [map_png() for _ in jobs]

    steps = []
    jobs = [job(f"{i:02d}") for i in range(1, 8)] + [job("90", figure_fails=True), job("91", empty=True)]
    results = packs.build_packs(jobs, LABELS, "vi", map_size=(100, 80, 1.0), render=render, batch=3,
                                progress=lambda f, m: steps.append((f, m)))
    assert [r.code for r in results] == [j.code for j in jobs]
    assert calls == [3, 3, 1]  # three browser sessions for seven maps; the failed and empty ones not drawn
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1] == (1.0, "Tỉnh 91")
    ok = [r for r in results if r.ok]
    assert len(ok) == 8 and all(r.files["pdf"].startswith(b"%PDF") and r.files["pptx"][:2] == b"PK" for r in ok)
    assert all(r.pages == 5 for r in ok[:7]) and results[-1].pages == 5  # no map: the page says so
    failed = results[7]
    assert not failed.ok and failed.files == {} and failed.error_en == "No boundary."

    files = packs.pack_files(results, "vi", title="Bản tin các tỉnh", headers=HEADERS, mark="Dữ liệu minh họa")
    assert len([n for n in files if n.endswith(".pdf")]) == 8 and packs.INDEX_HTML in files
    index = pd.read_csv(io.BytesIO(files[packs.INDEX_CSV]))  # pandas defaults: codes come back as text
    assert index["Mã tỉnh"].tolist() == [f"VN{j.code}" for j in jobs]
    assert index["Mã tỉnh"].str.removeprefix("VN").tolist() == [j.code for j in jobs]
    assert index.loc[7, "Lỗi"] == "Không có ranh giới." and index.loc[0, "PDF"] == "briefing_01.pdf"
    assert pd.isna(index.loc[7, "PDF"]) and index["Số trang"].dtype == "int64"
    page = files[packs.INDEX_HTML].decode("utf-8")
    assert '<a href="briefing_01.pptx">' in page and "Dữ liệu minh họa" in page
    archive = zipfile.ZipFile(io.BytesIO(packs.zip_packs(files)))
    assert sorted(archive.namelist()) == sorted(files)


def test_a_failed_browser_session_gives_its_batch_packs_without_the_map_and_the_rest_goes_on():
    """Issue 14: a missing or failing Chromium never stops a pack; it is made without the image, saying why."""
    def render(jobs, **kw):
        if render.n == 0:
            render.n += 1
            raise DataError(vi="Không xuất được hình (PNG).", en="Could not export the figure as PNG.")
        return [map_png() for _ in jobs]

    render.n = 0
    results = packs.build_packs([job("01"), job("02"), job("03")], LABELS, "en", map_size=(100, 80, 1.0),
                                render=render, batch=2)
    assert [r.ok for r in results] == [True, True, True]
    assert [bool(r.note) for r in results] == [True, True, False]
    assert "Could not export" in results[0].note and results[0].files["pdf"] and results[0].files["pptx"]


def test_written_sets_land_in_the_folder(tmp_path):
    results = packs.build_packs([job("01")], LABELS, "vi", map_size=(100, 80, 1.0),
                                render=lambda jobs, **kw: [map_png() for _ in jobs])
    written = packs.write_packs(packs.pack_files(results, "vi", title="x", headers=HEADERS), tmp_path / "out")
    assert sorted(p.name for p in written) == ["briefing_01.pdf", "briefing_01.pptx", "index.csv", "index.html"]
    assert all(p.stat().st_size > 0 for p in written)
