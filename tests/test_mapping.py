"""Column mapping (geo/ingest/mapping.py), saved mappings (geo/store/mappings.py), what needs confirmation, and
the page's mapping step through AppTest. Files come from tests/corpus/build_forms.py."""

from __future__ import annotations

import json
import unicodedata

import pytest

from geo.__main__ import main
from geo.errors import DataError
from geo.indicators.registry import YES_NO, load_registry
from geo.ingest import service
from geo.ingest.crosswalk import load_crosswalk
from geo.ingest.headers import load_column_aliases, map_headers
from geo.ingest.mapping import (
    ColumnMapping,
    apply_mapping,
    check_roles,
    header_signature,
    suggest_roles,
)
from geo.ingest.match import build_matcher
from geo.store.datasets import open_store
from geo.store.mappings import open_mappings
from tests.apptest import open_page
from tests.corpus.build_forms import FORMS, SOP_COP_NEW, ST, UNMAPPED_HEADERS, UNMAPPED_ROLES, UW

BY_NAME = {f.name: f for f in FORMS}
UNMAPPED = BY_NAME["sopcop_unmapped_headers.xlsx"]
PASSWORD = "mật khẩu thử"


@pytest.fixture(scope="module")
def aliases():
    return load_column_aliases(load_registry())


@pytest.fixture(scope="module")
def refs(reference_dir, aliases):
    reg = load_registry()
    cw = load_crosswalk(reference_dir, yes_no_indicators=[i for i in reg.indicator_ids()
                                                          if reg.indicator(i)["measure"] == YES_NO])
    return {"registry": reg, "crosswalk": cw, "matcher": build_matcher(cw.new_units, cw), "aliases": aliases}


def _check(refs, form=UNMAPPED, era="auto", mappings=(), data: bytes | None = None):
    return service.check_upload(data or form.build(), form.name, sheet="", era=era, mappings=mappings, **refs)


# --- pure: vocabulary, suggestions, signature, applying a mapping ---------------------------------------


@pytest.mark.parametrize("header, roles", [
    ("STT", ()), ("TT", ()), ("Số TT", None),
    ("Số trẻ SDD CN/T", ((UW, "tu_so"),)), ("So tre SDD CC/T", ((ST, "tu_so"),)),
    ("SDD CN/T", ((UW, "gia_tri"),)), ("sdd cc/t", ((ST, "gia_tri"),)),
    ("T.số trẻ dưới 5 tuổi được cân đo", ((UW, "mau_so"), (ST, "mau_so"))),
    ("T.so tre < 5 tuoi duoc can do", ((UW, "mau_so"), (ST, "mau_so"))),
    ("Tỷ lệ SDD thể CN/T (%)", ((UW, "gia_tri"),)), ("Ty le SDD the CC/T (%)", ((ST, "gia_tri"),)),
    ("Số trẻ bị SDD thể thấp còi", ((ST, "tu_so"),)), ("so tre bi sdd the nhe can", ((UW, "tu_so"),)),
])
def test_official_form_words_with_and_without_diacritics(aliases, header, roles):
    """SDD, TT, T.số, CN/T, CC/T in the vocabulary; "STT"/"TT" are known numbering columns (ignored, no warning)."""
    for text in {header, unicodedata.normalize("NFD", header)}:
        # a shared denominator brings no indicator by itself: the numerators stand beside it
        cmap = map_headers(["Mã xã", text, "Số trẻ SDD nhẹ cân", "Số trẻ SDD thấp còi"], aliases)
        found = tuple((ind, part) for ind, parts in cmap.indicators.items() for part, cols in parts.items()
                      if 1 in cols)
        if roles is None:
            assert cmap.unknown == [1]
        else:
            assert sorted(found) == sorted(roles) and cmap.unknown == []


def test_unknown_headers_get_the_closest_entry_as_a_suggestion(aliases):
    assert suggest_roles("Trẻ nhẹ cân (người)", aliases)[0] == (f"{UW}__tu_so",)
    assert suggest_roles("So tre SDD the thap coi nam 2024", aliases)[0] == (f"{ST}__tu_so",)
    assert suggest_roles("Trẻ được cân đo (người)", aliases)[0] == (f"{UW}__mau_so", f"{ST}__mau_so")
    assert suggest_roles("Người lập biểu", aliases) == ((), "")
    assert suggest_roles("Ghi chú", aliases) == ((), "")


def test_signature_ignores_case_diacritics_and_nfd_but_not_other_headers():
    base = header_signature(UNMAPPED_HEADERS)
    assert header_signature([unicodedata.normalize("NFD", h).upper() for h in UNMAPPED_HEADERS]) == base
    assert header_signature([" Mã  xã (mới) " if h == "Mã xã (mới)" else h for h in UNMAPPED_HEADERS]) == base
    assert header_signature([*UNMAPPED_HEADERS[:-1], "Trẻ thấp còi (người)"]) != base


