"""The dataset store loses nothing, on SQLite and on PostgreSQL alike.

PostgreSQL runs when VNCHILD_TEST_PG_URL is set (``export VNCHILD_TEST_PG_URL="$(scripts/start-postgres.sh)"``);
each test gets its own schema. Without the URL those cases skip, except in CI (env CI set), where
they fail so a missing server can never pass silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from geo.errors import DataError
from geo.store import codec
from geo.store import datasets as store_mod
from geo.store.access import check_editor_password
from geo.store.datasets import DatasetStore, build_default_url, open_store
from tests.pg import pg_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NAME = "Hà Giang – điều tra 2024"


# --- Fixtures --------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A URL to an empty store: a fresh SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'datasets.db'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def store(store_url: str):
    with open_store(store_url) as opened:
        yield opened


def make_values(n_codes: int = 4, years: tuple[int, ...] = (2023, 2024), seed: int = 0) -> pd.DataFrame:
    """A small canonical long table with zero-padded codes, NaN and Vietnamese text."""
    rng = np.random.default_rng(seed)
    codes = [f"{i:05d}" for i in range(1, n_codes + 1)]
    rows = [(c, y, ind) for c in codes for y in years for ind in ("tỷ_lệ_suy_dinh_dưỡng", "điểm_vui_chơi")]
    frame = pd.DataFrame(rows, columns=["code", "year", "indicator"])
    frame["numerator"] = rng.integers(0, 50, len(frame)).astype(float)
    frame["denominator"] = frame["numerator"] + rng.integers(1, 50, len(frame))
    frame["value"] = frame["numerator"] / frame["denominator"]
    frame.loc[0, ["numerator", "value"]] = np.nan
    frame.loc[1, "denominator"] = np.nan
    return frame.astype({"year": "int64"})


def make_attributes(codes: list[str]) -> pd.DataFrame:
    em_area = [True, False, None] * (len(codes) // 3 + 1)
    return pd.DataFrame({"code": codes, "em_area": em_area[: len(codes)], "border": [False] * len(codes)})


def save(store: DatasetStore, name: str = NAME, *, seed: int = 0, uploader: str = "Nguyễn Thị Ánh", **kw) -> int:
    values = kw.pop("values", make_values(seed=seed))
    return store.save_version(
        name,
        values=values,
        attributes=kw.pop("attributes", make_attributes(sorted(values["code"].dropna().unique()))),
        original_bytes=kw.pop("original_bytes", f"file {seed}".encode()),
        original_filename=kw.pop("original_filename", f"số liệu {seed}.csv"),
        uploader=uploader,
        meta=kw.pop("meta", {"seed": seed}),
    )


def expected_values(values: pd.DataFrame) -> pd.DataFrame:
    return values.astype({"code": "str", "indicator": "str"}).reset_index(drop=True)


def count_rows(store: DatasetStore, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


# --- Round trip ------------------------------------------------------------------------------------


def test_round_trip_keeps_dtypes_codes_nan_text_and_original_bytes(store: DatasetStore) -> None:
    values = make_values()
    values["flags"] = ["ước tính", None] * (len(values) // 2)
    attributes = make_attributes(sorted(values["code"].dropna().unique()))
    original = bytes(range(256)) + "Tuyên Quang".encode("utf-16")  # not valid UTF-8: must survive as is
    meta = {"basis": "mã mới 2025", "validation": {"errors": 0, "warnings": 2}, "n": np.int64(3)}
    before = datetime.now(UTC)
    version = store.save_version(
        "  Hà  Giang – điều tra 2024 ",
        values=values,
        attributes=attributes,
        original_bytes=original,
        original_filename="C:\\Users\\an\\Dữ liệu xã.xlsx",
        uploader="Nguyễn Thị Ánh",
        meta=meta,
    )
    assert version == 1

    loaded = store.load_version(NAME)
    assert (loaded.name, loaded.version, loaded.status, loaded.restored_from) == (NAME, 1, "ok", None)
    expected = expected_values(values)
    expected["flags"] = expected["flags"].astype("str")
    pd.testing.assert_frame_equal(loaded.values, expected)
    assert loaded.values["code"].tolist()[:2] == ["00001", "00001"]
    assert loaded.values["year"].dtype == "int64" and loaded.values["value"].dtype == "float64"
    assert np.isnan(loaded.values.loc[0, "numerator"]) and np.isnan(loaded.values.loc[1, "denominator"])
    assert loaded.attributes["em_area"].dtype == "boolean"
    assert loaded.attributes["em_area"].tolist()[:3] == [True, False, pd.NA]
    assert loaded.attributes["code"].tolist() == attributes["code"].tolist()
    assert loaded.meta == {"basis": "mã mới 2025", "validation": {"errors": 0, "warnings": 2}, "n": 3}
    assert loaded.original_bytes() == original
    assert loaded.original_filename == "Dữ liệu xã.xlsx"  # client path dropped
    assert loaded.uploader == "Nguyễn Thị Ánh"
    assert loaded.created_at.tzinfo is not None
    assert before - timedelta(seconds=5) <= loaded.created_at <= datetime.now(UTC) + timedelta(seconds=5)


def test_values_without_flags_load_without_flags_and_attributes_may_be_missing(store: DatasetStore) -> None:
    save(store, attributes=None)
    loaded = store.load_version(NAME)
    assert list(loaded.values.columns) == list(codec.VALUE_COLUMNS)
    assert list(loaded.attributes.columns) == list(codec.ATTRIBUTE_COLUMNS) and loaded.attributes.empty


# --- Versions and listings -------------------------------------------------------------------------


def test_versions_increment_and_lists_describe_them(store: DatasetStore) -> None:
    assert store.list_datasets().empty
    assert list(store.list_datasets().columns) == list(store_mod.DATASET_LIST_COLUMNS)
    assert [save(store, seed=s) for s in (1, 2, 3)] == [1, 2, 3]
    assert save(store, "Lào Cai", seed=9, uploader="Trần B") == 1

    datasets = store.list_datasets()
    assert datasets["name"].tolist() == sorted([NAME, "Lào Cai"])
    row = datasets.set_index("name").loc[NAME]
    assert (row["latest_version"], row["uploader"], row["rows"], row["deleted"]) == (3, "Nguyễn Thị Ánh", 16, False)
    assert str(datasets["updated_at"].dtype) == "datetime64[us, UTC]"

    versions = store.list_versions(NAME)
    assert list(versions.columns) == list(store_mod.VERSION_LIST_COLUMNS)
    assert versions["version"].tolist() == [1, 2, 3]
    assert versions["meta"].tolist() == [{"seed": 1}, {"seed": 2}, {"seed": 3}]
    assert versions["original_filename"].tolist() == ["số liệu 1.csv", "số liệu 2.csv", "số liệu 3.csv"]
    assert versions["created_at"].is_monotonic_increasing

    pd.testing.assert_frame_equal(store.load_version(NAME, 2).values, expected_values(make_values(seed=2)))
    assert store.load_version(NAME).version == 3
    assert store.load_version(unicodedata.normalize("NFD", NAME)).version == 3  # same name typed on macOS


def test_unknown_dataset_or_version_is_a_clear_error(store: DatasetStore) -> None:
    save(store)
    with pytest.raises(DataError, match="no dataset named") as err:
        store.load_version("Không có")
    assert "Không có bộ dữ liệu" in err.value.vi
    with pytest.raises(DataError, match="has no version 7") as err:
        store.load_version(NAME, 7)
    assert "versions 1–1 exist" in err.value.en
    with pytest.raises(DataError, match="Invalid version"):
        store.load_version(NAME, 0)
    with pytest.raises(DataError, match="no dataset named"):
        store.list_versions("Không có")


def test_restore_appends_a_copy_of_the_old_version(store: DatasetStore) -> None:
    save(store, seed=1, meta={"note": "bản đầu"})
    save(store, seed=2)
    assert store.restore_version(NAME, 1, uploader="Lê Văn C") == 3

    old, new = store.load_version(NAME, 1), store.load_version(NAME)
    assert (new.version, new.restored_from, new.uploader) == (3, 1, "Lê Văn C")
    pd.testing.assert_frame_equal(new.values, old.values)
    pd.testing.assert_frame_equal(new.attributes, old.attributes)
    assert new.meta == old.meta == {"note": "bản đầu"}
    assert new.original_bytes() == old.original_bytes() and new.original_filename == old.original_filename
    assert store.list_versions(NAME)["version"].tolist() == [1, 2, 3]  # history not rewritten
    pd.testing.assert_frame_equal(store.load_version(NAME, 2).values, expected_values(make_values(seed=2)))
    with pytest.raises(DataError, match="has no version 9"):
        store.restore_version(NAME, 9, uploader="Lê Văn C")
    assert store.list_versions(NAME)["version"].tolist() == [1, 2, 3]


# --- Failures leave nothing behind -----------------------------------------------------------------


def test_failure_mid_write_leaves_previous_version_and_no_partial_one(
    store: DatasetStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(store, seed=1)
    blobs_before = count_rows(store, store_mod.blobs)
    real_insert = store_mod._insert_version

    def insert_then_fail(conn: sa.Connection, row: dict) -> None:
        real_insert(conn, row)  # the version row and its blobs are written …
        raise RuntimeError("connection lost")  # … and then the write fails

    monkeypatch.setattr(store_mod, "_insert_version", insert_then_fail)
    with pytest.raises(RuntimeError, match="connection lost"):
        save(store, seed=2, original_bytes=b"a brand new file")
    monkeypatch.undo()

    assert store.list_versions(NAME)["version"].tolist() == [1]
    assert store.list_datasets()["latest_version"].tolist() == [1]
    assert count_rows(store, store_mod.blobs) == blobs_before
    pd.testing.assert_frame_equal(store.load_version(NAME).values, expected_values(make_values(seed=1)))
    assert save(store, seed=3) == 2  # no gap left by the failed attempt


def test_failed_first_upload_leaves_no_dataset(store: DatasetStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "_insert_version", lambda conn, row: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        save(store)
    assert store.list_datasets().empty and count_rows(store, store_mod.blobs) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v.assign(code=range(len(v))), "must be text"),
        (lambda v: v.drop(columns="value"), "missing columns"),
        (lambda v: v.assign(extra=1), "unexpected columns"),
        (lambda v: v.assign(year=v["year"].astype(float).where(v.index > 0)), "whole numbers"),
        (lambda v: v.assign(numerator="12"), "must be numeric"),
        (lambda v: v.assign(code=v["code"].where(v.index > 0)), "empty cells"),
    ],
)
def test_invalid_values_frame_changes_nothing(store: DatasetStore, change, message: str) -> None:
    save(store, seed=1)
    with pytest.raises(DataError, match=message) as err:
        save(store, seed=2, values=change(make_values(seed=2)))
    assert "Nothing was saved" in err.value.fix_en and "Không có gì được lưu" in err.value.fix_vi
    assert store.list_versions(NAME)["version"].tolist() == [1]
    pd.testing.assert_frame_equal(store.load_version(NAME).values, expected_values(make_values(seed=1)))


# --- Soft delete -----------------------------------------------------------------------------------


def test_delete_needs_confirmation_and_can_be_undone(store: DatasetStore) -> None:
    save(store, seed=1)
    save(store, seed=2)
    with pytest.raises(DataError, match="confirmation does not match") as err:
        store.delete_dataset(NAME, confirm="hà giang")
    assert "Tên xác nhận không khớp" in err.value.vi
    assert not store.list_datasets()["deleted"].any()

    store.delete_dataset(NAME, confirm=" " + unicodedata.normalize("NFD", NAME), by="Trần B")
    listed = store.list_datasets()
    assert listed["deleted"].tolist() == [True] and listed["deleted_at"].notna().all()
    assert store.list_datasets(include_deleted=False).empty
    with pytest.raises(DataError, match="was deleted"):
        store.load_version(NAME)
    with pytest.raises(DataError, match="was deleted"):
        save(store, seed=3)
    with pytest.raises(DataError, match="was deleted"):
        store.restore_version(NAME, 1, uploader="Trần B")
    assert store.list_versions(NAME)["version"].tolist() == [1, 2]  # rows are kept
    assert count_rows(store, store_mod.dataset_versions) == 2

    store.undelete_dataset(NAME)
    assert store.list_datasets()["deleted"].tolist() == [False]
    pd.testing.assert_frame_equal(store.load_version(NAME).values, expected_values(make_values(seed=2)))
    assert save(store, seed=3) == 3
    with pytest.raises(DataError, match="no dataset named"):
        store.delete_dataset("Không có", confirm="Không có")


def test_the_sidebars_name_list_is_the_listing_without_deleted_datasets(store: DatasetStore) -> None:
    assert store.dataset_names() == []
    for name in ("Yên Bái", "Lai Châu", "Hà Giang"):
        save(store, name, seed=1)
    save(store, "Lai Châu", seed=2)
    store.delete_dataset("Yên Bái", confirm="Yên Bái")
    names = store.dataset_names()
    assert names == store.list_datasets(include_deleted=False)["name"].tolist()
    assert sorted(names) == names and set(names) == {"Lai Châu", "Hà Giang"}
    store.undelete_dataset("Yên Bái")
    assert "Yên Bái" in store.dataset_names()


# --- Names and URLs --------------------------------------------------------------------------------


def test_dataset_names_are_normalised_and_validated() -> None:
    normalize = store_mod.normalize_dataset_name
    assert normalize("  Thừa Thiên   Huế\t2025 ") == "Thừa Thiên Huế 2025"
    assert normalize(unicodedata.normalize("NFD", "Đắk Lắk")) == unicodedata.normalize("NFC", "Đắk Lắk")
    assert normalize("Kế hoạch 2021–2030 (bản 2), v1.0 & phụ lục_A+B 'mới'")
    assert normalize("x" * 80) == "x" * 80
    for bad, message in [("   ", "must not be empty"), ("x" * 81, "81 characters"), ("a/b", "not allowed")]:
        with pytest.raises(DataError, match=message):
            normalize(bad)


def test_bad_name_is_refused_before_writing(store: DatasetStore) -> None:
    with pytest.raises(DataError, match="not allowed"):
        save(store, "dữ liệu; DROP TABLE")
    assert store.list_datasets().empty


def test_default_url_and_bad_urls(tmp_path: Path) -> None:
    url = build_default_url(tmp_path / "cache")
    assert url == f"sqlite:///{tmp_path / 'cache' / 'datasets.db'}"
    with open_store(url) as opened:
        assert opened.list_datasets().empty
    assert (tmp_path / "cache" / "datasets.db").exists()
    for bad, message in [("mysql://u:p@h/db", "Unsupported"), ("sqlite://", "in-memory"), ("no url", "Invalid")]:
        with pytest.raises(DataError, match=message):
            open_store(bad)
    (tmp_path / "notes.txt").write_bytes(b"not a database at all " * 100)
    with pytest.raises(DataError, match="cannot be used as the dataset store"):
        open_store(f"sqlite:///{tmp_path / 'notes.txt'}")


def test_unreachable_database_is_explained_with_password_masked() -> None:
    with pytest.raises(DataError, match="unreachable") as err:
        open_store("postgresql://vnchild:s3cr3t-mật@127.0.0.1:1/vnchild_test")
    for text in (err.value.vi, err.value.en, err.value.fix_vi, err.value.fix_en, str(err.value)):
        assert "s3cr3t" not in text
    assert "vnchild:***@127.0.0.1:1/vnchild_test" in err.value.en and "Không kết nối được" in err.value.vi


# --- Concurrency -----------------------------------------------------------------------------------


def test_concurrent_saves_from_two_threads_number_versions_without_gaps(store_url: str) -> None:
    per_thread, results, errors = 5, [], []
    start = threading.Barrier(2)

    def upload(worker: int) -> None:
        try:
            with open_store(store_url) as own:  # each session has its own engine, as separate processes would
                start.wait()
                for i in range(per_thread):
                    results.append(save(own, seed=worker * 100 + i))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(w,)) for w in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(results) == list(range(1, 2 * per_thread + 1))
    with open_store(store_url) as check:
        versions = check.list_versions(NAME)
    assert versions["version"].tolist() == list(range(1, 2 * per_thread + 1))
    assert sorted(versions["meta"].map(lambda m: m["seed"])) == sorted(w * 100 + i for w in (1, 2) for i in range(5))


def test_a_save_combined_with_an_older_version_is_refused_not_lost(store: DatasetStore) -> None:
    """Adding to a dataset combines the file with the latest version; if another save lands in between,
    the combined values would drop it: refused, nothing written (both backends)."""
    assert save(store, seed=1) == 1
    assert save(store, seed=2) == 2  # another editor's save after ours read version 1
    with pytest.raises(DataError) as err:
        store.save_version(NAME, values=make_values(seed=3), attributes=None, original_bytes=b"3",
                           original_filename="3.csv", uploader="Lan", based_on=1)
    assert "someone else saved version 2" in err.value.en and "phiên bản 2" in err.value.vi
    assert store.list_versions(NAME)["version"].tolist() == [1, 2]
    assert store.save_version(NAME, values=make_values(seed=3), attributes=None, original_bytes=b"3",
                              original_filename="3.csv", uploader="Lan", based_on=2) == 3
    assert save(store, "khác", seed=5) == 1
    with pytest.raises(DataError):  # "khác" did not exist yet when this save read the store
        store.save_version("khác", values=make_values(seed=4), attributes=None, original_bytes=b"4",
                           original_filename="4.csv", uploader="Lan", based_on=None)


CHILD = """
import sys, time
from pathlib import Path
from geo.store.datasets import open_store
from tests.test_store import save
url, go, per_process, worker = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
store = open_store(url)
print("ready", flush=True)
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
print(" ".join(str(save(store, seed=worker * 100 + i)) for i in range(per_process)), flush=True)
"""


def test_concurrent_saves_from_two_processes_number_versions_without_gaps(store_url: str, tmp_path: Path) -> None:
    per_process, go = 5, tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, store_url, str(go), str(per_process), str(worker)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in (1, 2)
    ]
    try:
        for child in children:  # both connected before either starts writing, so the writes overlap
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        go.touch()
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            child.kill() if child.poll() is None else None
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    got = sorted(int(v) for out, _ in outputs for v in out.split())
    assert got == list(range(1, 2 * per_process + 1))
    with open_store(store_url) as check:
        assert check.list_versions(NAME)["version"].tolist() == got


# --- Size and speed --------------------------------------------------------------------------------


def test_national_sized_table_saves_and_loads_quickly(store: DatasetStore) -> None:
    values = make_values(n_codes=3321, years=(2020, 2021, 2022, 2023, 2024), seed=5)
    values = pd.concat([values.assign(indicator=f"chỉ_số_{k}") for k in range(6)], ignore_index=True)
    assert len(values) == 3321 * 5 * 12
    started = time.perf_counter()
    save(store, values=values, original_bytes=os.urandom(2_000_000))
    saved = time.perf_counter()
    loaded = store.load_version(NAME)
    done = time.perf_counter()
    assert saved - started < 5, f"save took {saved - started:.2f} s"
    assert done - saved < 1, f"load took {done - saved:.2f} s"
    pd.testing.assert_frame_equal(loaded.values, expected_values(values))


# --- Editor password -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "configured", "expected"),
    [
        ("đúng-mật-khẩu", "đúng-mật-khẩu", True),
        ("sai", "đúng-mật-khẩu", False),
        ("", "đúng-mật-khẩu", False),
        ("", "", False),
        ("bất kỳ", None, False),
        ("bất kỳ", "", False),
        ("Đúng-mật-khẩu", "đúng-mật-khẩu", False),  # case matters
        ("đúng-mật-khẩu ", "đúng-mật-khẩu", False),  # no trimming
        (unicodedata.normalize("NFD", "mật khẩu"), unicodedata.normalize("NFC", "mật khẩu"), True),
        ("plain-ascii", "plain-ascii", True),
    ],
)
def test_check_editor_password(given: str, configured: str | None, expected: bool) -> None:
    assert check_editor_password(given, configured) is expected
