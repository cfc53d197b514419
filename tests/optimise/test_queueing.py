"""Erlang B / C and the dispatch service level against the domain check values and direct sums."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.optimise.queueing import erlang_b, erlang_c, max_rate, min_servers, wait_probability

RATE = 1200 / 8760  # calls per hour
H = 8.0  # hours per call


def _b_direct(c: int, a: float) -> float:
    """Erlang B as the ratio of Poisson terms (independent reference)."""
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / sum(terms)


def _c_direct(c: int, a: float) -> float:
    """Erlang C by direct summation."""
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)


@pytest.mark.parametrize(
    ("c", "b", "cw", "p4"),
    [(2, 0.22270, 0.38793, 0.7532), (3, 0.07523, 0.11361, 0.9562)],
)
def test_domain_check_values(c: int, b: float, cw: float, p4: float) -> None:
    a = RATE * H
    assert a == pytest.approx(1.0959, abs=1e-4)
    assert erlang_b(c, a) == pytest.approx(b, abs=5e-6)
    assert erlang_c(c, a) == pytest.approx(cw, abs=5e-6)
    assert wait_probability(c, RATE, H, 4.0) == pytest.approx(p4, abs=5e-5)


def test_erlang_c_four_servers() -> None:
    assert erlang_c(4, RATE * H) == pytest.approx(0.02761, abs=5e-6)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60), st.floats(0.0, 80.0))
def test_against_direct_summation(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(_b_direct(c, a), rel=1e-9, abs=1e-300)
    if a < c:
        assert erlang_c(c, a) == pytest.approx(_c_direct(c, a), rel=1e-8)
    else:
        assert erlang_c(c, a) == 1.0


def test_unstable_or_empty_queues() -> None:
    assert wait_probability(1, 1 / H, H, 2.0) == 0.0  # c = a
    assert wait_probability(0, 0.0, H, 2.0) == 0.0  # c > a fails
    assert wait_probability(1, 0.0, H, 2.0) == 1.0
    assert wait_probability(1, 0.5, 0.0, 2.0) == 1.0
    assert erlang_b(0, 3.0) == 1.0


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.floats(0.0, 10.0), st.floats(0.05, 0.99))
def test_max_rate_is_the_largest_served_rate(c: int, t: float, level: float) -> None:
    lam = max_rate(c, H, t, level)
    assert 0.0 <= lam < c / H
    assert wait_probability(c, lam, H, t) >= level
    assert wait_probability(c, lam * (1 + 1e-9) + 1e-15, H, t) < level or lam * H >= c * (1 - 1e-9)
    assert max_rate(c + 1, H, t, level) >= lam


def test_max_rate_edges() -> None:
    assert max_rate(0, H, 2.0, 0.8) == 0.0
    assert max_rate(2, 0.0, 2.0, 0.8) == math.inf
    with pytest.raises(ValueError):
        max_rate(2, H, 2.0, 1.0)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 5.0), st.floats(0.0, 8.0), st.floats(0.05, 0.99))
def test_min_servers_is_the_smallest(rate: float, t: float, level: float) -> None:
    c = min_servers(rate, H, t, level)
    if rate == 0:
        assert c == 0
        return
    assert wait_probability(c, rate, H, t) >= level
    assert c == 1 or wait_probability(c - 1, rate, H, t) < level


def test_min_servers_check_values() -> None:
    assert min_servers(RATE, H, 4.0, 0.75) == 2
    assert min_servers(RATE, H, 4.0, 0.9) == 3
    assert min_servers(RATE, H, 4.0, 0.96) == 4
