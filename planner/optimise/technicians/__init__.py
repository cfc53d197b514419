"""Technician and service-station allocation (``technicians/v1``): the front door.

Callers use these names only; the modules behind them are phases of one solve.
"""

from planner.optimise.technicians.driver import (
    NoPlanWithinTimeLimit,
    solve_technicians,
    technicians_frontier,
)
from planner.optimise.technicians.evaluation import (
    PlanEvaluation,
    SiteService,
    StationLoad,
    evaluate,
    evaluate_plan,
    on_duty,
    site_travel_cost,
    site_workload,
)

__all__ = [
    "NoPlanWithinTimeLimit",
    "PlanEvaluation",
    "SiteService",
    "StationLoad",
    "evaluate",
    "evaluate_plan",
    "on_duty",
    "site_travel_cost",
    "site_workload",
    "solve_technicians",
    "technicians_frontier",
]
