"""Exact solver for the uncapacitated station-location problem by the radius formulation.

Problem
-------
Given ``cost[j, i]`` (station ``j`` serving site ``i``; ``inf`` where it cannot), opening
costs ``fixed[j] >= 0`` and optionally at most ``max_open`` open stations, open a non-empty
set ``S`` minimising ``sum_{j in S} fixed[j] + sum_i min_{j in S} cost[j, i]``. With zero
opening costs and ``max_open = p`` this is the p-median problem; without ``max_open`` it is
uncapacitated facility location (UFL).

Formulation (Elloumi 2010; García, Labbé and Marín 2011)
---------------------------------------------------------
For site ``i`` let ``V_i[0] < V_i[1] < ... < V_i[G_i - 1]`` be its distinct finite costs and
``S_i[g]`` the stations at exactly cost ``V_i[g]``. Binary ``y_j`` opens station ``j``;
continuous ``z_i[g]`` (``g >= 1``) means "site ``i`` costs at least ``V_i[g]``"::

    min  sum_j f_j y_j + sum_i ( V_i[0] + sum_{g>=1} (V_i[g] - V_i[g-1]) z_i[g] )
    s.t. z_i[g+1] >= z_i[g] - sum_{j in S_i[g]} y_j      for g = 0 .. G_i - 1
         (with z_i[0] = 1 and z_i[G_i] = 0),     0 <= z <= 1,
         1 <= sum_j y_j <= p.

Summing the chain gives ``z_i[g] >= 1 - sum_{j: cost[j,i] < V_i[g]} y_j`` (the radius
constraint of the papers), and for binary ``y`` the least ``z`` satisfying the chain is
exactly ``z_i[g] = 1`` iff no open station is cheaper than ``V_i[g]``, so the objective is the
true cost. The last chain row (``z_i[G_i] = 0``) says that some station able to serve ``i`` is
open. The chain form has the same LP relaxation as the radius form (the recursion
``max(0, max(0, a) - s) = max(0, a - s)`` for ``s >= 0``) but only one non-zero per
(site, station) pair instead of one per (site, radius, closer station). Distinct values
aggregate every station tie into one row. If all opening costs are zero and
``p <= number of stations`` the cardinality row may be ``sum_j y_j = p``: adding a station to
an optimal solution never raises its cost (see the reduced model below for why this stays
valid after the reductions).

Reductions, each exact
----------------------
1. *Upper bound.* A greedy + best-improvement swap/add/drop local search (vectorised, the
   fast interchange of Whitaker / Resende-Werneck) gives a solution of cost ``UB``. All
   later reductions only discard solutions of cost strictly above ``UB``, so the final
   answer is the better of that solution and the reduced model's optimum.
2. *Truncated radii (a relaxation).* Keeping only ``z_i[1..L_i-1]`` and dropping the chain
   rows from ``L_i - 1`` on ("open" site) charges site ``i`` ``min(actual, V_i[L_i-1])``,
   never more than its true cost, so the truncated model is a relaxation: its LP value and
   its MIP dual bound are valid lower bounds for the full problem. If in an LP optimum the
   next chain value ``z_i[L_i-1] - sum_{S_i[L_i-1]} y`` is ``<= 0`` for every open site, the
   missing ``z``'s can be set to zero without violating the omitted rows, so the LP optimum
   of the truncated model is the LP optimum of the full model; otherwise ``L_i`` grows
   (García et al.'s iterative scheme, first on the LP).
3. *Safe reduced-cost bounds.* From the LP row duals ``pi`` (clipped to their valid sign) we
   recompute ``d = c - A^T pi`` and ``LB = pi . b + sum_j min(0, d_j)`` (all columns lie in
   ``[0, 1]``), which by weak duality bounds every feasible point; it does not rely on the
   LP being solved to optimality. The omitted rows/columns of a truncated model extend this
   dual with ``pi = 0`` and ``d = c >= 0``. For any feasible point, ``cost >= LB + sum_j
   (d_j x_j - min(0, d_j))``, each term non-negative. Hence:

   * ``y_j = 1`` costs at least ``LB + max(0, d_j)``; above ``UB`` ⇒ close ``j`` (drop it).
   * ``y_j = 0`` costs at least ``LB + max(0, -d_j)``; above ``UB`` ⇒ ``j`` is open in every
     better solution, and then no site ever needs a radius beyond its cost from ``j``.
   * A solution where site ``i`` costs at least ``V_i[g]`` has ``z_i[1..g] = 1`` and every
     station cheaper than ``V_i[g]`` closed, so it costs at least
     ``LB + sum_{h<=g} max(0, d_{z_i[h]}) + sum_{j: cost[j,i] < V_i[g]} max(0, -d_j)``.
     The smallest ``g`` where this exceeds ``UB`` gives a hard radius: site ``i`` costs at
     most ``V_i[g-1]`` in every better solution, i.e. the chain is closed after group
     ``g - 1``. This is what removes most radii (and with them most of the model).

   A small margin (``1e-9`` relative) on "exceeds" absorbs floating-point rounding. Since
   any dual solution gives valid reductions and different optimal duals fix different
   variables, the reductions of the interior-point (crossover) dual and of a first-order
   PDLP dual of the same LP are combined (PDLP's near-optimal duals typically fix several
   times more stations).
4. *Reduced model.* Dropped stations are removed and the distinct values are recomputed
   over the remaining ones (ties and gaps merge). Every remaining constraint is monotone in
   ``y`` (a site must be served within a radius), so adding a remaining station to a
   feasible solution keeps it feasible; with zero opening costs the cardinality row may
   therefore still be an equality when at least ``p`` stations remain. The reduced model
   holds every solution of cost ``<= UB``, so the LP of (a truncation of) it is a relaxation
   of that restricted problem: ``min(its bound, UB)`` is a global lower bound and its duals
   give further reductions by 3; this is repeated while it removes stations.
5. *Iterative MIP.* If the hard radii still leave a large model, sites are soft-truncated
   at the radius the LP needed (a relaxation, as in 2). HiGHS solves the MIP; if a site in
   its solution costs more than its truncation radius the radius is extended to cover it
   and the MIP is re-solved (García et al.). Status ``optimal`` is reported only when the
   best solution's true cost is within ``1e-6`` relative of a proven lower bound: the
   reduced model's HiGHS dual bound (capped at ``UB``, because solutions above ``UB`` were
   cut off) or the LP bound.

LPs are solved by HiGHS's interior point method (several times faster than simplex on these
degenerate LPs); MIPs by HiGHS branch-and-cut, with the best known solution as start and
its sub-MIP heuristics off (through :func:`planner.optimise.highs.solve_mip`, which does not
trust a run that misreads its start solution).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from planner.models.status import Status
from planner.optimise.highs import HighsModel, new_highs, pass_model, solve_mip
from planner.optimise.location.interchange import greedy_interchange, open_cost

__all__ = ["RadiusOutcome", "RadiusSettings", "solve_uncapacitated"]

_log = logging.getLogger(__name__)

_REL_GAP = 1e-6  # relative gap at which a solution is reported optimal
_MIP_GAP = 1e-7  # HiGHS mip_rel_gap
_FIX_MARGIN = 1e-9  # relative margin for "bound exceeds UB" in the reductions
_LP_TOL = 1e-6  # chain value above which a truncated LP site is extended
# With a start solution (usually optimal already) HiGHS's sub-MIP heuristics mostly burn time.
_MIP_OPTIONS_WITH_START: dict[str, float | bool] = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
}


@dataclass(frozen=True)
class RadiusSettings:
    """How :func:`solve_uncapacitated` spends its time (the defaults are tuned on OR-Library)."""

    soft_ratio: float = 1.5
    """Soft-truncate the MIP when hard radii make it this much larger ..."""
    small_model: int = 20_000
    """... than the LP radii and larger than this (non-zeros)."""
    soft_scale: float = 1.0
    """Soft radii: this fraction of the groups the LP needed, plus one."""
    pdlp_share: float = 0.1
    """Share of the remaining time for a second (PDLP) dual solution."""
    reduce_rounds: int = 3
    """LP re-solves on the reduced model, at most ..."""
    reduce_again: float = 0.9
    """... while each leaves at most this share of the stations."""
    reduce_share: float = 0.2
    """Share of the remaining time for one reduced LP."""
    heuristic: bool = True
    """Start from the fast interchange's plan (off: no upper bound until the MIP finds one)."""


