"""The "Your data" page: its actions on real corpus files, and the page driven through AppTest.

Every test points the app at its own SQLite store in tmp_path (VNCHILD_STORE_URL) and sets or removes
the editor password (VNCHILD_EDITOR_PASSWORD) with monkeypatch.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from geo import config
from geo.errors import DataError
from geo.ingest import service
from geo.ingest.template import COMMUNES_SHEET, DATA_SHEET
from geo.store.datasets import open_store
from ui import cache
from ui import upload_page as up

pytestmark = pytest.mark.realdata
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
CORPUS = Path(__file__).parent / "upload_corpus"
PASSWORD = "mật khẩu thử"
NAME = "Thử nghiệm Hà Giang 2024"


@pytest.fixture
def store_url(tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    monkeypatch.setenv("VNCHILD_EDITOR_PASSWORD", PASSWORD)
    return url


def _check(refs, filename: str, era: str = "auto") -> tuple[service.CheckedUpload, bytes]:
    data = (CORPUS / filename).read_bytes()
    return service.check_upload(data, filename, sheet="", era=era, **refs), data


def _save_directly(url: str, name: str = NAME, versions: int = 1) -> None:
    """A dataset saved beforehand through the store API (values the map page can show)."""
    values = pd.DataFrame({"code": ["00004", "00008"], "year": [2025, 2025], "indicator": ["stunting_u5"] * 2,
                           "numerator": [10.0, 30.0], "denominator": [100.0, 100.0], "value": [10.0, 30.0]})
    with open_store(url) as store:
        for i in range(versions):
            store.save_version(name, values=values, attributes=None, original_bytes=f"v{i}".encode(),
                               original_filename=f"file{i}.csv", uploader="Lan")


def _open(page: str = "views/upload.py", lang: str = "vi") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if lang != "vi":
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, filename: str) -> AppTest:
    data = (CORPUS / filename).read_bytes()
    at.file_uploader(key="upload_file").set_value((filename, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _messages(at: AppTest, kind: str) -> str:
    return " | ".join(str(m.value) for m in getattr(at, kind))


# --- The actions, on real corpus files ----------------------------------------------------------------


def test_old_codes_file_is_carried_and_saved_with_its_original(refs, tmp_path):
    checked, data = _check(refs, "good_old_codes.csv")
    assert checked.result.is_clean and checked.basis == "pre2025" and checked.result.valid_rows.empty
    assert set(checked.values["code"]) == {"00004", "00008"}  # three old communes → two new ones
    assert sum(service.coverage_counts(checked).values()) == len(checked.carried.coverage)
    with open_store(f"sqlite:///{tmp_path}/a.db") as store:
        name, version = service.save_upload(store, checked, name=f"  {NAME} ", uploader="Lan", password=PASSWORD,
                                       configured=PASSWORD, original=data, loaded=service.LOAD_ALL)
        assert (name, version) == (NAME, 1)
        stored = store.load_version(NAME)
    assert stored.original_bytes() == data and stored.original_filename == "good_old_codes.csv"
    assert stored.values[["code", "indicator", "value"]].equals(
        checked.values[["code", "indicator", "value"]].reset_index(drop=True))
    assert set(stored.values["flags"]) <= {"complete", "partial", "allocated"}
    assert sorted(stored.attributes["code"]) == ["00004", "00008"]
    assert stored.meta["basis"] == "pre2025" and stored.meta["validation"]["rows_valid"] == 3
    assert stored.meta["coverage"] == service.coverage_counts(checked) and stored.meta["loaded"] == "all"


def test_file_with_errors_is_refused_until_the_editor_chooses_its_valid_rows(refs, tmp_path):
    checked, data = _check(refs, "several_problems.csv")
    assert not checked.result.is_clean and checked.counts["rows_valid"] == 1
    table = up.problem_table(checked, lambda key, **f: key, "en")
    assert len(table) == 2 and table["upload.col_row"].tolist() == [3, 4]
    with open_store(f"sqlite:///{tmp_path}/b.db") as store:
        attempts = [
            {"password": "wrong", "configured": PASSWORD, "original": data},
            {"password": PASSWORD, "configured": None, "original": data},
            {"password": PASSWORD, "configured": PASSWORD, "original": b"another file"},
            {"password": PASSWORD, "configured": PASSWORD, "original": None},
        ]
        for attempt in attempts:
            with pytest.raises(DataError) as err:
                service.save_upload(store, checked, name=NAME, uploader="Lan", loaded=service.LOAD_VALID, **attempt)
            assert err.value.vi and err.value.en and err.value.vi != err.value.en
        with pytest.raises(DataError):
            service.save_upload(store, checked, name="bad/name", uploader="Lan", password=PASSWORD,
                           configured=PASSWORD, original=data, loaded=service.LOAD_VALID)
        assert store.list_datasets().empty  # nothing stored by any failed attempt
        service.save_upload(store, checked, name=NAME, uploader="Lan", password=PASSWORD, configured=PASSWORD,
                       original=data, loaded=service.LOAD_VALID)
        stored = store.load_version(NAME)
    assert set(stored.values["code"]) == {"00004"} and stored.meta["loaded"] == "valid_only"


def test_unreadable_file_gives_nothing_to_save(refs, tmp_path):
    checked, data = _check(refs, "pdf_renamed.csv")
    assert checked.carried is None and checked.values.empty and checked.result.errors
    with open_store(f"sqlite:///{tmp_path}/c.db") as store, pytest.raises(DataError):
        service.save_upload(store, checked, name=NAME, uploader="Lan", password=PASSWORD, configured=PASSWORD,
                       original=data, loaded=service.LOAD_VALID)


def test_template_lists_the_communes(layers):
    book = load_workbook(io.BytesIO(cache.build_template(str(config.registry_dir()), layers.key, "vi",
                                                      layers.communes)), read_only=True)
    assert {DATA_SHEET, COMMUNES_SHEET} <= set(book.sheetnames)
    assert book[COMMUNES_SHEET].max_row == len(layers.communes) + 1


# --- The page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, title", [("vi", "Tải lên số liệu của bạn"), ("en", "Upload your own data")])
def test_page_renders_in_both_languages(store_url, lang, title):
    at = _open(lang=lang)
    assert at.title[0].value == title
    assert at.file_uploader(key="upload_file")
    assert at.get("download_button")  # the template


def test_upload_check_preview_save_then_map_shows_the_dataset(store_url):
    at = _upload(_open(), "good_old_codes.csv")
    assert "3 dòng: 3 hợp lệ, 0 lỗi" in _messages(at, "success")
    assert "chuyển sang xã mới" in _messages(at, "info")  # the crosswalk note
    assert any(m.label == "Thiếu một số xã cũ" for m in at.metric)
    assert at.session_state[up.UPLOAD_KEY].filename == "good_old_codes.csv"
    at.text_input(key="upload_name").input(NAME)
    at.text_input(key="upload_by").input("Lan")
    at.text_input(key="upload_password").input(PASSWORD)
    at.button(key="upload_save").click().run()
    assert not at.exception, at.exception
    assert f"«{NAME}», phiên bản 1" in _messages(at, "success")
    at.run()  # the save's own follow-up rerun (sidebar, URL) must not hide what happened
    assert f"«{NAME}», phiên bản 1" in _messages(at, "success")
    assert at.session_state["ds"] == NAME and at.session_state["dsv"] == ""
    assert at.session_state["year"] == "2024"  # the map opens on a year the data has
    with open_store(store_url) as store:
        assert store.load_version(NAME).original_bytes() == (CORPUS / "good_old_codes.csv").read_bytes()
    at.switch_page("views/map.py").run()
    assert not at.exception, at.exception
    assert "Dữ liệu minh họa" not in _messages(at, "warning")
    assert f"{NAME} (phiên bản 1)" in _messages(at, "caption")


def test_the_upload_check_gives_its_rerun_slot_to_other_users_while_its_child_runs(store_url, monkeypatch):
    """The check runs in a child process (run_bounded) for up to 10 s: meanwhile the page's rerun slot
    (ui/process.py) is free for other sessions' reruns, and taken back for the rest of the page."""
    from tests.apptest import SlotLog

    at = _open()
    log = SlotLog(monkeypatch)
    _upload(at, "good_old_codes.csv")
    assert "3 dòng: 3 hợp lệ, 0 lỗi" in _messages(at, "success")
    assert log.held == [True]
    assert log.released == [(True, 1)]  # held before the check, free during it
    assert log.slots._free == 1 and log.slots.queued() == 0


