"""The app's pages, routed by ``st.navigation`` in ``app.py``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

import streamlit as st

from planner import views
from planner.models.status import Status
from planner.ui import state


def all_pages() -> list:
    return [
        st.Page(plan_page, title="Service plan", icon="📋", url_path="plan", default=True),
        st.Page(stations_page, title="Stations and technicians", icon="📍", url_path="stations"),
        st.Page(plugins_page, title="Products and plugins", icon="🧩", url_path="plugins"),
    ]


def show_table(
    table: views.Table,
    rows: Iterable[Any],
    fields: Sequence[str] | None = None,
    key: str | None = None,
) -> None:
    """Typed rows under their labels, numbers formatted by kind."""
    st.dataframe(
        table.records(rows, fields),
        hide_index=True,
        width="stretch",
        key=key,
        column_config=number_formats(table),
    )


NUMBER_FORMATS = {
    views.Kind.MONEY: "localized",
    views.Kind.HOURS: "%.1f",
    views.Kind.COUNT: "%.1f",
    views.Kind.SHARE: "percent",
    views.Kind.LEVEL: "percent",
}


def number_formats(table: views.Table) -> dict:
    """Column formats by label: money with thousands separators, hours and counts to a
    tenth, shares and levels in percent."""
    return {
        table.labels[name]: st.column_config.NumberColumn(format=NUMBER_FORMATS[kind])
        for name, kind in table.kinds.items()
    }


def plugins_page() -> None:
    st.title("Products and plugins")
    catalogue = state.catalogue()
    for problem in catalogue["problems"]:
        st.warning(problem)
    st.subheader("Products")
    show_table(views.PRODUCTS, catalogue["products"])
    st.subheader("Hooks")
    show_table(views.HOOKS, catalogue["hooks"])


def plan_page() -> None:
    st.title("Service plan (一品一案)")
    catalogue = state.catalogue()
    product_ids = [p.id for p in catalogue["products"]]
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
    st.caption(f"{report.product_name} under {report.strategy}")
    show_table(views.PLAN, views.plan_rows(report))
    st.subheader("Installed base and economics")
    st.caption(
        "The maker's own work only (operators' and dealers' services are listed in the tiers "
        "but cost the maker nothing); the warranty cost is part of the cost; margin is "
        "revenue minus cost."
    )
    show_table(views.ECONOMICS, views.economics_rows(report))
    region_ids = [rp.plan.region for rp in report.regions]
    chosen = st.selectbox("Region", region_ids, key="region")
    plan = next(rp.plan for rp in report.regions if rp.plan.region == chosen)
    for plan_tier, label in (
        (plan.emergency, "Emergency (急救)"),
        (plan.preventive, "Preventive (保健)"),
        (plan.value_added, "Value-added (增值)"),
    ):
        money = plan_tier.economics
        with st.expander(
            f"{label}: cost {money.cost:,.0f}, warranty {money.warranty_cost:,.0f}, "
            f"revenue {money.revenue:,.0f}, margin {money.margin:,.0f} CNY / yr",
            expanded=plan_tier is plan.emergency,
        ):
            show_table(views.PROMISES, views.promise_rows(plan_tier))
            show_table(views.TIER_ITEMS, views.tier_item_rows(plan_tier))
    for card in report.scorecards:
        st.subheader(card.name)
        st.caption(f"from plugin {card.source}")
        show_table(views.SCORES, views.score_rows(card))
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
    product_ids = [p.id for p in catalogue["products"]]
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
    tables, workbook = state.allocation(problem_json, result_json)
    summary = tables.summary
    if summary.status == Status.INFEASIBLE:
        st.error(f"Infeasible: {summary.reason}")
    else:
        cols = st.columns(5)
        cols[0].metric("Status", str(summary.status))
        cols[1].metric("Annual cost", f"{summary.annual_cost:,.0f}")
        cols[2].metric("Gap to the proven bound", f"{100 * summary.gap:.2f} %")
        cols[3].metric("Stations open", summary.stations_open)
        cols[4].metric("Technicians", summary.technicians)
        st.caption(
            f"Coverage {100 * summary.coverage:.1f} % of emergency calls within "
            f"{summary.onsite_hours:g} h (target {100 * summary.coverage_target:.0f} %)"
            + (
                f"; lowest dispatch level {summary.lowest_dispatch_level:.3f}"
                f" (target {summary.dispatch_service_level:.2f})"
                if summary.lowest_dispatch_level is not None
                else ""
            )
            + f"; proven lower bound {summary.proven_lower_bound:,.0f}."
        )
        st.subheader("Stations")
        show_table(views.STATIONS, tables.stations, tables.station_fields, key="st_stations")
        st.subheader("Sites")
        show_table(views.SITES, tables.sites, key="st_sites")
    left, mid, right = st.columns(3)
    left.download_button(
        "Allocation plan (Excel)",
        data=workbook,
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
        targets = views.parse_numbers("coverage targets", st.session_state["st_targets"], 0.0, 1.0)
        hours = views.parse_numbers("on-site promises", st.session_state["st_hours"], 0.0, 1e6)
    except ValueError as exc:
        st.error(str(exc))
        return
    rows = state.frontier(problem_json, targets, hours, float(st.session_state["st_point_limit"]))
    st.session_state["st_frontier"] = key  # shown again on reruns, until the problem changes
    solved = [r for r in rows if r.annual_cost is not None]
    if solved:
        labels = views.FRONTIER.labels
        st.line_chart(
            views.FRONTIER.records(solved),
            x=labels["coverage_target"],
            y=labels["annual_cost"],
            color=labels["onsite_hours"] if len(hours) > 1 else None,
        )
    show_table(views.FRONTIER, rows, key="st_frontier_table")
