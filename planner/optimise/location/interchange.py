"""Local search for location on a cost matrix: greedy opening, then add / drop / swap.

* :func:`fast_interchange`: best improvement (Whitaker's fast interchange, as Resende and
  Werneck vectorise it), the radius formulation's upper bound;
* :func:`first_improvement`: the first move that gains, under a deadline, the technicians
  solver's station sets on linearised costs. The same search by best improvement was
  tried there: it found the same plans on 50 x 10, 200 x 30 and 1000 x 100, but a dearer
  one at 60 s on 1000 x 100 with dispatch (seed 1), so each keeps its strategy.

The cost of an open station set S is ``sum_{j in S} fixed[j] + sum_i min_{j in S} cost[j, i]``
(``inf`` where a station cannot serve a site). The radius formulation
(:mod:`planner.optimise.location.radius`) takes its first upper bound from here.
"""

from __future__ import annotations

import math
import time

import numpy as np

__all__ = ["fast_interchange", "first_improvement", "greedy_interchange", "open_cost"]


def open_cost(
    cost: np.ndarray, fixed: np.ndarray, open_idx: np.ndarray
) -> tuple[float, np.ndarray]:
    """True cost of opening ``open_idx`` and the cheapest-station assignment."""
    sub = cost[open_idx]
    pos = np.argmin(sub, axis=0)
    served = sub[pos, np.arange(cost.shape[1])]
    return float(fixed[open_idx].sum() + served.sum()), open_idx[pos]


def fast_interchange(
    cb: np.ndarray,
    fixed: np.ndarray,
    p: int,
    is_open: np.ndarray,
    big: float,
    deadline: float | None = None,
) -> np.ndarray:
    """Best-improvement add / drop / swap local search from ``is_open`` (at most ``p`` open).

    ``cb`` is the cost matrix with ``inf`` replaced by ``big`` (the cost of an unserved
    site). A swap of ``j`` in and ``r`` out changes the cost by
    ``f_j - f_r - gain_j + loss_r - extra[j, r]`` with ``gain_j = sum_i max(0, d1_i - c_ji)``,
    ``loss_r = sum_{a(i)=r} (d2_i - d1_i)``, ``extra[j, r] = sum_{a(i)=r} max(0, d2_i -
    max(c_ji, d1_i))`` (``d1``, ``d2``: cheapest and second cheapest open cost). Past
    ``deadline`` (``time.monotonic()``), the set reached so far is returned.
    """
    n = cb.shape[1]
    is_open = is_open.copy()
    while deadline is None or time.monotonic() < deadline:
        o = np.flatnonzero(is_open)
        k = len(o)
        sub = cb[o]
        if k >= 2:
            part = np.partition(sub, 1, axis=0)
            d1, d2 = part[0], part[1]
        else:
            d1, d2 = sub[0], np.full(n, big)
        current = float(fixed[o].sum() + d1.sum())
        pos = np.argmin(sub, axis=0)
        gain = np.maximum(d1[None, :] - cb, 0.0).sum(axis=1)
        loss = np.bincount(pos, weights=d2 - d1, minlength=k)
        best, move = 0.0, None
        closed = ~is_open
        if k < p and closed.any():
            add = np.where(closed, fixed - gain, np.inf)
            j = int(np.argmin(add))
            if add[j] < best:
                best, move = float(add[j]), (j, -1)
        if k > 1:
            drop = loss - fixed[o]
            r = int(np.argmin(drop))
            if drop[r] < best:
                best, move = float(drop[r]), (-1, int(o[r]))
        if closed.any():
            w = np.maximum(d2[None, :] - np.maximum(cb, d1[None, :]), 0.0)
            onehot = np.zeros((n, k))
            onehot[np.arange(n), pos] = 1.0
            extra = w @ onehot
            delta = (fixed - gain)[:, None] + (loss - fixed[o])[None, :] - extra
            delta[is_open] = np.inf
            flat = int(np.argmin(delta))
            j, r = divmod(flat, k)
            if delta[j, r] < best:
                best, move = float(delta[j, r]), (j, int(o[r]))
        if move is None or best >= -1e-9 * max(1.0, abs(current)):
            return is_open
        if move[0] >= 0:
            is_open[move[0]] = True
        if move[1] >= 0:
            is_open[move[1]] = False
    return is_open


def greedy_interchange(
    cost: np.ndarray,
    fixed: np.ndarray,
    p: int,
    must_reach_p: bool,
    start: np.ndarray | None,
) -> np.ndarray | None:
    """Greedy + local search (and from ``start`` if given); best feasible open set or None."""
    m, n = cost.shape
    finite = np.isfinite(cost)
    scale = float(np.abs(cost[finite]).max(initial=0.0)) + 1.0
    big = (n + 1) * scale + float(fixed.sum()) + 1.0
    cb = np.where(finite, cost, big)
    candidates = []
    # Greedy: open the station of largest saving while it improves (or until p if forced).
    is_open = np.zeros(m, dtype=bool)
    d1 = np.full(n, big)
    while is_open.sum() < p:
        gain = np.maximum(d1[None, :] - cb, 0.0).sum(axis=1) - fixed
        gain[is_open] = -np.inf
        j = int(np.argmax(gain))
        if is_open.any() and gain[j] <= 0 and not (must_reach_p and gain[j] == 0):
            break
        is_open[j] = True
        d1 = np.minimum(d1, cb[j])
    candidates.append(fast_interchange(cb, fixed, p, is_open, big))
    if start is not None and len(start) > 0:
        s = np.zeros(m, dtype=bool)
        s[np.asarray(start, dtype=int)] = True
        if s.sum() <= p:
            candidates.append(s)
            candidates.append(fast_interchange(cb, fixed, p, s, big))
    best, best_cost = None, np.inf
    for cand in candidates:
        idx = np.flatnonzero(cand)
        value, _ = open_cost(cost, fixed, idx)
        if value < best_cost:
            best, best_cost = idx, value
    return best


def first_improvement(
    cb: np.ndarray,
    fixed: np.ndarray,
    p: int,
    big: float,
    deadline: float,
    start: list[int] | None = None,
) -> np.ndarray:
    """Greedy opening (from the stations ``start``, while a station gains), then
    first-improvement add / drop / swap until none gains or the ``deadline``; the sorted
    open stations.

    ``cb`` is the cost matrix with ``inf`` replaced by ``big``. An add is taken when the
    best one gains; else each open station in turn is dropped or swapped for its best
    replacement, the first move that gains being taken. It stops sooner than
    :func:`fast_interchange` on large matrices, where the technicians solver uses it under
    a deadline.
    """
    c = cb
    n_st = c.shape[0]

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
