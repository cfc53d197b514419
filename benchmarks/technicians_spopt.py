"""Compare the exact technician allocation with PySAL spopt on the special cases spopt covers.

Run by hand: ``python benchmarks/technicians_spopt.py [SIZES ...] [--p 3 5 8]
[--solver highs|cbc|both] [--cases pmedian mclp lscp] [--time-limit S]`` with sizes such
as ``200x30`` (sites x stations; default ``50x10 200x30``, ``1000x100`` on request). spopt is not a
dependency of the planner: install it with ``pip install -r benchmarks/requirements-spopt.txt``.

The instances are the seeded ones of ``_tech_instances.generate`` (no dispatch); both sides
read the same travel-hours matrix (``travel_matrix``, stations x sites; spopt takes it
transposed, sites x stations). spopt builds pulp models, solved here by HiGHS (``pulp.HiGHS``,
the engine our solver uses too) and by CBC (spopt's default), both with a relative gap of 1e-9.
spopt seconds include building its pulp model. spopt opens exactly p facilities, our
``max_open_stations`` at most p: with zero fixed costs the optima are the same. Each special
case is mapped to technicians/v1:

* ``pmedian`` (``spopt.locate.PMedian``, weights = emergency calls, p facilities): technician
  cost 0, one technician per station with unlimited productive hours, job hours 0, fixed costs
  0, planned work 0, coverage target 0, travel cost 0.5 an hour (a site then costs
  ``calls * d``), ``max_open_stations = p``. The objectives must be equal (1e-6 relative).
* ``mclp`` (``spopt.locate.MCLP``, radius = on-site hours, p facilities): our solver minimises
  cost under a coverage target, so the p-median problem above gets ``coverage_target`` = the
  share of calls MCLP covers (must be feasible) and that share plus half the smallest site's
  calls (must be ``infeasible``, its ``reason`` stating the largest coverage, which must equal
  MCLP's to the 6 digits printed). Our public maximal covering
  (:func:`planner.optimise.location.max_covering`, the MILP the solver runs for that reason)
  is also compared to 1e-6 relative, on the same cost matrix.
* ``lscp`` (``spopt.locate.LSCP``, radius = on-site hours, over the sites some station covers):
  fixed cost 1 a station, every other cost 0, coverage target = the share of calls of those
  sites, no station limit; our objective is then the number of stations, LSCP's too.

Prints one row per (size, case, p): our status, objective and seconds, then per pulp solver
its objective, seconds and the time ratio spopt / ours, and a ``match`` or ``MISMATCH`` verdict.
In ``mclp`` rows our objective is the covered calls read from the ``reason`` (6 digits) and our
seconds those of that solve (status ``all`` when MCLP covers every call, so no higher target
exists and the helper's value is shown); the notes give the helper and the at-share solve.
Exit code 0 when every row matches, 1 otherwise, 2 without spopt.
"""

from __future__ import annotations

import argparse
import copy
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _tech_instances import generate

from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.optimise.network import travel_matrix
from planner.optimise.technicians import NoPlanWithinTimeLimit, solve_technicians

UNLIMITED_HOURS = 1e12  # productive hours of the single technician: far above any workload
REL_TOL = 1e-6
GAP = 1e-9  # relative MIP gap asked of the pulp solvers
COVERAGE_RE = re.compile(r"largest coverage any plan reaches.* is ([0-9.eE+-]+) \(short by")


@dataclass
class Side:
    """One solver's answer: status, objective (nan if none) and seconds."""

    status: str
    objective: float
    seconds: float


def base_doc(n_sites: int, n_stations: int, seed: int) -> dict[str, Any]:
    """The seeded instance stripped to a pure location problem (p-median costs, no limits)."""
    doc = copy.deepcopy(generate(n_sites, n_stations, dispatch=False, seed=seed))
    doc["name"] += "-spopt"
    doc["travel_cost_per_hour"] = 0.5
    doc["technician"] = {"annual_cost": 0.0, "productive_hours": UNLIMITED_HOURS}
    doc["emergency"] = {
        "onsite_hours": doc["emergency"]["onsite_hours"],
        "coverage_target": 0.0,
        "job_hours": 0.0,
    }
    for site in doc["sites"]:
        site["planned_visits"] = 0.0
        site["planned_hours"] = 0.0
    for station in doc["stations"]:
        station["fixed_cost"] = 0.0
        station["max_technicians"] = 1
    return doc


def variant(
    doc: dict[str, Any],
    *,
    max_open_stations: int | None = None,
    coverage_target: float = 0.0,
    fixed_cost: float = 0.0,
    travel_cost_per_hour: float = 0.5,
) -> TechniciansProblem:
    """``doc`` with a station limit, coverage target, fixed cost and travel cost set."""
    new = copy.deepcopy(doc)
    new["max_open_stations"] = max_open_stations
    new["emergency"]["coverage_target"] = coverage_target
    new["travel_cost_per_hour"] = travel_cost_per_hour
    for station in new["stations"]:
        station["fixed_cost"] = fixed_cost
    return TechniciansProblem.model_validate(new)