@dataclass(frozen=True)
class RadiusOutcome:
    """Result of :func:`solve_uncapacitated`.

    ``status`` is ``optimal`` (``cost`` within 1e-6 relative of the proven ``bound``),
    ``feasible`` (a solution with a possibly weaker bound), ``infeasible`` (proven: no
    station set serves every site within ``max_open``) or ``unknown`` (no solution found).
    ``open`` lists open station indices, ``assign[i]`` the station serving site ``i``.
    """

    status: Status
    open: np.ndarray | None
    assign: np.ndarray | None
    cost: float | None
    bound: float | None


# ---------------------------------------------------------------------------------------------
# Layout of distinct values and the chain model.


@dataclass
class _Layout:
    """Per-site distinct finite costs over a set of alive stations (sites in order).

    Entries ``e`` are (site, station) pairs sorted by site then cost; groups are the
    distinct values, ``gval[goff[i] + g]`` being ``V_i[g]``.
    """

    e_site: np.ndarray
    e_station: np.ndarray
    e_group: np.ndarray  # group index within the site
    gval: np.ndarray
    goff: np.ndarray  # (n + 1,)
    ngroups: np.ndarray  # (n,)


def _layout(order: np.ndarray, sorted_cost: np.ndarray, alive: np.ndarray) -> _Layout:
    n, m = sorted_cost.shape
    ok = alive[order] & np.isfinite(sorted_cost)
    flat = np.flatnonzero(ok.ravel())
    e_site = flat // m
    e_station = order.ravel()[flat]
    e_val = sorted_cost.ravel()[flat]
    first = np.ones(len(flat), dtype=bool)
    first[1:] = (e_site[1:] != e_site[:-1]) | (e_val[1:] != e_val[:-1])
    gid = np.cumsum(first) - 1
    ngroups = np.bincount(e_site[first], minlength=n)
    goff = np.concatenate([[0], np.cumsum(ngroups)])
    e_group = gid - goff[e_site]
    return _Layout(e_site, e_station, e_group, e_val[first], goff, ngroups)


