"""Pickers found without diacritics, and a table row that opens the commune's profile (AppTest)."""

from __future__ import annotations

import pytest

from geo.text.fold import fold, searchable
from tests.apptest import open_page

pytestmark = pytest.mark.realdata


def streamlit_finds(typed: str, label: str) -> bool:
    """Streamlit's picker search (filter_mode "fuzzy", frontend useSyncComboBox): the typed letters, lower-cased,
    appear in the label in order."""
    label, at = label.lower(), 0
    for ch in typed.lower():
        at = label.find(ch, at) + 1
        if at == 0:
            return False
    return True


def test_searchable_labels_keep_the_name_and_add_the_folded_form():
    assert searchable("Lai Châu") == "Lai Châu · lai chau"
    assert searchable("Xã Pa Tần — Lai Châu") == "Xã Pa Tần — Lai Châu · xa pa tan — lai chau"
    assert searchable("Ha Noi") == "Ha Noi" and searchable("2025") == "2025"  # nothing to add
    assert searchable("Đà Nẵng").endswith("da nang")
    assert not streamlit_finds("lai chau", "Lai Châu") and streamlit_finds("lai chau", searchable("Lai Châu"))
    assert streamlit_finds("Lai Châu", searchable("Lai Châu"))  # typing with diacritics still works
    assert fold(searchable("Pa Tần")).startswith("pa tan")


def test_every_sidebar_picker_and_the_commune_picker_find_names_without_diacritics(layers):
    at = open_page("views/profile.py")
    prov = at.selectbox(key="prov")
    assert [o for o in prov.options if streamlit_finds("lai chau", o)] == ["Lai Châu · lai chau"]
    assert [o for o in prov.options if streamlit_finds("LAI CHÂU", o)] == ["Lai Châu · lai chau"]
    communes = at.selectbox(key="commune").options
    found = [o for o in communes if streamlit_finds("Pa Tan", o)]
    assert any(o.startswith("Xã Pa Tần — Lai Châu") for o in found), found[:5]
    ind = at.selectbox(key="ind").options
    assert any(o.startswith("Tỷ lệ suy dinh dưỡng thể thấp còi") for o in ind if streamlit_finds("thap coi", o))
    assert any("đăng ký khai sinh" in o for o in ind if streamlit_finds("dang ky khai sinh", o))
    fw = at.selectbox(key="fw").options
    assert any(o.startswith("Kế hoạch huyện Tam Đường") for o in fw if streamlit_finds("tam duong", o))
    types = at.multiselect(key="types").options
    assert [o for o in types if streamlit_finds("phuong", o)] == ["Phường · phuong"]
    # choosing the found option opens that profile
    at.selectbox(key="commune").set_value("03503").run()  # the value behind "Xã Pa Tần — Lai Châu · …"
    assert at.header[0].value == "Xã Pa Tần"


def _select_row(at, key: str, row: int) -> None:
    at.session_state[key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


def test_a_lagging_table_row_opens_that_communes_profile_and_the_link_names_it(layers):
    at = open_page("views/lagging.py", prov="12")
    table = at.dataframe[0].value
    name, code = table["Xã / phường"].iloc[2], table["Mã xã"].iloc[2]
    _select_row(at, "lagging_table_0", 2)
    assert not at.exception
    assert at.header[0].value == name  # the profile page, this commune
    assert at.query_params["commune"] == code and at.query_params["prov"] == "12"
    at.switch_page("views/lagging.py").run()  # back on the table: the old choice does not reopen the profile
    assert "lagging_table_1" in [d.key for d in at.dataframe]
    assert at.title[0].value == "Xã chậm tiến độ"


def test_the_closest_to_qualifying_table_opens_the_profile_too(layers):
    at = open_page("views/lagging.py", prov="12", ind="play_point", ty="2030")
    keyed = [d for d in at.dataframe if d.key == "closest_table_0"]
    assert keyed
    name = keyed[0].value["Xã / phường"].iloc[0]
    _select_row(at, "closest_table_0", 0)
    assert at.header[0].value == name
