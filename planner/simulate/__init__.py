"""Monte Carlo check of a plan's promises: a seeded discrete-event simulation.

The closed forms the plan is built on (Erlang C for dispatch, Poisson pipelines and
METRIC for parts) rest on assumptions; :func:`simulate` plays the plan out event by
event instead and reports what share of calls and demands the promises actually hold
for, each as a mean over independent replications with a 95 % confidence interval.

**Emergency calls.** Each region runs on a clock of service hours (calls arrive over
``service_hours_per_year`` hours a year, and the queue runs only while the service is
open, as the dispatch model assumes). Each site's calls arrive as a Poisson stream of
rate ``calls_per_year / service_hours_per_year`` per hour; a station's calls (the merged
stream of its sites) queue first come, first served for its ``on_duty`` identical
technicians. A call waits W for a free technician, then travels ``travel_hours[site]``
one way: it is on site after W + travel. It holds its technician for the round trip
plus an exponential repair of mean ``job_hours`` (``hold="travel_repair"``) or, the
dispatch model's own assumption, for an exponential time of mean ``mean_call_hours``
(``hold="exponential"``: each station is then exactly M/M/c). A station without
technicians on duty never serves a call (W is infinite: not covered, not dispatched).
Each queue starts empty ``call_warmup_hours`` before the measured window of
``years * service_hours_per_year`` hours; only calls arriving inside the window count.
Per region (call-weighted over its stations): coverage (W + travel <= ``onsite_hours``),
dispatch level (W <= ``dispatch_within_hours``), on site within 24 h, mean hours to
site (infinite when some call is never served), calls a year, and each station's
dispatch level. A share over no calls is ``nan``.

**Parts** (:class:`PartsModel`, Sherbrooke's METRIC system exactly, with deterministic
resupply times): demand for part i at depot j is Poisson at ``demand[i, j]`` units a
year. Every demand at once orders one unit from the central warehouse (one-for-one).
The central warehouse holds ``central_stock[i]`` and orders its own replacement from the
supplier at each demand, arriving ``lead_days[i]`` later; it ships first in, first out.
With the merged demand times t_k of part i over all depots, in order, the k-th demand's
unit leaves the central warehouse at c_k = max(t_k, t_{k-S0} + L) (c_k = t_k for
k < S0) and reaches depot j at r_k = c_k + R_j (``resupply_days[j]``). Without a central
warehouse (``central_stock`` None) r_k = t_k + R_j. Within depot j's own demands of the
part (n = 0, 1, ...; r is non-decreasing along them) the n-th demand is filled at
f_n = max(t_n, r_{n-S_j}), at once for n < S_j: it is filled at once exactly when the
depot has a unit on hand (S_j minus the units outstanding is positive). This is all
vectorised. The state at time t depends only on the demands in
(t - L - max R, t], so demand streams that start that long (plus a margin) before the
window put the system exactly in steady state over the window [0, years * 8760 h].
Per depot: fill rate (share of the window's demands filled at once), time-average
backorders per part (the backorder count integrated over the window) and Sherbrooke's
availability, the time average over the window of
prod_i (1 - B_ij(t) / (N_j Z_i))^{Z_i} over the essential parts with demand at the
depot (a factor is 0 when B_ij >= N_j Z_i), computed exactly from the piecewise
constant backorders; None without installed base or essential demand.

**First-visit fix.** A call needs part (i, j) with probability ``call_part_probability``
(``RegionModel.call_parts``), drawn per call, or no part. It is fixed on the first visit
when it needs no part, or when depot j has part i on hand at the call's arrival (its
service-hour time mapped linearly onto the calendar year), read from the parts
trajectory of the same replication. Calls do not take stock themselves: the demand
streams already carry the consumption. Without a parts model every call is fixed on the
first visit. Reported: ``first_visit_fix`` and ``promise_and_fixed`` (on site within the
promise and fixed).

**Replications.** ``replications`` independent runs, the r-th from
``np.random.default_rng(np.random.SeedSequence(seed).spawn(R)[r])``: the same seed
gives the same result. An :class:`Estimate` is the mean over replications and its
95 % Student-t interval, mean +- t(0.975, R - 1) sd / sqrt(R); with one replication, no
variance or an infinite value, lo = hi = mean. ``events`` counts the simulated events
(call arrivals and completions, part demands and replenishments, the warm-up's
included) over all replications, ``seconds`` the wall time.

Where the simulation and the closed forms part (see the tests): METRIC under-states
two-echelon depot backorders (it takes a depot's pipeline as Poisson; the simulation
agrees with the exact model instead); Sherbrooke's availability evaluated at the EBO is
below the time-average availability for Z > 1 (the factor is convex in the backorders);
and a round trip plus an exponential repair varies less than an exponential hold of the
same mean, so calls wait less than Erlang C says.

The closed forms to compare with live in :mod:`planner.optimise.queueing` (Erlang B
and C, P(W <= t)) and :mod:`planner.optimise.metric` (Poisson EBO, fill rate, METRIC,
the exact two-echelon backorders, availability).
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "DAYS_PER_YEAR",
    "HOURS_PER_YEAR",
    "DepotEstimates",
    "Estimate",
    "Network",
    "PartsModel",
    "RegionEstimates",
    "RegionModel",
    "SimulationResult",
    "SimulationSettings",
    "StationModel",
    "estimate",
    "fcfs_start_times",
    "one_for_one_fill_times",
    "simulate",
]

HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class StationModel:
    """One open station: its technicians on duty at any time and the sites it serves."""

    id: str
    on_duty: int
    site_ids: tuple[str, ...]
    calls_per_year: np.ndarray  # (sites,) emergency calls a year per site served
    travel_hours: np.ndarray  # (sites,) one-way travel from the station, hours


@dataclass(frozen=True)
class RegionModel:
    """One region's emergency service, as the technicians problem and its plan say."""

    region: str
    stations: tuple[StationModel, ...]
    job_hours: float  # mean on-site repair per call, hours (exponential)
    mean_call_hours: float  # the dispatch model's mean hold per call (repair + round trip)
    onsite_hours: float  # the on-site promise, hours
    dispatch_within_hours: float  # the dispatch promise: wait for a technician at most this
    service_hours_per_year: float = HOURS_PER_YEAR  # calls arrive over these hours a year
    # The part a call needs: call_parts[k] = (part index, depot index) into PartsModel,
    # with probability call_part_probability[k]; the rest of the probability (1 - sum) is a
    # call that needs no part. Empty: no call needs a part.
    call_parts: tuple[tuple[int, int], ...] = ()
    call_part_probability: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class PartsModel:
    """The parts plan: one-for-one stock at a central warehouse and depots (METRIC's system)."""

    parts: tuple[str, ...]
    depots: tuple[str, ...]
    demand: np.ndarray  # (parts, depots) units a year, Poisson
    depot_stock: np.ndarray  # (parts, depots) whole units
    central_stock: np.ndarray | None  # (parts,) whole units; None: no central warehouse
    lead_days: np.ndarray  # (parts,) central resupply lead time (days)
    resupply_days: np.ndarray  # (depots,) depot resupply from central (days)
    essential: np.ndarray  # (parts,) bool: a missing unit stops the machine
    per_machine: np.ndarray  # (parts,) int, units per machine (Z)
    installed: np.ndarray  # (depots,) int, machines the depot serves (N)