def _count_upto(lay: _Layout, limit: np.ndarray) -> np.ndarray:
    """Per site, the number of groups with value ``<= limit[i]``."""
    n = len(lay.ngroups)
    site_of_group = np.repeat(np.arange(n), lay.ngroups)
    return np.bincount(site_of_group, weights=lay.gval <= limit[site_of_group], minlength=n).astype(
        int
    )


@dataclass
class _Model:
    lay: _Layout
    keep: np.ndarray  # (n,) groups represented per site (L_i >= 1)
    closed: np.ndarray  # (n,) bool: chain closed after group keep - 1
    m: int
    zoff: np.ndarray  # (n + 1,) z column offsets (relative to m)
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a: sp.csc_matrix
    offset: float

    @property
    def num_col(self) -> int:
        return len(self.cost)

    def arrays(self) -> HighsModel:
        """The model for HiGHS: the station columns integer, the chain columns continuous."""
        integer = np.zeros(self.num_col, dtype=bool)
        integer[: self.m] = True
        return HighsModel(
            self.cost,
            self.lower,
            self.upper,
            self.row_lower,
            self.row_upper,
            self.a,
            integer,
            self.offset,
        )


def _build(
    lay: _Layout,
    keep: np.ndarray,
    closed: np.ndarray,
    fixed: np.ndarray,
    y_lower: np.ndarray,
    y_upper: np.ndarray,
    card: tuple[float, float],
) -> _Model:
    """Chain model with groups ``0 .. keep_i - 1`` of each site (see module docstring)."""
    m = len(fixed)
    n = len(keep)
    nz = keep - 1
    zoff = np.concatenate([[0], np.cumsum(nz)])
    nrows = keep - 1 + closed.astype(int)
    roff = np.concatenate([[0], np.cumsum(nrows)])
    n_chain = int(roff[-1])
    # y entries: station j in group g of site i sits in row (i, g) if that row exists.
    sel = lay.e_group < nrows[lay.e_site]
    y_rows = roff[lay.e_site[sel]] + lay.e_group[sel]
    y_cols = lay.e_station[sel]
    # z columns (i, g), g = 1 .. keep_i - 1.
    z_site = np.repeat(np.arange(n), nz)
    z_g = np.arange(int(zoff[-1])) - zoff[z_site] + 1
    z_cols = m + np.arange(int(zoff[-1]))
    gbase = lay.goff[z_site] + z_g
    z_cost = lay.gval[gbase] - lay.gval[gbase - 1] if len(gbase) else np.zeros(0)
    minus = z_g < nrows[z_site]
    rows = np.concatenate(
        [y_rows, roff[z_site] + z_g - 1, roff[z_site[minus]] + z_g[minus], np.full(m, n_chain)]
    )
    cols = np.concatenate([y_cols, z_cols, z_cols[minus], np.arange(m)])
    vals = np.concatenate(
        [np.ones(len(y_rows)), np.ones(len(z_cols)), -np.ones(int(minus.sum())), np.ones(m)]
    )
    num_col = m + int(zoff[-1])
    a = sp.csc_matrix((vals, (rows, cols)), shape=(n_chain + 1, num_col))
    row_lower = np.zeros(n_chain + 1)
    row_lower[roff[:-1][nrows > 0]] = 1.0
    row_lower[n_chain] = card[0]
    row_upper = np.full(n_chain + 1, np.inf)
    row_upper[n_chain] = card[1]
    return _Model(
        lay=lay,
        keep=keep,
        closed=closed,
        m=m,
        zoff=zoff,
        cost=np.concatenate([fixed, z_cost]),
        lower=np.concatenate([y_lower, np.zeros(num_col - m)]),
        upper=np.concatenate([y_upper, np.ones(num_col - m)]),
        row_lower=row_lower,
        row_upper=row_upper,
        a=a,
        offset=float(lay.gval[lay.goff[:-1]].sum()),
    )


