"""The state of one solve of the availability objective (see :mod:`.availability`).

:class:`Plan`, a plan of the parts that meet depot rows, and :class:`SolveState`: the
parts by role, the depot rows (log targets with the safety hair), the stock being built,
the deadline and the trace, with the checks of a plan (its row sums, the measured targets
and floors) and its repair by marginal analysis at fixed central stocks.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from planner.optimise.spares.availability_options import Part
from planner.optimise.spares.instance import F64, I64, Instance
from planner.optimise.spares.measures import depot_availability, depot_fill_rates, measure

__all__ = ["ROW_SAFETY", "Plan", "SolveState"]

ROW_SAFETY = 1e-9
"""Safety of the log-availability rows, as a share of ``|log T_j|`` (HiGHS's
feasibility tolerance is set ten times tighter)."""


@dataclass
class Plan:
    """A plan of the relevant parts: s0 and stock at T (by part), its investment."""

    s0: list[int]
    s_t: list[I64]
    investment: float


class SolveState:
    """One solve's parts and depot rows, and the stock it builds.

    ``rel`` are the parts with target depots and a cost (the ones optimised), ``other``
    those with floors only, ``free`` those of unit cost 0; ``rows`` the target depots some
    part of ``rel`` serves (each part's ``g_rows`` its depots' rows); ``central`` and
    ``stock`` the stock put so far. The phases record what they found on it: ``trace``
    (the core MILPs), ``lb``, ``lp_obj`` and ``rounds`` (the column generation) and
    ``mip_cols`` (the last core MILP's columns).
    """

    def __init__(self, inst: Instance, deadline: float | None) -> None:
        self.inst = inst
        self.deadline = deadline
        self.trace: list[dict] = []
        self.lb = -math.inf
        self.lp_obj = math.inf
        self.rounds = 0
        self.mip_cols = 0
        n_parts, n_dep = inst.demand.shape
        has_target = np.isfinite(inst.target) & (inst.installed > 0)
        self.log_t = np.where(has_target, np.log(np.where(has_target, inst.target, 1.0)), 0.0)
        self.rhs = self.log_t + ROW_SAFETY * np.abs(self.log_t)
        self.central = np.zeros(n_parts, dtype=np.int64)
        self.stock = np.zeros((n_parts, n_dep), dtype=np.int64)
        self.rel: list[Part] = []
        self.other: list[Part] = []
        self.free: list[Part] = []
        for i in range(n_parts):
            if not (inst.demand[i] > 0).any():
                continue
            t_mask = has_target & bool(inst.essential[i])
            part = Part(inst, i, t_mask, self.rhs)
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

    def put(self, part: Part, s0: int, depot_stock: I64) -> None:
        self.central[part.i] = s0
        self.stock[part.i, part.dep] = depot_stock

    def put_plan(self, plan: Plan) -> None:
        for part, s0, s_t in zip(self.rel, plan.s0, plan.s_t, strict=True):
            self.put(part, s0, part.stock_at(s0, s_t)[0])

    def row_sums(self, plan: Plan) -> F64:
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

    # -------------------------------------------------------------- the incumbent

    def repair(self, plan: Plan) -> Plan | None:
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
        out = Plan(list(plan.s0), [], 0.0)
        pos = 0
        for part, s0 in zip(rel, plan.s0, strict=True):
            k = int(np.searchsorted(part.e, s0))
            s_t = part.lo[k] + at[pos : pos + part.n_t]
            pos += part.n_t
            out.s_t.append(s_t)
            out.investment += part.c * (s0 + s_t.sum()) + float(part.fixed[k])
        return out
