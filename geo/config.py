"""Where the reference data, the project's own data files and the derived cache live.

Paths come from environment variables so that a deployment can point at another copy of the
reference data without editing code; the defaults match the repository layout.
"""

from __future__ import annotations

import os
from pathlib import Path

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
