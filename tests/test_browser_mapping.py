"""Real headless Chromium: a report-style file whose headers need mapping is mapped on screen, saved, and one of
its communes is shown on the profile page (issue 10's browser done-when)."""

from __future__ import annotations

import os
import re

import pytest

from geo.store.datasets import open_store
from geo.store.mappings import open_mappings
from tests.browser import enter, open_upload
from tests.corpus.build_forms import FORMS, SOP_COP_NEW

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

PASSWORD = "mật khẩu trình duyệt"
NAME = "Sơn La khám 2024"
FORM = next(f for f in FORMS if f.name == "sopcop_unmapped_headers.xlsx")
# column header → the options picked for it (labels as the page shows them, in Vietnamese)
PICKS = {
    "Trẻ được khám (người)": ("SDD nhẹ cân (dưới 5 tuổi) — mẫu số", "SDD thấp còi (dưới 5 tuổi) — mẫu số"),
    "Trẻ nhẹ cân (người)": ("SDD nhẹ cân (dưới 5 tuổi) — tử số",),
    "Trẻ còi (người)": ("SDD thấp còi (dưới 5 tuổi) — tử số",),
}


@pytest.fixture(scope="module")
def editor_env(tmp_path_factory):
    """An editor password and a store of this module's own, set before the app server starts."""
    mp = pytest.MonkeyPatch()
    mp.setenv("VNCHILD_EDITOR_PASSWORD", PASSWORD)
    mp.setenv("VNCHILD_STORE_URL", f"sqlite:///{tmp_path_factory.mktemp('mapstore') / 'datasets.db'}")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def server(editor_env, server):  # the shared harness's server, started after editor_env
    return server


def _pick(page, column: str, option: str) -> None:
    box = page.locator("[data-testid='stMultiSelect']").filter(has_text=f"Cột “{column}”")
    box.locator("input").click()
    page.keyboard.type(option.split(" — ")[0][:12])
    page.get_by_role("option").filter(has_text=option).first.click()
    box.get_by_text(option).first.wait_for(timeout=30_000)  # the chosen option shows as a tag
    page.keyboard.press("Escape")


def test_upload_map_columns_save_and_see_the_profile(server, browser, tmp_path):
    path = tmp_path / FORM.name
    path.write_bytes(FORM.build())
    page = open_upload(browser, server, path)
    # refused as it is (no indicator column), with the mapping step open and a suggestion shown
    page.get_by_text("Ý nghĩa của từng cột").first.wait_for(timeout=90_000)
    page.get_by_text(re.compile("Gợi ý cho “Trẻ nhẹ cân")).first.wait_for(timeout=60_000)
    assert page.get_by_role("button", name="Lưu bộ dữ liệu").count() == 0
    for column, options in PICKS.items():
        for option in options:
            _pick(page, column, option)
    page.get_by_role("button", name="Áp dụng cách ghép cột").click()
    page.get_by_text(re.compile(r"4 dòng: 4 hợp lệ, 0 lỗi")).first.wait_for(timeout=90_000)

    def box(label: str):
        return page.get_by_role("textbox", name=label, exact=True)

    enter(page, box("Lưu cách ghép cột với tên (không bắt buộc)"), "Mẫu khám Sơn La")
    enter(page, box("Tên bộ dữ liệu"), NAME)
    enter(page, box("Tên người thực hiện"), "Lan")
    enter(page, page.locator("input[type='password'][aria-label='Mật khẩu biên tập']"), PASSWORD)
    save = page.get_by_role("button", name="Lưu bộ dữ liệu")
    page.wait_for_function("() => [...document.querySelectorAll('button')].some(b => "
                           "b.innerText.includes('Lưu bộ dữ liệu') && !b.disabled)", timeout=30_000)
    save.click()
    # The message as the page reads (innerText joins the name's own span with the rest), then the store: exactly
    # version 1 and the named mapping.
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=f"Đã lưu «{NAME}», phiên bản 1",
                           timeout=90_000, polling=250)
    with open_store(os.environ["VNCHILD_STORE_URL"]) as store:
        assert store.list_versions(NAME)["version"].tolist() == [1]
        assert open_mappings(store).get("Mẫu khám Sơn La") is not None

    code, name, *_ = SOP_COP_NEW[0]  # 04228 Xã Púng Bánh, one of the file's communes
    page.goto(f"{server}/profile?ds={NAME}&commune={code}", wait_until="domcontentloaded")
    page.locator("h2").filter(has_text=name).first.wait_for(timeout=90_000)
    main = page.locator("[data-testid='stMain']")
    year = main.locator("[data-testid='stMetric']").filter(has_text="Năm số liệu")
    year.first.wait_for(timeout=60_000)
    assert "2024" in year.first.inner_text()  # the uploaded year, not the illustrative data's latest
    main.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # its history chart is drawn
    text = main.inner_text()
    assert "Hồ sơ xã" in text and "minh họa" not in text.casefold()  # the uploaded dataset, not the illustrative
    page.close()
