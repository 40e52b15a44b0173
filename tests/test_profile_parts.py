"""The profile page's computing parts, on tiny inline data (no Streamlit)."""

import pandas as pd
import pytest

from geo.analysis.profile import commune_options, projection_series
from geo.indicators.registry import LOWER_IS_BETTER


def test_commune_options_orders_by_province_then_name():
    communes = pd.DataFrame({"code": ["00003", "00001", "00002"],
                             "full_name": ["Xã B", "Xã C", "Xã A"],
                             "province_name": ["Hà Nội", "Cao Bằng", "Hà Nội"]})
    assert list(commune_options(communes).items()) == [
        ("00001", "Xã C — Cao Bằng"), ("00002", "Xã A — Hà Nội"), ("00003", "Xã B — Hà Nội")]


def test_projection_runs_from_last_known_year_to_2030():
    own = pd.DataFrame({"year": [2022, 2023, 2024], "value": [20.0, 18.0, None]})
    trend = pd.DataFrame({"aarr": [10.0]})
    out = projection_series(own, trend, "Xã A", LOWER_IS_BETTER)
    assert out["year"].tolist() == list(range(2023, 2031))
    assert out["value"].iloc[0] == pytest.approx(18.0)
    assert out["value"].iloc[1] < 18.0 and (out["series_name"] == "Xã A").all()


def test_no_projection_without_trend():
    own = pd.DataFrame({"year": [2024], "value": [5.0]})
    assert projection_series(own, pd.DataFrame({"aarr": [float("nan")]}), "x", LOWER_IS_BETTER) is None
    assert projection_series(own, pd.DataFrame({"aarr": []}), "x", LOWER_IS_BETTER) is None
