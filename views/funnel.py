"""Funnel plot: commune rates against children measured, so small communes are not called 'worst' by chance."""

import streamlit as st

from geo.indicators.aggregate import aggregate_rates
from ui.context import load_context
from ui.export_panel import chart_export_buttons, map_data
from ui.widgets import funnel_figure, headline, open_profile_on_click

ctx = load_context(precision=True)
t, sel, meta, lang = ctx.t, ctx.sel, ctx.meta, ctx.sel.lang
headline(ctx, t("funnel.title"))
st.caption(t("lagging.subtitle", indicator=meta[f"name_{lang}"], area=ctx.area_name(), year=sel.year,
             target_year=sel.target_year))
if meta["measure"] == "yes_no":
    st.info(t("funnel.not_for_yes_no"))
    st.stop()
p0 = float(aggregate_rates(ctx.frame).iloc[0]["rate"])
st.caption(t("funnel.help"))
fig = funnel_figure(ctx, p0)
open_profile_on_click(fig, key="funnel", lang=lang, location_key="customdata")
chart_export_buttons(lambda: funnel_figure(ctx, p0, text_scale=1.0), ctx, name="funnel",
                     title=f"{t('funnel.title')} — {meta[f'name_{lang}']}, {ctx.area_name()}",
                     data=(len(ctx.frame), lambda: [map_data(ctx)]))
low = ctx.frame["low_precision"].sum()
st.caption(t("funnel.low_precision_count", n=int(low), threshold=sel.min_n))
