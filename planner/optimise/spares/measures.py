"""What a plan's stock achieves: backorders, fill rate, investment, availability, other models.

:func:`measure` evaluates stock under METRIC (the model the optimiser solves);
:func:`depot_fill_rates` gives each part's fill rate per depot (the floors) and
:func:`depot_availability` Sherbrooke's availability per depot over its installed base;
:func:`other_models` the total depot backorders under VARI-METRIC and the exact
two-echelon model; :func:`stock_lines` writes the stock as result lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.models.spares import StockLine
from planner.optimise.metric import (
    availability,
    ebo,
    exact_two_echelon_ebo,
    fill_rate,
    vari_metric_two_echelon_ebo,
)
from planner.optimise.spares.instance import F64, I64, Instance

__all__ = [
    "Measures",
    "depot_availability",
    "depot_fill_rates",
    "measure",
    "other_models",
    "stock_lines",
]


@dataclass(frozen=True)
class Measures:
    """A plan's depot backorders per part and depot, its investment and fill rate."""

    ebo: F64  # (P, J) units
    investment: float
    fill_rate: float


def measure(inst: Instance, central: I64, stock: I64) -> Measures:
    """METRIC measures of central stock (P,) and depot stock (P, J); fill rate 1 without
    demand."""
    e0 = ebo(central, inst.central_mean)
    mu = inst.local_mean + inst.share * e0[:, None]
    e = np.where(inst.demand > 0, ebo(stock, mu), 0.0)
    total = inst.demand.sum()
    fr = float((inst.demand * fill_rate(stock, mu)).sum() / total) if total > 0 else 1.0
    inv = float((inst.cost * (central + stock.sum(axis=1))).sum())
    return Measures(e, inv, min(max(fr, 0.0), 1.0))


def depot_availability(inst: Instance, depot_ebo: F64) -> F64:
    """Sherbrooke availability per depot (J,): ``prod_i (1 - EBO_ij / (N_j Z_i))^Z_i`` over
    the essential parts with demand at ``j``, a factor 0 where ``EBO_ij >= N_j Z_i``; nan
    at depots without an installed base."""
    out = np.full(len(inst.depot_ids), np.nan)
    for j in np.flatnonzero(inst.installed > 0):
        rows = inst.essential & (inst.demand[:, j] > 0)
        out[j] = availability(depot_ebo[rows, j], float(inst.installed[j]), inst.z[rows])
    return out


def depot_fill_rates(inst: Instance, central: I64, stock: I64) -> F64:
    """METRIC fill rate ``P(X_ij <= s_ij - 1)`` per part and depot (P, J); 1 without demand."""
    e0 = ebo(central, inst.central_mean)
    mu = inst.local_mean + inst.share * e0[:, None]
    return np.where(inst.demand > 0, fill_rate(stock, mu), 1.0)


def stock_lines(inst: Instance, central: I64, stock: I64) -> list[StockLine]:
    """Non-zero stock as result lines (values are valid by construction)."""
    make = StockLine.model_construct
    lines = [(int(i), -1, int(central[i])) for i in np.flatnonzero(central > 0)] + [
        (int(i), int(j), int(stock[i, j])) for i, j in zip(*np.nonzero(stock > 0), strict=True)
    ]
    lines.sort()
    return [
        make(
            part=inst.part_ids[i],
            location="central" if j < 0 else inst.depot_ids[j],
            quantity=q,
        )
        for i, j, q in lines
    ]


def other_models(inst: Instance, central: I64, stock: I64) -> tuple[float, float]:
    """Total depot EBO under VARI-METRIC and the exact model (units)."""
    if not inst.has_central:
        # single echelon: depot pipelines are Poisson, all three models agree
        total = float(measure(inst, central, stock).ebo.sum())
        return total, total
    vari = exact = 0.0
    for i in np.flatnonzero(inst.demand.sum(axis=1) > 0):
        args = (
            int(central[i]),
            stock[i],
            float(inst.central_mean[i]),
            inst.local_mean[i],
            inst.share[i],
        )
        vari += float(vari_metric_two_echelon_ebo(*args).sum())
        exact += float(exact_two_echelon_ebo(*args).sum())
    return vari, exact
