"""The commune profile with a stored (uploaded) dataset: no attribute flags, communes without any value."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest import open_page

from geo.store.datasets import open_store

pytestmark = pytest.mark.realdata
NAME = "Báo cáo huyện 2024"


@pytest.fixture
def stored(tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    values = pd.DataFrame({"code": ["00004", "00004", "00008"], "year": [2023, 2024, 2024],
                           "indicator": ["stunting_u5"] * 3, "numerator": [12.0, 10.0, 30.0],
                           "denominator": [100.0, 100.0, 100.0], "value": [12.0, 10.0, 30.0]})
    with open_store(url) as store:
        store.save_version(NAME, values=values, attributes=None, original_bytes=b"x", original_filename="f.csv",
                           uploader="Lan")
    return url


@pytest.mark.parametrize("code", ["00004", "00025"])  # with values; with none at all
def test_profile_of_an_uploaded_dataset_opens_for_communes_with_and_without_values(stored, code):
    at = open_page("views/profile.py", ds=NAME)
    at.selectbox(key="commune").set_value(code).run()
    assert not at.exception, at.exception
    header = " ".join(h.value for h in at.header)
    assert header  # the commune's name is shown
    assert "Phường Ba Đình" in header if code == "00004" else "Phường Giảng Võ" in header
