"""A stored user dataset (the form an upload is saved in) with 0-of-0 rows for a rare-event indicator:
"not applicable" in the status, the tables, the exported files and the counts, never "no data".

The rows are written to the store directly: the upload check (geo/ingest/validate.py) still skips a 0-of-0
cell with a warning, so a file cannot bring one in yet (see the report of this change)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from apptest import open_page
from streamlit.testing.v1 import AppTest

from geo.store.datasets import open_store

pytestmark = pytest.mark.realdata
NAME = "Báo cáo cứu trợ 2025"


@pytest.fixture
def stored(tmp_path, monkeypatch, layers):
    """Lai Châu: one commune with nobody affected (0 of 0), one with 3 of 4 supported, the rest no row."""
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    codes = sorted(layers.communes.loc[layers.communes["province_code"] == "12", "code"])[:2]
    values = pd.DataFrame({"code": codes, "year": [2025, 2025], "indicator": ["disaster_relief"] * 2,
                           "numerator": [0.0, 3.0], "denominator": [0.0, 4.0], "value": [float("nan"), 75.0]})
    with open_store(url) as store:
        store.save_version(NAME, values=values, attributes=None, original_bytes=b"x", original_filename="r.csv",
                           uploader="Lan")
    return codes


def _files_script():
    import streamlit as st

    from ui import export_panel as exports
    from ui.context import load_context

    ctx = load_context()
    st.session_state["out"] = {"status": dict(zip(ctx.frame["code"], ctx.frame["status"], strict=True)),
                               **exports.data_files(ctx, [exports.map_data(ctx)], title="x")}


def test_zero_of_zero_is_not_applicable_in_status_and_exports(stored):
    zero, counted = stored
    at = AppTest.from_function(_files_script, default_timeout=300)
    at.query_params.update({"prov": "12", "ds": NAME, "ind": "disaster_relief", "fw": "tam_duong"})
    at.run()
    assert not at.exception, at.exception
    out = at.session_state["out"]
    assert out["status"][zero] == "not_applicable" and out["status"][counted] == "not_met"
    assert {s for c, s in out["status"].items() if c not in stored} == {"no_data"}
    table = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(out["zip"])).read("data.csv")))
    status = dict(zip(table["Mã xã"].str.removeprefix("VN"), table["Tình trạng"], strict=True))
    assert status[zero].startswith("Không áp dụng") and status[counted] == "Chưa đạt"
    assert sum(s.startswith("Không áp dụng") for s in status.values()) == 1
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(out["xlsx"])).worksheets[0]
    header = [c.value for c in sheet[2]]
    rows = {r[header.index("Mã xã")]: r[header.index("Tình trạng")] for r in sheet.iter_rows(min_row=3,
                                                                                            values_only=True)}
    assert rows[zero].startswith("Không áp dụng") and rows[counted] == "Chưa đạt"


def test_overview_counts_zero_of_zero_communes_apart(stored):
    at = open_page("views/overview.py", prov="12", ds=NAME, fw="tam_duong")
    line = next(m.value for m in at.markdown if "**2025**" in m.value and "(0 trên 0)" in m.value)
    assert "1 xã không áp dụng (0 trên 0)" in line and "0/1 xã" in line  # 1 commune counted, not met
    assert "Không có số liệu" not in line
    lagging = open_page("views/lagging.py", prov="12", ds=NAME, ind="disaster_relief", fw="tam_duong")
    ranked = lagging.dataframe[0].value
    assert ranked["Mã xã"].tolist() == [stored[1]]  # the 0-of-0 commune is not "lagging"


@pytest.mark.realdata
def test_an_uploaded_0_of_0_is_not_applicable_where_nobody_was_there_to_count(refs):
    """0 of 0 disaster relief (no child hit) is kept and judged not applicable; 0 of 0 stunting is skipped."""
    from geo import config
    from geo.indicators.registry import load_registry
    from geo.indicators.selection import assess_communes, join_indicator
    from geo.indicators.status import NOT_APPLICABLE
    from geo.ingest import service
    from geo.ingest.vocab import ERA_2025, ZERO_DENOMINATOR, ZERO_OF_ZERO
    from geo.reference.communes import read_communes

    data = ("Mã xã,Năm,disaster_relief__tu_so,disaster_relief__mau_so,stunting_u5__tu_so,stunting_u5__mau_so\n"
            "00004,2024,0,0,0,0\n00008,2024,3,4,10,100\n").encode()
    checked = service.check_upload(data, "f.csv", sheet="", era=ERA_2025, **refs)
    codes = {p.code for p in checked.result.problems}
    assert ZERO_OF_ZERO in codes and ZERO_DENOMINATOR in codes and not checked.result.errors
    v = checked.values.set_index(["code", "indicator"])
    assert (v.loc[("00004", "disaster_relief"), "numerator"], v.loc[("00004", "disaster_relief"), "denominator"]) \
        == (0, 0)
    assert ("00004", "stunting_u5") not in v.index  # nobody weighed: no data, skipped as before
    reg = load_registry()
    communes = read_communes(config.reference_dir())
    frame, _ = join_indicator(communes, checked.values, "disaster_relief", 2024)
    frame = assess_communes(frame, reg.indicator("disaster_relief"), reg.target("tam_duong", "disaster_relief", 2030))
    status = frame.set_index("code")["status"]
    assert status["00004"] == NOT_APPLICABLE and status["00008"] == "not_met"  # 3 of 4 < 100 %