def test_a_mapping_gives_its_column_map_and_refuses_what_cannot_be(aliases):
    cmap = apply_mapping([*UNMAPPED_HEADERS, "nam"], check_roles(UNMAPPED_ROLES, aliases))
    assert dict(cmap.fields) == {"ma_xa": [1], "ten_xa": [2], "nam": [6]}
    assert {k: dict(v) for k, v in cmap.indicators.items()} == {
        UW: {"mau_so": [3], "tu_so": [4]}, ST: {"mau_so": [3], "tu_so": [5]}}
    with pytest.raises(DataError, match="denominator"):
        check_roles([("ma_xa", f"{UW}__tu_so")], aliases)
    with pytest.raises(DataError, match="not one the app knows"):
        check_roles([("no_such_role",)], aliases)


# --- through the import service ----------------------------------------------------------------------


def test_unmapped_report_is_refused_then_read_exactly_with_the_users_mapping(refs):
    first = _check(refs)
    assert "missing_column" in {p.code for p in first.result.errors} and first.values.empty
    signature = first.result.source["signature"]
    guessed = {g.header: g for g in first.result.guesses}
    assert guessed["Mã xã (mới)"].roles == ("ma_xa",) and guessed["nam"].roles == ("nam",)
    assert guessed["Trẻ nhẹ cân (người)"].suggestion == (f"{UW}__tu_so",) and not guessed["Trẻ nhẹ cân (người)"].roles
    other = ColumnMapping(header_signature(["x", "y"]), UNMAPPED_ROLES)  # other headers: never applied
    assert _check(refs, mappings=[other]).values.empty
    mapped = _check(refs, mappings=[other, ColumnMapping(signature, UNMAPPED_ROLES)])
    assert mapped.result.errors == [] and mapped.result.source["mapping"] == "-"
    got = mapped.values.set_index(["code", "indicator"])
    assert len(got) == 2 * len(SOP_COP_NEW)
    for code, _, n, u, s in SOP_COP_NEW:  # one column is the denominator of both indicators
        assert tuple(got.loc[(code, UW), ["numerator", "denominator"]]) == (u, n)
        assert tuple(got.loc[(code, ST), ["numerator", "denominator"]]) == (s, n)
    assert service.needs_confirmation(mapped) == []


def test_needs_confirmation_lists_units_held_rows_and_unclear_columns(refs):
    pacnam = BY_NAME["pacnam_2024_report.xlsx"]
    auto = _check(refs, pacnam)
    items = service.needs_confirmation(auto)
    kinds = [i["kind"] for i in items]
    assert kinds.count("units") == 1 and items[0]["proposal"] == "old"
    held = {i["value"]: i["reason"] for i in items if i["kind"] == "row"}
    assert held == {"01882": "ambiguous_code", "01873": "waits_for_row", "01876": "waits_for_row"}
    assert all(i["reason_vi"] and i["reason_en"] for i in items if i["kind"] == "row")
    assert service.needs_confirmation(_check(refs, pacnam, era="pre2025")) == []  # the user said: old units
    unmapped = service.needs_confirmation(_check(refs))
    assert {i["column"] for i in unmapped if i["kind"] == "column"} >= {"Trẻ nhẹ cân (người)"}


def test_saving_is_refused_while_something_needs_confirmation(refs, tmp_path):
    form = BY_NAME["caophong_grouped.xlsx"]  # every row fine, but its old units were inferred, not stated
    data = form.build()
    checked = _check(refs, form, data=data)
    assert checked.result.errors == [] and not checked.values.empty
    assert [i["kind"] for i in service.needs_confirmation(checked)] == ["units"]
    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        for loaded in (service.LOAD_ALL, service.LOAD_VALID):
            with pytest.raises(DataError, match="confirm"):
                service.save_upload(store, checked, name="Cao Phong", uploader="Lan", password=PASSWORD,
                                    configured=PASSWORD, original=data, loaded=loaded)
        assert store.list_datasets().empty
        settled = _check(refs, form, era="pre2025", data=data)
        assert service.save_upload(store, settled, name="Cao Phong", uploader="Lan", password=PASSWORD,
                                   configured=PASSWORD, original=data, loaded=service.LOAD_ALL)[1] == 1


