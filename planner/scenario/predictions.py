"""What the models predict of a scenario's plan, and the plan as the simulation sees it.

:class:`PartsPrediction` (:func:`parts_predictions`) holds METRIC's fill rate and
backorders per part and depot of a stock plan; :func:`dispatch_prediction` is Erlang C's
dispatch level of a region's stations and :func:`plan_hold_hours` the hours a call holds a
technician on the plan's own round trips. :func:`simulation_network` turns the plan into
the simulation's network. :func:`region_depots` and :func:`weighted` are shared helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.models.report import PlanReport
from planner.models.spares import SparesProblem, SparesResult
from planner.models.technicians import TechniciansProblem
from planner.scenario.files import LoadedScenario
from planner.scenario.parts import depot_key, part_key


@dataclass(frozen=True)
class PartsPrediction:
    """The parts model's figures per (part, depot) of a stock plan (METRIC)."""

    parts: tuple[str, ...]
    depots: tuple[str, ...]
    demand: np.ndarray  # (parts, depots) units a year
    central: np.ndarray | None  # (parts,)
    stock: np.ndarray  # (parts, depots)
    fill_rate: np.ndarray  # (parts, depots) FR_ij = P(X <= s - 1)
    ebo: np.ndarray  # (parts, depots)
    availability: dict[str, float]  # per depot with an installed base
    lead_days: np.ndarray  # (parts,) each part's central resupply lead time, days
    resupply_days: np.ndarray  # (depots,) days

    def depot_fill_rate(self, j: int) -> float:
        m = self.demand[:, j]
        total = m.sum()
        return float(m @ self.fill_rate[:, j] / total) if total > 0 else 1.0


def parts_predictions(problem: SparesProblem, result: SparesResult) -> PartsPrediction:
    """What METRIC predicts for ``result``'s stock: fill rate and EBO per part and depot."""
    from planner.optimise.metric import ebo, fill_rate

    parts = tuple(p.id for p in problem.parts)
    depots = tuple(d.id for d in problem.depots)
    pi = {p: i for i, p in enumerate(parts)}
    dj = {d: j for j, d in enumerate(depots)}
    demand = np.zeros((len(parts), len(depots)))
    for i, part in enumerate(problem.parts):
        for d, m in part.demand.items():
            demand[i, dj[d]] = m
    stock = np.zeros_like(demand, dtype=np.int64)
    central = np.zeros(len(parts), dtype=np.int64) if problem.central is not None else None
    for line in result.stock:
        if line.location == "central":
            assert central is not None
            central[pi[line.part]] = line.quantity
        else:
            stock[pi[line.part], dj[line.location]] = line.quantity
    resupply = np.array([d.resupply_days for d in problem.depots])
    total = demand.sum(axis=1)
    delay = np.zeros(len(parts))
    default = problem.central.lead_time_days if problem.central is not None else 0.0
    lead = np.array(
        [p.lead_time_days if p.lead_time_days is not None else default for p in problem.parts]
    )
    if central is not None:
        e0 = ebo(central, total * lead / 365.0)
        delay = np.where(total > 0, 365.0 * e0 / np.where(total > 0, total, 1.0), 0.0)
    mu = demand * (resupply[None, :] + delay[:, None]) / 365.0
    return PartsPrediction(
        parts=parts,
        depots=depots,
        demand=demand,
        central=central,
        stock=stock,
        fill_rate=np.where(demand > 0, fill_rate(stock, mu), 1.0),
        ebo=np.where(demand > 0, ebo(stock, mu), 0.0),
        availability=dict(result.availability or {}),
        lead_days=lead,
        resupply_days=resupply,
    )


def region_depots(
    loaded: LoadedScenario, reports: Mapping[str, PlanReport], region_id: str, portfolio: bool
) -> list[tuple[str, str, int]]:
    """(product, parts-problem depot id, machines) of a region's products."""
    depot = loaded.regions.region(region_id).depot.id
    out = []
    for pid, report in reports.items():
        for rp in report.regions:
            if rp.plan.region == region_id:
                out.append((pid, depot_key(depot, pid, portfolio), rp.plan.installed_base))
    return out