def run_ours(
    problem: TechniciansProblem, time_limit: float
) -> tuple[Side, TechniciansResult | None]:
    t0 = time.perf_counter()
    try:
        res = solve_technicians(problem, time_limit=time_limit)
    except NoPlanWithinTimeLimit:
        return Side("no plan", math.nan, time.perf_counter() - t0), None
    seconds = time.perf_counter() - t0
    obj = res.objective if res.objective is not None else math.nan
    return Side(res.status, obj, seconds), res


def pulp_solvers(which: str, time_limit: float) -> dict[str, Any]:
    import pulp

    solvers: dict[str, Any] = {}
    if which in ("highs", "both"):
        solvers["highs"] = pulp.HiGHS(msg=False, gapRel=GAP, threads=1, timeLimit=time_limit)
    if which in ("cbc", "both"):
        solvers["cbc"] = pulp.PULP_CBC_CMD(msg=False, gapRel=GAP, timeLimit=time_limit)
    return solvers


def run_spopt(build: Callable[[], Any], solver: Any) -> Side:
    """Build an spopt model and solve it; objective from the pulp problem."""
    import pulp

    t0 = time.perf_counter()
    try:
        model = build()
        model.solve(solver, results=False)
    except (RuntimeError, pulp.PulpError) as exc:  # spopt: RuntimeError when not optimal
        print(f"  spopt: {type(exc).__name__}: {exc}", file=sys.stderr)
        return Side("error", math.nan, time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    proven = model.problem.sol_status == pulp.LpSolutionOptimal  # not stopped by the time limit
    return Side(
        "optimal" if proven else "feasible", float(model.problem.objective.value()), seconds
    )


def close(a: float, b: float, rel: float = REL_TOL) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def compare(
    ours: Side, res: TechniciansResult | None, theirs: dict[str, Side]
) -> tuple[str, list[str]]:
    """Verdict for equal objectives, and notes on any side that did not prove optimality."""
    notes = [f"{name} {s.status}" for name, s in theirs.items() if s.status != "optimal"]
    if ours.status != "optimal":
        gap = f", gap {res.gap:.2e}" if res is not None and res.gap is not None else ""
        notes.insert(0, f"ours {ours.status} at the time limit{gap}")
    ok = (
        ours.status == "optimal"
        and all(s.status == "optimal" for s in theirs.values())
        and all(close(ours.objective, s.objective) for s in theirs.values())
    )
    return "match" if ok else "MISMATCH", notes


def case_pmedian(
    doc: dict[str, Any],
    d: np.ndarray,
    calls: np.ndarray,
    p: int,
    solvers: dict[str, Any],
    tl: float,
) -> tuple[Side, dict[str, Side], str, str]:
    from spopt.locate import PMedian

    ours, res = run_ours(variant(doc, max_open_stations=p), tl)
    theirs = {
        name: run_spopt(lambda: PMedian.from_cost_matrix(d.T, calls, p_facilities=p), solver)
        for name, solver in solvers.items()
    }
    verdict, notes = compare(ours, res, theirs)
    return ours, theirs, verdict, "; ".join(notes)


def case_mclp(
    doc: dict[str, Any],
    d: np.ndarray,
    calls: np.ndarray,
    p: int,
    solvers: dict[str, Any],
    tl: float,
) -> tuple[Side, dict[str, Side], str, str]:
    from spopt.locate import MCLP

    from planner.optimise.location import max_covering

    radius = float(doc["emergency"]["onsite_hours"])
    total = float(calls.sum())
    theirs = {
        name: run_spopt(
            lambda: MCLP.from_cost_matrix(d.T, calls, service_radius=radius, p_facilities=p),
            solver,
        )
        for name, solver in solvers.items()
    }
    ref = next((s.objective for s in theirs.values() if math.isfinite(s.objective)), math.nan)
    notes: list[str] = []
    if not math.isfinite(ref):
        return Side("-", math.nan, 0.0), theirs, "MISMATCH", "no MCLP value"
    share = ref / total
    notes += [f"{name} {s.status}" for name, s in theirs.items() if s.status != "optimal"]
    ok = all(s.status == "optimal" and close(ref, s.objective) for s in theirs.values())

    t0 = time.perf_counter()
    got = max_covering(np.isfinite(d) & (d <= radius), calls, p)
    t_helper = time.perf_counter() - t0
    best, top = got.best, got.top
    helper = best * total
    ok &= close(helper, ref) and close(top * total, ref)
    notes.append(f"max_covering {helper:.6g} ({t_helper:.2f}s)")

    at, _ = run_ours(variant(doc, max_open_stations=p, coverage_target=min(share, 1.0)), tl)
    ok &= at.status in ("optimal", "feasible")  # any plan proves the share reachable
    notes.append(f"at share: {at.status} {at.seconds:.2f}s")

    above = min(share + 0.5 * float(calls[calls > 0].min()) / total, 1.0)
    if above <= share:  # MCLP covers every call: no higher target exists
        ours = Side("all", helper, t_helper)
        notes.append("covers all calls")
        return ours, theirs, "match" if ok else "MISMATCH", "; ".join(notes)
    ours, res = run_ours(variant(doc, max_open_stations=p, coverage_target=above), tl)
    found = COVERAGE_RE.search(res.reason or "") if res is not None else None
    ours.objective = float(found.group(1)) * total if found else math.nan
    # the reason prints the share with 6 significant digits (share <= 1: error <= 5e-7)
    ok &= ours.status == "infeasible" and abs(ours.objective - ref) <= (5e-7 + 1e-12) * total
    return ours, theirs, "match" if ok else "MISMATCH", "; ".join(notes)


def case_lscp(
    doc: dict[str, Any], d: np.ndarray, calls: np.ndarray, solvers: dict[str, Any], tl: float
) -> tuple[Side, dict[str, Side], str, str]:
    from spopt.locate import LSCP

    radius = float(doc["emergency"]["onsite_hours"])
    coverable = (d <= radius).any(axis=0)
    target = float(calls[coverable].sum()) / float(calls.sum())
    ours, res = run_ours(
        variant(doc, fixed_cost=1.0, travel_cost_per_hour=0.0, coverage_target=target), tl
    )
    sub = d[:, coverable].T
    theirs = {
        name: run_spopt(lambda: LSCP.from_cost_matrix(sub, service_radius=radius), solver)
        for name, solver in solvers.items()
    }
    verdict, notes = compare(ours, res, theirs)
    notes.append(f"{int(coverable.sum())}/{len(calls)} sites coverable, target {target:.6g}")
    return ours, theirs, verdict, "; ".join(notes)


def fmt(x: float, width: int, spec: str) -> str:
    return f"{x:>{width}{spec}}" if math.isfinite(x) else f"{'-':>{width}}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", default=["50x10", "200x30"])
    parser.add_argument("--p", type=int, nargs="+", default=[3, 5, 8], help="facilities")
    parser.add_argument("--solver", choices=["highs", "cbc", "both"], default="both")
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=["pmedian", "mclp", "lscp"],
        default=["pmedian", "mclp", "lscp"],
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per solve")
    args = parser.parse_args(argv)
    try:
        import pulp
        import spopt
        import spopt.locate
    except ImportError as exc:
        print(
            f"spopt is not installed ({exc}); install it with"
            " `pip install -r benchmarks/requirements-spopt.txt`",
            file=sys.stderr,
        )
        return 2
    solvers = pulp_solvers(args.solver, args.time_limit)
    print(f"spopt {spopt.__version__}, pulp {pulp.__version__}, seed {args.seed}")
    head = f"{'size':9} {'case':7} {'p':>2} | {'ours':>10} {'objective':>14} {'s':>7} |"
    for name in solvers:
        head += f" {name + ' obj':>14} {'s':>7} {'ratio':>6} |"
    print(head + " result")
    bad = 0
    for size in args.sizes:
        n_sites, n_st = (int(v) for v in size.split("x"))
        doc = base_doc(n_sites, n_st, args.seed)
        plain = TechniciansProblem.model_validate(doc)
        d = travel_matrix(plain)
        calls = np.array([s.emergency_calls for s in plain.sites])
        runs: list[tuple[str, int | None]] = []
        for case in args.cases:
            if case == "lscp":
                runs.append((case, None))
            else:
                runs += [(case, p) for p in args.p if p <= n_st]
        for case, p in runs:
            if case == "pmedian" and p is not None:
                ours, theirs, verdict, note = case_pmedian(
                    doc, d, calls, p, solvers, args.time_limit
                )
            elif case == "mclp" and p is not None:
                ours, theirs, verdict, note = case_mclp(doc, d, calls, p, solvers, args.time_limit)
            else:
                ours, theirs, verdict, note = case_lscp(doc, d, calls, solvers, args.time_limit)
            line = (
                f"{size:9} {case:7} {p if p is not None else '-':>2} |"
                f" {ours.status:>10} {fmt(ours.objective, 14, '.6f')} {ours.seconds:>7.2f} |"
            )
            for name in solvers:
                s = theirs[name]
                proven = ours.status in ("optimal", "infeasible", "all") and s.status == "optimal"
                ratio = s.seconds / ours.seconds if proven and ours.seconds > 0 else math.nan
                line += f" {fmt(s.objective, 14, '.6f')} {s.seconds:>7.2f} {fmt(ratio, 6, '.1f')} |"
            line += f" {verdict}" + (f"  ({note})" if note else "")
            bad += verdict != "match"
            print(line, flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
