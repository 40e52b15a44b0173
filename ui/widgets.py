"""Small shared display pieces: the illustrative-data label and the KPI cards."""

from __future__ import annotations

import streamlit as st

from geo.fmt import format_number, format_percent, format_points
from geo.status import MET, NO_DATA, NO_TARGET
from geo.view import Summary


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
