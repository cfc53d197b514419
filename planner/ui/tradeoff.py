"""Trade-off page: cost against coverage for one region's stations, and stock value against
parts availability, each point proven optimal or bounded, with the scenario's own point."""

from __future__ import annotations

import json

import streamlit as st

from planner import views
from planner.ui import charts, pages, parts, state


def default_targets(own: float) -> str:
    values = sorted({0.6, 0.7, 0.8, 0.9, 0.95, 1.0, round(own, 4)})
    return ", ".join(f"{v:g}" for v in values)


def page() -> None:
    st.title("Trade-off")
    result = pages.scenario_result()
    if result is None:
        return
    region, names = pages.choose_region(result, "to_region")
    outcome = next(r for r in result.regions if r.region == region)
    version = f"{st.session_state.get('current')}|{region}"
    if st.session_state.get("to_for") != version:  # a new region or run: start from its own
        st.session_state["to_targets"] = default_targets(outcome.coverage_target)
        st.session_state["to_hours"] = f"{outcome.onsite_hours:g}"
        st.session_state["to_for"] = version
    st.session_state.setdefault("to_limit", 5.0)
    st.session_state.setdefault("to_parts_limit", parts.CURVE_SECONDS)
    st.session_state.setdefault("to_parts_targets", parts.CURVE_TARGETS)
    with st.form("tradeoff-inputs"):
        left, mid = st.columns(2)
        left.text_input("Coverage targets (0 to 1, comma-separated)", key="to_targets")
        mid.text_input("On-site promises (h, comma-separated)", key="to_hours")
        left, mid = st.columns(2)
        left.number_input(
            "Time limit per point (s)", min_value=1.0, max_value=600.0, step=1.0, key="to_limit"
        )
        mid.text_input(
            "Parts availability targets (0 to 1, comma-separated)", key="to_parts_targets"
        )
        st.number_input(
            "Time limit per parts point (s)",
            min_value=0.5,
            max_value=600.0,
            step=0.5,
            key="to_parts_limit",
        )
        st.form_submit_button("Sweep")
    try:
        targets = views.parse_numbers("coverage targets", st.session_state["to_targets"], 0.0, 1.0)
        hours = views.parse_numbers("on-site promises", st.session_state["to_hours"], 0.1, 168.0)
    except ValueError as exc:
        st.error(str(exc))
        return
    limit = float(st.session_state["to_limit"])
    st.subheader("Network cost against coverage")
    rows = state.frontier(json.dumps(result.technicians[region]["problem"]), targets, hours, limit)
    labels = views.FRONTIER.labels
    points = [
        {
            "coverage_target": r.coverage_target,
            "annual_cost": r.annual_cost,
            "status": str(r.status),
            "onsite_hours": r.onsite_hours,
        }
        for r in rows
    ]
    own = {"coverage_target": outcome.coverage_target, "annual_cost": outcome.cost}
    st.altair_chart(
        charts.cost_curve(
            points,
            own,
            x="coverage_target",
            x_title="coverage target (% of calls within the promise)",
            y="annual_cost",
            y_title="stations, technicians and travel (CNY a year)",
            title=f"{names.get(region, region)}: cost against coverage",
            x_percent=True,
        ),
        width="stretch",
    )
    st.caption(
        "Each point is solved like the scenario's own plan: 'optimal' is proven, 'feasible' "
        "comes with its proven bound (in the table), 'infeasible' with its reason. The "
        f"diamond is this scenario's plan; {labels['onsite_hours']}: "
        + ", ".join(f"{h:g}" for h in hours)
        + "."
    )
    pages.show_table(views.FRONTIER, rows, key="to_frontier")
    st.subheader("Stock value against parts availability")
    chosen = parts.curve_targets("to_parts_targets")
    if chosen is not None:
        parts.show_curve(result, chosen, float(st.session_state["to_parts_limit"]))


if __name__ == "__main__":
    page()
