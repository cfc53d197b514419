"""Least investment that meets an availability target at every depot, exactly.

The problem (``spares/v2``, objective ``target_availability``): choose whole stocks
``s0_i`` (central, only with a central warehouse) and ``s_ij`` (depots) minimising
``sum_i c_i (s0_i + sum_j s_ij)`` subject to Sherbrooke's availability
``A_j = prod_i (1 - EBO_ij / (N_j Z_i))^Z_i >= T_j`` at every depot with a target
(the essential parts with demand there) and every part's fill-rate floor
``FR_ij >= f_i`` at every depot that demands it, under METRIC (depot pipeline mean
``a_ij + q_ij EBO(s0_i; mu0_i)``).

Method
------
1. *Separate what is separate.* A part that is not essential, or has demand only at
   depots without a target, only has to meet its floors: its cheapest central stock
   is found alone (the same search over ``s0`` as below, with nothing to price). A
   free part (unit cost 0) takes the most stock of its domain. The domain of every
   location is its Poisson tail: ``s0 <= q(mu0)``, ``s_ij <= q(mu_ij(s0)) + 1`` with
   ``q(mu)`` the least ``s`` with ``P(X > s) <= TAIL`` (1e-16). The most stock of the
   domain is the best availability reachable; a target it misses (or a floor it
   misses) makes the problem infeasible, and the reason names the depot and that
   availability (or the part and depot).
2. *Logs.* ``A_j >= T_j`` is ``sum_i g_ij(s0_i, s_ij) >= log T_j`` with
   ``g = Z log(1 - EBO / (N Z))`` (-inf: the option is forbidden), and an option with
   ``g_ij < log T_j`` alone breaks the target, so it is forbidden too. The rows carry a
   hair of safety (``ROW_SAFETY`` of ``|log T_j|``, about 3e-11 in the log) so that the
   measured product meets the target despite rounding and solver tolerances. For a
   fixed ``s0`` each depot's ``g`` is concave in ``s`` (EBO is convex and decreasing,
   ``log(1 - x)`` concave and decreasing) and every option of a depot is an interval
   ``lo_ij(s0) .. q + 1`` (``lo`` from the floor and from ``g >= log T``).
3. *Lagrangian / Dantzig-Wolfe bound.* With multipliers ``lam_j >= 0`` on the depot
   rows the problem separates per part: ``rho_i(lam) = min over (s0, s) of
   c_i (s0 + sum_j s_j) - sum_j lam_j g_ij(s0, s_j)``; for each ``s0`` each depot's
   term is a 1-D minimisation (numpy over all evaluated ``s0`` and ``s`` at once).
   ``LB(lam) = sum_j lam_j log T_j + sum_i rho_i(lam)`` bounds every plan. The
   multipliers come from column generation on the master LP (HiGHS): columns are
   whole plans of one part, the pricing problem is ``rho_i`` (first over the central
   stocks evaluated so far, then exactly, see 4), at multipliers smoothed towards the
   best so far (Wentges); at convergence ``LB`` equals the LP bound of the
   Dantzig-Wolfe master (the convex hull of each part's options).
4. *Lazy central stocks.* ``g`` only grows with ``s0`` (a smaller depot pipeline) and
   the floors only get easier, so the depot terms at an evaluated ``b`` bound every
   ``s0 < b`` from below: a block ``a..b-1`` of unevaluated central stocks costs at
   least ``c a + (fixed floor stock at b) + sum_j min(phi_j(b), c (q_j(b) + 2))``.
   Only the central stocks of blocks whose bound is below what is needed (the current
   minimum in pricing, ``rho + theta`` in fixing) are evaluated, by bisection of the
   blocks; so a fast mover with a central pipeline of thousands of units evaluates a
   few hundred of its central stocks (each over the depot stocks between its ``lo``
   and its tail only), never the dense ``s0 x depot x s`` table.
5. *Exact reduced-cost fixing.* Every plan costs at least
   ``LB + sum_i (value_i(choice_i) - rho_i)``, all terms >= 0, and a part's slack is
   the slack of its ``s0`` (``R_i(s0) - rho_i``) plus the slack of each depot's
   option (``c s - lam g - phi_j(s0)``). A plan cheaper than the incumbent ``UB``
   therefore uses only options whose slack is at most ``UB - LB``: the *core*.
6. *The core MILP.* On the core, the disaggregated MILP (per part a one-hot over its
   surviving ``s0``, per (part, ``s0``, depot) a one-hot over its surviving ``s``
   linked to the ``s0``, one linear log-availability row per depot, objective the
   investment) is solved by HiGHS with the incumbent as cutoff, to a relative gap of
   5e-10. Its LP relaxation is the Dantzig-Wolfe bound again (a disjunctive,
   convex-hull formulation of each part). The incumbent comes from marginal analysis
   on the LP solution rounded up and on the parts' best plans at the multipliers; core
   MILPs at growing ``theta`` (``THETA0`` of the bound, then four times more each
   time, each on a quarter of the time left) improve it, up to the core at
   ``theta = UB - LB`` (all the time left). Once a core whose ``theta`` is at least
   ``UB - LB`` is solved (or the bound meets the incumbent) the plan is proven
   optimal: every cheaper plan would lie in that core. A core of more than
   ``CORE_LIMIT`` options is not built; smaller ones are tried instead.

Why it is exact: the Lagrangian bound is valid for any ``lam >= 0`` (the block bounds
are valid lower bounds of unevaluated central stocks), the fixing removes only options
that cannot be in a plan cheaper than a known feasible plan, and the MILP on what is
left is solved to optimality; the result is ``proven`` only then. "Optimal" is for the
rows with the safety hair (a plan within ``ROW_SAFETY |log T_j|`` of a target in the
log is not used), and within the Poisson tail of every location. The returned stock is
checked with :func:`~planner.optimise.spares.measures.depot_availability` and
:func:`~planner.optimise.spares.measures.depot_fill_rates`: a missed target or floor
is a bug and raises AssertionError.

Limits: the Dantzig-Wolfe bound leaves an integrality gap, and closing it is a
knapsack with one near-tight row per depot, where branch and bound may need very many
nodes. The bundled crawler crane and excavator are proven optimal in a fraction of a
second; the bundled concrete pump and random instances of 100 parts or more by 10
depots are not proven in minutes (gap about 2e-4 to 5e-4 of the investment; HiGHS
explores tens of thousands of nodes on cores of a few hundred options). At the
deadline, or after ``UNTIMED_SECONDS`` when no deadline is given, the best plan found
is returned with ``proven=False`` and the best proven lower bound (the Lagrangian
bound, or the MILP's when its core held every cheaper plan). ``proven`` and the MILP's
bound refer to the rows with the safety hair.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy import special

from planner.models.status import Status
from planner.optimise.highs import HighsModel, new_highs, pass_model
from planner.optimise.metric import ebo, fill_rate
from planner.optimise.spares.instance import F64, I64, TAIL, Instance
from planner.optimise.spares.measures import depot_availability, depot_fill_rates, measure
from planner.optimise.spares.settings import SparesSettings

__all__ = ["ROW_SAFETY", "AvailabilityOutcome", "solve_availability"]

ROW_SAFETY = 1e-9
"""Safety of the log-availability rows, as a share of ``|log T_j|`` (HiGHS's
feasibility tolerance is set ten times tighter)."""
MIP_REL_GAP = 1e-9
"""Relative gap at which the core MILP counts as solved to optimality."""
CORE_LIMIT = 60_000
"""Depot options the core MILP may hold; past it a smaller ``theta`` is solved first."""
THETA0 = 1e-5
"""First fixing threshold of the core MILPs, as a share of the bound."""
THETA_GROWTH = 4.0
"""Growth of the fixing threshold from one core MILP to the next (up to UB - LB)."""
THETA_TIME_SHARE = 0.25
"""Share of the time left that a core MILP short of UB - LB may take."""
UNTIMED_SECONDS = 30.0
"""Time a solve without a deadline is given (seconds): past it the best plan is returned
unproven, with its bound (a core MILP of a hard instance may not close in hours)."""
GRID = 17
"""Central stocks evaluated first per part (evenly spread); more are evaluated lazily."""
SMOOTHING = 0.5
"""Wentges smoothing of the column generation: pricing at this share of the best
multipliers so far plus the rest of the LP's."""
MAX_ROUNDS = 400
"""Column-generation rounds at most (the bound is valid after any round)."""
_MIP_OPTIONS: dict[str, float | bool] = {
    "mip_rel_gap": MIP_REL_GAP / 2,
    "mip_abs_gap": 0.0,
    "mip_feasibility_tolerance": 1e-10,
    "primal_feasibility_tolerance": 1e-10,
    "small_matrix_value": 1e-12,
    "presolve_rule_off": 1 << 15,  # no probing: slow on these one-hot models
}


