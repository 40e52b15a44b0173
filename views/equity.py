"""Equity: each priority group (ethnic-minority, border, coastal, island communes) against the rest."""

import pandas as pd
import streamlit as st

from geo.analysis.equity import GROUP_COLUMNS, compare_groups
from geo.reporting.equity_chart import small_sides
from geo.store.keys import dataset_key
from ui.cache import equity_by_indicator
from ui.context import load_context
from ui.export_panel import chart_export_buttons, data_downloads, data_table
from ui.tables import equity_view
from ui.widgets import equity_figure, headline, show_table

ctx = load_context()
t, sel, lang = ctx.t, ctx.sel, ctx.sel.lang
headline(ctx, t("equity.title"))
st.caption(t("equity.subtitle", area=ctx.area_name(), year=sel.year))
st.caption(t("equity.gap_between_help"))

communes = ctx.selected
values = ctx.dataset.values
rows = equity_by_indicator(ctx.layers.key, dataset_key(ctx.dataset.name, ctx.dataset.version), sel.framework, sel.year,
                           sel.target_year, sel.filters, _communes=communes, _values=values, _reg=ctx.reg)
national = equity_view([r | {"indicator": ctx.reg.indicator(r["indicator"])[f"short_{lang}"]} for r in rows], t)

# The chart a journalist can publish: the current indicator, each priority group vs the rest.
groups = pd.DataFrame([r for r in rows if r["indicator"] == sel.indicator])
groups["label"] = [t(f"equity.group_{g}") for g in groups["group"]]
chart_title = t("equity.chart_title", indicator=ctx.meta[f"name_{lang}"], area=ctx.area_name(), year=sel.year)
small = small_sides(groups, min_children=sel.min_n)
if small.any():
    st.warning(t("equity.small_warning", names=", ".join(groups.loc[small, "label"])), icon=":material/warning:")
chart = equity_figure(ctx, groups, view=("groups",))
st.plotly_chart(chart, width="stretch", key="equity_chart", config={"displaylogo": False})
chart_export_buttons(lambda: equity_figure(ctx, groups, text_scale=1.0), ctx, name="equity_chart", title=chart_title)
show_table(national.frame, lang, national.kinds)

st.subheader(t("equity.by_province", indicator=ctx.meta[f"short_{lang}"]))
group = st.radio(t("equity.group"), GROUP_COLUMNS, key="equity_group", horizontal=True,
                 format_func=lambda g: t(f"equity.group_{g}"))
by_prov = ctx.summary("equity_provinces", (sel.framework, sel.indicator, sel.year, sel.target_year, sel.filters, group),
                      lambda: compare_groups(communes, ctx.values_of(sel.indicator), ctx.meta, ctx.target, sel.year,
                                             group_col=group, by_province=True))
prov_view = equity_view(by_prov.assign(group=group).to_dict("records"), t, by_province=True)
prov_chart = equity_figure(ctx, by_prov.assign(label=by_prov["province_name"]), view=("provinces", group))
st.plotly_chart(prov_chart, width="stretch", key="equity_province_chart", config={"displaylogo": False})
prov_title = t("equity.by_province", indicator=ctx.meta[f"name_{lang}"]) + " — " + t(f"equity.group_{group}")
chart_export_buttons(lambda: equity_figure(ctx, by_prov.assign(label=by_prov["province_name"]), text_scale=1.0), ctx,
                     name="equity_provinces", extra={"group": group}, title=prov_title)
show_table(prov_view.frame, lang, prov_view.kinds, height=480)
data_downloads(ctx, lambda: [data_table(national, t("equity.title")),
                             data_table(prov_view, t("equity.by_province_sheet"))],
               kind="equity", title=f"{t('equity.title')} — {ctx.area_name()}, {sel.year}", key="equity",
               extra={"group": group})