@dataclass(frozen=True)
class Network:
    """What is simulated: every region's service, and the parts plan (if any)."""

    regions: tuple[RegionModel, ...]
    parts: PartsModel | None = None


@dataclass(frozen=True)
class SimulationSettings:
    years: float = 1.0
    replications: int = 30
    seed: int = 2027
    # "travel_repair": a call holds its technician for the round trip plus an exponential
    # repair of mean job_hours; "exponential": for an exponential time of mean
    # mean_call_hours (the dispatch model's M/M/c assumption).
    hold: Literal["travel_repair", "exponential"] = "travel_repair"
    # Calls start arriving this many service hours before the measured window, so the
    # queues are past their empty start when it opens.
    call_warmup_hours: float = 1000.0


@dataclass(frozen=True)
class Estimate:
    """Mean over replications and its 95 % confidence interval (Student t)."""

    mean: float
    lo: float
    hi: float


@dataclass(frozen=True)
class RegionEstimates:
    region: str
    calls: Estimate  # calls a year
    coverage: Estimate  # on site (wait + travel) within onsite_hours
    dispatch_level: Estimate  # waited at most dispatch_within_hours for a technician
    within_24h: Estimate  # on site within 24 h
    first_visit_fix: Estimate  # needed no part, or its part was on hand at the depot
    promise_and_fixed: Estimate  # within onsite_hours and fixed on the first visit
    mean_onsite_hours: Estimate
    station_dispatch: dict[str, Estimate]  # per station


@dataclass(frozen=True)
class DepotEstimates:
    depot: str
    fill_rate: Estimate  # share of demands filled from stock on hand at once
    availability: Estimate | None  # None without installed base or essential demand
    backorders: Estimate  # time-average units on backorder (all parts)
    part_backorders: np.ndarray  # (parts,) mean time-average backorders
    part_fill_rate: np.ndarray  # (parts,) mean fill rate (nan without demand)