def _site_values(model: _Model, y: np.ndarray) -> np.ndarray:
    """Per site, ``sum y`` over each represented group (flat by group id)."""
    lay = model.lay
    gid = lay.goff[lay.e_site] + lay.e_group
    return np.bincount(gid, weights=y[lay.e_station], minlength=len(lay.gval))


def _start_vector(model: _Model, open_idx: np.ndarray) -> np.ndarray:
    """Canonical column vector of an open set: ``z_i[g] = 1`` iff site i costs >= V_i[g]."""
    lay = model.lay
    y = np.zeros(model.m)
    y[open_idx] = 1.0
    n = len(model.keep)
    # Site cost over alive stations: first group containing an open station.
    hit = y[lay.e_station] > 0.5
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, lay.e_site[hit], lay.e_group[hit])
    z_site = np.repeat(np.arange(n), model.keep - 1)
    z_g = np.arange(int(model.zoff[-1])) - model.zoff[z_site] + 1
    z = (first[z_site] >= z_g).astype(float)
    return np.concatenate([y, z])


# ---------------------------------------------------------------------------------------------
# HiGHS.


def _solve_lp(
    model: _Model, time_limit: float, solver: str = "ipm"
) -> tuple[np.ndarray, np.ndarray] | None:
    """Primal columns and row duals of the LP relaxation; None unless solved to optimality.

    Interior point (with crossover) is several times faster than simplex on these degenerate
    LPs. Bounds use :func:`_safe_dual`, so the accuracy of the duals (e.g. from PDLP) only
    affects their strength, never their validity.
    """
    h = new_highs()
    h.setOptionValue("time_limit", max(time_limit, 0.01))
    h.setOptionValue("solver", solver)
    pass_model(h, model.arrays(), None)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = h.getSolution()
    return np.asarray(sol.col_value), np.asarray(sol.row_dual)


def _safe_dual(model: _Model, row_dual: np.ndarray) -> tuple[float, np.ndarray]:
    """Weak-duality bound ``LB`` and reduced costs ``d`` from (sign-clipped) row duals."""
    pi = row_dual.copy()
    pi[np.isinf(model.row_upper) & (pi < 0)] = 0.0
    pi[np.isinf(model.row_lower) & (pi > 0)] = 0.0
    d = model.cost - model.a.T @ pi
    rows = np.where(pi > 0, model.row_lower, np.where(pi < 0, model.row_upper, 0.0))
    bound = model.offset + float(pi @ rows)
    bound += float(np.minimum(d * model.lower, d * model.upper).sum())
    return bound, d


