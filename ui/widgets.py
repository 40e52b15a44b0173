"""Small shared display pieces: the illustrative-data label, the KPI cards and the profile page's parts."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.analysis.profile import projection_series
from geo.indicators.selection import Summary
from geo.indicators.status import MET, NO_DATA, NO_TARGET
from geo.indicators.uncertainty import wilson_interval
from geo.reporting.charts import build_trend_chart
from geo.store.keys import dataset_key
from geo.text.numbers import format_number, format_percent, format_points
from ui.cache import yearly_rates
from ui.state import MAP_NONCE_KEY
from ui.tables import TREND_STATES, TableView


def illustrative_badge(t, illustrative: bool) -> None:
    """Always visible when the built-in illustrative dataset is on screen."""
    if illustrative:
        st.warning(f"**{t('illustrative.badge')}** — {t('illustrative.note')}", icon="⚠️")


def kpi_cards(summary: Summary, meta: dict, target, target_year: int, year: int, t, lang: str) -> None:
    """Three cards: communes meeting the target, the aggregate, and the target with the gap or need."""
    c1, c2, c3 = st.columns(3)
    no_data = summary.n_communes - summary.n_reported
    c1.metric(
        t("kpi.communes_met", year=target_year),
        t("kpi.communes_met_value", met=format_number(summary.n_met, lang),
          total=format_number(summary.n_communes, lang)) if target is not None else "—",
        help=t("kpi.communes_met_help", reported=format_number(summary.n_reported, lang),
               no_data=format_number(no_data, lang)),
        border=True,
    )
    if meta["aggregation"] == "share_of_communes":
        c2.metric(t("kpi.share", year=year), format_percent(summary.rate, lang),
                  help=t("kpi.share_help", yes=format_number(summary.numerator, lang),
                         reported=format_number(summary.n_reported, lang)), border=True)
    else:
        c2.metric(t("kpi.aggregate", year=year), format_percent(summary.rate, lang),
                  help=t("kpi.aggregate_help", num=format_number(summary.numerator, lang),
                         den=format_number(summary.denominator, lang), what=meta[f"denominator_{lang}"]),
                  border=True)
    if target is None:
        c3.metric(t("kpi.target", target_year=target_year), "—", border=True,
                  help=t("kpi.no_target", target_year=target_year))
        return
    icon = {MET: "✔", NO_DATA: "∅", NO_TARGET: "·"}.get(summary.status, "✘")
    delta = t("kpi.gap", gap=format_points(summary.gap, lang))
    if summary.communes_needed is not None:
        delta = t("kpi.needed", n=format_number(summary.communes_needed, lang)) \
            if summary.communes_needed > 0 else t("kpi.reached")
    c3.metric(
        t("kpi.target", target_year=target_year) + ": " + target.text(lang),
        f"{icon} {t(f'status.{summary.status}')}",
        delta=delta, delta_color="off", delta_arrow="off", border=True,
    )


def map_labels(t, lang: str) -> dict:
    """Translated labels the figure builders need (they never hard-code text)."""
    return {k: t(f"status.{k}") for k in ("met", "not_met", "no_data", "no_target")} | {
        k: t(f"uncertainty.{k}") for k in ("clearly_met", "clearly_not_met", "not_clearly_different")} | {
        k: t(f"trend.status.{k}") for k in ("target_met", "on_track", "off_track", "not_assessable")} | {
        "yes": t("yes"), "no": t("no"), "value": t("hover.value"), "target": t("hover.target"),
        "gap": t("hover.gap"), "status": t("hover.status"), "legend_title": t("legend.title"), "lang": lang,
        "low_precision": t("uncertainty.low_precision"), "interval": t("uncertainty.interval_short")}


def keep_map_view() -> None:
    """Carry the user's zoom and position over reruns (see ui/assets/keep_map_view.js for why)."""
    script = (Path(__file__).parent / "assets" / "keep_map_view.js").read_text(encoding="utf-8")
    st.iframe(f"<script>{script}</script>", height=1)  # same-origin iframe: it may reach the chart


def open_profile_on_click(fig, *, key: str, lang: str, location_key: str = "location") -> None:
    """Draw a commune map; clicking a commune opens its profile page.

    The chart key changes after a click so that the old selection does not re-open the profile when
    the user comes back to the map.
    """
    if location_key == "location":
        keep_map_view()
    nonce = st.session_state.get(MAP_NONCE_KEY, 0)
    event = st.plotly_chart(fig, width="stretch", key=f"{key}_{nonce}", on_select="rerun", selection_mode="points",
                            config={"scrollZoom": True, "displaylogo": False, "locale": lang})
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    found = [p.get(location_key) for p in points]
    found = [(f[0] if isinstance(f, list) and f else f) for f in found]
    code = next((str(f) for f in found if len(str(f or "")) == 5 and str(f).isdigit()), None)
    if code:
        st.session_state["commune"] = code
        st.session_state[MAP_NONCE_KEY] = nonce + 1
        st.switch_page("views/profile.py")


