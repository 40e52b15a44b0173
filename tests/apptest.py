"""Shared AppTest helpers (imported by the page tests)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, timeout: float = 120, **params) -> AppTest:
    """Run the app with these URL parameters, switch to `page` and check it ran without an exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def run_script(script, timeout: float = 300, **params) -> AppTest:
    """Run a function as a Streamlit page with these URL parameters and check it ran without an exception.

    The function leaves what the test checks in ``st.session_state["out"]``.
    """
    at = AppTest.from_function(script, default_timeout=timeout)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def open_exports(at: AppTest, *names: str) -> AppTest:
    """Open these export panels (lazy expanders: closed, their widgets are not built) and rerun."""
    from ui.export_panel import export_open_key

    for name in names:
        at.session_state[export_open_key(name)] = True
    at.run()
    assert not at.exception, at.exception
    return at


class SlotLog:
    """Installs a one-slot RerunSlots (ui/process.py) that records, per rerun, whether the page held a slot
    and, per released() block, whether the slot was really handed on (free again) while the block ran."""

    def __init__(self, monkeypatch) -> None:
        import contextlib

        from ui import process

        log = self
        self.held: list[bool] = []
        self.released: list[tuple[bool, int]] = []

        class Recording(process.RerunSlots):
            @contextlib.contextmanager
            def held(self):
                with super().held():
                    log.held.append(bool(self._mine.held))
                    yield

            @contextlib.contextmanager
            def released(self):
                was = bool(self._mine.held)
                with super().released():
                    log.released.append((was, self._free))
                    yield

        self.slots = Recording(1, max_wait_s=60)
        monkeypatch.setattr(process, "_SLOTS", self.slots)
