"""The LP relaxation by column generation over the pairs (the restricted master), its
Lagrangian bound and reduced-cost fixing.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from planner.optimise.highs import new_highs, pass_model
from planner.optimise.technicians.cuts import staffing_cuts
from planner.optimise.technicians.formulation import build, link_columns
from planner.optimise.technicians.plans import Plan
from planner.optimise.technicians.prepared import (
    Prepared,
    least_per_site,
    pair_index,
    pair_linear_costs,
)
from planner.optimise.technicians.state import SolveState

log = logging.getLogger(__name__)


class Dual:
    """Duals of the LP, as the values the Lagrangian bound needs: the duals' value on the rows
    (``rhs``), the reduced costs of every pair (priced in or not) and of the y, n, z columns.

    The bound relaxes every row but keeps each site's pairs summing to at most one, so it holds
    for any duals of the right signs: ``rhs + sum_i min(0, min_j rc_ij) + sum_k min(0, rc_k u_k)``.
    It is linear in the duals except for the minima, so a blend of two points is exact.
    """

    def __init__(
        self,
        rhs: float,
        rc: np.ndarray,
        rc_other: np.ndarray,
        prep: Prepared,
        other_ub: np.ndarray,
    ) -> None:
        self.rhs, self.rc, self.rc_other = rhs, rc, rc_other
        self._prep, self._other_ub = prep, other_ub
        self.site_min = np.zeros(len(prep.problem.sites))
        np.minimum.at(self.site_min, prep.pi, rc)
        self.bound = (
            rhs + float(self.site_min.sum()) + float(np.minimum(rc_other * other_ub, 0.0).sum())
        )

    def blend(self, other: Dual, weight: float) -> Dual:
        """The point ``weight * self + (1 - weight) * other``."""
        return Dual(
            weight * self.rhs + (1 - weight) * other.rhs,
            weight * self.rc + (1 - weight) * other.rc,
            weight * self.rc_other + (1 - weight) * other.rc_other,
            self._prep,
            self._other_ub,
        )

    def lp_bound(self, y: np.ndarray) -> LpBound:
        n_st = len(self._prep.problem.stations)
        return LpBound(self.bound, self.rc, self.rc_other[:n_st], self.site_min, y)


@dataclass
class LpBound:
    """A proven lower bound from LP duals, with the reduced costs that go with it.

    Any plan using pair k costs at least ``bound + rc[k] - site_min[site of k]``;
    any plan opening station j at least ``bound + rc_y[j]`` (when ``rc_y[j] > 0``).
    """

    bound: float
    rc: np.ndarray  # per pair
    rc_y: np.ndarray  # per station
    site_min: np.ndarray  # per site: min(0, min_j rc_ij)
    y: np.ndarray  # per station: the LP's opening values


class RestrictedMaster:
    """The LP relaxation over the pairs priced in so far, kept in one HiGHS instance.

    It starts from a start plan's neighbourhood (the start's pairs, each site's cheapest and
    nearest covering pairs; every pair when there are few); :meth:`solve` prices further
    pairs in and adds rows of the staffing cuts (:mod:`planner.optimise.technicians.cuts`)
    until the LP settles. Pairs priced in are appended with their linking rows (warm start).
    ``lagrangian_bounds`` lists the bound at every dual point priced at.
    """

    def __init__(self, state: SolveState, start: Plan) -> None:
        self.state = state
        prep, covered = state.prep, state.covered
        settings = state.settings
        self.n_st = len(prep.problem.stations)
        self.active = np.zeros(len(prep.pi), dtype=bool)
        if len(prep.pi) <= settings.full_lp_pairs:
            self.active[:] = True
        else:  # the start plan's pairs, each site's cheapest few and its nearest covering pairs
            self.active[pair_index(prep, start.assign)] = True
            every = np.arange(len(prep.pi))
            lin_cost = pair_linear_costs(prep)
            self.active[least_per_site(prep, every, lin_cost, settings.cg_start_pairs)] = True
            reach = np.nonzero(covered)[0]
            nearest = least_per_site(prep, reach, prep.pd[reach], settings.cg_start_pairs)
            self.active[nearest] = True
        self.cov_coef = np.where(covered & (prep.calls[prep.pi] > 0), prep.calls[prep.pi], 0.0)
        pairs = np.nonzero(self.active)[0]
        self.model = model = build(state, pairs, np.arange(self.n_st))
        self.column = np.full(len(prep.pi), -1)
        self.column[pairs] = model.x0 + np.arange(len(pairs))
        self.disp_row = np.full(self.n_st, -1)
        for j, r in model.row_disp.items():
            self.disp_row[j] = r
        self.h = new_highs()
        pass_model(self.h, model.arrays(), None)
        self.num_col, self.num_row = model.num_col, model.num_row
        self.other_ub = model.upper[model.y0 : model.num_col]  # y, n, z columns (lower bounds 0)
        self.cut_lp: list[float] = []  # the LP's value when each round of cuts was added
        self.lagrangian_bounds: list[float] = []

    def add_cuts(self, sol: highspy.HighsSolution, lb: float, deadline: float) -> bool:
        """Add the cuts the converged LP breaks; False when none are left, the rounds are
        spent, or the last round raised the LP by too little."""
        settings, prep = self.state.settings, self.state.prep
        if len(self.cut_lp) >= settings.cut_rounds or time.monotonic() > deadline:
            return False
        if self.cut_lp and lb - self.cut_lp[-1] < settings.cut_gain * max(1.0, abs(lb)):
            return False
        act = np.nonzero(self.active)[0]
        rows = staffing_cuts(prep, self.model, act, self.column[act], np.asarray(sol.col_value))
        if not rows:
            return False
        starts = np.cumsum([0] + [len(r[0]) for r in rows[:-1]]).astype(np.int32)
        self.h.addRows(
            len(rows),
            np.full(len(rows), -np.inf),
            np.zeros(len(rows)),
            int(sum(len(r[0]) for r in rows)),
            starts,
            np.concatenate([r[0] for r in rows]),
            np.concatenate([r[1] for r in rows]),
        )
        self.num_row += len(rows)
        self.cut_lp.append(lb)
        log.debug("LP %.2f: %d cuts (round %d)", lb, len(rows), len(self.cut_lp))
        return True

    def dual(self, sol: highspy.HighsSolution) -> Dual:
        """The LP solution's duals as a :class:`Dual` over every pair, priced in or not."""
        prep, model = self.state.prep, self.model
        row_dual = np.asarray(sol.row_dual)
        col_dual = np.asarray(sol.col_dual)
        sigma = row_dual[model.row_cov] if model.row_cov is not None else 0.0
        delta = np.where(self.disp_row >= 0, row_dual[np.maximum(self.disp_row, 0)], 0.0)
        rc = (
            prep.pcost
            - row_dual[model.row_assign + prep.pi]
            - prep.pw * row_dual[model.row_cap + prep.pj]
            - self.cov_coef * sigma
            - prep.calls[prep.pi] * delta[prep.pj]
        )
        rc[self.active] = col_dual[self.column[self.active]]
        # the duals' value on the rows (a wrong-signed dual of HiGHS's tolerance counts 0); the
        # linking rows priced in later (x - link <= 0) add nothing
        lo, hi = model.row_lower, model.row_upper
        first = row_dual[: model.num_row]
        rhs = float(
            np.sum(np.where(first > 0, first * np.where(np.isfinite(lo), lo, 0.0), 0.0))
            + np.sum(np.where(first < 0, first * np.where(np.isfinite(hi), hi, 0.0), 0.0))
        )
        return Dual(rhs, rc, col_dual[model.y0 : model.num_col].copy(), prep, self.other_ub)

    def price_in(self, cand: np.ndarray) -> None:
        """Append the pairs ``cand`` as columns (assignment, capacity, coverage and dispatch
        rows) with their linking rows."""
        prep, model, h = self.state.prep, self.model, self.h
        k = len(cand)
        ci = prep.pi[cand]
        entries = [
            (model.row_assign + ci, np.ones(k)),
            (model.row_cap + prep.pj[cand], prep.pw[cand]),
        ]
        if model.row_cov is not None:
            entries.append((np.full(k, model.row_cov), self.cov_coef[cand]))
        entries.append((self.disp_row[prep.pj[cand]], prep.calls[ci]))
        rows_ = np.concatenate([e[0] for e in entries])
        vals_ = np.concatenate([e[1] for e in entries])
        cols_ = np.tile(np.arange(k), len(entries))
        ok = (rows_ >= 0) & (vals_ != 0)
        block = sp.csc_matrix((vals_[ok], (rows_[ok], cols_[ok])), shape=(self.num_row, k))
        block.sort_indices()
        h.addCols(
            k,
            prep.pcost[cand],
            np.zeros(k),
            np.ones(k),
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data,
        )
        self.column[cand] = self.num_col + np.arange(k)
        self.num_col += k
        link = link_columns(
            prep, cand, np.arange(self.n_st), model.y0, model.z0, model.z_station, model.z_level
        )
        idx = np.empty(2 * k, dtype=np.int32)
        idx[0::2] = self.column[cand]
        idx[1::2] = link
        val = np.tile([1.0, -1.0], k)
        order2 = np.argsort(idx.reshape(k, 2), axis=1)
        idx = np.take_along_axis(idx.reshape(k, 2), order2, axis=1).ravel()
        val = np.take_along_axis(val.reshape(k, 2), order2, axis=1).ravel()
        h.addRows(
            k,
            np.full(k, -np.inf),
            np.zeros(k),
            2 * k,
            (2 * np.arange(k)).astype(np.int32),
            idx,
            val,
        )
        self.num_row += k
        self.active[cand] = True

    def solve(
        self, deadline: float, first_round: Callable[[LpBound], None] | None = None
    ) -> LpBound | None:
        """Price and cut until the LP settles or the deadline; the best bound seen (None if
        not even the first LP finished in time). See :func:`solve_lp_with_pricing`."""
        settings, prep, model, h = self.state.settings, self.state.prep, self.model, self.h
        best: LpBound | None = None
        center: Dual | None = None
        rounds = 0
        last_lp = math.inf
        while True:
            if time.monotonic() > deadline:
                return best
            first_ipm = rounds == 0 and self.num_row >= settings.ipm_rows
            h.setOptionValue("solver", "ipm" if first_ipm else "choose")
            # HiGHS counts its time limit over every run of the same instance
            h.setOptionValue("time_limit", h.getRunTime() + max(deadline - time.monotonic(), 0.01))
            h.run()
            rounds += 1
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return best
            sol = h.getSolution()
            lb = float(h.getInfo().objective_function_value)
            here = self.dual(sol)
            y_lp = np.asarray(sol.col_value)[model.y0 : model.y0 + self.n_st]
            log.debug(
                "pricing: LP %.2f, Lagrangian bound %.2f, %d columns, %d simplex iterations",
                lb,
                here.bound,
                self.active.sum(),
                h.getInfo().simplex_iteration_count,
            )
            # Wentges smoothing: price at a point between the duals of the best bound (the
            # centre) and the restricted LP's, which jump between the LP's many dual optima
            if center is None:
                center = here
            mid = center.blend(here, settings.smoothing)
            self.lagrangian_bounds += [here.bound, mid.bound]
            if mid.bound > center.bound:
                center = mid
            top = max(here, center, key=lambda d: d.bound)
            if best is None or top.bound > best.bound:
                best = top.lp_bound(y_lp)
            if best.bound >= lb - 1e-7 * max(1.0, abs(lb)):
                # the Lagrangian bound has met the LP: pricing further gains nothing; cuts may
                if not self.add_cuts(sol, lb, deadline):
                    return best
                continue
            tol = -1e-9 * max(1.0, abs(lb))
            key = mid.rc
            new = (~self.active) & (key < tol)
            if not new.any():  # nothing prices out at the smoothed point: at the LP's duals
                key = here.rc
                new = (~self.active) & (key < tol)
            if not new.any():
                if not self.add_cuts(sol, lb, deadline):
                    return best
                continue
            if rounds == 1 and first_round is not None:
                first_round(here.lp_bound(y_lp))
            if abs(lb - last_lp) <= 1e-7 * max(1.0, abs(lb)):
                # the LP has settled and only the bound still catches up: cut now (and price)
                self.add_cuts(sol, lb, deadline)
            last_lp = lb
            cand = np.nonzero(new)[0]
            self.price_in(least_per_site(prep, cand, key[cand], settings.price_per_site))


