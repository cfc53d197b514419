"""The Dantzig-Wolfe bound of the availability objective (see :mod:`.availability`).

:class:`Master`, the master LP on HiGHS (per part a convex combination of whole-part
plans, per depot a log-availability row), :func:`column_generation`, which finds the
multipliers of the depot rows and the best Lagrangian bound, and :func:`round_lp`, the
LP solution rounded up to a plan (a start of the incumbent).
"""

from __future__ import annotations

import math

import highspy
import numpy as np

from planner.optimise.highs import new_highs
from planner.optimise.spares.availability_plans import Plan, SolveState
from planner.optimise.spares.instance import F64, I64

__all__ = ["MAX_ROUNDS", "SMOOTHING", "Master", "column_generation", "round_lp"]

SMOOTHING = 0.5
"""Wentges smoothing of the column generation: pricing at this share of the best
multipliers so far plus the rest of the LP's."""
MAX_ROUNDS = 400
"""Column-generation rounds at most (the bound is valid after any round)."""


class Master:
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


def column_generation(
    state: SolveState, top: Plan, const: float
) -> tuple[Master, F64, list[float]]:
    """Multipliers of the depot rows by column generation on the master LP; sets
    ``state.lb``, the best Lagrangian bound (and ``state.lp_obj``, ``state.rounds``),
    and returns the master, the multipliers of that bound and each part's lower bound
    ``rho`` at them.

    Pricing first uses the evaluated central stocks only (their bound still counts
    the unevaluated blocks, so the Lagrangian bound stays valid); when no column
    prices out, the blocks are refined to the exact minimum and priced again."""
    rel = state.rel
    rhs = state.rhs[state.rows]
    scale_rows = np.abs(state.log_t[state.rows])
    cost_scale = max(1.0, float(np.median([p.c for p in rel])))
    master = Master(len(rel), scale_rows, rhs / scale_rows, cost_scale)
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
    state.rounds = 0
    exact = False

    def price(lam: F64, lam_lp: F64, mu: F64) -> tuple[float, list[float], int]:
        """Lagrangian bound and part bounds at ``lam``; the parts' best plans there
        that price out at the LP duals (``lam_lp``, ``mu``) join the master."""
        rhos = []
        added = 0
        for pi, part in enumerate(rel):
            lp = lam[part.g_rows]
            if exact:
                rhos.append(part.refine(lp, None, state.deadline))
            else:
                rhos.append(part.lower_bound(lp))
            s0, s_t, inv, g = part.column(lp)
            if inv - float(lam_lp[part.g_rows] @ g) - mu[pi] < -1e-9 * max(1.0, abs(inv)):
                master.add(pi, s0, s_t, inv, part.g_rows, g)
                added += 1
        return float(lam @ rhs) + sum(rhos) + const, rhos, added

    while state.rounds < MAX_ROUNDS and not state.timed_out():
        state.rounds += 1
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
    state.lb = best_lb
    state.lp_obj = lp_obj
    return master, best_lam, best_rho


def round_lp(state: SolveState, master: Master) -> Plan | None:
    """The LP solution rounded up: per part its used column of most investment."""
    ok, _, _, _, x = master.solve()
    if not ok:
        return None
    best: dict[int, tuple[float, int]] = {}
    for k, (p, _, _, inv, _) in enumerate(master.cols):
        if k < len(x) and x[k] > 1e-9 and (p not in best or inv > best[p][0]):
            best[p] = (inv, k)
    if len(best) < len(state.rel):
        return None
    cols = [master.cols[best[pi][1]] for pi in range(len(state.rel))]
    return Plan([c[1] for c in cols], [c[2] for c in cols], 0.0)
