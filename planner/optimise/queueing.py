"""M/M/c queueing formulas for technician dispatch (Erlang B and Erlang C).

Units: call rates ``rate`` are calls per hour, ``mean_call_hours`` (h) is the mean
time one call holds one on-duty technician, in hours, the offered load
``a = rate * h`` is in Erlangs, and waiting-time limits are in hours.
``servers`` (c) counts technicians on duty at the same time, not those employed.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b",
    "erlang_c",
    "max_rate",
    "min_servers",
    "wait_probability",
]


def erlang_b(servers: int, load: float) -> float:
    """Erlang loss probability B(c, a) by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).

    ``load`` is the offered load a in Erlangs (>= 0); ``servers`` is c >= 0.
    """
    if servers < 0 or load < 0:
        raise ValueError("servers and load must be non-negative")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability C(c, a) that a call has to wait, M/M/c; 1.0 when c <= a (unstable queue)."""
    if servers <= load:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1.0 - b))


def wait_probability(
    servers: int, rate: float, mean_call_hours: float, within_hours: float
) -> float:
    """P(W <= t) = 1 - C(c, a) exp(-(c / h - rate) t) for an M/M/c queue; 0.0 unless c > a.

    ``rate`` in calls per hour, ``mean_call_hours`` h and ``within_hours`` t in hours.
    With ``rate == 0`` and at least one server nobody waits (1.0). With h = 0 a call
    holds a technician for no time, so any c >= 1 serves every call at once.
    """
    if rate < 0 or mean_call_hours < 0 or within_hours < 0:
        raise ValueError("rate, mean_call_hours and within_hours must be non-negative")
    load = rate * mean_call_hours
    if servers <= load:
        return 0.0
    if mean_call_hours == 0.0:
        return 1.0
    c_wait = erlang_c(servers, load)
    return 1.0 - c_wait * math.exp(-(servers / mean_call_hours - rate) * within_hours)


def max_rate(
    servers: int,
    mean_call_hours: float,
    within_hours: float,
    service_level: float,
    *,
    rel_tol: float = 1e-13,
) -> float:
    """The largest call rate (calls per hour) that ``servers`` on-duty technicians serve at the level.

    Returns the supremum of rates with P(W <= t) >= ``service_level`` and c > a; the
    probability falls strictly with the rate, so every rate up to the returned
    value meets the level. 0.0 when ``servers == 0``; ``math.inf`` when h = 0.
    Bisection on [0, c / h) to ``rel_tol`` relative, rounding down.
    """
    if not 0.0 < service_level < 1.0:
        raise ValueError("service_level must lie strictly between 0 and 1")
    if servers <= 0:
        return 0.0
    if mean_call_hours == 0.0:
        return math.inf
    lo, hi = 0.0, servers / mean_call_hours
    while hi - lo > rel_tol * hi:
        mid = 0.5 * (lo + hi)
        if wait_probability(servers, mid, mean_call_hours, within_hours) >= service_level:
            lo = mid
        else:
            hi = mid
    return lo


def min_servers(
    rate: float, mean_call_hours: float, within_hours: float, service_level: float
) -> int:
    """The smallest number of on-duty technicians serving ``rate`` calls per hour at the level.

    0 when ``rate == 0`` (a station without calls needs no dispatch staff).
    """
    if not 0.0 < service_level < 1.0:
        raise ValueError("service_level must lie strictly between 0 and 1")
    if rate < 0:
        raise ValueError("rate must be non-negative")
    if rate == 0.0:
        return 0
    c = max(1, math.floor(rate * mean_call_hours) + 1)
    while wait_probability(c, rate, mean_call_hours, within_hours) < service_level:
        c += 1
    return c
