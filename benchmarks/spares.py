"""Benchmark of the spare-parts optimiser against a heap-greedy baseline (run by hand).

    python benchmarks/spares.py [--sizes 250 10000 50000 1000000] [--seed 7] [--fill-rate F]
        [--no-floors] [--bundled-only] [--time-limit SECONDS]

For each size (SKU-locations: parts times the depots that demand them) it generates a
seeded instance with heavy-tailed slow movers (lognormal demand, most parts below
0.5 units a year per depot; lognormal unit costs), budget mode (or a fill-rate target
with ``--fill-rate``, then without baselines), with and without a central warehouse,
and prints one row per method: time (s), objective (total depot backorders in units;
investment with ``--fill-rate``), whether the optimum is proven, the gap to the greedy
baseline (baseline minus method, units) and peak resident memory of the benchmark
process (MiB, so far). Sizes of 50 000 and up are also timed end to end as a fresh process
through the command line (``planner optimise spares FILE --out OUT``: import, load and
validate the JSON, solve, write the result).

Then, unless ``--no-floors``, the same sizes as ``spares/v2`` instances with weights and
fill-rate floors (``make_instance(..., floors=True)``: a seeded criticality per part,
A / B / C with shares 20 / 30 / 50 % and weights 3 / 2 / 1, and ``min_fill_rate`` 0.8 on
the A parts; same demand, costs and budget), budget mode, one echelon and two: the
peer, the exact solve and the ratio of their times (peer / exact). Each method runs
in a fresh process (spawned), so its peak resident memory is its own: interpreter,
imports, building the instance and the method (the ``instance`` row is the first three
alone). Objective: weighted backorders; gap: peer minus exact.

Then one row per bundled product and objective, the problem built from the bundled
profiles exactly as ``planner plan PRODUCT --emit-spares`` builds it (spares/v2, 16
parts by 9 depots with a central warehouse and fast movers): the instance's own
objective (availability targets per depot), then a budget halfway between the floor
stock's value and the own plan's investment, solved exactly and by the greedy peer (from
the floor stock, in the same run): time (s), investment, weighted backorders, fill rate,
status and the process's peak memory so far.

Baselines: single echelon, textbook marginal analysis with a heap over
(weighted EBO reduction / unit cost) per part and depot, from the floor stock of each
SKU-location (none without floors), skipping units that no longer fit; two echelons,
the convex-envelope greedy (Sherbrooke's efficient point below the budget, from the
floor stock, ``greedy_spares``).
"""

from __future__ import annotations

import argparse
import heapq
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

from planner.models.spares import SparesProblem
from planner.optimise.metric import ebo
from planner.optimise.spares import greedy_spares, solve_spares

N_DEPOTS = 10
CRITICALITY = (0.2, 0.3, 0.5)
"""Shares of the A, B and C parts (``floors=True``)."""
WEIGHTS = (3.0, 2.0, 1.0)
"""Weights of the A, B and C parts."""
A_FLOOR = 0.8
"""Fill-rate floor of the A parts."""