@dataclass(frozen=True)
class AvailabilityOutcome:
    """Stock of the availability objective.

    ``central`` (P,) and ``stock`` (P, J) whole units; ``proven`` when the plan is
    optimal (core MILP solved to a relative gap of 1e-9); ``bound`` a proven lower
    bound on the investment; ``reason`` set when the problem is infeasible (``central``
    and ``stock`` then hold the most stock of the domain, the best effort).
    """

    central: I64
    stock: I64
    proven: bool
    bound: float
    reason: str | None


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


class _Part:
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


def _run_mip(
    model: HighsModel, time_limit: float | None, cutoff: float
) -> tuple[Status, NDArray | None, float | None]:
    """HiGHS on the core MILP with tight feasibility tolerances, a relative gap of half
    ``MIP_REL_GAP`` and only plans cheaper than ``cutoff`` sought: (status, column
    values, proven bound). INFEASIBLE means no plan cheaper than the cutoff."""
    h = new_highs()
    for key, value in _MIP_OPTIONS.items():
        h.setOptionValue(key, value)
    h.setOptionValue("objective_bound", float(cutoff))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    pass_model(h, model, model.integer)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kObjectiveBound):
        return Status.INFEASIBLE, None, bound
    values = np.asarray(h.getSolution().col_value) if info.primal_solution_status == 2 else None
    if status == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL, values, bound
    return (Status.NO_PLAN if values is None else Status.FEASIBLE), values, bound


