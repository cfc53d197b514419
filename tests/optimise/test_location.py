"""Location models on a cost matrix against enumeration: maximal covering over every station
set, and the fast interchange ending where no single add, drop or swap improves."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from planner.optimise.location import fast_interchange, first_improvement, max_covering, open_cost


def _best_cover(covers: np.ndarray, weights: np.ndarray, p: int | None) -> float:
    """Largest covered weight over every station set of at most p stations, by enumeration."""
    m = covers.shape[0]
    top = m if p is None else min(p, m)
    best = 0.0
    for k in range(top + 1):
        for chosen in itertools.combinations(range(m), k):
            hit = covers[list(chosen)].any(axis=0) if chosen else np.zeros(covers.shape[1], bool)
            best = max(best, float(weights[hit].sum()))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_max_covering_matches_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 7)), int(rng.integers(1, 12))
    covers = rng.random((m, n)) < rng.uniform(0.1, 0.6)
    weights = rng.integers(0, 20, n).astype(float)
    p = None if seed % 5 == 0 else int(rng.integers(1, m + 1))
    out = max_covering(covers, weights, p, time_limit=30)
    total = weights.sum()
    expected = _best_cover(covers, weights, p) / total if total > 0 else 1.0
    assert out.best == pytest.approx(expected, abs=1e-9)
    assert out.top == pytest.approx(expected, abs=1e-9)
    if total > 0:
        assert len(out.stations) <= (m if p is None else p)
        hit = covers[out.stations].any(axis=0)
        assert float(weights[hit].sum()) / total == pytest.approx(out.best, abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_covering_lp_bounds_the_covering(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    m, n = int(rng.integers(2, 7)), int(rng.integers(2, 12))
    covers = rng.random((m, n)) < 0.4
    weights = rng.integers(1, 20, n).astype(float)
    p = int(rng.integers(1, m))
    relaxed = max_covering(covers, weights, p, relax=True)
    exact = max_covering(covers, weights, p)
    assert relaxed.top >= exact.best - 1e-9
    if relaxed.best > 0:  # p stations reach every coverable site: no solve needed
        assert relaxed.best == pytest.approx(exact.best) == pytest.approx(relaxed.top)
    else:
        assert len(relaxed.stations) == 0


def _moves(is_open: np.ndarray, p: int):
    """Every open set one add, one drop or one swap away (non-empty, at most p stations)."""
    opened, closed = np.flatnonzero(is_open), np.flatnonzero(~is_open)
    if len(opened) < p:
        for j in closed:
            yield np.union1d(opened, [j])
    if len(opened) > 1:
        for r in opened:
            yield np.setdiff1d(opened, [r])
    for j, r in itertools.product(closed, opened):
        yield np.union1d(np.setdiff1d(opened, [r]), [j])


@pytest.mark.parametrize("strategy", ["best", "first"])
@pytest.mark.parametrize("seed", range(30))
def test_interchange_ends_at_a_local_optimum_no_dearer_than_its_start(
    seed: int, strategy: str
) -> None:
    rng = np.random.default_rng(200 + seed)
    m, n = int(rng.integers(2, 8)), int(rng.integers(2, 15))
    cost = rng.uniform(1, 100, (m, n))
    cost[rng.random((m, n)) < 0.2] = np.inf
    fixed = rng.uniform(0, 200, m) if seed % 2 else np.zeros(m)
    p = int(rng.integers(1, m + 1))
    big = (n + 1) * 100.0 + float(fixed.sum()) + 1.0
    cb = np.where(np.isfinite(cost), cost, big)
    start = np.zeros(m, dtype=bool)
    start[rng.choice(m, size=int(rng.integers(1, p + 1)), replace=False)] = True

    def value(open_idx: np.ndarray) -> float:
        return open_cost(cb, fixed, open_idx)[0]

    if strategy == "best":
        end = fast_interchange(cb, fixed, p, start, big)
    else:
        chosen = first_improvement(
            cb, fixed, p, big, time.monotonic() + 60, [int(j) for j in np.flatnonzero(start)]
        )
        end = np.zeros(m, dtype=bool)
        end[chosen] = True
    assert 1 <= end.sum() <= p
    here = value(np.flatnonzero(end))
    assert here <= value(np.flatnonzero(start)) + 1e-9
    for other in _moves(end, p):
        assert value(other) >= here - 1e-9 * max(1.0, abs(here))


def test_fast_interchange_stops_at_its_deadline() -> None:
    rng = np.random.default_rng(3)
    cost = rng.uniform(1, 100, (30, 200))
    start = np.zeros(30, dtype=bool)
    start[:3] = True
    end = fast_interchange(cost, np.zeros(30), 3, start, 1e9, deadline=time.monotonic() - 1)
    assert end.tolist() == start.tolist()
