"""The one dataset key: built and parsed in geo/store/keys.py only."""

from __future__ import annotations

import pytest

from geo.store.keys import dataset_key, parse_dataset_key


def test_key_round_trips_even_with_at_in_the_name():
    assert dataset_key("Báo cáo 2024", 3) == "Báo cáo 2024@3"
    assert parse_dataset_key(dataset_key("a@b", 12)) == ("a@b", 12)
    assert parse_dataset_key(dataset_key("__preview__", None)) == ("__preview__", None)
    assert dataset_key("x", 1) != dataset_key("x", 2) != dataset_key("x", None)


@pytest.mark.parametrize("bad", ["no-separator", "name@v2", "name@-1"])
def test_malformed_key_is_refused(bad):
    with pytest.raises(ValueError):
        parse_dataset_key(bad)
