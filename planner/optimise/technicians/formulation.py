"""The MILP over a subset of pairs and stations: its column and row layout, how a plan is
written into it and read back out of it, and a MILP restricted to a station set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from planner.models.status import Status
from planner.optimise.highs import HighsModel, solve_mip
from planner.optimise.technicians.plans import Plan, plan_from
from planner.optimise.technicians.prepared import Prepared, pair_index, staff_for
from planner.optimise.technicians.settings import FEAS_TOL, REL_GAP
from planner.optimise.technicians.state import SolveState


@dataclass
class Model:
    """Column and row layout of one MILP/LP over a subset of pairs and stations."""

    pairs: np.ndarray  # indices into prepared pairs
    stations: np.ndarray  # station indices present
    x0: int
    y0: int
    n0: int
    z0: int
    z_station: np.ndarray  # per z column: station index
    z_level: np.ndarray  # per z column: level c (1-based)
    num_col: int
    row_assign: int
    row_cap: int  # first capacity row, one per station in `stations`
    row_ncap: int
    row_cov: int | None
    row_open: int | None
    row_disp: dict[int, int]  # station -> dispatch row
    num_row: int
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a: sp.csc_matrix
    integer: np.ndarray

    def arrays(self) -> HighsModel:
        """The model's arrays for HiGHS (the same arrays, not copies)."""
        return HighsModel(
            self.cost, self.lower, self.upper, self.row_lower, self.row_upper, self.a, self.integer
        )


