"""Cached calls into the core, keyed on primitives (never on live models)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import streamlit as st

from planner import views
from planner.models.report import PlanReport
from planner.plugins import load_plugins
from planner.scenario import default_regions, default_strategy, plan_product, product_profile

if TYPE_CHECKING:
    from planner.allocation import AllocationTables


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, Any]:
    """``products`` and ``hooks`` as rows of :mod:`planner.views`; the plugins' ``problems``."""
    host = load_plugins()
    return {
        "products": views.product_rows(host.products()),
        "hooks": views.hook_rows(host.hooks()),
        "problems": list(host.problems),
    }


@st.cache_data(show_spinner="Planning…")
def plan_report(product_id: str) -> PlanReport:
    """The product's plan in every bundled region, under the bundled strategy."""
    host = load_plugins()
    return plan_product(
        host, product_profile(host, product_id), default_regions(), default_strategy()
    )


def plan_json(product_id: str) -> str:
    return json.dumps(plan_report(product_id).to_jsonable(), indent=2, ensure_ascii=False)


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
def allocation(problem_json: str, result_json: str) -> tuple[AllocationTables, bytes]:
    """The allocation tables of a result, and the workbook's bytes."""
    from planner.allocation import allocation_tables, allocation_xlsx
    from planner.models.technicians import TechniciansProblem, TechniciansResult

    tables = allocation_tables(
        TechniciansProblem.from_json(problem_json), TechniciansResult.from_json(result_json)
    )
    return tables, allocation_xlsx(tables)


@st.cache_data(show_spinner="Sweeping the frontier…", max_entries=16)
def frontier(
    problem_json: str,
    coverage_targets: tuple[float, ...],
    onsite_hours: tuple[float, ...],
    time_limit: float,
) -> list[views.FrontierRow]:
    """Cost against coverage, one proven (or bounded) point per target and on-site promise."""
    from planner.models.technicians import TechniciansProblem
    from planner.optimise.technicians import technicians_frontier

    points = technicians_frontier(
        TechniciansProblem.from_json(problem_json),
        list(coverage_targets),
        list(onsite_hours),
        time_limit=time_limit,
    )
    return views.frontier_rows(points)
