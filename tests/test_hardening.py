"""What hostile or unlucky input and surroundings do: refused fast, with a bilingual message, never a traceback."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import DataError
from geo.geometry import boundaries
from tests.apptest import APP


def _unwritable(tmp_path: Path) -> Path:
    """A folder nobody can create, even root: its parent is a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "cache"


def test_require_writable_refuses_with_the_setting_named(tmp_path):
    with pytest.raises(DataError) as err:
        boundaries.require_writable(_unwritable(tmp_path), "VNCHILD_CACHE_DIR")
    assert "VNCHILD_CACHE_DIR" in err.value.fix_en and "VNCHILD_CACHE_DIR" in err.value.fix_vi
    assert "not writable" in err.value.en
    boundaries.require_writable(tmp_path / "new" / "cache", "VNCHILD_CACHE_DIR")  # creatable: fine
    assert not list((tmp_path / "new" / "cache").iterdir())  # and the check leaves nothing behind


def test_unwritable_cache_folder_is_refused_at_once_not_after_a_rebuild(reference_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("VNCHILD_CACHE_DIR", str(_unwritable(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "VNCHILD_CACHE_DIR" in text and "PermissionError" not in text
    assert elapsed < 15, f"took {elapsed:.1f} s"  # was 21–45 s of rebuilding before a bare PermissionError


def test_an_unexpected_error_is_a_bilingual_message_and_a_log_line(layers, monkeypatch, caplog):
    from geo.indicators import selection

    def _boom(*_args, **_kwargs):
        raise PermissionError("/secret/path/of/the/server")

    monkeypatch.setattr(selection, "summarise", _boom)
    at = AppTest.from_file(APP, default_timeout=120)
    with caplog.at_level(logging.ERROR, logger="vnchild"):
        at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "PermissionError" in text and "/secret/path" not in text
    assert "nhật ký máy chủ" in text or "server log" in text
    assert any("unexpected error" in r.getMessage() and r.exc_info for r in caplog.records)


def test_plain_escapes_every_markdown_construct():
    from geo.text.plain import plain
    from tests.hostile import MARKDOWN_NAME

    shown = plain(MARKDOWN_NAME)
    unescaped = [m.start() for m in re.finditer(r"[\[\]()!*`]", shown) if shown[m.start() - 1] != "\\"]
    assert unescaped == [], shown
    assert shown.replace("\\", "") == " ".join(MARKDOWN_NAME.split())  # nothing lost, only escaped
    assert plain("Hà Giang\n# tiêu đề") == "Hà Giang \\# tiêu đề"
