"""Small shared display pieces: the illustrative-data label, the KPI cards and the profile page's parts."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.analysis.profile import projection_series
from geo.indicators.selection import Summary, in_codes
from geo.indicators.status import MET, NO_DATA, NO_TARGET, NOT_APPLICABLE
from geo.indicators.uncertainty import wilson_interval
from geo.reporting.charts import build_trend_chart
from geo.text.numbers import format_number, format_percent, format_points
from ui.cache import yearly_rates
from ui.context import plan_notes
from ui.present import is_present
from ui.present import text_scale as current_scale
from ui.state import MAP_NONCE_KEY, TABLE_NONCE_KEY
from ui.tables import TREND_STATES, TableView, data_grid


def flag_state(value) -> str:
    """"yes" / "no" / "flag.unknown" for an attribute flag that an uploaded dataset may not carry (NA)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "flag.unknown"
    return "yes" if bool(value) else "no"


def illustrative_badge(t, illustrative: bool) -> None:
    """Always visible when the built-in illustrative dataset is on screen."""
    if illustrative:
        st.warning(f"**{t('illustrative.badge')}** — {t('illustrative.note')}", icon=":material/warning:")


def headline(ctx, title: str, *, subject: bool = False, compact: bool = False) -> None:
    """The page title, the illustrative mark and the plan notes (summary values, plan outside its area).

    In presentation mode the mark sits in the title line and, with ``subject``, the title names the
    indicator, the area and the year, so a room reads what is shown without the sidebar and the map
    starts on the first screen.
    """
    t = ctx.t
    if is_present():
        if subject:
            title = t("present.title", indicator=ctx.meta[f"short_{ctx.lang}"], area=ctx.area_name(),
                      year=ctx.sel.year)
        mark = f" :orange-badge[:material/warning: {t('illustrative.badge')}]" if ctx.illustrative else ""
        st.title(title + mark, help=t("illustrative.note") if ctx.illustrative else None)
    else:  # compact: a subheader, so a page's map starts high on the first screen (1280×720)
        (st.subheader if compact else st.title)(title)
        illustrative_badge(t, ctx.illustrative)
    plan_notes(t, ctx.reg, ctx.sel, ctx.areas or {}, ctx.selected["code"])


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
    return {k: t(f"status.{k}") for k in ("met", "not_met", "no_data", "no_target", "not_applicable")} | {
        k: t(f"uncertainty.{k}") for k in ("clearly_met", "clearly_not_met", "not_clearly_different")} | {
        k: t(f"trend.status.{k}") for k in ("target_met", "on_track", "off_track", "not_assessable")} | {
        "yes": t("yes"), "no": t("no"), "value": t("hover.value"), "target": t("hover.target"),
        "gap": t("hover.gap"), "status": t("hover.status"), "legend_title": t("legend.title"), "lang": lang,
        "low_precision": t("uncertainty.low_precision"), "interval": t("uncertainty.interval_short"),
        "sea": t("maplegend.sea"), "neighbours": t("maplegend.neighbours"), "outside": t("maplegend.outside"),
        "partial": t("maplegend.partial")}


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


PAGE_ROWS = 200


