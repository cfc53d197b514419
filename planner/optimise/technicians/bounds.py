"""Lower bounds that need no full model: maximal covering (how much coverage k stations can
reach), the station-level relaxation (fewest stations, technicians and least fixed plus
technician cost of any plan), the on-duty staff floor and a bound needing no solve.
"""

from __future__ import annotations

import math
import time

import highspy
import numpy as np
import scipy.sparse as sp

from planner.optimise.highs import HighsModel, new_highs, pass_model
from planner.optimise.location import max_covering as location_covering
from planner.optimise.technicians.prepared import Prepared, pair_linear_costs, staff_for
from planner.optimise.technicians.state import Aggregate, SolveState


def max_coverage(
    prep: Prepared, covered: np.ndarray, p: int | None = None, time_limit: float | None = None
) -> tuple[float, float]:
    """:func:`max_covering` without the stations."""
    best, top, _ = max_covering(prep, covered, p, time_limit)
    return best, top


def max_covering(
    prep: Prepared,
    covered: np.ndarray,
    p: int | None = None,
    time_limit: float | None = None,
    *,
    relax: bool = False,
) -> tuple[float, float, np.ndarray]:
    """Largest share of emergency calls reached in time by at most ``p`` open stations
    (default: the problem's ``max_open_stations``), ignoring capacity: the maximal covering
    (:func:`planner.optimise.location.max_covering`) of the pairs ``covered`` marks.

    Returns (best share found, proven upper bound on the share, stations reaching the
    best share); the two shares are equal unless ``time_limit`` cut the maximal-covering
    MILP short. With ``relax`` only the LP relaxation is solved: its optimum is the
    upper bound, and no share or stations are found.
    """
    problem = prep.problem
    covers = np.zeros((len(problem.stations), len(problem.sites)), dtype=bool)
    covers[prep.pj[covered], prep.pi[covered]] = True
    if p is None:
        p = problem.max_open_stations
    out = location_covering(covers, prep.calls, p, time_limit, relax=relax)
    return out.best, out.top, out.stations


def fewest_for_coverage(
    state: SolveState,
    deadline: float,
) -> int:
    """Fewest stations whose reach within the promise holds ``target`` of the calls (a proven
    lower bound: the largest count shown insufficient, plus one)."""
    prep, target, covered = state.prep, state.target, state.covered
    total = float(prep.calls.sum())
    if target <= 0 or total <= 0:
        return 1
    need = target * (1 - 1e-12) - 1e-12
    limit = prep.problem.max_open_stations
    useful = len(np.unique(prep.pj[covered & (prep.calls[prep.pi] > 0)]))
    high = useful if limit is None else min(limit, useful)
    if high <= 1:
        return 1
    # the LP relaxation's coverage grows with p: bisect for the fewest stations it allows
    low = 1  # invariant: fewer than `low` stations are shown insufficient
    while low < high:
        mid = (low + high) // 2
        left = deadline - time.monotonic()
        if left <= 0:
            return low
        _, top, _ = max_covering(prep, covered, mid, left, relax=True)
        if top >= need:
            high = mid
        else:
            low = mid + 1
    # then the MILP, while time allows, for counts the LP could not rule out
    p = low
    while limit is None or p <= limit:
        left = deadline - time.monotonic()
        if left <= 0:
            return p
        _, top = max_coverage(prep, covered, p, left)
        if top >= need:
            return p
        p += 1
    return p


