"""The DHIS2-like import summary and add/replace versions, on hand-made values and a real SQLite store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataError
from geo.ingest.summary import (
    MODE_ADD,
    MODE_REPLACE,
    check_mode,
    combine_attributes,
    combine_versions,
    summarise_import,
)
from geo.store.datasets import open_store


def _values(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "year", "indicator", "numerator", "denominator"])
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    frame["flags"] = "complete"
    return frame


STORED = _values(("00004", 2023, "stunting_u5", 10.0, 100.0), ("00008", 2023, "stunting_u5", 20.0, 100.0),
                 ("00004", 2024, "stunting_u5", 9.0, 100.0), ("00004", 2024, "underweight_u5", 5.0, 100.0))
FILE = _values(("00004", 2024, "stunting_u5", 9.0, 100.0),  # unchanged
               ("00004", 2024, "underweight_u5", 6.0, 100.0),  # changed
               ("00008", 2024, "stunting_u5", 15.0, 100.0),  # new (a new year for this commune)
               ("00025", 2024, "stunting_u5", 12.0, 100.0))  # new (a new commune)
SKIPPED = pd.DataFrame({"old_code": ["09999"], "new_code": [pd.NA], "year": [2024], "indicator": ["stunting_u5"],
                        "reason": ["not_in_crosswalk"], "source_row": [7]})


def _row(summary, indicator: str, year: int) -> dict:
    table = summary.table.set_index(["indicator", "year"])
    return table.loc[(indicator, year)].to_dict()


def test_dry_run_counts_per_indicator_and_year() -> None:
    got = summarise_import(FILE, STORED, against=3, skipped=SKIPPED)
    assert got.against == 3 and got.mode == MODE_ADD
    assert _row(got, "stunting_u5", 2024) == {"new": 2, "changed": 0, "unchanged": 1, "ignored": 1, "kept": 0,
                                              "removed": 0}
    assert _row(got, "underweight_u5", 2024) == {"new": 0, "changed": 1, "unchanged": 0, "ignored": 0, "kept": 0,
                                                 "removed": 0}
    assert _row(got, "stunting_u5", 2023)["kept"] == 2  # adding keeps what the file does not mention
    assert got.totals == {"new": 2, "changed": 1, "unchanged": 1, "ignored": 1, "kept": 2, "removed": 0}
    assert got.conflicts[["code", "year", "indicator", "source_row", "reason"]].to_dict("records") == [
        {"code": "09999", "year": 2024, "indicator": "stunting_u5", "source_row": 7, "reason": "not_in_crosswalk"}]


def test_replace_counts_what_it_drops() -> None:
    got = summarise_import(FILE, STORED, mode=MODE_REPLACE)
    assert got.totals["removed"] == 2 and got.totals["kept"] == 0


def test_first_version_is_all_new() -> None:
    got = summarise_import(FILE, None)
    assert got.totals == {"new": 4, "changed": 0, "unchanged": 0, "ignored": 0, "kept": 0, "removed": 0}
    assert got.against is None


def test_a_changed_coverage_flag_is_a_change_and_missing_counts_compare_equal() -> None:
    stored = FILE.assign(numerator=np.nan, denominator=np.nan)
    new = stored.copy()
    new.loc[0, "flags"] = "partial"
    assert summarise_import(new, stored).totals["changed"] == 1
    assert summarise_import(stored, stored).totals["unchanged"] == 4


def test_adding_keeps_stored_values_the_file_does_not_mention() -> None:
    out = combine_versions(FILE, STORED, MODE_ADD).set_index(["code", "year", "indicator"])
    assert len(out) == 6  # 4 from the file + 2 of 2023 kept
    assert out.loc[("00004", 2024, "underweight_u5"), "numerator"] == 6.0  # the file's value wins
    assert out.loc[("00008", 2023, "stunting_u5"), "numerator"] == 20.0
    assert len(combine_versions(FILE, STORED, MODE_REPLACE)) == 4


def test_attributes_added_per_commune_file_wins_where_it_says_something() -> None:
    stored = pd.DataFrame({"code": ["00004", "00008"], "em_area": pd.array([True, False], dtype="boolean"),
                           "border": pd.array([pd.NA, True], dtype="boolean")})
    new = pd.DataFrame({"code": ["00004", "00025"], "em_area": pd.array([False, True], dtype="boolean"),
                        "border": pd.array([pd.NA, pd.NA], dtype="boolean")})
    out = combine_attributes(new, stored, MODE_ADD).set_index("code")
    assert out["em_area"].to_dict() == {"00004": False, "00008": False, "00025": True}
    assert out.loc["00008", "border"] == True  # noqa: E712 (a pandas boolean)


def test_replace_must_be_confirmed() -> None:
    with pytest.raises(DataError) as caught:
        check_mode(MODE_REPLACE)
    assert "xác nhận" in caught.value.vi and "confirm" in caught.value.en
    assert check_mode(MODE_REPLACE, confirm_replace=True) == MODE_REPLACE
    with pytest.raises(DataError):
        check_mode("merge")


def test_store_find_latest(tmp_path) -> None:
    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        assert store.find_latest("Chưa có") is None
        store.save_version("Có rồi", values=STORED, attributes=None, original_bytes=b"x", original_filename="a.csv",
                           uploader="Lan")
        found = store.find_latest("  Có rồi ")
        assert found is not None and found.version == 1 and len(found.values) == 4


def test_rows_with_errors_are_counted_and_recorded() -> None:
    got = summarise_import(FILE, None, rows_not_loaded=3)
    assert got.rows_not_loaded == 3 and got.to_meta()["rows_not_loaded"] == 3
    assert got.to_meta()["totals"]["new"] == 4
