"""Which units a file uses is stated by the user or confirmed by them, never guessed (issue 10, item 5).

3,315 of the 3,321 2025 codes are also pre-2025 codes, and many 2025 names are the names of pre-2025
communes that were merged into them. On "auto", a row whose code or name is in both lists and that its
own row does not settle takes the units of the file's other rows (2025 when none says), is marked as a
proposal, and nothing is saved until the user chooses the units. A pre-2025 commune that went whole and
alone into the 2025 commune of the same code reads the same either way and asks nothing.
"""

from __future__ import annotations

import pytest

from geo.errors import DataError
from geo.ingest.service import LOAD_VALID, check_upload, needs_confirmation, save_upload
from geo.ingest.vocab import (
    ERA_2025,
    ERA_AUTO,
    ERA_PRE2025,
)
from geo.store.datasets import open_store

pytestmark = pytest.mark.realdata
HEAD = "Mã xã,Năm,Số trẻ được cân đo,Số trẻ SDD thể thấp còi\n"
MERGED = "04228"  # Xã Púng Bánh: a 2025 code, and the pre-2025 code of one of the communes merged into it
UNCHANGED = "04240"  # Xã Mường Lèo: went whole and alone into the 2025 commune of the same code
OLD_ONLY = "01858"  # pre-2025 Xã Bằng Thành (Bắc Kạn), now part of 2025 01864


def _check(refs, text: str, era: str = ERA_AUTO):
    return check_upload(text.encode("utf-8"), "units.csv", sheet="", era=era, **refs)


def _proposals(checked) -> dict[str, int]:
    return {item["proposal"]: item["rows"] for item in needs_confirmation(checked) if item["kind"] == "units"}


def test_a_code_in_both_lists_without_a_name_is_a_proposal_not_a_reading(refs):
    checked = _check(refs, HEAD + f"{MERGED},2024,500,100\n")
    assert _proposals(checked) == {"new": 1}
    assert checked.basis == "2025" and checked.values["coverage"].eq("complete").all()  # shown as proposed
    stated = _check(refs, HEAD + f"{MERGED},2024,500,100\n", era=ERA_2025)
    assert _proposals(stated) == {} and needs_confirmation(stated) == []
    as_old = _check(refs, HEAD + f"{MERGED},2024,500,100\n", era=ERA_PRE2025)
    assert as_old.basis == "pre2025"
    assert as_old.values["coverage"].eq("partial").all()  # one of Púng Bánh's old parts, not all of it


def test_the_files_other_rows_propose_the_units(refs):
    checked = _check(refs, HEAD + f"{OLD_ONLY},2024,210,38\n{MERGED},2024,500,100\n")
    assert _proposals(checked) == {"old": 2}
    assert checked.basis == "pre2025" and checked.counts["rows_code_pre2025"] == 2


def test_an_unchanged_commune_asks_nothing(refs):
    checked = _check(refs, HEAD + f"{UNCHANGED},2024,160,41\n")
    assert needs_confirmation(checked) == []
    assert checked.values["coverage"].eq("complete").all()


def test_names_only_are_checked_in_both_lists(refs):
    head = "Tên xã,Tỉnh,Năm,Số trẻ được cân đo,Số trẻ SDD thể thấp còi\n"
    both = _check(refs, head + "Xã Púng Bánh,Sơn La,2024,520,120\n")
    assert _proposals(both) == {"new": 1}
    assert both.basis == "2025" and both.counts["rows_name_2025"] == 1
    # a pre-2025 name only is read as one (not refused), and proposed for confirmation
    old = _check(refs, head + "Xã Bằng Thành,Bắc Kạn,2024,210,38\nXã Nhạn Môn,Bắc Kạn,2024,145,30\n")
    assert old.result.errors == []
    assert _proposals(old) == {"old": 2}
    assert old.basis == "pre2025" and old.counts["rows_name_pre2025"] == 2
    stated = _check(refs, head + "Xã Púng Bánh,Sơn La,2024,520,120\n", era=ERA_2025)
    assert needs_confirmation(stated) == []


def test_saving_waits_for_the_user_even_for_valid_rows_only(refs, tmp_path):
    checked = _check(refs, HEAD + f"{MERGED},2024,500,100\n")
    with open_store(f"sqlite:///{tmp_path / 'store.db'}") as store:
        with pytest.raises(DataError) as err:
            save_upload(store, checked, name="units", uploader="t", password="pw", configured="pw",
                        original=b"", loaded=LOAD_VALID)
        assert "items you must confirm (units" in err.value.en
        assert store.list_datasets().empty
