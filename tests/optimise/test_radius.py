"""Radius-formulation solver against independent exact references.

References: enumeration of every station subset (small instances), a textbook assignment
MILP (``x_ij <= y_j``) solved by ``scipy.optimize.milp`` (medium instances) and the published
OR-Library p-median optima (``pmedopt.txt``), with distances computed here by
Floyd-Warshall.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import floyd_warshall

from planner.optimise.location import RadiusOutcome, RadiusSettings, solve_uncapacitated

ROOT = Path(__file__).resolve().parents[2]
ORLIB = Path(os.environ.get("ORLIB_DIR", ROOT.parent / "shared" / "benchmarks" / "orlib"))

# --- independent references ------------------------------------------------------------------


def _brute(cost: np.ndarray, fixed: np.ndarray, max_open: int | None) -> float:
    """Least cost over every non-empty station subset of at most ``max_open`` stations."""
    m = cost.shape[0]
    limit = m if max_open is None else min(max_open, m)
    best = np.inf
    for k in range(1, limit + 1):
        for subset in itertools.combinations(range(m), k):
            s = list(subset)
            best = min(best, fixed[s].sum() + cost[s].min(axis=0).sum())
    return float(best)


def _textbook_milp(cost: np.ndarray, fixed: np.ndarray, max_open: int | None) -> float:
    """min f.y + c.x, sum_j x_ij = 1, x_ij <= y_j, 1 <= sum y <= p, x and y binary."""
    m, n = cost.shape
    finite = np.isfinite(cost)
    nx = m * n
    c = np.concatenate([np.where(finite, cost, 0.0).ravel(), fixed])
    upper = np.concatenate([finite.ravel().astype(float), np.ones(m)])
    x_of = np.arange(nx).reshape(m, n)
    assign = sp.csr_matrix(
        (np.ones(nx), (np.tile(np.arange(n), m), x_of.ravel())), shape=(n, nx + m)
    )
    link_rows = np.arange(nx)
    link = sp.csr_matrix(
        (
            np.concatenate([np.ones(nx), -np.ones(nx)]),
            (
                np.concatenate([link_rows, link_rows]),
                np.concatenate([x_of.ravel(), nx + np.repeat(np.arange(m), n)]),
            ),
        ),
        shape=(nx, nx + m),
    )
    count = sp.csr_matrix(
        (np.ones(m), (np.zeros(m, dtype=int), nx + np.arange(m))), shape=(1, nx + m)
    )
    constraints = [
        LinearConstraint(assign, 1, 1),
        LinearConstraint(link, -np.inf, 0),
        LinearConstraint(count, 1, m if max_open is None else max_open),
    ]
    res = milp(
        c,
        constraints=constraints,
        integrality=np.ones(nx + m),
        bounds=Bounds(np.zeros(nx + m), upper),
        options={"mip_rel_gap": 1e-9},
    )
    assert res.status == 0
    return float(res.fun)


def _random_instance(
    rng: np.random.Generator, m: int, n: int, *, with_fixed: bool, with_inf: bool
) -> tuple[np.ndarray, np.ndarray]:
    cost = rng.integers(0, 20, size=(m, n)).astype(float)
    if with_inf:
        cost[rng.random((m, n)) < 0.3] = np.inf
    fixed = rng.integers(0, 30, size=m).astype(float) if with_fixed else np.zeros(m)
    return cost, fixed


def _check(
    out: RadiusOutcome, cost: np.ndarray, fixed: np.ndarray, max_open: int | None, ref: float
) -> None:
    """``out`` is a proven optimum of value ``ref`` whose plan is consistent."""
    assert out.status == "optimal"
    assert out.cost == pytest.approx(ref, rel=1e-9, abs=1e-9)
    assert out.bound is not None and out.bound <= out.cost + 1e-9
    assert out.cost - out.bound <= 1e-6 * max(1.0, abs(out.cost))
    assert len(out.open) >= 1 and len(set(out.open.tolist())) == len(out.open)
    if max_open is not None:
        assert len(out.open) <= max_open
    assert set(out.assign.tolist()) <= set(out.open.tolist())
    served = cost[out.assign, np.arange(cost.shape[1])]
    assert np.all(served == cost[out.open].min(axis=0))
    assert fixed[out.open].sum() + served.sum() == pytest.approx(out.cost, rel=1e-12, abs=1e-9)


# --- brute force -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("with_fixed", [False, True])
@pytest.mark.parametrize("with_inf", [False, True])
def test_matches_enumeration(seed: int, with_fixed: bool, with_inf: bool) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 8)), int(rng.integers(1, 13))
    cost, fixed = _random_instance(rng, m, n, with_fixed=with_fixed, with_inf=with_inf)
    max_open = None if seed % 3 == 0 else int(rng.integers(1, m + 1))
    ref = _brute(cost, fixed, max_open)
    out = solve_uncapacitated(cost, fixed, max_open, time_limit=30)
    if np.isfinite(ref):
        _check(out, cost, fixed, max_open, ref)
    else:
        assert out.status == "infeasible" and out.open is None and out.cost is None


@pytest.mark.parametrize("seed", range(30))
def test_exact_without_heuristic_and_with_soft_radii(seed: int) -> None:
    """No upper bound and always-truncated MIP radii: the iterative extension alone is exact."""
    settings = RadiusSettings(heuristic=False, soft_ratio=0.0, small_model=0, soft_scale=0.2)
    rng = np.random.default_rng(1000 + seed)
    m, n = int(rng.integers(2, 8)), int(rng.integers(3, 13))
    cost, fixed = _random_instance(rng, m, n, with_fixed=seed % 2 == 0, with_inf=seed % 3 == 0)
    max_open = None if seed % 4 == 0 else int(rng.integers(1, m + 1))
    ref = _brute(cost, fixed, max_open)
    out = solve_uncapacitated(cost, fixed, max_open, time_limit=30, settings=settings)
    if np.isfinite(ref):
        _check(out, cost, fixed, max_open, ref)
    else:
        assert out.status == "infeasible"


@pytest.mark.parametrize("seed", range(6))
def test_soft_radii_with_reductions(seed: int) -> None:
    """Soft truncation after reduced-cost fixing on instances where the LP is not integral."""
    settings = RadiusSettings(soft_ratio=0.0, small_model=0)
    rng = np.random.default_rng(2000 + seed)
    cost = rng.integers(1, 100, size=(9, 14)).astype(float)
    fixed = np.zeros(9) if seed % 2 else rng.integers(20, 120, size=9).astype(float)
    max_open = 3 if seed % 2 else None
    ref = _brute(cost, fixed, max_open)
    out = solve_uncapacitated(cost, fixed, max_open, time_limit=30, settings=settings)
    _check(out, cost, fixed, max_open, ref)


def test_warm_start_is_used_and_result_exact() -> None:
    rng = np.random.default_rng(7)
    cost, fixed = _random_instance(rng, 7, 12, with_fixed=True, with_inf=False)
    ref = _brute(cost, fixed, 3)
    out = solve_uncapacitated(cost, fixed, 3, time_limit=30, start=np.array([0, 1, 2]))
    _check(out, cost, fixed, 3, ref)


def test_infeasible_cases() -> None:
    cost = np.array([[1.0, np.inf], [np.inf, 2.0]])
    assert solve_uncapacitated(cost, np.zeros(2), 1, time_limit=10).status == "infeasible"
    assert solve_uncapacitated(cost, np.zeros(2), 0, time_limit=10).status == "infeasible"
    uncovered = np.array([[1.0, np.inf], [3.0, np.inf]])
    assert solve_uncapacitated(uncovered, np.zeros(2), None, time_limit=10).status == "infeasible"
    out = solve_uncapacitated(cost, np.zeros(2), 2, time_limit=10)
    _check(out, cost, np.zeros(2), 2, 3.0)


def test_hand_checked_facility_location() -> None:
    # Opening both costs 10 + 10 + 0 + 0; opening station 0 alone 10 + 0 + 9 = 19 (best);
    # station 1 alone 10 + 9 + 0 = 19 too, so the optimum is 19.
    cost = np.array([[0.0, 9.0], [9.0, 0.0]])
    out = solve_uncapacitated(cost, np.array([10.0, 10.0]), None, time_limit=10)
    _check(out, cost, np.array([10.0, 10.0]), None, 19.0)


# --- textbook MILP ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_matches_textbook_milp(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    m, n = 15, 40
    points_s = rng.random((m, 2))
    points_c = rng.random((n, 2))
    cost = np.round(100 * np.linalg.norm(points_s[:, None] - points_c[None], axis=2), 1)
    if seed % 2:
        cost[rng.random((m, n)) < 0.2] = np.inf
        cost[0] = np.where(np.isfinite(cost[0]), cost[0], 150.0)  # every site reachable
    fixed = rng.integers(50, 200, size=m).astype(float) if seed < 2 else np.zeros(m)
    max_open = None if seed == 0 else 4
    ref = _textbook_milp(cost, fixed, max_open)
    out = solve_uncapacitated(cost, fixed, max_open, time_limit=60)
    _check(out, cost, fixed, max_open, ref)


# --- OR-Library ------------------------------------------------------------------------------


def _pmedian(name: str) -> tuple[np.ndarray, int]:
    """Shortest-path distances (last listing of an edge counts) and p of ``pmedN.txt``."""
    tokens = (ORLIB / f"{name}.txt").read_text().split()
    n, m, p = int(tokens[0]), int(tokens[1]), int(tokens[2])
    w = np.full((n, n), np.inf)
    np.fill_diagonal(w, 0.0)
    for k in range(m):
        i, j, c = int(tokens[3 + 3 * k]) - 1, int(tokens[4 + 3 * k]) - 1, float(tokens[5 + 3 * k])
        if i != j:
            w[i, j] = w[j, i] = c
    return floyd_warshall(w), p


def _published(name: str) -> float:
    for line in (ORLIB / "pmedopt.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return float(parts[1])
    raise KeyError(name)


@pytest.mark.skipif(not (ORLIB / "pmedopt.txt").exists(), reason="OR-Library files not found")
@pytest.mark.parametrize("name", ["pmed1", "pmed2"])
def test_pmedian_published_optimum(name: str) -> None:
    dist, p = _pmedian(name)
    out = solve_uncapacitated(dist, np.zeros(len(dist)), p, time_limit=120)
    _check(out, dist, np.zeros(len(dist)), p, _published(name))
    assert len(out.open) == p


def test_tiny_time_limit_is_honest() -> None:
    """Out of time: a consistent plan, and "optimal" only with a bound that proves it."""
    rng = np.random.default_rng(11)
    pts = rng.random((60, 2))
    cost = np.round(100 * np.linalg.norm(pts[:, None] - pts[None], axis=2))
    out = solve_uncapacitated(cost, np.zeros(60), 4, time_limit=1e-3)
    assert out.status in {"optimal", "feasible", "unknown"}
    if out.cost is not None:
        assert len(out.open) <= 4
        assert cost[out.open].min(axis=0).sum() == pytest.approx(out.cost)
    if out.status == "optimal":
        assert out.cost - out.bound <= 1e-6 * max(1.0, out.cost)
    if out.bound is not None and out.cost is not None:
        assert out.bound <= out.cost
