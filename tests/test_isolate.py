"""The bounded child process that checks uploads: answers, errors, time and memory limits (pure, no Streamlit)."""

from __future__ import annotations

import os
import time

import pytest

from geo.errors import DataError
from geo.ingest.isolate import run_bounded


def _add(a, b, *, c=0):
    return {"sum": a + b + c, "pid": os.getpid()}


def _refuse():
    raise DataError(vi="Tệp sai.", en="Bad file.", fix_vi="Sửa tệp.", fix_en="Fix it.")


def _spin():
    while True:
        pass


def _hog():
    blocks = []
    while True:
        blocks.append(bytearray(50 * 1024 * 1024))


def _crash():
    raise KeyError("secret-detail")


def test_the_answer_comes_back_from_another_process():
    answer = run_bounded(_add, 1, 2, c=3)
    assert answer["sum"] == 6 and answer["pid"] != os.getpid()


def test_a_data_error_arrives_with_both_languages_and_the_fix():
    with pytest.raises(DataError) as err:
        run_bounded(_refuse)
    assert (err.value.vi, err.value.en, err.value.fix_vi, err.value.fix_en) == ("Tệp sai.", "Bad file.", "Sửa tệp.",
                                                                                "Fix it.")


def test_a_job_that_runs_too_long_is_stopped_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(DataError) as err:
        run_bounded(_spin, timeout_s=1)
    assert time.monotonic() - started < 3
    assert "1 seconds" in err.value.en and "1 giây" in err.value.vi


def test_a_job_that_grows_too_big_is_stopped_before_it_takes_the_machine():
    with pytest.raises(DataError) as err:
        run_bounded(_hog, timeout_s=20, max_growth_mb=200)
    assert "200 MB" in err.value.en


def test_a_crash_is_reported_by_kind_and_logged_by_the_caller():
    seen = []
    with pytest.raises(DataError) as err:
        run_bounded(_crash, on_crash=lambda kind, text: seen.append((kind, text)))
    assert "KeyError" in err.value.en and "secret-detail" not in err.value.en
    assert seen[0][0] == "KeyError" and "secret-detail" in seen[0][1]
