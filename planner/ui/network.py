"""Network page: a region's sites, stations and assignments on their coordinates, the
technicians per station, and the sites outside the promise."""

from __future__ import annotations

import json
import re

import streamlit as st

from planner import views
from planner.models.status import Status
from planner.ui import charts, pages, state


def page() -> None:
    st.title("Network")
    result = pages.scenario_result()
    if result is None:
        return
    region, names = pages.choose_region(result, "net_region")
    geography = result.network[region]
    outcome = next(r for r in result.regions if r.region == region)
    outside = [s for s in geography["sites"] if s["within_promise"] is False]
    st.caption(
        f"{len(outcome.stations)} of {len(geography['stations'])} candidate stations open, "
        f"{outcome.technicians} technicians; on site within {outcome.onsite_hours:g} h for "
        f"{pages.percent(outcome.coverage)} of calls (target "
        f"{pages.percent(outcome.coverage_target, 0)}); "
        f"{len(outside)} site(s) outside the promise."
    )
    st.altair_chart(
        charts.network(geography, f"{names.get(region, region)}: sites, stations, assignments"),
        width="stretch",
    )
    st.caption(
        "Squares: candidate stations (filled when open, labelled with their technicians); "
        "dots: customer sites sized by emergency calls a year, red crosses outside the "
        "on-site promise; grey lines: which station serves each site. Drawn from the plan's "
        "coordinates alone; no map is fetched."
    )
    pair = result.technicians[region]
    problem_json = json.dumps(pair["problem"])
    result_json = json.dumps(pair["result"])
    tables, workbook = state.allocation(problem_json, result_json)
    summary = tables.summary
    if summary.status == Status.INFEASIBLE:
        st.error(f"Infeasible: {summary.reason}")
        return
    cols = st.columns(4)
    cols[0].metric("Status", str(summary.status))
    cols[1].metric("Network cost (CNY a year)", pages.money(summary.annual_cost, ""))
    cols[2].metric("Gap to the proven bound (%)", f"{100 * summary.gap:.2f} %")
    cols[3].metric("Technicians", summary.technicians)
    st.subheader("Stations")
    pages.show_table(views.STATIONS, tables.stations, tables.station_fields, key="net_stations")
    st.subheader("Sites")
    pages.show_table(views.SITES, tables.sites, key="net_sites")
    left, mid, right = st.columns(3)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{result.scenario.name}-{region}").strip("-").lower()
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


if __name__ == "__main__":
    page()
