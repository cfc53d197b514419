"""Benchmark of the scenario store (run by hand).

    python benchmarks/store.py [--db URL ...] [--processes 8] [--saves 5]

For each store (a new SQLite file by default; add ``--db postgresql+psycopg://...`` for an
empty PostgreSQL database): the time to save one bundled scenario's result (about 300 kB
of JSON), to list the store, to load a version back, to compare four saved versions
(load them and build the comparison, as ``planner scenario compare`` does), to export one
version as XLSX and as a zip of CSV tables, then ``--processes`` processes each
saving ``--saves`` versions of one name at the same moment: the wall time, saves per
second, and whether every version arrived (numbers 1..N, none lost, none twice).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path


def saver(url: str, result_json: str, saves: int, barrier) -> list[int]:
    from planner.models.scenario import ScenarioResult
    from planner.store import open_store

    result = ScenarioResult.model_validate_json(result_json)
    numbers = []
    with open_store(url) as store:
        barrier.wait()
        for _ in range(saves):
            numbers.append(store.save("concurrent", {"kind": "scenario"}, result).number)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()

    from planner.compare import compare
    from planner.scenario import bundled_scenarios, run
    from planner.scenario_export import export_scenario
    from planner.store import open_store

    path = next(s["path"] for s in bundled_scenarios() if "today" in s["path"])
    result = run(path)
    data = result.model_dump_json()
    folder = tempfile.mkdtemp()
    urls = [f"sqlite:///{Path(folder) / 'bench.sqlite'}", *args.db]
    print(f"result: {len(data) / 1024:.0f} kB of JSON ({Path(path).stem})")
    header = (
        f"{'store':<12}{'save ms':>9}{'list ms':>9}{'load ms':>9}{'compare4 ms':>12}"
        f"{'xlsx ms':>9}{'csv ms':>8}"
        f"{'concurrent':>12}{'wall s':>8}{'saves/s':>9}  all kept"
    )
    print(header)
    print("-" * len(header))
    for url in urls:
        with open_store(url) as store:
            saves, lists, loads = [], [], []
            for _ in range(10):
                t = time.perf_counter()
                store.save("timed", {"kind": "scenario"}, result)
                saves.append(time.perf_counter() - t)
                t = time.perf_counter()
                store.names()
                lists.append(time.perf_counter() - t)
                t = time.perf_counter()
                store.load("timed")
                loads.append(time.perf_counter() - t)
            compares, xlsx, csv = [], [], []
            for _ in range(5):
                t = time.perf_counter()
                four = [(f"v{k}", store.load("timed", k).result) for k in range(1, 5)]
                compare(four)
                compares.append(time.perf_counter() - t)
                t = time.perf_counter()
                export_scenario(four[0][1], "xlsx")
                xlsx.append(time.perf_counter() - t)
                t = time.perf_counter()
                export_scenario(four[0][1], "csv")
                csv.append(time.perf_counter() - t)
        context = multiprocessing.get_context("spawn")
        n = args.processes * args.saves
        with context.Manager() as manager:
            barrier = manager.Barrier(args.processes)
            with context.Pool(args.processes) as pool:
                t = time.perf_counter()
                got = pool.starmap(
                    saver, [(url, data, args.saves, barrier) for _ in range(args.processes)]
                )
                wall = time.perf_counter() - t
        numbers = sorted(x for chunk in got for x in chunk)
        with open_store(url) as store:
            stored = [v.number for v in store.versions("concurrent")]
        kept = numbers == list(range(1, n + 1)) == stored
        kind = url.split(":", 1)[0].split("+", 1)[0]
        print(
            f"{kind:<12}{1000 * statistics.median(saves):>9.1f}"
            f"{1000 * statistics.median(lists):>9.1f}{1000 * statistics.median(loads):>9.1f}"
            f"{1000 * statistics.median(compares):>12.1f}{1000 * statistics.median(xlsx):>9.1f}"
            f"{1000 * statistics.median(csv):>8.1f}"
            f"{f'{args.processes}x{args.saves}':>12}{wall:>8.2f}{n / wall:>9.1f}  "
            f"{'yes' if kept else 'NO'}"
        )


if __name__ == "__main__":
    main()