def test_errors_are_listed_and_nothing_is_saved_unless_valid_rows_are_chosen(store_url):
    at = _upload(_open(), "several_problems.csv")
    assert "1 hợp lệ, 2 lỗi" in _messages(at, "warning")
    problems = at.dataframe[-1].value if at.dataframe else None
    assert problems is not None and "Dòng" in problems.columns and len(problems) == 2
    choice = next(r for r in at.radio if str(r.key).startswith("upload_choice_"))
    assert choice.value == "fix" and "upload_save" not in [b.key for b in at.button]
    choice.set_value("valid").run()
    assert not at.exception, at.exception
    assert "upload_save" in [b.key for b in at.button]
    with open_store(store_url) as store:
        assert store.list_datasets().empty


def test_saving_is_disabled_without_a_configured_password(store_url, monkeypatch):
    monkeypatch.delenv("VNCHILD_EDITOR_PASSWORD")
    _save_directly(store_url)
    at = _upload(_open(), "good_new_codes.csv")
    assert at.button(key="upload_save").disabled
    assert at.text_input(key="upload_password").disabled
    assert "VNCHILD_EDITOR_PASSWORD" in _messages(at, "warning")
    assert at.button(key="manage_restore").disabled and at.button(key="manage_delete").disabled


def test_manage_lists_restores_and_deletes_with_password_and_typed_name(store_url):
    _save_directly(store_url, versions=2)
    at = _open()
    listing = at.dataframe[0].value
    assert NAME in listing.iloc[:, 0].tolist()
    assert at.selectbox(key="manage_ds").value == NAME
    at.selectbox(key=f"manage_version_{NAME}").set_value(1)
    at.text_input(key="manage_by").input("Minh")
    at.text_input(key="manage_password").input("sai")
    at.button(key="manage_restore").click().run()
    assert "Mật khẩu biên tập không đúng" in _messages(at, "error")
    with open_store(store_url) as store:
        assert store.list_versions(NAME)["version"].tolist() == [1, 2]
    at.text_input(key="manage_password").input(PASSWORD)
    at.button(key="manage_restore").click().run()
    assert "thành phiên bản mới 3" in _messages(at, "success")
    assert at.text_input(key="manage_password").value == ""  # never kept for a second action
    with open_store(store_url) as store:
        versions = store.list_versions(NAME)
        assert versions["restored_from"].tolist()[-1] == 1 and versions["uploader"].tolist()[-1] == "Minh"

    at.text_input(key="manage_confirm").input("Thử nghiệm")
    at.button(key="manage_delete").click().run()
    assert "Mật khẩu biên tập không đúng" in _messages(at, "error")  # the password must be typed again
    at.text_input(key="manage_password").input(PASSWORD)
    at.button(key="manage_delete").click().run()
    assert "Tên xác nhận không khớp" in _messages(at, "error")
    at.text_input(key="manage_confirm").input(NAME)
    at.text_input(key="manage_password").input(PASSWORD)
    at.button(key="manage_delete").click().run()
    assert not at.exception, at.exception
    with open_store(store_url) as store:
        assert store.list_datasets()["deleted"].tolist() == [True]
    assert "manage_undelete" in [b.key for b in at.button]
    at.text_input(key="manage_password").input(PASSWORD)
    at.button(key="manage_undelete").click().run()
    with open_store(store_url) as store:
        assert store.list_datasets()["deleted"].tolist() == [False]
        assert store.list_versions(NAME)["version"].tolist() == [1, 2, 3]  # nothing was lost