def show_table(df, lang: str, kinds: dict[str, str], height: int | None = None) -> None:
    """A sortable table whose numbers read the way the language writes them (12,5% / 12.5%).

    Values stay numeric underneath (a pandas Styler only changes how they are displayed), so sorting
    a column sorts by number, not by text.
    """
    fmt = {
        "pct": lambda v: format_percent(v, lang),
        "int": lambda v: format_number(v, lang),
        "pp": lambda v: format_points(v, lang),
        "num1": lambda v: format_number(v, lang, 1),
    }
    styler = df.style.format({col: fmt[kind] for col, kind in kinds.items() if col in df.columns and kind in fmt},
                             na_rep="—")
    st.dataframe(styler, hide_index=True, width="stretch", height=height or "auto")


_ICONS = {MET: "✔", NO_DATA: "∅", NO_TARGET: "·"}


def status_line(t, row, year: int, meta: dict, lang: str) -> str:
    """'2025: dưới 15% — ✔ Đạt — 2.457/3.321 xã' (text and icon, never colour alone)."""
    text = getattr(row, f"target_text_{year}")
    if not isinstance(text, str) or not text:
        return f"**{year}**: {t('status.no_target')}"
    status = getattr(row, f"status_{year}")
    icon = _ICONS.get(status, "✘")
    needed = getattr(row, f"communes_needed_{year}")
    if meta["aggregation"] == "share_of_communes" and pd.notna(needed) and needed > 0:
        extra = t("kpi.needed", n=format_number(needed, lang))
    else:
        extra = t("overview.met_count", n=format_number(getattr(row, f"n_met_{year}"), lang),
                  total=format_number(row.n_reporting, lang))
    return f"**{year}**: {text} — {icon} {t(f'status.{status}')} — {extra}"


def province_hover(frame, t, lang: str):
    """Hover fields for the province map, in the same 5-slot layout as the commune map."""
    rows = [
        [html.escape(str(name)), t("overview.met_count", n=format_number(met, lang), total=format_number(rep, lang)),
         format_percent(value, lang), format_points(gap, lang), f"{_ICONS.get(status, '✘')} {t(f'status.{status}')}"]
        for name, met, rep, value, gap, status in zip(frame["province_name"], frame["n_met"], frame["n_reporting"],
                                                      frame["value"], frame["gap"], frame["status"], strict=True)
    ]
    return pd.Series(rows, index=frame.index, dtype=object)


def funnel_figure(ctx, p0: float):
    """The funnel plot for the current selection, labelled in the session's language."""
    from geo.reporting.charts import build_funnel_plot

    t = ctx.t
    labels = {"axis_denominator": t("funnel.axis_denominator"), "axis_value": t("chart.axis_value"),
              "value": t("chart.value"), "counts": t("funnel.counts"), "interval": t("chart.interval"),
              "province": t("col.province"), "target": t("chart.target"), "reference": t("funnel.reference"),
              "limit_95": t("funnel.limit_95"), "limit_998": t("funnel.limit_998"),
              "funnel_worse": t("funnel.worse"), "funnel_within": t("funnel.within"),
              "funnel_better": t("funnel.better"), "title": t("funnel.title")}
    frame = ctx.frame.drop(columns=["name"]).rename(columns={"full_name": "name", "province_name": "province"})
    return build_funnel_plot(frame, p0=p0, target=ctx.target, labels=labels, lang=ctx.lang,
                             direction=ctx.meta["direction"])


def area_trend(ctx):
    """Trend chart of the selection (sum of counts per year, 95% band) and its on-track verdict."""
    from geo.indicators.trends import aggregate_by_year, assess_area_trend
    from geo.reporting.charts import build_trend_chart

    t, lang, sel = ctx.t, ctx.lang, ctx.sel
    codes = ctx.selected["code"]
    values = ctx.dataset.values
    rows = values[(values["indicator"] == sel.indicator) & values["code"].isin(codes) & (values["year"] <= sel.year)]
    series = aggregate_by_year(rows)[["year", "value", "lo", "hi"]].assign(series_name=ctx.area_name())
    targets = [x for x in (ctx.target_for(2025), ctx.target_for(2030)) if x is not None]
    labels = {"axis_year": t("chart.axis_year"), "axis_value": t("chart.axis_value"), "year": t("chart.year"),
              "value": t("chart.value"), "interval": t("chart.interval"), "target": t("chart.target"),
              "projection": t("chart.projection")}
    fig = build_trend_chart(series, targets=targets, labels=labels, title="", lang=lang)
    res = assess_area_trend(rows, ctx.target, ctx.meta["direction"]).iloc[0]
    status = res["status"]
    label = t(f"trend.status.{status}") if status in ("target_met", "on_track", "off_track", "not_assessable") \
        else t(f"status.{status}")
    verdict = t("overview.trend_verdict", year=sel.target_year, status=label,
                aarr=format_number(res["aarr"], lang, 1), required=format_number(res["required_aarr"], lang, 1))
    return fig, verdict