def _solve_mip(
    model: _Model, start: np.ndarray | None, time_limit: float
) -> tuple[Status, np.ndarray | None, float | None]:
    """(status, columns or None, dual bound or None) of the MIP, from the open set ``start``
    (see :func:`planner.optimise.highs.solve_mip`)."""
    run = solve_mip(
        model.arrays(),
        None if start is None else _start_vector(model, start),
        time_limit,
        rel_gap=_MIP_GAP,
        abs_gap=1e-9,
        options_with_start=_MIP_OPTIONS_WITH_START,
    )
    return run.status, run.values, run.bound


# ---------------------------------------------------------------------------------------------
# Driver.


def solve_uncapacitated(
    cost: np.ndarray,
    fixed: np.ndarray,
    max_open: int | None,
    time_limit: float | None,
    start: np.ndarray | None = None,
    settings: RadiusSettings | None = None,
) -> RadiusOutcome:
    """Open a station set of least opening plus service cost (see the module docstring).

    ``cost[j, i]`` is the cost of station ``j`` serving site ``i`` (``np.inf`` if it cannot),
    ``fixed[j]`` its opening cost, ``max_open`` the most stations that may open (``None``:
    no limit), ``time_limit`` seconds for the whole call and ``start`` an optional station
    set used as a warm start. At least one station is opened.
    """
    t0 = time.monotonic()
    deadline = np.inf if time_limit is None else t0 + float(time_limit)
    cost = np.asarray(cost, dtype=np.float64)
    fixed = np.asarray(fixed, dtype=np.float64)
    m, n = cost.shape
    if fixed.shape != (m,):
        raise ValueError("fixed must have one entry per station")
    if np.isnan(cost).any() or np.isneginf(cost).any() or not np.isfinite(fixed).all():
        raise ValueError("costs must be finite or +inf, opening costs finite")
    if (fixed < 0).any():
        raise ValueError("opening costs must be non-negative")
    p = m if max_open is None else min(int(max_open), m)
    infeasible = RadiusOutcome(Status.INFEASIBLE, None, None, None, None)
    if m == 0 or p < 1 or (n > 0 and not np.isfinite(cost).any(axis=0).all()):
        return infeasible
    if n == 0:
        j = int(np.argmin(fixed))
        return RadiusOutcome(
            Status.OPTIMAL, np.array([j]), np.zeros(0, dtype=int), float(fixed[j]), float(fixed[j])
        )
    must_reach_p = not fixed.any() and max_open is not None
    run = _Run(cost, fixed, p, must_reach_p, t0, deadline, settings or RadiusSettings())

    # 1. Upper bound.
    if run.cfg.heuristic:
        run.offer(greedy_interchange(cost, fixed, p, must_reach_p, start))
    run.ub = run.best_cost
    _log.debug("heuristic %.6g after %.2fs", run.ub, time.monotonic() - t0)
    # 2. LP on truncated radii, extended until it is the full LP.
    lp = _truncated_lp(run)
    if run.proven():
        return _final(cost, fixed, run.best, run.lower_bound)
    if lp is None and time.monotonic() >= deadline:
        return _final(cost, fixed, run.best, None)
    # 3. and 4. Reduced-cost reductions against UB, and the reduced model.
    reduced = _reduce_model(run, lp)
    if reduced is None:
        return _final(cost, fixed, run.best, run.lower_bound)
    # 5. Iterative MIP.
    return _iterative_mip(run, reduced)


@dataclass
class _Run:
    """One call's data, clock and incumbent: the best open set found (``best``, costing
    ``best_cost``), the heuristic's cost ``ub`` the reductions cut against, and the best
    proven ``lower_bound``."""

    cost: np.ndarray
    fixed: np.ndarray
    p: int
    must_reach_p: bool
    t0: float
    deadline: float
    cfg: RadiusSettings
    best: np.ndarray | None = None
    best_cost: float = np.inf
    ub: float = np.inf
    lower_bound: float = -np.inf

    def __post_init__(self) -> None:
        self.m, self.n = self.cost.shape
        self.order = np.argsort(self.cost.T, axis=1, kind="stable")
        self.sorted_cost = np.take_along_axis(self.cost.T, self.order, axis=1)
        self.lay = _layout(self.order, self.sorted_cost, np.ones(self.m, dtype=bool))

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.01)

    def offer(self, open_idx: np.ndarray | None) -> np.ndarray | None:
        """Keep the open set if it is the cheapest so far; its cheapest assignment."""
        if open_idx is None or not len(open_idx):
            return None
        value, assign = open_cost(self.cost, self.fixed, open_idx)
        if np.isfinite(value) and value < self.best_cost:
            self.best, self.best_cost = open_idx, value
        return assign

    def proven(self, bound: float | None = None) -> bool:
        bound = self.lower_bound if bound is None else bound
        gap = _REL_GAP * max(1.0, abs(self.best_cost))
        return self.best is not None and self.best_cost - bound <= gap


