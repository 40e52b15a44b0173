"""Every page with an uploaded dataset (a preview and a stored version) holding partial and rates-only communes.

The file is old-code data of Lai Châu (province 12), chosen from the real crosswalk so that the expected
coverage is known: one new commune reports only some of its old communes (partial), one reports all of
them as rates without counts (combined by the crosswalk's weights), one reports everything with counts.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.ingest import service
from geo.ingest.vocab import ERA_PRE2025
from geo.store.datasets import open_store
from tests.apptest import APP
from ui.state import PREVIEW, UPLOAD_KEY

pytestmark = pytest.mark.realdata
NAME = "Lai Châu 2024 (một phần)"
PAGES = ("views/map.py", "views/overview.py", "views/lagging.py", "views/profile.py", "views/equity.py",
         "views/funnel.py", "views/upload.py")
PASSWORD = "mật khẩu thử"


def _pick(cw) -> dict[str, list[str]]:
    """Three new communes of province 12 made of whole old communes only (no split): partial, rates, counts."""
    links = cw.links
    whole = links.groupby("new_code").filter(lambda g: (g["receivers"] == 1).all())
    prov = cw.new_units.set_index("code")["province_code"]
    whole = whole[whole["new_code"].map(prov) == "12"]
    parts = whole.groupby("new_code")["old_code"].apply(sorted)
    many = [c for c, olds in parts.items() if len(olds) >= 3]
    return {"partial": [many[0], *parts[many[0]]], "rates": [many[1], *parts[many[1]]],
            "counts": [many[2], *parts[many[2]]]}


@pytest.fixture(scope="module")
def upload(refs):
    picked = _pick(refs["crosswalk"])
    rows = [["ma_xa_cu", "nam", "stunting_u5__tu_so", "stunting_u5__mau_so", "stunting_u5__gia_tri"]]
    for old in picked["partial"][1:-1]:  # the last old part does not report
        rows.append([old, 2024, 40, 100, ""])
    for i, old in enumerate(picked["rates"][1:]):
        rows.append([old, 2024, "", "", 10 + 10 * i])
    for old in picked["counts"][1:]:
        rows.append([old, 2024, 30, 100, ""])
    data = "\n".join(",".join(str(c) for c in r) for r in rows).encode()
    checked = service.check_upload(data, "laichau_2024.csv", sheet="", era=ERA_PRE2025, **refs)
    assert not checked.result.errors, checked.result.errors
    return picked, checked, data


def test_the_upload_has_the_coverage_it_was_built_for(upload):
    picked, checked, _ = upload
    got = checked.values.set_index("code")
    assert got.loc[picked["partial"][0], "coverage"] == "partial"
    assert got.loc[picked["counts"][0], "value"] == pytest.approx(30.0)
    rates = got.loc[picked["rates"][0]]
    n = len(picked["rates"]) - 1
    assert rates["marks"] == "rate_weighted"
    assert rates["value"] == pytest.approx(sum(10 + 10 * i for i in range(n)) / n)  # whole old communes: weight 1


@pytest.fixture
def stored(upload, tmp_path, monkeypatch, layers):
    _, checked, data = upload
    url = f"sqlite:///{tmp_path}/s.db"
    monkeypatch.setenv("VNCHILD_STORE_URL", url)
    with open_store(url) as store:
        service.save_upload(store, checked, name=NAME, uploader="Lan", password=PASSWORD, configured=PASSWORD,
                            original=data, loaded=service.LOAD_ALL)
    return url


def _run(page: str, *, checked=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if checked is not None:
        at.session_state[UPLOAD_KEY] = checked
    at.query_params.update({"year": "2024", "prov": "12", **params})
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption) + " " + " ".join(i.value for i in at.info)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_with_a_preview(upload, layers, monkeypatch, tmp_path, page):
    monkeypatch.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path}/p.db")
    _, checked, _ = upload
    at = _run(page, checked=checked, ds=PREVIEW)
    if page != "views/upload.py":
        assert "chỉ có số liệu của một số xã cũ" in _captions(at)  # the partial commune is stated


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_with_the_stored_dataset(stored, page):
    at = _run(page, ds=NAME)
    if page != "views/upload.py":
        assert "không tính vào tỷ lệ chung" in _captions(at)


def test_map_kpi_leaves_the_partial_commune_out_until_chosen(stored, upload):
    picked, _, _ = upload
    at = _run("views/map.py", ds=NAME, lang="en")
    assert at.toggle(key="partial_toggle").value is False
    metrics = {m.label: m.value for m in at.metric}
    aggregate = next(v for k, v in metrics.items() if k.startswith("Aggregate"))
    assert aggregate.startswith("30")  # only the complete commune with counts: 30 %
    at.toggle(key="partial_toggle").set_value(True).run()
    assert at.query_params["partial"] == "1"
    metrics = {m.label: m.value for m in at.metric}
    aggregate = next(v for k, v in metrics.items() if k.startswith("Aggregate"))
    n_partial = len(picked["partial"]) - 2
    n_counts = len(picked["counts"]) - 1
    expected = 100 * (40 * n_partial + 30 * n_counts) / (100 * (n_partial + n_counts))
    assert aggregate.startswith(f"{expected:.1f}")
    assert "are included in the area figures" in _captions(at)


def test_lagging_table_marks_coverage_and_basis(stored, upload):
    picked, _, _ = upload
    at = _run("views/lagging.py", ds=NAME, lang="en", fw="nutrition_1896", ty="2030")
    table = at.dataframe[0].value
    assert "Coverage" in table.columns and "Basis of the value" in table.columns
    by_code = table.set_index("Commune code")
    assert by_code.loc[picked["partial"][0], "Coverage"] == "Some old parts missing"
    assert by_code.loc[picked["counts"][0], "Coverage"] == "All old parts reported"
    assert by_code.loc[picked["rates"][0], "Basis of the value"] == "Rate combined by the crosswalk's weights"
    assert by_code.loc[picked["counts"][0], "Basis of the value"] == "From counts"


@pytest.mark.parametrize("which", ["partial", "rates"])
def test_profile_of_a_partial_and_of_a_rates_only_commune(stored, upload, which):
    picked, _, _ = upload
    at = _run("views/profile.py", ds=NAME, commune=picked[which][0], lang="en")
    assert at.header, "the commune's name is shown"
    table = at.dataframe[0].value
    stunting = table[table["Indicator"].str.contains("tunting")].iloc[0]
    if which == "partial":
        assert stunting["Coverage"] == "Some old parts missing"
    else:
        assert stunting["Basis of the value"] == "Rate combined by the crosswalk's weights"


def test_overview_says_why_no_aggregate_for_rates_only_communes(stored, upload, refs):
    picked, _, _ = upload
    commune = refs["crosswalk"].new_units.set_index("code").loc[picked["rates"][0]]
    assert isinstance(commune["name"], str)
    at = _run("views/overview.py", ds=NAME, lang="en")
    assert "rate only" in _captions(at) or "reported only a rate" in _captions(at)


def test_stored_values_keep_coverage_and_weighting(stored, upload):
    picked, _, _ = upload
    with open_store(stored) as store:
        values = store.load_version(NAME).values.set_index("code")
    assert values.loc[picked["partial"][0], "flags"] == "partial"
    assert values.loc[picked["rates"][0], "flags"] == "complete|rate_weighted"
    assert pd.isna(values.loc[picked["rates"][0], "numerator"])
