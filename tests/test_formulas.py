"""Cached values of formula cells, read from the sheet XML of workbooks built like official forms."""

from __future__ import annotations

import io
import zipfile

from geo.ingest.formulas import formula_cells, sheet_paths
from tests.corpus.build_forms import Formula, Sheet, xlsx


def test_formula_cells_give_their_cached_value_or_none_when_saved_without_one():
    data = xlsx([Sheet("Hướng dẫn", [["chỉ có chữ"]]),
                 Sheet("Năm 2024", [["Số trẻ", "SDD", "Tỷ lệ"], [210, 25, Formula("ROUND(B2/A2*100,1)", 11.9)],
                                    [145, 18, Formula("ROUND(B3/A3*100,1)", None)]])])
    archive = zipfile.ZipFile(io.BytesIO(data))
    paths = sheet_paths(archive)
    assert list(paths) == ["Hướng dẫn", "Năm 2024"]
    assert formula_cells(archive, paths["Hướng dẫn"]) == {}
    cells = formula_cells(archive, paths["Năm 2024"])
    assert set(cells) == {(2, 3), (3, 3)}
    assert cells[(2, 3)].text == "ROUND(B2/A2*100,1)" and cells[(2, 3)].cached == 11.9
    assert cells[(3, 3)].cached is None
