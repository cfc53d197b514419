"""The spares problem as arrays (parts ``i`` by depots ``j``), and the constants of the model.

:func:`make_instance` turns a :class:`~planner.models.spares.SparesProblem` into an
:class:`Instance`: unit costs, demand rates, the depot pipeline means without central
delay, each depot's share of a part's demand, the central pipeline means (each part's
own lead time in v2, else the central one), the per-part weights and fill-rate floors,
and for availability the installed base per depot, the units fitted per machine and
which parts are essential. Every other module of the package reads these arrays.
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
    floor: F64  # (P,) fill-rate floor at every depot with demand, [0, 1)
    z: F64  # (P,) units fitted per machine (Sherbrooke's Z)
    essential: NDArray[np.bool_]  # (P,) counts in availability
    installed: F64  # (J,) machines per depot (0: no availability measured there)
    target: F64  # (J,) availability target per depot (nan: none)

    @property
    def has_floors(self) -> bool:
        return bool((self.floor > 0).any())

    @property
    def has_installed_base(self) -> bool:
        return bool((self.installed > 0).any())


def make_instance(problem: SparesProblem, weights: Mapping[str, float] | None = None) -> Instance:
    """The arrays of ``problem``; ``weights`` override the parts' own weights (default 1).

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
    central_lead = problem.central.lead_time_days if problem.central is not None else 0.0
    lead = (
        np.array(
            [
                (p.lead_time_days if p.lead_time_days is not None else central_lead)
                if problem.central is not None
                else 0.0
                for p in problem.parts
            ]
        ).reshape(n_parts)
        / DAYS
    )
    part_ids = [p.id for p in problem.parts]
    weight = np.array([1.0 if p.weight is None else p.weight for p in problem.parts]).reshape(
        n_parts
    )
    floor = np.array([p.min_fill_rate or 0.0 for p in problem.parts]).reshape(n_parts)
    z = np.array([float(p.quantity_per_machine or 1) for p in problem.parts]).reshape(n_parts)
    essential = np.array([p.essential is not False for p in problem.parts], dtype=bool).reshape(
        n_parts
    )
    base = problem.installed_base or {}
    installed = np.array([float(base.get(d, 0)) for d in depot_ids])
    targets = problem.availability_targets()
    target = np.array([targets.get(d, np.nan) for d in depot_ids])
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
        floor=floor,
        z=z,
        essential=essential,
        installed=installed,
        target=target,
    )