def simulation_network(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    problems: Mapping[str, TechniciansProblem],
    evaluations: Mapping[str, Any],
    parts_problem: SparesProblem,
    pred: PartsPrediction,
    portfolio: bool,
) -> Any:
    """The plan as the simulation sees it: stations with their on-duty technicians and
    sites, the parts stock (``pred``, of ``parts_problem``), and which part each region's
    calls need (by failure shares)."""
    from planner.simulate import Network, PartsModel, RegionModel, StationModel

    pi = {p: i for i, p in enumerate(pred.parts)}
    dj = {d: j for j, d in enumerate(pred.depots)}
    parts_model = PartsModel(
        parts=pred.parts,
        depots=pred.depots,
        demand=pred.demand,
        depot_stock=pred.stock,
        central_stock=pred.central,
        lead_days=pred.lead_days,
        resupply_days=pred.resupply_days,
        essential=np.array([p.essential is not False for p in parts_problem.parts]),
        per_machine=np.array([p.quantity_per_machine or 1 for p in parts_problem.parts]),
        installed=np.array(
            [(parts_problem.installed_base or {}).get(d, 0) for d in pred.depots], dtype=np.int64
        ),
    )
    regions = []
    for region_id, problem in problems.items():
        evaluation = evaluations[region_id]
        calls = {s.id: s.emergency_calls for s in problem.sites}
        stations = []
        for load in evaluation.stations:
            served = [s for s in evaluation.sites if s.station == load.station]
            stations.append(
                StationModel(
                    id=load.station,
                    on_duty=int(load.on_duty or 0),
                    site_ids=tuple(s.site for s in served),
                    calls_per_year=np.array([calls[s.site] for s in served]),
                    travel_hours=np.array([s.travel_hours for s in served]),
                )
            )
        # the part a call needs: each product's unplanned part demand in the region, per
        # call of all products (a product with more part demand than calls: every one of
        # its calls needs a part, drawn by the parts' shares)
        total_calls = sum(s.emergency_calls for s in problem.sites)
        options: list[tuple[int, int]] = []
        probability: list[float] = []
        for pid, report in reports.items():
            rp = next(r for r in report.regions if r.plan.region == region_id)
            units = {part: m for part, m in rp.demand.parts.items() if m > 0}
            product_calls = rp.demand.emergency_calls
            if not units or product_calls <= 0 or total_calls <= 0:
                continue
            scale = min(1.0, product_calls / sum(units.values()))
            depot = depot_key(loaded.regions.region(region_id).depot.id, pid, portfolio)
            for part, m in units.items():
                options.append((pi[part_key(part, pid, portfolio)], dj[depot]))
                probability.append(m * scale / total_calls)
        assert problem.dispatch is not None
        regions.append(
            RegionModel(
                region=region_id,
                stations=tuple(stations),
                job_hours=problem.emergency.job_hours,
                mean_call_hours=problem.dispatch.mean_call_hours,
                onsite_hours=problem.emergency.onsite_hours,
                dispatch_within_hours=problem.dispatch.within_hours,
                service_hours_per_year=problem.service_hours_per_year,
                call_parts=tuple(options),
                call_part_probability=np.array(probability),
            )
        )
    return Network(regions=tuple(regions), parts=parts_model)


def weighted(values: Sequence[tuple[float, float]]) -> float | None:
    """The mean of ``(value, weight)`` pairs by weight; ``None`` when the weights sum to 0."""
    weight = sum(w for _, w in values)
    return sum(v * w for v, w in values) / weight if weight > 0 else None


def dispatch_prediction(problem: TechniciansProblem, evaluation: Any) -> float | None:
    """The call-weighted Erlang C level P(wait <= dispatch time) of a region's stations."""
    rows = [
        (s.dispatch_level, s.emergency_calls)
        for s in evaluation.stations
        if s.dispatch_level is not None and s.emergency_calls > 0
    ]
    return weighted(rows)


def plan_hold_hours(problem: TechniciansProblem, evaluation: Any) -> float:
    """Mean hours a call holds a technician on the plan's own round trips: the repair plus
    twice the call-weighted travel from the station serving each site."""
    calls = sum(s.emergency_calls for s in evaluation.sites)
    if calls <= 0:
        return problem.emergency.job_hours
    travel = sum(s.emergency_calls * s.travel_hours for s in evaluation.sites) / calls
    return problem.emergency.job_hours + 2.0 * travel


__all__ = [
    "PartsPrediction",
    "dispatch_prediction",
    "parts_predictions",
    "plan_hold_hours",
    "region_depots",
    "simulation_network",
    "weighted",
]
