"""The core MILP of the availability objective (see :mod:`.availability`).

:func:`solve_core` builds the disaggregated MILP on the options that survive the
reduced-cost fixing (the *core*) and solves it on HiGHS with the incumbent as cutoff.
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from planner.models.status import Status
from planner.optimise.highs import HighsModel, new_highs, pass_model
from planner.optimise.spares.availability_plans import Plan, SolveState

__all__ = ["MIP_REL_GAP", "solve_core"]

MIP_REL_GAP = 1e-9
"""Relative gap at which the core MILP counts as solved to optimality."""
_MIP_OPTIONS: dict[str, float | bool] = {
    "mip_rel_gap": MIP_REL_GAP / 2,
    "mip_abs_gap": 0.0,
    "mip_feasibility_tolerance": 1e-10,
    "primal_feasibility_tolerance": 1e-10,
    "small_matrix_value": 1e-12,
    "presolve_rule_off": 1 << 15,  # no probing: slow on these one-hot models
}


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


def solve_core(
    state: SolveState, cores: list, cutoff: float, share: float
) -> tuple[Plan | None, Status, float | None]:
    """The core MILP on ``cores`` (per part, as ``Part.core`` gives them), with
    only plans cheaper than ``cutoff`` sought and ``share`` of the time left: (its plan
    or None, status, proven bound on the core). Records its columns in
    ``state.mip_cols`` and a rejected plan in ``state.trace``.

    Rows: the depot rows first, then per part its one-hot over s0 and per (part, s0,
    depot) the link of the depot's one-hot to the s0 column."""
    scale = np.abs(state.log_t[state.rows])
    n_dep = len(state.rows)
    row_lo: list[float] = list(state.rhs[state.rows] / scale)
    row_hi: list[float] = [np.inf] * n_dep
    cost: list[float] = []
    rows_of: list[list[int]] = []
    vals_of: list[list[float]] = []
    where: list[tuple[int, int, int, int]] = []  # (part, s0, depot or -1, stock)
    for pi, (part, core) in enumerate(zip(state.rel, cores, strict=True)):
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
    left = state.remaining()
    limit = None if left is None else share * left
    status, values, bound = _run_mip(model, limit, cutoff * (1 + 1e-12) + 1e-9)
    state.mip_cols = n_cols
    if values is None:
        return None, status, bound
    on = values > 0.5
    plan = Plan([0] * len(state.rel), [np.zeros(p.n_t, np.int64) for p in state.rel], 0.0)
    chosen = {pi: s0 for (pi, s0, jt, _), v in zip(where, on, strict=True) if v and jt < 0}
    for (pi, s0, jt, s), v in zip(where, on, strict=True):
        if v and jt >= 0 and chosen.get(pi) == s0:
            plan.s_t[pi][jt] = s
    plan.s0 = [chosen[pi] for pi in range(len(state.rel))]
    plan.investment = float(model.cost @ on)
    # the rows recomputed from the options chosen (HiGHS's tolerance is ten times
    # tighter than the safety hair); a plan that misses them is not used
    half = state.log_t[state.rows] + 0.5 * (state.rhs - state.log_t)[state.rows]
    if (state.row_sums(plan) < half).any():
        state.trace.append({"rejected": plan.investment})
        return None, Status.NO_PLAN, None
    return plan, status, bound