@dataclass
class _Lp:
    """The last LP solved on truncated radii: its model, safe dual and whether it is the LP
    of the full model."""

    model: _Model
    dual: tuple[float, np.ndarray]
    done: bool


def _truncated_lp(run: _Run) -> _Lp | None:
    """Solve the LP on truncated radii, growing the radii the LP needs until it is the full
    LP (or the time is up); raises ``run.lower_bound``."""
    lay, m, n = run.lay, run.m, run.n
    n_full = lay.ngroups
    card = (float(run.p) if run.must_reach_p else 1.0, float(run.p))
    if run.best is not None:
        _, assign0 = open_cost(run.cost, run.fixed, run.best)
        keep = _count_upto(lay, run.cost[assign0, np.arange(n)]) + 1
    else:
        keep = np.full(n, 2)
    keep = np.minimum(keep, n_full)
    last: _Lp | None = None
    while time.monotonic() < run.deadline:
        closed = keep == n_full
        model = _build(lay, keep, closed, run.fixed, np.zeros(m), np.ones(m), card)
        res = _solve_lp(model, run.remaining())
        if res is None:
            break
        x, row_dual = res
        last = _Lp(model, _safe_dual(model, row_dual), False)
        run.lower_bound = max(run.lower_bound, last.dual[0])
        _log.debug(
            "LP %d cols bound %.6g (HiGHS %.6g) after %.2fs",
            model.num_col,
            last.dual[0],
            float(model.cost @ x) + model.offset,
            time.monotonic() - run.t0,
        )
        y = x[:m]
        group_sum = _site_values(model, y)
        zlast = np.ones(n)
        has_z = keep >= 2
        zlast[has_z] = x[m + model.zoff[1:][has_z] - 1]
        nxt = zlast - group_sum[lay.goff[:-1] + keep - 1]
        grow = (~closed) & (nxt > _LP_TOL)
        if not grow.any():
            last.done = True
            break
        # Smallest group at which the cumulative LP opening reaches one, plus one.
        cum = np.cumsum(y[lay.e_station])
        site_start = np.concatenate([[0], np.cumsum(np.bincount(lay.e_site, minlength=n))])
        before = np.concatenate([[0.0], cum])[site_start[:-1]]
        reached = (cum - before[lay.e_site]) >= 1.0 - 1e-9
        first = n_full.copy()
        np.minimum.at(first, lay.e_site[reached], lay.e_group[reached] + 1)
        new_keep = np.minimum(np.maximum(first + 1, keep + 1), n_full)
        keep = np.where(grow, new_keep, keep)
    return last


@dataclass
class _Reduced:
    """The reduced model: the layout over the stations left, each site's hard radius and
    the radii the MIP starts from, the stations' bounds and the cardinality range."""

    lay: _Layout
    hard: np.ndarray
    keep: np.ndarray
    y_lower: np.ndarray
    y_upper: np.ndarray
    card: tuple[float, float]
    n_alive: int


