"""The one HiGHS backend of the optimisers: model arrays, passing a model, one MIP run.

* :class:`HighsModel` holds a model as arrays (costs, column and row bounds, a sparse
  matrix, which columns are integer, a constant offset);
* :func:`new_highs` makes a silent single-threaded instance and :func:`quiet_stdout`
  silences any solver that writes its banner to file descriptor 1 (scipy's ``milp``
  too);
* :func:`pass_model` hands a model to an instance, as an LP or a MIP;
* :func:`solve_mip` runs a MIP with an optional start solution, a time limit, gaps
  and a cutoff, and holds the one workaround the optimisers need: HiGHS 1.16 can
  take a start solution (``setSolution``) into its presolved model at a wrong
  objective value and then prune with it, so a run whose reported objective is not
  the cost of the solution it returns (or that calls the model infeasible although
  a start was given) is not trusted and is repeated without the start.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from planner.models.status import Status

__all__ = ["HighsModel", "MipRun", "new_highs", "pass_model", "quiet_stdout", "solve_mip"]


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null (solver banners bypass ``sys.stdout``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs() -> highspy.Highs:
    """A silent single-threaded HiGHS instance (its banner, written to fd 1 on construction, is dropped)."""
    with quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


@dataclass
class HighsModel:
    """A linear model as arrays: minimise ``cost @ x + offset`` subject to
    ``row_lower <= a @ x <= row_upper`` and ``lower <= x <= upper``; ``integer`` marks the
    integer columns (None: all continuous)."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a: sp.csc_matrix
    integer: np.ndarray | None = None
    offset: float = 0.0

    @property
    def num_col(self) -> int:
        return int(self.a.shape[1])

    @property
    def num_row(self) -> int:
        return int(self.a.shape[0])

    def value(self, x: np.ndarray) -> float:
        """The objective at ``x``."""
        return float(self.cost @ x) + self.offset


def pass_model(h: highspy.Highs, model: HighsModel, integer: np.ndarray | None = None) -> None:
    """Hand ``model`` to ``h``; ``integer`` (default: the model's own) marks integer columns,
    None passes the LP relaxation."""
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_col
    lp.num_row_ = model.num_row
    lp.col_cost_ = np.asarray(model.cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(model.lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(model.upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(model.row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(model.row_upper, dtype=np.float64)
    if model.offset:
        lp.offset_ = float(model.offset)
    a = model.a.tocsc()
    a.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.a_matrix_.num_col_ = a.shape[1]
    lp.a_matrix_.num_row_ = a.shape[0]
    if integer is not None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in integer
        ]
    h.passModel(lp)


@dataclass(frozen=True)
class MipRun:
    """One MIP run: ``status`` is OPTIMAL (HiGHS closed its gap), FEASIBLE (a solution, the
    gap open, or a solution whose reported objective HiGHS got wrong: then ``bound`` is
    None), INFEASIBLE (proven; with a cutoff: nothing cheaper than it) or NO_PLAN (no
    solution in the time); ``values`` the columns of the solution, ``bound`` HiGHS's proven
    lower bound."""

    status: Status
    values: np.ndarray | None
    bound: float | None


def solve_mip(
    model: HighsModel,
    start: np.ndarray | None = None,
    time_limit: float | None = None,
    *,
    integer: np.ndarray | None = None,
    rel_gap: float = 1e-6,
    abs_gap: float = 1e-9,
    cutoff: float | None = None,
    options_with_start: Mapping[str, float | bool] | None = None,
) -> MipRun:
    """Run HiGHS on ``model`` as a MIP (integer columns ``integer``, default the model's).

    ``start`` is a full column vector tried as the first incumbent (with
    ``options_with_start`` set while it is used); ``time_limit`` counts over the whole call,
    retries included; with ``cutoff`` only solutions cheaper than it are sought.
    """
    t0 = time.monotonic()
    kinds = model.integer if integer is None else integer
    sol = start
    while True:
        h = new_highs()
        h.setOptionValue("mip_rel_gap", rel_gap)
        h.setOptionValue("mip_abs_gap", abs_gap)
        if time_limit is not None:
            h.setOptionValue("time_limit", max(float(time_limit) - (time.monotonic() - t0), 0.01))
        if cutoff is not None:
            h.setOptionValue("objective_bound", float(cutoff))
        if sol is not None:
            for key, value in (options_with_start or {}).items():
                h.setOptionValue(key, value)
        pass_model(h, model, kinds)
        if sol is not None:
            hs = highspy.HighsSolution()
            hs.col_value = np.asarray(sol, dtype=np.float64).tolist()
            hs.value_valid = True
            h.setSolution(hs)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        values = np.asarray(h.getSolution().col_value) if info.primal_solution_status == 2 else None
        trusted = sol is None or status != highspy.HighsModelStatus.kInfeasible
        if values is not None:
            value = model.value(values)
            reported = float(info.objective_function_value)
            trusted = trusted and abs(reported - value) <= 1e-7 * max(1.0, abs(value))
        if trusted or sol is None:
            break
        sol = None
    if status == highspy.HighsModelStatus.kInfeasible:
        return MipRun(Status.INFEASIBLE, None, None)
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    if values is None:
        return MipRun(Status.NO_PLAN, None, bound)
    if not trusted:
        return MipRun(Status.FEASIBLE, values, None)
    optimal = status == highspy.HighsModelStatus.kOptimal
    return MipRun(Status.OPTIMAL if optimal else Status.FEASIBLE, values, bound)
