"""Search by station sets: the most stations a cheaper plan can open, enumeration of the
station sets that remain, and phase R (the model with continuous assignments, a restricted
MILP per station set found, a no-good cut each).
"""

from __future__ import annotations

import itertools
import logging
import math
import time

import highspy
import numpy as np

from planner.models.status import Status
from planner.optimise.highs import new_highs, pass_model
from planner.optimise.technicians.bounds import dispatch_staff_floor
from planner.optimise.technicians.formulation import build, plan_of, restricted_solve, run_milp
from planner.optimise.technicians.plans import Outcome, Plan, cutoff_below, finish
from planner.optimise.technicians.prepared import staff_for
from planner.optimise.technicians.state import SolveState

log = logging.getLogger(__name__)


def cardinality_cap(
    state: SolveState,
    pairs: np.ndarray,
    stations: np.ndarray,
    cost: float,
    deadline: float,
) -> int | None:
    """Most stations a plan cheaper than ``cost`` can open: K - 1 for the smallest K at which
    the LP relaxation with ``sum y >= K`` already costs at least the cutoff (None if none
    is found in time). The LP is warm-started from one K to the next."""
    model = build(state, pairs, stations)
    m = len(model.stations)
    floor = 1 if state.aggregate is None else state.aggregate.open
    h = new_highs()
    pass_model(h, model.arrays(), None)
    cols = (model.y0 + np.arange(m)).astype(np.int32)
    h.addRow(float(floor), np.inf, m, cols, np.ones(m))
    row = model.num_row
    cutoff = cutoff_below(cost)
    for k in range(floor + 1, m + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        h.changeRowBounds(row, float(k), np.inf)
        h.setOptionValue("time_limit", left)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return k - 1
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        if h.getInfo().objective_function_value >= cutoff:
            return k - 1
    return None


def enumerate_station_sets(
    state: SolveState,
    pairs: np.ndarray,
    stations: np.ndarray,
    incumbent: Plan,
    most_open: int,
    deadline: float,
) -> tuple[Plan, bool]:
    """Every station set of at most ``most_open`` of ``stations``: bound it cheaply and solve the
    ones whose bound is below the incumbent's cutoff exactly.

    The bound of a set S holds for every plan whose open stations are exactly S: fixed
    costs of S, plus each site's cheapest travel to S, plus technicians at least the
    most of (each station's smallest site alone, the least total workload over H, the
    on-duty staff S needs for all calls); S must also reach the coverage target. Plans
    opening a subset of S are bounded with that subset. Returns (best plan, proven):
    proven when every set was pruned or solved to optimality.
    """
    prep, target, covered = state.prep, state.target, state.covered
    problem = prep.problem
    n_sites = len(problem.sites)
    hours_h = problem.technician.productive_hours
    per_tech = problem.technician.annual_cost
    m = len(stations)
    spos = np.full(len(problem.stations), -1)
    spos[stations] = np.arange(m)
    travel = np.full((m, n_sites), np.inf)
    travel[spos[prep.pj[pairs]], prep.pi[pairs]] = prep.pcost[pairs]
    work = np.full((m, n_sites), np.inf)
    work[spos[prep.pj[pairs]], prep.pi[pairs]] = prep.pw[pairs]
    reach = np.zeros((m, n_sites), dtype=bool)
    hit = covered[pairs] & (prep.calls[prep.pi[pairs]] > 0)
    reach[spos[prep.pj[pairs[hit]]], prep.pi[pairs[hit]]] = True
    least = np.where(
        np.isfinite(work), staff_for(np.where(np.isfinite(work), work, 0), hours_h), np.inf
    ).min(axis=1)
    total = float(prep.calls.sum())
    need = target * total * (1 - 1e-9) if total > 0 else 0.0
    may_idle = bool((prep.calls <= 0).any())
    limit = problem.max_open_stations
    top = most_open if limit is None else min(most_open, limit)
    floor = 1 if state.aggregate is None else state.aggregate.open
    proven = True
    candidates: list[tuple[float, np.ndarray]] = []
    cutoff = cutoff_below(incumbent.cost)
    for k in range(max(floor, 1), top + 1):
        disp_staff = dispatch_staff_floor(prep, k, may_idle)
        combos_iter = itertools.combinations(range(m), k)
        while True:
            chunk = np.array(
                list(itertools.islice(combos_iter, state.settings.enum_chunk)), dtype=np.int64
            )
            if not len(chunk):
                break
            if time.monotonic() > deadline:
                return incumbent, False
            ok = (reach[chunk].any(axis=1) @ prep.calls) >= need
            chunk = chunk[ok]
            if not len(chunk):
                continue
            trav = travel[chunk].min(axis=1).sum(axis=1)
            wmin = work[chunk].min(axis=1).sum(axis=1)
            staff = np.maximum.reduce(
                [
                    least[chunk].sum(axis=1),
                    staff_for(wmin, hours_h),
                    np.full(len(chunk), disp_staff),
                ]
            )
            # a station with no usable pair (staff inf) cannot be part of an exact set
            staff_cost = np.where(np.isfinite(staff), per_tech * staff, np.inf)
            lb = prep.fixed[stations[chunk]].sum(axis=1) + staff_cost + trav
            keep = np.isfinite(lb) & (lb < cutoff)
            candidates.extend(zip(lb[keep].tolist(), stations[chunk[keep]], strict=True))
    candidates.sort(key=lambda c: c[0])
    for lb, open_ in candidates:
        if lb >= cutoff_below(incumbent.cost):
            break
        left = deadline - time.monotonic()
        if left <= 0:
            return incumbent, False
        status, plan, _ = restricted_solve(state, open_, incumbent, left)
        if plan is not None and plan.cost < incumbent.cost:
            incumbent = plan
        if status not in (Status.OPTIMAL, Status.INFEASIBLE):
            proven = False
    return incumbent, proven


def count_sets(m: int, most: int) -> int:
    """Number of station sets of size 1..most out of m."""
    return sum(math.comb(m, k) for k in range(1, min(most, m) + 1))


def relaxed_search(
    state: SolveState,
    pairs: np.ndarray,
    stations: np.ndarray,
    incumbent: Plan,
    bound_lp: float | None,
    t0: float,
    total_budget: float,
) -> Outcome:
    """Prove (or improve) ``incumbent`` by station sets.

    Phase R solves the model with continuous assignments (stations, staffing and levels
    integer) for its optimal station set S; a MILP restricted to S then finds the best plan
    using only S's stations, with proof, and the cut ``sum_{j not in S} y_j >= 1`` removes
    every such plan from phase R. Repeat until phase R finds nothing cheaper than the
    incumbent (the cutoff): then no plan is cheaper. Plans cheaper than the incumbent also
    open at most the stations :func:`cardinality_cap` allows.
    """
    prep = state.prep

    def left() -> float:
        return total_budget - (time.monotonic() - t0)

    def settle(region: float | None) -> Outcome:
        bound = None if region is None else min(region, incumbent.cost)
        if bound_lp is not None:
            bound = bound_lp if bound is None else max(bound, bound_lp)
        return finish(incumbent, bound)

    deadline = t0 + total_budget if math.isfinite(total_budget) else math.inf
    cap_deadline = time.monotonic() + (0.1 * left() if math.isfinite(total_budget) else 60.0)
    most_open = cardinality_cap(state, pairs, stations, incumbent.cost, min(cap_deadline, deadline))
    log.info("cheaper plans open at most %s stations (%.1f s)", most_open, time.monotonic() - t0)
    if most_open is not None and count_sets(len(stations), most_open) <= state.settings.enum_sets:
        plan, proven = enumerate_station_sets(
            state, pairs, stations, incumbent, most_open, deadline
        )
        incumbent = plan
        if proven:
            return settle(cutoff_below(plan.cost))
    nogoods: list[np.ndarray] = []
    region: float | None = None
    while True:
        if left() < state.settings.min_phase_seconds:
            return settle(region)
        model = build(state, pairs, stations, most_open=most_open, nogoods=tuple(nogoods))
        usable = (
            incumbent
            if not nogoods and (most_open is None or len(np.unique(incumbent.assign)) <= most_open)
            else None
        )
        cutoff = cutoff_below(incumbent.cost)
        budget = None if not math.isfinite(total_budget) else max(left() - 1.0, 0.5)
        status, values, run_bound = run_milp(
            prep, model, usable, budget, relax_x=True, cutoff=cutoff
        )
        log.info(
            "phase R %d: %s, bound %s, incumbent %.2f (%.1f s)",
            len(nogoods),
            status,
            run_bound,
            incumbent.cost,
            time.monotonic() - t0,
        )
        if status == Status.INFEASIBLE:  # nothing left below the cutoff
            return settle(cutoff)
        if values is not None:
            found = float(model.cost @ values)
            if status != Status.OPTIMAL:
                region = run_bound
            else:
                region = min(found, run_bound) if run_bound is not None else found
            if region is not None and region >= cutoff:
                return settle(cutoff)
            plan = plan_of(state, model, values)
            if plan is not None and plan.cost < incumbent.cost:
                incumbent = plan
            if status != Status.OPTIMAL:
                return settle(region)
            open_r = model.stations[values[model.y0 : model.y0 + len(model.stations)] > 0.5]
            r_status, r_plan, _ = restricted_solve(state, open_r, incumbent, max(left() - 1.0, 0.5))
            if r_plan is not None and r_plan.cost < incumbent.cost:
                incumbent = r_plan
            if r_status not in (Status.OPTIMAL, Status.INFEASIBLE):
                # S is not settled: the region bound still counts S's plans
                return settle(region)
            nogoods.append(open_r)
            continue
        return settle(run_bound)