def test_a_saved_mapping_applies_to_the_next_file_with_the_same_headers(refs, tmp_path):
    signature = _check(refs).result.source["signature"]
    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        assert service.saved_mappings(store) == []  # reading creates nothing
        with pytest.raises(DataError):
            service.save_mapping(store, ColumnMapping(signature, UNMAPPED_ROLES), name="Sơn La khám", headers=[],
                                 password="sai", configured=PASSWORD)
        saved = service.save_mapping(store, ColumnMapping(signature, UNMAPPED_ROLES), name="  Sơn La  khám ",
                                     headers=list(UNMAPPED_HEADERS), password=PASSWORD, configured=PASSWORD)
        assert saved.name == "Sơn La khám"
        assert open_mappings(store).for_signature(signature) == [saved]
        again = _check(refs, mappings=service.saved_mappings(store))
        assert again.result.source["mapping"] == "Sơn La khám" and again.result.errors == []
        assert len(again.values) == 2 * len(SOP_COP_NEW)
        other = _check(refs, BY_NAME["sopcop_2025_units.xlsx"], mappings=service.saved_mappings(store))
        assert other.result.source["mapping"] is None  # other headers: the app's own reading
        with pytest.raises(DataError, match="No saved mapping"):
            service.saved_mappings(store, name="không có")


# --- the command line ---------------------------------------------------------------------------------


def test_cli_lists_needs_confirmation_and_uses_a_named_mapping(tmp_path, capsys, monkeypatch, refs):
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    hanoi = tmp_path / "hanoi.csv"
    hanoi.write_bytes(BY_NAME["hanoi_reused_codes.csv"].build())
    assert main(["import", str(hanoi), "--dry-run", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c.get("value"), c.get("reason") or c.get("proposal")) for c in s["needs_confirmation"]] == [
        ("units", None, "old"), ("row", "00229", "ambiguous_code")]  # old Trúc Bạch, Quán Thánh: inferred
    path = tmp_path / UNMAPPED.name
    path.write_bytes(UNMAPPED.build())
    assert main(["import", str(path), "--dry-run", "--json", "--mapping", "không có"]) == 2
    capsys.readouterr()
    with open_store(url) as store:
        service.save_mapping(store, ColumnMapping(_check(refs).result.source["signature"], UNMAPPED_ROLES),
                             name="Sơn La khám", headers=list(UNMAPPED_HEADERS), password=PASSWORD,
                             configured=PASSWORD)
    assert main(["import", str(path), "--dry-run", "--json", "--mapping", "Sơn La khám"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["mapping"] == "Sơn La khám" and s["needs_confirmation"] == []
    assert {(v["code"], v["indicator"]): (v["numerator"], v["denominator"]) for v in s["values"]} == {
        (c, ind): (num, n) for c, _, n, u, st in SOP_COP_NEW for ind, num in ((UW, u), (ST, st))}


# --- the page (AppTest) -------------------------------------------------------------------------------


def test_page_maps_columns_on_screen_saves_the_mapping_and_reapplies_it(tmp_path, monkeypatch, layers):
    url = f"sqlite:///{tmp_path}/p.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    monkeypatch.setenv("VNCHILD_EDITOR_PASSWORD", PASSWORD)
    at = open_page("views/upload.py")
    at.file_uploader(key="upload_file").set_value((UNMAPPED.name, UNMAPPED.build(), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    selects = [m for m in at.multiselect if str(m.key).startswith("upload_map_")]
    assert [m.label.replace("\\", "") for m in selects][:6] == [f"Cột “{h}”" for h in UNMAPPED_HEADERS]
    assert "upload_save" not in [b.key for b in at.button]  # nothing valid yet: no save form
    assert any("Gợi ý cho “Trẻ nhẹ cân (người)”" in str(c.value).replace("\\", "") for c in at.caption)
    for select, roles in zip(selects, UNMAPPED_ROLES, strict=True):
        select.set_value(list(roles))
    at.button(key="upload_map_apply").click().run()
    assert not at.exception, at.exception
    assert "4 dòng: 4 hợp lệ, 0 lỗi" in " | ".join(str(m.value) for m in at.success)
    assert not at.button(key="upload_save").disabled
    at.text_input(key="upload_map_name").input("Sơn La khám")
    at.text_input(key="upload_name").input("Sơn La 2024")
    at.text_input(key="upload_by").input("Lan")
    at.text_input(key="upload_password").input(PASSWORD)
    at.button(key="upload_save").click().run()
    assert not at.exception, at.exception
    shown = " | ".join(str(m.value) for m in at.success)
    assert "«Sơn La 2024», phiên bản 1" in shown and "Sơn La khám" in shown
    with open_store(url) as store:
        assert open_mappings(store).list_names() == ["Sơn La khám"]
        assert len(store.load_version("Sơn La 2024").values) == 2 * len(SOP_COP_NEW)
    fresh = open_page("views/upload.py")  # a new session: the saved mapping is applied by itself
    fresh.file_uploader(key="upload_file").set_value((UNMAPPED.name, UNMAPPED.build(), "application/octet-stream"))
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert any("“Sơn La khám”" in str(m.value) for m in fresh.info)
    assert "4 hợp lệ, 0 lỗi" in " | ".join(str(m.value) for m in fresh.success)
