"""The tiered service plan and the demand it implies."""

from __future__ import annotations

from pydantic import Field

from planner.models.profiles import (
    Frozen,
    Id,
    MarketClass,
    PartUse,
    Performer,
    Posture,
    Share,
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
    cost_each: float = Field(
        ge=0.0, description="the maker's labour plus parts plus other cost each time, CNY"
    )
    promised_hours: float | None = Field(
        default=None, ge=0.0, description="the promise attached to the item, hours (if any)"
    )
    performer: Performer = Field(
        default=Performer.MAKER,
        description="who does it; only the maker's items load its technicians and cost it",
    )
    warranty_share: Share = Field(
        default=0.0,
        description="share of the occurrences on machines inside warranty (free to the customer)",
    )
    price_each: float = Field(
        default=0.0, ge=0.0, description="charged each time outside warranty, CNY"
    )

    @property
    def by_maker(self) -> bool:
        return self.performer == Performer.MAKER

    @property
    def annual_labour_hours(self) -> float:
        """The maker's technician hours a year (0 for work others do)."""
        return self.occurrences_per_year * self.labour_hours if self.by_maker else 0.0

    @property
    def annual_cost(self) -> float:
        """The maker's cost a year (0 for work others do)."""
        return self.occurrences_per_year * self.cost_each if self.by_maker else 0.0

    @property
    def annual_warranty_cost(self) -> float:
        """The maker's cost a year of the occurrences inside warranty."""
        return self.annual_cost * self.warranty_share

    @property
    def annual_revenue(self) -> float:
        """Charged a year for the occurrences outside warranty."""
        if not self.by_maker:
            return 0.0
        return self.occurrences_per_year * (1.0 - self.warranty_share) * self.price_each

    @property
    def maker_visits(self) -> float:
        """Trips of its own the maker's technicians make a year for this item."""
        return (
            self.occurrences_per_year if self.by_maker and self.on_site and self.own_visit else 0.0
        )


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

    @property
    def economics(self) -> Economics:
        return Economics.of(self.items)


class Economics(Frozen):
    """What a plan (or one tier) costs the maker and earns it a year, CNY.

    ``cost`` is everything the maker's network does (labour, parts, other); of it,
    ``warranty_cost`` is the work on machines inside warranty, which the maker pays;
    ``revenue`` is what customers pay outside warranty (service labour and parts at
    the product's prices) and for value-added offers at their prices; ``margin`` is
    revenue minus cost.
    """

    cost: float
    warranty_cost: float = Field(ge=0.0)
    revenue: float = Field(ge=0.0)
    margin: float

    @classmethod
    def of(cls, items: tuple[PlanItem, ...] | list[PlanItem]) -> Economics:
        return cls.summed(
            sum(i.annual_cost for i in items),
            sum(i.annual_warranty_cost for i in items),
            sum(i.annual_revenue for i in items),
        )

    @classmethod
    def total(cls, parts: list[Economics]) -> Economics:
        return cls.summed(
            sum(e.cost for e in parts),
            sum(e.warranty_cost for e in parts),
            sum(e.revenue for e in parts),
        )

    @classmethod
    def summed(cls, cost: float, warranty_cost: float, revenue: float) -> Economics:
        """The economics of these sums; the margin is derived, revenue minus cost."""
        return cls(cost=cost, warranty_cost=warranty_cost, revenue=revenue, margin=revenue - cost)


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
    installed_base: int = Field(default=0, ge=0, description="machines in the region")
    notes: tuple[str, ...] = ()

    def tiers(self) -> tuple[TierPlan, TierPlan, TierPlan]:
        return (self.emergency, self.preventive, self.value_added)

    @property
    def economics(self) -> Economics:
        """The whole plan's economics (all tiers)."""
        return Economics.total([t.economics for t in self.tiers()])

    @property
    def preventive_visits(self) -> float:
        """The maker's preventive trips a year in the region."""
        return sum(item.maker_visits for item in self.preventive.items)

    @property
    def preventive_visits_per_machine(self) -> float:
        """The maker's preventive trips per machine-year (0 without machines)."""
        return self.preventive_visits / self.installed_base if self.installed_base else 0.0


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