def _reduce_model(run: _Run, lp: _Lp | None) -> _Reduced | None:
    """Reduced-cost reductions against UB, then the model over the remaining stations; its
    LP (a relaxation of the problem restricted to solutions below UB) may fix more, so
    reduce again while it pays. None when the reductions leave a site no radius or the
    bound proves the incumbent (``run.lower_bound`` then says so)."""
    cfg, cost, fixed, m, n, ub = run.cfg, run.cost, run.fixed, run.m, run.n, run.ub
    y_lower = np.zeros(m)
    y_upper = np.ones(m)
    limit = np.full(n, np.inf)  # hard radius: site cost <= limit[i] in every better solution
    soft = np.full(n, np.inf)
    thr = ub + _FIX_MARGIN * max(1.0, abs(ub)) if np.isfinite(ub) else np.inf
    reducing = lp is not None and np.isfinite(ub)
    if lp is not None and reducing:
        duals = _duals(lp.model, lp.dual, lp.done, run.remaining(), cfg.pdlp_share)
        limit = _reduce(lp.model, duals, thr, y_lower, y_upper, limit)
    if lp is not None and lp.done:
        soft = run.lay.gval[run.lay.goff[:-1] + lp.model.keep - 1]
    for round_ in range(cfg.reduce_rounds + 1):
        forced = np.flatnonzero(y_lower > 0.5)
        if len(forced):
            limit = np.minimum(limit, cost[forced].min(axis=0))
        # The heuristic solution stays inside the reduced model (it does unless rounding).
        if run.best is not None and (y_upper[run.best] < 0.5).any():
            y_upper[run.best] = 1.0
        alive = y_upper > 0.5
        red = _layout(run.order, run.sorted_cost, alive)
        hard = _count_upto(red, limit)
        if (hard == 0).any():
            return None
        n_alive = int(alive.sum())
        card_red = (float(min(run.p, n_alive)) if run.must_reach_p else 1.0, float(run.p))
        keep = hard.copy()
        if np.isfinite(soft).all():
            lp_groups = np.ceil(cfg.soft_scale * _count_upto(red, soft)).astype(int)
            soft_keep = np.minimum(np.maximum(lp_groups, 1) + 1, hard)
            entries = int((red.e_group < hard[red.e_site]).sum()) + int(hard.sum())
            soft_entries = int((red.e_group < soft_keep[red.e_site]).sum()) + int(soft_keep.sum())
            if entries > max(cfg.soft_ratio * soft_entries, cfg.small_model):
                keep = soft_keep
        reduced = _Reduced(red, hard, keep, y_lower, y_upper, card_red, n_alive)
        if not reducing or round_ == cfg.reduce_rounds or run.remaining() < 2.0:
            return reduced
        red_model = _build(red, keep, keep == hard, fixed, y_lower, y_upper, card_red)
        res = _solve_lp(red_model, cfg.reduce_share * run.remaining())
        if res is None:
            return reduced
        duals = _duals(
            red_model, _safe_dual(red_model, res[1]), True, run.remaining(), cfg.pdlp_share
        )
        run.lower_bound = max(run.lower_bound, min(max(lb for lb, _ in duals), ub))
        _log.debug(
            "reduced LP %d cols %d stations bound %.6g after %.2fs",
            red_model.num_col,
            n_alive,
            duals[0][0],
            time.monotonic() - run.t0,
        )
        if run.proven():
            return None
        limit = _reduce(red_model, duals, thr, y_lower, y_upper, limit)
        if (y_upper > 0.5).sum() > cfg.reduce_again * n_alive:
            reducing = False  # recompute the layout once more, then stop
    raise AssertionError("unreachable: the last round returns")


def _iterative_mip(run: _Run, reduced: _Reduced) -> RadiusOutcome:
    """HiGHS on the reduced model, extending the soft radii its solution under-charges
    (García et al.), until proven, the radii are right, or the time is up."""
    cost, fixed, m, n = run.cost, run.fixed, run.m, run.n
    red, hard, keep = reduced.lay, reduced.hard, reduced.keep
    bound = run.lower_bound
    while time.monotonic() < run.deadline:
        closed = keep == hard
        model = _build(red, keep, closed, fixed, reduced.y_lower, reduced.y_upper, reduced.card)
        status, values, mip_bound = _solve_mip(model, run.best, run.remaining())
        _log.debug(
            "MIP %d cols %d stations %d open sites: %s bound %s after %.2fs",
            model.num_col,
            reduced.n_alive,
            int((~closed).sum()),
            status,
            mip_bound,
            time.monotonic() - run.t0,
        )
        if status == Status.INFEASIBLE:
            if run.best is None:
                return RadiusOutcome(Status.INFEASIBLE, None, None, None, None)
            break
        assign = None
        if values is not None:
            assign = run.offer(np.flatnonzero(values[:m] > 0.5))
        if mip_bound is not None:
            bound = max(bound, min(mip_bound, run.ub))
        if run.proven(bound):
            break
        if status != Status.OPTIMAL or assign is None:
            break
        # Extend soft-truncated sites that the MIP solution under-charges.
        site_cost = cost[assign, np.arange(n)]
        cap = red.gval[red.goff[:-1] + keep - 1]
        short = (~closed) & (site_cost > cap)
        if not short.any():
            break  # cannot happen: the model would then price its solution exactly
        need = _count_upto(red, site_cost)
        keep = np.where(short, np.minimum(np.maximum(need + 1, 2 * keep), hard), keep)
    return _final(cost, fixed, run.best, bound)


