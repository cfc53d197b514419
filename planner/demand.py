"""From a plan to its demand: calls, visits, hours and parts, per site and depot.

- Emergency calls: occurrences of the emergency tier's on-site items that need
  a trip of their own; their labour is the emergency on-site hours.
- Planned visits: occurrences of the preventive and value-added tiers' on-site
  items that need a trip of their own; planned hours are the on-site labour of
  those tiers, including work done during another visit.
- Everything not on site (remote monitoring, training at the branch) is
  ``remote_hours``: it loads the region's staff but no trip.
- Each site gets its share of the region's installed base of all of these.
- Only the maker's own work counts (items whose ``performer`` is the maker): what
  operators and dealers do loads no technician of the maker and takes no part from
  its depots.
- Parts: the emergency tier's parts are unplanned failures (Poisson demand at
  the region's depot); the other tiers' parts are planned consumption.
"""

from __future__ import annotations

from collections import defaultdict

from planner.models.plan import Demand, PlanItem, ServicePlan, SiteDemand
from planner.models.profiles import Region


def _add_parts(into: dict[str, float], item: PlanItem) -> None:
    for use in item.parts:
        into[use.part] += item.occurrences_per_year * use.quantity


def demand_of(plan: ServicePlan, region: Region) -> Demand:
    """The demand ``plan`` puts on ``region``'s sites and depot, per year."""
    if plan.region != region.id:
        raise ValueError(f"plan is for region {plan.region!r}, not {region.id!r}")
    calls = emergency_hours = visits = planned_hours = remote_hours = 0.0
    parts: dict[str, float] = defaultdict(float)
    planned_parts: dict[str, float] = defaultdict(float)

    for item in plan.emergency.items:
        if not item.by_maker:
            continue
        if item.on_site:
            if item.own_visit:
                calls += item.occurrences_per_year
            emergency_hours += item.annual_labour_hours
        else:
            remote_hours += item.annual_labour_hours
        _add_parts(parts, item)
    for tier in (plan.preventive, plan.value_added):
        for item in tier.items:
            if not item.by_maker:
                continue
            if item.on_site:
                if item.own_visit:
                    visits += item.occurrences_per_year
                planned_hours += item.annual_labour_hours
            else:
                remote_hours += item.annual_labour_hours
            _add_parts(planned_parts, item)

    sites = tuple(
        SiteDemand(
            id=site.id,
            city=site.city,
            lat=site.lat,
            lon=site.lon,
            emergency_calls=calls * site.share,
            planned_visits=visits * site.share,
            planned_hours=planned_hours * site.share,
        )
        for site in region.sites
    )
    return Demand(
        region=region.id,
        emergency_calls=calls,
        emergency_hours=emergency_hours,
        planned_visits=visits,
        planned_hours=planned_hours,
        remote_hours=remote_hours,
        sites=sites,
        depot=region.depot.id,
        parts=dict(sorted(parts.items())),
        planned_parts=dict(sorted(planned_parts.items())),
    )
