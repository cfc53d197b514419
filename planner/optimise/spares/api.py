"""The public functions of the spare-parts optimiser (re-exported by the package).

:func:`solve_spares` the proven optimum (or the best plan with a proven bound at a
time limit); :func:`greedy_spares` the classic marginal-analysis plan, for comparison;
:func:`spares_frontier` the efficient (investment, backorders) points for charts.
Every plan meets the parts' fill-rate floors (``spares/v2``): the option tables start
at the floor stock, so a budget below the floors' cost is infeasible (the result
carries the floor stock and names the dearest floor), and the stock returned is
checked against every floor.
"""

from __future__ import annotations

import time

import numpy as np

from planner.models.spares import SparesFrontierPoint, SparesProblem, SparesResult
from planner.models.status import Status
from planner.optimise.mckp import greedy_choice, lp_relaxation
from planner.optimise.spares.instance import I64, TAIL, Instance, make_instance
from planner.optimise.spares.measures import (
    Measures,
    depot_availability,
    depot_fill_rates,
    measure,
    other_models,
    stock_lines,
)
from planner.optimise.spares.plan import Plan, allocate_plan, budget_tol, plan_stock
from planner.optimise.spares.settings import SparesSettings
from planner.optimise.spares.tables import allocate, build_tables

__all__ = ["greedy_spares", "solve_spares", "spares_frontier"]

_DEFAULT = SparesSettings()


