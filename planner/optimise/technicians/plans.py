"""Plans (an assignment with its cheapest staffing) and outcomes of a phase."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.models.status import Status
from planner.optimise.technicians.prepared import Prepared, pair_index, staff_for
from planner.optimise.technicians.settings import FEAS_TOL, REL_GAP
from planner.optimise.technicians.state import SolveState


@dataclass
class Plan:
    assign: np.ndarray  # site -> station index
    technicians: np.ndarray  # per station
    cost: float


def min_staff(prep: Prepared, assign: np.ndarray) -> np.ndarray | None:
    """Fewest technicians per station for an assignment; None if some station cannot do it."""
    problem = prep.problem
    n_st = len(problem.stations)
    hours_h = problem.technician.productive_hours
    idx = pair_index(prep, assign)
    if idx is None:
        return None
    work = np.bincount(prep.pj[idx], weights=prep.pw[idx], minlength=n_st)
    tech = staff_for(work, hours_h).astype(np.int64)
    if problem.dispatch is not None:
        calls = np.bincount(assign, weights=prep.calls, minlength=n_st)
        for j in np.nonzero(calls > 0)[0]:
            lv = prep.levels[j]
            c = int(np.searchsorted(lv, calls[j] * (1 - FEAS_TOL))) + 1
            if c > len(lv):
                return None
            tech[j] = max(tech[j], prep.nmin[c])
    if (tech > prep.cap).any():
        return None
    return tech


def plan_from(
    state: SolveState,
    assign: np.ndarray,
) -> Plan | None:
    """The cheapest staffing of an assignment, if it keeps every promise."""
    prep, target, covered = state.prep, state.target, state.covered
    problem = prep.problem
    idx = pair_index(prep, assign)
    if idx is None:
        return None
    if problem.max_open_stations is not None and len(np.unique(assign)) > problem.max_open_stations:
        return None
    total = float(prep.calls.sum())
    if total > 0 and float(prep.calls[covered[idx]].sum()) < target * total * (1 - 1e-7):
        return None
    tech = min_staff(prep, assign)
    if tech is None:
        return None
    open_ = np.unique(assign)
    cost = float(
        prep.fixed[open_].sum()
        + problem.technician.annual_cost * tech.sum()
        + prep.pcost[idx].sum()
    )
    return Plan(assign, tech, cost)


@dataclass
class Outcome:
    status: str
    plan: Plan | None
    bound: float | None
    reason: str | None = None


def cutoff_below(cost: float) -> float:
    """Plans must cost at most this to beat ``cost`` by more than the optimality gap."""
    return cost - 0.5 * REL_GAP * max(abs(cost), 1e-9)


def finish(plan: Plan, bound: float | None) -> Outcome:
    """Optimal if ``bound`` proves ``plan`` within the gap, else feasible with that bound."""
    if bound is not None:
        bound = min(bound, plan.cost)
        if plan.cost - bound <= REL_GAP * max(abs(plan.cost), 1e-9):
            return Outcome(Status.OPTIMAL, plan, bound)
    return Outcome(Status.FEASIBLE, plan, bound)