def build(
    state: SolveState,
    pairs: np.ndarray,
    stations: np.ndarray,
    *,
    most_open: int | None = None,
    nogoods: tuple[np.ndarray, ...] = (),
) -> Model:
    """Assemble the model over ``pairs`` (all their stations must be in ``stations``).

    ``most_open`` caps the open stations and each station set in ``nogoods`` asks for at
    least one station outside it; both are cuts that only plans cheaper than the
    incumbent need to obey (see :func:`solve_at`).
    """
    prep, target, covered = state.prep, state.target, state.covered
    problem = prep.problem
    n_sites = len(problem.sites)
    hours_h = problem.technician.productive_hours
    m = len(stations)
    spos = np.full(len(problem.stations), -1)
    spos[stations] = np.arange(m)
    kx = len(pairs)
    x0, y0, n0, z0 = 0, kx, kx + m, kx + 2 * m
    z_station, z_level = [], []
    if problem.dispatch is not None:
        for j in stations:
            for c in range(1, len(prep.levels[j]) + 1):
                z_station.append(j)
                z_level.append(c)
    z_station_a = np.array(z_station, dtype=np.int64)
    z_level_a = np.array(z_level, dtype=np.int64)
    nz = len(z_station_a)
    num_col = z0 + nz

    pi, pj = prep.pi[pairs], prep.pj[pairs]
    cal = prep.calls[pi]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rl: list[np.ndarray] = []
    ru: list[np.ndarray] = []

    def add(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> None:
        v = np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(c))
        nonzero = v != 0
        rows.append(np.broadcast_to(np.asarray(r, dtype=np.int64), np.shape(c))[nonzero])
        cols.append(np.asarray(c, dtype=np.int64)[nonzero])
        vals.append(v[nonzero])

    xcols = np.arange(kx)
    r = 0
    row_assign = r  # sum_j x_ij = 1
    add(r + pi, xcols, np.ones(kx))
    rl.append(np.ones(n_sites))
    ru.append(np.ones(n_sites))
    r += n_sites
    row_cap = r  # sum w x - H n <= 0
    add(r + spos[pj], xcols, prep.pw[pairs])
    add(r + np.arange(m), n0 + np.arange(m), np.full(m, -hours_h))
    rl.append(np.full(m, -np.inf))
    ru.append(np.zeros(m))
    r += m
    row_ncap = r  # n - U y <= 0
    add(r + np.arange(m), n0 + np.arange(m), np.ones(m))
    add(r + np.arange(m), y0 + np.arange(m), -prep.cap[stations].astype(float))
    rl.append(np.full(m, -np.inf))
    ru.append(np.zeros(m))
    r += m
    # n_j >= L_j y_j: an open station serves some site, and each alone needs ceil(w_ij / H) technicians
    least = np.full(len(problem.stations), np.inf)
    np.minimum.at(least, pj, staff_for(prep.pw[pairs], hours_h))
    least = np.where(np.isfinite(least), np.maximum(least, 0.0), 0.0)[stations]
    add(r + np.arange(m), n0 + np.arange(m), np.ones(m))
    add(r + np.arange(m), y0 + np.arange(m), -least)
    rl.append(np.zeros(m))
    ru.append(np.full(m, np.inf))
    r += m
    row_cov = None
    total = float(prep.calls.sum())
    if target > 0 and total > 0:
        row_cov = r
        cv = covered[pairs] & (cal > 0)
        add(np.full(int(cv.sum()), r), xcols[cv], cal[cv])
        rl.append(np.array([target * total * (1 - FEAS_TOL)]))
        ru.append(np.array([np.inf]))
        r += 1
    agg = state.aggregate
    if agg is not None:  # station-level bounds (see aggregate_bounds)
        add(np.full(m, r), y0 + np.arange(m), np.ones(m))
        add(np.full(m, r + 1), n0 + np.arange(m), np.ones(m))
        add(np.full(m, r + 2), y0 + np.arange(m), prep.fixed[stations])
        add(np.full(m, r + 2), n0 + np.arange(m), np.full(m, problem.technician.annual_cost))
        rl.append(np.array([float(agg.open), agg.staff, agg.spend]))
        ru.append(np.full(3, np.inf))
        r += 3
    row_open = None
    limit = problem.max_open_stations
    if most_open is not None:
        limit = most_open if limit is None else min(limit, most_open)
    if limit is not None and limit < m:
        row_open = r
        add(np.full(m, r), y0 + np.arange(m), np.ones(m))
        rl.append(np.array([-np.inf]))
        ru.append(np.array([float(limit)]))
        r += 1
    for explored in nogoods:
        outside = np.nonzero(~np.isin(stations, explored))[0]
        add(np.full(len(outside), r), y0 + outside, np.ones(len(outside)))
        rl.append(np.array([1.0]))
        ru.append(np.array([np.inf]))
        r += 1
    row_disp: dict[int, int] = {}
    if nz:
        zc = z0 + np.arange(nz)
        zpos = spos[z_station_a]
        prev_lv = np.zeros(nz)
        lv = np.array([prep.levels[j][c - 1] for j, c in zip(z_station_a, z_level_a, strict=True)])
        prev_lv[1:] = np.where(z_level_a[1:] > 1, lv[:-1], 0.0)
        nm = np.array(prep.nmin)
        dn = (nm[z_level_a] - nm[z_level_a - 1]).astype(float)
        disp_stations = np.unique(z_station_a)
        for q, j in enumerate(disp_stations):
            row_disp[int(j)] = r + q
        dpos = np.full(len(problem.stations), -1)
        dpos[disp_stations] = r + np.arange(len(disp_stations))
        has = (dpos[pj] >= 0) & (cal > 0)
        # sum calls x - sum dL z <= 0
        add(dpos[pj[has]], xcols[has], cal[has])
        add(dpos[z_station_a], zc, -(lv - prev_lv))
        nd = len(disp_stations)
        rl.append(np.full(nd, -np.inf))
        ru.append(np.zeros(nd))
        r += nd
        # n - sum dn z >= 0
        add(r + np.searchsorted(disp_stations, z_station_a), zc, -dn)
        add(r + np.arange(nd), n0 + spos[disp_stations], np.ones(nd))
        rl.append(np.zeros(nd))
        ru.append(np.full(nd, np.inf))
        r += nd
        # z_j1 <= y_j, z_jc <= z_j,c-1
        add(r + np.arange(nz), zc, np.ones(nz))
        first = z_level_a == 1
        prev_col = np.where(first, y0 + zpos, zc - 1)
        add(r + np.arange(nz), prev_col, -np.ones(nz))
        rl.append(np.full(nz, -np.inf))
        ru.append(np.zeros(nz))
        r += nz
    # linking, disaggregated: x_ij <= y_j, or x_ij <= z_jc for a site with calls
    link = link_columns(prep, pairs, spos, y0, z0, z_station_a, z_level_a)
    add(r + xcols, xcols, np.ones(kx))
    add(r + xcols, link, -np.ones(kx))
    rl.append(np.full(kx, -np.inf))
    ru.append(np.zeros(kx))
    r += kx
    a = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, num_col)
    )
    cost = np.concatenate(
        [
            prep.pcost[pairs],
            prep.fixed[stations],
            np.full(m, problem.technician.annual_cost),
            np.zeros(nz),
        ]
    )
    lower = np.zeros(num_col)
    upper = np.concatenate([np.ones(kx + m), prep.cap[stations].astype(float), np.ones(nz)])
    integer = np.ones(num_col, dtype=bool)
    return Model(
        pairs,
        stations,
        x0,
        y0,
        n0,
        z0,
        z_station_a,
        z_level_a,
        num_col,
        row_assign,
        row_cap,
        row_ncap,
        row_cov,
        row_open,
        row_disp,
        r,
        cost,
        lower,
        upper,
        np.concatenate(rl),
        np.concatenate(ru),
        a,
        integer,
    )