def indicator_table(profile: dict, ctx) -> TableView:
    """One row per indicator: value, both targets with status, progress, and the comparisons with peers."""
    t, lang = ctx.t, ctx.lang
    indicators = profile["indicators"].merge(profile["trend"], on="indicator", how="left", validate="one_to_one")
    out = pd.DataFrame({
        t("col.indicator"): indicators["indicator"].map(lambda i: ctx.reg.indicator(i)[f"short_{lang}"]),
        t("col.value"): indicators["value"],
    })
    for year in (2025, 2030):
        out[t("col.target_year", year=year)] = indicators[f"target_text_{year}"].fillna("—")
        out[t("col.status_year", year=year)] = indicators[f"status_{year}"].map(
            lambda s: t(f"status.{s}") if isinstance(s, str) else "—")
    out[t("col.trend_status_year", year=ctx.sel.target_year)] = indicators["trend_status"].map(
        lambda s: t(f"trend.status.{s}") if s in TREND_STATES else t(f"status.{s}"))
    out[t("col.aarr")] = indicators["aarr"]
    out[t("col.province_value")] = indicators["province_value"]
    out[t("col.similar_value")] = indicators["similar_value"]
    out[t("col.national_value")] = indicators["national_value"]
    out[t("col.gap_vs_province")] = indicators["gap_vs_province"]
    kinds = {t("col.value"): "num1", t("col.province_value"): "num1", t("col.similar_value"): "num1",
             t("col.national_value"): "num1", t("col.gap_vs_province"): "num1", t("col.aarr"): "num1"}
    return TableView(frame=out, kinds=kinds, export=out)


def history_chart(profile: dict, ctx):
    """Commune (with its 95% interval), province and national lines, the targets, and the projection."""
    t, lang, ind = ctx.t, ctx.lang, ctx.sel.indicator
    prov = profile["commune"]["province_code"]
    own = profile["history"][profile["history"]["indicator"] == ind]
    lo, hi = wilson_interval(own["numerator"], own["denominator"])
    key = dataset_key(ctx.dataset.name, ctx.dataset.version)
    province = yearly_rates(key, ind, prov, _values=ctx.dataset.values, _communes=ctx.communes)
    national = yearly_rates(key, ind, "", _values=ctx.dataset.values, _communes=ctx.communes)
    name = profile["commune"]["full_name"]
    series = pd.concat([
        own[["year", "value"]].assign(series_name=name, lo=lo, hi=hi),
        province[["year", "value"]].assign(series_name=profile["commune"]["province_name"]),
        national[["year", "value"]].assign(series_name=t("chart.series_national")),
    ], ignore_index=True)
    targets = [x for x in (ctx.target_for(2025), ctx.target_for(2030)) if x is not None]
    trend = profile["trend"][profile["trend"]["indicator"] == ind]
    projections = projection_series(own, trend, name, ctx.meta["direction"])
    labels = {"axis_year": t("chart.axis_year"), "axis_value": t("chart.axis_value"), "year": t("chart.year"),
              "value": t("chart.value"), "interval": t("chart.interval"), "target": t("chart.target"),
              "projection": t("chart.projection")}
    return build_trend_chart(series, targets=targets, labels=labels, title=ctx.meta[f"name_{lang}"], lang=lang,
                             projections=projections)


def merger_list(profile: dict, t) -> str:
    """Markdown list of the pre-2025 units this commune was formed from (partial parts marked)."""
    if profile.get("unchanged"):
        return t("profile.unchanged")
    items = profile.get("before_merger") or []
    if not items:
        return "—"
    lines = [f"- {item['name']}" + (f" ({t('profile.partial')})" if item["partial"] else "") for item in items]
    return "\n".join(lines) + "\n\n" + t("profile.partial_note")


def equity_figure(ctx, rows: pd.DataFrame, *, title: str = ""):
    """Dots with 95% intervals, each priority group vs the rest; rows: equity.compare_groups + label."""
    from geo.reporting.equity_chart import build_equity_chart

    t = ctx.t
    labels = {k: t(f"equity.chart.{k}") for k in ("group", "rest", "axis_value", "interval", "gap", "communes",
                                                   "children", "small_mark", "small_note", "interval_note",
                                                   "target")}
    return build_equity_chart(rows, labels=labels, lang=ctx.lang, target=ctx.target, min_children=ctx.sel.min_n,
                              title=title)
