"""geo/analysis messages come from data/strings.csv, in both languages."""

import pandas as pd
import pytest

from geo.analysis.overview import select_year
from geo.errors import DataError


def test_duplicate_rows_refused_with_catalogue_message():
    values = pd.DataFrame({"code": ["00001", "00001"], "year": [2025, 2025], "indicator": ["s", "s"],
                           "numerator": [1, 2], "denominator": [10, 10], "value": [10.0, 20.0]})
    with pytest.raises(DataError) as caught:
        select_year(values, 2025, pd.Series(["00001"]))
    assert "dòng trùng" in caught.value.message("vi") and "00001/s" in caught.value.message("vi")
    assert "duplicate rows" in caught.value.message("en") and "2025" in caught.value.message("en")
