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


class Rows:
    """Rows of a model added block by block: the non-zeros (zeros dropped) and the bounds."""

    def __init__(self) -> None:
        self.count = 0
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []

    def add(self, r: np.ndarray, c: np.ndarray, v: np.ndarray | float) -> None:
        """Non-zeros ``v`` at rows ``r`` and columns ``c`` (scalars broadcast)."""
        v = np.broadcast_to(np.asarray(v, dtype=np.float64), np.shape(c))
        nonzero = v != 0
        self._rows.append(np.broadcast_to(np.asarray(r, dtype=np.int64), np.shape(c))[nonzero])
        self._cols.append(np.asarray(c, dtype=np.int64)[nonzero])
        self._vals.append(v[nonzero])

    def block(self, lower: np.ndarray, upper: np.ndarray) -> int:
        """Open a block of ``len(lower)`` rows with these bounds; its first row."""
        first = self.count
        self._lower.append(np.asarray(lower, dtype=np.float64))
        self._upper.append(np.asarray(upper, dtype=np.float64))
        self.count += len(lower)
        return first

    def matrix(self, num_col: int) -> sp.csc_matrix:
        coords = (np.concatenate(self._rows), np.concatenate(self._cols))
        return sp.csc_matrix((np.concatenate(self._vals), coords), shape=(self.count, num_col))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self._lower), np.concatenate(self._upper)


@dataclass(frozen=True)
class Columns:
    """The column layout: assignments x (one per pair), then y (open), n (technicians) per
    station, then z (on-duty levels, dispatch only) per station and level."""

    pairs: np.ndarray
    stations: np.ndarray
    spos: np.ndarray  # station index -> position in ``stations`` (-1: absent)
    z_station: np.ndarray
    z_level: np.ndarray

    @property
    def x0(self) -> int:
        return 0

    @property
    def y0(self) -> int:
        return len(self.pairs)

    @property
    def n0(self) -> int:
        return len(self.pairs) + len(self.stations)

    @property
    def z0(self) -> int:
        return len(self.pairs) + 2 * len(self.stations)

    @property
    def num_col(self) -> int:
        return self.z0 + len(self.z_station)


