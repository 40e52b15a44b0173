"""Carrying pre-2025 commune data to the 2025 communes: hand-computed totals on a tiny crosswalk, then
the real crosswalk files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataError
from geo.indicators.registry import YES_NO, load_registry
from geo.ingest import carry as cy
from geo.ingest import crosswalk as cx
from geo.ingest import rules as rl
from geo.ingest.carry import carry_to_2025, carry_upload
from geo.ingest.crosswalk import build_crosswalk, load_crosswalk
from geo.ingest.match import build_matcher
from geo.ingest.rules import load_crosswalk_rules
from geo.ingest.vocab import BASIS_CODE_2025, BASIS_CODE_PRE2025
from geo.reference import crosswalk_links as cl
from geo.reference import old_units as ou

# Old A (00001) + B (00002) → new X (10000); old C (00003) split between X and Y (20000), populations 3 : 1.
OLD = {"A": "00001", "B": "00002", "C": "00003"}
LINKS = pd.DataFrame({"old_code": ["00001", "00002", "00003", "00003"],
                      "new_code": ["10000", "10000", "10000", "20000"]})
A_AND_B = LINKS.iloc[:2]
NEW = pd.DataFrame({"code": ["10000", "20000"], "population": [300.0, 100.0]})
RULES = pd.DataFrame({"indicator": ["play_point", "child_friendly_commune"], "combine": ["any", "all"],
                      "note_vi": ["-", "-"], "note_en": ["-", "-"]})


def _tiny(links: pd.DataFrame = LINKS, new: pd.DataFrame = NEW) -> cx.Crosswalk:
    return build_crosswalk(links, new, rules=RULES)


def _rows(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["code", "year", "indicator", "numerator", "denominator"])
    frame["code"] = frame["code"].map(OLD)
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    return frame


def _get(result: cy.CarryResult, code: str, indicator: str, year: int = 2024) -> dict:
    rows = result.values[(result.values["code"] == code) & (result.values["indicator"] == indicator)
                         & (result.values["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_weights_follow_receiver_population() -> None:
    links = _tiny().links.set_index(["old_code", "new_code"])
    assert links.loc[("00001", "10000"), "weight"] == 1.0
    assert links.loc[("00003", "10000"), "weight"] == pytest.approx(0.75)
    assert links.loc[("00003", "20000"), "weight"] == pytest.approx(0.25)
    assert links.loc[("00003", "10000"), "part"] == cl.PARTIAL
    assert links.loc[("00001", "10000"), "part"] == cl.FULL
    assert links.loc[("00003", "20000"), "receivers"] == 2


def test_counts_summed_and_split_by_population() -> None:
    old = _rows(("A", 2024, "stunting_u5", 10, 100), ("B", 2024, "stunting_u5", 5, 50),
                ("C", 2024, "stunting_u5", 8, 40))
    result = carry_to_2025(old, _tiny())
    x = _get(result, "10000", "stunting_u5")
    assert x["numerator"] == pytest.approx(10 + 5 + 8 * 0.75)  # 21
    assert x["denominator"] == pytest.approx(100 + 50 + 40 * 0.75)  # 180
    assert x["value"] == pytest.approx(100 * 21 / 180)
    assert (x["coverage"], x["parts_expected"], x["parts_reported"]) == (cy.ALLOCATED, 3, 3)
    y = _get(result, "20000", "stunting_u5")
    assert (y["numerator"], y["denominator"], y["value"]) == pytest.approx((2, 10, 20))
    assert y["coverage"] == cy.ALLOCATED
    # Allocation preserves the national totals.
    assert result.values["numerator"].sum() == pytest.approx(23)
    assert result.values["denominator"].sum() == pytest.approx(190)
    assert result.skipped.empty


def test_coverage_complete_and_partial() -> None:
    links = A_AND_B
    both = carry_to_2025(_rows(("A", 2024, "stunting_u5", 1, 10), ("B", 2024, "stunting_u5", 3, 10)), _tiny(links))
    assert _get(both, "10000", "stunting_u5")["coverage"] == cy.COMPLETE
    assert _get(both, "10000", "stunting_u5")["value"] == pytest.approx(20)
    one = carry_to_2025(_rows(("A", 2024, "stunting_u5", 1, 10)), _tiny(links))
    got = _get(one, "10000", "stunting_u5")
    assert (got["coverage"], got["parts_expected"], got["parts_reported"]) == (cy.PARTIAL_COVERAGE, 2, 1)
    assert one.coverage.to_dict("records") == [{"code": "10000", "year": 2024, "coverage": cy.PARTIAL_COVERAGE}]


def test_missing_part_outranks_allocation() -> None:
    result = carry_to_2025(_rows(("A", 2024, "stunting_u5", 1, 10), ("C", 2024, "stunting_u5", 4, 40)), _tiny())
    assert _get(result, "10000", "stunting_u5")["coverage"] == cy.PARTIAL_COVERAGE  # B missing
    assert _get(result, "20000", "stunting_u5")["coverage"] == cy.ALLOCATED


@pytest.mark.parametrize("a,b,c,play_x,friendly_x", [
    (0, 0, 0, 0, 0), (1, 0, 0, 1, 0), (1, 1, 1, 1, 1), (1, 1, 0, 1, 0), (0, 0, 1, 1, 0),
])
def test_yes_no_combined_by_rule(a: int, b: int, c: int, play_x: int, friendly_x: int) -> None:
    rows = []
    for code, flag in (("A", a), ("B", b), ("C", c)):
        rows += [(code, 2024, "play_point", flag, 1), (code, 2024, "child_friendly_commune", flag, 1)]
    result = carry_to_2025(_rows(*rows), _tiny())
    assert _get(result, "10000", "play_point")["numerator"] == play_x  # any
    assert _get(result, "10000", "child_friendly_commune")["numerator"] == friendly_x  # all
    y = _get(result, "20000", "play_point")
    assert (y["numerator"], y["denominator"], y["value"], y["coverage"]) == (c, 1, 100 * c, cy.ALLOCATED)


def test_rates_without_counts() -> None:
    links = A_AND_B
    alone = pd.DataFrame({"code": ["00001"], "year": [2024], "indicator": ["stunting_u5"], "numerator": [np.nan],
                          "denominator": [np.nan], "value": [12.5], "source_row": [7]})
    got = _get(carry_to_2025(alone, _tiny(links)), "10000", "stunting_u5")
    assert got["value"] == 12.5 and np.isnan(got["numerator"]) and got["coverage"] == cy.PARTIAL_COVERAGE
    mixed = pd.concat([alone, _rows(("B", 2024, "stunting_u5", 1, 10)).assign(source_row=8)], ignore_index=True)
    result = carry_to_2025(mixed, _tiny(links))
    assert result.values.empty
    assert set(result.skipped["reason"]) == {cy.RATE_WITHOUT_COUNTS}
    assert sorted(result.skipped["source_row"]) == [7, 8]


def test_unknown_old_code_is_skipped_not_guessed() -> None:
    rows = _rows(("A", 2024, "stunting_u5", 1, 10))
    rows.loc[1] = ["99999", 2024, "stunting_u5", 1, 10, 10]
    result = carry_to_2025(rows, _tiny())
    assert result.skipped[["old_code", "reason"]].to_dict("records") == [
        {"old_code": "99999", "reason": cy.NOT_IN_CROSSWALK}]
    assert len(result.values) == 1


def test_unknown_population_splits_equally() -> None:
    crosswalk = _tiny(new=pd.DataFrame({"code": ["10000", "20000"], "population": [300.0, np.nan]}))
    weights = crosswalk.links.set_index(["old_code", "new_code"])["weight"]
    assert weights[("00003", "10000")] == weights[("00003", "20000")] == 0.5


def test_duplicate_old_rows_are_refused() -> None:
    rows = _rows(("A", 2024, "stunting_u5", 1, 10), ("A", 2024, "stunting_u5", 2, 10))
    with pytest.raises(DataError):
        carry_to_2025(rows, _tiny())


def test_bad_links_are_refused() -> None:
    with pytest.raises(DataError):
        build_crosswalk(pd.DataFrame({"old_code": ["00001"], "new_code": ["30000"]}), NEW, rules=RULES)
    with pytest.raises(DataError):
        build_crosswalk(pd.DataFrame({"old_code": ["1"], "new_code": ["10000"]}), NEW, rules=RULES)


def test_upload_rows_mixing_2025_and_old_codes() -> None:
    valid = pd.DataFrame({
        "code": ["10000", "00001", "00003"], "year": [2024, 2024, 2024],
        "indicator": ["stunting_u5"] * 3, "numerator": [5.0, 1.0, 4.0], "denominator": [50.0, 10.0, 40.0],
        "value": [10.0, 10.0, 10.0], "source_row": [2, 3, 4],
        "basis": [BASIS_CODE_2025, BASIS_CODE_PRE2025, BASIS_CODE_PRE2025],
    })
    result = carry_upload(valid, _tiny())
    x = _get(result, "10000", "stunting_u5")
    assert (x["numerator"], x["source"], x["coverage"]) == (5, cy.SOURCE_2025, cy.COMPLETE)  # 2025 row wins
    assert _get(result, "20000", "stunting_u5")["numerator"] == pytest.approx(1)  # 4 × 1/4
    clash = result.skipped[result.skipped["reason"] == cy.ALSO_REPORTED_2025]
    assert sorted(zip(clash["old_code"], clash["new_code"], strict=True)) == [("00001", "10000"), ("00003", "10000")]


# --- Rules file -------------------------------------------------------------------------------------


def test_shipped_rules_cover_exactly_the_yes_no_indicators() -> None:
    registry = load_registry()
    yes_no = registry.indicators.loc[registry.indicators["measure"] == YES_NO, "id"].tolist()
    rules = load_crosswalk_rules(yes_no_indicators=yes_no)
    assert dict(zip(rules["indicator"], rules["combine"], strict=True)) == {
        "play_point": rl.ANY, "child_friendly_commune": rl.ALL}
    assert rules["note_vi"].str.len().min() > 20 and rules["note_en"].str.len().min() > 20


def test_broken_rules_are_refused(tmp_path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text("indicator,combine,note_vi,note_en\nplay_point,most,a,b\n", encoding="utf-8")
    with pytest.raises(DataError):
        load_crosswalk_rules(path)
    path.write_text("indicator,combine,note_vi,note_en\nplay_point,any,a,b\n", encoding="utf-8")
    with pytest.raises(DataError):
        load_crosswalk_rules(path, yes_no_indicators=["play_point", "child_friendly_commune"])



def test_a_broken_data_file_is_refused_with_its_line_column_and_allowed_values(tmp_path) -> None:
    """Rules and header aliases are read by the registry's one data/ loader: the same readable messages."""
    from geo.ingest.headers import load_column_aliases

    path = tmp_path / "rules.csv"
    path.write_text("indicator,combine,note_vi,note_en\nplay_point,most,a,b\nPlay Point,any,a,b\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_crosswalk_rules(path)
    assert "rules.csv" in raised.value.en
    assert "column 'combine', line 2: 'most' is not allowed (allowed: any, all)" in raised.value.en
    assert "column 'indicator', line 3: id 'Play Point' must be lower-case" in raised.value.en
    path.write_text("indicator,combine,note_vi,note_en\nplay_point,any, ,b\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_crosswalk_rules(path)
    assert "column 'note_vi', line 2: empty cell" in raised.value.en
    with pytest.raises(DataError) as raised:
        load_crosswalk_rules(tmp_path / "gone.csv")
    assert "gone.csv" in raised.value.en and "was not found" in raised.value.en
    aliases = tmp_path / "cols.csv"
    aliases.write_text("field,lang,alias\nma_xa,fr,code\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load_column_aliases(load_registry(), aliases)
    assert "column 'lang', line 2: 'fr' is not allowed (allowed: vi, en)" in raised.value.en

# --- The real crosswalk -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(reference_dir) -> cx.Crosswalk:
    registry = load_registry()
    yes_no = registry.indicators.loc[registry.indicators["measure"] == YES_NO, "id"].tolist()
    return load_crosswalk(reference_dir, yes_no_indicators=yes_no)


@pytest.mark.realdata
def test_every_old_commune_resolves(real: cx.Crosswalk) -> None:
    communes = real.old_units[real.old_units["level"] == ou.COMMUNE_LEVEL]
    assert len(communes) == 10_047 and communes["old_code"].is_unique
    linked = real.links.merge(communes[["old_code"]], on="old_code", how="right", validate="many_to_one",
                              indicator=True)
    assert (linked["_merge"] == "both").all()
    assert set(real.links["new_code"]) == set(real.new_units["code"])  # every new commune has old parts
    assert len(real.new_units) == 3321
    assert (real.links.groupby("old_code")["new_code"].nunique() > 1).sum() == 460
    assert real.links.groupby("old_code")["weight"].sum().to_numpy() == pytest.approx(1.0)
    assert real.recoded == {"06970": "06978", "23737": "23938"}


@pytest.mark.realdata
def test_known_merges(real: cx.Crosswalk) -> None:
    links = real.links.set_index(["old_code", "new_code"])
    assert links.loc[("00004", "00004"), "part"] == cl.FULL  # Phường Trúc Bạch → Phường Ba Đình
    assert links.loc[("00004", "00004"), "weight"] == 1.0
    assert real.count_parts()["00004"] == 10
    assert links.loc[("318", "11948"), "weight"] == 1.0  # Huyện Bạch Long Vĩ → Đặc khu Bạch Long Vĩ
    assert real.old_units.set_index("old_code").loc["00004", "full_name"] == "Phường Trúc Bạch"


@pytest.mark.realdata
def test_real_file_of_old_codes_hand_computed(real: cx.Crosswalk, reference_dir) -> None:
    """Trúc Bạch 10/100 and Quán Thánh 20/200 went whole into Ba Đình (00004); Ngọc Hà (old 00016) 41/400
    was split between Ba Đình (population 65,023) and Ngọc Hà (new 00008, population 93,536)."""
    from pathlib import Path

    from geo.ingest.validate import validate_upload

    registry = load_registry()
    matcher = build_matcher(real.new_units, real)
    data = (Path(__file__).parent / "upload_corpus" / "good_old_codes.csv").read_bytes()
    result = carry_upload(validate_upload(data, "old.csv", registry, matcher).valid_rows, real)
    w = 65_023 / (65_023 + 93_536)
    ba_dinh = _get(result, "00004", "stunting_u5")
    assert ba_dinh["numerator"] == pytest.approx(10 + 20 + 41 * w)
    assert ba_dinh["denominator"] == pytest.approx(100 + 200 + 400 * w)
    assert (ba_dinh["coverage"], ba_dinh["parts_expected"], ba_dinh["parts_reported"]) == ("partial", 10, 3)
    ngoc_ha = _get(result, "00008", "stunting_u5")
    assert (ngoc_ha["numerator"], ngoc_ha["denominator"]) == pytest.approx((41 * (1 - w), 400 * (1 - w)))
    assert ngoc_ha["value"] == pytest.approx(10.25)
    assert _get(result, "00004", "play_point")["numerator"] == 1  # any: Quán Thánh had one
    assert _get(result, "00004", "child_friendly_commune")["numerator"] == 0  # all: Ngọc Hà did not
    assert _get(result, "00008", "play_point")["numerator"] == 0
