"""Benchmark of the availability objective of the spares optimiser (run by hand).

    python benchmarks/spares_availability.py [--time-limit SECONDS] [--random N J SEED ...]
        [--median UNITS] [--no-bundled]

One row per instance: the bundled products' spares/v2 problems, built from the bundled
profiles as ``planner plan PRODUCT --emit-spares`` builds them (about 16 parts by 9
depots with a central warehouse, the strategy's availability target per depot), and
seeded random two-echelon instances (``--random 200 10 1`` is 200 parts by 10 depots,
seed 1: lognormal demand per depot with median 1 a year (``--median``), lognormal
unit costs, part lead times of two weeks to three months, a fifth of the parts with a
fill-rate floor of 0.8, some not essential, Z of 1 to 4, installed bases of 20 to 400
machines, target 0.95). Columns: solve time (s, ``solve_spares`` alone, the problem already
validated), investment, the proven lower bound (the investment when optimal), the
relative gap, status, the lowest availability margin over the depots with a target
and the peak resident memory of the process so far (MiB).
"""

from __future__ import annotations

import argparse
import resource
import time
from typing import Any

import numpy as np

from planner.models.spares import SparesProblem
from planner.optimise.spares import solve_spares


def random_instance(n_parts: int, n_depots: int, seed: int, median: float = 1.0) -> dict[str, Any]:
    """A seeded spares/v2 availability problem with a central warehouse; ``median`` is
    the median demand per part and depot (units a year)."""
    rng = np.random.default_rng(seed)
    depots = [
        {"id": f"D{j:02d}", "resupply_days": round(float(rng.uniform(2.0, 10.0)), 1)}
        for j in range(n_depots)
    ]
    rates = rng.lognormal(mean=np.log(median), sigma=1.5, size=(n_parts, n_depots))
    costs = rng.lognormal(mean=np.log(2000.0), sigma=1.2, size=n_parts).round(2)
    parts = [
        {
            "id": f"P{i:04d}",
            "unit_cost": float(costs[i]),
            "demand": {d["id"]: round(float(rates[i, j]), 3) for j, d in enumerate(depots)},
            "lead_time_days": float(rng.choice([14.0, 30.0, 45.0, 60.0, 90.0])),
            "quantity_per_machine": int(rng.choice([1, 1, 1, 2, 4])),
            "essential": bool(rng.random() < 0.85),
            "min_fill_rate": float(rng.choice([0.0, 0.0, 0.0, 0.0, 0.8])),
        }
        for i in range(n_parts)
    ]
    return {
        "format": "spares/v2",
        "name": f"random-{n_parts}x{n_depots}-{seed}-m{median:g}",
        "objective": {"target_availability": 0.95},
        "central": {"lead_time_days": 30.0},
        "depots": depots,
        "installed_base": {d["id"]: int(rng.integers(20, 400)) for d in depots},
        "parts": parts,
    }


def bundled_instances() -> list[tuple[str, SparesProblem]]:
    """Each registered product's spares problem over the bundled regions and strategy (as
    ``benchmarks/spares.py`` builds them)."""
    from spares import bundled_instances as bundled_json  # benchmarks/spares.py, beside this

    return [(pid, SparesProblem.model_validate(data)) for pid, data in bundled_json()]


def row(name: str, problem: SparesProblem, time_limit: float | None) -> str:
    t0 = time.perf_counter()
    result = solve_spares(problem, time_limit=time_limit)
    seconds = time.perf_counter() - t0
    bound = result.investment if result.bound is None else result.bound
    gap = (result.investment - bound) / max(result.investment, 1e-300)
    targets = problem.availability_targets()
    avail = result.availability or {}
    margin = min((avail[d] - t for d, t in targets.items()), default=float("nan"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return (
        f"{name:<24} {seconds:>8.3f} {result.investment:>14.2f} {bound:>16.2f} "
        f"{gap:>9.2e} {result.status:>10} {margin:>10.2e} {peak:>8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--random", type=int, nargs=3, action="append", default=None)
    parser.add_argument("--no-bundled", action="store_true")
    parser.add_argument("--median", type=float, default=1.0, help="median demand (a year)")
    args = parser.parse_args()
    print(
        f"{'instance':<24} {'time s':>8} {'investment':>14} {'bound':>16} {'gap':>9} "
        f"{'status':>10} {'margin':>10} {'MiB':>8}"
    )
    if not args.no_bundled:
        for name, problem in bundled_instances():
            print(row(name, problem, args.time_limit), flush=True)
    for n_parts, n_depots, seed in args.random or [[200, 10, 1]]:
        data = random_instance(n_parts, n_depots, seed, args.median)
        problem = SparesProblem.model_validate(data)
        print(row(problem.name, problem, args.time_limit), flush=True)


if __name__ == "__main__":
    main()