@dataclass(frozen=True)
class SimulationResult:
    regions: tuple[RegionEstimates, ...]
    depots: tuple[DepotEstimates, ...]
    replications: int
    years: float
    events: int  # events simulated over all replications
    seconds: float


# --------------------------------------------------------------------------- estimates


def estimate(values: ArrayLike) -> Estimate:
    """Mean of per-replication values and its 95 % Student-t interval.

    ``nan`` values (a replication where the measure is undefined, e.g. no calls) are
    left out; none left gives ``nan`` throughout. With one value, zero variance or an
    infinite value the interval is the mean itself.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    mean = float(v.mean())
    if v.size == 1 or not np.all(np.isfinite(v)):
        return Estimate(mean, mean, mean)
    sd = float(v.std(ddof=1))
    if sd == 0.0:
        return Estimate(mean, mean, mean)
    half = float(special.stdtrit(v.size - 1, 0.975)) * sd / math.sqrt(v.size)
    return Estimate(mean, mean - half, mean + half)


def _nanmean(values: NDArray) -> NDArray[np.float64]:
    """Mean over replications (axis 0) ignoring nan; nan where every value is nan."""
    ok = ~np.isnan(values)
    n = ok.sum(axis=0)
    total = np.where(ok, values, 0.0).sum(axis=0)
    return np.where(n > 0, total / np.maximum(n, 1), math.nan)


# ------------------------------------------------------------------------------ queues


def fcfs_start_times(arrivals: ArrayLike, holds: ArrayLike, servers: int) -> NDArray[np.float64]:
    """Service start of each call in a first-come, first-served queue with identical servers.

    ``arrivals`` non-decreasing, ``holds`` the time each call holds its server (same
    units). The queue starts empty. Each call takes the server that frees first, no
    earlier than its arrival. ``servers == 0``: no call is ever served (``inf``). One
    server: the Lindley recursion, vectorised; more: a heap of server-free times.
    """
    t = np.asarray(arrivals, dtype=float)
    h = np.asarray(holds, dtype=float)
    n = t.size
    if servers < 0:
        raise ValueError("servers must be non-negative")
    if n == 0:
        return np.zeros(0)
    if servers == 0:
        return np.full(n, math.inf)
    if servers == 1:
        # Departures D_n = max(t_n, D_{n-1}) + h_n = S_n + max_{k<=n} (t_k - S_{k-1}),
        # S the running sum of holds; the call starts at max(t_n, D_{n-1}).
        s = np.cumsum(h)
        s_prev = np.empty(n)
        s_prev[0] = 0.0
        s_prev[1:] = s[:-1]
        dep = s + np.maximum.accumulate(t - s_prev)
        start = t.copy()
        np.maximum(start[1:], dep[:-1], out=start[1:])
        return start
    if servers >= n:
        return t.copy()
    free = [-math.inf] * servers
    out: list[float] = []
    append = out.append
    replace = heapq.heapreplace
    for x, y in zip(t.tolist(), h.tolist(), strict=True):
        f = free[0]
        if x > f:
            replace(free, x + y)
            append(x)
        else:
            replace(free, f + y)
            append(f)
    return np.asarray(out)


# ------------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class _PartsRun:
    """One replication of the parts system, per demand grouped by (part, depot) in time order."""

    group: NDArray[np.int64]  # part * depots + depot, sorted
    times: NDArray[np.float64]  # demand times, hours (in time order within a group)
    arrive: NDArray[np.float64]  # replenishment reaching the depot (non-decreasing in group)
    filled: NDArray[np.float64]  # time the demand is filled
    bounds: NDArray[np.int64]  # (groups + 1,) start of each group in the arrays
    events: int


def _propagate(
    times: NDArray[np.float64],
    part: NDArray[np.int64],
    depot: NDArray[np.int64],
    n_parts: int,
    n_depots: int,
    depot_stock: NDArray[np.int64],
    resupply_hours: NDArray[np.float64],
    central_stock: NDArray[np.int64] | None,
    lead_hours: NDArray[np.float64],
    horizon: float,
) -> _PartsRun:
    """Central shipments, depot arrivals and fill times of demands sorted by (part, time)."""
    n = times.size
    idx = np.arange(n)
    counts = np.bincount(part, minlength=n_parts)
    part_start = np.zeros(n_parts + 1, dtype=np.int64)
    np.cumsum(counts, out=part_start[1:])
    events = n
    if central_stock is None:
        ship = times
    else:
        # FIFO base stock S0 with a deterministic lead time L: c_k = max(t_k, t_{k-S0} + L).
        s0 = central_stock[part]
        src = idx - s0
        ok = src >= part_start[part]
        ship = times.copy()
        ship[ok] = np.maximum(times[ok], times[src[ok]] + lead_hours[part[ok]])
        events += int(np.count_nonzero(times + lead_hours[part] <= horizon))
    arrive = ship + resupply_hours[depot]
    events += int(np.count_nonzero(arrive <= horizon))
    group = part * n_depots + depot
    # A stable sort of small integer keys is a radix sort in numpy: much the fastest.
    key = group.astype(np.int16 if n_parts * n_depots <= np.iinfo(np.int16).max else np.int64)
    order = np.argsort(key, kind="stable")
    g = group[order]
    t = times[order]
    r = arrive[order]
    n_groups = n_parts * n_depots
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(g, minlength=n_groups), out=bounds[1:])
    # The n-th demand of a (part, depot) gets the (n - S)-th replenishment of its group.
    src = idx - depot_stock.ravel()[g]
    ok = src >= bounds[g]
    filled = t.copy()
    filled[ok] = np.maximum(t[ok], r[src[ok]])
    return _PartsRun(g, t, r, filled, bounds, events)


def one_for_one_fill_times(
    demand_times: ArrayLike,
    demand_depots: ArrayLike,
    depot_stock: ArrayLike,
    resupply_hours: ArrayLike,
    central_stock: int | None,
    lead_hours: float,
) -> NDArray[np.float64]:
    """Fill time of each demand for one part in the one-for-one system :func:`simulate` runs.

    ``demand_times`` non-decreasing (hours), ``demand_depots`` the depot of each, and per
    depot its stock and resupply time from the central warehouse (or, with
    ``central_stock`` None, from the supplier). The central warehouse ships first in,
    first out and is resupplied ``lead_hours`` after each demand. Both echelons start
    full with nothing outstanding. Returns fill times in the order of the input.
    """
    t = np.asarray(demand_times, dtype=float)
    d = np.asarray(demand_depots, dtype=np.int64)
    stock = np.asarray(depot_stock, dtype=np.int64).reshape(1, -1)
    resupply = np.asarray(resupply_hours, dtype=float)
    if t.size and np.any(np.diff(t) < 0):
        raise ValueError("demand_times must be non-decreasing")
    central = None if central_stock is None else np.array([central_stock], dtype=np.int64)
    run = _propagate(
        t,
        np.zeros(t.size, dtype=np.int64),
        d,
        1,
        stock.shape[1],
        stock,
        resupply,
        central,
        np.array([float(lead_hours)]),
        math.inf,
    )
    order = np.argsort(d, kind="stable")
    out = np.empty(t.size)
    out[order] = run.filled
    return out


@dataclass(frozen=True)
class _PartsPlan:
    """Static arrays of a PartsModel, prepared once for every replication."""

    n_parts: int
    n_depots: int
    rate: NDArray[np.float64]  # (parts,) total demand a year
    alias_keep: NDArray[np.float64]  # (parts * depots,) alias table: keep probability
    alias_other: NDArray[np.int64]  # (parts * depots,) alias table: the other depot
    warmup: NDArray[np.float64]  # (parts,) hours before the window the demand starts
    depot_stock: NDArray[np.int64]
    central_stock: NDArray[np.int64] | None
    lead_hours: NDArray[np.float64]
    resupply_hours: NDArray[np.float64]
    avail_factor: NDArray[np.float64]  # (parts * depots,) N_j Z_i, 0 where not counted
    per_machine: NDArray[np.float64]  # (parts,) Z
    has_availability: NDArray[np.bool_]  # (depots,)


def _alias_tables(share: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    """Walker's alias tables, one row per part, for drawing a depot by its demand share."""
    n_parts, n_depots = share.shape
    keep = np.ones((n_parts, n_depots))
    other = np.tile(np.arange(n_depots), (n_parts, 1))
    for i in range(n_parts):
        row = share[i]
        if not row.sum() > 0:
            continue
        scaled = (row * n_depots).tolist()
        small = [j for j in range(n_depots) if scaled[j] < 1.0]
        large = [j for j in range(n_depots) if scaled[j] >= 1.0]
        while small and large:
            s, big = small.pop(), large.pop()
            keep[i, s] = scaled[s]
            other[i, s] = big
            scaled[big] -= 1.0 - scaled[s]
            (small if scaled[big] < 1.0 else large).append(big)
        # Rounding can leave columns unpaired: they keep their own depot, unless it has
        # no demand at all.
        dead = row == 0
        keep[i, dead] = 0.0
        other[i, dead & (other[i] == np.arange(n_depots))] = int(np.argmax(row))
    return keep, other


