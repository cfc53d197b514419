"""The first-come, first-served queue of a station's calls: :func:`fcfs_start_times`."""

from __future__ import annotations

import heapq
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray


def fcfs_start_times(arrivals: ArrayLike, holds: ArrayLike, servers: int) -> NDArray[np.float64]:
    """Service start of each call in a first-come, first-served queue with identical servers.

    ``arrivals`` non-decreasing, ``holds`` the time each call holds its server (same
    units). The queue starts empty. Each call takes the server that frees first, no
    earlier than its arrival. ``servers == 0``: no call is ever served (``inf``). One
    server: the Lindley recursion, vectorised; more: a heap of server-free times.
    """
    t = np.asarray(arrivals, dtype=float)
    h = np.asarray(holds, dtype=float)
    n = t.size
    if servers < 0:
        raise ValueError("servers must be non-negative")
    if n == 0:
        return np.zeros(0)
    if servers == 0:
        return np.full(n, math.inf)
    if servers == 1:
        # Departures D_n = max(t_n, D_{n-1}) + h_n = S_n + max_{k<=n} (t_k - S_{k-1}),
        # S the running sum of holds; the call starts at max(t_n, D_{n-1}).
        s = np.cumsum(h)
        s_prev = np.empty(n)
        s_prev[0] = 0.0
        s_prev[1:] = s[:-1]
        dep = s + np.maximum.accumulate(t - s_prev)
        start = t.copy()
        np.maximum(start[1:], dep[:-1], out=start[1:])
        return start
    if servers >= n:
        return t.copy()
    free = [-math.inf] * servers
    out: list[float] = []
    append = out.append
    replace = heapq.heapreplace
    for x, y in zip(t.tolist(), h.tolist(), strict=True):
        f = free[0]
        if x > f:
            replace(free, x + y)
            append(x)
        else:
            replace(free, f + y)
            append(f)
    return np.asarray(out)
