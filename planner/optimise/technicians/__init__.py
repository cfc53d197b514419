"""Technician and service-station allocation (``technicians/v1``): the front door.

Callers use :func:`solve_technicians`, :func:`technicians_frontier`, :func:`evaluate` and
the names below. The modules behind them are the phases of one solve, each with public
names that its tests use:

* :mod:`.settings` tolerances and :class:`TechniciansSettings`; :mod:`.prepared` the problem
  as arrays over usable pairs; :mod:`.state` one solve's promise, settings and bounds;
* :mod:`.bounds` maximal coverage and the station-level relaxation; :mod:`.formulation` the
  MILP by row family; :mod:`.cuts` cut families; :mod:`.pricing` the restricted master
  (column generation, Lagrangian bound, reduced-cost fixing);
* :mod:`.plans` plans and outcomes; :mod:`.construction` first plans; :mod:`.improvement`
  local and group search; :mod:`.neighbourhoods` the LP-neighbourhood MILP and its rounding;
  :mod:`.station_sets` enumeration and phase R;
* :mod:`.driver` the phases in order, results and the frontier; :mod:`.evaluation` the one
  plan evaluation.

The model, the strengthening and each phase are described in the module that holds them.
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
from planner.optimise.technicians.settings import TechniciansSettings

__all__ = [
    "NoPlanWithinTimeLimit",
    "PlanEvaluation",
    "SiteService",
    "StationLoad",
    "TechniciansSettings",
    "evaluate",
    "evaluate_plan",
    "on_duty",
    "site_travel_cost",
    "site_workload",
    "solve_technicians",
    "technicians_frontier",
]
