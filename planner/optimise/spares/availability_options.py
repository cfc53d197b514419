"""One part's options for the availability objective (see :mod:`.availability`).

Elementwise tools over numpy arrays (a monotone bisection, the Poisson tail stock
:func:`tail_stock`, the log-availability factor) and :class:`Part`: one part's central
stocks evaluated so far and, for each, its depot options, priced at multipliers of the
depot rows (the Lagrangian pricing ``rho_i``, the block bounds of the unevaluated central
stocks, their lazy refinement and the reduced-cost fixing of the part's options).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from planner.optimise.metric import ebo, fill_rate
from planner.optimise.spares.instance import F64, I64, TAIL, Instance

__all__ = ["GRID", "Part", "tail_stock"]

GRID = 17
"""Central stocks evaluated first per part (evenly spread); more are evaluated lazily."""


# ------------------------------------------------------------------ elementwise tools


def _first(pred: Callable[[I64], NDArray[np.bool_]], lo: I64, hi: I64) -> I64:
    """Least ``s`` in ``lo..hi`` with ``pred(s)`` (monotone: false then true), elementwise;
    ``hi + 1`` where there is none."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    b = np.where(pred(hi), hi, hi + 1)
    a = np.minimum(lo - 1, b - 1)
    while True:
        open_ = b - a > 1
        if not open_.any():
            return b
        mid = (a + b) // 2
        ok = pred(np.where(open_, mid, b))
        b = np.where(open_ & ok, mid, b)
        a = np.where(open_ & ~ok, mid, a)


def tail_stock(mu: F64) -> I64:
    """Least ``s >= 0`` with ``P(X > s) <= TAIL`` for ``X ~ Poisson(mu)``, elementwise."""
    mu = np.asarray(mu, dtype=float)
    zz = math.sqrt(2.0 * math.log(1.0 / TAIL))
    hi = np.ceil(mu + zz * np.sqrt(mu) + zz * zz + 2.0).astype(np.int64)
    return _first(lambda s: special.pdtrc(s, mu) <= TAIL, np.zeros(mu.shape, np.int64), hi)


