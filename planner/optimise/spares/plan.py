"""The knapsack over the option tables: the plan of a solve, from tables to stock.

Combining groups exactly is a multiple-choice knapsack (:mod:`planner.optimise.mckp`):
choose one option per group, minimise the objective subject to one resource. Budget
mode: options weigh their investment and are worth their (weighted) backorders, the
capacity is the budget (plus :func:`budget_tol`). Fill mode: the roles swap
(:func:`reverse_groups`): options weigh their fill shortfall as a share of the total
weighted demand and are worth their investment, and the capacity is ``1 - F`` (a hair
inside, so that the plan meets ``F``). Every option meets the parts' fill-rate floors
and each group's first option is its cheapest floor stock, so the knapsack has no
feasible choice exactly when a budget is below the floors' cost (or a target is out of
reach). :func:`plan_stock` builds the full tables (:mod:`.tables`) and the lazy ones
(:mod:`.lazy`), runs the knapsack and refines the lazy tables until their certificate
holds; :func:`allocate_plan` turns the chosen options into stock per location.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from planner.optimise.mckp import MckpResult, solve_mckp
from planner.optimise.spares.instance import F64, I64, Instance
from planner.optimise.spares.lazy import LazyPart, certify, join_tables, lazy_split
from planner.optimise.spares.settings import SparesSettings
from planner.optimise.spares.tables import Tables, allocate, build_tables, make_groups

__all__ = [
    "Plan",
    "allocate_plan",
    "budget_tol",
    "plan_stock",
    "reverse_groups",
    "run_mckp",
]


@dataclass
class Plan:
    """Tables of every group, the knapsack outcome and the lazily built parts."""

    tables: Tables
    out: MckpResult | None
    lazy: list[LazyPart]
    n_full: int  # groups 0..n_full-1 have full tables, the rest are the lazy parts


def run_mckp(
    tables: Tables,
    mode: str,
    budget: float | None,
    target: float,
    total: float,
    deadline: float | None,
    lp_only: bool = False,
    max_states: int = SparesSettings.max_states,
) -> tuple[MckpResult | None, float]:
    """The knapsack over the tables (choice in table option indices) and its capacity.

    ``total`` is the total weighted demand (fill mode); ``lp_only`` and ``max_states``
    as in :func:`~planner.optimise.mckp.solve_mckp`.
    """
    if mode == "budget":
        assert budget is not None
        tol = budget_tol(budget)
        out = solve_mckp(
            tables.ptr,
            tables.cost,
            tables.quality,
            budget,
            tol,
            deadline=deadline,
            lp_only=lp_only,
            max_states=max_states,
        )
        return out, budget + tol
    ptr, w, v, back = reverse_groups(tables)
    # shortfall as a share of the total (weighted) demand: 1 - F is the capacity
    # (no tolerance, and a hair inside, so that the plan's fill rate meets F)
    cap = (1.0 - target) * (1.0 - 1e-12)
    out = solve_mckp(
        ptr,
        w / total if total > 0 else w,
        v,
        cap,
        0.0,
        deadline=deadline,
        lp_only=lp_only,
        max_states=max_states,
    )
    if out is not None:
        out = replace(out, choice=back[out.choice])
    return out, cap


def plan_stock(
    inst: Instance,
    mode: str,
    budget: float | None,
    target: float,
    deadline: float | None,
    settings: SparesSettings,
) -> Plan:
    """Option tables and the proven-optimal knapsack choice over them.

    Parts with a central warehouse whose full table would be large are built lazily:
    central stocks are evaluated where the certificate of :func:`certify` asks.
    """
    grp = make_groups(inst, mode)
    lazy_mask = np.zeros(len(grp.part), dtype=bool)
    if inst.has_central:
        cells = (grp.s0_max + 1) * grp.dem.shape[1] * grp.k_max
        lazy_mask = (grp.mu0 > 0) & (grp.cost > 0) & (cells > settings.adapt_cells)
    full = build_tables(inst, mode, np.flatnonzero(~lazy_mask))
    lazy = [LazyPart(grp, int(g), mode, settings.init_s0) for g in np.flatnonzero(lazy_mask)]
    total = float((inst.weight[:, None] * inst.demand).sum())
    n_full = len(full.ptr) - 1
    max_states = settings.max_states
    # Refine against the greedy plan (cheap: no exact knapsack); a certificate for it
    # also holds for the optimum, which is no worse. Then solve exactly once.
    final = not lazy
    while True:
        asm = [lp.assemble() for lp in lazy]
        tables = join_tables(full, lazy, asm, grp.eps)
        out, cap = run_mckp(tables, mode, budget, target, total, deadline, not final, max_states)
        plan = Plan(tables, out, lazy, n_full)
        if out is None or not lazy or (final and not out.proven):
            return plan
        work, lower = certify(plan, asm, mode, cap, total, grp.eps)
        if all(w is None for w in work):
            if final:
                return plan
            final = True
            continue
        final = False
        cells = sum(len(lp.hi) * (lp.k_len + 1) for lp in lazy)
        if cells > settings.max_lazy_cells or (
            deadline is not None and time.monotonic() > deadline
        ):
            # out of memory budget or time: the best plan over the achievable options,
            # with the certificate's bound (not proven optimal)
            best, _ = run_mckp(tables, mode, budget, target, total, deadline, max_states=max_states)
            if best is None or best.value > out.value:
                best = out
            plan.out = MckpResult(
                best.choice, best.value, min(out.bound, lower), False, out.multiplier
            )
            return plan
        for lp, w in zip(lazy, work, strict=True):
            if w is None:
                continue
            new_s0, dp = w
            if len(new_s0):
                lp.evaluate(new_s0)
            for s0, k_top in dp.items():
                lp.make_exact(s0, k_top)


def allocate_plan(inst: Instance, plan: Plan, choice: I64, mode: str) -> tuple[I64, I64]:
    """Stock arrays for the chosen option of every group (full tables and lazy parts)."""
    t, nf = plan.tables, plan.n_full
    sub = Tables(t.ptr[: nf + 1], t.part[:nf], t.depot[:nf], t.units, t.s0, t.quality, t.cost)
    central, stock = allocate(inst, sub, choice[:nf], mode)
    for i, lp in enumerate(plan.lazy):
        o = int(choice[nf + i])
        p = int(t.part[nf + i])
        s0 = int(t.s0[o])
        central[p] = s0
        stock[p] = lazy_split(lp, s0, int(t.units[o]) - s0, float(t.quality[o]))
    return central, stock


def budget_tol(budget: float) -> float:
    """Tolerance on a budget: sums of float costs may pass an exact budget by rounding."""
    return 1e-9 * abs(budget)


def reverse_groups(tables: Tables) -> tuple[I64, F64, F64, I64]:
    """Fill mode: options per group by shortfall ascending (units descending).

    Returns ptr, w (shortfall), v (cost) and the map back to table option indices.
    """
    ptr = tables.ptr
    group = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    pos = np.arange(len(group)) - ptr[group]
    back = ptr[group] + (np.diff(ptr)[group] - 1 - pos)
    return ptr, tables.quality[back], tables.cost[back], back
