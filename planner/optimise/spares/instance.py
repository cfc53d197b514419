"""The spares problem as arrays (parts ``i`` by depots ``j``), and the constants of the model.

:func:`make_instance` turns a :class:`~planner.models.spares.SparesProblem` into an
:class:`Instance`: unit costs, demand rates, the depot pipeline means without central
delay, each depot's share of a part's demand, the central pipeline means and the
per-part weights. Every other module of the package reads these arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.models.spares import SparesProblem

__all__ = ["DAYS", "F64", "I64", "REL_EPS", "TAIL", "Instance", "make_instance"]

TAIL = 1e-16
"""Poisson tail probability left out of the option tables, per location."""
REL_EPS = 1e-13
"""Improvements below this share of the whole problem's zero-stock quality are ignored."""
DAYS = 365.0
"""Days a year: lead times are in days, demand in units a year."""

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class Instance:
    """Numeric arrays of a problem: parts ``i`` by depots ``j``."""

    part_ids: list[str]
    depot_ids: list[str]
    cost: F64  # (P,) currency per unit
    demand: F64  # (P, J) units a year
    local_mean: F64  # (P, J) depot pipeline mean without central delay (units)
    share: F64  # (P, J) m_ij / M_i
    central_mean: F64  # (P,) central pipeline mean (units); 0 without a central
    has_central: bool
    weight: F64  # (P,) criticality weights (dimensionless)


def make_instance(problem: SparesProblem, weights: Mapping[str, float] | None = None) -> Instance:
    """The arrays of ``problem``; ``weights`` are per-part criticality weights (default 1).

    Raises ValueError naming the part when a weight names no part or is not >= 0.
    """
    depot_ids = [d.id for d in problem.depots]
    col = {d: j for j, d in enumerate(depot_ids)}
    n_parts, n_depots = len(problem.parts), len(depot_ids)
    demand = np.zeros((n_parts, n_depots))
    cost = np.empty(n_parts)
    for i, part in enumerate(problem.parts):
        cost[i] = part.unit_cost
        for depot, rate in part.demand.items():
            demand[i, col[depot]] = rate
    resupply = np.array([d.resupply_days for d in problem.depots]) / DAYS
    total = demand.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total[:, None] > 0, demand / total[:, None], 0.0)
    lead = problem.central.lead_time_days / DAYS if problem.central is not None else 0.0
    part_ids = [p.id for p in problem.parts]
    weight = np.ones(n_parts)
    if weights is not None:
        index = {p: i for i, p in enumerate(part_ids)}
        for pid, wt in weights.items():
            if pid not in index:
                raise ValueError(f"weights: part {pid!r} is not in the problem")
            if not (math.isfinite(wt) and wt >= 0.0):
                raise ValueError(f"weights: weight of part {pid!r} must be >= 0 (got {wt!r})")
            weight[index[pid]] = wt
    return Instance(
        part_ids=part_ids,
        depot_ids=depot_ids,
        cost=cost,
        demand=demand,
        local_mean=demand * resupply[None, :],
        share=share,
        central_mean=total * lead,
        has_central=problem.central is not None,
        weight=weight,
    )