def _parts_plan(p: PartsModel) -> _PartsPlan:
    demand = np.asarray(p.demand, dtype=float)
    n_parts, n_depots = demand.shape
    if np.any(demand < 0):
        raise ValueError("demand must be non-negative")
    stock = np.asarray(p.depot_stock, dtype=np.int64).reshape(n_parts, n_depots)
    if np.any(stock < 0):
        raise ValueError("depot_stock must be non-negative")
    rate = demand.sum(axis=1)
    share = np.divide(demand, rate[:, None], out=np.zeros_like(demand), where=rate[:, None] > 0)
    keep, other = _alias_tables(share)
    resupply = np.asarray(p.resupply_days, dtype=float) * 24.0
    lead = np.asarray(p.lead_days, dtype=float) * 24.0
    used_resupply = np.where(demand > 0, resupply[None, :], 0.0).max(axis=1, initial=0.0)
    if p.central_stock is None:
        central = None
        span = used_resupply
    else:
        central = np.asarray(p.central_stock, dtype=np.int64).reshape(n_parts)
        if np.any(central < 0):
            raise ValueError("central_stock must be non-negative")
        span = lead + used_resupply
    # The state at t depends only on demands in (t - L - max R, t]: that much earlier, plus
    # a margin, the streams start, so the window sees the stationary system exactly.
    warmup = 1.05 * span + 24.0
    installed = np.asarray(p.installed, dtype=float).reshape(n_depots)
    z = np.asarray(p.per_machine, dtype=float).reshape(n_parts)
    essential = np.asarray(p.essential, dtype=bool).reshape(n_parts)
    counted = essential[:, None] & (demand > 0) & (installed[None, :] > 0) & (z[:, None] > 0)
    avail_factor = np.where(counted, installed[None, :] * z[:, None], 0.0).ravel()
    return _PartsPlan(
        n_parts,
        n_depots,
        rate,
        keep.ravel(),
        other.ravel(),
        warmup,
        stock,
        central,
        lead,
        resupply,
        avail_factor,
        z,
        counted.any(axis=0),
    )


