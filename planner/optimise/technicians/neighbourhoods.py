"""The LP-neighbourhood MILP (continuous assignments over the LP's stations and each site's
pairs of least reduced cost) and the rounding of its plan.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from planner.optimise.technicians.formulation import Model, build, plan_of, run_milp
from planner.optimise.technicians.plans import Plan
from planner.optimise.technicians.prepared import (
    Prepared,
    least_per_site,
    pair_index,
    pair_linear_costs,
)
from planner.optimise.technicians.pricing import LpBound
from planner.optimise.technicians.state import SolveState

log = logging.getLogger(__name__)


def neighbourhood_plan(
    state: SolveState,
    lp: LpBound,
    incumbent: Plan,
    budget: float,
    width: int = 0,
) -> Plan | None:
    """Best plan found in the LP's neighbourhood within ``budget`` seconds.

    The neighbourhood: the stations the LP opens at all and the incumbent's, each site
    limited to its few pairs of least reduced cost into them (5, fewer when that keeps the
    model near 6,000 pairs; ``2 ** (width - 1)`` times as many from ``width`` 2 on, with
    ``3 (width - 1)`` more stations, the closed ones of least reduced cost) and its
    incumbent pair. On it a MILP with continuous assignments (stations, staffing and
    dispatch levels integer) picks the stations and their staffing; HiGHS settles those
    few integers far sooner than a model with every assignment integer, the more so as the
    stations the LP opens by 0.9 or more are kept open (at ``width`` 0 only).
    :func:`round_relaxed` rounds its plan, moving also the sites of least regret.
    """
    prep = state.prep
    if budget < state.settings.min_phase_seconds:
        return None
    t0 = time.monotonic()
    n_sites = len(prep.problem.sites)
    per_site = max(
        2,
        min(
            state.settings.neighbourhood_pairs, state.settings.neighbourhood_size // max(n_sites, 1)
        ),
    )
    per_site *= 2 ** max(width - 1, 0)
    open_ = np.union1d(np.nonzero(lp.y > 1e-4)[0], np.unique(incumbent.assign))
    if width >= 2:  # and the closed stations of least reduced cost
        closed = np.setdiff1d(np.arange(len(prep.problem.stations)), open_)
        more = closed[np.argsort(lp.rc_y[closed], kind="stable")[: 3 * (width - 1)]]
        open_ = np.union1d(open_, more)
    cand = np.nonzero(np.isin(prep.pj, open_))[0]
    reduced = lp.rc[cand] - lp.site_min[prep.pi[cand]]
    keep = np.zeros(len(prep.pi), dtype=bool)
    keep[least_per_site(prep, cand, reduced, per_site)] = True
    keep[pair_index(prep, incumbent.assign)] = True
    model = build(state, np.nonzero(keep)[0], open_)
    sure = (lp.y[open_] >= state.settings.sure_open) & (width == 0)
    model.lower[model.y0 + np.nonzero(sure)[0]] = 1.0
    start = incumbent if np.isin(open_[sure], incumbent.assign).all() else None
    _, values, _ = run_milp(
        prep, model, start, state.settings.rounding_share * budget, relax_x=True
    )
    plan = None
    if values is not None:
        movers = least_regret(prep, model, values, max(state.settings.movers, n_sites // 20))
        plan = round_relaxed(state, model, values, budget - (time.monotonic() - t0), movers)
    log.info(
        "LP neighbourhood (%d stations, %d pairs): relaxed %s, plan %s",
        len(open_),
        int(keep.sum()),
        None if values is None else f"{float(model.cost @ values):.2f}",
        None if plan is None else f"{plan.cost:.2f}",
    )
    return plan


def relaxed_parts(model: Model, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of a solution with continuous assignments: its open stations and its pairs assigned
    whole."""
    xv = values[model.x0 : model.x0 + len(model.pairs)]
    open_ = model.stations[values[model.y0 : model.y0 + len(model.stations)] > 0.5]
    return open_, model.pairs[xv > 1 - 1e-6]


def round_relaxed(
    state: SolveState,
    model: Model,
    values: np.ndarray,
    budget: float,
    movers: np.ndarray | None = None,
) -> Plan | None:
    """A plan from a solution with continuous assignments.

    The sites assigned whole keep their station, except ``movers``; the split ones (at most
    about one per capacity, dispatch and coverage row, as the assignment is a basic solution
    once the integers are fixed) and the movers may go to any of the open stations, staffing
    free; a MILP settles them. With movers, the plan without them comes first (a quarter of
    the budget) and starts the second MILP."""
    prep = state.prep
    open_, whole = relaxed_parts(model, values)
    split = np.setdiff1d(np.arange(len(prep.problem.sites)), prep.pi[whole])
    steps = [split] if movers is None or not len(movers) else [split, np.union1d(split, movers)]
    deadline = time.monotonic() + budget
    plan: Plan | None = None
    for q, free_sites in enumerate(steps):
        left = deadline - time.monotonic()
        if left < state.settings.min_phase_seconds / 4:
            break
        free = np.nonzero(np.isin(prep.pi, free_sites) & np.isin(prep.pj, open_))[0]
        if not np.isin(free_sites, prep.pi[free]).all():
            return None
        kept = whole[~np.isin(prep.pi[whole], free_sites)]
        rounded = build(state, np.union1d(kept, free), open_)
        share = left / 4 if q + 1 < len(steps) else left
        _, sol, _ = run_milp(prep, rounded, plan, share)
        found = None if sol is None else plan_of(state, rounded, sol)
        log.debug(
            "rounding %d split and %d more sites: %s (%.1f s left)",
            len(split),
            len(free_sites) - len(split),
            None if found is None else f"{found.cost:.2f}",
            deadline - time.monotonic(),
        )
        if found is not None and (plan is None or found.cost < plan.cost):
            plan = found
    return plan


def least_regret(prep: Prepared, model: Model, values: np.ndarray, count: int) -> np.ndarray:
    """About ``count`` sites assigned whole, an equal share from each open station: those
    whose move to another open station costs least on the linearised cost (travel plus
    workload hours at the technicians' hourly cost). Every station then has sites to shed
    when rounding would lift it to another on-duty level."""
    problem = prep.problem
    lin = pair_linear_costs(prep)
    open_, whole = relaxed_parts(model, values)
    own = np.full(len(problem.sites), -1)
    own[prep.pi[whole]] = prep.pj[whole]
    here = np.full(len(problem.sites), np.inf)
    here[prep.pi[whole]] = lin[whole]
    other = np.nonzero(np.isin(prep.pj, open_) & (prep.pj != own[prep.pi]))[0]
    away = np.full(len(problem.sites), np.inf)
    np.minimum.at(away, prep.pi[other], lin[other])
    regret = np.where(own >= 0, away - here, np.inf)
    order = np.lexsort((regret, own))  # by station, then by regret
    first = np.searchsorted(own[order], own[order], side="left")
    rank = np.arange(len(order)) - first
    share = max(1, count // max(len(open_), 1))
    chosen = order[(rank < share) & np.isfinite(regret[order])]
    return np.sort(chosen)
