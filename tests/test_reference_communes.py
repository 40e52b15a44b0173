"""The one reader of the 2025 reference files: commune types, zero-padded codes, clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.errors import DataError
from geo.reference import communes


def test_commune_type_from_full_name_is_case_insensitive():
    names = pd.Series(["Xã Bát Xát", "Phường Ba Đình", "Đặc khu Phú Quốc", "xã Ia Mơ", "  Xã  Lũng Cú"])
    assert communes.commune_types(names).tolist() == ["xa", "phuong", "dac_khu", "xa", "xa"]
    assert communes.commune_type("xã Tân Lập") == "xa"
    assert communes.commune_type("Đặc khu Phú Quốc") == "dac_khu"
    with pytest.raises(DataError):
        communes.commune_type("Huyện Hoàng Sa")


def test_unknown_unit_type_is_a_clear_error():
    with pytest.raises(DataError) as err:
        communes.commune_types(pd.Series(["Xã A", "Thị trấn Sa Pa"]))
    assert "Thị trấn Sa Pa" in err.value.vi and "Thị trấn Sa Pa" in err.value.en
    assert "Phường" in err.value.fix_vi


def test_codes_are_zero_padded_once_here(tmp_path):
    (tmp_path / "vn2025").mkdir()
    (tmp_path / "vn2025" / "provinces.csv").write_text(
        "code,name,nameEn,fullName,fullNameEn\n1,Hà Nội,Hanoi,Thành phố Hà Nội,Hanoi City\n", encoding="utf-8")
    (tmp_path / "vn2025" / "commune_attributes.csv").write_text(
        "code,population,area_km2\n4,1200,3.5\n26881,,1.0\n", encoding="utf-8")
    pd.DataFrame({"code": [4], "name": ["Ba Đình"], "fullName": ["Phường Ba Đình"], "province_code": [1],
                  "areaKm2": [3.5]}).to_parquet(tmp_path / "vn2025" / "communes.parquet")
    provinces = communes.read_provinces(tmp_path)
    assert provinces[["code", "name_en", "full_name"]].values.tolist() == [["01", "Hanoi", "Thành phố Hà Nội"]]
    attrs = communes.read_attributes(tmp_path)
    assert attrs["code"].tolist() == ["00004", "26881"]
    assert attrs["population"].isna().tolist() == [False, True]
    table = communes.read_communes(tmp_path)
    assert table[["code", "province_code", "full_name", "commune_type", "area_km2"]].values.tolist() == [
        ["00004", "01", "Phường Ba Đình", "phuong", 3.5]]


def test_missing_column_and_missing_file_are_clear_errors(tmp_path):
    (tmp_path / "vn2025").mkdir()
    pd.DataFrame({"code": [4], "name": ["Ba Đình"]}).to_parquet(tmp_path / "vn2025" / "communes.parquet")
    with pytest.raises(DataError) as err:
        communes.read_communes(tmp_path)
    assert "fullName" in err.value.en and "communes.parquet" in err.value.vi
    with pytest.raises(DataError) as err:
        communes.read_provinces(tmp_path)
    assert "provinces.csv" in err.value.vi and "VNCHILD_DATA_DIR" in err.value.fix_en
