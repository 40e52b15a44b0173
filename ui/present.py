"""Presentation mode (?present=1): large type for a projector, the sidebar put away, and two buttons that stay.

The sidebar is hidden by this page's own style, not by Streamlit's collapse: Streamlit remembers a
collapse per browser (localStorage) and then ignores the app, and its expand arrow sits in the header
this mode hides, which stranded a presenter. So the app decides: "Show controls" and "Leave presentation
mode" are ordinary buttons (focusable, labelled, reached with Tab) pinned to the top right of every page.
Charts are enlarged in their builders (``text_scale``), never by CSS, so exports keep their own sizes.
"""

from __future__ import annotations

import streamlit as st

PRESENT_KEY = "present"  # the URL key ("1" = on)
OPEN_KEY = "_present_controls"  # the presenter opened the sidebar
#: How much larger chart text is in presentation mode (ticks, legends, hover labels).
TEXT_SCALE = 1.6

#: Always: KPI labels and values wrap instead of being cut with an ellipsis ("Số xã đạt mục tiêu …",
#: "1.931 / 3.32…"), and less empty space above the title, so the map starts higher on a laptop screen.
BASE_CSS = """
<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *, [data-testid="stMetricValue"],
[data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word; height: auto !important; max-height: none !important;
}
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
</style>
"""

PRESENT_CSS = """
<style>
/* presentation mode: large type for a projector, no toolbar */
/* the type grows with a wide screen (4K at 100 %): Streamlit sizes its text in rem */
html { font-size: clamp(16px, calc(0.45vw + 8px), 32px) !important; }
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li { font-size: 1.35rem !important; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2.6rem !important; padding: 0 !important; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.8rem !important; }
[data-testid="stMainBlockContainer"] h3 { font-size: 2rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] p { font-size: 2.4rem !important; line-height: 1.2; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricDelta"] p { font-size: 1.25rem !important; }
[data-testid="stMainBlockContainer"] h1 .stMarkdownBadge { font-size: 1.2rem !important; vertical-align: middle; }
[data-testid="stMetric"] { padding: 0.5rem 0.9rem !important; }
[data-testid="stCaptionContainer"] p { font-size: 1.1rem !important; }
/* room for the pinned buttons above the title */
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem !important; max-width: 100% !important; }
footer { display: none !important; }
.st-key-present_bar { position: fixed; top: 0.5rem; right: 1rem; z-index: 999991; width: auto !important;
  background: rgba(255,255,255,0.92); border-radius: 0.5rem; padding: 0.25rem; }
.st-key-present_bar button { min-height: 2.2rem; padding: 0.15rem 0.7rem; }
.st-key-present_bar button p { font-size: 1.05rem !important; }
</style>
"""
HIDE_HEADER_CSS = "<style>[data-testid='stHeader'], [data-testid='stToolbar'] { display: none !important; }</style>"
HIDE_SIDEBAR_CSS = ("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] "
                    "{ display: none !important; }</style>")


def is_present() -> bool:
    return st.session_state.get(PRESENT_KEY, st.query_params.get(PRESENT_KEY, "0")) == "1"


def text_scale() -> float:
    """The factor chart builders apply to every text: TEXT_SCALE in presentation mode, else 1."""
    return TEXT_SCALE if is_present() else 1.0


def _toggle_controls() -> None:
    st.session_state[OPEN_KEY] = not st.session_state.get(OPEN_KEY, False)


def _leave() -> None:
    """Back to the normal layout; the rest of the link stays (write_to_url drops only the default)."""
    st.session_state[PRESENT_KEY] = "0"
    st.session_state["present_toggle"] = False
    st.session_state[OPEN_KEY] = False


def enter_toggle(t) -> None:
    """The sidebar switch that turns the mode on (and off, while the controls are shown)."""
    def changed() -> None:
        st.session_state[PRESENT_KEY] = "1" if st.session_state.present_toggle else "0"
        st.session_state[OPEN_KEY] = False

    st.sidebar.toggle(t("overview.present"), key="present_toggle", value=is_present(), on_change=changed)


def frame(t) -> None:
    """Page style for the mode; in presentation mode also the two pinned buttons."""
    st.html(BASE_CSS)
    if not is_present():
        return
    opened = bool(st.session_state.get(OPEN_KEY))
    st.html(PRESENT_CSS + ("" if opened else HIDE_HEADER_CSS + HIDE_SIDEBAR_CSS))
    with st.container(key="present_bar", horizontal=True, gap="small", width="content"):
        st.button(t("present.hide_controls" if opened else "present.show_controls"), key="present_controls",
                  icon=":material/menu_open:" if opened else ":material/menu:", on_click=_toggle_controls)
        st.button(t("present.leave"), key="present_leave", icon=":material/close_fullscreen:", on_click=_leave)
