"""Parts page: the stock per part and depot, each depot's availability against its target,
and the investment-versus-availability curve with the scenario's own plan on it."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from planner import actions, views
from planner.models.scenario import ScenarioResult
from planner.ui import charts, pages, state

CENTRAL = "central"
#: The availability targets of the curve, and the time limit of each point, seconds (the
#: Trade-off page's defaults too, so that both pages share one cached curve).
CURVE_TARGETS = "0.995, 0.998, 0.999, 0.9995, 0.9998"
CURVE_SECONDS = 2.0


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
        "availability": actions.machine_weighted(
            plan.get("availability") or {}, problem.get("installed_base") or {}
        ),
        "fill_rate": plan["fill_rate"],
    }


def curve(
    result: ScenarioResult, targets: tuple[float, ...], time_limit: float
) -> list[dict[str, Any]]:
    """The least investment at each availability target (cached on the problem's JSON)."""
    return state.parts_curve(json.dumps(result.parts["problem"]), targets, time_limit)


def show_curve(result: ScenarioResult, targets: tuple[float, ...], time_limit: float) -> None:
    """The investment-against-availability chart, the scenario's own plan on it, and the
    points' table."""
    points = curve(result, targets, time_limit)
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
        "Each point is the least stock value that gives every depot with machines at least "
        "the target availability and meets every part's fill-rate floor: 'optimal' is "
        "proven, 'feasible' carries its proven lower bound. Low targets cost the same: the "
        "floors alone reach them. The holding cost a year is the strategy's holding rate "
        "times the stock's value."
    )
    st.dataframe(
        [
            {
                "availability target": p["target"],
                "status": p["status"],
                "stock value (CNY)": p["investment"],
                "proven bound (CNY)": p["bound"],
                "availability": p["availability"],
                "fill rate": p["fill_rate"],
                "why not": p["reason"] or "",
            }
            for p in points
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "availability target": st.column_config.NumberColumn(format="%.4f"),
            "availability": st.column_config.NumberColumn(format="%.4f"),
            "fill rate": st.column_config.NumberColumn(format="percent"),
            "stock value (CNY)": st.column_config.NumberColumn(format="localized"),
            "proven bound (CNY)": st.column_config.NumberColumn(format="localized"),
        },
    )


def curve_targets(key: str) -> tuple[float, ...] | None:
    """The availability targets typed under ``key``, or None after showing the error."""
    try:
        return views.parse_numbers("availability targets", st.session_state[key], 1e-6, 0.999999)
    except ValueError as exc:
        st.error(str(exc))
        return None


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
    st.session_state.setdefault("parts_targets", CURVE_TARGETS)
    with st.form("parts-curve"):
        st.text_input("Availability targets (0 to 1, comma-separated)", key="parts_targets")
        st.form_submit_button("Trace")
    targets = curve_targets("parts_targets")
    if targets is not None:
        show_curve(result, targets, CURVE_SECONDS)


if __name__ == "__main__":
    page()