def _draw_parts(rng: np.random.Generator, plan: _PartsPlan, horizon: float) -> _PartsRun:
    """Draw one replication's demand streams (from -warmup to horizon) and propagate them."""
    span = horizon + plan.warmup
    counts = rng.poisson(plan.rate * span / HOURS_PER_YEAR)
    n = int(counts.sum())
    part = np.repeat(np.arange(plan.n_parts), counts)
    # Sorted uniform times per part from normalised exponential spacings (no sort).
    gaps = rng.standard_exponential(n + plan.n_parts)
    cum = np.cumsum(gaps)
    ends = np.cumsum(counts + 1) - 1  # index of each part's closing spacing
    before = np.zeros(plan.n_parts)
    before[1:] = cum[ends[:-1]]
    total = cum[ends] - before
    keep = np.ones(n + plan.n_parts, dtype=bool)
    keep[ends] = False
    frac = (cum[keep] - before[part]) / total[part]
    times = frac * span[part] - plan.warmup[part]
    # The depot of each demand from its part's alias table (Walker): one uniform picks a
    # column and, by its fractional part, the column's depot or its alias.
    x = rng.random(n) * plan.n_depots
    column = x.astype(np.int64)
    np.minimum(column, plan.n_depots - 1, out=column)
    cell = part * plan.n_depots + column
    depot = np.where(x - column < plan.alias_keep[cell], column, plan.alias_other[cell])
    return _propagate(
        times,
        part,
        depot,
        plan.n_parts,
        plan.n_depots,
        plan.depot_stock,
        plan.resupply_hours,
        plan.central_stock,
        plan.lead_hours,
        horizon,
    )


