"""OR-Library p-median and uncapacitated location instances with the radius-formulation solver.

Run by hand: ``python benchmarks/radius.py [--dir DIR] [--time-limit S] [NAME ...]``; prints one
line per instance with the published optimum, the value reached, its proven lower bound, the
status and the time. Unlike ``benchmarks/orlib.py`` the instances are passed to
:func:`planner.optimise.location.solve_uncapacitated` as raw cost matrices, so the objective is
directly the published value: for ``pmedN`` the shortest-path distances of the file's graph
(every vertex a site and a candidate station, ``p`` from the header; an edge listed twice
counts with its last listing), for ``cap72``, ``cap131`` and ``capa`` the files' service costs
and fixed costs with capacities ignored.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from planner.optimise.location import solve_uncapacitated

sys.path.insert(0, str(Path(__file__).resolve().parent))

from orlib import pmedian_optima

DEFAULT_DIR = Path(
    os.environ.get("ORLIB_DIR", Path(__file__).resolve().parents[2] / "shared/benchmarks/orlib")
)
UNCAPACITATED_OPTIMA = {"cap72": 977799.400, "cap131": 793439.562, "capa": 17156454.478}


def pmedian_instance(path: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """(distance matrix stations x sites, zero fixed costs, p) of a ``pmedN.txt`` file."""
    tokens = path.read_text().split()
    n, m, p = int(tokens[0]), int(tokens[1]), int(tokens[2])
    edges = np.array(tokens[3 : 3 + 3 * m], dtype=float).reshape(m, 3)
    last: dict[tuple[int, int], float] = {}
    for i, j, c in edges:
        a, b = int(i) - 1, int(j) - 1
        last[(min(a, b), max(a, b))] = c  # the last listing of an edge counts
    keys = np.array(list(last), dtype=int).reshape(-1, 2)
    weights = np.array(list(last.values()), dtype=float)
    loops = keys[:, 0] == keys[:, 1]
    keys, weights = keys[~loops], weights[~loops]
    graph = sp.csr_matrix((weights, (keys[:, 0], keys[:, 1])), shape=(n, n))
    dist = dijkstra(graph, directed=False)
    return dist, np.zeros(n), p


def uncapacitated_instance(path: Path) -> tuple[np.ndarray, np.ndarray, None]:
    """(cost matrix warehouses x customers, fixed costs, no limit) of a ``capXX.txt`` file."""
    tokens = path.read_text().split()
    n_w, n_c = int(tokens[0]), int(tokens[1])
    head = np.array(tokens[2 : 2 + 2 * n_w], dtype=float).reshape(n_w, 2)
    body = np.array(tokens[2 + 2 * n_w : 2 + 2 * n_w + n_c * (n_w + 1)], dtype=float)
    cost = body.reshape(n_c, n_w + 1)[:, 1:].T
    return cost, head[:, 1].copy(), None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="instances (default: pmed1-40)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    args = parser.parse_args(argv)
    optima = pmedian_optima(args.dir) | UNCAPACITATED_OPTIMA
    names = args.names or [f"pmed{k}" for k in range(1, 41)]
    print(
        f"{'instance':10} {'size':>9} {'p':>4} {'published':>14} {'value':>14} {'bound':>14}"
        f" {'status':>9} {'match':>5} {'seconds':>8}"
    )
    for name in names:
        path = args.dir / f"{name}.txt"
        if name.startswith("pmed"):
            cost, fixed, p = pmedian_instance(path)
        else:
            cost, fixed, p = uncapacitated_instance(path)
        t0 = time.perf_counter()
        out = solve_uncapacitated(cost, fixed, p, args.time_limit)
        seconds = time.perf_counter() - t0
        value = out.cost if out.cost is not None else float("nan")
        bound = out.bound if out.bound is not None else float("nan")
        match = "yes" if abs(value - optima[name]) <= 1e-6 * max(1.0, optima[name]) + 1e-3 else "NO"
        size = f"{cost.shape[1]}x{cost.shape[0]}"
        print(
            f"{name:10} {size:>9} {p if p is not None else '-':>4} {optima[name]:>14.3f}"
            f" {value:>14.3f} {bound:>14.3f} {out.status:>9} {match:>5} {seconds:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
