"""Exact technician and service-station allocation (``technicians/v1``) on HiGHS.

Model (stations j, sites i, allowed pairs k = (i, j)):

* ``x_k`` binary: site i is served by station j; ``y_j`` binary: j is open;
  ``n_j`` integer technicians; ``z_jc`` binary: j keeps at least c on duty.
* ``sum_j x_ij = 1``; ``x_ij <= y_j`` (disaggregated); ``n_j <= max_technicians_j y_j``.
* workload ``sum_i w_ij x_ij <= productive_hours * n_j``.
* coverage ``sum_{d_ij <= onsite} calls_i x_ij >= target * sum_i calls_i``.
* dispatch: the on-duty count ``floor(n_j H / S)`` is a step function of ``n_j``;
  ``lam(c)`` is the largest call rate c on-duty technicians serve at the level
  (with c > a), ``nmin(c)`` the fewest employed technicians giving c on duty:
  ``sum_i calls_i x_ij <= S * sum_c (L_c - L_{c-1}) z_jc`` with
  ``L_c = min(S lam(c), calls j can get)``, ``n_j >= sum_c (nmin(c) - nmin(c-1)) z_jc``,
  ``z_j1 <= y_j``, ``z_jc <= z_j,c-1``. ``lam(0) = 0`` makes a station without
  calls need no dispatch staff and one with calls need ``c >= 1``; this is exact
  because the waiting probability falls strictly with the rate.

Strengthening: ``x_ij <= z_jc`` with c the level site i's calls alone need
(instead of ``x_ij <= y_j``), and ``n_j >= min_i ceil(w_ij / H) y_j``.

Uncapacitated problems (technicians cost nothing, no station can be overloaded,
no dispatch level, no coverage promise: p-median and uncapacitated location, as
in the OR-Library mappings) go to the radius formulation in
:mod:`planner.optimise.radius`.

Speed: pairs that can never be used are dropped (unreachable, or a site whose
work or calls alone exceed what the station can take); a greedy add/drop/swap
heuristic on linearised costs picks stations, a MILP restricted to them gives
a full plan, and a local search with the exact cost moves sites so that a
station sheds its last technician or its top on-duty level. The LP relaxation is solved by
column generation over the pairs (warm-started; a large first LP by the interior point method),
pricing at a blend of the best bound's duals and the restricted LP's (Wentges' smoothing: the
LP's duals jump between its many optima) with the Lagrangian bound taken at each dual point;
LP reduced-cost fixing removes every pair and station that cannot be in a plan cheaper than
that one. After the first pricing round and after
the LP, a MILP over the LP's neighbourhood (the stations it opens, each site's few
pairs of least reduced cost) looks for a cheaper plan; when too many pairs survive
fixing for phase R (below) to finish a root, the time left goes to it. That MILP keeps
the assignments continuous (the stations the LP opens by 0.9 or more stay open) and a
second, small MILP rounds its plan: the sites assigned whole stay, except those that
move at least cost, and the split ones go to any open station. A group search then
reassigns the sites of three open stations at a time by a MILP, so that a station can shed
a technician whose hours are spread over many sites. When the nearest-station plan
overloads a station, the heuristic fills the stations up to their limits instead.

Staffing cuts (the column-generation LP): once pricing leaves the LP's value unchanged,
each station the LP opens gets at most two cuts that the LP breaks and every plan keeps
(:func:`_staffing_cuts`): the mixed-integer rounding of its workload row on a set of its
sites (integer technicians) and, with dispatch, the on-duty step its calls need; pricing
then goes on, for up to 20 rounds while each raises the LP by 0.01 % or more. They close
much of the gap that fractional staffing and on-duty levels leave (200 x 30 with dispatch:
the LP from 3.765M to 3.834M, optimum 3.947M; 2000 x 300 with dispatch, in a 300 s solve:
the bound from 21.005M to 21.046M).

Station-level cuts (every model): a small MILP over stations alone (open, staff,
on-duty level; the least total workload and, with dispatch, all calls must fit; at
least the stations the coverage target needs, found by maximal covering with 1, 2,
... stations) bounds from below the open stations, the technicians and the fixed
plus technician cost of every plan; these three sums become rows. They close most
of the LP gap that the dispatch steps leave (fractional on-duty levels pool calls).

Search by station sets (models with many pairs): the LP with ``sum y >= K`` for
K = 2, 3, ... shows the most stations a plan cheaper than the incumbent can open.
If few enough station sets remain, each is bounded in closed form (fixed costs,
each site's cheapest travel to the set, technicians for the least workload, the
smallest sites and the on-duty staff all calls need) and the rest are solved
exactly by a MILP restricted to the set. Otherwise phase R solves the model with
continuous assignments (stations, staffing and levels integer; nearly exact here)
for its best station set S, a restricted MILP settles S, the cut
``sum_{j not in S} y_j >= 1`` removes it, and phase R runs again with the
incumbent's cost as cutoff until nothing cheaper is left. Every cut that holds
only for plans cheaper than the incumbent is used only to prove it optimal.

Costs are in the problem's currency, hours in hours, calls per year.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from planner.models.technicians import StationPlan, TechniciansProblem, TechniciansResult
from planner.optimise.highs import new_highs
from planner.optimise.network import travel_matrix
from planner.optimise.queueing import max_rate, wait_probability
from planner.optimise.radius import solve_uncapacitated

__all__ = [
    "FrontierPoint",
    "NoPlanWithinTimeLimit",
    "evaluate_plan",
    "on_duty",
    "solve_technicians",
    "technicians_frontier",
]

_REL_GAP = 1e-6
_FEAS_TOL = 1e-9
_FULL_LP_PAIRS = 60_000  # below this many pairs the LP takes every pair at once
_CG_START_PAIRS = (
    25  # column generation starts from each site's cheapest and nearest covering pairs
)
_MIN_PHASE_SECONDS = 2.0  # with less time left than this, return the best plan found so far
_RELAX_PHASE_PAIRS = 500  # from this many pairs on, solve the relaxation with continuous x first
_ENUM_SETS = 300_000  # enumerate station sets when the cardinality cap leaves at most this many
_ENUM_CHUNK = 20_000  # station sets bounded at once
_IPM_ROWS = 20_000  # a first LP with at least this many rows goes to the interior point method
_IMPROVE_SECONDS = 10.0  # local search on a heuristic plan's assignment
_NEIGHBOURHOOD_PAIRS = 5  # pairs per site in the LP neighbourhood MILP, at most ...
_NEIGHBOURHOOD_SIZE = 6_000  # ... and about this many pairs in all (HiGHS then finds plans sooner)
_PHASE_R_PAIRS = 50_000  # with more pairs left after fixing, improve the plan instead of phase R
_NEIGHBOURHOOD_SECONDS = 60.0  # at most this long on the LP neighbourhood MILP
_ROUNDING_SHARE = 0.7  # of that budget for its stations and staffing; the rest for rounding
_MOVERS = 20  # rounding also moves this many sites assigned whole (or a twentieth of all)
_SURE_OPEN = 0.9  # the LP neighbourhood keeps open the stations the LP opens by this much
_SMOOTHING = 0.5  # column generation prices at this blend of the best bound's duals and the LP's
_PRICE_PER_SITE = 20  # pairs priced in per site and round, at most
_GROUP_SIZE = 3  # open stations whose sites the group search reassigns at once
_GROUP_SECONDS = 10.0  # at most this long on one group's MILP
_CUT_ROUNDS = 20  # rounds of station cuts on the converged LP, at most ...
_CUT_GAIN = 1e-4  # ... while each raises the LP by at least this share

log = logging.getLogger(__name__)
_Num = float | np.ndarray  # a scalar or an array of them, elementwise


NO_PLAN_IN_TIME = "no plan found within the time limit (not proven infeasible)"


class NoPlanWithinTimeLimit(RuntimeError):
    """The time limit passed before any plan was found, and infeasibility is not proven.

    ``technicians/v1`` has no status for this (``infeasible`` needs a proof), so
    :func:`solve_technicians` raises instead of returning a result.
    """

    def __init__(self, seconds: float, bound: float | None) -> None:
        self.seconds = seconds
        self.bound = bound
        shown = "none" if bound is None else f"{bound:,.2f}"
        super().__init__(
            f"{NO_PLAN_IN_TIME} after {seconds:.1f} s (proven lower bound on cost: {shown})"
        )


class FrontierPoint(BaseModel):
    """One point of the cost / coverage frontier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    onsite_hours: float = Field(ge=0.0, description="on-site promise used, hours")
    coverage_target: float = Field(ge=0.0, le=1.0, description="coverage target used, [0, 1]")
    status: str = Field(
        description="optimal, feasible, infeasible, or unknown (time limit, no plan, no proof)"
    )
    cost: float | None = Field(default=None, description="annual cost of the plan, currency units")
    bound: float | None = Field(
        default=None, description="proven lower bound on the cost, currency units"
    )
    coverage: float | None = Field(
        default=None, description="share of emergency calls reached in time"
    )
    dispatch_level: float | None = Field(
        default=None,
        description="lowest P(wait <= within_hours) over stations with calls (dispatch only)",
    )
    technicians: int | None = Field(default=None, description="technicians employed in total")
    stations: tuple[str, ...] = Field(default=(), description="open stations")
    reason: str | None = Field(default=None, description="why the point is infeasible")


def site_workload(
    calls: _Num, visits: _Num, planned_hours: _Num, hours: _Num, job_hours: float
) -> _Num:
    """Technician hours a year a site takes from a station ``hours`` away: each emergency call
    is the job plus the round trip, each planned visit the round trip, plus the planned hours.
    Scalars or numpy arrays alike."""
    return calls * (job_hours + 2 * hours) + visits * 2 * hours + planned_hours


def site_travel_cost(calls: _Num, visits: _Num, hours: _Num, cost_per_hour: float) -> _Num:
    """Travel cost a year of serving a site ``hours`` away: a round trip per emergency call
    and per planned visit. Scalars or numpy arrays alike."""
    return cost_per_hour * 2 * hours * (calls + visits)


def on_duty(technicians: int, productive_hours: float, service_hours: float) -> int:
    """Technicians on duty at any time: ``floor(n * productive_hours / service_hours)``."""
    return math.floor(technicians * productive_hours / service_hours)


# ---------------------------------------------------------------------------------------------
# Prepared data: everything that does not depend on the coverage target or on-site hours.


@dataclass
class _Prepared:
    problem: TechniciansProblem
    d: np.ndarray  # (stations, sites) hours
    calls: np.ndarray  # (sites,) emergency calls a year
    fixed: np.ndarray  # (stations,)
    cap: np.ndarray  # (stations,) max technicians
    pi: np.ndarray  # pair -> site
    pj: np.ndarray  # pair -> station
    pd: np.ndarray  # pair travel hours
    pcost: np.ndarray  # pair travel cost a year
    pw: np.ndarray  # pair workload hours a year
    # per station: L_c (calls a year), c = 1..
    levels: list[np.ndarray] = field(default_factory=list)
    nmin: list[int] = field(default_factory=list)  # nmin[c] technicians for c on duty
    infeasible: str | None = None  # reason found while preparing
    # cuts for the solve in progress (they depend on its coverage target and on-site hours)
    aggregate: _Aggregate | None = None


