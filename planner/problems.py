"""From plans to the optimisers' problems (technicians/v1, spares/v1).

The optimisers know nothing of products or regions; this module is the one
place that translates.

Technicians (one problem per product and region):

- sites are the region's demand sites with the plan's emergency calls,
  planned visits and planned on-site hours; stations are its candidate
  stations; the road graph is the region's road links (listed, or derived by
  its road rule);
- the on-site promise and coverage target are the posture's; ``job_hours`` is
  the plan's mean on-site repair time per call;
- the posture's staffing emphasis lowers the hours each technician is counted
  for (``productive_hours / staffing_emphasis``), so key regions are staffed
  above the workload minimum;
- dispatch: within the posture's dispatch time at its service level; a call
  holds an on-duty technician for the repair plus a round trip, taken as
  ``job_hours + 2 ×`` the call-weighted mean travel time from the nearest
  candidate station.

Spares (``spares/v2``, one problem per product over the region set): one depot per
region with its resupply days, the central warehouse (each part resupplied in its
own lead time; the strategy's central lead time is the default for a part without
one), each part's unplanned (Poisson) demand per depot from the plans, the
installed base each depot serves, each part's units per machine, and from its
criticality (:data:`CRITICALITY_POLICY`) its backorder weight, its fill-rate floor
and whether a missing unit stops the machine. The objective is the strategy
chain's parts availability target per depot (a depot serving several regions takes
the highest of theirs), or a budget, or the fill-rate target, if asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.errors import InputError
from planner.models.plan import Demand, ServicePlan
from planner.models.profiles import (
    CRITICALITY_WEIGHT,
    Criticality,
    ProductProfile,
    Region,
    RegionSet,
    Strategy,
)
from planner.models.report import PlanReport
from planner.models.spares import SparesProblem
from planner.models.technicians import TechniciansProblem
from planner.optimise.network import travel_matrix
from planner.roads import road_links


def mean_job_hours(demand: Demand) -> float:
    """Mean on-site repair hours per emergency call (0 without calls)."""
    return demand.emergency_hours / demand.emergency_calls if demand.emergency_calls else 0.0


def technicians_problem(plan: ServicePlan, demand: Demand, region: Region) -> TechniciansProblem:
    """The station and technician problem of one product's plan in one region."""
    return pooled_technicians_problem([(plan, demand)], region)


def pooled_technicians_problem(
    planned: Sequence[tuple[ServicePlan, Demand]], region: Region, name: str | None = None
) -> TechniciansProblem:
    """One station problem for every product planned in ``region``: one network serves them all.

    The products' calls, visits and hours add up at each site, so their technicians are
    pooled; ``job_hours`` is the call-weighted mean repair. Where the products' postures
    differ, the strictest promise holds: the shortest on-site and dispatch times, the
    highest coverage and dispatch level, and the largest staffing emphasis.
    """
    if not planned:
        raise ValueError("no plans to pool")
    for plan, demand in planned:
        if plan.region != region.id or demand.region != region.id:
            raise ValueError(f"plan of region {plan.region!r} pooled into region {region.id!r}")
    postures = [plan.posture for plan, _ in planned]
    emergency = [p.emergency for p in postures]
    calls = sum(d.emergency_calls for _, d in planned)
    job = sum(d.emergency_hours for _, d in planned) / calls if calls else 0.0
    sites: dict[str, list[float]] = {s.id: [0.0, 0.0, 0.0] for s in planned[0][1].sites}
    for _, demand in planned:
        for s in demand.sites:
            row = sites[s.id]
            row[0] += s.emergency_calls
            row[1] += s.planned_visits
            row[2] += s.planned_hours
    label = name or f"{region.id}-{'+'.join(plan.product for plan, _ in planned)}"
    data = {
        "format": "technicians/v1",
        "name": label,
        "service_hours_per_year": region.technician.service_hours_per_year,
        "travel_cost_per_hour": region.technician.travel_cost_per_hour,
        "technician": {
            "annual_cost": region.technician.annual_cost,
            "productive_hours": region.technician.productive_hours
            / max(p.staffing_emphasis for p in postures),
        },
        "emergency": {
            "onsite_hours": min(e.onsite_hours for e in emergency),
            "coverage_target": max(e.coverage_target for e in emergency),
            "job_hours": job,
        },
        "sites": [
            {"id": sid, "emergency_calls": c, "planned_visits": v, "planned_hours": h}
            for sid, (c, v, h) in sites.items()
        ],
        "stations": [
            {"id": s.id, "fixed_cost": s.fixed_cost, "max_technicians": s.max_technicians}
            for s in region.stations
        ],
        "edges": [
            {"from": link.from_, "to": link.to, "hours": link.hours} for link in road_links(region)
        ],
    }
    # The dispatch hold time needs the travel times of the very network the problem defines.
    nearest = travel_matrix(TechniciansProblem.model_validate(data), check=False).min(axis=0)
    site_calls = np.array([row[0] for row in sites.values()])
    reached = np.isfinite(nearest)
    total = site_calls[reached].sum()
    mean_travel = float(site_calls[reached] @ nearest[reached] / total) if total else 0.0
    data["dispatch"] = {
        "within_hours": min(e.dispatch_within_hours for e in emergency),
        "service_level": max(e.dispatch_service_level for e in emergency),
        "mean_call_hours": job + 2.0 * mean_travel,
    }
    return TechniciansProblem.model_validate(data)