def solve_lp_with_pricing(
    state: SolveState,
    start: Plan,
    deadline: float,
    first_round: Callable[[LpBound], None] | None = None,
) -> LpBound | None:
    """LP relaxation over all pairs by column generation from a start plan's neighbourhood
    (:class:`RestrictedMaster`), strengthened by rounds of staffing cuts once its value
    settles.

    Returns the best Lagrangian bound seen (the bound of the LP with its cuts once no pair
    prices out), or None if not even the first LP finished in time. A large first LP goes
    to the interior point method (with crossover: a basis and exact duals), several times
    faster there than the dual simplex; later rounds start from the basis. ``first_round``
    is called with the first LP's solution when pricing goes on after it (so that a
    heuristic can use it early).
    """
    return RestrictedMaster(state, start).solve(deadline, first_round)


def kept_pairs(prep: Prepared, lp: LpBound, incumbent: Plan) -> np.ndarray:
    """Pairs that reduced-cost fixing keeps: those a plan cheaper than ``incumbent`` may use
    (its own pairs always)."""
    margin = 1e-6 * max(1.0, abs(incumbent.cost)) + 1e-7
    keep_st = lp.bound + np.maximum(lp.rc_y, 0) <= incumbent.cost + margin
    keep_st[np.unique(incumbent.assign)] = True
    extra = lp.rc - lp.site_min[prep.pi]
    keep = (lp.bound + extra <= incumbent.cost + margin) & keep_st[prep.pj]
    keep[pair_index(prep, incumbent.assign)] = True
    return np.nonzero(keep)[0]
