"""The upload page's import summary: a dry run against the stored version, add (default) or confirmed replace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.store.datasets import open_store
from tests.apptest import APP

pytestmark = pytest.mark.realdata
CORPUS = Path(__file__).parent / "upload_corpus"
PASSWORD = "mật khẩu thử"
NAME = "Hà Nội theo năm"


@pytest.fixture
def store_url(tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    monkeypatch.setenv("VNCHILD_EDITOR_PASSWORD", PASSWORD)
    # version 1: 2023 for both communes of good_old_codes.csv, and 2024 for one of them with another value
    values = pd.DataFrame({"code": ["00004", "00008", "00004"], "year": [2023, 2023, 2024],
                           "indicator": ["stunting_u5"] * 3, "numerator": [12.0, 30.0, 99.0],
                           "denominator": [100.0, 100.0, 300.0], "value": [12.0, 30.0, 33.0]})
    with open_store(url) as store:
        store.save_version(NAME, values=values, attributes=None, original_bytes=b"v1", original_filename="v1.csv",
                           uploader="Lan")
    return url


def _upload_and_name(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/upload.py").run()
    data = (CORPUS / "good_old_codes.csv").read_bytes()
    at.file_uploader(key="upload_file").set_value(("good_old_codes.csv", data, "text/csv")).run()
    at.text_input(key="upload_name").input(NAME).run()
    assert not at.exception, at.exception
    return at


def _summary_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Unchanged" in d.value.columns)


def _save(at: AppTest) -> None:
    at.text_input(key="upload_by").input("Lan")
    at.text_input(key="upload_password").input(PASSWORD)
    at.button(key="upload_save").click().run()
    assert not at.exception, at.exception


def test_dry_run_then_add_keeps_the_years_the_file_does_not_have(store_url):
    at = _upload_and_name()
    assert at.radio(key="upload_mode").value == "add"
    assert "compared with stored version 1" in " ".join(m.value for m in at.markdown)
    table = _summary_table(at)
    stunting = table[table["Year"] == 2024].set_index("Indicator")
    first = stunting.iloc[[i for i, name in enumerate(stunting.index) if "thấp còi" in name or "Stunting" in name]]
    assert first["New"].iloc[0] == 1 and first["Changed"].iloc[0] == 1  # 00008 is new in 2024, 00004 changed
    kept = table[table["Year"] == 2023]["Kept from the stored version"].sum()
    assert kept == 2
    _save(at)
    assert any("Saved" in m.value for m in at.markdown)  # the same summary after saving
    with open_store(store_url) as store:
        stored = store.load_version(NAME)
    assert stored.version == 2 and stored.meta["import"]["mode"] == "add" and stored.meta["import"]["against"] == 1
    stunting = stored.values[stored.values["indicator"] == "stunting_u5"].set_index(["code", "year"])
    assert stunting.loc[("00004", 2023), "value"] == 12.0  # kept
    assert stunting.loc[("00004", 2024), "denominator"] != 300.0  # the file's value replaced it


def test_replace_needs_confirmation_and_drops_what_the_file_lacks(store_url):
    at = _upload_and_name()
    at.radio(key="upload_mode").set_value("replace").run()
    assert at.button(key="upload_save").disabled
    table = _summary_table(at)
    assert table["Removed"].sum() == 2  # the two 2023 values
    at.checkbox(key="upload_replace_ok").check().run()
    assert not at.button(key="upload_save").disabled
    _save(at)
    with open_store(store_url) as store:
        stored = store.load_version(NAME)
    assert stored.meta["import"]["mode"] == "replace" and 2023 not in set(stored.values["year"])
