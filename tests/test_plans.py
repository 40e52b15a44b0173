"""Which plan fits the view, where plans apply, and the side-by-side comparison (tiny inline data)."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.indicators.plans import (
    INSIDE,
    OUTSIDE,
    PARTLY,
    compare_plans,
    coverage,
    default_plan,
    plan_areas,
    targets_elsewhere,
)
from geo.indicators.registry import Registry, load_registry

COMMUNES = pd.DataFrame({"code": ["00004", "00070", "03390", "03394", "03408", "20263"],
                         "province_code": ["01", "01", "12", "12", "12", "48"]})
# new commune <- old parts' pre-2025 districts: 03394 and 03408 are partly from former Tam Đường (106)
LINKS = pd.DataFrame({"new_code": ["03390", "03394", "03394", "03408", "03408", "00004"],
                      "district_code": ["106", "106", "109", "105", "106", "001"]})


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def test_plan_areas_from_province_and_old_district(reg):
    areas = plan_areas(reg, COMMUNES, LINKS)
    assert set(areas) == {"tam_duong", "hanoi_138"}  # nationwide plans have no area
    assert areas["tam_duong"] == {"03390", "03394", "03408"}
    assert areas["hanoi_138"] == {"00004", "00070"}


def test_default_plan_follows_the_area(reg):
    areas = plan_areas(reg, COMMUNES, LINKS)
    assert default_plan(reg, areas) == "national_qd23"  # the whole country: a national plan
    assert reg.framework(default_plan(reg, areas))["scope"] == "national"
    assert default_plan(reg, areas, province="01") == "hanoi_138"
    assert default_plan(reg, areas, province="12") == "national_qd23"  # Lai Châu has no provincial plan here
    assert default_plan(reg, areas, province="12", commune="03394") == "tam_duong"
    assert default_plan(reg, areas, province="01", commune="00070") == "hanoi_138"
    assert default_plan(reg, areas, province="48", commune="20263") == "national_qd23"
    # nationally, the default national plan unless it sets no target for the indicator shown
    assert default_plan(reg, areas, indicator="preschool_age5") == "national_qd23"
    assert default_plan(reg, areas, indicator="stunting_u5") == "nutrition_1896"
    assert default_plan(reg, areas, indicator="child_injury") == "national_qd23"  # context: nobody has one
    assert default_plan(reg, areas, province="01", indicator="preschool_age5") == "hanoi_138"


def test_coverage_says_when_a_plan_is_applied_outside_its_area(reg):
    areas = plan_areas(reg, COMMUNES, LINKS)
    assert coverage(areas, "tam_duong", pd.Series(["03390", "03408"])) == INSIDE
    assert coverage(areas, "tam_duong", COMMUNES.loc[COMMUNES["province_code"] == "12", "code"]) == INSIDE
    assert coverage(areas, "tam_duong", COMMUNES["code"]) == PARTLY
    assert coverage(areas, "tam_duong", pd.Series(["20263"])) == OUTSIDE
    assert coverage(areas, "national_qd23", COMMUNES["code"]) is None


def test_targets_elsewhere_name_the_other_plans(reg):
    found = targets_elsewhere(reg, "stunting_u5", 2030, exclude="national_qd23")
    assert [(t.framework_id, t.value) for t in found] == [("tam_duong", 18.0), ("nutrition_1896", 19.0),
                                                          ("hanoi_138", 11.5)]
    assert targets_elsewhere(reg, "child_injury", 2025) == []


def test_compare_plans_side_by_side(reg):
    table = compare_plans(reg, "stunting_u5", 18.5).set_index("framework")
    assert list(table.index) == ["tam_duong", "nutrition_1896", "hanoi_138"]
    assert table.loc["tam_duong", "met_2025"] and not table.loc["tam_duong", "met_2030"]  # < 20 yes, < 18 no
    assert table.loc["nutrition_1896", "met_2030"] and table.loc["nutrition_1896", "from_summary"]
    assert not table.loc["hanoi_138", "met_2025"]
    missing = compare_plans(reg, "stunting_u5", float("nan"))
    assert missing["met_2025"].isna().all()
