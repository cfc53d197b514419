"""Cached calls into the core, keyed on primitives (never on live models)."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from planner.plugins import load_plugins
from planner.scenario import default_regions, default_strategy, plan_product, product_profile


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, Any]:
    host = load_plugins()
    products = [
        {"id": e.id, "name": e.name, "plugin": e.plugin, "version": e.version}
        for e in sorted(host.products().values(), key=lambda e: e.id)
    ]
    return {"products": products, "hooks": host.hooks(), "problems": list(host.problems)}


@st.cache_data(show_spinner="Planning…")
def plan_report(product_id: str) -> dict[str, Any]:
    host = load_plugins()
    report = plan_product(
        host, product_profile(host, product_id), default_regions(), default_strategy()
    )
    return report.to_jsonable()


def plan_json(product_id: str) -> str:
    return json.dumps(plan_report(product_id), indent=2, ensure_ascii=False)


@st.cache_data(show_spinner=False)
def region_ids() -> list[str]:
    return [r.id for r in default_regions().regions]


@st.cache_data(show_spinner="Building the station problem…")
def technicians_problem_json(product_id: str, region_id: str) -> str:
    """The ``technicians/v1`` problem of the product's plan in one region."""
    from planner.problems import technicians_problem

    host = load_plugins()
    regions = default_regions()
    report = plan_product(
        host, product_profile(host, product_id), regions, default_strategy(), only=[region_id]
    )
    (rp,) = report.regions
    return technicians_problem(rp.plan, rp.demand, regions.region(region_id)).to_json()


def read_technicians_problem(name: str, data: bytes) -> str:
    """An uploaded ``technicians/v1`` file, validated; raises ValueError with one line per
    problem (``file: field: message``)."""
    from pydantic import ValidationError

    from planner.models.technicians import TechniciansProblem
    from planner.profiles import format_validation_error

    try:
        return TechniciansProblem.from_json(data).to_json()
    except ValidationError as exc:
        raise ValueError("\n".join(format_validation_error(name, exc))) from None


@st.cache_data(show_spinner="Solving…", max_entries=32)
def solve_technicians_json(problem_json: str, time_limit: float) -> str:
    """The ``technicians-result/v1`` of a problem (raises the solver's errors)."""
    from planner.models.technicians import TechniciansProblem
    from planner.optimise.technicians import solve_technicians

    problem = TechniciansProblem.from_json(problem_json)
    return solve_technicians(problem, time_limit=time_limit).to_json()


@st.cache_data(show_spinner=False, max_entries=32)
def allocation(problem_json: str, result_json: str) -> dict[str, Any]:
    """The allocation tables of a result, and the workbook's bytes."""
    from planner.allocation import allocation_tables, allocation_xlsx
    from planner.models.technicians import TechniciansProblem, TechniciansResult

    tables = allocation_tables(
        TechniciansProblem.from_json(problem_json), TechniciansResult.from_json(result_json)
    )
    return {
        "summary": tables.summary,
        "stations": tables.stations,
        "sites": tables.sites,
        "xlsx": allocation_xlsx(tables),
    }


@st.cache_data(show_spinner="Sweeping the frontier…", max_entries=16)
def frontier(
    problem_json: str,
    coverage_targets: tuple[float, ...],
    onsite_hours: tuple[float, ...],
    time_limit: float,
) -> list[dict[str, Any]]:
    """Cost against coverage, one proven (or bounded) point per target and on-site promise."""
    from planner.models.technicians import TechniciansProblem
    from planner.optimise.technicians import technicians_frontier

    points = technicians_frontier(
        TechniciansProblem.from_json(problem_json),
        list(coverage_targets),
        list(onsite_hours),
        time_limit=time_limit,
    )
    return [p.model_dump(mode="json") for p in points]