def columns(prep: Prepared, pairs: np.ndarray, stations: np.ndarray) -> Columns:
    spos = np.full(len(prep.problem.stations), -1)
    spos[stations] = np.arange(len(stations))
    z_station, z_level = [], []
    if prep.problem.dispatch is not None:
        for j in stations:
            for c in range(1, len(prep.levels[j]) + 1):
                z_station.append(j)
                z_level.append(c)
    return Columns(
        pairs,
        stations,
        spos,
        np.array(z_station, dtype=np.int64),
        np.array(z_level, dtype=np.int64),
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
    incumbent need to obey (see :func:`planner.optimise.technicians.station_sets.relaxed_search`).
    The rows come in this order, one block each: assignment, workload, staff limit, least
    staff, coverage, station-level bounds, open limit, no-goods, dispatch, linking.
    """
    prep = state.prep
    problem = prep.problem
    cols = columns(prep, pairs, stations)
    m, nz = len(stations), len(cols.z_station)
    rows = Rows()
    row_assign = _assignment_rows(rows, cols, prep)
    row_cap, row_ncap = _staff_rows(rows, cols, prep)
    row_cov = _coverage_row(rows, cols, state)
    if state.aggregate is not None:
        _aggregate_rows(rows, cols, state)
    row_open = _open_rows(rows, cols, problem.max_open_stations, most_open, nogoods)
    row_disp = _dispatch_rows(rows, cols, prep) if nz else {}
    # linking, disaggregated: x_ij <= y_j, or x_ij <= z_jc for a site with calls
    kx = len(pairs)
    xcols = np.arange(kx)
    r = rows.block(np.full(kx, -np.inf), np.zeros(kx))
    link = link_columns(prep, pairs, cols.spos, cols.y0, cols.z0, cols.z_station, cols.z_level)
    rows.add(r + xcols, xcols, 1.0)
    rows.add(r + xcols, link, -1.0)
    cost = np.concatenate(
        [
            prep.pcost[pairs],
            prep.fixed[stations],
            np.full(m, problem.technician.annual_cost),
            np.zeros(nz),
        ]
    )
    upper = np.concatenate([np.ones(kx + m), prep.cap[stations].astype(float), np.ones(nz)])
    row_lower, row_upper = rows.bounds()
    return Model(
        pairs,
        stations,
        cols.x0,
        cols.y0,
        cols.n0,
        cols.z0,
        cols.z_station,
        cols.z_level,
        cols.num_col,
        row_assign,
        row_cap,
        row_ncap,
        row_cov,
        row_open,
        row_disp,
        rows.count,
        cost,
        np.zeros(cols.num_col),
        upper,
        row_lower,
        row_upper,
        rows.matrix(cols.num_col),
        np.ones(cols.num_col, dtype=bool),
    )


def _assignment_rows(rows: Rows, cols: Columns, prep: Prepared) -> int:
    """``sum_j x_ij = 1`` per site."""
    n_sites = len(prep.problem.sites)
    r = rows.block(np.ones(n_sites), np.ones(n_sites))
    rows.add(r + prep.pi[cols.pairs], np.arange(len(cols.pairs)), 1.0)
    return r


def _staff_rows(rows: Rows, cols: Columns, prep: Prepared) -> tuple[int, int]:
    """Workload ``sum_i w_ij x_ij - H n_j <= 0``, staff limit ``n_j - U_j y_j <= 0`` and least
    staff ``n_j >= L_j y_j`` (an open station serves some site, and each alone needs
    ``ceil(w_ij / H)`` technicians); the first rows of the first two blocks."""
    problem = prep.problem
    hours_h = problem.technician.productive_hours
    m = len(cols.stations)
    on = np.arange(m)
    pj = prep.pj[cols.pairs]
    row_cap = rows.block(np.full(m, -np.inf), np.zeros(m))
    rows.add(row_cap + cols.spos[pj], np.arange(len(cols.pairs)), prep.pw[cols.pairs])
    rows.add(row_cap + on, cols.n0 + on, np.full(m, -hours_h))
    row_ncap = rows.block(np.full(m, -np.inf), np.zeros(m))
    rows.add(row_ncap + on, cols.n0 + on, 1.0)
    rows.add(row_ncap + on, cols.y0 + on, -prep.cap[cols.stations].astype(float))
    least = np.full(len(problem.stations), np.inf)
    np.minimum.at(least, pj, staff_for(prep.pw[cols.pairs], hours_h))
    least = np.where(np.isfinite(least), np.maximum(least, 0.0), 0.0)[cols.stations]
    r = rows.block(np.zeros(m), np.full(m, np.inf))
    rows.add(r + on, cols.n0 + on, 1.0)
    rows.add(r + on, cols.y0 + on, -least)
    return row_cap, row_ncap


def _coverage_row(rows: Rows, cols: Columns, state: SolveState) -> int | None:
    """Calls within the promise ``>= target * all calls`` (none without a target)."""
    prep, target = state.prep, state.target
    total = float(prep.calls.sum())
    if not (target > 0 and total > 0):
        return None
    cal = prep.calls[prep.pi[cols.pairs]]
    cv = state.covered[cols.pairs] & (cal > 0)
    r = rows.block(np.array([target * total * (1 - FEAS_TOL)]), np.array([np.inf]))
    rows.add(np.full(int(cv.sum()), r), np.arange(len(cols.pairs))[cv], cal[cv])
    return r


def _aggregate_rows(rows: Rows, cols: Columns, state: SolveState) -> None:
    """The station-level bounds (:func:`planner.optimise.technicians.bounds.aggregate_bounds`):
    open stations, technicians, and fixed plus technician cost, each at least its bound."""
    agg, prep = state.aggregate, state.prep
    assert agg is not None
    m = len(cols.stations)
    on = np.arange(m)
    r = rows.block(np.array([float(agg.open), agg.staff, agg.spend]), np.full(3, np.inf))
    rows.add(np.full(m, r), cols.y0 + on, 1.0)
    rows.add(np.full(m, r + 1), cols.n0 + on, 1.0)
    rows.add(np.full(m, r + 2), cols.y0 + on, prep.fixed[cols.stations])
    rows.add(np.full(m, r + 2), cols.n0 + on, prep.problem.technician.annual_cost)


def _open_rows(
    rows: Rows,
    cols: Columns,
    limit: int | None,
    most_open: int | None,
    nogoods: tuple[np.ndarray, ...],
) -> int | None:
    """At most ``min(limit, most_open)`` open stations (its row, if any), and one station
    outside each no-good set."""
    m = len(cols.stations)
    if most_open is not None:
        limit = most_open if limit is None else min(limit, most_open)
    row_open = None
    if limit is not None and limit < m:
        row_open = rows.block(np.array([-np.inf]), np.array([float(limit)]))
        rows.add(np.full(m, row_open), cols.y0 + np.arange(m), 1.0)
    for explored in nogoods:
        outside = np.nonzero(~np.isin(cols.stations, explored))[0]
        r = rows.block(np.array([1.0]), np.array([np.inf]))
        rows.add(np.full(len(outside), r), cols.y0 + outside, 1.0)
    return row_open


def _dispatch_rows(rows: Rows, cols: Columns, prep: Prepared) -> dict[int, int]:
    """Per station with levels: calls ``sum_i e_i x_ij <= sum_c (L_c - L_{c-1}) z_jc``, staff
    ``n_j >= sum_c (nmin(c) - nmin(c-1)) z_jc``, and the level chain ``z_j1 <= y_j``,
    ``z_jc <= z_j,c-1``. Returns each station's calls row."""
    zs, zl = cols.z_station, cols.z_level
    nz = len(zs)
    pj = prep.pj[cols.pairs]
    cal = prep.calls[prep.pi[cols.pairs]]
    xcols = np.arange(len(cols.pairs))
    zc = cols.z0 + np.arange(nz)
    prev_lv = np.zeros(nz)
    lv = np.array([prep.levels[j][c - 1] for j, c in zip(zs, zl, strict=True)])
    prev_lv[1:] = np.where(zl[1:] > 1, lv[:-1], 0.0)
    nm = np.array(prep.nmin)
    dn = (nm[zl] - nm[zl - 1]).astype(float)
    disp_stations = np.unique(zs)
    nd = len(disp_stations)
    r = rows.block(np.full(nd, -np.inf), np.zeros(nd))
    row_disp = {int(j): r + q for q, j in enumerate(disp_stations)}
    dpos = np.full(len(prep.problem.stations), -1)
    dpos[disp_stations] = r + np.arange(nd)
    has = (dpos[pj] >= 0) & (cal > 0)
    rows.add(dpos[pj[has]], xcols[has], cal[has])
    rows.add(dpos[zs], zc, -(lv - prev_lv))
    r = rows.block(np.zeros(nd), np.full(nd, np.inf))
    rows.add(r + np.searchsorted(disp_stations, zs), zc, -dn)
    rows.add(r + np.arange(nd), cols.n0 + cols.spos[disp_stations], 1.0)
    r = rows.block(np.full(nz, -np.inf), np.zeros(nz))
    rows.add(r + np.arange(nz), zc, 1.0)
    prev_col = np.where(zl == 1, cols.y0 + cols.spos[zs], zc - 1)
    rows.add(r + np.arange(nz), prev_col, -1.0)
    return row_disp


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
