"""The tiered service plan and the demand it implies."""

from __future__ import annotations

from pydantic import Field

from planner.models.profiles import (
    Frozen,
    Id,
    MarketClass,
    PartUse,
    Posture,
    StrategicRole,
    Tier,
)


class PlanItem(Frozen):
    """One line of a tier: a service, how often it happens in the region, what it takes."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    occurrences_per_year: float = Field(
        ge=0.0, le=1e8, description="times it happens a year across the region's installed base"
    )
    on_site: bool = Field(description="whether it takes a technician to the customer's site")
    own_visit: bool = Field(
        default=True,
        description="whether it needs a trip of its own (False: done during another visit)",
    )
    labour_hours: float = Field(ge=0.0, le=2_000.0, description="technician hours each time")
    parts: tuple[PartUse, ...] = Field(default=(), description="parts used each time (expected)")
    cost_each: float = Field(ge=0.0, description="labour plus parts plus other cost each time, CNY")
    promised_hours: float | None = Field(
        default=None, ge=0.0, description="the promise attached to the item, hours (if any)"
    )

    @property
    def annual_labour_hours(self) -> float:
        return self.occurrences_per_year * self.labour_hours

    @property
    def annual_cost(self) -> float:
        return self.occurrences_per_year * self.cost_each


class TierPlan(Frozen):
    """One tier of a plan: its items and its promises."""

    tier: Tier
    items: tuple[PlanItem, ...] = ()
    promises: dict[str, float | bool | str] = Field(default_factory=dict)

    @property
    def annual_labour_hours(self) -> float:
        return sum(item.annual_labour_hours for item in self.items)

    @property
    def annual_cost(self) -> float:
        return sum(item.annual_cost for item in self.items)


class ServicePlan(Frozen):
    """A product's three-tier service plan for one region (一品一案)."""

    product: Id
    region: Id
    market_class: MarketClass
    role: StrategicRole
    posture: Posture
    emergency: TierPlan
    preventive: TierPlan
    value_added: TierPlan
    notes: tuple[str, ...] = ()

    def tiers(self) -> tuple[TierPlan, TierPlan, TierPlan]:
        return (self.emergency, self.preventive, self.value_added)


class SiteDemand(Frozen):
    """What one demand site asks of the service network a year."""

    id: Id
    city: str
    lat: float
    lon: float
    emergency_calls: float = Field(ge=0.0, description="breakdown calls a year")
    planned_visits: float = Field(ge=0.0, description="planned on-site visits a year")
    planned_hours: float = Field(
        ge=0.0, description="on-site labour hours of planned visits a year"
    )


class Demand(Frozen):
    """A plan's demand in one region: the optimisers' inputs."""

    region: Id
    emergency_calls: float = Field(ge=0.0, description="breakdown calls a year")
    emergency_hours: float = Field(ge=0.0, description="on-site repair hours a year")
    planned_visits: float = Field(ge=0.0, description="planned on-site visits a year")
    planned_hours: float = Field(ge=0.0, description="planned on-site labour hours a year")
    remote_hours: float = Field(ge=0.0, description="labour hours a year not on a customer site")
    sites: tuple[SiteDemand, ...]
    depot: Id
    parts: dict[Id, float] = Field(
        description="unplanned parts demand at the region's depot, units a year (Poisson)"
    )
    planned_parts: dict[Id, float] = Field(
        description="parts used by planned services, units a year (known in advance)"
    )
