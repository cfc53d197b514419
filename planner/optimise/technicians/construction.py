"""Construction of a first plan: stations by greedy add and add/drop/swap on linearised costs,
stations added for coverage, sites filled up to the stations' limits, a MILP restricted to
the chosen stations, and the same from the stations an LP opens.
"""

from __future__ import annotations

import math
import time

import numpy as np

from planner.optimise.location import first_improvement
from planner.optimise.technicians.bounds import max_covering
from planner.optimise.technicians.formulation import restricted_plan
from planner.optimise.technicians.improvement import improve_plan
from planner.optimise.technicians.plans import Plan, plan_from
from planner.optimise.technicians.prepared import Prepared, linear_costs, pair_matrix
from planner.optimise.technicians.settings import FEAS_TOL
from planner.optimise.technicians.state import SolveState


def station_local_search(
    prep: Prepared, cmat: np.ndarray, deadline: float, start: list[int] | None = None
) -> np.ndarray:
    """Station set by greedy add (from ``start`` if given) and first-improvement add/drop/swap
    on the linearised cost ``cmat`` (:func:`planner.optimise.location.first_improvement`)."""
    n_st = cmat.shape[0]
    p = prep.problem.max_open_stations
    p = n_st if p is None else min(p, n_st)
    finite = cmat[np.isfinite(cmat)]
    big = 10.0 * (float(finite.max()) + 1.0) * cmat.shape[1] + 10.0 * float(prep.fixed.sum()) + 1.0
    c = np.where(np.isfinite(cmat), cmat, big)
    return first_improvement(c, prep.fixed, p, big, deadline, start)


def add_for_coverage(
    state: SolveState,
    open_: np.ndarray,
) -> np.ndarray:
    """Add stations greedily by newly covered calls until the target is reachable (if it can be)."""
    prep, target, covered = state.prep, state.target, state.covered
    total = float(prep.calls.sum())
    if total == 0 or target == 0:
        return open_
    n_st = len(prep.problem.stations)
    cov = np.zeros((n_st, len(prep.problem.sites)), dtype=bool)
    cov[prep.pj[covered], prep.pi[covered]] = True
    opened = list(open_)
    reached = cov[opened].any(axis=0) if opened else np.zeros(cov.shape[1], dtype=bool)
    while float(prep.calls[reached].sum()) < target * total:
        gain = ((cov & ~reached[None, :]) * prep.calls[None, :]).sum(axis=1)
        gain[opened] = -1
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        opened.append(j)
        reached |= cov[j]
    return np.array(sorted(opened), dtype=np.int64)


def heuristic_plan(
    state: SolveState,
    deadline: float,
    extra_starts: list[Plan],
) -> Plan | None:
    prep, covered = state.prep, state.covered
    cmat = linear_costs(prep)
    now = time.monotonic()
    open_ = station_local_search(prep, cmat, now + (deadline - now) / 3)
    open_ = add_for_coverage(state, open_)
    best: Plan | None = None
    for plan in extra_starts:
        if best is None or plan.cost < best.cost:
            best = plan
    limit = prep.problem.max_open_stations
    if limit is not None and len(open_) > limit:
        # the greedy cover needs too many stations: start from a maximal covering instead
        left = max(deadline - time.monotonic(), 1.0)
        _, _, open_ = max_covering(prep, covered, limit, left / 2)
        if not len(open_):
            return best
        open_ = np.sort(open_)
    nearest = open_[np.argmin(cmat[open_], axis=0)]
    if np.isfinite(cmat[nearest, np.arange(cmat.shape[1])]).all():
        plan = plan_from(state, nearest)  # each site to its cheapest open station
        if plan is None:  # some station is overloaded: fill the stations up to their limits
            fitted = fit_assign(prep, open_, cmat)
            plan = None if fitted is None else plan_from(state, fitted)
        if plan is not None and (best is None or plan.cost < best.cost):
            best = plan
    improve = min(state.settings.improve_seconds, 0.25 * max(deadline - time.monotonic(), 0.0))
    if best is None or len(prep.pi) <= state.settings.full_lp_pairs:
        # on larger models HiGHS rarely beats the start within the time and overruns it at
        # the root; the LP neighbourhood finds their plans
        plan = restricted_plan(state, open_, best, max(deadline - time.monotonic() - improve, 1.0))
        if plan is not None and (best is None or plan.cost < best.cost):
            best = plan
    if best is not None:  # the local search keeps to the deadline too
        best = improve_plan(state, best, max(deadline, time.monotonic() + 0.5))
    return best


def fit_assign(prep: Prepared, open_: np.ndarray, cmat: np.ndarray) -> np.ndarray | None:
    """Each site to its cheapest station of ``open_`` (on ``cmat``) that still has room for
    its hours at the station's most technicians and for its calls at the station's top
    on-duty level, the sites that would regret their cheapest station most placed first;
    None if some site finds no room."""
    problem = prep.problem
    n_sites = cmat.shape[1]
    sub = cmat[open_]
    work = pair_matrix(prep, prep.pw)[open_]
    room_w = prep.cap[open_] * problem.technician.productive_hours * (1 + FEAS_TOL)
    room_c = np.full(len(open_), np.inf)
    if problem.dispatch is not None:
        room_c = np.array([lv[-1] if len(lv) else 0.0 for lv in (prep.levels[j] for j in open_)])
        room_c = room_c * (1 + FEAS_TOL)
    ordered = np.sort(sub, axis=0)
    regret = ordered[1] - ordered[0] if len(open_) > 1 else np.zeros(n_sites)
    assign = np.full(n_sites, -1)
    for i in np.argsort(-np.where(np.isfinite(regret), regret, np.inf), kind="stable"):
        fits = (work[:, i] <= room_w) & (prep.calls[i] <= room_c) & np.isfinite(sub[:, i])
        if not fits.any():
            return None
        q = int(np.argmin(np.where(fits, sub[:, i], np.inf)))
        assign[i] = open_[q]
        room_w[q] -= work[q, i]
        room_c[q] -= prep.calls[i]
    return assign


def guided_plan(
    state: SolveState,
    y_lp: np.ndarray,
    t0: float,
    total_budget: float,
    incumbent: Plan,
) -> Plan | None:
    """Local search from the stations the LP opens by at least a half, then a restricted MILP."""
    prep = state.prep
    start = [int(j) for j in np.argsort(-y_lp) if y_lp[j] >= 0.5]
    if not start:
        return None
    left = total_budget - (time.monotonic() - t0)
    budget = min(30.0, 0.1 * left) if math.isfinite(left) else 30.0
    now = time.monotonic()
    open_ = station_local_search(prep, linear_costs(prep), now + budget / 3, start)
    open_ = add_for_coverage(state, open_)
    limit = prep.problem.max_open_stations
    if (limit is not None and len(open_) > limit) or set(open_) == set(np.unique(incumbent.assign)):
        return None
    return restricted_plan(state, open_, None, max(budget - (time.monotonic() - now), 0.5))