def show_table(df, lang: str, kinds: dict[str, str], height: int | None = None, *, t=None,
               page_key: str | None = None, code_column: str | None = None, key: str | None = None) -> None:
    """A sortable table whose numbers read the way the language writes them (12,5% / 12.5%).

    Values stay numeric underneath (a pandas Styler only changes how they are displayed), so sorting
    a column sorts by number, not by text. With page_key, long tables are shown PAGE_ROWS rows at a
    time: the Styler then formats one page instead of every row on every rerun (it was half of a
    lagging-page rerun); downloads still hold every row. With code_column (the labelled commune-code
    column) and key, choosing a row opens that commune's profile.
    """
    if page_key and t is not None and len(df) > PAGE_ROWS:
        pages = -(-len(df) // PAGE_ROWS)
        if int(st.session_state.get(page_key) or 1) > pages:  # fewer rows after a filter change
            st.session_state[page_key] = pages
        page = st.number_input(t("table.page", pages=pages, rows=PAGE_ROWS), min_value=1, max_value=pages,
                               step=1, key=page_key)
        start = (min(int(page), pages) - 1) * PAGE_ROWS
        df = df.iloc[start:start + PAGE_ROWS]
    fmt = {
        "pct": lambda v: format_percent(v, lang),
        "int": lambda v: format_number(v, lang),
        "pp": lambda v: format_points(v, lang),
        "num1": lambda v: format_number(v, lang, 1),
    }
    numeric = [col for col, kind in kinds.items() if col in df.columns and kind in fmt]
    if numeric:  # an object column of None (a yes/no indicator's AARR) is formatted like the numbers around it
        df = df.assign(**{col: pd.to_numeric(df[col], errors="coerce") for col in numeric})
    styler = df.style.format({col: fmt[kinds[col]] for col in numeric}, na_rep="—")
    if code_column is None or key is None or code_column not in df.columns:
        data_grid(styler, height=height or "auto")
        return
    nonce = st.session_state.get(TABLE_NONCE_KEY, 0)
    event = data_grid(styler, height=height or "auto", key=f"{key}_{nonce}", on_select="rerun",
                      selection_mode="single-row")
    rows = event.selection.rows if event else []
    if rows:
        st.session_state["commune"] = str(df[code_column].iloc[rows[0]])
        st.session_state[TABLE_NONCE_KEY] = nonce + 1  # a fresh table next time: the old choice does not reopen
        st.switch_page("views/profile.py")


_ICONS = {MET: "✔", NO_DATA: "∅", NO_TARGET: "·", NOT_APPLICABLE: "—"}


def status_line(t, row, year: int, meta: dict, lang: str, reg=None, framework: str | None = None) -> str:
    """'2025: dưới 15% — ✔ Đạt — 2.457/3.321 xã' (text and icon, never colour alone).

    Without a target in this plan, the line names another shipped plan's target for the indicator
    (given ``reg`` and ``framework``) instead of a bare "no target".
    """
    text = getattr(row, f"target_text_{year}")
    if not isinstance(text, str) or not text:
        from geo.indicators.plans import targets_elsewhere

        others = targets_elsewhere(reg, row.indicator, year, exclude=framework) if reg is not None else []
        if others:
            named = "; ".join(f"{reg.framework(o.framework_id)[f'name_{lang}']}: {o.text(lang)}" for o in others)
            return t("overview.elsewhere", year=year, plans=named)
        return f"**{year}**: {t('status.no_target')}"
    group = getattr(row, f"target_group_{year}", "")
    if isinstance(group, str) and group:
        text = f"{text} ({t('overview.group_target', group=t(f'group.{group}'))})"
    status = getattr(row, f"status_{year}")
    icon = _ICONS.get(status, "✘")
    needed = getattr(row, f"communes_needed_{year}")
    if status == NOT_APPLICABLE:
        extra = ""
    elif meta["aggregation"] == "share_of_communes" and pd.notna(needed) and needed > 0:
        extra = " — " + t("kpi.needed", n=format_number(needed, lang))
    else:
        extra = " — " + t("overview.met_count", n=format_number(getattr(row, f"n_met_{year}"), lang),
                          total=format_number(row.n_reporting, lang))
    n_zero = int(getattr(row, "n_zero", 0) or 0)
    if n_zero:  # communes that reported 0 of 0: counted apart, never as "no data" nor as failing
        extra += " · " + t("targets.overview.not_applicable_count", n=format_number(n_zero, lang))
    return f"**{year}**: {text} — {icon} {t(f'status.{status}')}{extra}"


def province_hover(frame, t, lang: str):
    """Hover fields for the province map, in the same 5-slot layout as the commune map."""
    rows = [
        [html.escape(str(name)), t("overview.met_count", n=format_number(met, lang), total=format_number(rep, lang)),
         format_percent(value, lang), format_points(gap, lang), f"{_ICONS.get(status, '✘')} {t(f'status.{status}')}"]
        for name, met, rep, value, gap, status in zip(frame["province_name"], frame["n_met"], frame["n_reporting"],
                                                      frame["value"], frame["gap"], frame["status"], strict=True)
    ]
    return pd.Series(rows, index=frame.index, dtype=object)


def funnel_figure(ctx, p0: float, text_scale: float | None = None):
    """The funnel plot for the current selection, labelled in the session's language (text sized for the
    mode unless ``text_scale`` is given: exports pass 1)."""
    from geo.reporting.charts import build_funnel_plot

    t = ctx.t
    labels = {"axis_denominator": t("funnel.axis_denominator"), "axis_value": t("chart.axis_value"),
              "value": t("chart.value"), "counts": t("funnel.counts"), "interval": t("chart.interval"),
              "province": t("col.province"), "target": t("chart.target"), "reference": t("funnel.reference"),
              "limit_95": t("funnel.limit_95"), "limit_998": t("funnel.limit_998"),
              "funnel_worse": t("funnel.worse"), "funnel_within": t("funnel.within"),
              "funnel_better": t("funnel.better"), "title": t("funnel.title")}

    def build(scale: float):
        frame = ctx.frame.drop(columns=["name"]).rename(columns={"full_name": "name", "province_name": "province"})
        return build_funnel_plot(frame, p0=p0, target=ctx.target, labels=labels, lang=ctx.lang,
                                 direction=ctx.meta["direction"], text_scale=scale)

    if text_scale is not None:
        return build(text_scale)
    scale, sel = current_scale(), ctx.sel
    return ctx.figure("funnel", (sel.framework, sel.indicator, sel.year, sel.target_year, sel.min_n, sel.filters,
                                 ctx.lang, scale, p0), lambda: build(scale))


def area_trend(ctx, text_scale: float | None = None):
    """Trend chart of the selection (sum of counts per year, 95% band) and its on-track verdict."""
    t, lang, sel = ctx.t, ctx.lang, ctx.sel
    trend = ctx.summary("area_trend", (sel.framework, sel.indicator, sel.year, sel.target_year, sel.filters),
                        lambda: _area_trend_figures(ctx))
    labels = {"axis_year": t("chart.axis_year"), "axis_value": t("chart.axis_value"), "year": t("chart.year"),
              "value": t("chart.value"), "interval": t("chart.interval"), "target": t("chart.target"),
              "projection": t("chart.projection")}

    def build(scale: float):
        return build_trend_chart(trend["series"].assign(series_name=ctx.area_name()), targets=trend["targets"],
                                 labels=labels, title="", lang=lang, text_scale=scale)

    if text_scale is not None:
        fig = build(text_scale)
    else:
        scale = current_scale()
        fig = ctx.figure("area_trend", (sel.framework, sel.indicator, sel.year, sel.target_year, sel.filters, lang,
                                        scale), lambda: build(scale))
    target, res = trend["target"], trend["res"]
    if target is None or pd.isna(res["deadline_reached"]) or not bool(res["deadline_reached"]):
        return fig, _progress_line(t, res, sel.target_year, lang)
    # The target year has come (or the target is due every year): say met / not met, not "required AARR —",
    # and offer the assessment against the next target.
    from geo.indicators.status import compute_gap

    met = target.is_met(res["last_value"])
    gap = float(compute_gap(pd.Series([res["last_value"]]), target, ctx.meta["direction"]).iloc[0])
    key = {(True, True): "trend.standing_met", (True, False): "trend.standing_not_met",
           (False, True): "trend.year_reached_met", (False, False): "trend.year_reached_not_met"}[
        (bool(target.standing), bool(met))]
    verdict = t(key, year=target.year, value=format_percent(res["last_value"], lang), target=target.text(lang),
                gap=format_number(max(gap, 0.0), lang, 1))
    if trend["later"] is not None:
        verdict += "  \n" + _progress_line(t, trend["later"], 2030, lang)
    return fig, verdict


def _area_trend_figures(ctx) -> dict:
    """The selection's yearly series, the targets that apply to it and its trend assessments (no text)."""
    from geo.indicators.trends import aggregate_by_year, assess_area_trend

    sel = ctx.sel
    selected = ctx.selected
    values = ctx.values_of(sel.indicator)
    rows = values[values["year"] <= sel.year]
    rows = rows[in_codes(rows["code"], selected["code"])]
    series = aggregate_by_year(rows)[["year", "value", "lo", "hi"]]
    targets = [x.for_area(selected) for x in (ctx.target_for(2025), ctx.target_for(2030)) if x is not None]
    target = ctx.target.for_area(selected) if ctx.target is not None else None
    res = assess_area_trend(rows, target, ctx.meta["direction"]).iloc[0]
    later = None
    if target is not None and not pd.isna(res["deadline_reached"]) and bool(res["deadline_reached"]):
        nxt = ctx.target_for(2030) if target.year < 2030 and not target.standing else None
        if nxt is not None:
            later = assess_area_trend(rows, nxt.for_area(selected), ctx.meta["direction"]).iloc[0]
    return {"series": series, "targets": targets, "target": target, "res": res, "later": later}


def _progress_line(t, res, year: int, lang: str) -> str:
    status = res["status"]
    label = t(f"trend.status.{status}") if status in ("target_met", "on_track", "off_track", "not_assessable") \
        else t(f"status.{status}")
    return t("overview.trend_verdict", year=year, status=label, aarr=format_number(res["aarr"], lang, 1),
             required=format_number(res["required_aarr"], lang, 1))


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
    if "coverage" in indicators and indicators["coverage"].dropna().ne("complete").any():
        out[t("cover.col_coverage")] = indicators["coverage"].map(
            lambda v: t(f"coverage.{v}") if isinstance(v, str) else "—")
    if "basis" in indicators and indicators["basis"].dropna().ne("counts").any():
        out[t("cover.col_basis")] = indicators["basis"].map(
            lambda v: t(f"cover.basis.{v}") if isinstance(v, str) else "—")
    out[t("col.aarr")] = indicators["aarr"]
    out[t("col.province_value")] = indicators["province_value"]
    out[t("col.similar_value")] = indicators["similar_value"]
    out[t("col.national_value")] = indicators["national_value"]
    out[t("col.gap_vs_province")] = indicators["gap_vs_province"]
    kinds = {t("col.value"): "num1", t("col.province_value"): "num1", t("col.similar_value"): "num1",
             t("col.national_value"): "num1", t("col.gap_vs_province"): "num1", t("col.aarr"): "num1"}
    return TableView(frame=out, kinds=kinds, export=out)


def history_chart(profile: dict, ctx, text_scale: float | None = None):
    """Commune (with its 95% interval), province and national lines, the targets, and the projection."""
    t, lang, ind = ctx.t, ctx.lang, ctx.sel.indicator
    prov = profile["commune"]["province_code"]
    own = profile["history"][profile["history"]["indicator"] == ind]
    lo, hi = wilson_interval(own["numerator"], own["denominator"])
    key = ctx.data_key
    province = yearly_rates(key, ind, prov, _values=ctx.values_of(ind), _communes=ctx.communes)
    national = yearly_rates(key, ind, "", _values=ctx.values_of(ind), _communes=ctx.communes)
    name = profile["commune"]["full_name"]
    series = pd.concat([
        own[["year", "value"]].assign(series_name=name, lo=lo, hi=hi),
        province[["year", "value"]].assign(series_name=profile["commune"]["province_name"]),
        national[["year", "value"]].assign(series_name=t("chart.series_national")),
    ], ignore_index=True)
    commune = pd.DataFrame([profile["commune"]])  # its group's own targets (e.g. ethnic-minority areas)
    targets = [x.for_area(commune) for x in (ctx.target_for(2025), ctx.target_for(2030)) if x is not None]
    trend = profile["trend"][profile["trend"]["indicator"] == ind]
    projections = projection_series(own, trend, name, ctx.meta["direction"])
    labels = {"axis_year": t("chart.axis_year"), "axis_value": t("chart.axis_value"), "year": t("chart.year"),
              "value": t("chart.value"), "interval": t("chart.interval"), "target": t("chart.target"),
              "projection": t("chart.projection")}
    return build_trend_chart(series, targets=targets, labels=labels, title=ctx.meta[f"name_{lang}"], lang=lang,
                             projections=projections, text_scale=current_scale() if text_scale is None else text_scale)


def merger_list(profile: dict, t) -> str:
    """Markdown list of the pre-2025 units this commune was formed from (partial parts marked)."""
    if profile.get("unchanged"):
        return t("profile.unchanged")
    items = profile.get("before_merger") or []
    if not items:
        return "—"
    lines = [f"- {item['name']}" + (f" ({t('profile.partial')})" if item["partial"] else "") for item in items]
    return "\n".join(lines) + "\n\n" + t("profile.partial_note")


def plan_comparison(t, reg, indicator: str, value: float, year: int, lang: str) -> pd.DataFrame:
    """Every plan's 2025 and 2030 target for one indicator beside the selection's value, labelled for display."""
    from geo.indicators.plans import compare_plans

    rows = []
    for rec in compare_plans(reg, indicator, value).itertuples(index=False):
        name = reg.framework(rec.framework)[f"name_{lang}"]
        out = {t("overview.compare_plan"): name + (f" ({t('overview.compare_summary')})" if rec.from_summary else ""),
               t("overview.compare_value", year=year): format_percent(value, lang)}
        for ty in (2025, 2030):
            target, met = getattr(rec, f"target_{ty}"), getattr(rec, f"met_{ty}")
            out[t("overview.compare_target", year=ty)] = target.text(lang) if target is not None else "—"
            status = NO_TARGET if target is None else NO_DATA if pd.isna(met) else MET if met else "not_met"
            out[t("overview.compare_status", year=ty)] = f"{_ICONS.get(status, '✘')} {t(f'status.{status}')}"
        rows.append(out)
    return pd.DataFrame(rows)


def equity_figure(ctx, rows: pd.DataFrame, *, title: str = "", text_scale: float | None = None,
                  view: tuple | None = None):
    """Dots with 95% intervals, each priority group vs the rest; rows: equity.compare_groups + label.

    ``view`` names what ``rows`` were computed from beyond the sidebar selection (the chart kind, the group):
    with it, the on-screen chart is built once and shared (exports, with their own ``text_scale``, never are).
    """
    from geo.reporting.equity_chart import build_equity_chart

    t = ctx.t
    labels = {k: t(f"equity.chart.{k}") for k in ("group", "rest", "axis_value", "interval", "gap", "communes",
                                                   "children", "small_mark", "small_note", "interval_note",
                                                   "target")}

    def build(scale: float):
        return build_equity_chart(rows, labels=labels, lang=ctx.lang, target=ctx.target, min_children=ctx.sel.min_n,
                                  title=title, text_scale=scale)

    if text_scale is not None or view is None:
        return build(current_scale() if text_scale is None else text_scale)
    scale, sel = current_scale(), ctx.sel
    return ctx.figure("equity", (*view, sel.framework, sel.indicator, sel.year, sel.target_year, sel.min_n,
                                 sel.filters, ctx.lang, scale, title), lambda: build(scale))