def solve_spares(
    problem: SparesProblem,
    time_limit: float | None = None,
    *,
    evaluate: bool = False,
    settings: SparesSettings | None = None,
) -> SparesResult:
    """Optimal stock levels for a ``spares/v1`` or ``spares/v2`` problem under METRIC.

    ``time_limit`` (seconds) bounds the exact finish; when it runs out the best plan is
    returned as ``feasible`` with a proven ``bound``. ``evaluate`` adds the plan's total
    backorders under VARI-METRIC and the exact model (slow for large problems). The
    parts' weights (v2, default 1) make the budget objective weighted backorders and the
    fill-rate target a weighted fill rate (the reported ``fill_rate`` and ``backorders``
    stay unweighted; ``bound`` refers to the weighted objective). Every plan meets the
    parts' fill-rate floors (v2): a budget below their cost is ``infeasible``, with the
    floor stock and the dearest floor's part and depot in the reason. The v2
    availability objective is solved by :mod:`.availability`. Fill rates with no demand
    at all are 1. ``settings`` tune the solve (default ``SparesSettings()``).
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    settings = settings or _DEFAULT
    inst = make_instance(problem)
    mode = problem.objective.kind
    if mode == "availability":
        from planner.optimise.spares.availability import solve_availability

        got = solve_availability(inst, deadline, settings)
        if got.reason is not None:
            assert got.central is not None and got.stock is not None
            return _result(
                inst, problem, got.central, got.stock, Status.INFEASIBLE, None, got.reason
            )
        status = Status.OPTIMAL if got.proven else Status.FEASIBLE
        bound = None if got.proven else float(max(got.bound, 0.0))
        assert got.central is not None and got.stock is not None
        result = _result(inst, problem, got.central, got.stock, status, bound, None)
    else:
        budget = problem.objective.budget
        target = float(problem.objective.target_fill_rate or 0.0)
        plan = plan_stock(inst, mode, budget, target, deadline, settings)
        out = plan.out
        if out is None:
            return _infeasible(inst, plan, mode, problem)
        central, stock = allocate_plan(inst, plan, out.choice, mode)
        _check_floors(inst, central, stock)
        bound = None if out.proven else float(max(out.bound, 0.0))
        status = Status.OPTIMAL if out.proven else Status.FEASIBLE
        result = _result(inst, problem, central, stock, status, bound, None)
        if evaluate:
            vari, exact = other_models(inst, central, stock)
            result = result.model_copy(
                update={"vari_metric_backorders": vari, "exact_backorders": exact}
            )
        return result
    if evaluate:
        central, stock = got.central, got.stock
        vari, exact = other_models(inst, central, stock)
        result = result.model_copy(
            update={"vari_metric_backorders": vari, "exact_backorders": exact}
        )
    return result


def _result(
    inst: Instance,
    problem: SparesProblem,
    central: I64,
    stock: I64,
    status: Status,
    bound: float | None,
    reason: str | None,
    meas: Measures | None = None,
) -> SparesResult:
    """The result of a plan's stock: METRIC measures (``meas``, when already measured),
    and for v2 the weighted backorders and the availability per depot with an installed
    base."""
    if meas is None:
        meas = measure(inst, central, stock)
    weighted = availability = None
    if problem.is_v2:
        weighted = float((inst.weight[:, None] * meas.ebo).sum())
        if inst.has_installed_base:
            per_depot = depot_availability(inst, meas.ebo)
            availability = {
                d: float(per_depot[j])
                for j, d in enumerate(inst.depot_ids)
                if inst.installed[j] > 0
            }
    return SparesResult(
        status=status,
        backorders=float(meas.ebo.sum()),
        investment=meas.investment,
        fill_rate=meas.fill_rate,
        stock=stock_lines(inst, central, stock),
        bound=bound,
        reason=reason,
        weighted_backorders=weighted,
        availability=availability,
    )


def _infeasible(inst: Instance, plan: Plan, mode: str, problem: SparesProblem) -> SparesResult:
    """Result of a knapsack without a feasible choice: a budget below the floors' cost
    (the floor stock: every group's first option) or an unreachable fill-rate target
    (the most stock the tables hold, and the best weighted fill rate it reaches)."""
    if mode == "budget":
        central, stock = allocate_plan(inst, plan, plan.tables.ptr[:-1], mode)
        reason = _floor_reason(inst, central, stock, float(problem.objective.budget or 0.0))
        return _result(inst, problem, central, stock, Status.INFEASIBLE, None, reason)
    last = plan.tables.ptr[1:] - 1
    central, stock = allocate_plan(inst, plan, last, mode)
    reason = (
        f"target fill rate {problem.objective.target_fill_rate} is beyond the best "
        f"reachable fill rate {_weighted_fill_rate(inst, central, stock):.15f} (stock up to "
        f"a Poisson tail of {TAIL:g} per location)"
    )
    return _result(inst, problem, central, stock, Status.INFEASIBLE, None, reason)


def _weighted_fill_rate(inst: Instance, central: I64, stock: I64) -> float:
    """The fill-rate objective of a plan: ``sum w m FR / sum w m`` (1 without any)."""
    wm = inst.weight[:, None] * inst.demand
    total = float(wm.sum())
    return float((wm * depot_fill_rates(inst, central, stock)).sum() / total) if total else 1.0


def _floor_reason(inst: Instance, central: I64, stock: I64, budget: float) -> str:
    """Why a budget cannot pay for the floor stock (``central``, ``stock``): its cost and
    the dearest floor (part and depot)."""
    cost = float((inst.cost * (central + stock.sum(axis=1))).sum())
    floored = (inst.floor[:, None] > 0) & (inst.demand > 0)
    value = np.where(floored, inst.cost[:, None] * stock, -1.0)
    i, j = np.unravel_index(int(np.argmax(value)), value.shape)
    at_central = f", and {central[i]} at the central warehouse" if central[i] else ""
    return (
        f"the fill-rate floors alone cost {cost:.2f}, more than the budget {budget:.2f}: "
        f"the dearest is part {inst.part_ids[i]!r} at depot {inst.depot_ids[j]!r} "
        f"(min_fill_rate {inst.floor[i]:g} needs {stock[i, j]} units there at "
        f"{inst.cost[i]:.2f} each{at_central})"
    )


def _check_floors(inst: Instance, central: I64, stock: I64) -> None:
    """Raise AssertionError naming the part and depot if ``stock`` misses a floor (a bug:
    the tables and the split only hold stock that meets them)."""
    if not inst.has_floors:
        return
    fr = depot_fill_rates(inst, central, stock)
    missed = (inst.demand > 0) & (fr < inst.floor[:, None])
    if missed.any():
        i, j = np.argwhere(missed)[0]
        raise AssertionError(
            f"part {inst.part_ids[i]!r} at depot {inst.depot_ids[j]!r}: fill rate "
            f"{fr[i, j]!r} below its floor {inst.floor[i]!r}"
        )


def greedy_spares(problem: SparesProblem) -> SparesResult:
    """The classic marginal-analysis plan: the efficient point of the convex-envelope
    greedy that fits the budget (budget mode only, weighted backorders); ``feasible``
    with the LP bound. It starts from the floor stock (``infeasible`` when the budget
    cannot pay for it, as in :func:`solve_spares`).
    """
    if problem.objective.budget is None:
        raise ValueError("greedy_spares needs a budget objective")
    inst = make_instance(problem)
    tables = build_tables(inst, "budget")
    budget = float(problem.objective.budget)
    lp = lp_relaxation(tables.ptr, tables.cost, tables.quality, budget, budget_tol(budget))
    if lp.base_w > budget + budget_tol(budget):
        central, stock = allocate(inst, tables, tables.ptr[:-1], "budget")
        reason = _floor_reason(inst, central, stock, budget)
        return _result(inst, problem, central, stock, Status.INFEASIBLE, None, reason)
    choice = greedy_choice(tables.ptr, lp, lp.taken)
    central, stock = allocate(inst, tables, choice, "budget")
    meas = measure(inst, central, stock)
    if lp.taken < len(lp.seg_group):
        frac = (budget - lp.base_w - float(lp.seg_dw[: lp.taken].sum())) / lp.seg_dw[lp.taken]
        bound = float(tables.quality[choice].sum()) - frac * float(lp.seg_dv[lp.taken])
    else:
        bound = float((inst.weight[:, None] * meas.ebo).sum())
    return _result(inst, problem, central, stock, Status.FEASIBLE, max(bound, 0.0), None, meas=meas)


def spares_frontier(
    problem: SparesProblem,
    max_points: int = 50,
    *,
    max_investment: float | None = None,
) -> list[SparesFrontierPoint]:
    """Efficient (investment, backorders) points of marginal analysis, for charts.

    The points are the corners of the convex envelope of the optimal (weighted)
    backorders-versus-investment curve (each is an optimal plan for its own
    investment), from the floor stock (zero stock without floors) up to
    ``max_investment`` (default: the problem's budget, or everything worth stocking),
    thinned evenly by investment to at most ``max_points``; every point meets the
    floors, and a ``max_investment`` below the floor stock's cost leaves the floor stock
    alone. ``backorders`` are unweighted, as in the results. A v2 problem with an
    installed base adds the availability per depot.
    """
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    inst = make_instance(problem)
    tables = build_tables(inst, "budget")
    if max_investment is None:
        max_investment = problem.objective.budget
    cap = float("inf") if max_investment is None else float(max_investment)
    lp = lp_relaxation(tables.ptr, tables.cost, tables.quality, cap, budget_tol(cap))
    cum = np.concatenate([[0.0], np.cumsum(lp.seg_dw[: lp.taken])])
    targets = np.linspace(0.0, cum[-1], max_points)
    picks = np.unique(np.searchsorted(cum, targets + 1e-9 * (1.0 + cum[-1]), side="right") - 1)
    points: list[SparesFrontierPoint] = []
    for upto in picks:
        choice = greedy_choice(tables.ptr, lp, int(upto))
        central, stock = allocate(inst, tables, choice, "budget")
        meas = measure(inst, central, stock)
        points.append(
            SparesFrontierPoint(
                investment=meas.investment,
                backorders=float(meas.ebo.sum()),
                fill_rate=meas.fill_rate,
                availability=_availability(inst, meas.ebo),
            )
        )
    return points


def _availability(inst: Instance, depot_ebo) -> dict[str, float] | None:
    if not inst.has_installed_base:
        return None
    per_depot = depot_availability(inst, depot_ebo)
    return {d: float(per_depot[j]) for j, d in enumerate(inst.depot_ids) if inst.installed[j] > 0}
