"""OR-Library p-median and uncapacitated location instances as technicians/v1 problems.

Run by hand: ``python benchmarks/orlib.py [--dir DIR] [--time-limit S] [NAME ...]``; prints one
line per instance with the published optimum, the value reached, the proof status and the time.
The mapping is the one in ``shared/benchmarks/orlib/README.md``: technician cost 0, one
technician allowed per station, unlimited productive hours, job hours 0, coverage target 0,
no dispatch, travel cost 0.5 per hour and one emergency call per site, so a site costs exactly
its travel time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from planner.models.technicians import TechniciansProblem
from planner.optimise.technicians import NoPlanWithinTimeLimit, solve_technicians

DEFAULT_DIR = Path(
    os.environ.get("ORLIB_DIR", Path(__file__).resolve().parents[2] / "shared/benchmarks/orlib")
)
UNCAPACITATED_OPTIMA = {"cap72": 977799.400, "cap131": 793439.562, "capa": 17156454.478}
UNLIMITED_HOURS = 1e12  # productive hours of the single technician: far above any workload


def _common(name: str) -> dict:
    return {
        "format": "technicians/v1",
        "name": name,
        "service_hours_per_year": 8760.0,
        "travel_cost_per_hour": 0.5,
        "technician": {"annual_cost": 0.0, "productive_hours": UNLIMITED_HOURS},
        "emergency": {"onsite_hours": 0.0, "coverage_target": 0.0, "job_hours": 0.0},
    }


def pmedian_problem(path: Path) -> TechniciansProblem:
    """``pmedN.txt``: vertices are sites ``v{i}`` and road nodes; stations ``f{i}`` join them by 0 h."""
    tokens = path.read_text().split()
    n, m, p = int(tokens[0]), int(tokens[1]), int(tokens[2])
    doc = _common(path.stem)
    doc["sites"] = [
        {"id": f"v{i}", "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0}
        for i in range(1, n + 1)
    ]
    doc["stations"] = [
        {"id": f"f{i}", "fixed_cost": 0.0, "max_technicians": 1} for i in range(1, n + 1)
    ]
    edges = [{"from": f"f{i}", "to": f"v{i}", "hours": 0.0} for i in range(1, n + 1)]
    for k in range(m):
        i, j, c = tokens[3 + 3 * k : 6 + 3 * k]
        edges.append({"from": f"v{i}", "to": f"v{j}", "hours": float(c)})
    doc["edges"] = edges
    doc["max_open_stations"] = p
    return TechniciansProblem.model_validate(doc)


def uncapacitated_problem(path: Path) -> TechniciansProblem:
    """``capXX.txt`` with capacities ignored: warehouses are stations, customers sites."""
    tokens = path.read_text().split()
    n_w, n_c = int(tokens[0]), int(tokens[1])
    pos = 2
    fixed = []
    for _ in range(n_w):
        fixed.append(float(tokens[pos + 1]))
        pos += 2
    hours: dict[str, dict[str, float]] = {f"w{w}": {} for w in range(1, n_w + 1)}
    for c in range(1, n_c + 1):
        pos += 1  # demand
        for w in range(1, n_w + 1):
            hours[f"w{w}"][f"c{c}"] = float(tokens[pos])
            pos += 1
    doc = _common(path.stem)
    doc["sites"] = [
        {"id": f"c{c}", "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0}
        for c in range(1, n_c + 1)
    ]
    doc["stations"] = [
        {"id": f"w{w}", "fixed_cost": fixed[w - 1], "max_technicians": 1} for w in range(1, n_w + 1)
    ]
    doc["travel_hours"] = hours
    return TechniciansProblem.model_validate(doc)


def pmedian_optima(directory: Path) -> dict[str, float]:
    """Published optima from ``pmedopt.txt``."""
    out = {}
    for line in (directory / "pmedopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = float(parts[1])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help="instances (default: pmed1-40, cap72, cap131, capa)"
    )
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds per instance")
    args = parser.parse_args(argv)
    optima = pmedian_optima(args.dir) | UNCAPACITATED_OPTIMA
    names = args.names or [f"pmed{k}" for k in range(1, 41)] + list(UNCAPACITATED_OPTIMA)
    print(
        f"{'instance':10} {'size':>12} {'published':>14} {'value':>14} {'bound':>14} {'status':>9} {'match':>5} {'seconds':>8}"
    )
    for name in names:
        path = args.dir / f"{name}.txt"
        t0 = time.perf_counter()
        problem = pmedian_problem(path) if name.startswith("pmed") else uncapacitated_problem(path)
        try:
            result = solve_technicians(problem, time_limit=args.time_limit)
        except NoPlanWithinTimeLimit as exc:
            result = SimpleNamespace(status="no plan", objective=None, bound=exc.bound)
        seconds = time.perf_counter() - t0
        size = f"{len(problem.sites)}x{len(problem.stations)}"
        value = result.objective if result.objective is not None else float("nan")
        bound = result.bound if result.bound is not None else float("nan")
        match = "yes" if abs(value - optima[name]) <= 1e-6 * max(1.0, optima[name]) + 1e-3 else "NO"
        print(
            f"{name:10} {size:>12} {optima[name]:>14.3f} {value:>14.3f} {bound:>14.3f} {result.status:>9} {match:>5}"
            f" {seconds:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
