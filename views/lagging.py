"""Lagging communes for planners: who is furthest from (or nearest to) the target, and what it takes."""

import streamlit as st

from geo.analysis.ranking import (
    closest_to_qualifying,
    communes_needed_by_province,
    count_targets_met,
    progress_goal,
    rank_lagging,
    ranked_within,
)
from ui.context import load_context
from ui.export_panel import data_downloads, data_table, indicator_decimals
from ui.tables import PRECISION_COLUMNS, display_frame, search_box
from ui.widgets import headline, show_table

ctx = load_context(precision=True)
t, sel, meta, target, lang = ctx.t, ctx.sel, ctx.meta, ctx.target, ctx.sel.lang

headline(ctx, t("lagging.title"))
st.caption(t("lagging.subtitle", indicator=meta[f"name_{lang}"], area=ctx.area_name(), year=sel.year,
             target_year=sel.target_year))
title = t("lagging.title") + " — " + t("lagging.subtitle", indicator=meta[f"name_{lang}"], area=ctx.area_name(),
                                        year=sel.year, target_year=sel.target_year)
search = st.session_state.get("search", "")

if target is None:
    st.info(t("rank.no_target"))
elif meta["measure"] == "yes_no":
    st.caption(t("rank.needed_note"))
    needed = communes_needed_by_province(ctx.frame, target)
    for row in needed[needed["communes_needed"] > 0].head(5).itertuples():
        st.markdown("- " + t("rank.needed_sentence", n=row.communes_needed, province=row.province_name))
    st.subheader(t("rank.needed_by_province"))
    needed_view = display_frame(needed, t, lang)
    show_table(needed_view.frame, lang, needed_view.kinds)
    st.subheader(t("lagging.closest"))
    st.caption(t("rank.yes_no_note") + " " + t("table.open_profile"))
    others = count_targets_met(ctx.dataset.values, ctx.reg, sel.framework, sel.year, sel.target_year,
                               exclude=(meta["id"],))
    closest = search_box(closest_to_qualifying(ctx.frame, meta, others), t)
    view = display_frame(closest, t, lang)
    show_table(view.frame, lang, view.kinds, height=520, t=t, page_key="closest_page", code_column=t("col.code"),
               key="closest_table")
    data_downloads(ctx, lambda: [data_table(view, t("lagging.sheet")),
                                 data_table(needed_view, t("rank.needed_by_province"))],
                   kind="closest", title=title, key="closest", extra={"search": search})
else:
    st.radio(t("rank.order"), ("furthest", "nearest"), key="order", horizontal=True,
             format_func=lambda o: t(f"rank.{o}"))
    later = ctx.target_for(2030) if sel.target_year < 2030 else None
    order = st.session_state["order"]

    def ranking():  # the whole country's, once per view: a province or filter change only cuts it
        ranked = rank_lagging(ctx.everywhere, meta, target, order=order, history=ctx.values_of(meta["id"]),
                              year=sel.year, later=later)
        extra = [c for c in PRECISION_COLUMNS if c not in ranked]  # AARR and AARR needed come from rank_lagging
        return ranked.merge(ctx.everywhere[["code", *extra]], on="code", how="left", validate="one_to_one")

    ranked = ranked_within(ctx.national("lagging", (sel.framework, sel.indicator, sel.year, sel.target_year,
                                                    sel.min_n, order), ranking), ctx.frame["code"])
    goal = progress_goal(target, later, sel.year)
    if goal is not target:
        st.caption(t("targets.lagging.required_for_later", year=sel.target_year, later=goal.year) if goal
                   else t("targets.lagging.required_none"))
    if ranked.empty:
        st.info(t("rank.empty"))
    else:
        ranked = search_box(ranked, t)
        st.caption(t("lagging.count", n=len(ranked)))
        view = display_frame(ranked, t, lang, meta=meta)
        st.caption(t("table.open_profile"))
        show_table(view.frame, lang, view.kinds, height=560, t=t, page_key="lagging_page", code_column=t("col.code"),
                   key="lagging_table")
        data_downloads(ctx, lambda: [data_table(view, t("lagging.sheet"), indicator_decimals(ctx))], kind="lagging",
                       title=title, key="lagging", extra={"order": st.session_state["order"], "search": search})
