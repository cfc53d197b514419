"""The app's pages, routed by ``st.navigation`` in ``app.py``."""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from planner.allocation import frontier_rows, parse_numbers
from planner.ui import state


def all_pages() -> list:
    return [
        st.Page(plan_page, title="Service plan", icon="📋", url_path="plan", default=True),
        st.Page(stations_page, title="Stations and technicians", icon="📍", url_path="stations"),
        st.Page(plugins_page, title="Products and plugins", icon="🧩", url_path="plugins"),
    ]


def plugins_page() -> None:
    st.title("Products and plugins")
    catalogue = state.catalogue()
    for problem in catalogue["problems"]:
        st.warning(problem)
    st.subheader("Products")
    st.dataframe(catalogue["products"], hide_index=True, width="stretch")
    st.subheader("Hooks")
    st.dataframe(
        [{"hook": h["name"], "plugins": ", ".join(h["plugins"])} for h in catalogue["hooks"]],
        hide_index=True,
        width="stretch",
    )


def plan_page() -> None:
    st.title("Service plan (一品一案)")
    catalogue = state.catalogue()
    product_ids = [p["id"] for p in catalogue["products"]]
    st.session_state.setdefault("product", product_ids[0] if product_ids else None)
    with st.form("plan-inputs"):
        product = st.selectbox("Product", product_ids, key="product")
        st.form_submit_button("Plan")
    if product is None:
        st.info("No product plugins are registered.")
        return
    try:
        report = state.plan_report(product)
    except Exception as exc:  # noqa: BLE001 - shown to the user, not a crash
        st.error(str(exc))
        return
    st.caption(f"{report['product_name']} under {report['strategy']}")
    rows = []
    for r in report["regions"]:
        e = r["posture"]["emergency"]
        rows.append(
            {
                "region": r["region"],
                "class": r["class"],
                "on-site promise (h)": e["onsite_hours"],
                "coverage target": e["coverage_target"],
                "inspections": r["posture"]["preventive"]["policy"],
                "depth": r["posture"]["preventive"]["depth"],
                "breadth": r["posture"]["value_added"]["breadth"],
                "calls / yr": round(r["demand"]["emergency_calls"], 1),
                "visits / yr": round(r["demand"]["planned_visits"], 1),
                "cost CNY / yr": round(sum(t["annual_cost"] for t in r["tiers"].values())),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    region_ids = [r["region"] for r in report["regions"]]
    chosen = st.selectbox("Region", region_ids, key="region")
    region = next(r for r in report["regions"] if r["region"] == chosen)
    for tier, label in (
        ("emergency", "Emergency (急救)"),
        ("preventive", "Preventive (保健)"),
        ("value_added", "Value-added (增值)"),
    ):
        plan_tier = region["tiers"][tier]
        with st.expander(
            f"{label}: {plan_tier['annual_cost']:,.0f} CNY / yr", expanded=tier == "emergency"
        ):
            st.dataframe(
                [{"promise": k, "value": str(v)} for k, v in plan_tier["promises"].items()],
                hide_index=True,
            )
            st.dataframe(
                [
                    {
                        "item": i["name"],
                        "per year": round(i["occurrences_per_year"], 1),
                        "hours each": i["labour_hours"],
                        "on site": i["on_site"],
                        "cost each": round(i["cost_each"]),
                        "cost / yr": round(i["annual_cost"]),
                    }
                    for i in plan_tier["items"]
                ],
                hide_index=True,
                width="stretch",
            )
    for card in report["scorecards"]:
        st.subheader(card["name"])
        st.caption(f"from plugin {card['source']}")
        st.dataframe(
            [
                {
                    "metric": line["metric"],
                    "value": f"{line['value']:,.4g}",
                    "target": "" if line["target"] is None else f"{line['target']:,.4g}",
                    "unit": line["unit"],
                    "status": {True: "met", False: "NOT MET", None: ""}[line["met"]],
                }
                for line in card["lines"]
            ],
            hide_index=True,
            width="stretch",
        )
    st.download_button(
        "Download plan (JSON)",
        data=state.plan_json(product),
        file_name=f"{product}-plan.json",
        mime="application/json",
    )


FROM_PLAN = "From the service plan"
UPLOAD = "Upload a technicians/v1 file"


def stations_page() -> None:
    st.title("Stations and technicians")
    st.caption(
        "Which service stations to run, how many technicians each needs and which sites each "
        "serves, at the lowest annual cost that keeps the on-site promise, the coverage target "
        "and the dispatch level. 'optimal' means proven; otherwise the proven bound and gap."
    )
    catalogue = state.catalogue()
    product_ids = [p["id"] for p in catalogue["products"]]
    region_ids = state.region_ids()
    st.session_state.setdefault("st_product", product_ids[0] if product_ids else None)
    st.session_state.setdefault("st_region", region_ids[0] if region_ids else None)
    st.session_state.setdefault("st_time_limit", 30.0)
    source = st.radio("Problem", [FROM_PLAN, UPLOAD], key="st_source", horizontal=True)
    with st.form("stations-inputs"):
        upload = None
        if source == FROM_PLAN:
            left, right = st.columns(2)
            left.selectbox("Product", product_ids, key="st_product")
            right.selectbox("Region", region_ids, key="st_region")
        else:
            upload = st.file_uploader("technicians/v1 problem (JSON)", type=["json"])
        st.number_input(
            "Time limit (s)", min_value=1.0, max_value=3600.0, step=10.0, key="st_time_limit"
        )
        st.form_submit_button("Optimise")
    try:
        if source == FROM_PLAN:
            product, region = st.session_state["st_product"], st.session_state["st_region"]
            if product is None or region is None:
                st.info("No product plugins or regions are available.")
                return
            problem_json = state.technicians_problem_json(product, region)
            stem = f"{product}-{region}"
        else:
            if upload is None:
                st.info("Choose a technicians/v1 file and press Optimise.")
                return
            problem_json = state.read_technicians_problem(upload.name, upload.getvalue())
            stem = upload.name.removesuffix(".json")
        result_json = state.solve_technicians_json(
            problem_json, float(st.session_state["st_time_limit"])
        )
    except Exception as exc:  # noqa: BLE001 - bad input or no plan in time: shown, not a crash
        st.error(str(exc))
        return
    show_allocation(problem_json, result_json, stem)
    show_frontier(problem_json)


def show_allocation(problem_json: str, result_json: str, stem: str) -> None:
    tables = state.allocation(problem_json, result_json)
    summary = dict(tables["summary"])
    status = summary["status"]
    if status == "infeasible":
        st.error(f"Infeasible: {summary['reason']}")
    else:
        cols = st.columns(5)
        cols[0].metric("Status", status)
        cols[1].metric("Annual cost", f"{summary['annual cost']:,.0f}")
        cols[2].metric("Gap to the proven bound", f"{100 * summary['gap']:.2f} %")
        cols[3].metric("Stations open", summary["stations open"])
        cols[4].metric("Technicians", summary["technicians"])
        st.caption(
            f"Coverage {100 * summary['coverage reached']:.1f} % of emergency calls within "
            f"{summary['on-site promise (h)']:g} h (target {100 * summary['coverage target']:.0f} %)"
            + (
                f"; lowest dispatch level {summary['lowest dispatch level']:.3f}"
                f" (target {summary['dispatch service level target']:.2f})"
                if summary.get("lowest dispatch level") is not None
                else ""
            )
            + f"; proven lower bound {summary['proven lower bound']:,.0f}."
        )
        for name in ("stations", "sites"):
            st.subheader(name.capitalize())
            st.dataframe(
                tables[name],
                hide_index=True,
                width="stretch",
                key=f"st_{name}",
                column_config=number_formats(tables[name]),
            )
    left, mid, right = st.columns(3)
    left.download_button(
        "Allocation plan (Excel)",
        data=tables["xlsx"],
        file_name=f"{stem}-allocation.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    mid.download_button(
        "Result (technicians-result/v1)",
        data=result_json,
        file_name=f"{stem}-result.json",
        mime="application/json",
    )
    right.download_button(
        "Problem (technicians/v1)",
        data=problem_json,
        file_name=f"{stem}-problem.json",
        mime="application/json",
    )


def number_formats(rows: list[dict]) -> dict:
    """Column formats: money with thousands separators, hours to a tenth, shares in %."""
    config = {}
    for key in rows[0] if rows else ():
        if "cost" in key or "bound" in key:
            config[key] = st.column_config.NumberColumn(format="localized")
        elif "hours" in key and "promise" not in key:
            config[key] = st.column_config.NumberColumn(format="%.1f")
        elif key in ("utilisation", "dispatch level", "coverage reached"):
            config[key] = st.column_config.NumberColumn(format="percent")
    return config


def show_frontier(problem_json: str) -> None:
    st.subheader("Cost versus coverage")
    key = hashlib.sha256(problem_json.encode()).hexdigest()
    st.session_state.setdefault("st_targets", "0.6, 0.7, 0.8, 0.9, 0.95, 1.0")
    st.session_state.setdefault("st_point_limit", 10.0)
    if st.session_state.get("st_hours_for") != key:  # a new problem: start from its promise
        onsite = json.loads(problem_json)["emergency"]["onsite_hours"]
        st.session_state["st_hours"] = f"{onsite:g}"
        st.session_state["st_hours_for"] = key
    with st.form("frontier-inputs"):
        left, mid, right = st.columns(3)
        left.text_input("Coverage targets (0 to 1, comma-separated)", key="st_targets")
        mid.text_input("On-site promises (h, comma-separated)", key="st_hours")
        right.number_input(
            "Time limit per point (s)", min_value=1.0, max_value=600.0, key="st_point_limit"
        )
        swept = st.form_submit_button("Sweep")
    if not swept and st.session_state.get("st_frontier") != key:
        st.caption("Each point is solved like the plan above: proven optimal, or bounded.")
        return
    try:
        targets = parse_numbers("coverage targets", st.session_state["st_targets"], 0.0, 1.0)
        hours = parse_numbers("on-site promises", st.session_state["st_hours"], 0.0, 1e6)
    except ValueError as exc:
        st.error(str(exc))
        return
    points = state.frontier(problem_json, targets, hours, float(st.session_state["st_point_limit"]))
    st.session_state["st_frontier"] = key  # shown again on reruns, until the problem changes
    rows = frontier_rows(points)
    solved = [r for r in rows if r["annual cost"] is not None]
    if solved:
        st.line_chart(
            solved,
            x="coverage target",
            y="annual cost",
            color="on-site promise (h)" if len(hours) > 1 else None,
        )
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key="st_frontier_table",
        column_config=number_formats(rows),
    )
