"""Commune profile: every indicator against its targets, its history, its peers and the old communes behind it."""

import streamlit as st

from geo.analysis.profile import commune_options
from geo.text.fold import searchable
from geo.text.numbers import format_number
from ui.cache import commune_profile
from ui.context import load_context
from ui.export_panel import chart_export_buttons
from ui.widgets import flag_state, headline, history_chart, indicator_table, merger_list, show_table

ctx = load_context(commune_page=True)
t, sel, lang = ctx.t, ctx.sel, ctx.sel.lang

headline(ctx, t("profile.title"))
labels = commune_options(ctx.communes)
st.selectbox(t("profile.pick"), [""] + list(labels), key="commune", help=t("picker.search_help"),
             format_func=lambda c: searchable(labels.get(c, "—")))
code = st.session_state.get("commune") or ""
if not code:
    st.info(t("profile.pick_hint"))
    st.stop()

p = commune_profile(f"{ctx.data_key}|{ctx.layers.key}", code, sel.framework,
                    sel.target_year, lang, _communes=ctx.communes, _values=ctx.dataset.values, _reg=ctx.reg)
c = p["commune"]
st.header(c["full_name"])
em, border = flag_state(c.get("em_area")), flag_state(c.get("border"))  # uploads may leave them unknown
flags = [t("col.em_area") if em == "yes" else None, t("col.border") if border == "yes" else None]
st.caption(" · ".join(x for x in [c["province_name"], t(f"type.{c['commune_type']}"), *flags] if x))
m1, m2, m3 = st.columns(3)
m1.metric(t("col.population"), format_number(c.get("population"), lang))
m2.metric(t("col.under5"), format_number(c.get("under5"), lang))  # uploads may not carry it
m3.metric(t("profile.data_year"), str(p["year"]))

st.subheader(t("profile.indicators"))
st.caption(t("profile.similar", em=t(em), border=t(border), n=p["similar"]["n_communes"]))
view = indicator_table(p, ctx)
show_table(view.frame, lang, view.kinds)

st.subheader(t("profile.history_of", indicator=ctx.meta[f"short_{lang}"]))
history = history_chart(p, ctx)
st.plotly_chart(history, width="stretch", key="history", config={"displaylogo": False})
chart_export_buttons(lambda: history_chart(p, ctx, text_scale=1.0), ctx, name="history",
                     title=f"{t('profile.history_of', indicator=ctx.meta[f'short_{lang}'])} — {c['full_name']}")

st.subheader(t("profile.before_merger"))
st.markdown(merger_list(p, t))