def aggregate_bounds(
    state: SolveState,
    deadline: float,
) -> Aggregate | None:
    """Station-level relaxation: each station picks open/closed, technicians and an on-duty level;
    together they open at least the stations coverage needs, hold the least total workload
    (every site at its cheapest-in-hours station) and, with dispatch, the total calls; an open
    station has at least the staff its smallest site needs and, if it reaches no site without
    calls, at least one on-duty level. Any plan gives a solution of it, so its minima of open
    stations, technicians, and fixed plus technician cost bound every plan from below.
    """
    prep = state.prep
    problem = prep.problem
    n_st = len(problem.stations)
    hours_h = problem.technician.productive_hours
    k_cov = fewest_for_coverage(state, deadline)
    serving = np.zeros(n_st, dtype=bool)
    serving[prep.pj] = True
    st = np.nonzero(serving)[0]
    m = len(st)
    least = np.full(n_st, np.inf)
    np.minimum.at(least, prep.pj, staff_for(prep.pw, hours_h))
    zero_call = np.zeros(n_st, dtype=bool)
    zero_call[prep.pj[prep.calls[prep.pi] <= 0]] = True
    min_work = np.full(len(problem.sites), np.inf)
    np.minimum.at(min_work, prep.pi, prep.pw)
    # columns: y (m), n (m), z levels
    zs, zl = [], []
    if problem.dispatch is not None:
        for q, j in enumerate(st):
            for c in range(1, len(prep.levels[j]) + 1):
                zs.append(q)
                zl.append(c)
    zs_a, zl_a = np.array(zs, dtype=np.int64), np.array(zl, dtype=np.int64)
    nz = len(zs_a)
    y0, n0, z0 = 0, m, 2 * m
    ncol = 2 * m + nz
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rl: list[float] = []
    ru: list[float] = []
    r = 0

    def add_row(c: np.ndarray, v: np.ndarray, lo: float, hi: float) -> None:
        nonlocal r
        rows.append(np.full(len(c), r))
        cols.append(np.asarray(c, dtype=np.int64))
        vals.append(np.asarray(v, dtype=np.float64))
        rl.append(lo)
        ru.append(hi)
        r += 1

    q_all = np.arange(m)
    add_row(y0 + q_all, np.ones(m), float(k_cov), np.inf)
    add_row(n0 + q_all, np.full(m, hours_h), float(min_work.sum()) * (1 - 1e-9), np.inf)
    for q, j in enumerate(st):
        add_row(np.array([n0 + q, y0 + q]), np.array([1.0, -float(prep.cap[j])]), -np.inf, 0.0)
        add_row(np.array([n0 + q, y0 + q]), np.array([1.0, -float(least[j])]), 0.0, np.inf)
    if nz:
        nm = np.array(prep.nmin, dtype=np.float64)
        lv = np.array([prep.levels[st[q]][c - 1] for q, c in zip(zs_a, zl_a, strict=True)])
        prev = np.array(
            [prep.levels[st[q]][c - 2] if c > 1 else 0.0 for q, c in zip(zs_a, zl_a, strict=True)]
        )
        add_row(z0 + np.arange(nz), lv - prev, float(prep.calls.sum()) * (1 - 1e-9), np.inf)
        for t in range(nz):
            q, c = int(zs_a[t]), int(zl_a[t])
            prev_col = y0 + q if c == 1 else z0 + t - 1
            add_row(np.array([z0 + t, prev_col]), np.array([1.0, -1.0]), -np.inf, 0.0)
            if c == 1 and not zero_call[st[q]]:
                add_row(np.array([z0 + t, prev_col]), np.array([1.0, -1.0]), 0.0, np.inf)
        for q in range(m):
            mine = np.nonzero(zs_a == q)[0]
            dn = nm[zl_a[mine]] - nm[zl_a[mine] - 1]
            add_row(
                np.concatenate([[n0 + q], z0 + mine]), np.concatenate([[1.0], -dn]), 0.0, np.inf
            )
    a = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, ncol)
    )
    upper = np.concatenate([np.ones(m), prep.cap[st].astype(float), np.ones(nz)])
    integer = np.ones(ncol, dtype=bool)
    objectives = {
        "open": np.concatenate([np.ones(m), np.zeros(m + nz)]),
        "staff": np.concatenate([np.zeros(m), np.ones(m), np.zeros(nz)]),
        "spend": np.concatenate(
            [prep.fixed[st], np.full(m, problem.technician.annual_cost), np.zeros(nz)]
        ),
    }
    found: dict[str, float] = {}
    for name, cost in objectives.items():
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        h = new_highs()
        h.setOptionValue("time_limit", left)
        pass_model(
            h, HighsModel(cost, np.zeros(ncol), upper, np.array(rl), np.array(ru), a), integer
        )
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None  # the full problem is infeasible too; the solver proper says why
        bound = h.getInfo().mip_dual_bound
        if not np.isfinite(bound):
            return None
        found[name] = float(bound)
    return Aggregate(
        open=max(k_cov, math.ceil(found["open"] - 1e-6)),
        staff=math.ceil(found["staff"] - 1e-6),
        spend=found["spend"] * (1 - 1e-9),
    )


def dispatch_staff_floor(prep: Prepared, k: int, may_idle: bool) -> float:
    """Fewest technicians k stations need on duty for all the calls: min sum nmin(c_j) with
    sum lam(c_j) >= total calls, each c_j >= 1 (>= 0 if ``may_idle``), over the uncapped
    levels (a station's levels are at most these). 0 without dispatch."""
    if prep.problem.dispatch is None or k == 0:
        return 0.0
    total = float(prep.calls.sum())
    tops = [lv for lv in prep.levels if len(lv)]
    if not tops or total <= 0:
        return 0.0
    top = max(tops, key=len)  # uncapped table: lam(c) before the reach cap, per level
    lam = np.concatenate([[0.0], np.array(top, dtype=np.float64)])
    longest = len(lam) - 1
    # the last level of the longest table may be capped by reach; treat it as unbounded
    lam[longest] = np.inf
    nm = np.array(prep.nmin[: longest + 1], dtype=np.float64)
    lo = 0 if may_idle else 1
    # dynamic programme over the k stations: most on-duty capacity for each staff total
    reach: dict[float, float] = {0.0: 0.0}
    for _ in range(k):
        nxt: dict[float, float] = {}
        for staff, capacity in reach.items():
            for c in range(lo, longest + 1):
                key = staff + float(nm[c])
                if nxt.get(key, -1.0) < capacity + lam[c]:
                    nxt[key] = capacity + lam[c]
        reach = nxt
    enough = [staff for staff, capacity in reach.items() if capacity >= total * (1 - 1e-9)]
    return min(enough) if enough else math.inf


def simple_bound(prep: Prepared) -> float:
    """A lower bound needing no solve: each site's cheapest travel plus technician hours at the
    technicians' hourly cost, plus the cheapest station's fixed cost."""
    problem = prep.problem
    cheapest = np.full(len(problem.sites), np.inf)
    np.minimum.at(cheapest, prep.pi, pair_linear_costs(prep))
    return float(cheapest.sum() + prep.fixed.min())
