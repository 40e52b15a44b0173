"""Pieces of the commune profile page: the commune picker, the indicator table, history, merger list."""

from __future__ import annotations

import pandas as pd

from geo.indicators.trends import project_value
from geo.indicators.uncertainty import wilson_interval
from geo.reporting.charts import build_trend_chart
from geo.store.keys import dataset_key
from ui.cache import yearly_rates
from ui.tables import TREND_STATES, TableView


def commune_options(communes: pd.DataFrame) -> dict[str, str]:
    """code -> 'Phường Ba Đình — Hà Nội', ordered by province then name."""
    ordered = communes.sort_values(["province_name", "full_name"])
    return dict(zip(ordered["code"], ordered["full_name"] + " — " + ordered["province_name"], strict=True))


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
    projections = None
    trend = profile["trend"][profile["trend"]["indicator"] == ind]
    known = own.dropna(subset=["value"])
    if len(trend) and pd.notna(trend["aarr"].iloc[0]) and len(known):
        last = known.sort_values("year").iloc[-1]
        projections = pd.DataFrame([
            {"year": y, "series_name": name,
             "value": project_value(last["value"], int(last["year"]), trend["aarr"].iloc[0], y,
                                    direction=ctx.meta["direction"])}
            for y in range(int(last["year"]), 2031)])
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