def _parts_measures(
    run: _PartsRun, plan: _PartsPlan, horizon: float
) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Per (part, depot): window demands, filled at once, backorder integral; per depot availability."""
    n_groups = plan.n_parts * plan.n_depots
    t, f, g = run.times, run.filled, run.group
    inside = (t >= 0.0) & (t < horizon)
    demands = np.bincount(g[inside], minlength=n_groups)
    at_once = np.bincount(g[inside & (f <= t)], minlength=n_groups)
    late = f > t
    start = np.maximum(t[late], 0.0)
    end = np.minimum(f[late], horizon)
    overlap = np.maximum(end - start, 0.0)
    bo_area = np.bincount(g[late], weights=overlap, minlength=n_groups)

    # Availability: the exact time average of the piecewise constant product.
    avail = np.full(plan.n_depots, math.nan)
    nz = plan.avail_factor[g[late]]
    sel = (nz > 0) & (overlap > 0)
    gs = g[late][sel]
    t_ev = np.concatenate([start[sel], end[sel]])
    d_ev = np.concatenate([np.ones(gs.size), -np.ones(gs.size)])
    g_ev = np.concatenate([gs, gs])
    # Per (part, depot) running backorders: order by group, time, arrivals first at ties.
    o = np.lexsort((-d_ev, t_ev, g_ev))
    t_ev, d_ev, g_ev = t_ev[o], d_ev[o], g_ev[o]
    cs = np.cumsum(d_ev)
    first = np.ones(g_ev.size, dtype=bool)
    first[1:] = g_ev[1:] != g_ev[:-1]
    base = np.maximum.accumulate(np.where(first, np.arange(g_ev.size), 0))
    offset = cs[base] - d_ev[base]
    after = cs - offset
    before = after - d_ev
    cap = plan.avail_factor[g_ev]
    zz = plan.per_machine[g_ev // plan.n_depots]

    def log_factor(b: NDArray) -> tuple[NDArray, NDArray]:
        dead = b >= cap
        with np.errstate(divide="ignore", invalid="ignore"):
            lf = np.where(dead, 0.0, zz * np.log1p(-np.minimum(b, cap) / cap))
        return lf, dead.astype(float)

    lf_a, dead_a = log_factor(after)
    lf_b, dead_b = log_factor(before)
    dlog = lf_a - lf_b
    ddead = dead_a - dead_b
    dep_ev = g_ev % plan.n_depots
    o = np.lexsort((t_ev, dep_ev))
    t2, dep2, dlog, ddead = t_ev[o], dep_ev[o], dlog[o], ddead[o]
    first = np.ones(dep2.size, dtype=bool)
    first[1:] = dep2[1:] != dep2[:-1]
    base = np.maximum.accumulate(np.where(first, np.arange(dep2.size), 0))
    cl = np.cumsum(dlog)
    cd = np.cumsum(ddead)
    log_sum = cl - (cl[base] - dlog[base])
    dead_sum = cd - (cd[base] - ddead[base])
    level = np.where(dead_sum > 0.5, 0.0, np.exp(np.minimum(log_sum, 0.0)))
    nxt = np.empty(dep2.size)
    nxt[:-1] = t2[1:]
    if dep2.size:
        nxt[-1] = horizon
    last = np.ones(dep2.size, dtype=bool)
    last[:-1] = dep2[1:] != dep2[:-1]
    nxt[last] = horizon
    # (float even when no backorder falls in the window: bincount of nothing is integer)
    area = np.bincount(dep2, weights=level * (nxt - t2), minlength=plan.n_depots).astype(float)
    first_t = np.full(plan.n_depots, horizon)
    first_t[dep2[first]] = t2[first]
    area += first_t  # full availability before the first backorder of the window
    avail[plan.has_availability] = area[plan.has_availability] / horizon
    return demands, at_once, bo_area, avail


def _on_hand(run: _PartsRun, plan: _PartsPlan, group: int, at: NDArray) -> NDArray[np.bool_]:
    """Whether the (part, depot) group has a unit on hand at each time in ``at``."""
    a, b = run.bounds[group], run.bounds[group + 1]
    outstanding = np.searchsorted(run.times[a:b], at, side="right") - np.searchsorted(
        run.arrive[a:b], at, side="right"
    )
    return plan.depot_stock.ravel()[group] - outstanding > 0


# ------------------------------------------------------------------------------ driver


@dataclass(frozen=True)
class _StationPlan:
    region: int
    station: StationModel
    rate: float  # calls per service hour
    cum: NDArray[np.float64]  # cumulative site rates
    travel: NDArray[np.float64]


def _station_plans(network: Network) -> list[_StationPlan]:
    out = []
    for r, reg in enumerate(network.regions):
        if reg.service_hours_per_year <= 0:
            raise ValueError(f"region {reg.region}: service_hours_per_year must be positive")
        for st in reg.stations:
            calls = np.asarray(st.calls_per_year, dtype=float).ravel()
            travel = np.asarray(st.travel_hours, dtype=float).ravel()
            if calls.size != len(st.site_ids) or travel.size != len(st.site_ids):
                raise ValueError(f"station {st.id}: one rate and one travel time per site")
            if np.any(calls < 0) or np.any(travel < 0) or st.on_duty < 0:
                raise ValueError(f"station {st.id}: negative calls, travel or on_duty")
            cum = np.cumsum(calls / reg.service_hours_per_year)
            out.append(_StationPlan(r, st, float(cum[-1]) if cum.size else 0.0, cum, travel))
    return out


def _call_parts(network: Network) -> list[tuple[NDArray[np.float64], NDArray[np.int64]]]:
    """Per region: cumulative probabilities of the call parts and their group index."""
    out = []
    parts = network.parts
    for reg in network.regions:
        prob = np.asarray(reg.call_part_probability, dtype=float).ravel()
        if prob.size != len(reg.call_parts):
            raise ValueError(f"region {reg.region}: one probability per call part")
        if np.any(prob < 0) or prob.sum() > 1.0 + 1e-9:
            raise ValueError(f"region {reg.region}: call part probabilities must sum to <= 1")
        groups = np.zeros(prob.size, dtype=np.int64)
        if prob.size and parts is not None:
            n_parts, n_depots = np.asarray(parts.demand).shape
            for k, (i, j) in enumerate(reg.call_parts):
                if not (0 <= i < n_parts and 0 <= j < n_depots):
                    raise ValueError(f"region {reg.region}: call part {(i, j)} out of range")
                groups[k] = i * n_depots + j
        out.append((np.cumsum(prob), groups))
    return out


def _fixed_flags(
    network: Network,
    stations: list[_StationPlan],
    drawn: list[tuple[NDArray, NDArray, NDArray, NDArray, float]],
    call_parts: list[tuple[NDArray[np.float64], NDArray[np.int64]]],
    run: _PartsRun | None,
    plan: _PartsPlan | None,
) -> list[NDArray[np.bool_]]:
    """Per station, whether each of its window's calls is fixed on the first visit.

    Looked up per region (all its stations' calls at once) and per part the calls need.
    """
    out = [np.ones(int(np.count_nonzero(d[0] >= 0.0)), dtype=bool) for d in drawn]
    if run is None or plan is None:
        return out
    for r, reg in enumerate(network.regions):
        cum, groups = call_parts[r]
        members = [s for s, sp in enumerate(stations) if sp.region == r]
        if not cum.size or not members:
            continue
        arrivals = np.concatenate([drawn[s][0] for s in members])
        need = np.concatenate([drawn[s][3] for s in members])
        inside = arrivals >= 0.0
        k = np.searchsorted(cum, need[inside], side="right")
        at = arrivals[inside] * (HOURS_PER_YEAR / reg.service_hours_per_year)
        fixed = np.ones(k.size, dtype=bool)
        needs = k < cum.size
        order = np.argsort(k[needs], kind="stable")
        which = np.flatnonzero(needs)[order]
        kinds, first = np.unique(k[which], return_index=True)
        bounds = np.append(first, which.size)
        for kk, a, b in zip(kinds.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            sel = which[a:b]
            fixed[sel] = _on_hand(run, plan, int(groups[kk]), at[sel])
        sizes = np.cumsum([out[s].size for s in members])[:-1]
        for s, part in zip(members, np.split(fixed, sizes), strict=True):
            out[s] = part
    return out


def simulate(
    network: Network, settings: SimulationSettings = SimulationSettings()
) -> SimulationResult:
    """Simulate the network's calls and parts over ``settings``; see the module docstring."""
    clock = time.perf_counter()
    reps = int(settings.replications)
    if reps < 1:
        raise ValueError("replications must be at least 1")
    if not settings.years > 0:
        raise ValueError("years must be positive")
    if settings.hold not in ("travel_repair", "exponential"):
        raise ValueError(f"unknown hold model {settings.hold!r}")
    years = float(settings.years)
    warm = float(settings.call_warmup_hours)
    stations = _station_plans(network)
    call_parts = _call_parts(network)
    parts_plan = None if network.parts is None else _parts_plan(network.parts)
    parts_horizon = years * HOURS_PER_YEAR
    n_regions = len(network.regions)
    n_st = len(stations)
    # Per replication and station: calls, covered, dispatched, within 24 h, hours to site,
    # fixed, promise and fixed.
    tallies = np.zeros((reps, n_st, 7))
    if parts_plan is not None:
        n_groups = parts_plan.n_parts * parts_plan.n_depots
        demands = np.zeros((reps, n_groups))
        at_once = np.zeros((reps, n_groups))
        bo_area = np.zeros((reps, n_groups))
        avail = np.zeros((reps, parts_plan.n_depots))
    events = 0
    for rep, seq in enumerate(np.random.SeedSequence(settings.seed).spawn(reps)):
        rng = np.random.default_rng(seq)
        drawn = []
        for sp in stations:
            reg = network.regions[sp.region]
            horizon = years * reg.service_hours_per_year
            n = int(rng.poisson(sp.rate * (horizon + warm))) if sp.rate > 0 else 0
            arrivals = np.sort(rng.random(n)) * (horizon + warm) - warm
            site = np.searchsorted(sp.cum, rng.random(n) * sp.rate, side="right")
            np.minimum(site, sp.cum.size - 1, out=site)
            travel = sp.travel[site]
            if settings.hold == "exponential":
                hold = rng.standard_exponential(n) * reg.mean_call_hours
            else:
                hold = 2.0 * travel + rng.standard_exponential(n) * reg.job_hours
            need = rng.random(n)
            drawn.append((arrivals, travel, hold, need, horizon))
        run = None
        if parts_plan is not None:
            run = _draw_parts(rng, parts_plan, parts_horizon)
            events += run.events
            d, a, b, av = _parts_measures(run, parts_plan, parts_horizon)
            demands[rep], at_once[rep], bo_area[rep], avail[rep] = d, a, b, av
        fixed_of = _fixed_flags(network, stations, drawn, call_parts, run, parts_plan)
        for s, (sp, (arrivals, travel, hold, _, horizon)) in enumerate(
            zip(stations, drawn, strict=True)
        ):
            reg = network.regions[sp.region]
            start = fcfs_start_times(arrivals, hold, sp.station.on_duty)
            done = start + hold
            events += arrivals.size + int(np.count_nonzero(done <= horizon))
            inside = arrivals >= 0.0
            wait = (start - arrivals)[inside]
            onsite = wait + travel[inside]
            fixed = fixed_of[s]
            covered = onsite <= reg.onsite_hours
            tallies[rep, s] = (
                wait.size,
                np.count_nonzero(covered),
                np.count_nonzero(wait <= reg.dispatch_within_hours),
                np.count_nonzero(onsite <= 24.0),
                onsite.sum() if wait.size else 0.0,
                np.count_nonzero(fixed),
                np.count_nonzero(covered & fixed),
            )

    def share(num: NDArray, den: NDArray) -> NDArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), math.nan)

    regions = []
    region_of = np.array([sp.region for sp in stations], dtype=np.int64)
    for r in range(n_regions):
        reg = network.regions[r]
        tr = tallies[:, region_of == r, :].sum(axis=1)
        calls = tr[:, 0]
        per_station = {}
        for s in np.flatnonzero(region_of == r):
            per_station[stations[s].station.id] = estimate(
                share(tallies[:, s, 2], tallies[:, s, 0])
            )
        regions.append(
            RegionEstimates(
                region=reg.region,
                calls=estimate(calls / years),
                coverage=estimate(share(tr[:, 1], calls)),
                dispatch_level=estimate(share(tr[:, 2], calls)),
                within_24h=estimate(share(tr[:, 3], calls)),
                first_visit_fix=estimate(share(tr[:, 5], calls)),
                promise_and_fixed=estimate(share(tr[:, 6], calls)),
                mean_onsite_hours=estimate(share(tr[:, 4], calls)),
                station_dispatch=per_station,
            )
        )
    depots = []
    if parts_plan is not None and network.parts is not None:
        P, D = parts_plan.n_parts, parts_plan.n_depots
        dem = demands.reshape(reps, P, D)
        once = at_once.reshape(reps, P, D)
        bo = bo_area.reshape(reps, P, D) / parts_horizon
        with np.errstate(invalid="ignore"):
            part_fill = np.where(dem > 0, once / np.where(dem > 0, dem, 1.0), math.nan)
        for j, name in enumerate(network.parts.depots):
            depots.append(
                DepotEstimates(
                    depot=name,
                    fill_rate=estimate(share(once[:, :, j].sum(axis=1), dem[:, :, j].sum(axis=1))),
                    availability=estimate(avail[:, j]) if parts_plan.has_availability[j] else None,
                    backorders=estimate(bo[:, :, j].sum(axis=1)),
                    part_backorders=bo[:, :, j].mean(axis=0),
                    part_fill_rate=_nanmean(part_fill[:, :, j]),
                )
            )
    return SimulationResult(
        regions=tuple(regions),
        depots=tuple(depots),
        replications=reps,
        years=years,
        events=int(events),
        seconds=time.perf_counter() - clock,
    )
