"""Spare-parts stocking optimiser for ``spares/v1`` problems (two-echelon METRIC).

Method
------
1. **Per-group option tables.** A *group* is one part at one depot when there is no
   central warehouse (single echelon), or one part across all its locations when there
   is one. Every unit of a part costs the same wherever it is stocked, so an option is
   the part's *total* number of units ``n`` and its quality is the best backorders
   (budget mode) or the best fill shortfall (fill-rate mode) reachable with ``n`` units:

   * for a fixed central stock ``s0`` the depot pipelines are Poisson with fixed means,
     each depot's EBO is convex in its stock, so the best split of ``k`` depot units is
     the ``k`` largest marginal reductions across depots (marginal analysis is exact at
     *every* integer ``k``, not only at convex-envelope points, because all units of a
     part cost the same);
   * fill increments ``m_j P(X_j = s)`` are non-increasing in ``s`` when the pipeline
     mean is at most 1; otherwise a max-plus dynamic programme over depots is used;
   * the table over ``n`` is the minimum over ``s0 + k = n``; dominated options are
     dropped. The table therefore holds *every* non-dominated (cost, quality) pair of the
     part (up to a Poisson tail of 1e-16 per location).

   Tables are built with numpy for whole buckets of groups at once.

   **Big parts with a central warehouse** (fast movers: thousands of central stocks
   times thousands of depot units, where the fill-mode depot DP for every ``s0`` took
   minutes) get *lazy* tables instead (``_LazyPart``), exact by the following argument.

   * For one ``s0``, each depot's fill gain ``G_j(s) = m_j P(X_j <= s - 1)`` is
     S-shaped (increments ``m_j P(X_j = s)`` rise up to the mode, then fall). Its upper
     concave envelope ``Ĝ_j`` is linear from 0 to ``t_j = argmax G_j(s)/s`` and equals
     ``G_j`` from ``t_j`` on; the greedy over the envelope increments gives, for every
     ``k``, an upper bound on the best gain of ``k`` depot units (so a *lower* bound
     ``lo`` on the shortfall), and the same greedy order applied to the true increments
     is a feasible split (``hi``, achievable). Wherever no depot is strictly inside its
     linear piece ``(0, t_j)`` the two agree, so ``hi`` is optimal there. Budget mode:
     EBO is convex, the greedy is exact everywhere (``lo = hi``).
   * The quality is non-increasing in ``s0`` (less central delay, stochastically
     smaller depot pipelines) and in ``k``. So bounds at a larger ``s0`` hold at a
     smaller one (``lo`` is tightened by a running maximum from the top), and central
     stocks ``a..b-1`` not evaluated, with ``b`` evaluated, are bounded below at ``n``
     units by ``lo_b(n - a)``.
   * The per-part table over ``n`` is the minimum over evaluated ``s0`` of ``hi``
     (achievable options); ``lo(n)`` (evaluated entries and blocks) bounds every
     option, evaluated or not. With the knapsack's multiplier ``lam`` and reduced costs
     ``red = v + lam w``, ``L = sum_g min_n red_lo_g(n) - lam cap`` bounds every plan,
     and a plan using option ``n`` of part ``g`` is worth at least
     ``L + red_lo_g(n) - min red_lo_g``. Every option that might beat the achievable
     table (``lo(n)`` below it by more than the tolerance ``eps``) must exceed the plan
     ``U`` by this bound; otherwise blocks are split (more ``s0`` evaluated) and, once
     no block is open, non-exact entries are made exact by a depot DP (largest ``s0``
     first, as its exact values also bound the smaller ones). The certificate is first
     run against the greedy plan (cheap), then the exact knapsack is solved once; its
     value is no worse, so the certificate still holds. Parts whose full table is
     small (``_ADAPT_CELLS``) keep the full enumeration.
2. **Combining groups exactly** is a multiple-choice knapsack (MCKP): choose one option
   per group, minimise the objective subject to one resource. The LP relaxation is
   solved by the greedy over the groups' lower convex envelopes (the classic efficient
   points); its breakpoint efficiency is the optimal Lagrange multiplier ``lam`` and
   gives the lower bound ``L(lam)``. The greedy solution, topped up with segments that
   still fit, is an upper bound. Options whose reduced cost exceeds the duality gap
   cannot be in a better solution and are fixed away (reduced-cost fixing); the small
   *core* that remains is solved exactly by a Pareto dynamic programme pruned with the
   LP bound of the groups still to come (HiGHS MILP takes over if the state count or
   the time limit is exceeded). The core DP first looks for a plan below the
   aspiration levels ``L + f (U - L)``, f = 1/256, 1/64, ..., 1/2 (smaller cores, harder
   pruning; a plan found is optimal, none found raises the level), then below the
   incumbent. ``status = "optimal"`` only when the core is solved to
   optimality (or no core remains), to a relative tolerance of 1e-9 on the objective
   and on the resource constraint; otherwise ``feasible`` with a proven ``bound``.

Units: demand in units a year, times in days, costs in currency, backorders in units.
Fill rates with no demand at all are taken as 1. Magnitudes spanning more than about
1e250 (for example unit costs of 1e-300 next to 1e3) are outside the supported range.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError
from scipy import special

from planner.models.spares import FrontierPoint, SparesProblem, SparesResult, StockLine
from planner.optimise.metric import (
    availability,
    ebo,
    exact_two_echelon_ebo,
    fill_rate,
    poisson_upper,
    vari_metric_two_echelon_ebo,
)

__all__ = ["greedy_spares", "solve_spares", "spares_frontier"]

_TAIL = 1e-16  # Poisson tail left out of the tables, per location
_REL_EPS = 1e-13  # improvements below this share of the zero-stock total are ignored
_DAYS = 365.0

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


# --------------------------------------------------------------------------- instance


@dataclass(frozen=True)
class _Instance:
    """Numeric arrays of a problem: parts ``i`` by depots ``j``."""

    part_ids: list[str]
    depot_ids: list[str]
    cost: F64  # (P,) currency per unit
    demand: F64  # (P, J) units a year
    local_mean: F64  # (P, J) depot pipeline mean without central delay (units)
    share: F64  # (P, J) m_ij / M_i
    central_mean: F64  # (P,) central pipeline mean (units); 0 without a central
    has_central: bool
    weight: F64  # (P,) criticality weights (dimensionless)


def _instance(problem: SparesProblem, weights: Mapping[str, float] | None) -> _Instance:
    depot_ids = [d.id for d in problem.depots]
    col = {d: j for j, d in enumerate(depot_ids)}
    n_parts, n_depots = len(problem.parts), len(depot_ids)
    demand = np.zeros((n_parts, n_depots))
    cost = np.empty(n_parts)
    for i, part in enumerate(problem.parts):
        cost[i] = part.unit_cost
        for depot, rate in part.demand.items():
            demand[i, col[depot]] = rate
    resupply = np.array([d.resupply_days for d in problem.depots]) / _DAYS
    total = demand.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total[:, None] > 0, demand / total[:, None], 0.0)
    lead = problem.central.lead_time_days / _DAYS if problem.central is not None else 0.0
    part_ids = [p.id for p in problem.parts]
    weight = np.ones(n_parts)
    if weights is not None:
        index = {p: i for i, p in enumerate(part_ids)}
        for pid, wt in weights.items():
            if pid not in index:
                raise ValueError(f"weights: part {pid!r} is not in the problem")
            if not (math.isfinite(wt) and wt >= 0.0):
                raise ValueError(f"weights: weight of part {pid!r} must be >= 0 (got {wt!r})")
            weight[index[pid]] = wt
    return _Instance(
        part_ids=part_ids,
        depot_ids=depot_ids,
        cost=cost,
        demand=demand,
        local_mean=demand * resupply[None, :],
        share=share,
        central_mean=total * lead,
        has_central=problem.central is not None,
        weight=weight,
    )


# ------------------------------------------------------------------- option tables


@dataclass(frozen=True)
class _Tables:
    """Ragged per-group option tables; options of a group are contiguous.

    ``ptr`` (G+1,) delimits groups; per option: ``units`` total stock of the group,
    ``s0`` central stock, ``quality`` backorders (weighted, budget mode) or fill
    shortfall (weighted demand units a year, fill mode), ``cost`` investment
    (currency). Options are ordered by increasing units.
    """

    ptr: I64
    part: I64  # (G,) part of each group
    depot: I64  # (G,) depot of each group, -1 for whole-part groups
    units: I64
    s0: I64
    quality: F64
    cost: F64


def _pipeline_pmf(mu: F64, k_max: int) -> tuple[F64, F64]:
    """pmf P(X = s) and sf P(X > s) for s = 0..k_max along a new last axis.

    ``k_max`` must reach the Poisson tail (see ``poisson_upper``): the sf is summed
    from the top, which keeps small tail probabilities accurate.
    """
    pmf = np.empty((*mu.shape, k_max + 1))
    if mu.size and float(mu.max()) < 600.0:
        pmf[..., 0] = np.exp(-mu)
        for s in range(1, k_max + 1):
            np.multiply(pmf[..., s - 1], mu / s, out=pmf[..., s])
    else:
        s_ax = np.arange(k_max + 1, dtype=float)
        m = mu[..., None]
        pmf[...] = np.exp(special.xlogy(s_ax, m) - m - special.gammaln(s_ax + 1.0))
    sf = np.empty_like(pmf)
    sf[..., -1] = 0.0
    np.cumsum(pmf[..., :0:-1], axis=-1, out=sf[..., -2::-1])
    return pmf, sf


def _pow2(x: I64) -> I64:
    return (1 << np.ceil(np.log2(np.maximum(x, 1))).astype(np.int64)).astype(np.int64)


def _group_arrays(inst: _Instance) -> tuple[I64, I64, F64, F64, F64, F64, F64]:
    """Groups as (part, depot, demand[G,J'], local[G,J'], share[G,J'], mu0[G], cost[G])."""
    if inst.has_central:
        keep = np.flatnonzero(inst.demand.sum(axis=1) > 0)
        return (
            keep,
            np.full(len(keep), -1, dtype=np.int64),
            inst.demand[keep],
            inst.local_mean[keep],
            inst.share[keep],
            inst.central_mean[keep],
            inst.cost[keep],
        )
    part, depot = np.nonzero(inst.demand > 0)
    return (
        part.astype(np.int64),
        depot.astype(np.int64),
        inst.demand[part, depot][:, None],
        inst.local_mean[part, depot][:, None],
        np.ones((len(part), 1)),
        np.zeros(len(part)),
        inst.cost[part],
    )


@dataclass(frozen=True)
class _Groups:
    """Groups with demand and the ranges of their tables."""

    part: I64
    depot: I64
    dem: F64
    loc: F64
    share: F64
    mu0: F64
    cost: F64
    wgt: F64
    s0_max: I64  # central stock considered: 0..s0_max
    k_max: I64  # depot stock considered per depot: 0..k_max - 1 increments
    eps: float  # improvements below this are ignored


def _groups(inst: _Instance, mode: str) -> _Groups:
    part, depot, dem, loc, share, mu0, cost = _group_arrays(inst)
    wgt = inst.weight[part]
    # improvements below _REL_EPS of the whole problem's zero-stock quality are ignored
    if mode == "budget":
        total = float((wgt * (loc + share * mu0[:, None]).sum(axis=1)).sum())
    else:
        total = float((wgt * dem.sum(axis=1)).sum())
    eps = _REL_EPS * total
    s0_max = np.where(mu0 > 0, poisson_upper(mu0, _TAIL), 0)
    # one unit more than the tail quantile: fill of s units looks at P(X <= s - 1)
    k_max = poisson_upper((loc + share * mu0[:, None]).max(axis=1), _TAIL) + 1
    return _Groups(part, depot, dem, loc, share, mu0, cost, wgt, s0_max, k_max, eps)


def _build_tables(inst: _Instance, mode: str, only: I64 | None = None) -> _Tables:
    """Option tables (full enumeration of the central stock) for every group with
    demand, or for the groups ``only``; ``mode`` is 'budget' or 'fill'."""
    grp = _groups(inst, mode)
    part, depot, dem, loc, share, mu0, cost = (
        grp.part,
        grp.depot,
        grp.dem,
        grp.loc,
        grp.share,
        grp.mu0,
        grp.cost,
    )
    wgt, eps, s0_max, k_max = grp.wgt, grp.eps, grp.s0_max, grp.k_max
    key = _pow2(s0_max + 1) * 100_000 + _pow2(k_max)
    sel = np.arange(len(part)) if only is None else np.asarray(only, dtype=np.int64)
    chunks: list[tuple[I64, I64, NDArray[np.bool_], F64]] = []
    order_groups: list[I64] = []
    for k in np.unique(key[sel]):
        rows = sel[key[sel] == k]
        b0 = int(s0_max[rows].max())
        bk = int(k_max[rows].max())
        # dense blocks of about 4e6 cells per array
        width = dem.shape[1] * (bk + 1) + b0 + 1
        step = max(1, int(4e6 // width))
        for start in range(0, len(rows), step):
            r = rows[start : start + step]
            units, s0_opt, q, keep = _bucket_table(
                dem[r], loc[r], share[r], mu0[r], s0_max[r], b0, bk, wgt[r], cost[r], mode, eps
            )
            order_groups.append(r)
            chunks.append((units, s0_opt, keep, q))
    if not chunks:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0)
        return _Tables(
            np.zeros(1, dtype=np.int64), empty_i, empty_i, empty_i, empty_i, empty_f, empty_f
        )
    rows_all = np.concatenate(order_groups)
    counts = np.concatenate([c[2].sum(axis=1) for c in chunks])
    units_r = np.concatenate([np.broadcast_to(c[0], c[2].shape)[c[2]] for c in chunks])
    s0_r = np.concatenate([c[1][c[2]] for c in chunks])
    q_r = np.concatenate([c[3][c[2]] for c in chunks])
    ptr = np.zeros(len(rows_all) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    gcost = cost[rows_all]
    opt_cost = np.repeat(gcost, counts) * units_r
    return _Tables(
        ptr=ptr,
        part=part[rows_all],
        depot=depot[rows_all],
        units=units_r.astype(np.int64),
        s0=s0_r.astype(np.int64),
        quality=q_r,
        cost=opt_cost,
    )


def _bucket_table(
    dem: F64,
    loc: F64,
    share: F64,
    mu0: F64,
    s0_cap: I64,
    b0: int,
    bk: int,
    wgt: F64,
    cost: F64,
    mode: str,
    eps: float,
) -> tuple[I64, I64, F64, NDArray[np.bool_]]:
    """Dense tables for a block of groups: best quality for each total of units.

    Returns units (1, L), s0 (B, L), quality (B, L) and the mask of non-dominated
    options (B, L).
    """
    n_rows, n_dep = dem.shape
    length = b0 + n_dep * bk + 1
    best = np.full((n_rows, length), np.inf)
    best_s0 = np.zeros((n_rows, length), dtype=np.int64)
    for s0 in range(b0 + 1):
        active = s0 <= s0_cap
        e0 = ebo(s0, mu0)
        mu = loc + share * e0[:, None]
        pmf, sf = _pipeline_pmf(mu, bk)
        if mode == "budget":
            # EBO reduction of the (s+1)-th unit at each depot: P(X_j > s)
            dec = sf[..., :bk].reshape(n_rows, -1)
            base = mu.sum(axis=1)
        else:
            # fill-shortfall reduction of the (s+1)-th unit: m_j P(X_j = s)
            dec3 = wgt[:, None, None] * dem[..., None] * pmf[..., :bk]
            dec = dec3.reshape(n_rows, -1)
            base = wgt * dem.sum(axis=1)
        if n_dep > 1:
            dec = -np.sort(-dec, axis=1)
        tab = np.empty((n_rows, dec.shape[1] + 1))
        tab[:, 0] = base
        np.cumsum(dec, axis=1, out=tab[:, 1:])
        np.subtract(base[:, None], tab[:, 1:], out=tab[:, 1:])
        if mode == "fill" and n_dep > 1:
            # fill reductions m_j P(X_j = s) only decrease in s (so sorting them is
            # exact) when every pipeline mean is at most 1; otherwise a DP over depots
            dp = active & (mu > 1.0).any(axis=1)
            if dp.any():
                tab[dp] = base[dp, None] - _maxplus_depots(dec3[dp])[0]
        if mode == "budget":
            tab *= wgt[:, None]
        tab[~active] = np.inf
        window = slice(s0, s0 + tab.shape[1])
        better = tab < best[:, window]
        best[:, window] = np.where(better, tab, best[:, window])
        best_s0[:, window] = np.where(better, s0, best_s0[:, window])
    np.maximum(best, 0.0, out=best)
    prev_min = np.minimum.accumulate(best, axis=1)
    keep = np.ones_like(best, dtype=bool)
    keep[:, 1:] = best[:, 1:] < prev_min[:, :-1] - eps
    keep &= np.isfinite(best)
    free = cost <= 0.0
    if free.any():
        # A free part is stocked to its best option: keep only the last kept entry.
        last = keep.shape[1] - 1 - np.argmax(keep[free, ::-1], axis=1)
        keep[free] = False
        keep[np.flatnonzero(free), last] = True
    units = np.arange(length, dtype=np.int64)[None, :]
    return units, best_s0, best, keep


def _maxplus_depots(inc: F64) -> tuple[F64, I64]:
    """Best total gain for every total of units, by DP over depots (max-plus).

    ``inc`` (R, J, K) are the gains of each depot's successive units for R groups;
    returns best (R, J*K+1) and back-pointers (R, J, J*K+1): the units of depot j in
    the best split of a total over depots 0..j.
    """
    n_rows, n_dep, k_len = inc.shape
    cum = np.zeros((n_rows, n_dep, k_len + 1))
    np.cumsum(inc, axis=2, out=cum[:, :, 1:])
    total = n_dep * k_len + 1
    best = np.full((n_rows, total), -np.inf)
    best[:, 0] = 0.0
    choice = np.zeros((n_rows, n_dep, total), dtype=np.int64)
    for j in range(n_dep):
        new = np.full((n_rows, total), -np.inf)
        pick = np.zeros((n_rows, total), dtype=np.int64)
        for s in range(k_len + 1):
            cand = best[:, : total - s] + cum[:, j, s : s + 1]
            upd = cand > new[:, s:]
            new[:, s:] = np.where(upd, cand, new[:, s:])
            pick[:, s:] = np.where(upd, s, pick[:, s:])
        best = new
        choice[:, j] = pick
    return best, choice


def _backtrack(choice: I64, k: int) -> I64:
    """Units per depot of the best split of ``k`` units (``choice`` (J, L) from DP)."""
    out = np.zeros(choice.shape[0], dtype=np.int64)
    for j in range(choice.shape[0] - 1, -1, -1):
        out[j] = choice[j, k]
        k -= out[j]
    return out


# ------------------------------------------------- lazy central-stock tables (big parts)

_ADAPT_CELLS = 20_000  # parts whose full table has more (s0, depot unit) cells go lazy
_INIT_S0 = 33  # central stock levels evaluated first per lazy part
_MAX_LAZY_CELLS = 80_000_000  # (s0, depot units) cells kept (3 float arrays each)


def _s0_rows(grp: _Groups, g: int, s0s: I64, mode: str) -> tuple[F64, F64, I64, F64, F64]:
    """Depot tables of group ``g`` for the central stocks ``s0s`` (R values).

    Returns lo, hi (R, K+1) with K = J * k_max: ``hi[r, k]`` is the quality of the
    greedy split of ``k`` depot units (achievable), ``lo[r, k]`` a lower bound on the
    best split (equal to ``hi`` wherever the greedy split is proven optimal); also the
    greedy order (R, K) of the depot units (flat index ``j * k_max + s``), the mean
    pipelines (R, J) and the per-unit gains (R, J, k_max).
    """
    bk = int(grp.k_max[g])
    dem, loc, share = grp.dem[g], grp.loc[g], grp.share[g]
    wgt = float(grp.wgt[g])
    n_dep = len(dem)
    e0 = ebo(s0s, np.full(len(s0s), grp.mu0[g]))
    mu = loc[None, :] + share[None, :] * e0[:, None]
    pmf, sf = _pipeline_pmf(mu, bk)
    n_rows = len(s0s)
    if mode == "budget":
        inc = wgt * sf[..., :bk]
        base = wgt * mu.sum(axis=1)
        env = inc  # EBO is convex: the greedy split is optimal at every k
    else:
        inc = wgt * dem[None, :, None] * pmf[..., :bk]
        base = np.full(n_rows, wgt * float(dem.sum()))
        gain = np.cumsum(inc, axis=2)
        avg = gain / np.arange(1, bk + 1, dtype=float)
        t = np.argmax(avg, axis=2) + 1  # (R, J): end of the envelope's linear piece
        slope = np.take_along_axis(avg, (t - 1)[..., None], axis=2)
        s_ax = np.arange(bk)[None, None, :]
        env = np.where(s_ax < t[..., None], slope, inc)
        env = np.maximum.accumulate(env[..., ::-1], axis=2)[..., ::-1]
    flat_env = env.reshape(n_rows, -1)
    order = np.argsort(-flat_env, axis=1, kind="stable")
    hi = np.empty((n_rows, n_dep * bk + 1))
    hi[:, 0] = 0.0
    np.cumsum(np.take_along_axis(inc.reshape(n_rows, -1), order, axis=1), axis=1, out=hi[:, 1:])
    hi = np.maximum(base[:, None] - hi, 0.0)
    if mode == "budget":
        lo = hi.copy()
    else:
        lo = np.empty_like(hi)
        lo[:, 0] = 0.0
        np.cumsum(np.take_along_axis(flat_env, order, axis=1), axis=1, out=lo[:, 1:])
        lo = np.minimum(np.maximum(base[:, None] - lo, 0.0), hi)
        # The greedy split is optimal where no depot is strictly inside the linear piece
        # of its envelope (there envelope and gain agree): depot j is inside for the k
        # with pos[j, 0] < k <= pos[j, t_j - 1] (ties keep a depot's units in order).
        pos = np.empty_like(order)
        np.put_along_axis(pos, order, np.arange(order.shape[1])[None, :], axis=1)
        pos = pos.reshape(n_rows, n_dep, bk)
        first = pos[..., 0] + 1
        last = np.take_along_axis(pos, (t - 1)[..., None], axis=2)[..., 0] + 1
        inside = np.zeros((n_rows, n_dep * bk + 2), dtype=np.int64)
        rr = np.broadcast_to(np.arange(n_rows)[:, None], first.shape)
        live = last > first
        np.add.at(inside, (rr[live], first[live]), 1)
        np.add.at(inside, (rr[live], last[live]), -1)
        exact = np.cumsum(inside, axis=1)[:, : n_dep * bk + 1] == 0
        lo = np.where(exact, hi, lo)
    return lo, hi, order, mu, inc


def _dp_upto(inc: F64, k_top: int) -> tuple[F64, I64]:
    """Best total gain of 0..k_top units over depots (max-plus DP), with choices.

    ``inc`` (J, K) are the gains of each depot's successive units; returns best
    (k_top+1,) and the back-pointers (J, k_top+1) for :func:`_backtrack`.
    """
    n_dep, k_len = inc.shape
    cum = np.zeros((n_dep, k_len + 1))
    np.cumsum(inc, axis=1, out=cum[:, 1:])
    best = np.full(k_top + 1, -np.inf)
    best[0] = 0.0
    choice = np.zeros((n_dep, k_top + 1), dtype=np.int64)
    for j in range(n_dep):
        new = best.copy()
        pick = np.zeros(k_top + 1, dtype=np.int64)
        for s in range(1, min(k_len, k_top) + 1):
            cand = best[: k_top + 1 - s] + cum[j, s]
            upd = cand > new[s:]
            new[s:] = np.where(upd, cand, new[s:])
            pick[s:] = np.where(upd, s, pick[s:])
        best = new
        choice[j] = pick
    return best, choice


class _LazyPart:
    """Option table of one part with a central warehouse, built lazily over s0.

    Central stocks are evaluated on demand; a block of central stocks not evaluated,
    ``a..b-1`` with ``b`` evaluated, is bounded below by ``lo_b(n - a)`` for ``n`` units
    in all (the quality is non-increasing in the central stock and in the depot units).
    """

    def __init__(self, grp: _Groups, g: int, mode: str) -> None:
        self.grp, self.g, self.mode = grp, g, mode
        self.s0_max = int(grp.s0_max[g])
        self.k_len = len(grp.dem[g]) * int(grp.k_max[g])
        self.n_len = self.s0_max + self.k_len + 1
        self.lo: dict[int, F64] = {}
        self.hi: dict[int, F64] = {}
        self.tight: dict[int, F64] = {}
        self._asm: tuple[F64, I64, F64, list[tuple[int, int, F64]]] | None = None
        first = np.unique(np.linspace(0, self.s0_max, min(_INIT_S0, self.s0_max + 1)).round())
        self.evaluate(first.astype(np.int64))

    def evaluate(self, s0s: I64) -> None:
        self._asm = None
        s0s = np.array([s for s in np.unique(s0s) if int(s) not in self.hi], dtype=np.int64)
        step = max(1, int(2e6 // (self.k_len + 1)))
        for start in range(0, len(s0s), step):
            part = s0s[start : start + step]
            lo, hi, _, _, _ = _s0_rows(self.grp, self.g, part, self.mode)
            for r, s0 in enumerate(part):
                self.lo[int(s0)] = lo[r]
                self.hi[int(s0)] = hi[r]

    def make_exact(self, s0: int, k_top: int) -> None:
        """Exact qualities of 0..k_top depot units at central stock ``s0`` (DP)."""
        self._asm = None
        _, hi, _, _, inc = _s0_rows(self.grp, self.g, np.array([s0]), self.mode)
        best, _ = _dp_upto(inc[0], k_top)
        exact = np.maximum(hi[0, 0] - best, 0.0)  # hi[0, 0]: quality of no depot stock
        h = self.hi[s0]
        h[: k_top + 1] = np.minimum(h[: k_top + 1], exact)
        self.lo[s0][: k_top + 1] = h[: k_top + 1]

    def assemble(self) -> tuple[F64, I64, F64, list[tuple[int, int, F64]]]:
        """Achievable quality hi(n) with its s0, the lower bound lo(n) and the blocks.

        Blocks are (a, b, lower bound over n = a.. a + len - 1) for s0 in a..b-1.
        """
        if self._asm is None:
            self._asm = self._assemble()
        return self._asm

    def _assemble(self) -> tuple[F64, I64, F64, list[tuple[int, int, F64]]]:
        n_len, k_len = self.n_len, self.k_len
        hi_n = np.full(n_len, np.inf)
        s0_n = np.zeros(n_len, dtype=np.int64)
        lo_n = np.full(n_len, np.inf)
        keys = sorted(self.hi)
        # quality is non-increasing in s0: bounds at a larger s0 hold at a smaller one
        self.tight = {}
        run = np.zeros(k_len + 1)
        for s0 in keys[::-1]:
            run = np.maximum(run, self.lo[s0])
            self.tight[s0] = np.minimum(run, self.hi[s0])
        for s0 in keys:
            w = slice(s0, s0 + k_len + 1)
            h = self.hi[s0]
            better = h < hi_n[w]
            hi_n[w] = np.where(better, h, hi_n[w])
            s0_n[w] = np.where(better, s0, s0_n[w])
            np.minimum(lo_n[w], self.tight[s0], out=lo_n[w])
        blocks = []
        for c, d in itertools.pairwise(keys):
            if d - c > 1:
                a = c + 1
                lo_d = self.tight[d]
                lb = np.concatenate([lo_d, np.full(d - 1 - a, lo_d[-1])])
                blocks.append((a, d, lb))
                w = slice(a, a + len(lb))
                np.minimum(lo_n[w], lb, out=lo_n[w])
        return hi_n, s0_n, lo_n, blocks


@dataclass
class _Plan:
    """Tables of every group, the knapsack outcome and the lazily built parts."""

    tables: _Tables
    out: _Mckp | None
    lazy: list[_LazyPart]
    n_full: int  # groups 0..n_full-1 have full tables, the rest are the lazy parts


def _join(full: _Tables, lazy: list[_LazyPart], asm: list[tuple], eps: float) -> _Tables:
    """Full tables followed by the lazy parts' achievable non-dominated options."""
    ptr = [full.ptr]
    parts, units, s0, qual, cost = [full.part], [full.units], [full.s0], [full.quality], [full.cost]
    end = int(full.ptr[-1])
    for lp, (hi_n, s0_n, _, _) in zip(lazy, asm, strict=True):
        pref = np.minimum.accumulate(hi_n)
        keep = np.isfinite(hi_n)
        keep[1:] &= hi_n[1:] < pref[:-1] - eps
        n = np.flatnonzero(keep)
        end += len(n)
        ptr.append(np.array([end], dtype=np.int64))
        parts.append(np.array([lp.grp.part[lp.g]], dtype=np.int64))
        units.append(n.astype(np.int64))
        s0.append(s0_n[n])
        qual.append(hi_n[n])
        cost.append(float(lp.grp.cost[lp.g]) * n)
    part = np.concatenate(parts)
    return _Tables(
        ptr=np.concatenate(ptr),
        part=part,
        depot=np.concatenate([full.depot, np.full(len(lazy), -1, dtype=np.int64)]),
        units=np.concatenate(units),
        s0=np.concatenate(s0),
        quality=np.concatenate(qual),
        cost=np.concatenate(cost),
    )


def _run_mckp(
    tables: _Tables,
    mode: str,
    budget: float | None,
    target: float,
    total: float,
    deadline: float | None,
    lp_only: bool = False,
) -> tuple[_Mckp | None, float]:
    """The knapsack over the tables (choice in table option indices) and its capacity."""
    if mode == "budget":
        assert budget is not None
        tol = _budget_tol(budget)
        out = _solve_mckp(tables.ptr, tables.cost, tables.quality, budget, tol, deadline, lp_only)
        return out, budget + tol
    ptr, w, v, back = _reverse_groups(tables)
    # shortfall as a share of the total (weighted) demand: 1 - F is the capacity
    # (no tolerance, and a hair inside, so that the plan's fill rate meets F)
    cap = (1.0 - target) * (1.0 - 1e-12)
    out = _solve_mckp(ptr, w / total if total > 0 else w, v, cap, 0.0, deadline, lp_only)
    if out is not None:
        out = _Mckp(back[out.choice], out.value, out.bound, out.proven, out.lam)
    return out, cap


def _certify(plan: _Plan, asm: list[tuple], mode: str, cap: float, total: float, eps: float):
    """Options of the lazy parts that might still beat the plan, as work to do.

    With the knapsack's multiplier ``lam`` every option has the reduced cost
    ``red = v + lam * w`` (v the objective, w the resource); ``L = sum_g min red_g -
    lam * cap`` bounds every plan below, and a plan that uses option ``x`` of group g
    is worth at least ``L + red(x) - min red_g``. Reduced costs use the lower bounds
    lo(n) of the lazy parts (valid for every option, evaluated or not), so an option
    not in the tables that might improve on the plan (lo(n) below the best achievable
    quality of at most n units) is settled when ``red_lo(n) - min red_g > U - L``.
    Returns (work per lazy part as (s0 values to evaluate, {s0: k_top to make exact}),
    the lower bound L).
    """
    tables, out = plan.tables, plan.out
    assert out is not None
    lam = max(out.lam, 0.0)
    ptr = tables.ptr[: plan.n_full + 1]
    gmins = []
    if plan.n_full:
        q, c = tables.quality[: ptr[-1]], tables.cost[: ptr[-1]]
        red = q + lam * c if mode == "budget" else c + lam * q / total
        gmins.append(np.minimum.reduceat(red, ptr[:-1]))
    lazy_red = []
    for lp, (_, _, lo_n, _) in zip(plan.lazy, asm, strict=True):
        units = np.arange(lp.n_len, dtype=float)
        c = float(lp.grp.cost[lp.g])
        red = lo_n + lam * c * units if mode == "budget" else c * units + lam * lo_n / total
        lazy_red.append(red)
        gmins.append(np.array([red.min()]))
    gmin_all = np.concatenate(gmins)
    lower = float(gmin_all.sum() - lam * cap)
    upper = out.value
    gap = upper - lower
    work = []
    for i, (lp, (hi_n, _, lo_n, blocks)) in enumerate(zip(plan.lazy, asm, strict=True)):
        gmin = float(gmin_all[plan.n_full + i])
        c = float(lp.grp.cost[lp.g])
        units = np.arange(lp.n_len, dtype=float)
        pref = np.minimum.accumulate(hi_n) - eps
        # quality x at n must stay above thr(n) to settle the option
        if mode == "budget":
            thr = gap + gmin - lam * c * units
        elif lam > 0:
            thr = (gap + gmin - c * units) * total / lam
        else:
            thr = np.where(c * units - gmin <= gap, np.inf, -np.inf)
        thr = np.minimum(thr, np.nextafter(pref, -np.inf))  # fails: x <= thr
        if not (lo_n <= thr).any():
            work.append(None)
            continue
        new_s0: list[int] = []
        for a, b, lb in blocks:
            if (lb <= thr[a : a + len(lb)]).any():
                width = b - a
                if width <= 8:
                    new_s0.extend(range(a, b))
                else:
                    new_s0.extend(int(x) for x in np.linspace(a, b - 1, 6)[1:-1].round())
        dp: dict[int, int] = {}
        for s0, lo in lp.tight.items():
            w = thr[s0 : s0 + len(lo)]
            bad = np.flatnonzero((lo <= w) & (lo < lp.hi[s0]))
            if len(bad):
                dp[s0] = int(bad.max())
        work.append((np.array(new_s0, dtype=np.int64), dp))
    # Cheap work first: evaluate central stocks while any block is open; then make
    # exact only the largest central stocks of each part with an open option (their
    # exact qualities bound every smaller central stock too).
    if any(w is not None and len(w[0]) for w in work):
        work = [None if w is None or not len(w[0]) else (w[0], {}) for w in work]
    else:
        work = [
            None if w is None or not w[1] else (w[0], {s: w[1][s] for s in sorted(w[1])[-4:]})
            for w in work
        ]
    return work, lower


def _plan(
    inst: _Instance, mode: str, budget: float | None, target: float, deadline: float | None
) -> _Plan:
    """Option tables and the proven-optimal knapsack choice over them.

    Parts with a central warehouse whose full table would be large are built lazily:
    central stocks are evaluated where the certificate of :func:`_certify` asks.
    """
    grp = _groups(inst, mode)
    lazy_mask = np.zeros(len(grp.part), dtype=bool)
    if inst.has_central:
        cells = (grp.s0_max + 1) * grp.dem.shape[1] * grp.k_max
        lazy_mask = (grp.mu0 > 0) & (grp.cost > 0) & (cells > _ADAPT_CELLS)
    full = _build_tables(inst, mode, np.flatnonzero(~lazy_mask))
    lazy = [_LazyPart(grp, int(g), mode) for g in np.flatnonzero(lazy_mask)]
    total = float((inst.weight[:, None] * inst.demand).sum())
    n_full = len(full.ptr) - 1
    # Refine against the greedy plan (cheap: no exact knapsack); a certificate for it
    # also holds for the optimum, which is no worse. Then solve exactly once.
    final = not lazy
    while True:
        asm = [lp.assemble() for lp in lazy]
        tables = _join(full, lazy, asm, grp.eps)
        out, cap = _run_mckp(tables, mode, budget, target, total, deadline, not final)
        plan = _Plan(tables, out, lazy, n_full)
        if out is None or not lazy or (final and not out.proven):
            return plan
        work, lower = _certify(plan, asm, mode, cap, total, grp.eps)
        if all(w is None for w in work):
            if final:
                return plan
            final = True
            continue
        final = False
        cells = sum(len(lp.hi) * (lp.k_len + 1) for lp in lazy)
        if cells > _MAX_LAZY_CELLS or (deadline is not None and time.monotonic() > deadline):
            # out of memory budget or time: the best plan over the achievable options,
            # with the certificate's bound (not proven optimal)
            best, _ = _run_mckp(tables, mode, budget, target, total, deadline)
            if best is None or best.value > out.value:
                best = out
            plan.out = _Mckp(best.choice, best.value, min(out.bound, lower), False, out.lam)
            return plan
        for lp, w in zip(lazy, work, strict=True):
            if w is None:
                continue
            new_s0, dp = w
            if len(new_s0):
                lp.evaluate(new_s0)
            for s0, k_top in dp.items():
                lp.make_exact(s0, k_top)


def _lazy_split(lp: _LazyPart, s0: int, k: int, quality: float) -> I64:
    """Depot stock of ``k`` units at central stock ``s0`` reaching ``quality``."""
    _, hi, order, _, inc = _s0_rows(lp.grp, lp.g, np.array([s0]), lp.mode)
    bk = int(lp.grp.k_max[lp.g])
    n_dep = inc.shape[1]
    if quality >= hi[0, k] - 1e-12 * max(1.0, hi[0, 0]):
        return np.bincount(order[0, :k] // bk, minlength=n_dep).astype(np.int64)
    _, choice = _dp_upto(inc[0], k)
    return _backtrack(choice, k)


def _allocate_plan(inst: _Instance, plan: _Plan, choice: I64, mode: str) -> tuple[I64, I64]:
    """Stock arrays for the chosen option of every group (full tables and lazy parts)."""
    t, nf = plan.tables, plan.n_full
    sub = _Tables(t.ptr[: nf + 1], t.part[:nf], t.depot[:nf], t.units, t.s0, t.quality, t.cost)
    central, stock = _allocate(inst, sub, choice[:nf], mode)
    for i, lp in enumerate(plan.lazy):
        o = int(choice[nf + i])
        p = int(t.part[nf + i])
        s0 = int(t.s0[o])
        central[p] = s0
        stock[p] = _lazy_split(lp, s0, int(t.units[o]) - s0, float(t.quality[o]))
    return central, stock


# ------------------------------------------------------------------------ MCKP


@dataclass(frozen=True)
class _Mckp:
    """Outcome of the multiple-choice knapsack: chosen option index per group."""

    choice: I64
    value: float
    bound: float
    proven: bool
    lam: float = 0.0  # LP (Lagrange) multiplier of the resource constraint


@dataclass(frozen=True)
class _Lp:
    """LP relaxation (greedy over convex envelopes) of an MCKP instance."""

    seg_group: I64  # envelope segments in greedy order
    seg_start: I64  # option index the segment starts at
    seg_end: I64  # option index the segment ends at
    seg_dw: F64
    seg_dv: F64
    seg_eff: F64
    base_w: float
    taken: int  # segments that fit entirely


def _hull_segments(ptr: I64, w: F64, v: F64) -> tuple[I64, I64, I64, F64, F64, F64]:
    """Lower convex envelope segments of each group (options sorted by w ascending)."""
    n = len(w)
    group = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    alive = np.arange(n)
    while True:
        g = group[alive]
        same_prev = np.zeros(len(alive), dtype=bool)
        same_prev[1:] = g[1:] == g[:-1]
        eff = np.full(len(alive), np.inf)
        i = np.flatnonzero(same_prev)
        eff[i] = (v[alive[i - 1]] - v[alive[i]]) / (w[alive[i]] - w[alive[i - 1]])
        same_next = np.zeros(len(alive), dtype=bool)
        same_next[:-1] = same_prev[1:]
        nxt = np.full(len(alive), -np.inf)
        nxt[:-1] = eff[1:]
        drop = same_prev & same_next & (eff < nxt)
        if not drop.any():
            break
        alive = alive[~drop]
    seg = np.flatnonzero(same_prev)
    end = alive[seg]
    start = alive[seg - 1]
    return group[end], start, end, w[end] - w[start], v[start] - v[end], eff[seg]


def _lp(ptr: I64, w: F64, v: F64, cap: float, ctol: float) -> _Lp:
    """Greedy over the groups' convex envelopes up to ``cap`` (+ ``ctol``)."""
    g, start, end, dw, dv, eff = _hull_segments(ptr, w, v)
    order = np.lexsort((end, -eff))
    g, start, end = g[order], start[order], end[order]
    dw, dv, eff = dw[order], dv[order], eff[order]
    base_w = float(w[ptr[:-1]].sum())
    room = cap - base_w
    cum = np.cumsum(dw)
    taken = int(np.searchsorted(cum, room + ctol, side="right"))
    return _Lp(g, start, end, dw, dv, eff, base_w, taken)


def _budget_tol(budget: float) -> float:
    """Tolerance on a budget: sums of float costs may pass an exact budget by rounding."""
    return 1e-9 * abs(budget)


def _greedy_choice(ptr: I64, lp: _Lp, upto: int) -> I64:
    """Options chosen after the first ``upto`` envelope segments (efficient point)."""
    choice = ptr[:-1].copy()
    if upto:
        # segments of a group appear in envelope order, so the last one wins
        choice[lp.seg_group[:upto]] = lp.seg_end[:upto]
    return choice


def _solve_mckp(
    ptr: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float,
    deadline: float | None,
    lp_only: bool = False,
) -> _Mckp | None:
    """Minimise sum v over one option per group subject to sum w <= cap.

    Options of each group are sorted by w ascending and v strictly descending.
    Returns None when even the smallest-w options exceed ``cap``. With ``lp_only`` the
    greedy plan is returned with the Lagrangian bound and multiplier (proven only when
    the gap is closed).
    """
    n_groups = len(ptr) - 1
    if n_groups == 0:
        return _Mckp(np.zeros(0, dtype=np.int64), 0.0, 0.0, True)
    lp = _lp(ptr, w, v, cap, ctol)
    if lp.base_w > cap + ctol:
        return None
    choice = _greedy_choice(ptr, lp, lp.taken)
    if lp.taken == len(lp.seg_group):
        # every group at its best option: optimal outright
        val = float(v[choice].sum())
        return _Mckp(choice, val, val, True)
    lam = float(lp.seg_eff[lp.taken])
    # top up: later segments that still fit and continue their group's envelope
    room = cap - float(w[choice].sum())
    stop = min(len(lp.seg_group), lp.taken + 200_000)
    min_dw = float(lp.seg_dw[lp.taken : stop].min())
    for t in range(lp.taken, stop):
        if room < min_dw:
            break
        gi = lp.seg_group[t]
        if lp.seg_start[t] == choice[gi] and lp.seg_dw[t] <= room + ctol:
            choice[gi] = lp.seg_end[t]
            room -= lp.seg_dw[t]
    upper = float(v[choice].sum())
    # Lagrangian bound and reduced costs
    red = v + lam * w
    gmin = np.minimum.reduceat(red, ptr[:-1])
    lower = float(gmin.sum() - lam * cap)
    lower = min(lower, upper)
    gap = upper - lower
    tol = 1e-9 * (abs(upper) + abs(lower) + abs(lam * cap))
    if lp_only:
        return _Mckp(choice, upper, lower, gap <= tol, lam)
    if gap <= tol:
        return _Mckp(choice, upper, upper, True, lam)
    group = np.repeat(np.arange(n_groups), np.diff(ptr))
    rc = red - gmin[group]
    # Aspiration levels: first look for a plan worth less than lower + f * gap with
    # small f. Options with rc > f * gap cannot be part of such a plan, so the core is
    # small and the DP bound prunes hard; a plan found is optimal (the DP keeps every
    # partial plan that might beat the level), none found proves the optimum is at
    # least that level. The last level is the incumbent itself (f = 1).
    per_group = np.bincount(group, weights=rc <= gap + tol, minlength=n_groups)
    # levels pay off for long tables (fast movers); many short ones go straight to U
    levels = _LEVELS if per_group.max() >= 32 else (1.0,)
    for frac in levels:
        level_gap = gap * frac
        if frac < 1.0 and level_gap <= tol:
            continue
        alive = rc <= level_gap + tol
        per_group = np.bincount(group, weights=alive, minlength=n_groups).astype(np.int64)
        if frac == 1.0:
            fixed = choice[per_group < 2]  # the incumbent's options are alive
        else:
            if (per_group == 0).any():
                continue
            first_alive = np.flatnonzero(alive)
            first_alive = first_alive[np.unique(group[first_alive], return_index=True)[1]]
            fixed = first_alive[per_group == 1]
        core = per_group >= 2
        level = upper if frac == 1.0 else lower + level_gap
        if not core.any():
            if frac == 1.0:
                return _Mckp(choice, upper, upper, True, lam)
            continue
        opt_mask = alive & core[group]
        core_groups = np.flatnonzero(core)
        opt_index = np.flatnonzero(opt_mask)
        local = np.searchsorted(core_groups, group[opt_index])
        core_cap = cap - float(w[fixed].sum())
        fixed_v = float(v[fixed].sum())
        if core_cap < -ctol:
            continue
        found = _core_dp(local, opt_index, w, v, core_cap, ctol, level - fixed_v, tol, deadline)
        if found is None:
            if frac == 1.0:
                return _Mckp(choice, upper, upper, True, lam)
            continue
        if found is not False:
            core_choice, proven = found, True
            bound = lower
        elif frac < 1.0:
            continue  # too many states at this level: go straight to the incumbent's
        else:
            core_choice, _, core_bound, proven = _core_milp(
                local, opt_index, w, v, core_cap, ctol, len(core_groups), tol, deadline
            )
            bound = max(lower, fixed_v + core_bound)
        if core_choice is not None and fixed_v + float(v[core_choice].sum()) < upper:
            if frac < 1.0:
                choice[per_group == 1] = fixed
            choice[core_groups] = core_choice
            upper = fixed_v + float(v[core_choice].sum())
        if proven:
            bound = upper
        return _Mckp(choice, upper, min(bound, upper), proven, lam)
    raise AssertionError("unreachable: the last level always returns")


_MAX_STATES = 400_000
_LEVELS = (1.0 / 256, 1.0 / 64, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1.0)


def _core_dp(
    local: I64,
    opt_index: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float,
    upper: float,
    tol: float,
    deadline: float | None,
) -> I64 | Literal[False] | None:
    """Exact core MCKP by a Pareto dynamic programme with LP-bound pruning.

    Core groups are processed one at a time; a partial choice (state) is kept only when
    it is Pareto-optimal in (weight, value) and when its value plus the LP relaxation of
    the groups still to come, at the capacity left, is below ``upper - tol`` (the
    incumbent). Returns the chosen option per core group, None when no state can
    improve on the incumbent (the incumbent is optimal), or False when the state
    count exceeds ``_MAX_STATES`` or the deadline passes (then a MILP takes over).
    """
    n_core = int(local.max()) + 1
    order = np.lexsort((w[opt_index], local))
    local, opt_index = local[order], opt_index[order]
    starts = np.searchsorted(local, np.arange(n_core + 1))
    wo, vo = w[opt_index], v[opt_index]
    seg_g, _, _, seg_dw, seg_dv, seg_eff = _hull_segments(starts, wo, vo)
    # process groups whose envelope efficiency is closest to the LP multiplier last:
    # the clear-cut ones are settled by the bound while few states exist
    by_eff = np.argsort(-seg_eff, kind="stable")
    brk = np.searchsorted(np.cumsum(seg_dw[by_eff]), cap - float(wo[starts[:-1]].sum()))
    lam = seg_eff[by_eff[min(brk, len(by_eff) - 1)]]
    dist = np.full(n_core, np.inf)
    np.minimum.at(dist, seg_g, np.abs(np.log(seg_eff / lam)))
    sizes = np.diff(starts)
    if sizes.max() >= 32:
        # a few long tables (fast movers): their many options first, while the bound
        # of the coarse groups still to come keeps the states few (measured faster)
        rank = np.lexsort((-dist, -sizes))
    else:
        rank = np.argsort(-dist, kind="stable")
    new_id = np.empty(n_core, dtype=np.int64)
    new_id[rank] = np.arange(n_core)
    local = new_id[local]
    order = np.lexsort((w[opt_index], local))
    local, opt_index = local[order], opt_index[order]
    starts = np.searchsorted(local, np.arange(n_core + 1))
    wo, vo = w[opt_index], v[opt_index]
    seg_g, _, _, seg_dw, seg_dv, seg_eff = _hull_segments(starts, wo, vo)
    seg_order = np.lexsort((seg_g, -seg_eff))
    seg_g, seg_dw, seg_dv = seg_g[seg_order], seg_dw[seg_order], seg_dv[seg_order]
    live = np.ones(len(seg_g), dtype=bool)
    base_w = float(wo[starts[:-1]].sum())
    base_v = float(vo[starts[:-1]].sum())
    big_w = np.zeros(1)
    big_v = np.zeros(1)
    parents: list[tuple[I64, I64]] = []
    for g in range(n_core):
        lo, hi = starts[g], starts[g + 1]
        k = hi - lo
        base_w -= wo[lo]
        base_v -= vo[lo]
        live &= seg_g != g
        cum_w = np.concatenate([[0.0], np.cumsum(seg_dw[live])])
        cum_v = np.concatenate([[0.0], np.cumsum(seg_dv[live])])
        nw = (big_w[:, None] + wo[None, lo:hi]).ravel()
        nv = (big_v[:, None] + vo[None, lo:hi]).ravel()
        room = cap - nw - base_w
        lp_rest = base_v - np.interp(room, cum_w, cum_v)
        ok = (room >= -ctol) & (nv + lp_rest < upper - tol)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return None
        srt = idx[np.lexsort((nv[idx], nw[idx]))]
        vs = nv[srt]
        keep = np.ones(len(srt), dtype=bool)
        keep[1:] = vs[1:] < np.minimum.accumulate(vs)[:-1]
        srt = srt[keep]
        if len(srt) > _MAX_STATES or (deadline is not None and time.monotonic() > deadline):
            return False
        big_w, big_v = nw[srt], nv[srt]
        parents.append((srt // k, lo + srt % k))
    best = int(np.argmin(big_v))
    picked = np.empty(n_core, dtype=np.int64)
    for g in range(n_core - 1, -1, -1):
        parent, opt = parents[g]
        picked[g] = opt_index[opt[best]]
        best = int(parent[best])
    return picked[new_id]  # back to the caller's group order


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (solver banners bypass ``sys.stdout``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _core_milp(
    local: I64,
    opt_index: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float,
    n_core: int,
    obj_tol: float,
    deadline: float | None,
) -> tuple[I64 | None, float, float, bool]:
    """Solve the core MCKP exactly with HiGHS (scipy.optimize.milp).

    Returns (choice per core group or None, value, lower bound, proven). The objective
    is scaled so that HiGHS's absolute gap (1e-6) is ``obj_tol`` in objective units.
    """
    # imported here: only needed for large cores, and slow to import
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_col = len(opt_index)
    # normalise per group for conditioning: subtract the group's smallest w and v
    w_min = np.full(n_core, np.inf)
    np.minimum.at(w_min, local, w[opt_index])
    v_min = np.full(n_core, np.inf)
    np.minimum.at(v_min, local, v[opt_index])
    wc = w[opt_index] - w_min[local]
    vc = v[opt_index] - v_min[local]
    room = cap - float(w_min.sum())
    scale = 1e-6 / obj_tol
    rows = np.concatenate([local, np.full(n_col, n_core)])
    cols = np.concatenate([np.arange(n_col), np.arange(n_col)])
    vals = np.concatenate([np.ones(n_col), wc])
    a_mat = sparse.csr_array((vals, (rows, cols)), shape=(n_core + 1, n_col))
    lower = np.concatenate([np.ones(n_core), [-np.inf]])
    upper = np.concatenate([np.ones(n_core), [max(room, 0.0) + ctol]])
    options: dict[str, float] = {"mip_rel_gap": 1e-12}
    if deadline is not None:
        options["time_limit"] = max(0.05, deadline - time.monotonic())
    with _quiet_stdout():  # HiGHS may print to the C-level stdout
        res = milp(
            vc * scale,
            integrality=np.ones(n_col),
            bounds=Bounds(0.0, 1.0),
            constraints=LinearConstraint(a_mat, lower, upper),
            options=options,
        )
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) / scale + float(v_min.sum()) if dual is not None else -np.inf
    if not np.isfinite(bound):
        bound = -np.inf
    if res.x is None:
        return None, np.inf, bound, False
    x = res.x > 0.5
    picked_group = local[x]
    if len(picked_group) != n_core or len(np.unique(picked_group)) != n_core:
        return None, np.inf, bound, False
    core_choice = opt_index[x][np.argsort(picked_group)]
    if float(w[core_choice].sum()) > cap + ctol:
        return None, np.inf, bound, False
    return core_choice, float(v[core_choice].sum()), bound, res.status == 0


# ------------------------------------------------------------ stock and measures


def _allocate(inst: _Instance, tables: _Tables, choice: I64, mode: str) -> tuple[I64, I64]:
    """Stock arrays (central (P,), depots (P, J)) for the chosen option of every group."""
    n_parts, n_dep = inst.demand.shape
    central = np.zeros(n_parts, dtype=np.int64)
    stock = np.zeros((n_parts, n_dep), dtype=np.int64)
    units = tables.units[choice]
    if not inst.has_central:
        stock[tables.part, tables.depot] = units
        return central, stock
    s0 = tables.s0[choice]
    parts = tables.part
    central[parts] = s0
    k = units - s0
    todo = np.flatnonzero(k > 0)
    if len(todo) == 0:
        return central, stock
    mu = inst.local_mean[parts] + inst.share[parts] * ebo(s0, inst.central_mean[parts])[:, None]
    # rows with similar table widths together (one fast mover must not widen them all)
    width = _pow2(np.maximum(k, poisson_upper(mu.max(axis=1), _TAIL) + 1))
    for wd in np.unique(width[todo]):
        rows = todo[width[todo] == wd]
        stock[parts[rows]] = _split_depots(
            inst.demand[parts[rows]], mu[rows], k[rows], int(wd), inst.weight[parts[rows]], mode
        )
    return central, stock


def _split_depots(dem: F64, mu: F64, k: I64, bk: int, wgt: F64, mode: str) -> I64:
    """Best split of ``k`` units over depots with Poisson pipelines ``mu`` (R, J).

    Budget mode takes the ``k`` largest EBO reductions (exact: EBO is convex); fill mode
    likewise while every pipeline mean is at most 1, else a DP over depots. ``bk`` must
    reach both ``k`` and the Poisson tail of every mean.
    """
    n_rows, n_dep = dem.shape
    pmf, sf = _pipeline_pmf(mu, bk)
    inc_fill = dem[..., None] * pmf[..., :bk]
    dec = (sf[..., :bk] if mode == "budget" else inc_fill).reshape(n_rows, -1)
    order = np.argsort(-dec, axis=1, kind="stable")
    taken = np.arange(dec.shape[1])[None, :] < k[:, None]
    counts = np.zeros((n_rows, n_dep), dtype=np.int64)
    rows = np.broadcast_to(np.arange(n_rows)[:, None], order.shape)
    np.add.at(counts, (rows[taken], (order // bk)[taken]), 1)
    if mode == "fill" and n_dep > 1:
        rows_dp = np.flatnonzero((mu > 1.0).any(axis=1))
        if len(rows_dp):
            _, pick = _maxplus_depots(wgt[rows_dp, None, None] * inc_fill[rows_dp])
            for n, r in enumerate(rows_dp):
                counts[r] = _backtrack(pick[n], int(k[r]))
    return counts


@dataclass(frozen=True)
class _Measures:
    ebo: F64  # (P, J) units
    investment: float
    fill_rate: float


def _measure(inst: _Instance, central: I64, stock: I64) -> _Measures:
    e0 = ebo(central, inst.central_mean)
    mu = inst.local_mean + inst.share * e0[:, None]
    e = np.where(inst.demand > 0, ebo(stock, mu), 0.0)
    total = inst.demand.sum()
    fr = float((inst.demand * fill_rate(stock, mu)).sum() / total) if total > 0 else 1.0
    inv = float((inst.cost * (central + stock.sum(axis=1))).sum())
    return _Measures(e, inv, min(max(fr, 0.0), 1.0))


def _availability(
    inst: _Instance,
    depot_ebo: F64,
    installed_base: Mapping[str, float] | None,
    units_per_system: Mapping[str, float] | None,
) -> float | None:
    """Installed-base-weighted mean of the depots' Sherbrooke availability."""
    if not installed_base:
        return None
    z = np.ones(len(inst.part_ids))
    if units_per_system:
        index = {p: i for i, p in enumerate(inst.part_ids)}
        for pid, zi in units_per_system.items():
            if pid not in index or not zi > 0:
                raise ValueError(
                    f"units_per_system: part {pid!r} must be a part with Z > 0 (got {zi!r})"
                )
            z[index[pid]] = zi
    col = {d: j for j, d in enumerate(inst.depot_ids)}
    num = den = 0.0
    for depot, n_sys in installed_base.items():
        if depot not in col or not n_sys >= 0:
            raise ValueError(
                f"installed_base: depot {depot!r} must be a depot with N >= 0 (got {n_sys!r})"
            )
        if n_sys == 0:
            continue
        num += n_sys * availability(depot_ebo[:, col[depot]], n_sys, z)
        den += n_sys
    return num / den if den > 0 else None


def _stock_lines(inst: _Instance, central: I64, stock: I64) -> list[StockLine]:
    """Non-zero stock as result lines (values are valid by construction)."""
    make = StockLine.model_construct
    lines = [(int(i), -1, int(central[i])) for i in np.flatnonzero(central > 0)] + [
        (int(i), int(j), int(stock[i, j])) for i, j in zip(*np.nonzero(stock > 0), strict=True)
    ]
    lines.sort()
    return [
        make(
            part=inst.part_ids[i],
            location="central" if j < 0 else inst.depot_ids[j],
            quantity=q,
        )
        for i, j, q in lines
    ]


def _other_models(inst: _Instance, central: I64, stock: I64) -> tuple[float, float]:
    """Total depot EBO under VARI-METRIC and the exact model (units)."""
    if not inst.has_central:
        # single echelon: depot pipelines are Poisson, all three models agree
        total = float(_measure(inst, central, stock).ebo.sum())
        return total, total
    vari = exact = 0.0
    for i in np.flatnonzero(inst.demand.sum(axis=1) > 0):
        args = (
            int(central[i]),
            stock[i],
            float(inst.central_mean[i]),
            inst.local_mean[i],
            inst.share[i],
        )
        vari += float(vari_metric_two_echelon_ebo(*args).sum())
        exact += float(exact_two_echelon_ebo(*args).sum())
    return vari, exact


# ---------------------------------------------------------------------- public API


def solve_spares(
    problem: SparesProblem,
    time_limit: float | None = None,
    *,
    evaluate: bool = False,
    weights: Mapping[str, float] | None = None,
    installed_base: Mapping[str, float] | None = None,
    units_per_system: Mapping[str, float] | None = None,
) -> SparesResult:
    """Optimal stock levels for a ``spares/v1`` problem under METRIC.

    ``time_limit`` (seconds) bounds the exact finish; when it runs out the best plan is
    returned as ``feasible`` with a proven ``bound``. ``evaluate`` adds the plan's total
    backorders under VARI-METRIC and the exact model (slow for large problems).
    ``weights`` are per-part criticality weights (default 1): the budget objective
    becomes weighted backorders and the fill-rate target a weighted fill rate (the
    reported ``fill_rate`` and ``backorders`` stay unweighted). ``installed_base``
    (systems per depot id) and ``units_per_system`` (Z per part id, default 1) add the
    Sherbrooke availability. Fill rates with no demand at all are 1. With weights the
    ``bound`` refers to the weighted objective.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    inst = _instance(problem, weights)
    budget = problem.objective.budget
    mode = "budget" if budget is not None else "fill"
    target = float(problem.objective.target_fill_rate or 0.0)
    plan = _plan(inst, mode, budget, target, deadline)
    out = plan.out
    if out is None:
        return _infeasible(inst, plan, mode, problem)
    central, stock = _allocate_plan(inst, plan, out.choice, mode)
    meas = _measure(inst, central, stock)
    vari = exact = None
    if evaluate:
        vari, exact = _other_models(inst, central, stock)
    return SparesResult(
        status="optimal" if out.proven else "feasible",
        backorders=float(meas.ebo.sum()),
        investment=meas.investment,
        fill_rate=meas.fill_rate,
        stock=_stock_lines(inst, central, stock),
        bound=None if out.proven else float(max(out.bound, 0.0)),
        availability=_availability(inst, meas.ebo, installed_base, units_per_system),
        vari_metric_backorders=vari,
        exact_backorders=exact,
    )


def _reverse_groups(tables: _Tables) -> tuple[I64, F64, F64, I64]:
    """Fill mode: options per group by shortfall ascending (units descending).

    Returns ptr, w (shortfall), v (cost) and the map back to table option indices.
    """
    ptr = tables.ptr
    group = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    pos = np.arange(len(group)) - ptr[group]
    back = ptr[group] + (np.diff(ptr)[group] - 1 - pos)
    return ptr, tables.quality[back], tables.cost[back], back


def _infeasible(inst: _Instance, plan: _Plan, mode: str, problem: SparesProblem) -> SparesResult:
    """Result for an unreachable fill-rate target: the most stock the tables hold."""
    last = plan.tables.ptr[1:] - 1
    central, stock = _allocate_plan(inst, plan, last, mode)
    meas = _measure(inst, central, stock)
    return SparesResult(
        status="infeasible",
        backorders=float(meas.ebo.sum()),
        investment=meas.investment,
        fill_rate=meas.fill_rate,
        stock=_stock_lines(inst, central, stock),
        reason=(
            f"target fill rate {problem.objective.target_fill_rate} is beyond the best "
            f"reachable fill rate {meas.fill_rate:.15f} (stock up to a Poisson tail of "
            f"{_TAIL:g} per location)"
        ),
    )


def greedy_spares(problem: SparesProblem) -> SparesResult:
    """The classic marginal-analysis plan: the efficient point of the convex-envelope
    greedy that fits the budget (budget mode only); ``feasible`` with the LP bound.
    """
    if problem.objective.budget is None:
        raise ValueError("greedy_spares needs a budget objective")
    inst = _instance(problem, None)
    tables = _build_tables(inst, "budget")
    budget = float(problem.objective.budget)
    lp = _lp(tables.ptr, tables.cost, tables.quality, budget, _budget_tol(budget))
    choice = _greedy_choice(tables.ptr, lp, lp.taken)
    central, stock = _allocate(inst, tables, choice, "budget")
    meas = _measure(inst, central, stock)
    if lp.taken < len(lp.seg_group):
        frac = (budget - lp.base_w - float(lp.seg_dw[: lp.taken].sum())) / lp.seg_dw[lp.taken]
        bound = float(tables.quality[choice].sum()) - frac * float(lp.seg_dv[lp.taken])
    else:
        bound = float(meas.ebo.sum())
    return SparesResult(
        status="feasible",
        backorders=float(meas.ebo.sum()),
        investment=meas.investment,
        fill_rate=meas.fill_rate,
        stock=_stock_lines(inst, central, stock),
        bound=max(bound, 0.0),
    )


def spares_frontier(
    problem: SparesProblem,
    max_points: int = 50,
    *,
    max_investment: float | None = None,
    installed_base: Mapping[str, float] | None = None,
    units_per_system: Mapping[str, float] | None = None,
) -> list[FrontierPoint]:
    """Efficient (investment, backorders) points of marginal analysis, for charts.

    The points are the corners of the convex envelope of the optimal
    backorders-versus-investment curve (each is an optimal plan for its own
    investment), from zero stock up to ``max_investment`` (default: the problem's
    budget, or everything worth stocking), thinned evenly by investment to at most
    ``max_points``. ``installed_base`` adds availability as in :func:`solve_spares`.
    """
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    inst = _instance(problem, None)
    tables = _build_tables(inst, "budget")
    if max_investment is None:
        max_investment = problem.objective.budget
    cap = float("inf") if max_investment is None else float(max_investment)
    lp = _lp(tables.ptr, tables.cost, tables.quality, cap, _budget_tol(cap))
    cum = np.concatenate([[0.0], np.cumsum(lp.seg_dw[: lp.taken])])
    targets = np.linspace(0.0, cum[-1], max_points)
    picks = np.unique(np.searchsorted(cum, targets + 1e-9 * (1.0 + cum[-1]), side="right") - 1)
    points: list[FrontierPoint] = []
    for upto in picks:
        choice = _greedy_choice(tables.ptr, lp, int(upto))
        central, stock = _allocate(inst, tables, choice, "budget")
        meas = _measure(inst, central, stock)
        points.append(
            FrontierPoint(
                investment=meas.investment,
                backorders=float(meas.ebo.sum()),
                fill_rate=meas.fill_rate,
                availability=_availability(inst, meas.ebo, installed_base, units_per_system),
            )
        )
    return points


def _main(argv: list[str]) -> int:
    """``python -m planner.optimise.spares FILE [OUT]``: solve and write the result JSON.

    Exit codes as the CLI's: 0 a plan, 3 infeasible, 2 not a valid spares/v1 file.
    """
    try:
        problem = SparesProblem.from_file(argv[0])
    except (OSError, ValidationError) as exc:
        sys.stderr.write(f"{argv[0]}: not a valid spares/v1 problem: {exc}\n")
        return 2
    result = solve_spares(problem)
    text = result.to_json()
    if len(argv) > 1:
        with open(argv[1], "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text + "\n")
    return 3 if result.status == "infeasible" else 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
