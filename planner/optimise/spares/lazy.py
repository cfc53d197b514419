"""Lazy option tables for big parts with a central warehouse, and their certificate.

Big parts with a central warehouse (fast movers: thousands of central stocks times
thousands of depot units, where the fill-mode depot DP for every ``s0`` took minutes)
get *lazy* tables (:class:`LazyPart`) instead of the full enumeration of
:mod:`.tables`, exact by the following argument.

* For one ``s0``, each depot's fill gain ``G_j(s) = m_j P(X_j <= s - 1)`` is S-shaped
  (increments ``m_j P(X_j = s)`` rise up to the mode, then fall). Its upper concave
  envelope ``Ĝ_j`` is linear from 0 to ``t_j = argmax G_j(s)/s`` and equals ``G_j``
  from ``t_j`` on; the greedy over the envelope increments gives, for every ``k``, an
  upper bound on the best gain of ``k`` depot units (so a *lower* bound ``lo`` on the
  shortfall), and the same greedy order applied to the true increments is a feasible
  split (``hi``, achievable). Wherever no depot is strictly inside its linear piece
  ``(0, t_j)`` the two agree, so ``hi`` is optimal there (:func:`s0_rows`). Budget
  mode: EBO is convex, the greedy is exact everywhere (``lo = hi``).
* Fill-rate floors (``spares/v2`` ``min_fill_rate``): at each ``s0`` every depot with
  demand needs its floor stock ``need_j(s0)``
  (:func:`~planner.optimise.spares.tables.floor_stock`). Those units are forced: their
  gain is taken out once (``start``, the quality of the floor stock) and everything
  above (envelopes, greedy order, the exactness test, the DP of
  :meth:`LazyPart.make_exact` and :func:`lazy_split`) runs over the units above the
  floors, whose gains are suffixes of each depot's sequence and keep their shape
  (decreasing EBO reductions; rising-then-falling or falling fill gains), so ``lo``
  bounds the best split that meets the floors and ``hi`` meets them. ``k`` depot units
  below the forced total ``F(s0)`` are infeasible: ``lo = hi = inf`` there.
* The quality is non-increasing in ``s0`` (less central delay, stochastically smaller
  depot pipelines) and in ``k``. So bounds at a larger ``s0`` hold at a smaller one
  (``lo`` is tightened by a running maximum from the top), and central stocks
  ``a..b-1`` not evaluated, with ``b`` evaluated, are bounded below at ``n`` units by
  ``lo_b(n - a)`` (:meth:`LazyPart.assemble`). With floors this still holds: a larger
  ``s0`` shrinks every depot pipeline, which lowers (or keeps) each depot's floor stock
  and every depot's backorders and shortfall at every stock, so a split that meets the
  floors at ``s0`` meets them at ``s0' > s0`` and is no worse there. The best quality
  meeting the floors, ``inf`` below ``F(s0)`` included, is therefore non-increasing in
  ``s0`` (``F`` is non-increasing) and in ``k``: the running maximum keeps ``inf``
  where the smaller ``s0`` itself is infeasible, and a block's bound
  ``lo_b(n - a) = inf`` (``n - a < F(b)``) is met by every ``s0`` of the block, whose
  ``n - s0 <= n - a`` units are below ``F(s0) >= F(b)``. The cheapest floor stock
  (every ``s0`` reaching the least ``s0 + F(s0)``, cheap to find) is evaluated from the
  start, so a lazy table's first option is exact, as in the full table: the least a
  budget must pay for the part, at its best split.
* The per-part table over ``n`` is the minimum over evaluated ``s0`` of ``hi``
  (achievable options, :func:`join_tables`); ``lo(n)`` (evaluated entries and blocks)
  bounds every option, evaluated or not. With the knapsack's multiplier ``lam`` and
  reduced costs ``red = v + lam w``, ``L = sum_g min_n red_lo_g(n) - lam cap`` bounds
  every plan, and a plan using option ``n`` of part ``g`` is worth at least
  ``L + red_lo_g(n) - min red_lo_g``. Every option that might beat the achievable
  table (``lo(n)`` below it by more than the tolerance ``eps``) must exceed the plan
  ``U`` by this bound; otherwise blocks are split (more ``s0`` evaluated) and, once no
  block is open, non-exact entries are made exact by a depot DP (largest ``s0`` first,
  as its exact values also bound the smaller ones) (:func:`certify`). The certificate
  is first run against the greedy plan (cheap), then the exact knapsack is solved
  once; its value is no worse, so the certificate still holds (the loop is
  :func:`planner.optimise.spares.plan.plan_stock`). Parts whose full table is small
  (:attr:`SparesSettings.adapt_cells <planner.optimise.spares.settings.SparesSettings>`)
  keep the full enumeration.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.optimise.metric import ebo
from planner.optimise.spares.instance import F64, I64
from planner.optimise.spares.tables import (
    Groups,
    Tables,
    backtrack,
    floor_stock,
    free_units,
    pipeline_pmf,
    shift_table,
)

if TYPE_CHECKING:
    from planner.optimise.spares.plan import Plan

__all__ = [
    "DepotRows",
    "LazyPart",
    "certify",
    "dp_upto",
    "join_tables",
    "lazy_split",
    "s0_rows",
]


@dataclass(frozen=True)
class DepotRows:
    """Depot tables of one part at R central stocks (K = J * k_max depot units).

    ``hi[r, k]`` the quality of the greedy split of ``k`` depot units (achievable),
    ``lo[r, k]`` a lower bound on the best split (equal to ``hi`` wherever the greedy
    split is proven optimal), both ``inf`` below the floor stock; ``order`` the greedy
    order of the units above the floors (flat index ``j * k_max + t``: the ``t``-th
    unit above depot ``j``'s floor), ``inc`` their gains (R, J, k_max), ``need`` the
    floor stock per depot (R, J) and ``start`` the quality of the floor stock (R,).
    """

    lo: F64
    hi: F64
    order: I64
    inc: F64
    need: I64
    start: F64


def s0_rows(grp: Groups, g: int, s0s: I64, mode: str) -> DepotRows:
    """Depot tables of group ``g`` for the central stocks ``s0s`` (R values)."""
    bk = int(grp.k_max[g])
    dem = grp.dem[g]
    wgt = float(grp.wgt[g])
    n_dep = len(dem)
    mu = _depot_means(grp, g, s0s)
    pmf, sf = pipeline_pmf(mu, bk)
    n_rows = len(s0s)
    if mode == "budget":
        inc = wgt * sf[..., :bk]
        base = wgt * mu.sum(axis=1)
    else:
        inc = wgt * dem[None, :, None] * pmf[..., :bk]
        base = np.full(n_rows, wgt * float(dem.sum()))
    need = floor_stock(mu, np.full(n_rows, grp.floor[g]), np.broadcast_to(dem, mu.shape), bk)
    inc, forced = free_units(inc, need)
    start = base - forced
    if mode == "budget":
        env = inc  # EBO is convex: the greedy split is optimal at every k
    else:
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
    hi = np.maximum(start[:, None] - hi, 0.0)
    if mode == "budget":
        lo = hi.copy()
    else:
        lo = np.empty_like(hi)
        lo[:, 0] = 0.0
        np.cumsum(np.take_along_axis(flat_env, order, axis=1), axis=1, out=lo[:, 1:])
        lo = np.minimum(np.maximum(start[:, None] - lo, 0.0), hi)
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
    forced_units = need.sum(axis=1)
    return DepotRows(
        shift_table(lo, forced_units), shift_table(hi, forced_units), order, inc, need, start
    )


def _depot_means(grp: Groups, g: int, s0s: I64) -> F64:
    """Depot pipeline means (R, J) of group ``g`` at the central stocks ``s0s``."""
    e0 = ebo(s0s, np.full(len(s0s), grp.mu0[g]))
    return grp.loc[g][None, :] + grp.share[g][None, :] * e0[:, None]


def cheapest_floor(grp: Groups, g: int) -> I64:
    """The central stocks of group ``g``'s cheapest stocks meeting its floors: every
    ``s0`` with the least ``s0 + sum_j need_j(s0)`` (only they reach that total)."""
    s0s = np.arange(int(grp.s0_max[g]) + 1)
    mu = _depot_means(grp, g, s0s)
    dem = np.broadcast_to(grp.dem[g], mu.shape)
    need = floor_stock(mu, np.full(len(s0s), grp.floor[g]), dem, int(grp.k_max[g]))
    units = s0s + need.sum(axis=1)
    return s0s[units == units.min()]


def dp_upto(inc: F64, k_top: int) -> tuple[F64, I64]:
    """Best total gain of 0..k_top units over depots (max-plus DP), with choices.

    ``inc`` (J, K) are the gains of each depot's successive units; returns best
    (k_top+1,) and the back-pointers (J, k_top+1) for :func:`backtrack`.
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


class LazyPart:
    """Option table of one part with a central warehouse, built lazily over s0.

    Central stocks are evaluated on demand; a block of central stocks not evaluated,
    ``a..b-1`` with ``b`` evaluated, is bounded below by ``lo_b(n - a)`` for ``n`` units
    in all (the quality is non-increasing in the central stock and in the depot units).
    ``init_s0`` central stocks, spread evenly over ``0..s0_max``, are evaluated first,
    and with a floor the central stocks of the cheapest floor stock.
    """

    def __init__(self, grp: Groups, g: int, mode: str, init_s0: int) -> None:
        self.grp, self.g, self.mode = grp, g, mode
        self.s0_max = int(grp.s0_max[g])
        self.k_len = len(grp.dem[g]) * int(grp.k_max[g])
        self.n_len = self.s0_max + self.k_len + 1
        self.lo: dict[int, F64] = {}
        self.hi: dict[int, F64] = {}
        self.tight: dict[int, F64] = {}
        self._asm: tuple[F64, I64, F64, list[tuple[int, int, F64]]] | None = None
        first = np.linspace(0, self.s0_max, min(init_s0, self.s0_max + 1)).round()
        if grp.floor[g] > 0:
            first = np.concatenate([first, cheapest_floor(grp, g)])
        self.evaluate(first.astype(np.int64))

    def evaluate(self, s0s: I64) -> None:
        """Depot tables (``lo`` and ``hi``) at the central stocks ``s0s`` not yet evaluated."""
        self._asm = None
        s0s = np.array([s for s in np.unique(s0s) if int(s) not in self.hi], dtype=np.int64)
        step = max(1, int(2e6 // (self.k_len + 1)))
        for start in range(0, len(s0s), step):
            part = s0s[start : start + step]
            rows = s0_rows(self.grp, self.g, part, self.mode)
            for r, s0 in enumerate(part):
                self.lo[int(s0)] = rows.lo[r]
                self.hi[int(s0)] = rows.hi[r]

    def make_exact(self, s0: int, k_top: int) -> None:
        """Exact qualities of 0..k_top depot units at central stock ``s0`` (DP over the
        units above the floors; ``k_top`` is at least the floor stock, as every entry
        below it is already exact: ``inf``)."""
        self._asm = None
        rows = s0_rows(self.grp, self.g, np.array([s0]), self.mode)
        forced = int(rows.need[0].sum())
        best, _ = dp_upto(rows.inc[0], k_top - forced)
        exact = np.maximum(rows.start[0] - best, 0.0)
        h = self.hi[s0]
        h[forced : k_top + 1] = np.minimum(h[forced : k_top + 1], exact)
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


def join_tables(full: Tables, lazy: list[LazyPart], asm: list[tuple], eps: float) -> Tables:
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
    return Tables(
        ptr=np.concatenate(ptr),
        part=part,
        depot=np.concatenate([full.depot, np.full(len(lazy), -1, dtype=np.int64)]),
        units=np.concatenate(units),
        s0=np.concatenate(s0),
        quality=np.concatenate(qual),
        cost=np.concatenate(cost),
    )


def certify(plan: Plan, asm: list[tuple], mode: str, cap: float, total: float, eps: float):
    """Options of the lazy parts that might still beat the plan, as work to do.

    With the knapsack's multiplier ``lam`` every option has the reduced cost
    ``red = v + lam * w`` (v the objective, w the resource); ``L = sum_g min red_g -
    lam * cap`` bounds every plan below, and a plan that uses option ``x`` of group g
    is worth at least ``L + red(x) - min red_g``. Reduced costs use the lower bounds
    lo(n) of the lazy parts (valid for every option, evaluated or not), so an option
    not in the tables that might improve on the plan (lo(n) below the best achievable
    quality of at most n units) is settled when ``red_lo(n) - min red_g > U - L``.
    Returns (work per lazy part as (s0 values to evaluate, {s0: k_top to make exact}),
    the lower bound L). Fill mode: the knapsack weighs shortfalls as shares of the
    total weighted demand ``total``, unscaled when it is 0 (every weight 0), as in
    :func:`~planner.optimise.spares.plan.run_mckp`.
    """
    tables, out = plan.tables, plan.out
    assert out is not None
    lam = max(out.multiplier, 0.0)
    total = total if total > 0 else 1.0
    ptr = tables.ptr[: plan.n_full + 1]
    gmins = []
    if plan.n_full:
        q, c = tables.quality[: ptr[-1]], tables.cost[: ptr[-1]]
        red = q + lam * c if mode == "budget" else c + lam * q / total
        gmins.append(np.minimum.reduceat(red, ptr[:-1]))
    for lp, (_, _, lo_n, _) in zip(plan.lazy, asm, strict=True):
        units = np.arange(lp.n_len, dtype=float)
        c = float(lp.grp.cost[lp.g])
        if mode == "budget":
            red = lo_n + lam * c * units
        else:  # options below the floor stock (lo inf) stay inf, also when lam = 0
            finite = np.isfinite(lo_n)
            red = np.full(lp.n_len, np.inf)
            red[finite] = c * units[finite] + lam * lo_n[finite] / total
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


def lazy_split(lp: LazyPart, s0: int, k: int, quality: float) -> I64:
    """Depot stock of ``k`` units at central stock ``s0`` reaching ``quality``: the
    floor stock, then the greedy split of the rest where it reaches ``quality``, else
    the DP's."""
    rows = s0_rows(lp.grp, lp.g, np.array([s0]), lp.mode)
    bk = int(lp.grp.k_max[lp.g])
    need = rows.need[0]
    free = k - int(need.sum())
    if quality >= rows.hi[0, k] - 1e-12 * max(1.0, rows.start[0]):
        return need + np.bincount(rows.order[0, :free] // bk, minlength=len(need))
    _, choice = dp_upto(rows.inc[0], free)
    return need + backtrack(choice, free)
