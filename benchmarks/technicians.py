"""Benchmark the exact technician allocation against a plain textbook MILP on the same model.

Run by hand: ``python benchmarks/technicians.py [--time-limit S] [--plain-limit S] [SIZES ...]``
with sizes such as ``200x30``; each size runs with and without dispatch. The plain
formulation is the same model built the textbook way (every pair, aggregated linking
``sum_i x_ij <= |I| y_j``, every dispatch level, no bounds, heuristics or reductions)
and solved by ``scipy.optimize.milp`` (HiGHS). Prints one table row per instance.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tech_instances import problem as make_problem

from planner.models.technicians import TechniciansProblem
from planner.optimise.network import travel_matrix
from planner.optimise.queueing import max_rate
from planner.optimise.technicians import NoPlanWithinTimeLimit, solve_technicians


def plain_milp(problem: TechniciansProblem, time_limit: float) -> tuple[str, float, float, float]:
    """Solve the textbook formulation; returns (status, objective, bound, seconds)."""
    t0 = time.perf_counter()
    d = travel_matrix(problem)
    m, n = d.shape
    calls = np.array([s.emergency_calls for s in problem.sites])
    visits = np.array([s.planned_visits for s in problem.sites])
    planned = np.array([s.planned_hours for s in problem.sites])
    em, tech = problem.emergency, problem.technician
    hh, service = tech.productive_hours, problem.service_hours_per_year
    jj, ii = np.nonzero(np.isfinite(d))
    dd = d[jj, ii]
    k = len(jj)
    work = calls[ii] * (em.job_hours + 2 * dd) + visits[ii] * 2 * dd + planned[ii]
    travel = problem.travel_cost_per_hour * 2 * dd * (calls[ii] + visits[ii])
    cap = np.array([s.max_technicians for s in problem.stations])
    levels: list[
        list[tuple[float, int]]
    ] = []  # per station: (calls a year served, technicians) per level
    if problem.dispatch is not None:
        dp = problem.dispatch
        for u in cap:
            lv = []
            for c in range(1, math.floor(u * hh / service) + 1):
                nmin = math.ceil(c * service / hh)
                while math.floor(nmin * hh / service) < c:
                    nmin += 1
                while nmin > 0 and math.floor((nmin - 1) * hh / service) >= c:
                    nmin -= 1
                lv.append(
                    (
                        max_rate(c, dp.mean_call_hours, dp.within_hours, dp.service_level)
                        * service,
                        nmin,
                    )
                )
            levels.append(lv)
    nz = sum(len(lv) for lv in levels)
    x0, y0, n0, z0 = 0, k, k + m, k + 2 * m
    ncol = z0 + nz
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def row(
        cs: list[int] | np.ndarray, vs: list[float] | np.ndarray, lower: float, upper: float
    ) -> None:
        nonlocal r
        rows.extend([r] * len(cs))
        cols.extend(cs)
        vals.extend(vs)
        lo.append(lower)
        hi.append(upper)
        r += 1

    for i in range(n):
        sel = np.nonzero(ii == i)[0]
        row(x0 + sel, np.ones(len(sel)), 1, 1)
    for j in range(m):
        sel = np.nonzero(jj == j)[0]
        row(list(x0 + sel) + [y0 + j], list(np.ones(len(sel))) + [-len(sel)], -np.inf, 0)
        row(list(x0 + sel) + [n0 + j], list(work[sel]) + [-hh], -np.inf, 0)
        row([n0 + j, y0 + j], [1, -float(cap[j])], -np.inf, 0)
    total = calls.sum()
    if em.coverage_target > 0 and total > 0:
        sel = np.nonzero(dd <= em.onsite_hours)[0]
        row(x0 + sel, calls[ii[sel]], em.coverage_target * total * (1 - 1e-9), np.inf)
    if problem.max_open_stations is not None:
        row(list(range(y0, y0 + m)), [1.0] * m, -np.inf, problem.max_open_stations)
    q = z0
    for j, lv in enumerate(levels):
        sel = np.nonzero(jj == j)[0]
        zc = list(range(q, q + len(lv)))
        dl = [lv[0][0]] + [lv[c][0] - lv[c - 1][0] for c in range(1, len(lv))] if lv else []
        dn = [lv[0][1]] + [lv[c][1] - lv[c - 1][1] for c in range(1, len(lv))] if lv else []
        row(list(x0 + sel) + zc, list(calls[ii[sel]]) + [-v for v in dl], -np.inf, 0)
        if lv:
            row([n0 + j] + zc, [1.0] + [-v for v in dn], 0, np.inf)
            row([zc[0], y0 + j], [1, -1], -np.inf, 0)
            for c in range(1, len(zc)):
                row([zc[c], zc[c - 1]], [1, -1], -np.inf, 0)
        q += len(lv)
    a = sp.csr_matrix((vals, (rows, cols)), shape=(r, ncol))
    cost = np.concatenate(
        [
            travel,
            [s.fixed_cost for s in problem.stations],
            np.full(m, tech.annual_cost),
            np.zeros(nz),
        ]
    )
    upper = np.concatenate([np.ones(k + m), cap, np.ones(nz)])
    res = milp(
        cost,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(ncol),
        bounds=Bounds(np.zeros(ncol), upper),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
    )
    seconds = time.perf_counter() - t0
    if res.x is None:
        return ("no plan" if res.status == 1 else "infeasible"), math.nan, math.nan, seconds
    status = "optimal" if res.status == 0 else "feasible"
    return status, float(res.fun), float(getattr(res, "mip_dual_bound", math.nan)), seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["50x10", "200x30", "1000x100", "2000x300"])
    parser.add_argument(
        "--time-limit", type=float, default=300.0, help="seconds per instance, ours"
    )
    parser.add_argument(
        "--plain-limit", type=float, default=300.0, help="seconds per instance, plain (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dispatch", choices=["on", "off", "both"], default="both")
    args = parser.parse_args(argv)
    print(
        f"{'instance':22} {'ours':>9} {'objective':>13} {'gap':>9} {'s':>7} | {'plain':>9} {'objective':>13}"
        f" {'gap':>9} {'s':>7} | {'speed-up':>8}"
    )
    modes = {"on": [True], "off": [False], "both": [False, True]}[args.dispatch]
    for size in args.sizes:
        n_sites, n_st = (int(v) for v in size.split("x"))
        for dispatch in modes:
            problem = make_problem(n_sites, n_st, dispatch=dispatch, seed=args.seed)
            t0 = time.perf_counter()
            try:
                ours = solve_technicians(problem, time_limit=args.time_limit)
            except NoPlanWithinTimeLimit as exc:
                ours = SimpleNamespace(status="no plan", objective=None, bound=exc.bound, gap=None)
            t_ours = time.perf_counter() - t0
            label = f"{size}{' dispatch' if dispatch else ''}"
            ogap = f"{ours.gap:.2e}" if ours.gap is not None else "-"
            line = f"{label:22} {ours.status:>9} {ours.objective or math.nan:>13.1f} {ogap:>9} {t_ours:>7.1f} |"
            if args.plain_limit > 0:
                status, obj, bound, t_plain = plain_milp(problem, args.plain_limit)
                pgap = (
                    (obj - bound) / abs(obj)
                    if math.isfinite(obj) and math.isfinite(bound)
                    else math.nan
                )
                speed = (
                    t_plain / t_ours
                    if status == "optimal" and ours.status == "optimal"
                    else math.nan
                )
                line += f" {status:>9} {obj:>13.1f} {pgap:>9.2e} {t_plain:>7.1f} | {speed:>8.1f}"
                if (
                    status == "optimal"
                    and ours.status == "optimal"
                    and abs(obj - ours.objective) > 1e-5 * abs(obj)
                ):
                    line += "  MISMATCH"
            print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