# ------------------------------------------------------------------ master LP


class _Master:
    """The Dantzig-Wolfe master LP: per part a convex combination of whole-part plans,
    per depot a log-availability row (scaled by ``1 / |log T_j|``)."""

    def __init__(self, n_parts: int, scale_rows: F64, rhs_scaled: F64, cost_scale: float):
        self.h = new_highs()
        self.n_parts = n_parts
        self.n_rows = len(scale_rows)
        self.scale_rows = scale_rows
        self.cost_scale = cost_scale
        lower = np.concatenate([np.ones(n_parts), rhs_scaled])
        upper = np.concatenate([np.ones(n_parts), np.full(self.n_rows, np.inf)])
        none = np.zeros(0, dtype=np.int32)
        self.h.addRows(len(lower), lower, upper, 0, none, none, np.zeros(0))
        self.cols: list[tuple[int, int, I64, float, F64]] = []

    def add(self, p: int, s0: int, s_t: I64, inv: float, g_rows: I64, g: F64) -> None:
        vals = g / self.scale_rows[g_rows]
        nz = vals != 0.0
        idx = np.concatenate([[p], self.n_parts + g_rows[nz]]).astype(np.int32)
        data = np.concatenate([[1.0], vals[nz]])
        self.h.addCols(
            1,
            np.array([inv / self.cost_scale]),
            np.zeros(1),
            np.full(1, np.inf),
            len(idx),
            np.zeros(1, dtype=np.int32),
            idx,
            data,
        )
        self.cols.append((p, s0, s_t.copy(), inv, g.copy()))

    def solve(self) -> tuple[bool, float, F64, F64, F64]:
        """(optimal, objective, part duals, depot multipliers lam, column values)."""
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False, math.inf, np.zeros(0), np.zeros(0), np.zeros(0)
        sol = self.h.getSolution()
        dual = np.asarray(sol.row_dual)
        mu = dual[: self.n_parts] * self.cost_scale
        lam = np.maximum(dual[self.n_parts :], 0.0) * self.cost_scale / self.scale_rows
        obj = float(self.h.getInfo().objective_function_value) * self.cost_scale
        return True, obj, mu, lam, np.asarray(sol.col_value)


# ------------------------------------------------------------------ the solve


@dataclass
class _Plan:
    """A plan of the relevant parts: s0 and stock at T (by part), its investment."""

    s0: list[int]
    s_t: list[I64]
    investment: float


