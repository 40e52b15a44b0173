"""Shared fixtures. Real-data tests skip cleanly when ../shared/data is not there."""

from __future__ import annotations

import os

import pytest

from geo import boundaries, config


@pytest.fixture(scope="session")
def reference_dir():
    ref = config.reference_dir()
    if not (ref / boundaries.COMMUNES_FILE).exists():
        pytest.skip(f"reference data not found at {ref} (set VNCHILD_DATA_DIR)")
    return ref


@pytest.fixture(scope="session")
def layers(reference_dir):
    """The app's real derived layers (built once into the git-ignored cache, ~1 min the first time)."""
    return boundaries.build_layers(reference_dir, config.cache_dir(), config.static_dir())


@pytest.fixture(scope="session", autouse=True)
def private_store(tmp_path_factory):
    """Keep every test (and the app servers they start) out of the real userdata/ store."""
    if "VNCHILD_STORE_URL" not in os.environ:
        os.environ["VNCHILD_STORE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('store') / 'datasets.db'}"
    yield
