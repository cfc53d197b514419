"""Check page: each promise as the optimisers' models predict it, beside the simulation's
mean and 95 % interval; disagreements marked and explained."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from planner import views
from planner.ui import charts, pages

DISAGREES = "background-color: #fde2e1"


def page() -> None:
    st.title("Check")
    result = pages.scenario_result()
    if result is None:
        return
    rows = views.check_rows(result)
    sim = result.simulation
    off = [r for r in rows if r.agrees != "yes"]
    st.caption(
        f"Predicted by the optimisers' models (coverage, Erlang C, METRIC, Sherbrooke) beside "
        f"a seeded simulation of {sim['replications']} × {sim['years']:g} year(s) (seed "
        f"{sim['seed']}): {len(rows) - len(off)} of {len(rows)} predictions lie inside the "
        "simulation's 95 % interval. Shares are in percent."
    )
    frame = pd.DataFrame(views.CHECK.records(rows))
    agrees = views.CHECK.labels["agrees"]
    styled = frame.style.apply(
        lambda row: [DISAGREES if row[agrees] != "yes" else ""] * len(row), axis=1
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key="check_table",
        column_config=pages.number_formats(views.CHECK),
    )
    st.altair_chart(
        charts.check(
            [dataclasses.asdict(r) for r in rows], "Predicted against simulated (95 % interval)"
        ),
        width="stretch",
    )
    if off:
        st.subheader("Why they differ")
        notes: dict[str, list[str]] = {}
        for r in off:
            notes.setdefault(r.note or "no model assumption is recorded", []).append(
                f"{r.kpi} in {r.region}"
            )
        for note, where in notes.items():
            st.markdown(f"- **{', '.join(where)}**: {note}.")
    else:
        st.success("Every prediction lies inside its simulated interval.")


if __name__ == "__main__":
    page()