def _prepare(problem: TechniciansProblem) -> _Prepared:
    """Travel matrix, usable pairs with their costs and workloads, and the dispatch levels."""
    d = travel_matrix(problem)
    sites, stations = problem.sites, problem.stations
    calls = np.array([s.emergency_calls for s in sites])
    visits = np.array([s.planned_visits for s in sites])
    planned = np.array([s.planned_hours for s in sites])
    fixed = np.array([s.fixed_cost for s in stations])
    cap = np.array([s.max_technicians for s in stations], dtype=np.int64)
    hours_h = problem.technician.productive_hours
    service = problem.service_hours_per_year
    job = problem.emergency.job_hours

    pj, pi = np.nonzero(np.isfinite(d))
    pd = d[pj, pi]
    pw = site_workload(calls[pi], visits[pi], planned[pi], pd, job)
    pcost = site_travel_cost(calls[pi], visits[pi], pd, problem.travel_cost_per_hour)
    keep = pw <= cap[pj] * hours_h * (1 + _FEAS_TOL)

    nmin = [0]
    lam_calls: list[float] = [0.0]  # S * lam(c)
    dispatch = problem.dispatch
    if dispatch is not None:
        top = int(cap.max())
        c_max = on_duty(top, hours_h, service)
        n = 0
        for c in range(1, c_max + 1):
            while on_duty(n, hours_h, service) < c:
                n += 1
            nmin.append(n)
            rate = max_rate(
                c, dispatch.mean_call_hours, dispatch.within_hours, dispatch.service_level
            )
            lam_calls.append(rate * service)
            if lam_calls[-1] >= calls.sum():  # no station ever needs more on duty
                break
        station_cmax = np.array(
            [min(on_duty(int(u), hours_h, service), len(nmin) - 1) for u in cap]
        )
        best_calls = np.array(lam_calls)[station_cmax]
        keep &= calls[pi] <= best_calls[pj]
    pi, pj, pd, pw, pcost = pi[keep], pj[keep], pd[keep], pw[keep], pcost[keep]
    order = np.lexsort((pj, pi))
    pi, pj, pd, pw, pcost = pi[order], pj[order], pd[order], pw[order], pcost[order]

    prep = _Prepared(problem, d, calls, fixed, cap, pi, pj, pd, pcost, pw, nmin=nmin)
    if dispatch is not None:
        reach = np.bincount(pj, weights=calls[pi], minlength=len(stations))
        for j in range(len(stations)):
            c_max = int(station_cmax[j])
            lv: list[float] = []
            for c in range(1, c_max + 1):
                lv.append(min(lam_calls[c], reach[j]))
                if lam_calls[c] >= reach[j]:
                    break
            prep.levels.append(np.array(lv) if reach[j] > 0 else np.zeros(0))
    prep.infeasible = _precheck_structure(prep)
    return prep


def _precheck_structure(prep: _Prepared) -> str | None:
    """Infeasibility that does not depend on the coverage promise."""
    problem = prep.problem
    n_sites = len(problem.sites)
    counts = np.bincount(prep.pi, minlength=n_sites)
    lonely = [problem.sites[i].id for i in np.nonzero(counts == 0)[0]]
    if lonely:
        return (
            "no station can serve site(s) "
            + ", ".join(repr(s) for s in lonely[:10])
            + ": the site's workload or emergency calls exceed what any reaching station can take"
            + " at its maximum staff"
        )
    if problem.max_open_stations == 0:
        return "max_open_stations is 0 but there are sites to serve"
    hours_h = problem.technician.productive_hours
    min_work = np.full(n_sites, np.inf)
    np.minimum.at(min_work, prep.pi, prep.pw)
    capacity = float(prep.cap.sum()) * hours_h
    if min_work.sum() > capacity * (1 + _FEAS_TOL):
        return (
            f"total workload is at least {min_work.sum():.6g} h a year but all stations together"
            f" have only {capacity:.6g} productive hours"
        )
    forced = counts[prep.pi] == 1
    for j, station in enumerate(problem.stations):
        mine = forced & (prep.pj == j)
        if not mine.any():
            continue
        work = float(prep.pw[mine].sum())
        if work > prep.cap[j] * hours_h * (1 + _FEAS_TOL):
            return (
                f"station {station.id!r} alone can serve sites with {work:.6g} h of work a year, more than"
                f" its {int(prep.cap[j])} technicians work ({prep.cap[j] * hours_h:.6g} h)"
            )
        if problem.dispatch is not None:
            must = float(prep.calls[prep.pi[mine]].sum())
            most = float(prep.levels[j][-1]) if len(prep.levels[j]) else 0.0
            if must > most * (1 + _FEAS_TOL):
                return (
                    f"station {station.id!r} must take {must:.6g} emergency calls a year but meets the dispatch"
                    f" level for at most {most:.6g} even with all {int(prep.cap[j])} technicians"
                )
    return None


def _max_coverage(
    prep: _Prepared, covered: np.ndarray, p: int | None = None, time_limit: float | None = None
) -> tuple[float, float]:
    """:func:`_max_covering` without the stations."""
    best, top, _ = _max_covering(prep, covered, p, time_limit)
    return best, top


def _max_covering(
    prep: _Prepared,
    covered: np.ndarray,
    p: int | None = None,
    time_limit: float | None = None,
    *,
    relax: bool = False,
) -> tuple[float, float, np.ndarray]:
    """Largest share of emergency calls reached in time by at most ``p`` open stations
    (default: the problem's ``max_open_stations``), ignoring capacity.

    Returns (best share found, proven upper bound on the share, stations reaching the
    best share); the two shares are equal unless ``time_limit`` cut the maximal-covering
    MILP short. With ``relax`` only the LP relaxation is solved: its optimum is the
    upper bound, and no share or stations are found.
    """
    problem = prep.problem
    total = float(prep.calls.sum())
    if total == 0:
        return 1.0, 1.0, np.zeros(0, dtype=np.int64)
    n_sites = len(problem.sites)
    cov_pairs = covered & (prep.calls[prep.pi] > 0)
    reachable = np.zeros(n_sites, dtype=bool)
    reachable[prep.pi[cov_pairs]] = True
    useful = np.unique(prep.pj[cov_pairs])
    if p is None:
        p = problem.max_open_stations
    if p is None or p >= len(useful):
        share = float(prep.calls[reachable].sum()) / total
        return share, share, useful
    # maximal covering: choose at most p stations, maximise covered calls.
    sites_idx = np.nonzero(reachable)[0]
    site_pos = np.full(n_sites, -1)
    site_pos[sites_idx] = np.arange(len(sites_idx))
    st_pos = np.full(len(problem.stations), -1)
    st_pos[useful] = np.arange(len(useful))
    nu, ny = len(sites_idx), len(useful)
    k = np.nonzero(cov_pairs)[0]
    rows = np.concatenate([site_pos[prep.pi[k]], np.arange(nu), np.full(ny, nu)])
    cols = np.concatenate([nu + st_pos[prep.pj[k]], np.arange(nu), nu + np.arange(ny)])
    vals = np.concatenate([-np.ones(len(k)), np.ones(nu), np.ones(ny)])
    a = sp.csc_matrix((vals, (rows, cols)), shape=(nu + 1, nu + ny))
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    cost = np.concatenate([-prep.calls[sites_idx], np.zeros(ny)])
    _pass(
        h,
        cost,
        np.zeros(nu + ny),
        np.ones(nu + ny),
        np.concatenate([np.full(nu, -np.inf), [-np.inf]]),
        np.concatenate([np.zeros(nu), [p]]),
        a,
        None if relax else np.concatenate([np.zeros(nu), np.ones(ny)]).astype(bool),
    )
    h.run()
    info = h.getInfo()
    if relax:
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return 0.0, 1.0, np.zeros(0, dtype=np.int64)
        return 0.0, min(1.0, -info.objective_function_value / total), np.zeros(0, dtype=np.int64)
    chosen = np.zeros(0, dtype=np.int64)
    best = 0.0
    if info.primal_solution_status == 2:
        best = -info.objective_function_value / total
        chosen = useful[np.asarray(h.getSolution().col_value)[nu:] > 0.5]
    top = -info.mip_dual_bound / total if np.isfinite(info.mip_dual_bound) else 1.0
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        top = max(best, min(top, best + 1e-12))
    return best, max(best, min(top, 1.0)), chosen


@dataclass
class _Aggregate:
    """Bounds every plan obeys (at a given coverage target), used as cuts in every model.

    ``open``: fewest stations serving sites; ``staff``: fewest technicians in total;
    ``spend``: least fixed plus technician cost. They come from the station-level
    relaxation in :func:`_aggregate_bounds`.
    """

    open: int
    staff: float
    spend: float


def _fewest_for_coverage(
    prep: _Prepared, covered: np.ndarray, target: float, deadline: float
) -> int:
    """Fewest stations whose reach within the promise holds ``target`` of the calls (a proven
    lower bound: the largest count shown insufficient, plus one)."""
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
        _, top, _ = _max_covering(prep, covered, mid, left, relax=True)
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
        _, top = _max_coverage(prep, covered, p, left)
        if top >= need:
            return p
        p += 1
    return p


def _aggregate_bounds(
    prep: _Prepared, target: float, covered: np.ndarray, deadline: float
) -> _Aggregate | None:
    """Station-level relaxation: each station picks open/closed, technicians and an on-duty level;
    together they open at least the stations coverage needs, hold the least total workload
    (every site at its cheapest-in-hours station) and, with dispatch, the total calls; an open
    station has at least the staff its smallest site needs and, if it reaches no site without
    calls, at least one on-duty level. Any plan gives a solution of it, so its minima of open
    stations, technicians, and fixed plus technician cost bound every plan from below.
    """
    problem = prep.problem
    n_st = len(problem.stations)
    hours_h = problem.technician.productive_hours
    k_cov = _fewest_for_coverage(prep, covered, target, deadline)
    serving = np.zeros(n_st, dtype=bool)
    serving[prep.pj] = True
    st = np.nonzero(serving)[0]
    m = len(st)
    least = np.full(n_st, np.inf)
    np.minimum.at(least, prep.pj, _staff_for(prep.pw, hours_h))
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
        _pass(h, cost, np.zeros(ncol), upper, np.array(rl), np.array(ru), a, integer)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return None  # the full problem is infeasible too; the solver proper says why
        bound = h.getInfo().mip_dual_bound
        if not np.isfinite(bound):
            return None
        found[name] = float(bound)
    return _Aggregate(
        open=max(k_cov, math.ceil(found["open"] - 1e-6)),
        staff=math.ceil(found["staff"] - 1e-6),
        spend=found["spend"] * (1 - 1e-9),
    )


# ---------------------------------------------------------------------------------------------
# HiGHS helpers.


def _pass(
    h: highspy.Highs,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    a: sp.csc_matrix,
    integer: np.ndarray | None,
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = a.shape[1]
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    a = a.tocsc()
    a.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.a_matrix_.num_col_ = a.shape[1]
    lp.a_matrix_.num_row_ = a.shape[0]
    if integer is not None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in integer
        ]
    h.passModel(lp)


@dataclass
class _Model:
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