def _duals(
    model: _Model,
    first: tuple[float, np.ndarray],
    optimal: bool,
    time_left: float,
    pdlp_share: float,
) -> list[tuple[float, np.ndarray]]:
    """``first`` plus, for an LP solved to optimality, a PDLP dual of the same LP.

    Every dual solution gives valid reductions, and different optimal duals fix different
    stations, so a second one (first-order PDLP, cheap) is combined in.
    """
    duals = [first]
    if optimal and time_left > 1.0:
        extra = _solve_lp(model, min(pdlp_share * time_left, 30.0), "pdlp")
        if extra is not None:
            duals.append(_safe_dual(model, extra[1]))
    return duals


def _reduce(
    model: _Model,
    duals: list[tuple[float, np.ndarray]],
    thr: float,
    y_lower: np.ndarray,
    y_upper: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """Apply the reduced-cost reductions of each dual (``y`` bounds in place); new radii."""
    m = model.m
    for lb, d in duals:
        dy = d[:m]
        y_upper[lb + np.maximum(dy, 0.0) > thr] = 0.0
        y_lower[(lb + np.maximum(-dy, 0.0) > thr) & (y_upper > 0.5)] = 1.0
        limit = np.minimum(limit, _hard_radii(model, d, lb, thr))
    return limit


def _hard_radii(model: _Model, d: np.ndarray, lb: float, thr: float) -> np.ndarray:
    """Per site, the largest cost it can have in a solution of cost <= UB (see docstring 3)."""
    lay = model.lay
    m = model.m
    n = len(model.keep)
    site_of_group = np.repeat(np.arange(n), lay.ngroups)
    g_in_site = np.arange(len(lay.gval)) - lay.goff[site_of_group]
    # Increment of the bound when group g (>= 1) is also reached.
    inc = np.zeros(len(lay.gval))
    step = g_in_site >= 1
    inc[step] = lay.gval[step] - lay.gval[np.flatnonzero(step) - 1]
    inside = step & (g_in_site < model.keep[site_of_group])
    zcol = m + model.zoff[site_of_group[inside]] + g_in_site[inside] - 1
    inc[inside] = np.maximum(d[zcol], 0.0)
    cum_inc = _cumsum_by_site(inc, lay.goff)
    # Stations cheaper than V_i[g] all closed: sum of max(0, -d_j) over groups < g.
    gid = lay.goff[lay.e_site] + lay.e_group
    pen_group = np.bincount(gid, weights=np.maximum(-d[lay.e_station], 0.0), minlength=len(inc))
    pen_before = _cumsum_by_site(pen_group, lay.goff) - pen_group
    over = (lb + cum_inc + pen_before > thr) & step
    allowed = np.bincount(site_of_group, weights=~over, minlength=n).astype(int)
    limit = lay.gval[lay.goff[:-1] + allowed - 1]
    limit[allowed == lay.ngroups] = np.inf
    return limit


def _cumsum_by_site(values: np.ndarray, goff: np.ndarray) -> np.ndarray:
    cum = np.cumsum(values)
    starts = np.concatenate([[0.0], cum])[goff[:-1]]
    counts = np.diff(goff)
    return cum - np.repeat(starts, counts)


def _final(
    cost: np.ndarray, fixed: np.ndarray, open_idx: np.ndarray | None, bound: float | None
) -> RadiusOutcome:
    if bound is not None and not np.isfinite(bound):
        bound = None
    if open_idx is None:
        return RadiusOutcome(Status.NO_PLAN, None, None, None, bound)
    open_idx = np.sort(np.asarray(open_idx, dtype=int))
    value, assign = open_cost(cost, fixed, open_idx)
    if bound is not None:
        bound = min(bound, value)
    optimal = bound is not None and value - bound <= _REL_GAP * max(1.0, abs(value))
    return RadiusOutcome(
        Status.OPTIMAL if optimal else Status.FEASIBLE, open_idx, assign, value, bound
    )
