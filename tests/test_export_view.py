"""What an export says about its view (geo.reporting.export_view), on tiny inline data and the app's registry."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from geo import config
from geo.indicators.registry import load_registry
from geo.indicators.selection import Filters, attach_attributes
from geo.reporting import export_view as ev
from geo.reporting.filenames import file_name

PROVINCES = pd.DataFrame({"code": ["22", "12"], "name": ["Quảng Ninh", "Lai Châu"]})
COMMUNES = pd.DataFrame({
    "code": ["00001", "00002", "00003", "00004"],
    "province_code": ["22", "22", "22", "12"],
    "commune_type": ["xa", "phuong", "dac_khu", "xa"],
    "coastal": pd.array([True, True, False, False], dtype="boolean"),
    "island": pd.array([False, True, False, False], dtype="boolean"),
})
VALUES = pd.DataFrame({"code": ["00001", "00002", "00003", "00004"], "year": 2025, "indicator": "stunting_u5",
                       "numerator": [10.0, 30.0, 5.0, 40.0], "denominator": [100.0, 100.0, 100.0, 100.0],
                       "value": [10.0, 30.0, 5.0, 40.0]})


@pytest.fixture(scope="module")
def reg():
    return load_registry(config.registry_dir())


def view(reg, lang: str = "vi", **filters) -> ev.ExportView:
    return ev.ExportView(reg=reg, layers=SimpleNamespace(provinces=PROVINCES),
                         communes=attach_attributes(COMMUNES, None), values=VALUES, dataset_name="Thử",
                         dataset_version="3", illustrative=False, framework=reg.default_framework(),
                         indicator="stunting_u5", year=2025, target_year=2030, lang=lang, filters=Filters(**filters))


def test_a_coastal_and_island_filtered_export_names_both_filters_in_area_title_and_metadata(reg):
    vi = view(reg, province="22", coastal=True, island=False)
    assert ev.area_label(vi) == "Quảng Ninh (Xã ven biển: Có; Xã đảo: Không)"
    name = reg.indicator("stunting_u5")["name_vi"]
    assert ev.title(vi) == f"{name} — Quảng Ninh (Xã ven biển: Có; Xã đảo: Không), 2025"
    assert ev.filters_text(vi).startswith("Quảng Ninh; Xã ven biển: Có; Xã đảo: Không; ")
    en = view(reg, "en", island=True)
    assert ev.area_label(en).endswith("(Island communes: Yes)") and "Coastal" not in ev.area_label(en)
    assert "Island communes: Yes" in ev.title(en)


def test_every_yes_no_filter_appears_in_the_label_in_one_order(reg):
    both = view(reg, em_area=True, border=False, coastal=False, island=True, commune_types=("xa",))
    assert ev.area_label(both) == ("Cả nước (Vùng đồng bào dân tộc thiểu số: Có; Xã biên giới: Không; "
                                   "Xã ven biển: Không; Xã đảo: Có; Xã)")
    assert ev.area_label(view(reg)) == "Cả nước"  # no filter: no brackets


def test_a_coastal_or_island_filter_changes_the_file_name(reg):
    plain = file_name(ev.file_selection(view(reg, province="22")), "map", "png")
    coastal = file_name(ev.file_selection(view(reg, province="22", coastal=True)), "map", "png")
    island = file_name(ev.file_selection(view(reg, province="22", coastal=True, island=False)), "map", "png")
    assert "coastal" not in plain and "island" not in plain
    assert "_coastal-yes_" in coastal and "_coastal-yes_island-no_" in island
    assert len({plain, coastal, island}) == 3


def test_frames_the_page_hands_over_are_used_and_equal_what_the_view_computes(reg):
    filtered = view(reg, province="22", coastal=True)
    computed = filtered.frame()
    assert computed["code"].tolist() == ["00001", "00002"]
    handed = ev.ExportView(**{**filtered.__dict__, "selected": filtered.selected_communes(), "assessed": computed})
    assert handed.frame() is computed
    pd.testing.assert_frame_equal(handed.selected_communes(), filtered.selected_communes())
    same = handed.for_province("22")
    assert same.assessed is computed
    other = handed.for_province("12")
    assert other.assessed is None and other.selected is None and other.filters.province == "12"
    assert other.frame()["code"].tolist() == []  # commune 00004 is not coastal: the filter still applies


def test_an_unsaved_upload_is_not_called_illustrative_in_the_source_line(reg):
    preview = ev.ExportView(**{**view(reg, "en").__dict__, "dataset_name": "__preview__", "dataset_version": ""})
    dataset, version = ev.dataset_identity(preview)
    assert (dataset, version) == ("the file just uploaded", "not saved")
    assert "Illustrative" not in ev.source_line(preview) and "__preview__" not in ev.source_line(preview)
    assert ev.dataset_identity(view(reg)) == ("Thử", "3")
