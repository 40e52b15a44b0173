"""Commune attributes from an upload (same file or a separate attributes file), stored, and used by the filters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.errors import DataError
from geo.indicators.selection import Filters, attach_attributes, attribute_sources, filter_communes
from geo.ingest import attributes as at
from geo.ingest import service
from geo.ingest.headers import normalize_header
from geo.ingest.vocab import ERA_2025
from geo.store.datasets import open_store
from tests.apptest import open_page

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mật khẩu thử"


@pytest.mark.parametrize("cell,expected", [
    ("III", ("III", True)), ("3", ("III", True)), (2, ("II", True)), ("KV I", ("I", True)),
    ("Khu vực III", ("III", True)), ("khu vuc ii", ("II", True)), ("", (None, True)), (None, (None, True)),
    ("IV", (None, False)), ("vùng cao", (None, False)),
])
def test_area_class_forms(cell, expected):
    assert at.parse_class(cell) == expected


def test_attribute_vocabulary_file_both_ways():
    table = pd.read_csv(ROOT / "data" / at.ATTRIBUTES_FILE, dtype=str, keep_default_na=False)
    assert set(table["field"]) == set(at.FIELDS)  # every field has a header, every header a known field
    keys = [normalize_header(a) for a in table["alias"]]
    assert len(keys) == len(set(keys)), "one header, one meaning"


DATA_WITH_ATTRIBUTES = (
    "Mã xã,Năm,stunting_u5__tu_so,stunting_u5__mau_so,Khu vực,Xã biên giới,Xã ĐBKK\n"
    "00004,2024,10,100,III,x,Có\n"
    "00008,2024,20,100,,Không,\n"
    "00025,2024,30,100,KV I,,không\n"
).encode()


@pytest.mark.realdata
def test_attributes_in_the_data_file_are_read_and_stored(refs, tmp_path):
    checked = service.check_upload(DATA_WITH_ATTRIBUTES, "f.csv", sheet="", era=ERA_2025, **refs)
    assert checked.result.is_clean or not checked.result.errors
    found = checked.attributes
    assert found is not None and set(found.columns) == {"em_class", "border", "especially_difficult"}
    assert not [p for p in checked.result.problems if p.code == "unknown_column"]
    frame = found.frame.set_index("code")
    assert frame.loc["00004", "em_class"] == "III" and bool(frame.loc["00004", "em_area"])  # a class ⇒ EM area
    assert pd.isna(frame.loc["00008", "em_class"]) and pd.isna(frame.loc["00008", "em_area"])
    assert bool(frame.loc["00004", "border"]) and not bool(frame.loc["00008", "border"])
    assert pd.isna(frame.loc["00025", "border"])  # blank: states nothing
    assert not bool(frame.loc["00025", "especially_difficult"])
    with open_store(f"sqlite:///{tmp_path}/a.db") as store:
        service.save_upload(store, checked, name="Có thuộc tính", uploader="Lan", password=PASSWORD,
                            configured=PASSWORD, original=DATA_WITH_ATTRIBUTES, loaded=service.LOAD_ALL)
        stored = store.load_version("Có thuộc tính").attributes.set_index("code")
    assert stored.loc["00004", "em_class"] == "III" and bool(stored.loc["00004", "especially_difficult"])
    assert pd.isna(stored.loc["00025", "border"])


def _communes() -> pd.DataFrame:
    return pd.DataFrame({"code": ["00004", "00008", "00025"], "commune_type": "phuong", "province_code": "01",
                         "border": pd.array([False, True, True], dtype="boolean"),
                         "em_area": pd.array([pd.NA] * 3, dtype="boolean")})


def test_filters_use_uploaded_attributes_and_keep_derived_ones_where_blank():
    given = pd.DataFrame({"code": ["00004", "00008", "00025"],
                          "border": pd.array([True, False, pd.NA], dtype="boolean"),
                          "especially_difficult": pd.array([True, pd.NA, False], dtype="boolean"),
                          "em_class": pd.array(["III", pd.NA, "I"], dtype="string")})
    communes = attach_attributes(_communes(), given)
    pick = lambda **f: filter_communes(communes, Filters(**f))["code"].tolist()  # noqa: E731
    assert pick(border=True) == ["00004", "00025"]  # 00025 blank: the derived True stays
    assert pick(especially_difficult=True) == ["00004"]
    assert pick(especially_difficult=False) == ["00025"]  # unknown never matches
    assert pick(em_class="III") == ["00004"]
    assert pick(em_class="II") == []


def test_attribute_sources_say_where_each_filter_comes_from():
    given = pd.DataFrame({"code": ["00004"], "em_area": pd.array([True], dtype="boolean"),
                          "border": pd.array([pd.NA], dtype="boolean")})
    sources = attribute_sources(given, illustrative=False)
    assert sources["em_area"] == ("uploaded", 1)
    assert sources["border"] == ("derived", 0)  # stated for nobody: derived
    assert sources["especially_difficult"] == ("unknown", 0)
    assert attribute_sources(pd.DataFrame({"code": ["1"], "em_area": [True]}), illustrative=True)["em_area"][0] == \
        "illustrative"


ATTRIBUTES_FILE = (
    "DANH SÁCH XÃ THEO KHU VỰC\n"
    "(kèm theo Quyết định số .../QĐ-UBND)\n"
    "STT,Mã xã,Tên xã,Khu vực,Xã đảo\n"
    "1,4,Phường Ba Đình,II,\n"
    "2,99999,Xã không có,III,\n"
    "3,00008,Phường Ngọc Hà,IV,\n"
    ",,Tổng cộng,,\n"
).encode()


@pytest.mark.realdata
def test_separate_attributes_file_with_title_rows(refs):
    found = service.check_attributes_file(ATTRIBUTES_FILE, "khu_vuc.csv", aliases=refs["aliases"],
                                          crosswalk=refs["crosswalk"])
    assert found.columns == ("island", "em_class")
    assert found.frame.set_index("code").loc["00004", "em_class"] == "II"
    reasons = sorted(p["reason_en"] for p in found.problems)
    assert len(reasons) == 2
    assert any("not in the 2025 commune list" in r for r in reasons)
    assert any("must be I, II or III" in r for r in reasons)
    with pytest.raises(DataError):
        service.check_attributes_file(b"ma_xa,nam\n00004,2024\n", "x.csv", aliases=refs["aliases"],
                                      crosswalk=refs["crosswalk"])


@pytest.mark.realdata
def test_separate_file_wins_over_the_data_file(refs):
    checked = service.check_upload(DATA_WITH_ATTRIBUTES, "f.csv", sheet="", era=ERA_2025, **refs)
    extra = service.check_attributes_file(ATTRIBUTES_FILE, "khu_vuc.csv", aliases=refs["aliases"],
                                          crosswalk=refs["crosswalk"])
    merged = service.with_attributes(checked, extra).attributes.frame.set_index("code")
    assert merged.loc["00004", "em_class"] == "II"  # the attributes file's class
    assert bool(merged.loc["00004", "border"])  # the data file's flag stays


@pytest.mark.realdata
def test_stored_attributes_drive_the_sidebar(refs, tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    checked = service.check_upload(DATA_WITH_ATTRIBUTES, "f.csv", sheet="", era=ERA_2025, **refs)
    with open_store(url) as store:
        service.save_upload(store, checked, name="Thuộc tính", uploader="Lan", password=PASSWORD,
                            configured=PASSWORD, original=DATA_WITH_ATTRIBUTES, loaded=service.LOAD_ALL)
    app = open_page("views/lagging.py", ds="Thuộc tính", year="2024", prov="01", lang="en")
    sidebar = " ".join(c.value for c in app.sidebar.caption)
    assert "Especially difficult: from the uploaded data (2 communes)" in sidebar
    assert "Coastal: derived from the boundaries" in sidebar
    app.radio(key="dbkk").set_value("yes").run()
    assert not app.exception
    assert app.query_params["dbkk"] == "yes"
    illustrative = open_page("views/lagging.py", lang="en")
    assert "Ethnic-minority area: illustrative" in " ".join(c.value for c in illustrative.sidebar.caption)
    assert not [r for r in illustrative.radio if r.key == "dbkk"]


@pytest.mark.realdata
def test_upload_page_takes_a_separate_attributes_file(tmp_path, monkeypatch, layers):
    monkeypatch.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path}/p.db")
    app = open_page("views/upload.py", lang="en")
    app.file_uploader(key="upload_file").set_value(("f.csv", DATA_WITH_ATTRIBUTES, "text/csv")).run()
    assert "Attributes for 3 communes" in " ".join(s.value for s in app.success)
    assert "0 warnings" in " ".join(s.value for s in app.success)  # attribute columns are not "unknown"
    app.file_uploader(key="attr_file").set_value(("khu_vuc.csv", ATTRIBUTES_FILE, "text/csv")).run()
    assert not app.exception, app.exception
    assert "Attributes for 3 communes" in " ".join(s.value for s in app.success)
    frame = app.session_state["upload"].attributes.frame.set_index("code")
    assert frame.loc["00004", "em_class"] == "II"
    assert any("must be I, II or III" in str(v) for d in app.dataframe for v in d.value.to_numpy().ravel())


def test_attribute_vocabulary_is_checked(tmp_path):
    bad = tmp_path / "a.csv"
    bad.write_text("field,lang,alias\nborder,fr,frontière\n", encoding="utf-8")
    with pytest.raises(DataError):
        at.load_attribute_aliases(bad)
    bad.write_text("field,lang,alias\nflood_zone,vi,vùng lũ\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        at.load_attribute_aliases(bad)
    assert "flood_zone" in caught.value.en


@pytest.mark.realdata
def test_a_csv_the_app_exported_reads_back_with_its_vn_codes(refs):
    """Downloads write codes as "VN" + digits (text under every reader's defaults); an upload reads them back."""
    from geo.ingest.match import pad_code

    assert pad_code("VN00004") == pad_code("vn4") == "00004" and pad_code("VN") is None and pad_code("VNx1") is None
    data = "Mã xã,Năm,stunting_u5__tu_so,stunting_u5__mau_so\nVN00004,2024,10,100\nVN00008,2024,20,100\n".encode()
    checked = service.check_upload(data, "exported.csv", sheet="", era=ERA_2025, **refs)
    assert not checked.result.errors
    assert sorted(checked.values["code"]) == ["00004", "00008"]


@pytest.mark.realdata
def test_a_column_mapped_as_an_attribute_is_read_as_that_attribute(refs):
    """Headers the vocabulary does not know ("Phân loại", "Giáp TQ") read as what the user mapped them to."""
    from geo.ingest.mapping import ColumnMapping, attribute_role, header_signature, role_options

    data = ("Mã xã,Năm,stunting_u5__tu_so,stunting_u5__mau_so,Phân loại,Giáp TQ\n"
            "00004,2024,10,100,III,x\n00008,2024,20,100,I,\n").encode()
    plain = service.check_upload(data, "m.csv", sheet="", era=ERA_2025, **refs)
    assert plain.attributes is None  # unknown headers: nothing read as attributes without the mapping
    headers = [g.header for g in plain.result.guesses]
    assert attribute_role("em_class") in role_options(refs["aliases"])
    roles = (("ma_xa",), ("nam",), ("stunting_u5__tu_so",), ("stunting_u5__mau_so",), (attribute_role("em_class"),),
             (attribute_role("border"),))
    mapping = ColumnMapping(header_signature(headers), roles)
    checked = service.check_upload(data, "m.csv", sheet="", era=ERA_2025, mappings=[mapping], **refs)
    frame = checked.attributes.frame.set_index("code")
    assert set(checked.attributes.columns) == {"em_class", "border"}
    assert frame.loc["00004", "em_class"] == "III" and bool(frame.loc["00004", "border"])
    assert frame.loc["00008", "em_class"] == "I" and pd.isna(frame.loc["00008", "border"])
    assert len(checked.values) == 2


@pytest.mark.realdata
def test_known_attribute_headers_are_guessed_as_attribute_roles(refs):
    from geo.ingest.mapping import attribute_role

    checked = service.check_upload(DATA_WITH_ATTRIBUTES, "f.csv", sheet="", era=ERA_2025, **refs)
    guessed = {g.header: g.roles for g in checked.result.guesses}
    assert guessed["Khu vực"] == (attribute_role("em_class"),)
    assert guessed["Xã ĐBKK"] == (attribute_role("especially_difficult"),)
