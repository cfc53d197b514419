"""Service measures: domain check values and independent references (scipy.stats sums)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from planner.optimise.metric import (
    availability,
    ebo,
    ebo_table,
    erlang_b,
    exact_two_echelon_ebo,
    fill_rate,
    metric_two_echelon_ebo,
    negbin_ebo,
    poisson_pmf,
    poisson_upper,
    ready_rate,
    vari_metric_two_echelon_ebo,
    vbo,
)
from tests.optimise.check_values import BARLOW_PROSCHAN_POINTS


def direct_ebo(s: int, mu: float) -> float:
    """E[(X - s)^+] by summing the scipy pmf far into the tail."""
    hi = int(mu + 40 * math.sqrt(mu) + 60)
    x = np.arange(s + 1, hi)
    return float(np.sum((x - s) * stats.poisson.pmf(x, mu)))


# ----------------------------------------------------------- domain check values


def test_poisson_ebo_check_values() -> None:
    expected = [2.000000, 1.135335, 0.541341, 0.218018, 0.075141, 0.022488, 0.005924]
    assert np.allclose(ebo_table(2.0, 6), expected, atol=1e-6, rtol=0)
    assert np.allclose(ebo(np.arange(7), 2.0), expected, atol=1e-6, rtol=0)


def test_availability_check_value() -> None:
    assert availability([0.2, 0.5, 1.0], 10, [1, 2, 4]) == pytest.approx(0.8418869350, abs=1e-9)


def _greedy_efficient_points(m: list[float], c: list[float], max_cost: float) -> dict:
    """Textbook marginal analysis: buy the unit with the best EBO drop per cost."""
    s = [0] * len(m)
    cost = 0.0
    points = {0.0: sum(m)}
    while True:
        ratios = [
            (direct_ebo(s[i], m[i]) - direct_ebo(s[i] + 1, m[i])) / c[i] for i in range(len(m))
        ]
        i = int(np.argmax(ratios))
        if cost + c[i] > max_cost:
            return points
        s[i] += 1
        cost += c[i]
        points[cost] = sum(direct_ebo(s[k], m[k]) for k in range(len(m)))


def test_barlow_proschan_greedy_points() -> None:
    expected = BARLOW_PROSCHAN_POINTS
    points = _greedy_efficient_points([1, 3, 1.8, 2], [200, 100, 300, 250], 2900)
    for cost, value in expected.items():
        assert points[float(cost)] == pytest.approx(value, abs=1e-6)


# Sherbrooke (2004) ch. 3: 5 identical bases, 23.2 a year each; a fraction 0.2 is
# repaired at the base in 0.01 yr, the rest goes to the depot (order-and-ship 0.01 yr,
# depot turnaround 0.02531 yr).
SHERBROOKE_LOCAL = [23.2 * (0.2 * 0.01 + 0.8 * 0.01)] * 5
SHERBROOKE_CENTRAL = 5 * 23.2 * 0.8 * 0.02531
SHERBROOKE_SHARE = [0.2] * 5


def _even(total: int, n: int) -> list[int]:
    return [total // n + (1 if k < total % n else 0) for k in range(n)]


@pytest.mark.parametrize(
    ("total", "split", "value"),
    [
        (0, (0, 0), 3.508768),
        (3, (3, 0), 1.507167),
        (6, (1, 5), 0.574329),
        (7, (2, 5), 0.326939),
        (8, (3, 5), 0.205952),
        (11, (1, 10), 0.091369),
    ],
)
def test_sherbrooke_metric_best_split(total: int, split: tuple[int, int], value: float) -> None:
    def total_ebo(s0: int, bases: int) -> float:
        return float(
            metric_two_echelon_ebo(
                s0, _even(bases, 5), SHERBROOKE_CENTRAL, SHERBROOKE_LOCAL, SHERBROOKE_SHARE
            ).sum()
        )

    assert total_ebo(*split) == pytest.approx(value, abs=1e-6)
    # identical bases: an even spread is best for a base total; the split is the best one
    best = min(range(total + 1), key=lambda s0: total_ebo(s0, total - s0))
    assert (best, total - best) == split


def test_sherbrooke_exact_at_1_5() -> None:
    exact = exact_two_echelon_ebo(
        1, [1] * 5, SHERBROOKE_CENTRAL, SHERBROOKE_LOCAL, SHERBROOKE_SHARE
    ).sum()
    metric = metric_two_echelon_ebo(
        1, [1] * 5, SHERBROOKE_CENTRAL, SHERBROOKE_LOCAL, SHERBROOKE_SHARE
    ).sum()
    assert exact == pytest.approx(0.607830, abs=1e-6)
    assert metric < exact  # METRIC under-states it


def test_lindo_metric_vari_metric_exact() -> None:
    args = (2, [1, 1], 0.2 * 14, [0.1 * 2, 0.1 * 2], [0.5, 0.5])
    assert metric_two_echelon_ebo(*args).sum() == pytest.approx(0.440461, abs=1e-6)
    assert vari_metric_two_echelon_ebo(*args).sum() == pytest.approx(0.519263, abs=1e-6)
    assert exact_two_echelon_ebo(*args).sum() == pytest.approx(0.529530, abs=1e-6)


def test_erlang_b_check_values() -> None:
    b = erlang_b(3, 1200 / 8760 * 8)
    assert b[0] == 1.0
    assert b[2] == pytest.approx(0.22270, abs=5e-6)
    assert b[3] == pytest.approx(0.07523, abs=5e-6)


# ------------------------------------------------------ independent references


@pytest.mark.parametrize("mu", [1e-4, 0.03, 0.7, 2.0, 13.5, 120.0, 900.0, 5000.0])
def test_ebo_matches_direct_sum(mu: float) -> None:
    s = np.unique(np.linspace(0, mu + 6 * math.sqrt(mu) + 3, 12).astype(int))
    direct = np.array([direct_ebo(int(k), mu) for k in s])
    assert np.allclose(ebo(s, mu), direct, rtol=1e-9, atol=1e-12)
    assert np.allclose(ebo_table(mu, int(s.max()))[s], direct, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mu", [0.05, 2.0, 40.0, 800.0])
def test_ebo_recursion_and_rates(mu: float) -> None:
    s = np.arange(int(mu + 5 * math.sqrt(mu) + 5))
    table = ebo_table(mu, len(s))
    # EBO(s+1) = EBO(s) - P(X > s)
    assert np.allclose(
        table[1:] - table[:-1], -stats.poisson.sf(np.arange(len(s) + 1)[:-1], mu), atol=1e-12
    )
    assert np.allclose(fill_rate(s, mu), stats.poisson.cdf(s - 1, mu), atol=1e-13)
    assert np.allclose(ready_rate(s, mu), stats.poisson.cdf(s, mu), atol=1e-13)
    assert np.allclose(poisson_pmf(s, mu), stats.poisson.pmf(s, mu), rtol=1e-10, atol=1e-300)
    assert fill_rate(0, mu) == 0.0


@pytest.mark.parametrize("mu", [1e-6, 0.3, 7.0, 300.0, 20000.0])
def test_poisson_upper_is_a_safe_tight_quantile(mu: float) -> None:
    q = int(poisson_upper(mu, 1e-12))
    assert stats.poisson.sf(q, mu) <= 1e-12
    assert q <= stats.poisson.isf(1e-12, mu) + max(2, 0.02 * mu)


@pytest.mark.parametrize(("s", "mu"), [(0, 2.0), (2, 2.0), (5, 3.3), (30, 25.0), (1, 0.1)])
def test_vbo_matches_direct_sum(s: int, mu: float) -> None:
    x = np.arange(0, int(mu + 40 * math.sqrt(mu) + 60))
    b = np.maximum(x - s, 0)
    p = stats.poisson.pmf(x, mu)
    direct = float(np.sum(b * b * p) - np.sum(b * p) ** 2)
    assert float(vbo(s, mu)) == pytest.approx(direct, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("s", "mean", "var"), [(0, 1.0, 2.0), (2, 1.5, 4.0), (4, 3.0, 3.5)])
def test_negbin_ebo_matches_direct_sum(s: int, mean: float, var: float) -> None:
    p = mean / var
    r = mean * p / (1 - p)
    x = np.arange(0, 2000)
    direct = float(np.sum(np.maximum(x - s, 0) * stats.nbinom.pmf(x, r, p)))
    assert float(negbin_ebo(s, mean, var)[0]) == pytest.approx(direct, rel=1e-9)
    # variance-to-mean <= 1 falls back to Poisson
    assert float(negbin_ebo(s, mean, mean)[0]) == pytest.approx(direct_ebo(s, mean), rel=1e-12)


def test_exact_two_echelon_against_brute_joint_enumeration() -> None:
    """Independent reference: enumerate X0 and each outstanding backorder's depot."""
    mu0, s0 = 1.3, 1
    local = [0.4, 0.25]
    share = [0.6, 0.4]
    stock = [1, 0]
    got = exact_two_echelon_ebo(s0, stock, mu0, local, share)
    for j in range(2):
        expected = 0.0
        for x0 in range(40):
            b0 = max(x0 - s0, 0)
            p0 = stats.poisson.pmf(x0, mu0)
            for k in range(b0 + 1):  # backorders of depot j among b0
                pk = math.comb(b0, k) * share[j] ** k * (1 - share[j]) ** (b0 - k)
                for y in range(30):
                    py = stats.poisson.pmf(y, local[j])
                    expected += p0 * pk * py * max(k + y - stock[j], 0)
        assert got[j] == pytest.approx(expected, abs=1e-10)


def test_metric_single_depot_central_zero_mean_is_poisson() -> None:
    for s in range(5):
        assert metric_two_echelon_ebo(0, [s], 0.0, [1.7], [1.0])[0] == pytest.approx(
            direct_ebo(s, 1.7), abs=1e-12
        )
        assert exact_two_echelon_ebo(0, [s], 0.0, [1.7], [1.0])[0] == pytest.approx(
            direct_ebo(s, 1.7), abs=1e-12
        )


def test_availability_clips_and_is_one_without_backorders() -> None:
    assert availability([0.0, 0.0], 5, [1, 3]) == 1.0
    assert availability([10.0], 2, [1]) == 0.0
    # single item, Z = 1: 1 - EBO / N
    assert availability([0.5], 4, [1]) == pytest.approx(1 - 0.5 / 4)


def test_ebo_is_convex_and_decreasing() -> None:
    for mu in (0.01, 0.5, 3.0, 60.0):
        t = ebo_table(mu, int(mu + 30))
        d = np.diff(t)
        assert (d <= 1e-15).all()
        assert (np.diff(d) >= -1e-15).all()
    assert list(itertools.islice(erlang_b(5, 0.0), 6)) == [1.0, 0, 0, 0, 0, 0]
