"""Where the reference data, the project's own data files and the derived cache live.

Paths come from environment variables so that a deployment can point at another copy of the
reference data without editing code; the defaults match the repository layout.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import DataError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV = "VNCHILD_DATA_DIR"
CACHE_DIR_ENV = "VNCHILD_CACHE_DIR"


def reference_dir() -> Path:
    """The read-only reference data (../shared/data by default)."""
    return Path(os.environ.get(DATA_DIR_ENV) or PROJECT_ROOT.parent / "shared" / "data")


def registry_dir() -> Path:
    """The project's own data files (indicators, targets, strings)."""
    return PROJECT_ROOT / "data"


def cache_dir() -> Path:
    """Git-ignored folder for derived layers; safe to delete at any time."""
    return Path(os.environ.get(CACHE_DIR_ENV) or PROJECT_ROOT / ".cache")


def static_dir() -> Path:
    """Folder Streamlit serves at app/static/ (git-ignored); geometry goes here so browsers fetch it once."""
    return PROJECT_ROOT / "static"


STORE_DIR_ENV = "VNCHILD_STORE_DIR"
STORE_URL_ENV = "VNCHILD_STORE_URL"
EDITOR_PASSWORD_ENV = "VNCHILD_EDITOR_PASSWORD"


def store_dir() -> Path:
    """Uploaded datasets live here, NOT in the cache: clearing the cache must never lose user data."""
    return Path(os.environ.get(STORE_DIR_ENV) or PROJECT_ROOT / "userdata")


def store_url() -> str:
    """Dataset store: SQLite file by default, or a PostgreSQL URL (postgresql://…) from the environment."""
    return os.environ.get(STORE_URL_ENV) or f"sqlite:///{store_dir() / 'datasets.db'}"


def editor_password() -> str | None:
    """Password that allows saving to the shared store; None disables saving."""
    return os.environ.get(EDITOR_PASSWORD_ENV) or None


RERUN_SLOTS_ENV = "VNCHILD_RERUN_SLOTS"
DEFAULT_RERUN_SLOTS = 1


def rerun_slots() -> int:
    """How many page reruns of one server process compute at once (0: no limit); see ui/process.py."""
    raw = (os.environ.get(RERUN_SLOTS_ENV) or "").strip()
    if not raw:
        return DEFAULT_RERUN_SLOTS
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise DataError(vi=f"Thiết lập {RERUN_SLOTS_ENV}={raw!r} không hợp lệ: cần một số nguyên ≥ 0 "
                           "(0 = không giới hạn).",
                        en=f"The setting {RERUN_SLOTS_ENV}={raw!r} is not valid: expected a whole number >= 0 "
                           "(0 = no limit).")
    return value
