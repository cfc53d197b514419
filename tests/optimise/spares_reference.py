"""The spares tests' reference measures, written from the formulas of spares.md with scipy's
Poisson only (never the package's own functions): EBO, fill rate and a part's METRIC
measures per depot."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from planner.models.spares import SparesProblem


def ref_ebo(s: int, mu: float) -> float:
    """E[(X - s)^+] for X ~ Poisson(mu), summed far into the tail."""
    if mu <= 0:
        return 0.0
    top = max(s + 80 + int(mu + 20 * math.sqrt(mu)), int(mu + 40 * math.sqrt(mu) + 60))
    x = np.arange(s + 1, top)
    return float(np.sum((x - s) * stats.poisson.pmf(x, mu)))


def ref_fill(s: int, mu: float) -> float:
    """P(X <= s - 1)."""
    return float(stats.poisson.cdf(s - 1, mu)) if s > 0 else 0.0


def ref_depots(
    problem: SparesProblem, part_index: int, stock: dict[str, int]
) -> dict[str, tuple[float, float, float]]:
    """{depot: (m_j, EBO_j, fill_j)} at each depot with demand of one part under METRIC
    (the part's own lead time in v2, else the central one), in the problem's depot order."""
    part = problem.parts[part_index]
    total = sum(part.demand.values())
    e0 = 0.0
    if problem.central is not None and total > 0:
        lead = part.lead_time_days
        if lead is None:
            lead = problem.central.lead_time_days
        e0 = ref_ebo(stock.get("central", 0), total * lead / 365)
    rows = {}
    for depot in problem.depots:
        m = part.demand.get(depot.id, 0.0)
        if m == 0:
            continue
        mu = m * depot.resupply_days / 365 + (m / total) * e0
        s = stock.get(depot.id, 0)
        rows[depot.id] = (m, ref_ebo(s, mu), ref_fill(s, mu))
    return rows
