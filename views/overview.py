"""Overview for meetings: one tile per target for the country or a province, and a status map (provinces of
the country, a click opens one; or the communes of a province)."""

import streamlit as st

from geo.analysis.overview import summarise_provinces, summarise_targets
from geo.reporting.choropleth import hover_fields
from geo.reporting.webmap import area_bounds, map_payload
from geo.text.numbers import format_number, format_percent
from ui import present
from ui.context import load_context
from ui.export_panel import briefing_panel, chart_export_buttons, data_table, province_export_figure
from ui.tables import data_grid, display_frame
from ui.webmap import commune_map
from ui.widgets import area_trend, headline, map_labels, plan_comparison, province_hover, status_line

ctx = load_context()
t, sel, lang = ctx.t, ctx.sel, ctx.sel.lang
present.enter_toggle(t)

headline(ctx, t("overview.heading", area=ctx.area_name(), year=sel.year), subject=True)
table = ctx.summary("targets", (sel.framework, sel.year, sel.filters, lang), lambda: summarise_targets(
    ctx.communes, ctx.dataset.values, ctx.reg, sel.framework, sel.year, sel.filters, lang=lang))
st.caption(t("overview.framework", framework=ctx.reg.framework(sel.framework)[f"name_{lang}"]))

columns = st.columns(3 if present.is_present() else 4)
for i, row in enumerate(table.itertuples(index=False)):
    meta = ctx.reg.indicator(row.indicator)
    with columns[i % len(columns)].container(border=True):
        st.markdown(f"**{meta[f'short_{lang}']}**")
        st.markdown(f"## {format_percent(row.value, lang)}")
        if row.role == "context":
            st.caption(t("overview.context"))
        else:
            for year in (2025, 2030):
                st.markdown(status_line(t, row, year, meta, lang, ctx.reg, sel.framework))
        st.caption(t("overview.reporting", n=format_number(row.n_reporting, lang),
                     total=format_number(row.n_communes, lang)))

value = float(table.set_index("indicator").loc[sel.indicator, "value"])
with st.expander(t("overview.compare_title", indicator=ctx.meta[f"short_{lang}"], area=ctx.area_name()),
                 icon=":material/balance:"):
    comparison = plan_comparison(t, ctx.reg, sel.indicator, value, sel.year, lang)
    if comparison.empty:
        st.info(t("overview.compare_none"))
    else:
        data_grid(comparison)

st.subheader(t("overview.trend_title", indicator=ctx.meta[f"short_{lang}"], area=ctx.area_name()))
chart, verdict = area_trend(ctx)
st.markdown(verdict)
st.plotly_chart(chart, width="stretch", key="area_trend", config={"displaylogo": False})
chart_export_buttons(lambda: area_trend(ctx, text_scale=1.0)[0], ctx, name="area_trend",
                     title=t("overview.trend_title", indicator=ctx.meta[f"name_{lang}"], area=ctx.area_name()))

prov = sel.filters.province
st.subheader(t("maplegend.province_communes", province=ctx.area_name(), year=sel.target_year) if prov else
             t("overview.by_province_map", indicator=ctx.meta[f"short_{lang}"], year=sel.target_year))
provinces = ctx.summary("provinces", (sel.framework, sel.indicator, sel.year, sel.target_year, sel.filters),
                        lambda: summarise_provinces(ctx.communes, ctx.dataset.values, ctx.reg, sel.framework,
                                                    sel.indicator, sel.year, sel.target_year, filters=sel.filters))
if ctx.target is None:
    st.info(t("kpi.no_target", target_year=sel.target_year))
else:
    labels = map_labels(t, lang)
    if prov:  # a province: its communes, each against the target that applies to it
        frame = ctx.frame
        hover = hover_fields(frame, ctx.meta, labels, lang, target=ctx.target)
        payload = map_payload(frame, hover, mode="status", meta=ctx.meta, labels=labels,
                              target_text=ctx.target.text(lang), outside=True)
        st.caption(t("map.click_hint"))
    else:  # the country: one shape per province; a click opens that province
        frame = provinces.rename(columns={"province_code": "code"})
        payload = map_payload(frame, province_hover(frame, t, lang), mode="status", meta=ctx.meta, labels=labels,
                              target_text=ctx.target.text(lang), with_names=True)
        st.caption(t("maplegend.province_click_hint"))
    commune_map(payload, layers=ctx.layers, geojson_url=ctx.layers.province_url(prov) if prov else
                ctx.layers.outline_url, outline_url=ctx.layers.outline_url,
                bounds=area_bounds(ctx.layers.provinces, prov), view_key=f"ov-{prov or 'vn'}",
                aria_label=t("overview.by_province_map", indicator=ctx.meta[f"short_{lang}"], year=sel.target_year),
                labels_for=prov or "", click="profile" if prov else "province", key="overview_map")
    chart_export_buttons(lambda: province_export_figure(ctx, provinces), ctx, name="province_map",
                         title=t("overview.by_province_map", indicator=ctx.meta[f"name_{lang}"], year=sel.target_year),
                         data=(len(provinces), lambda: [data_table(display_frame(provinces, t, lang),
                                                                   t("equity.by_province_sheet"))]))
briefing_panel(ctx)