def _log_factor(s: NDArray, mu: F64, nz: F64, z: float | F64) -> F64:
    """``Z log(1 - EBO(s; mu) / (N Z))`` as measured (factor clipped to [0, 1]; -inf at 0)."""
    base = np.clip(1.0 - ebo(s, mu) / nz, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        return z * np.log(base)


# ------------------------------------------------------------------ one part's options


class Part:
    """The options of one part: its central stocks evaluated so far and, for each, the
    depot options (``g`` over an interval of depot stock) at its target depots (T) and
    the floor stock at its other demand depots (F)."""

    def __init__(self, inst: Instance, i: int, t_mask: NDArray[np.bool_], rhs: F64) -> None:
        self.i = i
        self.c = float(inst.cost[i])
        self.dep = np.flatnonzero(inst.demand[i] > 0)
        self.loc = inst.local_mean[i, self.dep]
        self.share = inst.share[i, self.dep]
        self.mu0 = float(inst.central_mean[i]) if inst.has_central else 0.0
        self.s0_max = int(tail_stock(np.array([self.mu0]))[0]) if self.mu0 > 0 else 0
        tm = t_mask[self.dep]
        self.t = np.flatnonzero(tm)
        self.f = np.flatnonzero(~tm)
        self.tdep = self.dep[self.t]
        self.z = float(inst.z[i])
        self.nz = inst.installed[self.tdep] * self.z
        self.rhs = rhs[self.tdep]
        self.floor = float(inst.floor[i])
        n_t = len(self.t)
        self.e = np.zeros(0, dtype=np.int64)  # evaluated central stocks, sorted
        self.fixed = np.zeros(0)  # c * (sum of floor stock at F), lower bound if not ok
        self.f_ok = np.zeros(0, dtype=bool)
        self.fs = np.zeros((0, len(self.f)), dtype=np.int64)
        self.lo = np.zeros((0, n_t), dtype=np.int64)
        self.kk = np.zeros((0, n_t), dtype=np.int64)
        self.g = np.zeros((0, n_t, 1))
        self.gridded = False
        self._tables: tuple[F64, F64, NDArray[np.bool_]] | None = None
        self._last: tuple[F64, tuple[F64, F64, I64, F64]] | None = None

    @property
    def n_t(self) -> int:
        return len(self.t)

    def means(self, s0s: I64) -> F64:
        """Depot pipeline means (n, Jd) at central stocks ``s0s`` (as in measures)."""
        e0 = ebo(s0s, np.full(len(s0s), self.mu0))
        return self.loc[None, :] + self.share[None, :] * e0[:, None]

    def evaluate(self, s0s: I64) -> None:
        """Add the options at central stocks ``s0s`` (those not evaluated yet)."""
        s0s = np.setdiff1d(np.asarray(s0s, dtype=np.int64), self.e)
        if len(s0s) == 0:
            return
        mu = self.means(s0s)
        kk = tail_stock(mu) + 1
        if self.floor > 0:
            smin = _first(lambda s: fill_rate(s, mu) >= self.floor, np.zeros_like(kk), kk)
        else:
            smin = np.zeros_like(kk)
        fs = smin[:, self.f]
        f_ok = (fs <= kk[:, self.f]).all(axis=1)
        fixed = self.c * fs.sum(axis=1)
        mu_t, k_t = mu[:, self.t], kk[:, self.t]
        nz, z, rhs = self.nz[None, :], self.z, self.rhs[None, :]
        lo = _first(lambda s: _log_factor(s, mu_t, nz, z) >= rhs, smin[:, self.t], k_t)
        lo = np.maximum(lo, smin[:, self.t])  # (where the floor fails, no option is left)
        width = int(max(1, (k_t - lo + 1).max(initial=1)))
        s = lo[..., None] + np.arange(width)
        g = _log_factor(s, mu_t[..., None], nz[..., None], z)
        ok = (s <= k_t[..., None]) & (g >= rhs[..., None])
        g = np.where(ok, g, -np.inf)
        # merge (pad the narrower table with forbidden options)
        w_old = self.g.shape[2]
        w = max(w_old, width)
        old_g = np.pad(self.g, ((0, 0), (0, 0), (0, w - w_old)), constant_values=-np.inf)
        new_g = np.pad(g, ((0, 0), (0, 0), (0, w - width)), constant_values=-np.inf)
        e = np.concatenate([self.e, s0s])
        order = np.argsort(e, kind="stable")
        self.e = e[order]
        self.fixed = np.concatenate([self.fixed, fixed])[order]
        self.f_ok = np.concatenate([self.f_ok, f_ok])[order]
        self.fs = np.concatenate([self.fs, fs])[order]
        self.lo = np.concatenate([self.lo, lo])[order]
        self.kk = np.concatenate([self.kk, k_t])[order]
        self.g = np.concatenate([old_g, new_g])[order]
        self._tables = None
        self._last = None

    def rows(self, lam: F64) -> tuple[F64, F64, I64, F64]:
        """At multipliers ``lam`` (T,): per evaluated s0 the value R (n,), the depot terms
        phi (n, T) and their best option (n, T, index into the interval), and the value
        of every depot option (n, T, W), inf where forbidden."""
        if self._last is not None and np.array_equal(self._last[0], lam):
            return self._last[1]
        if self._tables is None:
            ok = np.isfinite(self.g)
            s = (self.lo[..., None] + np.arange(self.g.shape[2])).astype(float)
            self._tables = (self.c * s, np.where(ok, self.g, 0.0), ~ok)
        cs, g0, bad = self._tables
        val = cs - lam[None, :, None] * g0
        val[bad] = np.inf
        if self.n_t:
            arg = val.argmin(axis=2)
            phi = np.take_along_axis(val, arg[..., None], axis=2)[..., 0]
        else:
            arg = np.zeros((len(self.e), 0), dtype=np.int64)
            phi = np.zeros((len(self.e), 0))
        r = self.c * self.e + np.where(self.f_ok, self.fixed, np.inf) + phi.sum(axis=1)
        self._last = (lam.copy(), (r, phi, arg, val))
        return r, phi, arg, val

    def blocks(self, phi: F64) -> tuple[I64, I64, F64]:
        """Unevaluated central stocks a..b-1 before each evaluated b, and a lower bound of
        R over each block (from the options at b)."""
        gap = np.flatnonzero(np.diff(self.e) > 1)
        a = self.e[gap] + 1
        b_row = gap + 1
        extra = np.minimum(phi[b_row], self.c * (self.kk[b_row] + 1)).sum(axis=1)
        bound = self.c * a + self.fixed[b_row] + extra
        return a, self.e[b_row], bound

    def refine(self, lam: F64, level: float | None, deadline: float | None) -> float:
        """Evaluate central stocks until no block's bound is at most ``level`` (None: the
        least R evaluated); returns a lower bound of R over every central stock."""
        if not self.gridded:
            self.gridded = True
            self.evaluate(np.unique(np.linspace(0, self.s0_max, GRID).round().astype(np.int64)))
        while True:
            r, phi, _, _ = self.rows(lam)
            best = float(r.min())
            a, b, bound = self.blocks(phi)
            lim = best - 1e-12 * max(1.0, abs(best)) if level is None else level
            need = bound <= lim if level is not None else bound < lim
            if not need.any() or (deadline is not None and time.monotonic() > deadline):
                return float(min(best, bound.min(initial=np.inf)))
            pts = []
            for lo_, hi_ in zip(a[need], b[need], strict=True):
                if hi_ - lo_ <= 4:
                    pts.append(np.arange(lo_, hi_))
                else:
                    pts.append(np.array([(lo_ + hi_ - 1) // 2]))
            self.evaluate(np.concatenate(pts))

    def lower_bound(self, lam: F64) -> float:
        """A lower bound of R over every central stock at ``lam``, without evaluating more."""
        if not self.gridded:
            self.gridded = True
            self.evaluate(np.unique(np.linspace(0, self.s0_max, GRID).round().astype(np.int64)))
        r, phi, _, _ = self.rows(lam)
        return float(min(r.min(), self.blocks(phi)[2].min(initial=np.inf)))

    def column(self, lam: F64) -> tuple[int, I64, float, F64]:
        """The best plan of the part at ``lam`` among the evaluated central stocks:
        (s0, stock at T, investment, g at T)."""
        r, _, arg, _ = self.rows(lam)
        k = int(np.argmin(r))
        s_t = self.lo[k] + arg[k]
        g = self.g[k, np.arange(self.n_t), arg[k]]
        inv = self.c * (self.e[k] + s_t.sum()) + self.fixed[k]
        return int(self.e[k]), s_t, float(inv), g

    def stock_at(self, s0: int, s_t: I64) -> tuple[I64, F64]:
        """Depot stock (Jd,) of the plan (s0, s_t) with floor stock at F, and its g at T."""
        k = int(np.searchsorted(self.e, s0))
        assert k < len(self.e) and self.e[k] == s0
        out = np.zeros(len(self.dep), dtype=np.int64)
        out[self.f] = self.fs[k]
        out[self.t] = s_t
        idx = s_t - self.lo[k]
        return out, self.g[k, np.arange(self.n_t), idx]

    def max_plan(self) -> tuple[int, I64]:
        """The most stock of the domain: s0 at its tail, each depot at its tail + 1."""
        s0 = self.s0_max
        mu = self.means(np.array([s0]))
        return s0, (tail_stock(mu) + 1)[0]

    def core(
        self, lam: F64, rho: float, theta: float, deadline: float | None
    ) -> list[tuple[int, float, list[tuple[I64, F64]]]] | None:
        """Options whose slack (over ``rho`` at ``lam``) is at most ``theta``: per surviving
        s0 its fixed investment (central and F stock) and per T depot (stock, g); None if
        the deadline came before every central stock that might survive was evaluated."""
        self.refine(lam, rho + theta, deadline)
        r, phi, _, val = self.rows(lam)
        if (self.blocks(phi)[2] <= rho + theta).any():
            return None
        out = []
        for k in np.flatnonzero(r - rho <= theta):
            room = theta - (r[k] - rho)
            opts = []
            for jt in range(self.n_t):
                keep = np.flatnonzero(val[k, jt] - phi[k, jt] <= room)
                opts.append((self.lo[k, jt] + keep, self.g[k, jt, keep]))
            out.append((int(self.e[k]), float(self.c * self.e[k] + self.fixed[k]), opts))
        return out