def make_instance(
    sku_locations: int,
    central: bool,
    seed: int,
    fill_rate: float | None = None,
    floors: bool = False,
) -> dict:
    """A seeded spares/v1 problem with about ``sku_locations`` part-depot pairs.

    Budget mode unless a ``fill_rate`` target is given. ``floors`` makes it spares/v2
    with a seeded criticality per part (its own generator: demand, costs and budget
    stay those of the v1 instance): weights 3 / 2 / 1 for A / B / C and the fill-rate
    floor :data:`A_FLOOR` on the A parts.
    """
    rng = np.random.default_rng(seed)
    n_parts = max(1, sku_locations // N_DEPOTS)
    depots = [
        {"id": f"D{j:02d}", "resupply_days": float(rng.uniform(2.0, 10.0))} for j in range(N_DEPOTS)
    ]
    # heavy tail: median 0.15 units a year per depot, a few fast movers
    rates = rng.lognormal(mean=np.log(0.15), sigma=1.5, size=(n_parts, N_DEPOTS))
    costs = rng.lognormal(mean=np.log(300.0), sigma=1.2, size=n_parts).round(2)
    parts = [
        {
            "id": f"P{i:07d}",
            "unit_cost": float(costs[i]),
            "demand": {depots[j]["id"]: round(float(rates[i, j]), 4) for j in range(N_DEPOTS)},
        }
        for i in range(n_parts)
    ]
    # budget: about a third of the value of one unit per SKU-location
    budget = round(0.35 * float(costs.sum()) * N_DEPOTS, 2)
    objective = {"budget": budget} if fill_rate is None else {"target_fill_rate": fill_rate}
    if floors:
        crit = np.random.default_rng([seed, 1]).choice(3, size=n_parts, p=CRITICALITY)
        for part, c in zip(parts, crit, strict=True):
            part["weight"] = WEIGHTS[c]
            if c == 0:
                part["min_fill_rate"] = A_FLOOR
    return {
        "format": "spares/v2" if floors else "spares/v1",
        "name": f"bench-{sku_locations}-{'2e' if central else '1e'}-{seed}",
        "objective": objective,
        "central": {"lead_time_days": 60.0} if central else None,
        "depots": depots,
        "parts": parts,
    }


def heap_greedy(problem: SparesProblem) -> float:
    """Single-echelon marginal analysis with a heap, from the floor stock of each
    SKU-location; returns the weighted total depot EBO (units).

    The floor stock is the least ``s`` with ``P(X <= s - 1) >= f``, i.e. the Poisson
    quantile of ``f`` plus one; then units are bought by weighted EBO reduction per
    unit cost, skipping those that no longer fit the budget.
    """
    budget = float(problem.objective.budget or 0.0)
    resupply = {d.id: d.resupply_days / 365.0 for d in problem.depots}
    rows = [
        (
            rate * resupply[depot],
            part.unit_cost,
            1.0 if part.weight is None else part.weight,
            part.min_fill_rate or 0.0,
        )
        for part in problem.parts
        for depot, rate in part.demand.items()
        if rate * resupply[depot] > 0
    ]
    mu, cost, wgt, floor = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    start = np.where(floor > 0, stats.poisson.ppf(floor, mu) + 1, 0).astype(np.int64)
    spent = float((cost * start).sum())
    total = float((wgt * ebo(start, mu)).sum())
    gains = wgt * (ebo(start, mu) - ebo(start + 1, mu))
    heap = [
        (-g / c, k, g, c, s)
        for k, (g, c, s) in enumerate(zip(gains.tolist(), cost.tolist(), start.tolist()))
        if c > 0
    ]
    heapq.heapify(heap)
    while heap:
        _, k, gain, c, s = heapq.heappop(heap)
        if gain <= 1e-15:
            break
        if spent + c > budget + 1e-9 * max(1.0, budget):
            continue
        spent += c
        total -= gain
        nxt = float(wgt[k] * (ebo(s + 1, mu[k]) - ebo(s + 2, mu[k])))
        heapq.heappush(heap, (-nxt / c, k, nxt, c, s + 1))
    return total


def peak_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def own_peak_mib() -> float:
    """Peak resident memory of this process image (MiB): Linux's VmHWM, which starts
    afresh at exec, where ``ru_maxrss`` keeps the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM in /proc/self/status")


def run(sizes: list[int], seed: int, fill_rate: float | None) -> None:
    header = (
        f"{'size':>9} {'echelons':>8} {'method':<14} {'time s':>8} {'objective':>14} "
        f"{'proven':>6} {'gap vs greedy':>14} {'peak MiB':>9}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        for central in (False, True):
            data = make_instance(size, central, seed, fill_rate)
            problem = SparesProblem.model_validate(data)
            ech = "2" if central else "1"
            base = None
            if fill_rate is None:
                t = time.perf_counter()
                if central:
                    base = greedy_spares(problem).backorders
                    base_name = "hull-greedy"
                else:
                    base = heap_greedy(problem)
                    base_name = "heap-greedy"
                t_base = time.perf_counter() - t
                print(
                    f"{size:>9} {ech:>8} {base_name:<14} {t_base:>8.2f} {base:>14.6f} "
                    f"{'no':>6} {0.0:>14.3e} {peak_mib():>9.0f}",
                    flush=True,
                )
            t = time.perf_counter()
            res = solve_spares(problem)
            t_exact = time.perf_counter() - t
            value = res.backorders if fill_rate is None else res.investment
            gap = f"{base - value:>14.3e}" if base is not None else f"{'-':>14}"
            print(
                f"{size:>9} {ech:>8} {'exact':<14} {t_exact:>8.2f} {value:>14.6f} "
                f"{'yes' if res.status == 'optimal' else 'no':>6} {gap} {peak_mib():>9.0f}",
                flush=True,
            )
    for size in sizes:
        if size >= 50_000:
            for central in (False, True):
                end_to_end(make_instance(size, central, seed, fill_rate), size, central)


def measure_method(
    size: int, central: bool, seed: int, method: str
) -> tuple[float, float, bool, float]:
    """Build the weighted, floored instance and run ``method`` on it, in this process:
    (time s, weighted backorders, proven optimal) and the process's peak memory (MiB).
    ``instance`` only builds it (its time is the building)."""
    t = time.perf_counter()
    problem = SparesProblem.model_validate(make_instance(size, central, seed, floors=True))
    if method == "instance":
        return time.perf_counter() - t, float("nan"), False, own_peak_mib()
    t = time.perf_counter()
    if method == "peer":
        value = greedy_spares(problem).weighted_backorders if central else heap_greedy(problem)
        proven = False
    else:
        res = solve_spares(problem)
        value, proven = res.weighted_backorders, res.status == "optimal"
    assert value is not None
    return time.perf_counter() - t, value, proven, own_peak_mib()


def in_fresh_process(*task: object) -> tuple[float, float, bool, float]:
    """:func:`measure_method` in a spawned process, so that its peak memory is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(measure_method, task)


def run_floors(sizes: list[int], seed: int) -> None:
    """Weighted, floored (spares/v2) instances: the peer against the exact solve."""
    header = (
        f"{'size':>9} {'echelons':>8} {'method':<14} {'time s':>8} {'weighted BO':>14} "
        f"{'proven':>6} {'gap vs peer':>12} {'peak MiB':>9} {'peer/exact':>10}"
    )
    print("spares/v2: weights A/B/C 3/2/1, min_fill_rate 0.8 on the A parts (budget mode)")
    print(header)
    print("-" * len(header))
    for size in sizes:
        for central in (False, True):
            ech = "2" if central else "1"
            t_inst, _, _, mem = in_fresh_process(size, central, seed, "instance")
            print(
                f"{size:>9} {ech:>8} {'instance':<14} {t_inst:>8.2f} {'-':>14} {'-':>6} "
                f"{'-':>12} {mem:>9.0f} {'-':>10}",
                flush=True,
            )
            t_peer, peer, _, mem = in_fresh_process(size, central, seed, "peer")
            name = "hull-greedy" if central else "heap-greedy"
            print(
                f"{size:>9} {ech:>8} {name:<14} {t_peer:>8.2f} {peer:>14.6f} {'no':>6} "
                f"{0.0:>12.3e} {mem:>9.0f} {'-':>10}",
                flush=True,
            )
            t_exact, value, proven, mem = in_fresh_process(size, central, seed, "exact")
            print(
                f"{size:>9} {ech:>8} {'exact':<14} {t_exact:>8.2f} {value:>14.6f} "
                f"{'yes' if proven else 'no':>6} {peer - value:>12.3e} {mem:>9.0f} "
                f"{t_peer / t_exact:>9.2f}x",
                flush=True,
            )


def end_to_end(data: dict, size: int, central: bool) -> None:
    """Time ``planner optimise spares FILE --out OUT`` as a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "problem.json"
        out = Path(tmp) / "result.json"
        src.write_text(json.dumps(data), encoding="utf-8")
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "planner.cli",
                "optimise",
                "spares",
                str(src),
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,  # the summary lines would break the table
        )
        elapsed = time.perf_counter() - t
        result = json.loads(out.read_text(encoding="utf-8"))
    ech = "2" if central else "1"
    print(
        f"end-to-end process, {size} SKU-locations, {ech} echelon(s): {elapsed:.2f} s, "
        f"status {result['status']}, backorders {result['backorders']:.6f}",
        flush=True,
    )


def bundled_budget(data: dict, own_investment: float) -> float:
    """A budget for a bundled instance that its fill-rate floors leave room in: the floor
    stock's value (what a budget of 0 reports as infeasible) plus half of the way to the
    investment of the instance's own (availability) plan, rounded to 1 000."""
    floors = solve_spares(SparesProblem.model_validate({**data, "objective": {"budget": 0.0}}))
    return round(floors.investment + 0.5 * max(0.0, own_investment - floors.investment), -3)


def bundled_instances() -> list[tuple[str, dict]]:
    """Each registered product's spares problem over the bundled regions and strategy."""
    from planner.plugins import load_plugins
    from planner.problems import spares_problem
    from planner.scenario import default_regions, default_strategy, plan_product, product_profile

    host = load_plugins(entry_points=False)
    regions, strategy = default_regions(), default_strategy()
    out = []
    for product_id in sorted(host.products()):
        product = product_profile(host, product_id)
        report = plan_product(host, product, regions, strategy)
        problem = spares_problem(product, report, regions, strategy)
        out.append((product_id, json.loads(problem.to_json())))
    return out


def objective_label(objective: dict) -> str:
    """'fill 0.95', 'budget 1e+06' or 'availability 0.94-0.97' (per-depot targets)."""
    key, value = next(iter(objective.items()))
    if key == "target_availability":
        values = list(value.values()) if isinstance(value, dict) else [value]
        return f"availability {min(values):g}-{max(values):g}"
    return f"{'fill' if key == 'target_fill_rate' else 'budget'} {value:g}"


def run_bundled(time_limit: float | None) -> None:
    """The project's real instances: their own objective, and a budget between the floor
    stock and the own plan's investment, solved exactly and by the greedy peer (weighted
    backorders; the peer starts at the floor stock)."""
    header = (
        f"{'instance':<15} {'objective':<25} {'method':<12} {'time s':>8} {'investment':>14} "
        f"{'weighted BO':>12} {'fill':>8} {'status':>9} {'peak MiB':>9}"
    )
    print(header)
    print("-" * len(header))

    def row(name, label, method, elapsed, res, status):
        bo = res.weighted_backorders if res.weighted_backorders is not None else res.backorders
        print(
            f"{name:<15} {label:<25} {method:<12} {elapsed:>8.2f} {res.investment:>14.2f} "
            f"{bo:>12.6f} {res.fill_rate:>8.5f} {status:>9} {peak_mib():>9.0f}",
            flush=True,
        )

    for name, data in bundled_instances():
        problem = SparesProblem.model_validate(data)
        t = time.perf_counter()
        own = solve_spares(problem, time_limit=time_limit)
        row(
            name,
            objective_label(data["objective"]),
            "exact",
            time.perf_counter() - t,
            own,
            own.status,
        )
        objective = {"budget": bundled_budget(data, own.investment)}
        problem = SparesProblem.model_validate({**data, "objective": objective})
        label = objective_label(objective)
        t = time.perf_counter()
        res = solve_spares(problem, time_limit=time_limit)
        row(name, label, "exact", time.perf_counter() - t, res, res.status)
        t = time.perf_counter()
        peer = greedy_spares(problem)
        row(name, label, "greedy peer", time.perf_counter() - t, peer, "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 10_000, 50_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fill-rate",
        type=float,
        default=None,
        help="solve for this fill-rate target instead of the budget (objective = investment)",
    )
    parser.add_argument(
        "--no-floors", action="store_true", help="without the weighted, floored (v2) rows"
    )
    parser.add_argument(
        "--bundled-only", action="store_true", help="only the bundled-instance rows"
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="time limit per bundled solve (s)"
    )
    args = parser.parse_args()
    if not args.bundled_only:
        run(args.sizes, args.seed, args.fill_rate)
        if not args.no_floors:
            run_floors(args.sizes, args.seed)
    run_bundled(args.time_limit)


if __name__ == "__main__":
    main()
