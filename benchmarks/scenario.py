"""Benchmark of whole scenario runs (run by hand).

    python benchmarks/scenario.py [SCENARIO.toml ...] [--repeat N]

One row per scenario (the bundled ones by default): each run is the command a user types,
``planner scenario run FILE --format json --out ...``, in a fresh process, timed from
process start to exit (imports, plugin loading and writing the result included), with the
process's peak resident memory, and the phases the run reports (plans, stations, parts,
simulation, scorecards) read back from its result. The best of ``--repeat`` runs is
shown. The issue's target: a bundled scenario in at most 5 s of process time.

Then the figures a planner compares, side by side: annual cost, margin, parts
investment, technicians, stations, coverage, dispatch level, fill rate, availability and
the share of check rows where the simulation agrees with the prediction.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def bundled() -> list[Path]:
    from planner.scenario import bundled_scenarios

    return [Path(s["path"]) for s in bundled_scenarios()]


def run_once(path: Path) -> tuple[float, float, dict]:
    """(seconds, peak MiB, result JSON) of one run in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "planner.cli",
                "scenario",
                "run",
                str(path),
                "--format",
                "json",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return seconds, max(peak, before) / 1024.0, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.scenarios or bundled()
    results = {}
    header = (
        f"{'scenario':34} {'process s':>9} {'peak MiB':>8} {'plans':>6} {'stations':>8} "
        f"{'parts':>6} {'simul.':>6} {'scores':>6}  parts status"
    )
    print(header)
    print("-" * len(header))
    for path in paths:
        best = None
        for _ in range(args.repeat):
            seconds, peak, data = run_once(path)
            if best is None or seconds < best[0]:
                best = (seconds, peak, data)
        assert best is not None
        seconds, peak, data = best
        results[data["scenario"]["name"]] = data
        t = data["timings"]
        print(
            f"{data['scenario']['name'][:34]:34} {seconds:9.2f} {peak:8.0f} {t['plans']:6.2f} "
            f"{t['stations']:8.2f} {t['parts']:6.2f} {t['simulation']:6.2f} "
            f"{t['scorecards']:6.2f}  {data['parts']['result']['status']}"
        )
    print()
    header = (
        f"{'scenario':34} {'cost MCNY/yr':>12} {'margin':>8} {'stock MCNY':>10} {'techs':>5} "
        f"{'stns':>4} {'coverage':>8} {'dispatch':>8} {'fill':>6} {'avail.':>7} {'agree':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, data in results.items():
        k = data["kpis"]
        agree = sum(c["agrees"] for c in data["check"])
        print(
            f"{name[:34]:34} {k['cost'] / 1e6:12.1f} {k['costs']['margin'] / 1e6:8.1f} "
            f"{k['investment'] / 1e6:10.2f} {k['technicians']:5d} {k['stations']:4d} "
            f"{k['coverage']:8.2%} {k['dispatch_level']:8.2%} {k['fill_rate']:6.1%} "
            f"{k['availability']:7.3%} {agree:3d}/{len(data['check']):<3d}"
        )


if __name__ == "__main__":
    main()
