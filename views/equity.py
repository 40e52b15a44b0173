"""Equity: each priority group (ethnic-minority, border, coastal, island communes) against the rest."""

import streamlit as st

from geo.analysis.equity import GROUP_COLUMNS, compare_groups
from geo.store.keys import dataset_key
from ui.cache import equity_by_indicator
from ui.context import load_context
from ui.tables import equity_view, export_metadata
from ui.widgets import download_buttons, illustrative_badge, show_table

ctx = load_context()
t, sel, lang = ctx.t, ctx.sel, ctx.sel.lang
st.title(t("equity.title"))
st.caption(t("equity.subtitle", area=ctx.area_name(), year=sel.year))
illustrative_badge(t, ctx.illustrative)
st.caption(t("equity.gap_between_help"))

communes = ctx.selected
values = ctx.dataset.values
rows = equity_by_indicator(ctx.layers.key, dataset_key(ctx.dataset.name, ctx.dataset.version), sel.framework, sel.year,
                           sel.target_year, sel.filters, _communes=communes, _values=values, _reg=ctx.reg)
national = equity_view([r | {"indicator": ctx.reg.indicator(r["indicator"])[f"short_{lang}"]} for r in rows], t)
show_table(national.frame, lang, national.kinds)

st.subheader(t("equity.by_province", indicator=ctx.meta[f"short_{lang}"]))
group = st.radio(t("equity.group"), GROUP_COLUMNS, key="equity_group", horizontal=True,
                 format_func=lambda g: t(f"equity.group_{g}"))
by_prov = compare_groups(communes, values, ctx.meta, ctx.target, sel.year, group_col=group, by_province=True)
prov_view = equity_view(by_prov.assign(group=group).to_dict("records"), t, by_province=True)
show_table(prov_view.frame, lang, prov_view.kinds, height=480)
download_buttons({t("equity.title"): national.export, t("equity.by_province_sheet"): prov_view.export},
                 export_metadata(ctx), f"equity_{sel.year}_{sel.filters.province or 'VN'}", t, key="equity")
