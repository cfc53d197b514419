"""Parts page: the stock per part and depot, each depot's availability against its target,
and the investment-versus-availability curve with the scenario's own plan on it."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from planner.models.scenario import ScenarioResult
from planner.ui import charts, pages, state

CENTRAL = "central"
#: The time limit of the parts plan the curve starts from, seconds (the Trade-off page's
#: default per point too, so that both pages share one cached curve).
CURVE_SECONDS = 5.0


def stock_table(result: ScenarioResult) -> list[dict[str, Any]]:
    """One row per part: its unit cost, units at the central warehouse and at each depot."""
    problem, plan = result.parts["problem"], result.parts["result"]
    depots = [d["id"] for d in problem["depots"]]
    locations = ([CENTRAL] if problem.get("central") is not None else []) + depots
    held = {(line["part"], line["location"]): line["quantity"] for line in plan["stock"]}
    rows = []
    for part in problem["parts"]:
        row: dict[str, Any] = {"part": part["id"], "unit cost (CNY)": part["unit_cost"]}
        for location in locations:
            row[f"{location} (units)"] = held.get((part["id"], location), 0)
        units = sum(held.get((part["id"], loc), 0) for loc in locations)
        row["total (units)"] = units
        row["stock value (CNY)"] = units * part["unit_cost"]
        rows.append(row)
    return rows


def depot_table(result: ScenarioResult) -> list[dict[str, Any]]:
    """Each depot's machines, availability target and predicted availability."""
    problem, plan = result.parts["problem"], result.parts["result"]
    targets = problem["objective"].get("target_availability")
    installed = problem.get("installed_base") or {}
    availability = plan.get("availability") or {}
    rows = []
    for depot in problem["depots"]:
        d = depot["id"]
        target = targets.get(d) if isinstance(targets, dict) else targets
        reached = availability.get(d)
        rows.append(
            {
                "depot": d,
                "machines": installed.get(d, 0),
                "resupply (days)": depot["resupply_days"],
                "availability target": target,
                "availability": reached,
                "target met": (
                    ""
                    if target is None or reached is None
                    else ("yes" if reached >= target - 1e-9 else "NO")
                ),
            }
        )
    return rows


def own_point(result: ScenarioResult) -> dict[str, Any]:
    problem, plan = result.parts["problem"], result.parts["result"]
    return {
        "investment": plan["investment"],
        "availability": state.machine_weighted(
            plan.get("availability") or {}, problem.get("installed_base") or {}
        ),
        "fill_rate": plan["fill_rate"],
    }


def curve(result: ScenarioResult, points: int, time_limit: float) -> list[dict[str, Any]]:
    """The parts frontier of the scenario's parts problem (cached on its JSON)."""
    rows = state.parts_curve(json.dumps(result.parts["problem"]), points, time_limit)
    return [dict(r, status="optimal") for r in rows]


def page() -> None:
    st.title("Parts")
    result = pages.scenario_result()
    if result is None:
        return
    plan = result.parts["result"]
    cols = st.columns(4)
    cols[0].metric("Status", str(plan["status"]))
    cols[1].metric("Stock value (CNY)", pages.money(plan["investment"], ""))
    cols[2].metric("Fill rate (%)", pages.percent(plan["fill_rate"]))
    cols[3].metric(
        "Machine-weighted availability (%)", pages.percent(own_point(result)["availability"], 2)
    )
    st.subheader("Availability per depot")
    st.dataframe(
        depot_table(result),
        hide_index=True,
        width="stretch",
        key="parts_depots",
        column_config={
            "availability target": st.column_config.NumberColumn(format="percent"),
            "availability": st.column_config.NumberColumn(format="percent"),
        },
    )
    st.subheader("Stock per part and location (units)")
    st.dataframe(
        stock_table(result),
        hide_index=True,
        width="stretch",
        key="parts_stock",
        column_config={
            "unit cost (CNY)": st.column_config.NumberColumn(format="localized"),
            "stock value (CNY)": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.subheader("Investment against availability")
    st.session_state.setdefault("parts_points", 20)
    with st.form("parts-curve"):
        st.number_input(
            "Points on the curve", min_value=2, max_value=100, step=1, key="parts_points"
        )
        st.form_submit_button("Trace")
    points = curve(result, int(st.session_state["parts_points"]), CURVE_SECONDS)
    st.altair_chart(
        charts.cost_curve(
            points,
            own_point(result),
            x="availability",
            x_title="machine-weighted parts availability (%)",
            y="investment",
            y_title="stock value (CNY)",
            title="Parts: stock value against availability",
            x_percent=True,
        ),
        width="stretch",
    )
    st.caption(
        "Each point is a corner of marginal analysis's convex envelope: an optimal stock for "
        "its own investment (proven on the envelope), from the floor stock up. The diamond "
        "is this scenario's plan: the cheapest stock meeting every depot's availability target "
        "(proven when its status above is optimal, else the best found in the time limit)."
    )


if __name__ == "__main__":
    page()
