"""The one-for-one two-echelon parts system (METRIC's), played out demand by demand.

:func:`prepare_parts` turns a :class:`~planner.simulate.models.PartsModel` into the
static arrays of a :class:`PartsPlan` (with Walker alias tables for drawing each demand's
depot); :func:`draw_parts` draws one replication's demand streams and propagates them
through the central warehouse and the depots into a :class:`PartsRun`;
:func:`parts_measures` reads the window's fill, backorders and availability off it and
:func:`on_hand` whether a depot has a part on hand at given times.
:func:`one_for_one_fill_times` is the same propagation for one part's given demands.
See :mod:`planner.simulate` for the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from planner.simulate.models import HOURS_PER_YEAR, PartsModel


@dataclass(frozen=True)
class PartsRun:
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
) -> PartsRun:
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
    return PartsRun(g, t, r, filled, bounds, events)


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
class PartsPlan:
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


def prepare_parts(p: PartsModel) -> PartsPlan:
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
    return PartsPlan(
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


def draw_parts(rng: np.random.Generator, plan: PartsPlan, horizon: float) -> PartsRun:
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


def parts_measures(
    run: PartsRun, plan: PartsPlan, horizon: float
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


def on_hand(run: PartsRun, plan: PartsPlan, group: int, at: NDArray) -> NDArray[np.bool_]:
    """Whether the (part, depot) group has a unit on hand at each time in ``at``."""
    a, b = run.bounds[group], run.bounds[group + 1]
    outstanding = np.searchsorted(run.times[a:b], at, side="right") - np.searchsorted(
        run.arrive[a:b], at, side="right"
    )
    return plan.depot_stock.ravel()[group] - outstanding > 0
