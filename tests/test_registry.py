"""The shipped registry files are complete and correct, and broken files fail with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.config import registry_dir
from geo.errors import DataError
from geo.indicators import registry as reg
from geo.indicators.registry import Registry, Target, load_registry

EXPECTED_IDS = [
    "underweight_u5", "stunting_u5", "play_point", "child_friendly_commune", "birth_registration_u5",
    "preschool_age5", "primary_completion", "lower_secondary_graduation", "school_sanitation",
    "school_psych_support", "participation_awareness", "child_participation_11plus", "disaster_relief",
    "abuse_intervention", "children_special_circumstances", "children_poor_households", "child_injury",
]  # fmt: skip
CONTEXT_IDS = {"children_special_circumstances", "children_poor_households", "child_injury"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


# --- The shipped files ------------------------------------------------------------------------------


def test_shipped_files_load_with_expected_columns(registry: Registry) -> None:
    assert list(registry.indicators.columns) == list(reg.INDICATOR_COLUMNS)
    assert list(registry.frameworks.columns) == list(reg.FRAMEWORK_COLUMNS)
    assert list(registry.targets.columns) == list(reg.TARGET_COLUMNS)


def test_indicator_ids_match_both_ways(registry: Registry) -> None:
    assert set(registry.indicator_ids()) == set(EXPECTED_IDS)
    assert len(registry.indicator_ids()) == len(EXPECTED_IDS)
    for indicator_id in EXPECTED_IDS:
        meta = registry.indicator(indicator_id)
        assert meta["name_vi"] and meta["name_en"] and meta["definition_vi"] and meta["definition_en"]
        assert len(meta["short_vi"]) <= 30 and len(meta["short_en"]) <= 30
        assert meta["aggregation"] == reg.AGGREGATION_FOR_MEASURE[meta["measure"]]


def test_indicator_ids_follow_order_column(registry: Registry) -> None:
    assert registry.indicator_ids() == EXPECTED_IDS  # the file's order column lists them in this order
    assert isinstance(registry.indicator("play_point")["order"], int)


def test_every_target_refers_to_known_rows_and_every_framework_has_targets(registry: Registry) -> None:
    assert set(registry.targets["indicator_id"]) <= set(EXPECTED_IDS)
    assert set(registry.targets["framework_id"]) == set(registry.framework_ids())
    for framework_id in registry.framework_ids():
        assert not registry.targets_for(framework_id).empty


def test_default_framework_is_national(registry: Registry) -> None:
    assert registry.default_framework() == "national_qd23"
    assert registry.framework("national_qd23")["scope"] == "national"
    assert set(registry.framework_ids()) == {"tam_duong", "national_qd23", "nutrition_1896", "hanoi_138"}


# Section II.2 of the Tam Đường plan, as the issue transcribes it: indicator -> {year: (comparison, value,
# maintain, standing)}; "—" cells are absent.
TAM_DUONG_PLAN = {
    "child_friendly_commune": {2025: (">=", 100.0, False, False), 2030: (">=", 100.0, True, False)},
    "play_point": {2025: (">=", 60.0, False, False), 2030: (">=", 95.0, False, False)},
    "school_sanitation": {2025: (">=", 100.0, False, False)},
    "school_psych_support": {2025: (">=", 100.0, False, False)},
    "disaster_relief": {2025: (">=", 100.0, False, True), 2030: (">=", 100.0, False, True)},
    "abuse_intervention": {2025: (">=", 100.0, False, True), 2030: (">=", 100.0, False, True)},
    "birth_registration_u5": {2030: (">=", 100.0, False, False)},
    "underweight_u5": {2025: ("<", 15.0, False, False), 2030: ("<", 12.0, False, False)},
    "stunting_u5": {2025: ("<", 20.0, False, False), 2030: ("<", 18.0, False, False)},
    "preschool_age5": {2025: (">", 99.9, False, False), 2030: (">", 99.9, True, False)},
    "primary_completion": {2025: (">=", 99.8, False, False), 2030: (">=", 99.8, True, False)},
    "lower_secondary_graduation": {2025: (">=", 99.5, False, False), 2030: (">=", 99.5, True, False)},
    "participation_awareness": {2025: (">=", 85.0, False, False), 2030: (">=", 90.0, False, False)},
    "child_participation_11plus": {2025: (">=", 30.0, False, False), 2030: (">=", 35.0, False, False)},
}


# The same table's cells as text: the value column plus the wording column, as the issue quotes them.
TAM_DUONG_WORDING = {
    ("child_friendly_commune", 2025): "100% by 2025",
    ("child_friendly_commune", 2030): "100% (maintain), maintained and improved in later years",
    ("play_point", 2025): "60%", ("play_point", 2030): "95%",
    ("school_sanitation", 2025): "100% by 2025", ("school_psych_support", 2025): "100% by 2025",
    ("disaster_relief", 2025): "100% (standing target, no year)",
    ("disaster_relief", 2030): "100% (standing target, no year)",
    ("abuse_intervention", 2025): "100%, and the violations are handled (standing target, no year)",
    ("abuse_intervention", 2030): "100%, and the violations are handled (standing target, no year)",
    ("birth_registration_u5", 2030): "100% by 2030",
    ("underweight_u5", 2025): "< 15%", ("underweight_u5", 2030): "< 12%",
    ("stunting_u5", 2025): "< 20%", ("stunting_u5", 2030): "< 18%",
    ("preschool_age5", 2025): "> 99.9%", ("preschool_age5", 2030): "> 99.9% (maintain)",
    ("primary_completion", 2025): "99.8%", ("primary_completion", 2030): "99.8% (maintain)",
    ("lower_secondary_graduation", 2025): "99.5%", ("lower_secondary_graduation", 2030): "99.5% (maintain)",
    ("participation_awareness", 2025): "85%", ("participation_awareness", 2030): "90%",
    ("child_participation_11plus", 2025): "30%", ("child_participation_11plus", 2030): "35%",
}


def test_tam_duong_plan_reads_back_exactly(registry: Registry) -> None:
    """All 14 targets, and nothing else: values, strict or not, years, maintain and standing flags."""
    rows = registry.targets_for("tam_duong")
    read = {}
    for r in rows.itertuples(index=False):
        assert r.group == "" and r.text_vi and r.text_en
        read.setdefault(r.indicator_id, {})[int(r.target_year)] = (
            r.comparison, float(r.value), bool(r.maintain), bool(r.standing))
    assert read == TAM_DUONG_PLAN
    assert len(TAM_DUONG_PLAN) == 14
    kept = registry.target("tam_duong", "preschool_age5", 2030)
    assert kept is not None and kept.maintain and kept.strict and not kept.is_met(99.9) and kept.is_met(99.95)
    assert "duy trì" in kept.text_vi and kept.text_en == "> 99.9% (maintain)"
    texts = {(r.indicator_id, int(r.target_year)): r.text_en for r in rows.itertuples(index=False)}
    assert texts == TAM_DUONG_WORDING  # the issue's cells (value and wording), no value of our own
    standing = registry.target("tam_duong", "disaster_relief", 2025)
    assert standing is not None and standing.standing and "thường xuyên" in standing.text_vi


def test_plan_notes_say_where_values_come_from(registry: Registry) -> None:
    assert registry.from_summary("national_qd23") and registry.from_summary("nutrition_1896")
    assert not registry.from_summary("tam_duong")
    for fid in ("national_qd23", "nutrition_1896"):
        meta = registry.framework(fid)
        assert "tóm tắt" in meta["note_vi"] and "summar" in meta["note_en"]
    tam = registry.framework("tam_duong")
    assert "48-CTr/TU" in tam["source_vi"] and "17/4/2024" in tam["source_vi"]
    assert "không có trong văn bản" in tam["source_vi"] and "not in the text" in tam["source_en"]
    # the target texts are a translation of the transcribed table, and the note says so
    assert "không phải nguyên văn" in tam["note_vi"] and "not the plan's own text" in tam["note_en"]
    assert registry.framework_area("tam_duong") == ("old_district", "106")
    assert registry.framework_area("hanoi_138") == ("province", "01")
    assert registry.framework_area("national_qd23") is None


def test_nutrition_1896_targets_with_group_variant(registry: Registry) -> None:
    stunting = {y: registry.target("nutrition_1896", "stunting_u5", y) for y in (2025, 2030)}
    assert [(t.comparison, t.value) for t in stunting.values()] == [("<", 20.0), ("<", 19.0)]
    underweight = registry.target("nutrition_1896", "underweight_u5", 2025)
    assert (underweight.comparison, underweight.value, underweight.group) == ("<", 11.0, "")
    em = underweight.variant("em_area")
    assert (em.comparison, em.value, em.group) == ("<", 15.0, "em_area")
    assert underweight.variant("border") is underweight
    later = registry.target("nutrition_1896", "underweight_u5", 2030)
    assert later.value == 10.5 and later.variants == ()


def test_context_indicators_have_no_targets(registry: Registry) -> None:
    assert {i for i in EXPECTED_IDS if registry.is_context(i)} == CONTEXT_IDS
    assert not set(registry.targets["indicator_id"]) & CONTEXT_IDS


def test_national_and_hanoi_spot_checks(registry: Registry) -> None:
    birth = registry.target("national_qd23", "birth_registration_u5", 2025)
    assert birth is not None and birth.value == 98.5
    underweight = registry.target("hanoi_138", "underweight_u5", 2025)
    assert underweight is not None and (underweight.comparison, underweight.value) == ("<=", 7.3)


def test_targets_for_is_in_indicator_order_and_rejects_unknown_framework(registry: Registry) -> None:
    rows = registry.targets_for("national_qd23")
    positions = [EXPECTED_IDS.index(i) for i in rows["indicator_id"]]
    assert positions == sorted(positions)
    with pytest.raises(KeyError):
        registry.targets_for("nowhere")
    with pytest.raises(KeyError):
        registry.indicator("nothing")


# --- Broken files -----------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for name in (reg.INDICATORS_FILE, reg.FRAMEWORKS_FILE, reg.TARGETS_FILE):
        shutil.copy(registry_dir() / name, tmp_path / name)
    return tmp_path


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = change(frame)
    frame.to_csv(path, index=False)


def _fails(folder: Path, file_name: str, *fragments: str) -> DataError:
    with pytest.raises(DataError) as info:
        load_registry(folder)
    err = info.value
    assert file_name in err.vi and file_name in err.en
    for fragment in fragments:
        assert fragment in err.en, err.en
    assert "Traceback" not in err.en
    return err


def test_copy_of_shipped_files_loads(data_copy: Path) -> None:
    assert load_registry(data_copy).default_framework() == "national_qd23"


def test_missing_column(data_copy: Path) -> None:
    _edit(data_copy, reg.INDICATORS_FILE, lambda f: f.drop(columns="direction"))
    err = _fails(data_copy, "indicators.csv", "missing column 'direction'")
    assert "thiếu cột “direction”" in err.vi


def test_duplicate_id(data_copy: Path) -> None:
    _edit(data_copy, reg.INDICATORS_FILE, lambda f: pd.concat([f, f.iloc[[0]].assign(order="99")]))
    _fails(data_copy, "indicators.csv", "duplicate value 'underweight_u5'")


def test_unknown_measure(data_copy: Path) -> None:
    _edit(data_copy, reg.INDICATORS_FILE, lambda f: f.assign(measure=f["measure"].replace("rate", "ratio")))
    _fails(data_copy, "indicators.csv", "column 'measure', line 2: 'ratio' is not allowed")


def test_short_label_too_long(data_copy: Path) -> None:
    _edit(data_copy, reg.INDICATORS_FILE, lambda f: f.assign(short_en="x" * 31))
    _fails(data_copy, "indicators.csv", "longer than 30 characters")


def test_aggregation_must_match_measure(data_copy: Path) -> None:
    _edit(data_copy, reg.INDICATORS_FILE, lambda f: f.assign(aggregation="sum_counts"))
    _fails(data_copy, "indicators.csv", "aggregation does not match the measure")


def test_comparison_against_direction(data_copy: Path) -> None:
    def flip(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "comparison"] = ">="  # underweight is lower_is_better
        return frame

    _edit(data_copy, reg.TARGETS_FILE, flip)
    _fails(data_copy, "targets.csv", "line 2: comparison contradicts the indicator's direction")


def test_target_for_unknown_indicator(data_copy: Path) -> None:
    renamed = {"stunting_u5": "wasting_u5"}
    _edit(data_copy, reg.TARGETS_FILE, lambda f: f.assign(indicator_id=f["indicator_id"].replace(renamed)))
    _fails(data_copy, "targets.csv", "indicator 'wasting_u5' is not in indicators.csv")


def test_target_for_unknown_framework(data_copy: Path) -> None:
    renamed = {"hanoi_138": "hue_1"}
    _edit(data_copy, reg.TARGETS_FILE, lambda f: f.assign(framework_id=f["framework_id"].replace(renamed)))
    _fails(data_copy, "targets.csv", "framework 'hue_1' is not in frameworks.csv")


def test_duplicate_target_key(data_copy: Path) -> None:
    _edit(data_copy, reg.TARGETS_FILE, lambda f: pd.concat([f, f.iloc[[0]]]))
    _fails(data_copy, "targets.csv", "duplicate (framework_id, indicator_id, target_year, group)")


def test_same_year_for_a_group_is_not_a_duplicate_but_needs_a_general_target(data_copy: Path) -> None:
    loaded = load_registry(data_copy)
    assert loaded.target("nutrition_1896", "underweight_u5", 2025).variant("em_area").value == 15.0

    def drop_general(frame: pd.DataFrame) -> pd.DataFrame:
        general = (frame["framework_id"] == "nutrition_1896") & (frame["indicator_id"] == "underweight_u5") & (
            frame["target_year"] == "2025") & (frame["group"] == "")
        return frame[~general]

    _edit(data_copy, reg.TARGETS_FILE, drop_general)
    _fails(data_copy, "targets.csv", "needs a general target for the same year")


def test_maintain_must_repeat_the_2025_target(data_copy: Path) -> None:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        row = (frame["framework_id"] == "tam_duong") & (frame["indicator_id"] == "preschool_age5") & (
            frame["target_year"] == "2030")
        frame.loc[row, "comparison"] = ">="  # "> 99.9" maintained cannot become ">= 99.9"
        return frame

    _edit(data_copy, reg.TARGETS_FILE, change)
    _fails(data_copy, "targets.csv", "maintain = 1 only fits a 2030 row repeating the 2025 target")


def test_context_indicator_with_a_target_is_refused(data_copy: Path) -> None:
    def add(frame: pd.DataFrame) -> pd.DataFrame:
        extra = frame.iloc[[0]].assign(indicator_id="child_injury", comparison="<", value="1")
        return pd.concat([frame, extra])

    _edit(data_copy, reg.TARGETS_FILE, add)
    _fails(data_copy, "targets.csv", "a context indicator (role = context) has no targets")


def test_plan_area_must_match_scope(data_copy: Path) -> None:
    _edit(data_copy, reg.FRAMEWORKS_FILE, lambda f: f.assign(area=f["area"].replace("province:01", "old_district:001")))
    _fails(data_copy, "frameworks.csv", "area does not match scope")


def test_default_plan_must_be_national(data_copy: Path) -> None:
    district_default = {True: "1", False: "0"}
    _edit(data_copy, reg.FRAMEWORKS_FILE, lambda f: f.assign(default=(f["id"] == "tam_duong").map(district_default)))
    _fails(data_copy, "frameworks.csv", "must have national scope")


def test_two_default_frameworks(data_copy: Path) -> None:
    _edit(data_copy, reg.FRAMEWORKS_FILE, lambda f: f.assign(default="1"))
    err = _fails(data_copy, "frameworks.csv", "exactly one framework must have default = 1")
    assert "đúng một khung chỉ tiêu" in err.vi


def test_value_above_100(data_copy: Path) -> None:
    def inflate(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[3, "value"] = "120"
        return frame

    _edit(data_copy, reg.TARGETS_FILE, inflate)
    _fails(data_copy, "targets.csv", "column 'value', line 5: 120", "outside 0–100")


def test_year_not_a_target_year(data_copy: Path) -> None:
    _edit(
        data_copy, reg.TARGETS_FILE, lambda f: f.assign(target_year=f["target_year"].replace("2030", "2035"))
    )
    _fails(data_copy, "targets.csv", "'2035' is not allowed")


def test_non_numeric_value_gives_one_type_message(data_copy: Path) -> None:
    def garble(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, "value"] = "mười lăm"
        return frame

    _edit(data_copy, reg.TARGETS_FILE, garble)
    err = _fails(data_copy, "targets.csv", "column 'value', line 2: 'mười lăm' is not a number")
    assert err.en.count("line 2") == 1


def test_empty_required_cell(data_copy: Path) -> None:
    def blank(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[1, "name_vi"] = "  "
        return frame

    _edit(data_copy, reg.INDICATORS_FILE, blank)
    _fails(data_copy, "indicators.csv", "column 'name_vi', line 3: empty cell")


def test_unreadable_binary_file(data_copy: Path) -> None:
    (data_copy / reg.TARGETS_FILE).write_bytes(bytes(range(256)) * 4)
    err = _fails(data_copy, "targets.csv", "not UTF-8")
    assert "UTF-8" in err.vi


def test_rows_with_extra_fields_are_not_silently_shifted(data_copy: Path) -> None:
    path = data_copy / reg.TARGETS_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + [line + ",extra" for line in lines[1:]]) + "\n", encoding="utf-8")
    err = _fails(data_copy, "targets.csv", "cannot be parsed as CSV")
    assert "CSV" in err.vi


def test_header_only_and_empty_files(data_copy: Path) -> None:
    path = data_copy / reg.INDICATORS_FILE
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    _fails(data_copy, "indicators.csv", "no data rows")
    path.write_text("", encoding="utf-8")
    _fails(data_copy, "indicators.csv", "cannot be parsed as CSV")


def test_byte_order_mark_and_stray_spaces_are_accepted(data_copy: Path) -> None:
    path = data_copy / reg.TARGETS_FILE
    text = path.read_text(encoding="utf-8").replace(
        "tam_duong,underweight_u5,2025", " tam_duong , underweight_u5,2025"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    target = load_registry(data_copy).target("tam_duong", "underweight_u5", 2025)
    assert target is not None and target.value == 15.0


def test_missing_file(data_copy: Path) -> None:
    (data_copy / reg.FRAMEWORKS_FILE).unlink()
    err = _fails(data_copy, "frameworks.csv", "not found")
    assert "Không tìm thấy" in err.vi
    assert err.fix_vi and err.fix_en


def test_many_problems_are_capped(data_copy: Path) -> None:
    _edit(data_copy, reg.TARGETS_FILE, lambda f: f.assign(value="500"))
    err = _fails(data_copy, "targets.csv", "more")
    assert err.en.count("\n- ") <= 13


# --- Target comparisons -----------------------------------------------------------------------------


def _target(comparison: str, value: float = 15.0) -> Target:
    return Target("f", "i", 2025, comparison, value, "t", "t")


@pytest.mark.parametrize(
    ("comparison", "at_equal", "below", "above"),
    [
        ("<", False, True, False),
        ("<=", True, True, False),
        (">=", True, False, True),
        (">", False, False, True),
    ],
)
def test_is_met_edges(comparison: str, at_equal: bool, below: bool, above: bool) -> None:
    target = _target(comparison)
    assert target.is_met(15.0) is at_equal
    assert target.is_met(14.99) is below
    assert target.is_met(15.01) is above


def test_is_met_tolerates_float_noise_and_missing() -> None:
    assert _target("<=").is_met(100 * 0.15)  # 15.000000000000002
    assert not _target("<").is_met(100 * 0.15)
    assert _target("<").is_met(None) is False
    assert _target("<").is_met(float("nan")) is False


def test_met_mask_keeps_na_and_index() -> None:
    values = pd.Series([14.0, 15.0, None, 16.0], index=["a", "b", "c", "d"])
    strict = _target("<").met_mask(values)
    assert str(strict.dtype) == "boolean"
    assert list(strict.index) == ["a", "b", "c", "d"]
    assert [bool(strict[k]) for k in ("a", "b", "d")] == [True, False, False]  # 15 < 15 is not met
    assert pd.isna(strict["c"])
    inclusive = _target("<=").met_mask(values)
    assert [bool(inclusive[k]) for k in ("a", "b", "d")] == [True, True, False]  # 15 <= 15 is met
    assert pd.isna(inclusive["c"])


def test_met_mask_accepts_nullable_float() -> None:
    values = pd.Series([99.1, pd.NA], dtype="Float64")
    mask = _target(">=", 99.1).met_mask(values)
    assert bool(mask.iloc[0]) and pd.isna(mask.iloc[1])


def test_group_variant_applies_to_its_communes_only() -> None:
    em = Target("f", "i", 2025, "<", 15.0, "em", "em", group="em_area")
    general = Target("f", "i", 2025, "<", 11.0, "all", "all", variants=(em,))
    communes = pd.DataFrame({"value": [13.0, 13.0, 13.0], "em_area": pd.array([True, False, pd.NA], dtype="boolean")})
    parts = general.split(communes)
    assert [(list(m), t.value) for m, t in parts] == [([True, False, False], 15.0), ([False, True, True], 11.0)]
    # the ethnic-minority-area commune meets its target (13 < 15), the lowland one does not (13 >= 11)
    assert parts[0][1].is_met(13.0) and not parts[1][1].is_met(13.0)
    assert general.for_area(communes) is general
    assert general.for_area(communes.iloc[[0]]) is em
    assert general.split(communes.drop(columns="em_area"))[0][1] is general


def test_vocabulary_constants_are_consistent() -> None:
    assert set(reg.AGGREGATION_FOR_MEASURE) == set(reg.MEASURES)
    assert set(reg.AGGREGATION_FOR_MEASURE.values()) == set(reg.AGGREGATIONS)
    assert set(reg.COMPARISONS_FOR_DIRECTION) == set(reg.DIRECTIONS)
    assert sorted(c for cs in reg.COMPARISONS_FOR_DIRECTION.values() for c in cs) == sorted(reg.COMPARISONS)


def test_target_rejects_unknown_comparison() -> None:
    with pytest.raises(ValueError):
        _target("=")
