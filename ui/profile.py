"""Pieces of the commune profile page: the commune picker, the indicator table, history, merger list."""

from __future__ import annotations

import pandas as pd

from geo.trend_charts import build_trend_chart
from geo.trends import aggregate_by_year
from ui.tables import TableView


def commune_options(communes: pd.DataFrame) -> dict[str, str]:
    """code -> 'Phường Ba Đình — Hà Nội', ordered by province then name."""
    ordered = communes.sort_values(["province_name", "full_name"])
    return dict(zip(ordered["code"], ordered["full_name"] + " — " + ordered["province_name"], strict=True))


def indicator_table(indicators: pd.DataFrame, ctx) -> TableView:
    """One row per indicator: value, both targets with status, and the comparisons with peers."""
    t, lang = ctx.t, ctx.lang
    status = {2025: t("col.status_year", year=2025), 2030: t("col.status_year", year=2030)}
    out = pd.DataFrame({
        t("col.indicator"): indicators["indicator"].map(lambda i: ctx.reg.indicator(i)[f"short_{lang}"]),
        t("col.value"): indicators["value"],
    })
    for year in (2025, 2030):
        out[t("col.target_year", year=year)] = indicators[f"target_text_{year}"].fillna("—")
        out[status[year]] = indicators[f"status_{year}"].map(lambda s: t(f"status.{s}") if isinstance(s, str) else "—")
    out[t("col.province_value")] = indicators["province_value"]
    out[t("col.similar_value")] = indicators["similar_value"]
    out[t("col.national_value")] = indicators["national_value"]
    out[t("col.gap_vs_province")] = indicators["gap_vs_province"]
    kinds = {t("col.value"): "num1", t("col.province_value"): "num1", t("col.similar_value"): "num1",
             t("col.national_value"): "num1", t("col.gap_vs_province"): "num1"}
    return TableView(frame=out, kinds=kinds, export=out)


def history_chart(profile: dict, ctx):
    """Commune, province and national lines 2021–2025 with the 2025/2030 targets as points."""
    t, lang, ind = ctx.t, ctx.lang, ctx.sel.indicator
    prov = profile["commune"]["province_code"]
    own = profile["history"][profile["history"]["indicator"] == ind][["year", "value"]]
    values = ctx.dataset.values[ctx.dataset.values["indicator"] == ind]
    in_prov = values["code"].isin(ctx.communes.loc[ctx.communes["province_code"] == prov, "code"])
    series = pd.concat([
        own.assign(series_name=profile["commune"]["full_name"]),
        aggregate_by_year(values[in_prov])[["year", "value"]].assign(series_name=profile["commune"]["province_name"]),
        aggregate_by_year(values)[["year", "value"]].assign(series_name=t("chart.series_national")),
    ], ignore_index=True)
    targets = [x for x in (ctx.target_for(2025), ctx.target_for(2030)) if x is not None]
    labels = {"axis_year": t("chart.axis_year"), "axis_value": t("chart.axis_value"), "year": t("chart.year"),
              "value": t("chart.value"), "interval": t("chart.interval"), "target": t("chart.target"),
              "projection": t("chart.projection")}
    return build_trend_chart(series, targets=targets, labels=labels, title=ctx.meta[f"name_{lang}"], lang=lang)


def merger_list(profile: dict, t) -> str:
    """Markdown list of the pre-2025 units this commune was formed from (partial parts marked)."""
    if profile.get("unchanged"):
        return t("profile.unchanged")
    items = profile.get("before_merger") or []
    if not items:
        return "—"
    lines = [f"- {item['name']}" + (f" ({t('profile.partial')})" if item["partial"] else "") for item in items]
    return "\n".join(lines) + "\n\n" + t("profile.partial_note")