class _Solve:
    def __init__(self, inst: Instance, deadline: float | None) -> None:
        self.inst = inst
        self.deadline = deadline
        self.trace: list[dict] = []
        n_parts, n_dep = inst.demand.shape
        has_target = np.isfinite(inst.target) & (inst.installed > 0)
        self.log_t = np.where(has_target, np.log(np.where(has_target, inst.target, 1.0)), 0.0)
        self.rhs = self.log_t + ROW_SAFETY * np.abs(self.log_t)
        self.central = np.zeros(n_parts, dtype=np.int64)
        self.stock = np.zeros((n_parts, n_dep), dtype=np.int64)
        self.rel: list[_Part] = []
        self.other: list[_Part] = []
        self.free: list[_Part] = []
        for i in range(n_parts):
            if not (inst.demand[i] > 0).any():
                continue
            t_mask = has_target & bool(inst.essential[i])
            part = _Part(inst, i, t_mask, self.rhs)
            if part.n_t == 0:
                self.other.append(part)
            elif part.c <= 0.0:
                self.free.append(part)
            else:
                self.rel.append(part)
        # depot rows: target depots that some relevant part serves
        used = sorted({int(j) for p in self.rel for j in p.tdep})
        self.rows = np.array(used, dtype=np.int64)
        self.row_of = {j: r for r, j in enumerate(used)}
        for p in self.rel:
            p.g_rows = np.array([self.row_of[int(j)] for j in p.tdep], dtype=np.int64)

    def timed_out(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(self.deadline - time.monotonic(), 0.01)

    # -------------------------------------------------------------- plans and checks

    def put(self, part: _Part, s0: int, depot_stock: I64) -> None:
        self.central[part.i] = s0
        self.stock[part.i, part.dep] = depot_stock

    def put_plan(self, plan: _Plan) -> None:
        for part, s0, s_t in zip(self.rel, plan.s0, plan.s_t, strict=True):
            self.put(part, s0, part.stock_at(s0, s_t)[0])

    def row_sums(self, plan: _Plan) -> F64:
        tot = np.zeros(len(self.rows))
        for part, s0, s_t in zip(self.rel, plan.s0, plan.s_t, strict=True):
            tot[part.g_rows] += part.stock_at(s0, s_t)[1]
        return tot

    def measured_ok(self) -> tuple[bool, bool]:
        """(every target met, every floor met) by the measured values of the stock."""
        inst = self.inst
        meas = measure(inst, self.central, self.stock)
        avail = depot_availability(inst, meas.ebo)
        tgt = np.isfinite(inst.target) & (inst.installed > 0)
        targets_ok = bool((avail[tgt] >= inst.target[tgt]).all())
        fr = depot_fill_rates(inst, self.central, self.stock)
        floors_ok = bool((fr >= inst.floor[:, None])[inst.demand > 0].all())
        return targets_ok, floors_ok

    # -------------------------------------------------------------- main

    def run(self) -> AvailabilityOutcome:
        const = 0.0
        # parts with floors only: each on its own, cheapest central stock
        for part in self.other:
            part.refine(np.zeros(0), None, None)
            r = part.rows(np.zeros(0))[0]
            k = int(np.argmin(r))
            if not np.isfinite(r[k]):
                return self.floor_infeasible()
            s0 = int(part.e[k])
            self.put(part, s0, part.stock_at(s0, np.zeros(0, np.int64))[0])
            const += float(r[k])
        for part in self.free:
            self.put(part, *part.max_plan())
        # the most stock of the domain: are the floors and the targets reachable?
        top = self.max_plan()
        targets_ok, floors_ok = self.measured_ok()
        if not floors_ok:
            return self.floor_infeasible()
        if not targets_ok:
            return self.target_infeasible()
        if not self.rel:
            return self.finish(True, const)
        if top is None or (self.row_sums(top) < self.rhs[self.rows]).any():
            # the most stock meets the targets, but not with the safety hair: keep it
            return self.finish(False, const)
        return self.optimise(top, const)

    def max_plan(self) -> _Plan | None:
        """Put the most stock of every relevant part; the plan, or None if an option of
        it is forbidden (a floor, or g below log T with the safety hair)."""
        s0s, sts = [], []
        inv = 0.0
        for part in self.rel:
            s0, st = part.max_plan()
            self.put(part, s0, st)
            part.evaluate(np.array([s0]))
            k = int(np.searchsorted(part.e, s0))
            s_t = st[part.t]
            s0s.append(s0)
            sts.append(s_t)
            inv += part.c * (s0 + st.sum())
            if not part.f_ok[k] or (s_t < part.lo[k]).any():
                return None
        return _Plan(s0s, sts, inv)

    def optimise(self, top: _Plan, const: float) -> AvailabilityOutcome:
        master, lam, rhos = self.column_generation(top, const)
        rel = self.rel
        lams = [lam[p.g_rows] for p in rel]
        rhs = self.rhs[self.rows]
        lb = self.lb
        # bound of the problem without the safety hair
        bound = lb - float(lam @ (rhs - self.log_t[self.rows]))
        # incumbent: the LP solution rounded up, or the best columns at the multipliers,
        # repaired and trimmed by marginal analysis; or the most stock
        ub_plan = top
        at_lam = [p.column(lp)[:2] for p, lp in zip(rel, lams, strict=True)]
        for start in (
            self.round_lp(master),
            _Plan([c[0] for c in at_lam], [c[1] for c in at_lam], 0.0),
        ):
            got = None if start is None else self.repair(start)
            if got is not None and got.investment < ub_plan.investment:
                ub_plan = got
        ub = ub_plan.investment + const
        # the core MILPs: a small core first (a good incumbent, cheaply), then larger
        # ones (each on a share of the time left) up to the core that holds every plan
        # cheaper than the incumbent (the proof, on all the time left)
        proven = False
        solved = 0.0  # largest theta whose core MILP was solved
        theta = max(THETA0 * abs(lb), 1e-9)
        while True:
            gap = ub - lb
            tol = 1e-9 * max(1.0, abs(ub))
            if gap <= tol:
                proven = True  # the bound meets the incumbent
                break
            if self.timed_out():
                break
            theta = min(theta, gap + tol)
            full = theta >= gap
            maybe = [
                p.core(lp, rho, theta, self.deadline)
                for p, lp, rho in zip(rel, lams, rhos, strict=True)
            ]
            if any(core is None for core in maybe):
                break
            cores = [core for core in maybe if core is not None]
            n_options = sum(len(s) for core in cores for _, _, opts in core for s, _ in opts)
            if n_options > CORE_LIMIT:
                if theta <= 2.0 * solved:
                    break
                theta = max(theta / 2.0, solved)
                continue
            t_mip = time.monotonic()
            got, status, mip_bound = self.solve_core(
                cores, ub - const, 1.0 if full else THETA_TIME_SHARE
            )
            self.trace.append(
                {
                    "lb": lb,
                    "ub": ub,
                    "theta": theta,
                    "options": n_options,
                    "status": status,
                    "found": None if got is None else got.investment + const,
                    "seconds": time.monotonic() - t_mip,
                }
            )
            if got is not None and got.investment + const < ub:
                ub_plan, ub = got, got.investment + const
            if status not in (Status.OPTIMAL, Status.INFEASIBLE):
                if full:
                    if mip_bound is not None:
                        # every plan cheaper than the incumbent was in this core
                        bound = max(bound, min(ub, mip_bound + const))
                    break
                theta = math.inf  # its share of the time ran out: the full core next
                continue
            solved = theta
            if theta >= ub - lb:
                proven = True
                break
            theta *= THETA_GROWTH
        self.put_plan(ub_plan)
        return self.finish(proven, ub if proven else bound, ub)

    def column_generation(self, top: _Plan, const: float) -> tuple[_Master, F64, list[float]]:
        """Multipliers of the depot rows by column generation on the master LP; sets
        ``self.lb``, the best Lagrangian bound, and returns the master, the multipliers
        of that bound and each part's lower bound ``rho`` at them.

        Pricing first uses the evaluated central stocks only (their bound still counts
        the unevaluated blocks, so the Lagrangian bound stays valid); when no column
        prices out, the blocks are refined to the exact minimum and priced again."""
        rel = self.rel
        rhs = self.rhs[self.rows]
        scale_rows = np.abs(self.log_t[self.rows])
        cost_scale = max(1.0, float(np.median([p.c for p in rel])))
        master = _Master(len(rel), scale_rows, rhs / scale_rows, cost_scale)
        for pi, part in enumerate(rel):
            st, g = part.stock_at(top.s0[pi], top.s_t[pi])
            inv = part.c * (top.s0[pi] + st.sum())
            master.add(pi, top.s0[pi], top.s_t[pi], inv, part.g_rows, g)
            lam0 = np.zeros(part.n_t)
            part.lower_bound(lam0)
            s0, s_t, inv, g = part.column(lam0)
            master.add(pi, s0, s_t, inv, part.g_rows, g)
        best_lam = np.zeros(len(rhs))
        best_rho = [p.lower_bound(best_lam[p.g_rows]) for p in rel]
        best_lb = sum(best_rho) + const
        lp_obj = math.inf
        self.rounds = 0
        exact = False

        def price(lam: F64, lam_lp: F64, mu: F64) -> tuple[float, list[float], int]:
            """Lagrangian bound and part bounds at ``lam``; the parts' best plans there
            that price out at the LP duals (``lam_lp``, ``mu``) join the master."""
            rhos = []
            added = 0
            for pi, part in enumerate(rel):
                lp = lam[part.g_rows]
                if exact:
                    rhos.append(part.refine(lp, None, self.deadline))
                else:
                    rhos.append(part.lower_bound(lp))
                s0, s_t, inv, g = part.column(lp)
                if inv - float(lam_lp[part.g_rows] @ g) - mu[pi] < -1e-9 * max(1.0, abs(inv)):
                    master.add(pi, s0, s_t, inv, part.g_rows, g)
                    added += 1
            return float(lam @ rhs) + sum(rhos) + const, rhos, added

        while self.rounds < MAX_ROUNDS and not self.timed_out():
            self.rounds += 1
            ok, lp_obj, mu, lam_lp, _ = master.solve()
            if not ok:
                break
            # Wentges smoothing: price between the best multipliers and the LP's
            lam = SMOOTHING * best_lam + (1.0 - SMOOTHING) * lam_lp
            lb, rhos, added = price(lam, lam_lp, mu)
            if lb > best_lb:
                best_lb, best_lam, best_rho = lb, lam.copy(), rhos
            if added == 0 and not np.array_equal(lam, lam_lp):
                lb, rhos, added = price(lam_lp, lam_lp, mu)  # a mispricing
                if lb > best_lb:
                    best_lb, best_lam, best_rho = lb, lam_lp.copy(), rhos
            if lp_obj + const - best_lb <= 1e-9 * max(1.0, abs(lp_obj)):
                break
            if added == 0:
                if exact:
                    break
                exact = True
            else:
                exact = False
        self.lb = best_lb
        self.lp_obj = lp_obj
        return master, best_lam, best_rho

    def round_lp(self, master: _Master) -> _Plan | None:
        """The LP solution rounded up: per part its used column of most investment."""
        ok, _, _, _, x = master.solve()
        if not ok:
            return None
        best: dict[int, tuple[float, int]] = {}
        for k, (p, _, _, inv, _) in enumerate(master.cols):
            if k < len(x) and x[k] > 1e-9 and (p not in best or inv > best[p][0]):
                best[p] = (inv, k)
        if len(best) < len(self.rel):
            return None
        cols = [master.cols[best[pi][1]] for pi in range(len(self.rel))]
        return _Plan([c[1] for c in cols], [c[2] for c in cols], 0.0)

    def repair(self, plan: _Plan) -> _Plan | None:
        """Marginal analysis at fixed central stocks: add the depot unit of most
        availability gain (up to the row's deficit) per cost until every row holds, then
        drop units of most cost per availability lost while every row still holds. None
        if the rows cannot be met at these central stocks."""
        rel = self.rel
        tabs, rows, cost, idx = [], [], [], []
        for part, s0, s_t in zip(rel, plan.s0, plan.s_t, strict=True):
            k = int(np.searchsorted(part.e, s0))
            for jt in range(part.n_t):
                g = part.g[k, jt]
                tabs.append(g[np.isfinite(g)])
                rows.append(int(part.g_rows[jt]))
                cost.append(part.c)
                idx.append(int(s_t[jt] - part.lo[k, jt]))
        if not tabs:
            return None
        width = max(len(t) for t in tabs)
        tab = np.full((len(tabs), width + 1), np.nan)
        for n, t in enumerate(tabs):
            tab[n, : len(t)] = t
        length = np.array([len(t) for t in tabs])
        row = np.array(rows)
        c = np.array(cost)
        at = np.array(idx)
        n = np.arange(len(tabs))
        rhs = self.rhs[self.rows]
        if (at < 0).any() or (at >= length).any():
            return None
        sums = np.bincount(row, tab[n, at], minlength=len(rhs))
        while True:
            deficit = rhs - sums
            if not (deficit > 0).any():
                break
            can = at + 1 < length
            up = np.where(can, tab[n, np.minimum(at + 1, width)] - tab[n, at], 0.0)
            gain = np.minimum(up, np.maximum(deficit[row], 0.0))
            score = np.where(can & (gain > 0), gain / np.maximum(c, 1e-300), -np.inf)
            k = int(np.argmax(score))
            if not np.isfinite(score[k]):
                return None
            at[k] += 1
            sums = np.bincount(row, tab[n, at], minlength=len(rhs))
        while True:
            slack = sums - rhs
            can = at > 0
            down = np.where(can, tab[n, at] - tab[n, np.maximum(at - 1, 0)], np.inf)
            ok = can & (down <= slack[row])
            if not ok.any():
                break
            score = np.where(ok, c / np.maximum(down, 1e-300), -np.inf)
            k = int(np.argmax(score))
            at[k] -= 1
            sums = np.bincount(row, tab[n, at], minlength=len(rhs))
        out = _Plan(list(plan.s0), [], 0.0)
        pos = 0
        for part, s0 in zip(rel, plan.s0, strict=True):
            k = int(np.searchsorted(part.e, s0))
            s_t = part.lo[k] + at[pos : pos + part.n_t]
            pos += part.n_t
            out.s_t.append(s_t)
            out.investment += part.c * (s0 + s_t.sum()) + float(part.fixed[k])
        return out

    def solve_core(
        self, cores: list, cutoff: float, share: float
    ) -> tuple[_Plan | None, Status, float | None]:
        """The core MILP: (its plan or None, status, proven bound on the core).

        Rows: the depot rows first, then per part its one-hot over s0 and per (part, s0,
        depot) the link of the depot's one-hot to the s0 column."""
        scale = np.abs(self.log_t[self.rows])
        n_dep = len(self.rows)
        row_lo: list[float] = list(self.rhs[self.rows] / scale)
        row_hi: list[float] = [np.inf] * n_dep
        cost: list[float] = []
        rows_of: list[list[int]] = []
        vals_of: list[list[float]] = []
        where: list[tuple[int, int, int, int]] = []  # (part, s0, depot or -1, stock)
        for pi, (part, core) in enumerate(zip(self.rel, cores, strict=True)):
            conv = len(row_lo)
            row_lo.append(1.0)
            row_hi.append(1.0)
            for s0, fixed, opts in core:
                link0 = len(row_lo)
                row_lo += [0.0] * part.n_t
                row_hi += [0.0] * part.n_t
                cost.append(fixed)
                rows_of.append([conv, *range(link0, link0 + part.n_t)])
                vals_of.append([1.0] + [-1.0] * part.n_t)
                where.append((pi, s0, -1, s0))
                for jt, (svals, gvals) in enumerate(opts):
                    r = int(part.g_rows[jt])
                    for s, g in zip(svals.tolist(), (gvals / scale[r]).tolist(), strict=True):
                        cost.append(part.c * s)
                        if g != 0.0:
                            rows_of.append([link0 + jt, r])
                            vals_of.append([1.0, g])
                        else:
                            rows_of.append([link0 + jt])
                            vals_of.append([1.0])
                        where.append((pi, s0, jt, s))
        n_cols = len(cost)
        indptr = np.zeros(n_cols + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows_of], out=indptr[1:])
        a = sp.csc_matrix(
            (np.concatenate(vals_of), np.concatenate(rows_of), indptr),
            shape=(len(row_lo), n_cols),
        )
        model = HighsModel(
            cost=np.array(cost),
            lower=np.zeros(n_cols),
            upper=np.ones(n_cols),
            row_lower=np.array(row_lo),
            row_upper=np.array(row_hi),
            a=a,
            integer=np.ones(n_cols, dtype=bool),
        )
        left = self.remaining()
        limit = None if left is None else share * left
        status, values, bound = _run_mip(model, limit, cutoff * (1 + 1e-12) + 1e-9)
        self.mip_cols = n_cols
        if values is None:
            return None, status, bound
        on = values > 0.5
        plan = _Plan([0] * len(self.rel), [np.zeros(p.n_t, np.int64) for p in self.rel], 0.0)
        chosen = {pi: s0 for (pi, s0, jt, _), v in zip(where, on, strict=True) if v and jt < 0}
        for (pi, s0, jt, s), v in zip(where, on, strict=True):
            if v and jt >= 0 and chosen.get(pi) == s0:
                plan.s_t[pi][jt] = s
        plan.s0 = [chosen[pi] for pi in range(len(self.rel))]
        plan.investment = float(model.cost @ on)
        # the rows recomputed from the options chosen (HiGHS's tolerance is ten times
        # tighter than the safety hair); a plan that misses them is not used
        half = self.log_t[self.rows] + 0.5 * (self.rhs - self.log_t)[self.rows]
        if (self.row_sums(plan) < half).any():
            self.trace.append({"rejected": plan.investment})
            return None, Status.NO_PLAN, None
        return plan, status, bound

    # -------------------------------------------------------------- outcomes

    def finish(self, proven: bool, bound: float, ub: float | None = None) -> AvailabilityOutcome:
        targets_ok, floors_ok = self.measured_ok()
        if not (targets_ok and floors_ok):
            raise AssertionError(
                "availability plan misses a target or a floor as measured "
                f"(targets met: {targets_ok}, floors met: {floors_ok})"
            )
        inv = measure(self.inst, self.central, self.stock).investment
        if ub is not None and not math.isclose(inv, ub, rel_tol=1e-9, abs_tol=1e-9):
            raise AssertionError(f"availability plan costs {inv!r}, the solve said {ub!r}")
        if proven:
            bound = inv
        return AvailabilityOutcome(self.central, self.stock, proven, float(min(bound, inv)), None)

    def floor_infeasible(self) -> AvailabilityOutcome:
        inst = self.inst
        for p in [*self.rel, *self.other, *self.free]:
            s0, st = p.max_plan()
            self.put(p, s0, st)
        fr = depot_fill_rates(inst, self.central, self.stock)
        bad = np.argwhere((fr < inst.floor[:, None]) & (inst.demand > 0))
        if len(bad) == 0:
            raise AssertionError("a floor was found unreachable but the most stock meets it")
        i, j = (int(v) for v in bad[0])
        reason = (
            f"fill-rate floor {inst.floor[i]} of part {inst.part_ids[i]!r} at depot "
            f"{inst.depot_ids[j]!r} cannot be met: the best fill rate reachable there is "
            f"{float(fr[i, j])!r} (stock up to a Poisson tail of {TAIL:g} per location)"
        )
        return AvailabilityOutcome(self.central, self.stock, False, math.inf, reason)

    def target_infeasible(self) -> AvailabilityOutcome:
        inst = self.inst
        for p in [*self.rel, *self.free]:
            s0, st = p.max_plan()
            self.put(p, s0, st)
        meas = measure(inst, self.central, self.stock)
        avail = depot_availability(inst, meas.ebo)
        tgt = np.isfinite(inst.target) & (inst.installed > 0)
        bad = np.flatnonzero(tgt & ~(avail >= inst.target))
        parts = [
            f"availability target {inst.target[j]} at depot {inst.depot_ids[j]!r} is beyond "
            f"the best availability reachable there, {float(avail[j])!r}"
            for j in bad
        ]
        reason = "; ".join(parts) + f" (stock up to a Poisson tail of {TAIL:g} per location)"
        return AvailabilityOutcome(self.central, self.stock, False, math.inf, reason)


def solve_availability(
    inst: Instance, deadline: float | None, settings: SparesSettings
) -> AvailabilityOutcome:
    """Least investment meeting every depot's availability target and every floor.

    ``deadline`` is a :func:`time.monotonic` value (None: no limit); ``settings`` are
    the solve's :class:`SparesSettings` (no field applies to this objective yet).
    """
    del settings
    if deadline is None:
        deadline = time.monotonic() + UNTIMED_SECONDS
    return _Solve(inst, deadline).run()
