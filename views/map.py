"""Commune map: all communes coloured by value or by status against the 2025/2030 target."""

import streamlit as st

from geo.geometry.boundaries import BOUNDARY_SOURCE
from geo.indicators.selection import summarise
from geo.indicators.uncertainty import smooth_rates_eb
from geo.reporting.choropleth import hover_fields
from geo.reporting.webmap import area_bounds, map_payload
from geo.text.numbers import format_number
from ui import present
from ui.cache import per_view
from ui.context import load_context, view_key
from ui.export_panel import map_export_panel
from ui.state import colour_control
from ui.webmap import commune_map
from ui.widgets import headline, kpi_cards, map_labels

PRESENT_MAP_FRACTION = 0.9  # of the window's height, in presentation mode

ctx = load_context(precision=True)
t, sel, frame, meta, target = ctx.t, ctx.sel, ctx.frame, ctx.meta, ctx.target
colour_control(t)
present.enter_toggle(t)

# A compact header (one title line, one caption line) so the map starts within the first screen at 1280×720.
headline(ctx, meta[f"name_{sel.lang}"], subject=True, compact=True)
if ctx.report.unknown_codes:
    st.warning(t("map.unmatched", n=len(ctx.report.unknown_codes), codes=", ".join(ctx.report.unknown_codes[:10])))

mode = sel.colour
if mode == "status" and target is None:
    st.info(t("map.status_without_target"))
    mode = "value"
if frame.empty:
    st.info(t("map.empty"))
else:
    labels = map_labels(t, sel.lang)
    smooth = sel.smooth and mode in ("value", "classed") and meta["measure"] != "yes_no"
    if smooth:
        st.info(t("map.smoothed_note"))
    if mode == "trend":
        st.caption(t("trend.method_help"))
    prov = sel.filters.province
    # land outside the selection shows: the other provinces around a province, or communes filtered out
    outside = bool(prov) or len(frame) < len(ctx.layers.communes)

    def payload() -> dict:
        status_column = {"certainty": "certainty", "trend": "trend_status"}.get(mode, "status")
        hover = hover_fields(frame, meta, labels, sel.lang, status_column=status_column,
                             with_interval=meta["measure"] != "yes_no", target=target)
        shown = frame.assign(smoothed=smooth_rates_eb(frame["numerator"], frame["denominator"],
                                                      frame["province_code"])) if smooth else frame
        return map_payload(shown, hover, mode=mode, meta=meta, labels=labels,
                           target_text=target.text(sel.lang) if target else "—",
                           value_column="smoothed" if smooth else "value", outside=outside)

    key = view_key(ctx.layers, ctx.dataset, sel, precision=True)
    data = payload() if key is None else per_view((*key, repr(sel.filters), mode, sel.lang, smooth, outside),
                                                  _compute=payload)
    if not present.is_present():  # the presentation title names the area; the tiles count the communes
        st.caption(f'{t("kpi.selection", area=ctx.area_name(), n=format_number(len(frame), sel.lang))} · '
                   f'{t("map.click_hint")}')
    commune_map(data, layers=ctx.layers, geojson_url=ctx.layers.province_url(prov) if prov else
                ctx.layers.national_url, outline_url=ctx.layers.outline_url,
                bounds=area_bounds(ctx.layers.provinces, prov),
                view_key=f"map-{prov or 'vn'}", aria_label=t("nav.map"), labels_for=prov or "",
                fill_viewport=PRESENT_MAP_FRACTION if present.is_present() else None)
# The tiles under the map, so the map starts within the first screen (1280×720).
kpi_cards(summarise(frame, meta, target), meta, target, sel.target_year, sel.year, t, sel.lang)
st.caption(t("map.caption", boundary=BOUNDARY_SOURCE, dataset=ctx.dataset.label))
map_export_panel(ctx)
