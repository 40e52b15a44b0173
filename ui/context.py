"""What every page starts from: registry, layers, the sidebar selection, the dataset and the assessed frame."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import config
from geo.boundaries import Layers
from geo.registry import Registry, Target
from geo.view import JoinReport, assess_communes, attach_attributes, filter_communes, join_indicator
from ui.cache import ensure_layers, load_dataset, load_registry
from ui.i18n import translator
from ui.state import Selection, render_sidebar

PRESENT_CSS = """
<style>
html, body, [class*="st-"] { font-size: 21px; }
h1 { font-size: 2.6rem !important; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
[data-testid="stHeader"], [data-testid="stToolbar"], footer { display: none !important; }
.block-container { padding-top: 1rem !important; max-width: 100% !important; }
</style>
"""


@dataclass
class Context:
    """Everything a page needs for the current view."""

    t: object
    reg: Registry
    layers: Layers
    sel: Selection
    dataset: object
    communes: pd.DataFrame  # all communes with dataset attributes (em_area, under5)
    meta: dict
    target: Target | None
    frame: pd.DataFrame  # communes in the selection, joined to the indicator-year and assessed
    report: JoinReport
    illustrative: bool = True

    @property
    def lang(self) -> str:
        return self.sel.lang

    def area_name(self) -> str:
        code = self.sel.filters.province
        if not code:
            return self.t("filter.all_country")
        return str(self.layers.provinces.set_index("code").loc[code, "name"])

    def target_for(self, year: int) -> Target | None:
        return self.reg.target(self.sel.framework, self.sel.indicator, year)


def load_context() -> Context:
    """Sidebar, dataset and the assessed selection (cheap on warm reruns: everything heavy is cached)."""
    t = translator()
    reg = load_registry(str(config.registry_dir()))
    layers = ensure_layers(t)
    sel = render_sidebar(reg, layers, t)
    ds = load_dataset("illustrative", str(config.reference_dir()), layers.key)
    meta = reg.indicator(sel.indicator) | {"short": reg.indicator(sel.indicator)[f"short_{sel.lang}"]}
    target = reg.target(sel.framework, sel.indicator, sel.target_year)
    communes = attach_attributes(layers.communes, ds.attributes)
    frame, report = join_indicator(communes, ds.values, sel.indicator, sel.year)
    frame = assess_communes(filter_communes(frame, sel.filters), meta, target)
    if st.session_state.get("present") == "1":
        st.markdown(PRESENT_CSS, unsafe_allow_html=True)
    return Context(t=t, reg=reg, layers=layers, sel=sel, dataset=ds, communes=communes, meta=meta,
                   target=target, frame=frame, report=report)