def link_columns(
    prep: Prepared,
    pairs: np.ndarray,
    spos: np.ndarray,
    y0: int,
    z0: int,
    z_station: np.ndarray,
    z_level: np.ndarray,
) -> np.ndarray:
    """Column each pair's assignment is linked to: ``x_ij <= y_j``, or ``x_ij <= z_jc`` where c is
    the on-duty level that site i's emergency calls alone need at station j."""
    pi, pj = prep.pi[pairs], prep.pj[pairs]
    cal = prep.calls[pi]
    link = y0 + spos[pj]
    if len(z_station):
        z_first = np.full(len(prep.problem.stations), -1)
        starts = np.nonzero(z_level == 1)[0]
        z_first[z_station[starts]] = z0 + starts
        for j in np.unique(pj[cal > 0]):
            sel = np.nonzero((pj == j) & (cal > 0))[0]
            need = np.searchsorted(prep.levels[j], cal[sel] * (1 - FEAS_TOL))
            link[sel] = z_first[j] + need
    return link


def run_milp(
    prep: Prepared,
    model: Model,
    start: Plan | None,
    time_limit: float | None,
    *,
    relax_x: bool = False,
    cutoff: float | None = None,
) -> tuple[Status, np.ndarray | None, float | None]:
    """Run HiGHS on ``model`` (with continuous assignments if ``relax_x``).

    With ``cutoff``, only solutions cheaper than it are sought: ``infeasible`` then means
    that none exists.

    Returns (status, column values or None, proven lower bound or None) with status
    ``optimal`` (gap within 1e-6 relative), ``feasible``, ``infeasible`` or ``unknown``.

    The start plan is tried first (:func:`planner.optimise.highs.solve_mip`, which does not
    trust a run that misreads it).
    """
    sol = None if start is None else start_vector(prep, model, start)
    integer = model.integer.copy()
    if relax_x:
        integer[model.x0 : model.x0 + len(model.pairs)] = False
    run = solve_mip(
        model.arrays(),
        sol,
        time_limit,
        integer=integer,
        rel_gap=REL_GAP / 2,
        abs_gap=1e-9,
        cutoff=cutoff,
    )
    return run.status, run.values, run.bound


def plan_of(
    state: SolveState,
    model: Model,
    values: np.ndarray,
) -> Plan | None:
    """The plan in a MILP solution, restaffed at least cost; None if assignments are fractional."""
    prep = state.prep
    xv = values[model.x0 : model.x0 + len(model.pairs)]
    chosen = model.pairs[xv > 0.5]
    assign = np.full(len(prep.problem.sites), -1)
    assign[prep.pi[chosen]] = prep.pj[chosen]
    if (assign < 0).any() or np.abs(xv - np.round(xv)).max(initial=0.0) > 1e-6:
        return None
    return plan_from(state, assign)


def start_vector(prep: Prepared, model: Model, plan: Plan) -> np.ndarray | None:
    """Full column vector of ``plan`` in ``model``'s layout; None if the plan uses a pair not in it."""
    n_st = len(prep.problem.stations)
    vec = np.zeros(model.num_col)
    idx = pair_index(prep, plan.assign)
    if idx is None:
        return None
    pos = np.full(len(prep.pi), -1)
    pos[model.pairs] = np.arange(len(model.pairs))
    if (pos[idx] < 0).any():
        return None
    vec[model.x0 + pos[idx]] = 1.0
    spos = np.full(n_st, -1)
    spos[model.stations] = np.arange(len(model.stations))
    open_ = np.unique(plan.assign)
    if (spos[open_] < 0).any():
        return None
    vec[model.y0 + spos[open_]] = 1.0
    vec[model.n0 + spos[model.stations]] = plan.technicians[model.stations]
    if len(model.z_station):
        calls = np.bincount(plan.assign, weights=prep.calls, minlength=n_st)
        for q, (j, c) in enumerate(zip(model.z_station, model.z_level, strict=True)):
            lv = prep.levels[j]
            need = int(np.searchsorted(lv, calls[j] * (1 - FEAS_TOL))) + 1 if calls[j] > 0 else 0
            vec[model.z0 + q] = 1.0 if c <= need else 0.0
    return vec


def restricted_solve(
    state: SolveState,
    open_: np.ndarray,
    start: Plan | None,
    budget: float,
) -> tuple[str, Plan | None, float | None]:
    """Best plan using only the stations ``open_``: (status, plan, bound) as in
    :func:`run_milp`, the status about plans restricted to those stations."""
    prep = state.prep
    in_set = np.isin(prep.pj, open_)
    if not np.isin(np.arange(len(prep.problem.sites)), prep.pi[in_set]).all():
        return Status.INFEASIBLE, None, None
    model = build(state, np.nonzero(in_set)[0], open_)
    usable = start if start is not None and np.isin(start.assign, open_).all() else None
    status, values, bound = run_milp(prep, model, usable, budget)
    plan = None if values is None else plan_of(state, model, values)
    return status, plan, bound


def restricted_plan(
    state: SolveState,
    open_: np.ndarray,
    start: Plan | None,
    budget: float,
) -> Plan | None:
    """Best plan found within ``budget`` seconds that uses only the stations ``open_``."""
    return restricted_solve(state, open_, start, budget)[1]