def test_view_button_and_sidebar_pick_show_the_stored_dataset_on_the_map(store_url):
    _save_directly(store_url, versions=2)
    at = _open()
    at.selectbox(key=f"manage_version_{NAME}").set_value(1)
    at.button(key="manage_view").click().run()
    assert not at.exception, at.exception
    assert f"{NAME} (phiên bản 1)" in _messages(at, "caption")
    at = _open("views/map.py")
    assert "Dữ liệu minh họa" in _messages(at, "warning")
    at.selectbox(key="ds").set_value(NAME).run()
    assert not at.exception, at.exception
    assert "Dữ liệu minh họa" not in _messages(at, "warning")
    assert f"{NAME} (phiên bản 2)" in _messages(at, "caption")


BAD_FILES = sorted(f for f in set(pd.read_csv(CORPUS / "expected.csv", dtype=str)["file"]) if not f.startswith("good"))


@pytest.mark.parametrize("filename", BAD_FILES)
def test_every_bad_corpus_file_leaves_the_store_unchanged(refs, tmp_path, filename):
    """Saving a file with errors "as is" is refused, whatever the error; the stored version stays."""
    url = f"sqlite:///{tmp_path}/corpus.db"
    _save_directly(url)
    checked, data = _check(refs, filename)
    assert checked.result.errors, f"{filename} should have errors"
    with open_store(url) as store:
        before = store.list_versions(NAME)
        with pytest.raises(DataError):
            service.save_upload(store, checked, name=NAME, uploader="Lan", password=PASSWORD, configured=PASSWORD,
                           original=data, loaded=service.LOAD_ALL)
        after = store.list_versions(NAME)
        assert after["version"].tolist() == before["version"].tolist() == [1]
        assert store.load_version(NAME).values["value"].tolist() == [10.0, 30.0]


def test_an_unsaved_upload_can_be_previewed_on_the_map_without_login(layers, monkeypatch, tmp_path):
    monkeypatch.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.delenv("VNCHILD_EDITOR_PASSWORD", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/upload.py").run()
    data = (CORPUS / "good_new_codes.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("good_new_codes.csv", data, "text/csv")).run()
    at.button(key="preview_on_map").click().run()
    assert not at.exception
    assert at.query_params["ds"] == "__preview__"
    assert not any("Dữ liệu minh họa" in w.value for w in at.warning)
    assert "Bản xem trước" in " ".join(c.value for c in at.caption)