def _build(
    prep: _Prepared,
    pairs: np.ndarray,
    stations: np.ndarray,
    target: float,
    covered: np.ndarray,
    *,
    most_open: int | None = None,
    nogoods: tuple[np.ndarray, ...] = (),
) -> _Model:
    """Assemble the model over ``pairs`` (all their stations must be in ``stations``).

    ``most_open`` caps the open stations and each station set in ``nogoods`` asks for at
    least one station outside it; both are cuts that only plans cheaper than the
    incumbent need to obey (see :func:`_solve`).
    """
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
    np.minimum.at(least, pj, _staff_for(prep.pw[pairs], hours_h))
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
        rl.append(np.array([target * total * (1 - _FEAS_TOL)]))
        ru.append(np.array([np.inf]))
        r += 1
    agg = prep.aggregate
    if agg is not None:  # station-level bounds (see _aggregate_bounds)
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
    link = _link_columns(prep, pairs, spos, y0, z0, z_station_a, z_level_a)
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
    return _Model(
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


def _link_columns(
    prep: _Prepared,
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
            need = np.searchsorted(prep.levels[j], cal[sel] * (1 - _FEAS_TOL))
            link[sel] = z_first[j] + need
    return link


def _staffing_cuts(
    prep: _Prepared,
    model: _Model,
    pairs: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cuts that an LP solution ``values`` breaks, at most two per station it opens.

    ``pairs`` are the LP's assignment columns ``cols``. For a set S of sites at station j
    (the prefix, by ``x_ij / y_j``, that the LP breaks most; each row ``sum coef * col <= 0``):

    * workload, with ``a_i = w_ij / H`` and ``a(S) = k + f`` (k integer, 0 < f < 1):
      ``sum_S a_i x_ij <= k (1 - f) y_j + f n_j``. With y = 1 it is the mixed-integer rounding
      of ``sum_S a_i x_ij <= n_j``: n = k allows k, n >= k + 1 allows a(S); with y = 0 all is 0.
    * dispatch, with e(S) the calls of S and c the fewest on duty that serve them
      (``L_{c-1} < e(S) <= L_c``, c >= 2):
      ``sum_S e_i x_ij <= L_{c-1} y_j + (e(S) - L_{c-1}) z_jc``.
      With z_jc = 1 it allows all of e(S); with z_jc = 0 the station keeps at most c - 1 on
      duty and its dispatch row allows ``L_{c-1}``; with y = 0 all is 0.

    Both hold for every plan, with assignments integer or not (a relaxation with integer
    staffing and levels keeps them); the LP's fractional staffing and levels break them.
    """
    n_st = len(prep.problem.stations)
    spos = np.full(n_st, -1)
    spos[model.stations] = np.arange(len(model.stations))
    y = np.zeros(n_st)
    y[model.stations] = values[model.y0 : model.y0 + len(model.stations)]
    xv = values[cols]
    hours_h = prep.problem.technician.productive_hours
    zcol: dict[tuple[int, int], int] = {
        (int(j), int(c)): model.z0 + q
        for q, (j, c) in enumerate(zip(model.z_station, model.z_level, strict=True))
    }
    used = xv > 1e-9
    order = np.argsort(prep.pj[pairs[used]], kind="stable")
    ks, xs, cs = pairs[used][order], xv[used][order], cols[used][order]
    starts = np.searchsorted(prep.pj[ks], np.arange(n_st + 1))
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    for j in np.nonzero(y > 1e-6)[0]:
        mine = slice(starts[j], starts[j + 1])
        k_, x_, c_ = ks[mine], xs[mine], cs[mine]
        if not len(k_):
            continue
        yj, col_y, col_n = y[j], model.y0 + spos[j], model.n0 + spos[j]
        o = np.argsort(-x_, kind="stable")
        a = prep.pw[k_[o]] / hours_h
        ca = np.cumsum(a)
        whole = np.floor(ca + 1e-9)
        f = ca - whole
        viol = np.cumsum(a * x_[o]) - whole * (1 - f) * yj - f * values[col_n]
        viol[f < 1e-6] = -np.inf
        q = int(np.argmax(viol))
        if viol[q] > 1e-6 * max(1.0, ca[q]):
            rows.append(
                _row(
                    np.concatenate([c_[o[: q + 1]], [col_y, col_n]]),
                    np.concatenate([a[: q + 1], [-whole[q] * (1 - f[q]), -f[q]]]),
                )
            )
        levels = prep.levels[j] if model.row_disp else np.zeros(0)
        e = prep.calls[prep.pi[k_[o]]]
        if len(levels) < 2 or not (e > 0).any():
            continue
        ce = np.cumsum(e)
        need = np.searchsorted(levels, ce * (1 - _FEAS_TOL)) + 1  # fewest on duty for e(S)
        ok = (need >= 2) & (need <= len(levels))
        if not ok.any():
            continue
        need = np.clip(need, 2, len(levels))
        below = levels[need - 2]
        zval = np.array([values[zcol[(int(j), int(c))]] for c in need])
        viol = np.where(ok, np.cumsum(e * x_[o]) - below * yj - (ce - below) * zval, -np.inf)
        q = int(np.argmax(viol))
        if viol[q] > 1e-6 * max(1.0, ce[q]):
            rows.append(
                _row(
                    np.concatenate([c_[o[: q + 1]], [col_y, zcol[(int(j), int(need[q]))]]]),
                    np.concatenate([e[: q + 1], [-below[q], -(ce[q] - below[q])]]),
                )
            )
    return rows


def _row(idx: np.ndarray, val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sparse row with its indices sorted (duplicates added up)."""
    uniq, inv = np.unique(idx, return_inverse=True)
    return uniq.astype(np.int32), np.bincount(inv, weights=val)


# ---------------------------------------------------------------------------------------------
# Plans.


@dataclass
class _Plan:
    assign: np.ndarray  # site -> station index
    technicians: np.ndarray  # per station
    cost: float


def _staff_for(work: np.ndarray, productive_hours: float) -> np.ndarray:
    """Fewest technicians whose hours cover ``work`` hours: ceil(work / H), forgiving float noise."""
    n = np.ceil(work / productive_hours)
    return np.where((n >= 1) & ((n - 1) * productive_hours * (1 + _FEAS_TOL) >= work), n - 1, n)


def _min_staff(prep: _Prepared, assign: np.ndarray) -> np.ndarray | None:
    """Fewest technicians per station for an assignment; None if some station cannot do it."""
    problem = prep.problem
    n_st = len(problem.stations)
    hours_h = problem.technician.productive_hours
    idx = _pair_index(prep, assign)
    if idx is None:
        return None
    work = np.bincount(prep.pj[idx], weights=prep.pw[idx], minlength=n_st)
    tech = _staff_for(work, hours_h).astype(np.int64)
    if problem.dispatch is not None:
        calls = np.bincount(assign, weights=prep.calls, minlength=n_st)
        for j in np.nonzero(calls > 0)[0]:
            lv = prep.levels[j]
            c = int(np.searchsorted(lv, calls[j] * (1 - _FEAS_TOL))) + 1
            if c > len(lv):
                return None
            tech[j] = max(tech[j], prep.nmin[c])
    if (tech > prep.cap).any():
        return None
    return tech


def _pair_index(prep: _Prepared, assign: np.ndarray) -> np.ndarray | None:
    n_st = len(prep.problem.stations)
    key = prep.pi * n_st + prep.pj
    want = np.arange(len(assign)) * n_st + assign
    pos = np.searchsorted(key, want)
    if (pos >= len(key)).any() or (key[np.minimum(pos, len(key) - 1)] != want).any():
        return None
    return pos


def _plan_from(
    prep: _Prepared, assign: np.ndarray, target: float, covered: np.ndarray
) -> _Plan | None:
    """The cheapest staffing of an assignment, if it keeps every promise."""
    problem = prep.problem
    idx = _pair_index(prep, assign)
    if idx is None:
        return None
    if problem.max_open_stations is not None and len(np.unique(assign)) > problem.max_open_stations:
        return None
    total = float(prep.calls.sum())
    if total > 0 and float(prep.calls[covered[idx]].sum()) < target * total * (1 - 1e-7):
        return None
    tech = _min_staff(prep, assign)
    if tech is None:
        return None
    open_ = np.unique(assign)
    cost = float(
        prep.fixed[open_].sum()
        + problem.technician.annual_cost * tech.sum()
        + prep.pcost[idx].sum()
    )
    return _Plan(assign, tech, cost)


def _shed(
    assign: np.ndarray,
    j: int,
    measure: np.ndarray,
    need: float,
    open_: np.ndarray,
    trav: np.ndarray,
    work_m: np.ndarray,
    spare: np.ndarray,
    room_calls: np.ndarray,
    calls: np.ndarray,
) -> np.ndarray | None:
    """An assignment moving station j's sites, cheapest per unit of ``measure`` first, to
    other open stations with room for their hours (``spare``) and calls (``room_calls``),
    until ``need`` units are shed; None if they cannot be."""
    inf = np.inf
    mine = np.nonzero((assign == j) & (measure > 0))[0]
    others = open_[open_ != j]
    if not len(mine) or not len(others):
        return None
    extra = trav[np.ix_(others, mine)] - trav[j, mine][None, :]
    fits = (work_m[np.ix_(others, mine)] <= spare[others][:, None]) & (
        calls[mine][None, :] <= room_calls[others][:, None]
    )
    extra = np.where(fits, extra, inf)
    k_best = np.argmin(extra, axis=0)
    cost_move = extra[k_best, np.arange(len(mine))]
    order = np.argsort(cost_move / measure[mine])
    trial = assign.copy()
    room_w, room_c = spare.copy(), room_calls.copy()
    gone = 0.0
    for q in order:
        if not np.isfinite(cost_move[q]) or gone >= need - 1e-9:
            break
        i, k = mine[q], others[k_best[q]]
        if work_m[k, i] > room_w[k] or calls[i] > room_c[k]:
            continue
        trial[i] = k
        room_w[k] -= work_m[k, i]
        room_c[k] -= calls[i]
        gone += measure[i]
    return trial if gone >= need - 1e-9 else None


def _improve(
    prep: _Prepared, plan: _Plan, target: float, covered: np.ndarray, deadline: float
) -> _Plan:
    """Local search on a plan's assignment with the exact cost (integer technicians): move
    single sites to another open station, and shed a station's last technician by moving
    its cheapest-to-move sites to open stations with spare hours. Keeps every promise
    (each candidate is re-checked by :func:`_plan_from`); returns a plan no dearer."""
    problem = prep.problem
    n_st, n_sites = len(problem.stations), len(problem.sites)
    hours_h = problem.technician.productive_hours
    open_ = np.unique(plan.assign)
    if len(open_) < 2:
        return plan
    inf = np.inf
    trav = _pair_matrix(prep, prep.pcost)
    work_m = _pair_matrix(prep, prep.pw)
    cov_m = np.zeros((n_st, n_sites), dtype=bool)
    cov_m[prep.pj, prep.pi] = covered
    total = float(prep.calls.sum())
    need_cov = target * total * (1 - 1e-7) if total > 0 else -inf
    best = plan
    for _ in range(10 * len(open_) + 10):
        if time.monotonic() > deadline:
            break
        assign = best.assign.copy()
        sites = np.arange(n_sites)
        work = np.bincount(assign, weights=work_m[assign, sites], minlength=n_st)
        tech = best.technicians.astype(float)
        spare = tech * hours_h - work
        cov = float(prep.calls[cov_m[assign, sites]].sum())
        changed = False
        # call room: calls a station can still take at its on-duty level (dispatch only)
        calls_at = np.bincount(assign, weights=prep.calls, minlength=n_st)
        room_calls = np.full(n_st, inf)
        level_floor = np.zeros(n_st)  # calls at the level below (dispatch only)
        if problem.dispatch is not None:
            for k in open_:
                lv = prep.levels[k]
                if calls_at[k] <= 0 or not len(lv):
                    room_calls[k] = 0.0
                    continue
                c = int(np.searchsorted(lv, calls_at[k] * (1 - _FEAS_TOL))) + 1
                room_calls[k] = lv[min(c, len(lv)) - 1] - calls_at[k]
                level_floor[k] = lv[c - 2] if c >= 2 else 0.0

        # shed a station's last technician (hours) or its top on-duty level (calls)
        own_work = work_m[assign, sites]
        excess = work - (tech - 1) * hours_h
        tries: list[tuple[float, int, np.ndarray, float]] = [
            (float(excess[j]), int(j), own_work, float(excess[j]))
            for j in open_
            if tech[j] >= 1 and excess[j] > 0
        ]
        if problem.dispatch is not None:
            tries += [
                (
                    float(calls_at[j] - level_floor[j]),
                    int(j),
                    prep.calls,
                    float(calls_at[j] - level_floor[j]),
                )
                for j in open_
                if calls_at[j] > 0
            ]
        for _, j, measure, need in sorted(tries, key=lambda t: t[0]):
            if time.monotonic() > deadline:
                break
            trial = _shed(
                assign, j, measure, need, open_, trav, work_m, spare, room_calls, prep.calls
            )
            if trial is None:
                continue
            cand = _plan_from(prep, trial, target, covered)
            if cand is not None and cand.cost < best.cost - 1e-9 * max(1.0, abs(best.cost)):
                best = cand
                changed = True
                break
        if changed:
            continue
        # single moves, best first
        delta_tr = trav[open_][:, sites] - trav[assign, sites][None, :]
        w_new = work_m[open_][:, sites]
        fits = (w_new <= spare[open_][:, None]) & (
            prep.calls[None, :] <= room_calls[open_][:, None]
        )
        lose_cov = cov_m[assign, sites][None, :] & ~cov_m[open_][:, sites]
        ok_cov = ~lose_cov | (cov - prep.calls[None, :] >= need_cov)
        gain = np.where(fits & ok_cov & (open_[:, None] != assign[None, :]), delta_tr, inf)
        flat = np.argsort(gain, axis=None)[: 4 * n_sites]
        moved = np.zeros(n_sites, dtype=bool)
        trial = assign.copy()
        for f in flat:
            row, i = divmod(int(f), n_sites)
            if gain[row, i] >= -1e-9 or not np.isfinite(gain[row, i]):
                break
            if moved[i]:
                continue
            k = open_[row]
            if work_m[k, i] > spare[k] or prep.calls[i] > room_calls[k]:
                continue
            spare[k] -= work_m[k, i]
            room_calls[k] -= prep.calls[i]
            trial[i] = k
            moved[i] = True
        if moved.any():
            cand = _plan_from(prep, trial, target, covered)
            if cand is not None and cand.cost < best.cost - 1e-9 * max(1.0, abs(best.cost)):
                best = cand
                continue
        break
    return best


def evaluate_plan(
    problem: TechniciansProblem, result: TechniciansResult, d: np.ndarray | None = None
) -> float:
    """Check a result's plan against every promise of ``problem`` and return its annual cost.

    Raises ValueError naming the first broken promise.
    """
    if d is None:
        d = travel_matrix(problem)
    site_pos = {s.id: i for i, s in enumerate(problem.sites)}
    st_pos = {s.id: j for j, s in enumerate(problem.stations)}
    assign = np.full(len(problem.sites), -1)
    cost = 0.0
    hours_h = problem.technician.productive_hours
    service = problem.service_hours_per_year
    em = problem.emergency
    covered_calls = 0.0
    for plan in result.stations:
        j = st_pos[plan.id]
        station = problem.stations[j]
        if plan.technicians > station.max_technicians:
            raise ValueError(f"station {plan.id!r} has more than max_technicians")
        cost += station.fixed_cost + problem.technician.annual_cost * plan.technicians
        work = calls = 0.0
        for sid in plan.sites:
            i = site_pos[sid]
            if assign[i] >= 0:
                raise ValueError(f"site {sid!r} served twice")
            assign[i] = j
            s = problem.sites[i]
            dij = d[j, i]
            if not math.isfinite(dij):
                raise ValueError(f"station {plan.id!r} does not reach site {sid!r}")
            cost += site_travel_cost(
                s.emergency_calls, s.planned_visits, dij, problem.travel_cost_per_hour
            )
            work += site_workload(
                s.emergency_calls, s.planned_visits, s.planned_hours, dij, em.job_hours
            )
            calls += s.emergency_calls
            if dij <= em.onsite_hours:
                covered_calls += s.emergency_calls
        if work > plan.technicians * hours_h * (1 + 1e-7):
            raise ValueError(f"station {plan.id!r} has more work than its technicians' hours")
        if problem.dispatch is not None and calls > 0:
            dp = problem.dispatch
            c = on_duty(plan.technicians, hours_h, service)
            level = wait_probability(c, calls / service, dp.mean_call_hours, dp.within_hours)
            if level < dp.service_level - 1e-9:
                raise ValueError(f"station {plan.id!r} misses the dispatch level ({level:.6f})")
    if (assign < 0).any():
        raise ValueError("some site is not served")
    total = sum(s.emergency_calls for s in problem.sites)
    if total > 0 and covered_calls < em.coverage_target * total * (1 - 1e-7):
        raise ValueError("coverage target missed")
    if problem.max_open_stations is not None and len(result.stations) > problem.max_open_stations:
        raise ValueError("too many open stations")
    return cost


# ---------------------------------------------------------------------------------------------
# Heuristic: greedy add, then add/drop/swap on linearised costs, then a MILP over the chosen stations.


def _pair_linear_costs(prep: _Prepared) -> np.ndarray:
    """Per pair: travel cost + workload hours at the technicians' hourly cost."""
    technician = prep.problem.technician
    return prep.pcost + technician.annual_cost / technician.productive_hours * prep.pw


def _pair_matrix(prep: _Prepared, per_pair: np.ndarray) -> np.ndarray:
    """A value given per pair as a (stations, sites) matrix; inf for unusable pairs."""
    problem = prep.problem
    out = np.full((len(problem.stations), len(problem.sites)), np.inf)
    out[prep.pj, prep.pi] = per_pair
    return out


def _linear_costs(prep: _Prepared) -> np.ndarray:
    """(stations, sites) travel cost + technician cost per workload hour; inf for unusable pairs."""
    return _pair_matrix(prep, _pair_linear_costs(prep))


def _local_search(
    prep: _Prepared, cmat: np.ndarray, deadline: float, start: list[int] | None = None
) -> np.ndarray:
    """Station set by greedy add (from ``start`` if given) and first-improvement add/drop/swap
    on the linearised cost."""
    n_st = cmat.shape[0]
    p = prep.problem.max_open_stations
    p = n_st if p is None else min(p, n_st)
    finite = cmat[np.isfinite(cmat)]
    big = 10.0 * (float(finite.max()) + 1.0) * cmat.shape[1] + 10.0 * float(prep.fixed.sum()) + 1.0
    c = np.where(np.isfinite(cmat), cmat, big)
    fixed = prep.fixed

    def total(open_: np.ndarray) -> float:
        return float(c[open_].min(axis=0).sum() + fixed[open_].sum()) if len(open_) else math.inf

    open_: list[int] = list(start or [])[:p]
    best = c[open_].min(axis=0) if open_ else np.full(c.shape[1], big * 10)
    while len(open_) < p:
        gain = np.maximum(best[None, :] - c, 0).sum(axis=1) - fixed
        gain[open_] = -np.inf
        j = int(np.argmax(gain))
        if gain[j] <= 0 and open_:
            break
        open_.append(j)
        best = np.minimum(best, c[j])
    current = total(np.array(open_))
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        arr = np.array(open_)
        sub = c[arr]
        order = np.argsort(sub, axis=0)
        first = sub[order[0], np.arange(c.shape[1])]
        second = (
            sub[order[1], np.arange(c.shape[1])] if len(arr) > 1 else np.full(c.shape[1], big * 10)
        )
        closed = np.setdiff1d(np.arange(n_st), arr)
        # add
        if len(arr) < p and len(closed):
            gain = np.maximum(first[None, :] - c[closed], 0).sum(axis=1) - fixed[closed]
            k = int(np.argmax(gain))
            if gain[k] > 1e-9 * max(1.0, abs(current)):
                open_.append(int(closed[k]))
                current = total(np.array(open_))
                improved = True
                continue
        for q, j_out in enumerate(arr):
            if time.monotonic() > deadline:
                break
            without = np.where(arr[order[0]] == j_out, second, first)
            drop_val = float(without.sum() + fixed[arr].sum() - fixed[j_out])
            if len(arr) > 1 and drop_val < current - 1e-9 * max(1.0, abs(current)):
                open_.remove(int(j_out))
                current = drop_val
                improved = True
                break
            if not len(closed):
                continue
            swap = (
                np.minimum(without[None, :], c[closed]).sum(axis=1)
                + fixed[arr].sum()
                - fixed[j_out]
                + fixed[closed]
            )
            k = int(np.argmin(swap))
            if swap[k] < current - 1e-9 * max(1.0, abs(current)):
                open_[open_.index(int(j_out))] = int(closed[k])
                current = float(swap[k])
                improved = True
                break
    return np.array(sorted(open_), dtype=np.int64)


def _add_for_coverage(
    prep: _Prepared, open_: np.ndarray, covered: np.ndarray, target: float
) -> np.ndarray:
    """Add stations greedily by newly covered calls until the target is reachable (if it can be)."""
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


# ---------------------------------------------------------------------------------------------
# Solving.


@dataclass
class _Outcome:
    status: str
    plan: _Plan | None
    bound: float | None
    reason: str | None = None


def _run_milp(
    prep: _Prepared,
    model: _Model,
    start: _Plan | None,
    time_limit: float | None,
    *,
    relax_x: bool = False,
    cutoff: float | None = None,
) -> tuple[str, np.ndarray | None, float | None]:
    """Run HiGHS on ``model`` (with continuous assignments if ``relax_x``).

    With ``cutoff``, only solutions cheaper than it are sought: ``infeasible`` then means
    that none exists.

    Returns (status, column values or None, proven lower bound or None) with status
    ``optimal`` (gap within 1e-6 relative), ``feasible``, ``infeasible`` or ``unknown``.

    HiGHS 1.16 can take a start solution (``setSolution``) into its presolved model at a
    wrong objective value and then prune with it; a run whose reported objective is not
    the cost of the solution it returns (or that calls the start infeasible) is therefore
    not trusted and is repeated without the start.
    """
    t0 = time.monotonic()
    sol = None if start is None else _start_vector(prep, model, start)
    integer = model.integer.copy()
    if relax_x:
        integer[model.x0 : model.x0 + len(model.pairs)] = False
    while True:
        h = new_highs()
        h.setOptionValue("mip_rel_gap", _REL_GAP / 2)
        h.setOptionValue("mip_abs_gap", 1e-9)
        if time_limit is not None:
            h.setOptionValue("time_limit", max(float(time_limit) - (time.monotonic() - t0), 0.01))
        if cutoff is not None:
            h.setOptionValue("objective_bound", float(cutoff))
        _pass(
            h,
            model.cost,
            model.lower,
            model.upper,
            model.row_lower,
            model.row_upper,
            model.a,
            integer,
        )
        if sol is not None:
            h.setSolution(_highs_solution(sol))
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value) if info.primal_solution_status == 2 else None
        trusted = status != highspy.HighsModelStatus.kInfeasible if sol is not None else True
        if values is not None:
            cost = float(model.cost @ values)
            reported = float(info.objective_function_value)
            trusted = trusted and abs(reported - cost) <= 1e-7 * max(1.0, abs(cost))
        if trusted or sol is None:
            break
        sol = None
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None, None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    if values is None:
        return "unknown", None, bound
    if not trusted:
        return "feasible", values, None
    return ("optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"), values, bound


def _plan_of(
    prep: _Prepared, model: _Model, values: np.ndarray, target: float, covered: np.ndarray
) -> _Plan | None:
    """The plan in a MILP solution, restaffed at least cost; None if assignments are fractional."""
    xv = values[model.x0 : model.x0 + len(model.pairs)]
    chosen = model.pairs[xv > 0.5]
    assign = np.full(len(prep.problem.sites), -1)
    assign[prep.pi[chosen]] = prep.pj[chosen]
    if (assign < 0).any() or np.abs(xv - np.round(xv)).max(initial=0.0) > 1e-6:
        return None
    return _plan_from(prep, assign, target, covered)


def _highs_solution(values: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = values.tolist()
    sol.value_valid = True
    return sol


def _start_vector(prep: _Prepared, model: _Model, plan: _Plan) -> np.ndarray | None:
    """Full column vector of ``plan`` in ``model``'s layout; None if the plan uses a pair not in it."""
    n_st = len(prep.problem.stations)
    vec = np.zeros(model.num_col)
    idx = _pair_index(prep, plan.assign)
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
            need = int(np.searchsorted(lv, calls[j] * (1 - _FEAS_TOL))) + 1 if calls[j] > 0 else 0
            vec[model.z0 + q] = 1.0 if c <= need else 0.0
    return vec


def _heuristic(
    prep: _Prepared, target: float, covered: np.ndarray, deadline: float, extra_starts: list[_Plan]
) -> _Plan | None:
    cmat = _linear_costs(prep)
    now = time.monotonic()
    open_ = _local_search(prep, cmat, now + (deadline - now) / 3)
    open_ = _add_for_coverage(prep, open_, covered, target)
    best: _Plan | None = None
    for plan in extra_starts:
        if best is None or plan.cost < best.cost:
            best = plan
    limit = prep.problem.max_open_stations
    if limit is not None and len(open_) > limit:
        # the greedy cover needs too many stations: start from a maximal covering instead
        left = max(deadline - time.monotonic(), 1.0)
        _, _, open_ = _max_covering(prep, covered, limit, left / 2)
        if not len(open_):
            return best
        open_ = np.sort(open_)
    nearest = open_[np.argmin(cmat[open_], axis=0)]
    if np.isfinite(cmat[nearest, np.arange(cmat.shape[1])]).all():
        plan = _plan_from(prep, nearest, target, covered)  # each site to its cheapest open station
        if plan is None:  # some station is overloaded: fill the stations up to their limits
            fitted = _fit_assign(prep, open_, cmat)
            plan = None if fitted is None else _plan_from(prep, fitted, target, covered)
        if plan is not None and (best is None or plan.cost < best.cost):
            best = plan
    improve = min(_IMPROVE_SECONDS, 0.25 * max(deadline - time.monotonic(), 0.0))
    if best is None or len(prep.pi) <= _FULL_LP_PAIRS:
        # on larger models HiGHS rarely beats the start within the time and overruns it at
        # the root; the LP neighbourhood finds their plans
        plan = _restricted_plan(
            prep, open_, target, covered, best, max(deadline - time.monotonic() - improve, 1.0)
        )
        if plan is not None and (best is None or plan.cost < best.cost):
            best = plan
    if best is not None:  # the local search keeps to the deadline too
        best = _improve(prep, best, target, covered, max(deadline, time.monotonic() + 0.5))
    return best


def _fit_assign(prep: _Prepared, open_: np.ndarray, cmat: np.ndarray) -> np.ndarray | None:
    """Each site to its cheapest station of ``open_`` (on ``cmat``) that still has room for
    its hours at the station's most technicians and for its calls at the station's top
    on-duty level, the sites that would regret their cheapest station most placed first;
    None if some site finds no room."""
    problem = prep.problem
    n_sites = cmat.shape[1]
    sub = cmat[open_]
    work = _pair_matrix(prep, prep.pw)[open_]
    room_w = prep.cap[open_] * problem.technician.productive_hours * (1 + _FEAS_TOL)
    room_c = np.full(len(open_), np.inf)
    if problem.dispatch is not None:
        room_c = np.array([lv[-1] if len(lv) else 0.0 for lv in (prep.levels[j] for j in open_)])
        room_c = room_c * (1 + _FEAS_TOL)
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


def _least_per_site(prep: _Prepared, pairs: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Of ``pairs``, each site's ``k`` of least ``key`` (one value per pair given), sorted
    by site and then by key (ties in the given order)."""
    order = pairs[np.lexsort((key, prep.pi[pairs]))]
    first = np.searchsorted(prep.pi[order], np.arange(len(prep.problem.sites)))
    return order[(np.arange(len(order)) - first[prep.pi[order]]) < k]


class _Dual:
    """Duals of the LP, as the values the Lagrangian bound needs: the duals' value on the rows
    (``rhs``), the reduced costs of every pair (priced in or not) and of the y, n, z columns.

    The bound relaxes every row but keeps each site's pairs summing to at most one, so it holds
    for any duals of the right signs: ``rhs + sum_i min(0, min_j rc_ij) + sum_k min(0, rc_k u_k)``.
    It is linear in the duals except for the minima, so a blend of two points is exact.
    """

    def __init__(
        self,
        rhs: float,
        rc: np.ndarray,
        rc_other: np.ndarray,
        prep: _Prepared,
        other_ub: np.ndarray,
    ) -> None:
        self.rhs, self.rc, self.rc_other = rhs, rc, rc_other
        self._prep, self._other_ub = prep, other_ub
        self.site_min = np.zeros(len(prep.problem.sites))
        np.minimum.at(self.site_min, prep.pi, rc)
        self.bound = (
            rhs + float(self.site_min.sum()) + float(np.minimum(rc_other * other_ub, 0.0).sum())
        )

    def blend(self, other: _Dual, weight: float) -> _Dual:
        """The point ``weight * self + (1 - weight) * other``."""
        return _Dual(
            weight * self.rhs + (1 - weight) * other.rhs,
            weight * self.rc + (1 - weight) * other.rc,
            weight * self.rc_other + (1 - weight) * other.rc_other,
            self._prep,
            self._other_ub,
        )

    def lp_bound(self, y: np.ndarray) -> _LpBound:
        n_st = len(self._prep.problem.stations)
        return _LpBound(self.bound, self.rc, self.rc_other[:n_st], self.site_min, y)


@dataclass
class _LpBound:
    """A proven lower bound from LP duals, with the reduced costs that go with it.

    Any plan using pair k costs at least ``bound + rc[k] - site_min[site of k]``;
    any plan opening station j at least ``bound + rc_y[j]`` (when ``rc_y[j] > 0``).
    """

    bound: float
    rc: np.ndarray  # per pair
    rc_y: np.ndarray  # per station
    site_min: np.ndarray  # per site: min(0, min_j rc_ij)
    y: np.ndarray  # per station: the LP's opening values


def _solve_lp_with_pricing(
    prep: _Prepared,
    target: float,
    covered: np.ndarray,
    start: _Plan,
    deadline: float,
    first_round: Callable[[_LpBound], None] | None = None,
) -> _LpBound | None:
    """LP relaxation over all pairs by column generation from a start plan's neighbourhood,
    strengthened by rounds of staffing cuts (:func:`_staffing_cuts`) once its value settles.

    Returns the best Lagrangian bound seen (the bound of the LP with its cuts once no pair
    prices out), or None if not even the first LP finished in time. Pairs priced in are
    appended to the same HiGHS model with their linking rows (warm start). A large
    first LP goes to the interior point method (with crossover: a basis and exact
    duals), several times faster there than the dual simplex; later rounds start from
    the basis. ``first_round`` is called with the first LP's solution when pricing goes
    on after it (so that a heuristic can use it early).
    """
    problem = prep.problem
    n_st = len(problem.stations)
    all_st = np.arange(n_st)
    best: _LpBound | None = None
    lin_cost = _pair_linear_costs(prep)
    active = np.zeros(len(prep.pi), dtype=bool)
    if len(prep.pi) <= _FULL_LP_PAIRS:
        active[:] = True
    else:  # the start plan's pairs, each site's cheapest few and its nearest covering pairs
        active[_pair_index(prep, start.assign)] = True
        every = np.arange(len(prep.pi))
        active[_least_per_site(prep, every, lin_cost, _CG_START_PAIRS)] = True
        reach = np.nonzero(covered)[0]
        active[_least_per_site(prep, reach, prep.pd[reach], _CG_START_PAIRS)] = True
    cov_coef = np.where(covered & (prep.calls[prep.pi] > 0), prep.calls[prep.pi], 0.0)
    pairs = np.nonzero(active)[0]
    model = _build(prep, pairs, all_st, target, covered)
    column = np.full(len(prep.pi), -1)
    column[pairs] = model.x0 + np.arange(len(pairs))
    disp_row = np.full(n_st, -1)
    for j, r in model.row_disp.items():
        disp_row[j] = r
    h = new_highs()
    _pass(h, model.cost, model.lower, model.upper, model.row_lower, model.row_upper, model.a, None)
    num_col, num_row = model.num_col, model.num_row
    other_ub = model.upper[model.y0 : model.num_col]  # y, n and z columns (lower bounds 0)
    center: _Dual | None = None
    rounds = 0
    cut_lp: list[float] = []  # the LP's value when each round of cuts was added
    last_lp = math.inf

    def add_cuts(sol: highspy.HighsSolution, lb: float) -> bool:
        """Add the cuts the converged LP breaks (:func:`_staffing_cuts`); False when none
        are left, the rounds are spent, or the last round raised the LP by too little."""
        nonlocal num_row
        if len(cut_lp) >= _CUT_ROUNDS or time.monotonic() > deadline:
            return False
        if cut_lp and lb - cut_lp[-1] < _CUT_GAIN * max(1.0, abs(lb)):
            return False
        act = np.nonzero(active)[0]
        rows = _staffing_cuts(prep, model, act, column[act], np.asarray(sol.col_value))
        if not rows:
            return False
        starts = np.cumsum([0] + [len(r[0]) for r in rows[:-1]]).astype(np.int32)
        h.addRows(
            len(rows),
            np.full(len(rows), -np.inf),
            np.zeros(len(rows)),
            int(sum(len(r[0]) for r in rows)),
            starts,
            np.concatenate([r[0] for r in rows]),
            np.concatenate([r[1] for r in rows]),
        )
        num_row += len(rows)
        cut_lp.append(lb)
        log.debug("LP %.2f: %d cuts (round %d)", lb, len(rows), len(cut_lp))
        return True

    while True:
        if time.monotonic() > deadline:
            return best
        h.setOptionValue("solver", "ipm" if rounds == 0 and num_row >= _IPM_ROWS else "choose")
        # HiGHS counts its time limit over every run of the same instance
        h.setOptionValue("time_limit", h.getRunTime() + max(deadline - time.monotonic(), 0.01))
        h.run()
        rounds += 1
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return best
        sol = h.getSolution()
        row_dual = np.asarray(sol.row_dual)
        col_dual = np.asarray(sol.col_dual)
        lb = float(h.getInfo().objective_function_value)
        sigma = row_dual[model.row_cov] if model.row_cov is not None else 0.0
        delta = np.where(disp_row >= 0, row_dual[np.maximum(disp_row, 0)], 0.0)
        rc = (
            prep.pcost
            - row_dual[model.row_assign + prep.pi]
            - prep.pw * row_dual[model.row_cap + prep.pj]
            - cov_coef * sigma
            - prep.calls[prep.pi] * delta[prep.pj]
        )
        rc[active] = col_dual[column[active]]
        # the duals' value on the rows (a wrong-signed dual of HiGHS's tolerance counts 0); the
        # linking rows priced in later (x - link <= 0) add nothing
        lo, hi = model.row_lower, model.row_upper
        first = row_dual[: model.num_row]
        rhs = float(
            np.sum(np.where(first > 0, first * np.where(np.isfinite(lo), lo, 0.0), 0.0))
            + np.sum(np.where(first < 0, first * np.where(np.isfinite(hi), hi, 0.0), 0.0))
        )
        here = _Dual(rhs, rc, col_dual[model.y0 : model.num_col].copy(), prep, other_ub)
        y_lp = np.asarray(sol.col_value)[model.y0 : model.y0 + n_st]
        log.debug(
            "pricing: LP %.2f, Lagrangian bound %.2f, %d columns, %d simplex iterations",
            lb,
            here.bound,
            active.sum(),
            h.getInfo().simplex_iteration_count,
        )
        # Wentges smoothing: price at a point between the duals of the best bound (the
        # centre) and the restricted LP's, which jump between the LP's many dual optima
        if center is None:
            center = here
        mid = center.blend(here, _SMOOTHING)
        if mid.bound > center.bound:
            center = mid
        top = max(here, center, key=lambda d: d.bound)
        if best is None or top.bound > best.bound:
            best = top.lp_bound(y_lp)
        if best.bound >= lb - 1e-7 * max(1.0, abs(lb)):
            # the Lagrangian bound has met the LP: pricing further gains nothing; cuts may
            if not add_cuts(sol, lb):
                return best
            continue
        tol = -1e-9 * max(1.0, abs(lb))
        key = mid.rc
        new = (~active) & (key < tol)
        if not new.any():  # nothing prices out at the smoothed point: price at the LP's duals
            key = rc
            new = (~active) & (key < tol)
        if not new.any():
            if not add_cuts(sol, lb):
                return best
            continue
        if rounds == 1 and first_round is not None:
            first_round(here.lp_bound(y_lp))
        if abs(lb - last_lp) <= 1e-7 * max(1.0, abs(lb)):
            # the LP has settled and only the bound still catches up: cut now (and price)
            add_cuts(sol, lb)
        last_lp = lb
        cand = np.nonzero(new)[0]
        cand = _least_per_site(prep, cand, key[cand], _PRICE_PER_SITE)
        # columns: assignment, capacity, coverage and dispatch rows
        k = len(cand)
        ci = prep.pi[cand]
        entries = [
            (model.row_assign + ci, np.ones(k)),
            (model.row_cap + prep.pj[cand], prep.pw[cand]),
        ]
        if model.row_cov is not None:
            entries.append((np.full(k, model.row_cov), cov_coef[cand]))
        entries.append((disp_row[prep.pj[cand]], prep.calls[ci]))
        rows_ = np.concatenate([e[0] for e in entries])
        vals_ = np.concatenate([e[1] for e in entries])
        cols_ = np.tile(np.arange(k), len(entries))
        ok = (rows_ >= 0) & (vals_ != 0)
        block = sp.csc_matrix((vals_[ok], (rows_[ok], cols_[ok])), shape=(num_row, k))
        block.sort_indices()
        h.addCols(
            k,
            prep.pcost[cand],
            np.zeros(k),
            np.ones(k),
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data,
        )
        column[cand] = num_col + np.arange(k)
        num_col += k
        link = _link_columns(prep, cand, all_st, model.y0, model.z0, model.z_station, model.z_level)
        idx = np.empty(2 * k, dtype=np.int32)
        idx[0::2] = column[cand]
        idx[1::2] = link
        val = np.tile([1.0, -1.0], k)
        order2 = np.argsort(idx.reshape(k, 2), axis=1)
        idx = np.take_along_axis(idx.reshape(k, 2), order2, axis=1).ravel()
        val = np.take_along_axis(val.reshape(k, 2), order2, axis=1).ravel()
        h.addRows(
            k,
            np.full(k, -np.inf),
            np.zeros(k),
            2 * k,
            (2 * np.arange(k)).astype(np.int32),
            idx,
            val,
        )
        num_row += k
        active[cand] = True


def _solve(
    prep: _Prepared,
    target: float,
    onsite: float,
    time_limit: float | None,
    starts: list[_Plan],
) -> _Outcome:
    """Pre-checks, heuristic, LP with pricing and fixing, phase R, full MILP (seconds budget)."""
    problem = prep.problem
    if prep.infeasible is not None:
        return _Outcome("infeasible", None, None, prep.infeasible)
    covered = prep.pd <= onsite
    best_cov, top_cov = _max_coverage(prep, covered)
    if top_cov < target * (1 - 1e-12) - 1e-12:
        limit = (
            ""
            if problem.max_open_stations is None
            else f" with at most {problem.max_open_stations} stations"
        )
        return _Outcome(
            "infeasible",
            None,
            None,
            f"coverage target {target:.6g} cannot be met: the largest coverage any plan reaches"
            f" within {onsite:g} h{limit} is {best_cov:.6g} (short by {target - best_cov:.6g})",
        )
    t0 = time.monotonic()
    total_budget = math.inf if time_limit is None else float(time_limit)
    prep.aggregate = None
    if _uncapacitated(prep, target):
        return _solve_uncapacitated(prep, target, covered, time_limit, starts)
    heur_budget = min(0.15 * total_budget, 30.0) if time_limit is not None else 30.0
    valid_starts = [
        p for s in starts if (p := _plan_from(prep, s.assign, target, covered)) is not None
    ]
    incumbent = _heuristic(prep, target, covered, t0 + heur_budget, valid_starts)
    log.info(
        "heuristic plan %s after %.1f s",
        None if incumbent is None else f"{incumbent.cost:.2f}",
        time.monotonic() - t0,
    )
    agg_budget = min(0.1 * total_budget, 20.0) if time_limit is not None else 60.0
    prep.aggregate = _aggregate_bounds(prep, target, covered, time.monotonic() + agg_budget)
    log.info("station-level bounds %s after %.1f s", prep.aggregate, time.monotonic() - t0)
    n_st = len(problem.stations)
    pairs = np.arange(len(prep.pi))
    stations = np.arange(n_st)
    bound_r: float | None = None  # best proven lower bound from the LP and the relaxed phase
    lp: _LpBound | None = None
    if incumbent is not None:
        lp_deadline = t0 + (0.85 * total_budget if time_limit is not None else math.inf)
        found: list[_Plan] = [incumbent]

        def neighbourhood_budget() -> float:
            left = total_budget - (time.monotonic() - t0)
            return min(_NEIGHBOURHOOD_SECONDS, 0.2 * left) if math.isfinite(left) else 60.0

        def early(first: _LpBound) -> None:  # the first restricted LP already guides well
            budget = neighbourhood_budget()
            plan = _neighbourhood_plan(prep, first, target, covered, found[-1], budget)
            if plan is not None:
                plan = _group_search(prep, plan, target, covered, time.monotonic() + budget / 2)
            if plan is not None and plan.cost < found[-1].cost:
                found.append(plan)

        lp = _solve_lp_with_pricing(prep, target, covered, incumbent, lp_deadline, early)
        incumbent = found[-1]
        if lp is not None:
            # a model that stays too large for phase R after fixing spends the time left on
            # one neighbourhood search below; others look for a better plan here first
            settle = time_limit is None or len(_kept_pairs(prep, lp, incumbent)) <= _PHASE_R_PAIRS
            guided = None
            if settle and len(prep.pi) > _FULL_LP_PAIRS:  # smaller ones settle in phase R
                guided = _neighbourhood_plan(
                    prep, lp, target, covered, incumbent, neighbourhood_budget()
                )
            if settle and (guided is None or guided.cost >= incumbent.cost):
                guided = _guided_plan(prep, lp.y, target, covered, t0, total_budget, incumbent)
            if guided is not None:
                guided = _improve(
                    prep, guided, target, covered, time.monotonic() + _IMPROVE_SECONDS
                )
            if guided is not None and guided.cost < incumbent.cost:
                incumbent = guided
            lb = lp.bound
            bound_r = lb
            log.info(
                "LP bound %.2f, incumbent %.2f (gap %.3f %%) after %.1f s",
                lb,
                incumbent.cost,
                100 * (incumbent.cost - lb) / max(abs(incumbent.cost), 1e-9),
                time.monotonic() - t0,
            )
            if lb > incumbent.cost - _REL_GAP * max(1.0, abs(incumbent.cost)):
                return _Outcome("optimal", incumbent, min(lb, incumbent.cost))
            pairs = _kept_pairs(prep, lp, incumbent)
            stations = np.unique(np.concatenate([prep.pj[pairs], np.unique(incumbent.assign)]))
            log.info("reduced-cost fixing keeps %d pairs, %d stations", len(pairs), len(stations))

    def left() -> float:
        return total_budget - (time.monotonic() - t0)

    if incumbent is not None and left() < _MIN_PHASE_SECONDS:
        return _finish(incumbent, bound_r)
    if (
        incumbent is not None
        and lp is not None
        and time_limit is not None
        and len(pairs) > _PHASE_R_PAIRS
    ):
        # too large for phase R to finish a root in the time left: spend it on better plans,
        # in ever wider neighbourhoods while HiGHS settles each before the time is up
        improve = min(_IMPROVE_SECONDS, 0.2 * left())
        width = 0
        done: set[bytes] = set()
        while left() - improve - 1.0 >= _MIN_PHASE_SECONDS and width <= 8:
            plan = _neighbourhood_plan(
                prep, lp, target, covered, incumbent, left() - improve - 1.0, width
            )
            if plan is not None:  # a rounded plan often sheds technicians group by group
                share = time.monotonic() + 0.5 * (left() - improve - 1.0)
                plan = _group_search(prep, plan, target, covered, share, done)
            if plan is not None and plan.cost < incumbent.cost:
                incumbent = plan
            width += 1
        incumbent = _improve(prep, incumbent, target, covered, time.monotonic() + improve)
        return _finish(incumbent, bound_r)
    model = _build(prep, pairs, stations, target, covered)
    if incumbent is not None and len(model.pairs) > _RELAX_PHASE_PAIRS:
        return _relaxed_search(
            prep, pairs, stations, target, covered, incumbent, bound_r, t0, total_budget
        )
    remaining = None if time_limit is None else max(left(), 0.5)
    status, values, bound = _run_milp(prep, model, incumbent, remaining)
    if status == "infeasible":
        if incumbent is not None:  # only possible through tolerances; the start plan is feasible
            return _Outcome("feasible", incumbent, bound_r)
        return _Outcome(
            "infeasible",
            None,
            None,
            "HiGHS proves that no plan keeps every promise together"
            " (capacity, coverage, dispatch and station limits)",
        )
    plan = None if values is None else _plan_of(prep, model, values, target, covered)
    if plan is None or (incumbent is not None and incumbent.cost < plan.cost):
        plan = incumbent if incumbent is not None else plan
    if plan is None:
        return _Outcome("unknown", None, bound, NO_PLAN_IN_TIME)
    if bound_r is not None:
        bound = bound_r if bound is None else max(bound, bound_r)
    return _finish(plan, bound)


def _kept_pairs(prep: _Prepared, lp: _LpBound, incumbent: _Plan) -> np.ndarray:
    """Pairs that reduced-cost fixing keeps: those a plan cheaper than ``incumbent`` may use
    (its own pairs always)."""
    margin = 1e-6 * max(1.0, abs(incumbent.cost)) + 1e-7
    keep_st = lp.bound + np.maximum(lp.rc_y, 0) <= incumbent.cost + margin
    keep_st[np.unique(incumbent.assign)] = True
    extra = lp.rc - lp.site_min[prep.pi]
    keep = (lp.bound + extra <= incumbent.cost + margin) & keep_st[prep.pj]
    keep[_pair_index(prep, incumbent.assign)] = True
    return np.nonzero(keep)[0]


def _uncapacitated(prep: _Prepared, target: float) -> bool:
    """True when the problem is uncapacitated location (p-median when only the station
    count is limited): technicians cost nothing, no station can be overloaded even with
    every site it reaches, there is no dispatch level and no coverage promise to keep.
    Then a plan costs its stations' fixed costs plus each site's travel to its station,
    and each site goes to its cheapest open station."""
    problem = prep.problem
    if problem.dispatch is not None or problem.technician.annual_cost != 0:
        return False
    if target > 0 and float(prep.calls.sum()) > 0:
        return False
    n_st = len(problem.stations)
    work = np.bincount(prep.pj, weights=prep.pw, minlength=n_st)
    return bool((work <= prep.cap * problem.technician.productive_hours).all())


def _solve_uncapacitated(
    prep: _Prepared,
    target: float,
    covered: np.ndarray,
    time_limit: float | None,
    starts: list[_Plan],
) -> _Outcome:
    """Uncapacitated location by the radius formulation (:mod:`planner.optimise.radius`)."""
    problem = prep.problem
    n_st, n_sites = len(problem.stations), len(problem.sites)
    cost = np.full((n_st, n_sites), np.inf)
    cost[prep.pj, prep.pi] = prep.pcost
    start = np.unique(starts[-1].assign) if starts else None
    out = solve_uncapacitated(cost, prep.fixed, problem.max_open_stations, time_limit, start)
    if out.status == "infeasible":
        return _Outcome(
            "infeasible",
            None,
            None,
            f"no {problem.max_open_stations} stations together reach every site",
        )
    if out.assign is None:
        return _Outcome("unknown", None, out.bound, NO_PLAN_IN_TIME)
    plan = _plan_from(prep, np.asarray(out.assign, dtype=np.int64), target, covered)
    if plan is None:  # cannot happen: every promise is slack in this case
        raise RuntimeError("the uncapacitated plan does not keep the promises")
    if out.status == "optimal":
        return _Outcome(
            "optimal", plan, min(out.bound if out.bound is not None else plan.cost, plan.cost)
        )
    return _finish(plan, out.bound)


def _cutoff(cost: float) -> float:
    """Plans must cost at most this to beat ``cost`` by more than the optimality gap."""
    return cost - 0.5 * _REL_GAP * max(abs(cost), 1e-9)


def _cardinality_cap(
    prep: _Prepared,
    pairs: np.ndarray,
    stations: np.ndarray,
    target: float,
    covered: np.ndarray,
    cost: float,
    deadline: float,
) -> int | None:
    """Most stations a plan cheaper than ``cost`` can open: K - 1 for the smallest K at which
    the LP relaxation with ``sum y >= K`` already costs at least the cutoff (None if none
    is found in time). The LP is warm-started from one K to the next."""
    model = _build(prep, pairs, stations, target, covered)
    m = len(model.stations)
    floor = 1 if prep.aggregate is None else prep.aggregate.open
    h = new_highs()
    _pass(h, model.cost, model.lower, model.upper, model.row_lower, model.row_upper, model.a, None)
    cols = (model.y0 + np.arange(m)).astype(np.int32)
    h.addRow(float(floor), np.inf, m, cols, np.ones(m))
    row = model.num_row
    cutoff = _cutoff(cost)
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


def _dispatch_staff_floor(prep: _Prepared, k: int, may_idle: bool) -> float:
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


def _enumerate_station_sets(
    prep: _Prepared,
    pairs: np.ndarray,
    stations: np.ndarray,
    target: float,
    covered: np.ndarray,
    incumbent: _Plan,
    most_open: int,
    deadline: float,
) -> tuple[_Plan, bool]:
    """Every station set of at most ``most_open`` of ``stations``: bound it cheaply and solve the
    ones whose bound is below the incumbent's cutoff exactly.

    The bound of a set S holds for every plan whose open stations are exactly S: fixed
    costs of S, plus each site's cheapest travel to S, plus technicians at least the
    most of (each station's smallest site alone, the least total workload over H, the
    on-duty staff S needs for all calls); S must also reach the coverage target. Plans
    opening a subset of S are bounded with that subset. Returns (best plan, proven):
    proven when every set was pruned or solved to optimality.
    """
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
        np.isfinite(work), _staff_for(np.where(np.isfinite(work), work, 0), hours_h), np.inf
    ).min(axis=1)
    total = float(prep.calls.sum())
    need = target * total * (1 - 1e-9) if total > 0 else 0.0
    may_idle = bool((prep.calls <= 0).any())
    limit = problem.max_open_stations
    top = most_open if limit is None else min(most_open, limit)
    floor = 1 if prep.aggregate is None else prep.aggregate.open
    proven = True
    candidates: list[tuple[float, np.ndarray]] = []
    cutoff = _cutoff(incumbent.cost)
    for k in range(max(floor, 1), top + 1):
        disp_staff = _dispatch_staff_floor(prep, k, may_idle)
        combos_iter = itertools.combinations(range(m), k)
        while True:
            chunk = np.array(list(itertools.islice(combos_iter, _ENUM_CHUNK)), dtype=np.int64)
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
                    _staff_for(wmin, hours_h),
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
        if lb >= _cutoff(incumbent.cost):
            break
        left = deadline - time.monotonic()
        if left <= 0:
            return incumbent, False
        status, plan, _ = _restricted_solve(prep, open_, target, covered, incumbent, left)
        if plan is not None and plan.cost < incumbent.cost:
            incumbent = plan
        if status not in ("optimal", "infeasible"):
            proven = False
    return incumbent, proven


def _count_sets(m: int, most: int) -> int:
    """Number of station sets of size 1..most out of m."""
    return sum(math.comb(m, k) for k in range(1, min(most, m) + 1))


def _relaxed_search(
    prep: _Prepared,
    pairs: np.ndarray,
    stations: np.ndarray,
    target: float,
    covered: np.ndarray,
    incumbent: _Plan,
    bound_lp: float | None,
    t0: float,
    total_budget: float,
) -> _Outcome:
    """Prove (or improve) ``incumbent`` by station sets.

    Phase R solves the model with continuous assignments (stations, staffing and levels
    integer) for its optimal station set S; a MILP restricted to S then finds the best plan
    using only S's stations, with proof, and the cut ``sum_{j not in S} y_j >= 1`` removes
    every such plan from phase R. Repeat until phase R finds nothing cheaper than the
    incumbent (the cutoff): then no plan is cheaper. Plans cheaper than the incumbent also
    open at most the stations :func:`_cardinality_cap` allows.
    """

    def left() -> float:
        return total_budget - (time.monotonic() - t0)

    def finish(region: float | None) -> _Outcome:
        bound = None if region is None else min(region, incumbent.cost)
        if bound_lp is not None:
            bound = bound_lp if bound is None else max(bound, bound_lp)
        return _finish(incumbent, bound)

    deadline = t0 + total_budget if math.isfinite(total_budget) else math.inf
    cap_deadline = time.monotonic() + (0.1 * left() if math.isfinite(total_budget) else 60.0)
    most_open = _cardinality_cap(
        prep, pairs, stations, target, covered, incumbent.cost, min(cap_deadline, deadline)
    )
    log.info("cheaper plans open at most %s stations (%.1f s)", most_open, time.monotonic() - t0)
    if most_open is not None and _count_sets(len(stations), most_open) <= _ENUM_SETS:
        plan, proven = _enumerate_station_sets(
            prep, pairs, stations, target, covered, incumbent, most_open, deadline
        )
        incumbent = plan
        if proven:
            return finish(_cutoff(plan.cost))
    nogoods: list[np.ndarray] = []
    region: float | None = None
    while True:
        if left() < _MIN_PHASE_SECONDS:
            return finish(region)
        model = _build(
            prep, pairs, stations, target, covered, most_open=most_open, nogoods=tuple(nogoods)
        )
        usable = (
            incumbent
            if not nogoods and (most_open is None or len(np.unique(incumbent.assign)) <= most_open)
            else None
        )
        cutoff = _cutoff(incumbent.cost)
        budget = None if not math.isfinite(total_budget) else max(left() - 1.0, 0.5)
        status, values, run_bound = _run_milp(
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
        if status == "infeasible":  # nothing left below the cutoff
            return finish(cutoff)
        if values is not None:
            found = float(model.cost @ values)
            if status != "optimal":
                region = run_bound
            else:
                region = min(found, run_bound) if run_bound is not None else found
            if region is not None and region >= cutoff:
                return finish(cutoff)
            plan = _plan_of(prep, model, values, target, covered)
            if plan is not None and plan.cost < incumbent.cost:
                incumbent = plan
            if status != "optimal":
                return finish(region)
            open_r = model.stations[values[model.y0 : model.y0 + len(model.stations)] > 0.5]
            r_status, r_plan, _ = _restricted_solve(
                prep, open_r, target, covered, incumbent, max(left() - 1.0, 0.5)
            )
            if r_plan is not None and r_plan.cost < incumbent.cost:
                incumbent = r_plan
            if r_status not in ("optimal", "infeasible"):
                # S is not settled: the region bound still counts S's plans
                return finish(region)
            nogoods.append(open_r)
            continue
        return finish(run_bound)


def _neighbourhood_plan(
    prep: _Prepared,
    lp: _LpBound,
    target: float,
    covered: np.ndarray,
    incumbent: _Plan,
    budget: float,
    width: int = 0,
) -> _Plan | None:
    """Best plan found in the LP's neighbourhood within ``budget`` seconds.

    The neighbourhood: the stations the LP opens at all and the incumbent's, each site
    limited to its few pairs of least reduced cost into them (5, fewer when that keeps the
    model near 6,000 pairs; ``2 ** (width - 1)`` times as many from ``width`` 2 on, with
    ``3 (width - 1)`` more stations, the closed ones of least reduced cost) and its
    incumbent pair. On it a MILP with continuous assignments (stations, staffing and
    dispatch levels integer) picks the stations and their staffing; HiGHS settles those
    few integers far sooner than a model with every assignment integer, the more so as the
    stations the LP opens by 0.9 or more are kept open (at ``width`` 0 only).
    :func:`_round_relaxed` rounds its plan, moving also the sites of least regret.
    """
    if budget < _MIN_PHASE_SECONDS:
        return None
    t0 = time.monotonic()
    n_sites = len(prep.problem.sites)
    per_site = max(2, min(_NEIGHBOURHOOD_PAIRS, _NEIGHBOURHOOD_SIZE // max(n_sites, 1)))
    per_site *= 2 ** max(width - 1, 0)
    open_ = np.union1d(np.nonzero(lp.y > 1e-4)[0], np.unique(incumbent.assign))
    if width >= 2:  # and the closed stations of least reduced cost
        closed = np.setdiff1d(np.arange(len(prep.problem.stations)), open_)
        more = closed[np.argsort(lp.rc_y[closed], kind="stable")[: 3 * (width - 1)]]
        open_ = np.union1d(open_, more)
    cand = np.nonzero(np.isin(prep.pj, open_))[0]
    reduced = lp.rc[cand] - lp.site_min[prep.pi[cand]]
    keep = np.zeros(len(prep.pi), dtype=bool)
    keep[_least_per_site(prep, cand, reduced, per_site)] = True
    keep[_pair_index(prep, incumbent.assign)] = True
    model = _build(prep, np.nonzero(keep)[0], open_, target, covered)
    sure = (lp.y[open_] >= _SURE_OPEN) & (width == 0)
    model.lower[model.y0 + np.nonzero(sure)[0]] = 1.0
    start = incumbent if np.isin(open_[sure], incumbent.assign).all() else None
    _, values, _ = _run_milp(prep, model, start, _ROUNDING_SHARE * budget, relax_x=True)
    plan = None
    if values is not None:
        movers = _least_regret(prep, model, values, max(_MOVERS, n_sites // 20))
        plan = _round_relaxed(
            prep, model, values, target, covered, budget - (time.monotonic() - t0), movers
        )
    log.info(
        "LP neighbourhood (%d stations, %d pairs): relaxed %s, plan %s",
        len(open_),
        int(keep.sum()),
        None if values is None else f"{float(model.cost @ values):.2f}",
        None if plan is None else f"{plan.cost:.2f}",
    )
    return plan


def _relaxed_parts(model: _Model, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of a solution with continuous assignments: its open stations and its pairs assigned
    whole."""
    xv = values[model.x0 : model.x0 + len(model.pairs)]
    open_ = model.stations[values[model.y0 : model.y0 + len(model.stations)] > 0.5]
    return open_, model.pairs[xv > 1 - 1e-6]


def _round_relaxed(
    prep: _Prepared,
    model: _Model,
    values: np.ndarray,
    target: float,
    covered: np.ndarray,
    budget: float,
    movers: np.ndarray | None = None,
) -> _Plan | None:
    """A plan from a solution with continuous assignments.

    The sites assigned whole keep their station, except ``movers``; the split ones (at most
    about one per capacity, dispatch and coverage row, as the assignment is a basic solution
    once the integers are fixed) and the movers may go to any of the open stations, staffing
    free; a MILP settles them. With movers, the plan without them comes first (a quarter of
    the budget) and starts the second MILP."""
    open_, whole = _relaxed_parts(model, values)
    split = np.setdiff1d(np.arange(len(prep.problem.sites)), prep.pi[whole])
    steps = [split] if movers is None or not len(movers) else [split, np.union1d(split, movers)]
    deadline = time.monotonic() + budget
    plan: _Plan | None = None
    for q, free_sites in enumerate(steps):
        left = deadline - time.monotonic()
        if left < _MIN_PHASE_SECONDS / 4:
            break
        free = np.nonzero(np.isin(prep.pi, free_sites) & np.isin(prep.pj, open_))[0]
        if not np.isin(free_sites, prep.pi[free]).all():
            return None
        kept = whole[~np.isin(prep.pi[whole], free_sites)]
        rounded = _build(prep, np.union1d(kept, free), open_, target, covered)
        share = left / 4 if q + 1 < len(steps) else left
        _, sol, _ = _run_milp(prep, rounded, plan, share)
        found = None if sol is None else _plan_of(prep, rounded, sol, target, covered)
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


def _station_groups(assign: np.ndarray, cmat: np.ndarray, size: int) -> list[np.ndarray]:
    """Per open station, it and the ``size - 1`` open stations that most sites of the two
    (either way) would go to next: cheapest other open station on ``cmat``."""
    open_ = np.unique(assign)
    sub = np.where(open_[:, None] == assign[None, :], np.inf, cmat[open_])
    pos = np.full(cmat.shape[0], -1)
    pos[open_] = np.arange(len(open_))
    shared = np.zeros((len(open_), len(open_)))
    finite = np.isfinite(sub.min(axis=0))
    nxt = np.argmin(sub, axis=0)
    np.add.at(shared, (pos[assign[finite]], nxt[finite]), 1.0)
    shared += shared.T
    np.fill_diagonal(shared, -1.0)
    groups = []
    for q, j in enumerate(open_):
        near = np.argsort(-shared[q], kind="stable")[: size - 1]
        groups.append(np.sort(np.concatenate([[j], open_[near[shared[q, near] > 0]]])))
    return groups


def _group_search(
    prep: _Prepared,
    plan: _Plan,
    target: float,
    covered: np.ndarray,
    deadline: float,
    done: set[bytes] | None = None,
) -> _Plan:
    """Large-neighbourhood search on a plan, a few open stations at a time.

    For each open station, its sites and those of the open stations they would go to next
    (:func:`_station_groups`) are reassigned among those stations by a MILP, with their
    staffing, dispatch levels and whether they stay open free and every other site kept in
    place; a cheaper plan replaces the plan. Single-site moves (:func:`_improve`) cannot
    shed a technician whose hours are spread over many sites; this moves them together.
    Passes until one gains nothing or the deadline. A group whose sites have not changed
    since it was solved (``done`` remembers across calls) is not solved again."""
    done = set() if done is None else done
    cmat = _linear_costs(prep)
    improved = True
    while improved:
        improved = False
        open_ = np.unique(plan.assign)
        own = _pair_index(prep, plan.assign)
        assert own is not None  # a plan's pairs exist
        for group in _station_groups(plan.assign, cmat, _GROUP_SIZE):
            left = deadline - time.monotonic()
            if left < _MIN_PHASE_SECONDS / 4:
                return plan
            mine = np.isin(plan.assign, group)
            key = group.tobytes() + np.packbits(mine).tobytes()
            if len(group) < 2 or key in done:
                continue
            done.add(key)
            kept = own[~mine[prep.pi[own]]]
            free = np.nonzero(mine[prep.pi] & np.isin(prep.pj, group))[0]
            model = _build(prep, np.union1d(kept, free), open_, target, covered)
            _, values, _ = _run_milp(prep, model, plan, min(_GROUP_SECONDS, left))
            found = None if values is None else _plan_of(prep, model, values, target, covered)
            if found is not None and found.cost < plan.cost - 1e-9 * max(1.0, abs(plan.cost)):
                log.debug("group %s: %.2f -> %.2f", group.tolist(), plan.cost, found.cost)
                plan = found
                improved = True
                break  # the groups follow the plan
    return plan


def _least_regret(prep: _Prepared, model: _Model, values: np.ndarray, count: int) -> np.ndarray:
    """About ``count`` sites assigned whole, an equal share from each open station: those
    whose move to another open station costs least on the linearised cost (travel plus
    workload hours at the technicians' hourly cost). Every station then has sites to shed
    when rounding would lift it to another on-duty level."""
    problem = prep.problem
    lin = _pair_linear_costs(prep)
    open_, whole = _relaxed_parts(model, values)
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


def _guided_plan(
    prep: _Prepared,
    y_lp: np.ndarray,
    target: float,
    covered: np.ndarray,
    t0: float,
    total_budget: float,
    incumbent: _Plan,
) -> _Plan | None:
    """Local search from the stations the LP opens by at least a half, then a restricted MILP."""
    start = [int(j) for j in np.argsort(-y_lp) if y_lp[j] >= 0.5]
    if not start:
        return None
    left = total_budget - (time.monotonic() - t0)
    budget = min(30.0, 0.1 * left) if math.isfinite(left) else 30.0
    now = time.monotonic()
    open_ = _local_search(prep, _linear_costs(prep), now + budget / 3, start)
    open_ = _add_for_coverage(prep, open_, covered, target)
    limit = prep.problem.max_open_stations
    if (limit is not None and len(open_) > limit) or set(open_) == set(np.unique(incumbent.assign)):
        return None
    return _restricted_plan(
        prep, open_, target, covered, None, max(budget - (time.monotonic() - now), 0.5)
    )


def _finish(plan: _Plan, bound: float | None) -> _Outcome:
    """Optimal if ``bound`` proves ``plan`` within the gap, else feasible with that bound."""
    if bound is not None:
        bound = min(bound, plan.cost)
        if plan.cost - bound <= _REL_GAP * max(abs(plan.cost), 1e-9):
            return _Outcome("optimal", plan, bound)
    return _Outcome("feasible", plan, bound)


def _restricted_solve(
    prep: _Prepared,
    open_: np.ndarray,
    target: float,
    covered: np.ndarray,
    start: _Plan | None,
    budget: float,
) -> tuple[str, _Plan | None, float | None]:
    """Best plan using only the stations ``open_``: (status, plan, bound) as in
    :func:`_run_milp`, the status about plans restricted to those stations."""
    in_set = np.isin(prep.pj, open_)
    if not np.isin(np.arange(len(prep.problem.sites)), prep.pi[in_set]).all():
        return "infeasible", None, None
    model = _build(prep, np.nonzero(in_set)[0], open_, target, covered)
    usable = start if start is not None and np.isin(start.assign, open_).all() else None
    status, values, bound = _run_milp(prep, model, usable, budget)
    plan = None if values is None else _plan_of(prep, model, values, target, covered)
    return status, plan, bound


def _restricted_plan(
    prep: _Prepared,
    open_: np.ndarray,
    target: float,
    covered: np.ndarray,
    start: _Plan | None,
    budget: float,
) -> _Plan | None:
    """Best plan found within ``budget`` seconds that uses only the stations ``open_``."""
    return _restricted_solve(prep, open_, target, covered, start, budget)[1]


def _simple_bound(prep: _Prepared) -> float:
    """A lower bound needing no solve: each site's cheapest travel plus technician hours at the
    technicians' hourly cost, plus the cheapest station's fixed cost."""
    problem = prep.problem
    cheapest = np.full(len(problem.sites), np.inf)
    np.minimum.at(cheapest, prep.pi, _pair_linear_costs(prep))
    return float(cheapest.sum() + prep.fixed.min())


def _result(prep: _Prepared, outcome: _Outcome, onsite: float, seconds: float) -> TechniciansResult:
    problem = prep.problem
    if outcome.plan is None:
        return TechniciansResult(status="infeasible", reason=outcome.reason, solve_seconds=seconds)
    plan = outcome.plan
    open_ = np.unique(plan.assign)
    stations = tuple(
        StationPlan(
            id=problem.stations[j].id,
            technicians=int(plan.technicians[j]),
            sites=tuple(problem.sites[i].id for i in np.nonzero(plan.assign == j)[0]),
        )
        for j in open_
    )
    total = float(prep.calls.sum())
    d_assigned = prep.d[plan.assign, np.arange(len(problem.sites))]
    coverage = float(prep.calls[d_assigned <= onsite].sum()) / total if total > 0 else 1.0
    levels = None
    if problem.dispatch is not None:
        levels = {
            problem.stations[j].id: on_duty(
                int(plan.technicians[j]),
                problem.technician.productive_hours,
                problem.service_hours_per_year,
            )
            for j in open_
        }
    found = outcome.bound if outcome.bound is not None else -math.inf
    bound = min(max(found, _simple_bound(prep)), plan.cost)
    gap = (plan.cost - bound) / max(abs(plan.cost), 1e-9)
    return TechniciansResult(
        status=outcome.status,
        objective=plan.cost,
        bound=bound,
        stations=stations,
        coverage=coverage,
        dispatch_levels=levels,
        gap=gap,
        solve_seconds=seconds,
    )


def solve_technicians(
    problem: TechniciansProblem, time_limit: float | None = None
) -> TechniciansResult:
    """Solve a ``technicians/v1`` problem exactly (HiGHS), within ``time_limit`` seconds if given.

    Raises :class:`planner.optimise.network.UnreachableSitesError` if no station reaches
    some site, and :class:`NoPlanWithinTimeLimit` if the time ran out before any plan was
    found without infeasibility being proven.
    """
    t0 = time.monotonic()
    prep = _prepare(problem)
    onsite = problem.emergency.onsite_hours
    left = None if time_limit is None else max(time_limit - (time.monotonic() - t0), 0.0)
    outcome = _solve(prep, problem.emergency.coverage_target, onsite, left, [])
    if outcome.status == "unknown":
        raise NoPlanWithinTimeLimit(time.monotonic() - t0, outcome.bound)
    return _result(prep, outcome, onsite, time.monotonic() - t0)


def technicians_frontier(
    problem: TechniciansProblem,
    coverage_targets: list[float],
    onsite_hours: list[float] | None = None,
    time_limit: float | None = None,
) -> list[FrontierPoint]:
    """Cost against coverage: one solve per (on-site hours, coverage target), ``time_limit`` seconds each.

    The travel matrix and the prepared data are built once; targets run from the
    highest down so that each plan is a feasible start for the next.
    """
    prep = _prepare(problem)
    hours_list = [problem.emergency.onsite_hours] if onsite_hours is None else list(onsite_hours)
    points: list[FrontierPoint] = []
    dispatch = problem.dispatch
    for onsite in hours_list:
        starts: list[_Plan] = []
        for target in sorted(coverage_targets, reverse=True):
            outcome = _solve(prep, target, onsite, time_limit, starts)
            res = _result(prep, outcome, onsite, 0.0)
            if outcome.plan is not None:
                starts = [outcome.plan]
            level = None
            if dispatch is not None and outcome.plan is not None:
                calls = np.bincount(
                    outcome.plan.assign, weights=prep.calls, minlength=len(problem.stations)
                )
                levels = [
                    wait_probability(
                        on_duty(
                            int(outcome.plan.technicians[j]),
                            problem.technician.productive_hours,
                            problem.service_hours_per_year,
                        ),
                        calls[j] / problem.service_hours_per_year,
                        dispatch.mean_call_hours,
                        dispatch.within_hours,
                    )
                    for j in np.nonzero(calls > 0)[0]
                ]
                level = min(levels) if levels else 1.0
            points.append(
                FrontierPoint(
                    onsite_hours=onsite,
                    coverage_target=target,
                    status="unknown" if outcome.status == "unknown" else res.status,
                    cost=res.objective,
                    bound=res.bound,
                    coverage=res.coverage,
                    dispatch_level=level,
                    technicians=None
                    if outcome.plan is None
                    else int(sum(s.technicians for s in res.stations)),
                    stations=tuple(s.id for s in res.stations),
                    reason=res.reason,
                )
            )
    points.sort(key=lambda p: (p.onsite_hours, p.coverage_target))
    return points
