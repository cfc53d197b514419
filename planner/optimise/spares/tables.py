"""Per-group option tables by full enumeration of the central stock, and the stock they stand for.

A *group* is one part at one depot when there is no central warehouse (single
echelon), or one part across all its locations when there is one. Every unit of a
part costs the same wherever it is stocked, so an option is the part's *total* number
of units ``n`` and its quality is the best backorders (budget mode) or the best fill
shortfall (fill-rate mode) reachable with ``n`` units:

* for a fixed central stock ``s0`` the depot pipelines are Poisson with fixed means,
  each depot's EBO is convex in its stock, so the best split of ``k`` depot units is
  the ``k`` largest marginal reductions across depots (marginal analysis is exact at
  *every* integer ``k``, not only at convex-envelope points, because all units of a
  part cost the same);
* fill increments ``m_j P(X_j = s)`` are non-increasing in ``s`` when the pipeline
  mean is at most 1; otherwise a max-plus dynamic programme over depots is used;
* fill-rate floors (``spares/v2`` ``min_fill_rate`` ``f``): for a fixed ``s0`` each
  depot with demand needs at least ``need_j`` units, the least ``s`` with
  ``P(X_j <= s - 1) >= f`` (:func:`floor_stock`; non-increasing in ``s0``, as the
  pipeline shrinks). Those units are *forced*: their gains are taken out of the
  quality once (:func:`free_units`) and the split above is made over the units above
  the floors, whose gains keep the same shape (suffixes of each depot's sequence: still
  decreasing for EBO, so the greedy stays exact, and the max-plus DP runs over them
  unchanged); ``k`` depot units below the forced total are infeasible (quality
  ``inf``, :func:`shift_table`). A single-echelon group's options therefore start at
  its floor stock;
* the table over ``n`` is the minimum over ``s0 + k = n``; dominated options are
  dropped. The table therefore holds *every* non-dominated (cost, quality) pair of the
  part that meets its floors (up to a Poisson tail of
  :data:`~planner.optimise.spares.instance.TAIL` per location); its first option is
  the part's cheapest stock that meets them.

Weights (``spares/v2`` ``weight``, default 1) scale a part's backorders and fill
shortfall. Tables are built with numpy for whole buckets of groups at once
(:func:`build_tables`); :func:`allocate` turns a chosen option per group back into
stock per location, every floor met. Big parts with a central warehouse get lazy
tables instead (:mod:`.lazy`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from planner.optimise.metric import ebo, fill_rate, poisson_upper
from planner.optimise.spares.instance import F64, I64, REL_EPS, TAIL, Instance

__all__ = [
    "Groups",
    "Tables",
    "allocate",
    "backtrack",
    "build_tables",
    "floor_stock",
    "free_units",
    "make_groups",
    "maxplus_depots",
    "pipeline_pmf",
    "pow2",
    "shift_table",
    "split_depots",
]


@dataclass(frozen=True)
class Tables:
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


def pipeline_pmf(mu: F64, k_max: int) -> tuple[F64, F64]:
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


def pow2(x: I64) -> I64:
    """The smallest power of two at least ``x`` (and at least 1), elementwise."""
    return (1 << np.ceil(np.log2(np.maximum(x, 1))).astype(np.int64)).astype(np.int64)


def floor_stock(mu: F64, floor: F64, dem: F64, cap: int) -> I64:
    """Least depot stock meeting each fill-rate floor, elementwise over (R, J).

    The smallest ``s`` with ``P(X <= s - 1) >= floor`` (X ~ Poisson(``mu``), ``floor``
    (R,) per row) where ``dem > 0``; 0 elsewhere and without a floor. Found by
    bisection on ``0..cap`` with the fill rate the measures use, so the stock meets the
    floor as measured. ``cap`` must meet every floor: one unit past the tail quantile
    does (``P(X <= q) >= 1 - TAIL`` rounds to at least the largest double below 1, the
    largest floor a problem may set).
    """
    need = np.zeros(mu.shape, dtype=np.int64)
    rows, cols = np.nonzero((floor[:, None] > 0) & (dem > 0))
    if len(rows) == 0:
        return need
    m, f = mu[rows, cols], floor[rows]
    lo = np.zeros(len(rows), dtype=np.int64)  # fails: P(X <= -1) = 0 < f
    hi = np.full(len(rows), cap, dtype=np.int64)  # meets the floor
    while (hi - lo > 1).any():
        mid = (lo + hi) // 2
        ok = fill_rate(mid, m) >= f
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    need[rows, cols] = hi
    return need


def free_units(inc: F64, need: I64) -> tuple[F64, F64]:
    """Gains of the units above the floors, and the forced gain of the floor stock.

    ``inc`` (R, J, K) are the gains of each depot's successive units, ``need`` (R, J)
    the floor stock; returns ``out`` (R, J, K) with ``out[r, j, t] = inc[r, j, need + t]``
    (0 past the end) and the total gain (R,) of the forced units.
    """
    k_len = inc.shape[-1]
    pos = need[..., None] + np.arange(k_len)
    out = np.where(pos < k_len, np.take_along_axis(inc, np.minimum(pos, k_len - 1), axis=-1), 0.0)
    forced = np.where(np.arange(k_len) < need[..., None], inc, 0.0).sum(axis=(1, 2))
    return out, forced


def shift_table(tab: F64, forced: I64) -> F64:
    """Table over all depot units from one over the units above the floors.

    ``tab`` (R, L) holds the quality of ``t`` free units; the result holds at ``k``
    the quality of ``k - forced`` free units, ``inf`` where ``k < forced`` (R,).
    """
    pos = np.arange(tab.shape[1])[None, :] - forced[:, None]
    return np.where(pos >= 0, np.take_along_axis(tab, np.maximum(pos, 0), axis=1), np.inf)


def _group_arrays(inst: Instance) -> tuple[I64, I64, F64, F64, F64, F64, F64]:
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
class Groups:
    """Groups with demand and the ranges of their tables (one row per group, G rows).

    ``J'`` is the number of depots a group spans: every depot with a central
    warehouse, its own depot without one.
    """

    part: I64  # (G,) part of each group
    depot: I64  # (G,) depot of each group, -1 for whole-part groups
    dem: F64  # (G, J') demand (units a year)
    loc: F64  # (G, J') depot pipeline means without central delay (units)
    share: F64  # (G, J') depot shares of the part's demand
    mu0: F64  # (G,) central pipeline mean (units)
    cost: F64  # (G,) unit cost (currency)
    wgt: F64  # (G,) weight of the group's part
    floor: F64  # (G,) fill-rate floor of the group's part at its depots with demand
    s0_max: I64  # central stock considered: 0..s0_max
    k_max: I64  # depot stock considered per depot: 0..k_max (meets every floor)
    eps: float  # improvements below this are ignored


def make_groups(inst: Instance, mode: str) -> Groups:
    """The groups of ``inst`` with demand; ``mode`` is 'budget' or 'fill'."""
    part, depot, dem, loc, share, mu0, cost = _group_arrays(inst)
    wgt = inst.weight[part]
    # improvements below REL_EPS of the whole problem's zero-stock quality are ignored
    if mode == "budget":
        total = float((wgt * (loc + share * mu0[:, None]).sum(axis=1)).sum())
    else:
        total = float((wgt * dem.sum(axis=1)).sum())
    eps = REL_EPS * total
    s0_max = np.where(mu0 > 0, poisson_upper(mu0, TAIL), 0)
    # one unit more than the tail quantile: fill of s units looks at P(X <= s - 1)
    k_max = poisson_upper((loc + share * mu0[:, None]).max(axis=1), TAIL) + 1
    floor = inst.floor[part]
    return Groups(part, depot, dem, loc, share, mu0, cost, wgt, floor, s0_max, k_max, eps)


def build_tables(inst: Instance, mode: str, only: I64 | None = None) -> Tables:
    """Option tables (full enumeration of the central stock) for every group with
    demand, or for the groups ``only``; ``mode`` is 'budget' or 'fill'."""
    grp = make_groups(inst, mode)
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
    key = pow2(s0_max + 1) * 100_000 + pow2(k_max)
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
                dem[r],
                loc[r],
                share[r],
                mu0[r],
                s0_max[r],
                b0,
                bk,
                wgt[r],
                grp.floor[r],
                cost[r],
                mode,
                eps,
            )
            order_groups.append(r)
            chunks.append((units, s0_opt, keep, q))
    if not chunks:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0)
        return Tables(
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
    return Tables(
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
    floor: F64,
    cost: F64,
    mode: str,
    eps: float,
) -> tuple[I64, I64, F64, NDArray[np.bool_]]:
    """Dense tables for a block of groups: best quality for each total of units.

    Returns units (1, L), s0 (B, L), quality (B, L) and the mask of non-dominated
    options (B, L); options that miss a floor have quality ``inf``.
    """
    n_rows, n_dep = dem.shape
    length = b0 + n_dep * bk + 1
    best = np.full((n_rows, length), np.inf)
    best_s0 = np.zeros((n_rows, length), dtype=np.int64)
    floored = bool((floor > 0).any())
    for s0 in range(b0 + 1):
        active = s0 <= s0_cap
        e0 = ebo(s0, mu0)
        mu = loc + share * e0[:, None]
        pmf, sf = pipeline_pmf(mu, bk)
        if mode == "budget":
            # EBO reduction of the (s+1)-th unit at each depot: P(X_j > s)
            dec3 = sf[..., :bk]
            base = mu.sum(axis=1)
        else:
            # fill-shortfall reduction of the (s+1)-th unit: m_j P(X_j = s)
            dec3 = wgt[:, None, None] * dem[..., None] * pmf[..., :bk]
            base = wgt * dem.sum(axis=1)
        if floored:
            # rows with a floor stock: their units above it (the others are unchanged)
            need = floor_stock(mu, floor, dem, bk)
            held = np.flatnonzero(need.any(axis=1))
            dec3[held], forced = free_units(dec3[held], need[held])
            base[held] -= forced
        dec = dec3.reshape(n_rows, -1)
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
                tab[dp] = base[dp, None] - maxplus_depots(dec3[dp])[0]
        if mode == "budget":
            tab *= wgt[:, None]
        if floored:
            tab[held] = shift_table(tab[held], need[held].sum(axis=1))
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


def maxplus_depots(inc: F64) -> tuple[F64, I64]:
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


def backtrack(choice: I64, k: int) -> I64:
    """Units per depot of the best split of ``k`` units (``choice`` (J, L) from DP)."""
    out = np.zeros(choice.shape[0], dtype=np.int64)
    for j in range(choice.shape[0] - 1, -1, -1):
        out[j] = choice[j, k]
        k -= out[j]
    return out


# ------------------------------------------------------------------ stock of a choice


def allocate(inst: Instance, tables: Tables, choice: I64, mode: str) -> tuple[I64, I64]:
    """Stock arrays (central (P,), depots (P, J)) for the chosen option of every group.

    A single-echelon option is the depot's stock itself (options start at the floor);
    with a central warehouse the depot units are split by :func:`split_depots`.
    """
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
    width = pow2(np.maximum(k, poisson_upper(mu.max(axis=1), TAIL) + 1))
    for wd in np.unique(width[todo]):
        rows = todo[width[todo] == wd]
        p = parts[rows]
        stock[p] = split_depots(
            inst.demand[p], mu[rows], k[rows], int(wd), inst.weight[p], inst.floor[p], mode
        )
    return central, stock


def split_depots(dem: F64, mu: F64, k: I64, bk: int, wgt: F64, floor: F64, mode: str) -> I64:
    """Best split of ``k`` units over depots with Poisson pipelines ``mu`` (R, J), each
    depot at least its floor stock (``floor`` (R,) the fill-rate floor per row).

    The floor stock first, then budget mode takes the largest EBO reductions of the
    units above it (exact: EBO is convex); fill mode likewise while every pipeline mean
    is at most 1, else a DP over depots. ``bk`` must reach both ``k`` and the Poisson
    tail of every mean; ``k`` must be at least the total floor stock.
    """
    n_rows, n_dep = dem.shape
    pmf, sf = pipeline_pmf(mu, bk)
    need = floor_stock(mu, floor, dem, bk)
    free = k - need.sum(axis=1)
    inc_fill = dem[..., None] * pmf[..., :bk]
    inc, _ = free_units(sf[..., :bk] if mode == "budget" else inc_fill, need)
    dec = inc.reshape(n_rows, -1)
    order = np.argsort(-dec, axis=1, kind="stable")
    taken = np.arange(dec.shape[1])[None, :] < free[:, None]
    counts = need.copy()
    rows = np.broadcast_to(np.arange(n_rows)[:, None], order.shape)
    np.add.at(counts, (rows[taken], (order // bk)[taken]), 1)
    if mode == "fill" and n_dep > 1:
        rows_dp = np.flatnonzero((mu > 1.0).any(axis=1))
        if len(rows_dp):
            _, pick = maxplus_depots(wgt[rows_dp, None, None] * inc[rows_dp])
            for n, r in enumerate(rows_dp):
                counts[r] = need[r] + backtrack(pick[n], int(free[r]))
    return counts
