"""Commune map: all communes coloured by value or by status against the 2025/2030 target."""

import streamlit as st

from geo import config
from geo.boundaries import BOUNDARY_SOURCE
from geo.choropleth import VIETNAM_BOUNDS, build_commune_map, hover_fields, view_for_bounds
from geo.view import assess_communes, attach_attributes, filter_communes, join_indicator, summarise
from ui.cache import ensure_layers, load_dataset, load_registry
from ui.i18n import translator
from ui.state import render_sidebar
from ui.widgets import illustrative_badge, kpi_cards

t = translator()
reg = load_registry(str(config.registry_dir()))
layers = ensure_layers(t)
sel = render_sidebar(reg, layers, t)
ds = load_dataset("illustrative", str(config.reference_dir()), layers.key)
meta = reg.indicator(sel.indicator) | {"short": reg.indicator(sel.indicator)[f"short_{sel.lang}"]}
target = reg.target(sel.framework, sel.indicator, sel.target_year)

st.title(meta[f"name_{sel.lang}"])
illustrative_badge(t, illustrative=True)

communes = attach_attributes(layers.communes, ds.attributes)
frame, report = join_indicator(communes, ds.values, sel.indicator, sel.year)
frame = assess_communes(filter_communes(frame, sel.filters), meta, target)
summary = summarise(frame, meta, target)
area = layers.provinces.set_index("code")["name"].get(sel.filters.province, t("filter.all_country"))
st.caption(t("kpi.selection", area=area, n=f"{len(frame):,}".replace(",", "." if sel.lang == "vi" else ",")))
kpi_cards(summary, meta, target, sel.target_year, sel.year, t, sel.lang)
if report.unknown_codes:
    st.warning(t("map.unmatched", n=len(report.unknown_codes), codes=", ".join(report.unknown_codes[:10])))

mode = sel.colour
if mode == "status" and target is None:
    st.info(t("map.status_without_target"))
    mode = "value"
if frame.empty:
    st.info(t("map.empty"))
else:
    labels = {k: t(f"status.{k}") for k in ("met", "not_met", "no_data", "no_target")} | {
        "yes": t("yes"), "no": t("no"), "value": t("hover.value"), "target": t("hover.target"),
        "gap": t("hover.gap"), "status": t("hover.status"), "legend_title": t("legend.title"), "lang": sel.lang}
    frame["hover"] = hover_fields(frame, meta, labels, sel.lang)
    prov = sel.filters.province
    bounds = layers.provinces.set_index("code").loc[prov, ["min_lon", "min_lat", "max_lon", "max_lat"]] \
        if prov else VIETNAM_BOUNDS
    center, zoom = view_for_bounds(*bounds)
    fig = build_commune_map(
        frame, geojson_url=layers.province_url(prov) if prov else layers.national_url,
        outline_url=layers.outline_url, outline_codes=layers.provinces["code"].tolist(), mode=mode, meta=meta,
        labels=labels, target_text=target.text(sel.lang) if target else "—", center=center, zoom=zoom,
        uirevision=f"map-{prov or 'vn'}",
    )
    st.plotly_chart(fig, width="stretch", key="commune_map",
                    config={"scrollZoom": True, "displaylogo": False, "locale": sel.lang})
st.caption(t("map.caption", boundary=BOUNDARY_SOURCE, dataset=t("illustrative.badge")))
