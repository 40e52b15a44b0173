"""Helpers for the real-Chromium tests that drive the upload page (test_browser_mapping, test_cluster)."""

from __future__ import annotations

from pathlib import Path

# Counts the script runs Streamlit reports finished on its root element (running → not running).
RUN_COUNTER = """
window.__runsFinished = 0;
(() => {
  let state = "";
  new MutationObserver(() => {
    const el = document.querySelector("[data-testid='stApp']");
    const now = el ? el.getAttribute("data-test-script-state") : "";
    if (state === "running" && now !== "running") window.__runsFinished += 1;
    state = now;
  }).observe(document, {subtree: true, attributes: true, childList: true, attributeFilter: ["data-test-script-state"]});
})();
"""


def open_upload(browser, base: str, path: Path, timeout: int = 90_000):
    """A new page on the upload step with ``path`` chosen as the data file (the run counter installed)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.add_init_script(RUN_COUNTER)
    page.goto(f"{base}/upload", wait_until="domcontentloaded")
    page.get_by_text("Chọn tệp số liệu").first.wait_for(timeout=timeout)
    page.locator("input[type='file']").first.set_input_files(str(path))
    return page


def enter(page, field, text: str) -> None:
    """Type into a field and commit it (Enter), then wait for the rerun it starts to finish: the count of
    finished script runs goes up (that rerun may re-render the fields below, and a busy machine may start it
    late, so "no spinner" is not enough)."""
    before = page.evaluate("() => window.__runsFinished")
    field.fill(text)
    field.press("Enter")
    page.wait_for_function("(n) => window.__runsFinished > n", arg=before, timeout=60_000)