@dataclass(frozen=True)
class PartPolicy:
    """How the parts plan treats a part of one criticality."""

    weight: float
    min_fill_rate: float
    essential: bool


#: Parts policy by criticality (illustrative, after Sherbrooke's system approach and the
#: industry's fill-rate figures: below 85 % is a serious problem, the goal 90-95 %). An
#: A part stops the machine: it counts in availability, weighs most and has the highest
#: item-level fill-rate floor at every depot that needs it, so that a machine-stopping
#: part is never left unstocked because cheap fast movers carry the average. A B part
#: degrades the machine until fixed: it counts in availability, with a lower floor. A
#: C part (filters, fluids, grease, small wear parts) does not stop the machine: no
#: availability, but it is cheap and fast-moving, so a high floor costs little and keeps
#: the unit fill rate (which these parts dominate) near the industry's goal.
CRITICALITY_POLICY: dict[Criticality, PartPolicy] = {
    Criticality.A: PartPolicy(
        weight=CRITICALITY_WEIGHT[Criticality.A], min_fill_rate=0.85, essential=True
    ),
    Criticality.B: PartPolicy(
        weight=CRITICALITY_WEIGHT[Criticality.B], min_fill_rate=0.75, essential=True
    ),
    Criticality.C: PartPolicy(
        weight=CRITICALITY_WEIGHT[Criticality.C], min_fill_rate=0.9, essential=False
    ),
}


def spares_problem(
    product: ProductProfile,
    report: PlanReport,
    regions: RegionSet,
    strategy: Strategy,
    *,
    budget: float | None = None,
    objective: Literal["availability", "fill_rate"] = "availability",
    single_echelon: bool = False,
    policy: Mapping[Criticality, PartPolicy] = CRITICALITY_POLICY,
) -> SparesProblem:
    """The ``spares/v2`` problem of one product's plans over a region set.

    The objective is the strategy chain's availability target per depot (or the
    strategy's fill-rate target with ``objective="fill_rate"``) unless ``budget`` is given.
    ``policy`` gives each criticality its weight, floor and essential flag.
    """
    planned = {rp.plan.region: rp for rp in report.regions}
    resupply: dict[str, float] = {}
    installed: dict[str, int] = defaultdict(int)
    targets: dict[str, float] = {}
    demand: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for region in regions.regions:
        if region.id not in planned:
            continue
        rp = planned[region.id]
        depot = region.depot
        if resupply.setdefault(depot.id, depot.resupply_days) != depot.resupply_days:
            raise InputError(
                f"regions: depot {depot.id!r} is shared by several regions with different "
                f"resupply_days (got {resupply[depot.id]} and {depot.resupply_days})"
            )
        installed[depot.id] += rp.plan.installed_base
        if rp.plan.installed_base > 0:
            target = rp.plan.posture.availability_target
            targets[depot.id] = max(targets.get(depot.id, 0.0), target)
        for part_id, units in rp.demand.parts.items():
            demand[part_id][depot.id] += units
    parts = []
    for part in product.parts:
        rule = policy[part.criticality]
        parts.append(
            {
                "id": part.id,
                "unit_cost": part.unit_cost,
                "demand": {d: units for d, units in demand[part.id].items() if units > 0.0},
                "lead_time_days": part.lead_time_days,
                "weight": rule.weight,
                "quantity_per_machine": part.quantity_per_machine,
                "essential": rule.essential,
                "min_fill_rate": rule.min_fill_rate,
            }
        )
    if budget is not None:
        goal: dict = {"budget": budget}
    elif objective == "fill_rate" or not targets:
        goal = {"target_fill_rate": strategy.targets.fill_rate}
    else:
        goal = {"target_availability": targets}
    data = {
        "format": "spares/v2",
        "name": f"{product.id}-{strategy.year}",
        "objective": goal,
        "central": None if single_echelon else {"lead_time_days": strategy.central_lead_time_days},
        "depots": [{"id": d, "resupply_days": days} for d, days in resupply.items()],
        "installed_base": dict(installed),
        "parts": parts,
    }
    return SparesProblem.model_validate(data)


def criticality_weights(product: ProductProfile) -> dict[str, float]:
    """Backorder weights per part from its criticality (A 3, B 2, C 1)."""
    return {p.id: CRITICALITY_WEIGHT[p.criticality] for p in product.parts}
