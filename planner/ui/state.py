"""Cached calls into the core's actions, keyed on primitives (never on live models)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import streamlit as st

from planner import actions, views
from planner.models.report import PlanReport
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.plugins import load_plugins
from planner.scenario import default_regions

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
    return actions.plan(load_plugins(), product_id).report


def plan_json(product_id: str) -> str:
    return json.dumps(plan_report(product_id).to_jsonable(), indent=2, ensure_ascii=False)


@st.cache_data(show_spinner=False)
def region_ids() -> list[str]:
    return [r.id for r in default_regions().regions]


@st.cache_data(show_spinner="Building the station problem…")
def technicians_problem_json(product_id: str, region_id: str) -> str:
    """The ``technicians/v1`` problem of the product's plan in one region."""
    planned = actions.plan(load_plugins(), product_id, only=[region_id])
    return actions.build_technicians_problems(planned)[region_id].to_json()


def read_technicians_problem(name: str, data: bytes) -> str:
    """An uploaded ``technicians/v1`` file, validated; raises ValueError with one line per
    problem (``file: field: message``)."""
    try:
        return actions.read_technicians_problem(name, data).to_json()
    except actions.InterchangeError as exc:
        raise ValueError(str(exc)) from None


@st.cache_data(show_spinner="Solving…", max_entries=32)
def solve_technicians_json(problem_json: str, time_limit: float) -> str:
    """The ``technicians-result/v1`` of a problem (raises the solver's errors)."""
    problem = TechniciansProblem.from_json(problem_json)
    return actions.optimise_technicians(problem, time_limit=time_limit).to_json()


@st.cache_data(show_spinner=False, max_entries=32)
def allocation(problem_json: str, result_json: str) -> tuple[AllocationTables, bytes]:
    """The allocation tables of a result, and the workbook's bytes."""
    tables = actions.allocation(
        TechniciansProblem.from_json(problem_json), TechniciansResult.from_json(result_json)
    )
    return tables, actions.allocation_workbook(tables)


@st.cache_data(show_spinner="Sweeping the frontier…", max_entries=16)
def frontier(
    problem_json: str,
    coverage_targets: tuple[float, ...],
    onsite_hours: tuple[float, ...],
    time_limit: float,
) -> list[views.FrontierRow]:
    """Cost against coverage, one proven (or bounded) point per target and on-site promise."""
    points = actions.sweep_frontier(
        TechniciansProblem.from_json(problem_json),
        coverage_targets,
        onsite_hours,
        time_limit=time_limit,
    )
    return views.frontier_rows(points)
