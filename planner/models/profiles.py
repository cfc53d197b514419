"""Profile models: products, regions and corporate strategy.

Every model is frozen and forbids unknown fields, so a misspelt key in a
profile file is an error, not a silently ignored value. Every number carries
its unit in the field description and has bounds that reject absurd values.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="identifier: letters, digits, '_', '-', '.'",
    ),
]
Share = Annotated[float, Field(ge=0.0, le=1.0, description="share, 0..1")]
Money = Annotated[float, Field(ge=0.0, le=1e12, description="CNY")]

SHARE_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- helpers


def _unique(where: str, ids: list[str], field: str = "id") -> None:
    """Raise on the first repeated id, naming both places."""
    first: dict[str, int] = {}
    for k, value in enumerate(ids):
        if value in first:
            raise ValueError(
                f"{where}[{k}].{field}: duplicate {field}, also at {where}[{first[value]}] "
                f"(got {value!r})"
            )
        first[value] = k


def _shares_sum(where: str, shares: list[float]) -> None:
    total = sum(shares)
    if abs(total - 1.0) > SHARE_TOLERANCE * max(1, len(shares)):
        raise ValueError(f"{where}: shares must add up to 1 (got a total of {total:.6g})")


class Frozen(BaseModel):
    """Base for every domain model: immutable, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StrategicRole(StrEnum):
    """The product's place in the corporate portfolio."""

    CORE = "core"
    GROWTH = "growth"
    MATURE = "mature"
    HARVEST = "harvest"


class MarketClass(StrEnum):
    """The region's market class."""

    CORE = "core"
    GROWTH = "growth"
    MAINTAIN = "maintain"
    REMOTE = "remote"


class UsageMetric(StrEnum):
    """What a product's usage is counted in."""

    ENGINE_HOURS = "engine_hours"
    M3_PUMPED = "m3_pumped"
    LIFT_CYCLES = "lift_cycles"


class Segment(StrEnum):
    """Customer segments."""

    KEY_ACCOUNT = "key_account"
    RENTAL_FLEET = "rental_fleet"
    OWNER_OPERATOR = "owner_operator"


class Tier(StrEnum):
    """The three service tiers of a plan."""

    EMERGENCY = "emergency"
    PREVENTIVE = "preventive"
    VALUE_ADDED = "value_added"


class InspectionPolicy(StrEnum):
    """How preventive intervals are triggered."""

    CALENDAR = "calendar"
    USAGE = "usage"
    WHICHEVER_FIRST = "whichever_first"


class Performer(StrEnum):
    """Who does a scheduled service: the machine's operator, a dealer, or the maker's own
    network (only the maker's work loads the maker's technicians)."""

    OPERATOR = "operator"
    DEALER = "dealer"
    MAKER = "maker"


class PreventiveKind(StrEnum):
    """A nested service level (a higher level includes the lower ones' work) or an add-on
    inspection on its own schedule, which never displaces a level."""

    LEVEL = "level"
    ADD_ON = "add_on"


class Criticality(StrEnum):
    """Part criticality: A stops the machine, B degrades it, C is cosmetic or convenience."""

    A = "A"
    B = "B"
    C = "C"


CRITICALITY_WEIGHT: dict[Criticality, float] = {
    Criticality.A: 3.0,
    Criticality.B: 2.0,
    Criticality.C: 1.0,
}


# --------------------------------------------------------------------------- product


class PartSpec(Frozen):
    """One spare part of a product's parts list."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    quantity_per_machine: int = Field(
        ge=1, le=10_000, description="units fitted per machine (Sherbrooke's Z, for availability)"
    )
    failures_per_machine_year: float | None = Field(
        default=None,
        ge=0.0,
        le=1_000.0,
        description=(
            "unplanned replacements per machine-year (all fitted units together) "
            "at the product's nominal usage; scales with usage"
        ),
    )
    failures_per_usage_unit: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description=(
            "unplanned replacements per machine (all fitted units together) "
            "per usage unit (engine hour, m³, lift cycle)"
        ),
    )
    unit_cost: Money = Field(description="purchase cost per unit, CNY")
    lead_time_days: float = Field(ge=0.0, le=730.0, description="procurement lead time, days")
    criticality: Criticality = Criticality.B
    supply_share: Share = Field(
        default=1.0,
        description=(
            "share of the unplanned replacements supplied from the maker's depots (wear "
            "parts and consumables are also bought through other channels)"
        ),
    )

    @model_validator(mode="after")
    def _one_rate(self) -> PartSpec:
        given = (self.failures_per_machine_year is not None) + (
            self.failures_per_usage_unit is not None
        )
        if given != 1:
            raise ValueError(
                "give exactly one of failures_per_machine_year and failures_per_usage_unit"
            )
        return self


class PartUse(Frozen):
    """Parts consumed by one planned service."""

    part: Id
    quantity: float = Field(gt=0.0, le=10_000.0, description="units per service")


class PreventiveLevel(Frozen):
    """One item of the preventive maintenance schedule: a service level or an add-on.

    Levels (``kind = "level"``) are nested: a higher level (longer interval) includes
    the work of the lower ones, so at any service only the highest level due is
    performed. Add-ons (``kind = "add_on"``: an undercarriage measurement, a
    non-destructive test, a statutory examination) are done on their own schedule
    besides the levels and never displace one. ``performer`` says who does it.
    """

    id: Id
    name: str = Field(min_length=1, max_length=200)
    every_months: float | None = Field(
        default=None, gt=0.0, le=120.0, description="calendar interval, months"
    )
    every_usage: float | None = Field(
        default=None, gt=0.0, le=1e9, description="usage interval, in the product's usage metric"
    )
    labour_hours: float = Field(ge=0.0, le=500.0, description="technician hours on site")
    parts: tuple[PartUse, ...] = ()
    min_depth: int = Field(
        default=1,
        ge=1,
        le=3,
        description="the posture's preventive depth (1..3) from which this level is offered",
    )
    kind: PreventiveKind = PreventiveKind.LEVEL
    performer: Performer = Field(
        default=Performer.MAKER, description="who does it: operator, dealer or maker"
    )

    @model_validator(mode="after")
    def _some_interval(self) -> PreventiveLevel:
        if self.every_months is None and self.every_usage is None:
            raise ValueError("give every_months, every_usage or both")
        return self


class ValueAddedOffer(Frozen):
    """A value-added service a product family can offer."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    min_breadth: int = Field(
        ge=1, le=3, description="the posture's value-added breadth (1..3) from which it is offered"
    )
    uptake: Share = Field(description="share of machines that take it up each year")
    labour_hours: float = Field(ge=0.0, le=2_000.0, description="technician hours per uptake")
    on_site: bool = Field(default=True, description="whether the labour is on the customer's site")
    price: Money = Field(default=0.0, description="revenue per uptake, CNY")
    cost: Money = Field(default=0.0, description="non-labour cost per uptake, CNY")


class Capture(Frozen):
    """Share of the maker-performed scheduled services the maker's network actually does,
    inside and after warranty (the rest go to independent workshops or are skipped)."""

    in_warranty: Share = Field(description="share captured on machines inside warranty")
    after_warranty: Share = Field(description="share captured on machines after warranty")


class FirstService(Frozen):
    """The first service of a new machine, done by the maker inside warranty."""

    name: str = Field(min_length=1, max_length=200)
    at_usage: float = Field(gt=0.0, le=1e9, description="due at this usage, usage units")
    labour_hours: float = Field(ge=0.0, le=100.0, description="technician hours on site")
    parts: tuple[PartUse, ...] = ()


class Pricing(Frozen):
    """What the maker charges outside warranty."""

    labour_per_hour: Money = Field(description="service labour charged per hour, CNY")
    parts_markup: float = Field(
        ge=0.0, le=10.0, description="parts price ÷ parts cost (1.3: 30 % over cost)"
    )


class ProductProfile(Frozen):
    """A product's service-relevant traits."""

    kind: Literal["product"] = "product"
    id: Id
    family: str = Field(min_length=1, max_length=100)
    model: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    strategic_role: StrategicRole = Field(
        description="default role; the corporate strategy may assign another"
    )
    usage_metric: UsageMetric
    annual_usage: float = Field(
        gt=0.0, le=1e8, description="nominal usage per machine-year, in the usage metric"
    )
    failures_per_year: float | None = Field(
        default=None, ge=0.0, le=100.0, description="breakdowns needing a visit per machine-year"
    )
    mtbf_usage: float | None = Field(
        default=None, gt=0.0, le=1e9, description="mean usage between breakdowns, usage units"
    )
    repair_hours: float = Field(gt=0.0, le=500.0, description="mean on-site repair hours")
    warranty_months: int = Field(ge=0, le=120, description="warranty period, months")
    new_machine_share: Share = Field(
        default=0.15,
        description="machines sold a year as a share of the installed base (new machines)",
    )
    capture: Capture = Field(
        default=Capture(in_warranty=1.0, after_warranty=1.0),
        description="share of maker-performed scheduled services the maker's network does",
    )
    first_service: FirstService | None = None
    pricing: Pricing = Field(
        default=Pricing(labour_per_hour=0.0, parts_markup=1.0),
        description="labour and parts prices charged outside warranty",
    )
    downtime_cost_per_hour: Money = Field(description="customer's loss per hour of downtime, CNY")
    preventive: tuple[PreventiveLevel, ...] = Field(min_length=1)
    value_added: tuple[ValueAddedOffer, ...] = ()
    parts: tuple[PartSpec, ...] = Field(min_length=1)
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="where each figure comes from: field → source, or 'illustrative'",
    )

    @model_validator(mode="after")
    def _check(self) -> ProductProfile:
        if (self.failures_per_year is None) == (self.mtbf_usage is None):
            raise ValueError("give exactly one of failures_per_year and mtbf_usage")
        _unique("parts", [p.id for p in self.parts])
        _unique("preventive", [lv.id for lv in self.preventive])
        _unique("value_added", [v.id for v in self.value_added])
        known = {p.id for p in self.parts}
        for k, level in enumerate(self.preventive):
            for n, use in enumerate(level.parts):
                if use.part not in known:
                    raise ValueError(
                        f"preventive[{k}].parts[{n}].part: not in the parts list (got {use.part!r})"
                    )
        if self.first_service is not None:
            for n, use in enumerate(self.first_service.parts):
                if use.part not in known:
                    raise ValueError(
                        f"first_service.parts[{n}].part: not in the parts list (got {use.part!r})"
                    )
        return self

    @property
    def warranty_share(self) -> float:
        """Share of the installed base inside warranty in steady state: machines sold in
        the last ``warranty_months`` (``new_machine_share × warranty_months / 12``, at most 1)."""
        return min(1.0, self.new_machine_share * self.warranty_months / 12.0)

    @property
    def capture_share(self) -> float:
        """Share of the installed base whose maker-performed scheduled services the maker
        does: ``w × in_warranty + (1 - w) × after_warranty`` with ``w`` the warranty share."""
        w = self.warranty_share
        return w * self.capture.in_warranty + (1.0 - w) * self.capture.after_warranty

    def breakdowns_per_year(self, annual_usage: float | None = None) -> float:
        """Breakdowns per machine-year at ``annual_usage`` (the nominal usage by default)."""
        usage = self.annual_usage if annual_usage is None else annual_usage
        if self.mtbf_usage is not None:
            return usage / self.mtbf_usage
        assert self.failures_per_year is not None
        return self.failures_per_year * usage / self.annual_usage

    def part(self, part_id: str) -> PartSpec:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)


# --------------------------------------------------------------------------- regions


class CustomerSegment(Frozen):
    """A customer segment's share of a region's installed base, its usage and its customers."""

    segment: Segment
    share: Share = Field(description="share of the region's installed base")
    usage_factor: float = Field(
        default=1.0, gt=0.0, le=5.0, description="usage relative to the product's nominal usage"
    )
    customers: dict[Id, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict,
        description="customers of the segment owning the product, per product id",
    )


class DemandSite(Frozen):
    """A city where machines work."""

    id: Id
    city: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90.0, le=90.0, description="latitude, degrees")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude, degrees")
    share: Share = Field(description="share of the region's installed base at this site")
    urban_radius_km: float | None = Field(
        default=None,
        gt=0.0,
        le=500.0,
        description="radius around the city centre the site's machines work in, km "
        "(default: the region's road rule)",
    )


class CandidateStation(Frozen):
    """A place where a service station could run."""

    id: Id
    city: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90.0, le=90.0, description="latitude, degrees")
    lon: float = Field(ge=-180.0, le=180.0, description="longitude, degrees")
    fixed_cost: Money = Field(description="annual cost of running the station, CNY")
    max_technicians: int = Field(ge=0, le=1_000, description="technicians it can hold")


class RoadLink(Frozen):
    """A road between two nodes (sites or stations) of a region."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True
    )

    from_: Id = Field(alias="from")
    to: Id
    hours: float = Field(ge=0.0, le=200.0, description="driving time, hours")


class RoadRule(Frozen):
    """Derive road links from coordinates when a region lists none.

    Every pair of nodes (sites and stations) whose great-circle distance is at
    most ``max_link_km`` is joined by a link of
    ``distance × detour_factor / speed_kmh`` hours. Shortest paths over these
    links then give travel times; nodes further apart connect through others.
    """

    speed_kmh: float = Field(default=60.0, gt=0.0, le=150.0, description="mean road speed, km/h")
    detour_factor: float = Field(
        default=1.3, ge=1.0, le=3.0, description="road distance ÷ great-circle distance"
    )
    max_link_km: float = Field(
        default=400.0, gt=0.0, le=5_000.0, description="longest direct link, km"
    )
    urban_radius_km: float = Field(
        default=25.0,
        gt=0.0,
        le=500.0,
        description="machines of a site work within this radius of its city centre, km",
    )
    urban_speed_kmh: float = Field(
        default=30.0, gt=0.0, le=150.0, description="mean speed on the local leg, km/h"
    )


class Depot(Frozen):
    """A region's parts depot."""

    id: Id
    city: str = Field(min_length=1, max_length=100)
    resupply_days: float = Field(ge=0.0, le=365.0, description="resupply time from central, days")


class TechnicianTerms(Frozen):
    """What a technician costs and works in a region."""

    annual_cost: Money = Field(description="fully loaded annual cost per technician, CNY")
    productive_hours: float = Field(
        gt=0.0, le=4_000.0, description="productive hours per technician-year"
    )
    service_hours_per_year: float = Field(
        default=8760.0,
        gt=0.0,
        le=8784.0,
        description="hours a year the emergency service is staffed (8760: round the clock)",
    )
    travel_cost_per_hour: Money = Field(
        default=60.0, description="vehicle, fuel and tolls per hour on the road, CNY (illustrative)"
    )


class EmergencyPosture(Frozen):
    """Emergency tier promises."""

    reply_hours: float = Field(gt=0.0, le=72.0, description="promised reply to a request, hours")
    onsite_hours: float = Field(gt=0.0, le=168.0, description="promised arrival on site, hours")
    repair_hours: float = Field(gt=0.0, le=720.0, description="promised repair completion, hours")
    coverage_target: Share = Field(
        description="share of emergency calls whose site is within the on-site promise"
    )
    dispatch_within_hours: float = Field(
        gt=0.0, le=72.0, description="a free technician is assigned within this time"
    )
    dispatch_service_level: float = Field(
        gt=0.0, lt=1.0, description="probability that dispatch happens within the time"
    )
    substitute_equipment: bool = Field(description="substitute machine offered on long repairs")


class PreventivePosture(Frozen):
    """Preventive tier policy."""

    policy: InspectionPolicy
    depth: int = Field(ge=1, le=3, description="1 baseline, 2 extended, 3 full programme")
    info_collection_hours: float = Field(
        ge=0.0, le=8.0, description="extra hours per visit for customer and market information"
    )
    key_account_visits_per_year: float = Field(
        ge=0.0, le=12.0, description="relationship visits per key-account customer per year"
    )


class ValueAddedPosture(Frozen):
    """Value-added tier breadth."""

    breadth: int = Field(ge=1, le=3, description="1 baseline, 2 extended, 3 full menu")


class Posture(Frozen):
    """The service posture of one product in one region: the strategy chain's output."""

    emergency: EmergencyPosture
    preventive: PreventivePosture
    value_added: ValueAddedPosture
    parts_priority: int = Field(ge=1, le=3, description="1 first served, 3 last")
    fill_rate_target: float = Field(gt=0.0, lt=1.0, description="depot fill-rate target")
    availability_target: float = Field(
        default=0.999,
        gt=0.0,
        lt=1.0,
        description="parts availability target at the region's depot",
    )
    staffing_emphasis: float = Field(
        ge=0.5, le=2.0, description="multiplier on staffing above the workload minimum"
    )


class EmergencyOverride(Frozen):
    reply_hours: float | None = Field(default=None, gt=0.0, le=72.0)
    onsite_hours: float | None = Field(default=None, gt=0.0, le=168.0)
    repair_hours: float | None = Field(default=None, gt=0.0, le=720.0)
    coverage_target: Share | None = None
    dispatch_within_hours: float | None = Field(default=None, gt=0.0, le=72.0)
    dispatch_service_level: float | None = Field(default=None, gt=0.0, lt=1.0)
    substitute_equipment: bool | None = None


class PreventiveOverride(Frozen):
    policy: InspectionPolicy | None = None
    depth: int | None = Field(default=None, ge=1, le=3)
    info_collection_hours: float | None = Field(default=None, ge=0.0, le=8.0)
    key_account_visits_per_year: float | None = Field(default=None, ge=0.0, le=12.0)


class ValueAddedOverride(Frozen):
    breadth: int | None = Field(default=None, ge=1, le=3)


class PostureOverride(Frozen):
    """Values a region fixes whatever the strategy chain derives."""

    emergency: EmergencyOverride = EmergencyOverride()
    preventive: PreventiveOverride = PreventiveOverride()
    value_added: ValueAddedOverride = ValueAddedOverride()
    parts_priority: int | None = Field(default=None, ge=1, le=3)
    fill_rate_target: float | None = Field(default=None, gt=0.0, lt=1.0)
    availability_target: float | None = Field(default=None, gt=0.0, lt=1.0)
    staffing_emphasis: float | None = Field(default=None, ge=0.5, le=2.0)


class Region(Frozen):
    """A sales region: its market, customers, sites, stations, roads and depot."""

    id: Id
    name: str = Field(min_length=1, max_length=100)
    market_class: MarketClass
    installed_base: dict[Id, Annotated[int, Field(ge=0, le=1_000_000)]] = Field(
        description="machines in the field per product id"
    )
    customers: tuple[CustomerSegment, ...] = Field(min_length=1)
    sites: tuple[DemandSite, ...] = Field(min_length=1)
    stations: tuple[CandidateStation, ...] = Field(min_length=1)
    roads: tuple[RoadLink, ...] | None = Field(
        default=None, description="road links; when absent, derived by the road rule"
    )
    road_rule: RoadRule = RoadRule()
    depot: Depot
    technician: TechnicianTerms
    overrides: PostureOverride = PostureOverride()

    @model_validator(mode="after")
    def _check(self) -> Region:
        _unique("customers", [c.segment.value for c in self.customers], "segment")
        _shares_sum("customers", [c.share for c in self.customers])
        _shares_sum("sites", [s.share for s in self.sites])
        _unique("sites", [s.id for s in self.sites])
        _unique("stations", [s.id for s in self.stations])
        clash = {s.id for s in self.sites} & {s.id for s in self.stations}
        if clash:
            raise ValueError(f"stations: ids also used by sites (got {sorted(clash)})")
        centres = {f"{s.id}.centre" for s in self.sites} & {s.id for s in self.stations}
        if centres:
            raise ValueError(
                f"stations: ids taken by the sites' centre junctions (got {sorted(centres)})"
            )
        if self.roads is not None:
            nodes = {s.id for s in self.sites} | {s.id for s in self.stations}
            for k, link in enumerate(self.roads):
                for end in ("from_", "to"):
                    node = getattr(link, end)
                    if node not in nodes:
                        name = "from" if end == "from_" else end
                        raise ValueError(
                            f"roads[{k}].{name}: not a site or station of the region (got {node!r})"
                        )
        return self

    def segment_share(self, segment: Segment) -> float:
        return sum(c.share for c in self.customers if c.segment == segment)

    def customer_count(self, segment: Segment, product_id: str) -> int | None:
        """Customers of ``segment`` owning ``product_id``; None where the profile gives none."""
        for c in self.customers:
            if c.segment == segment:
                return c.customers.get(product_id)
        return None

    def mean_usage_factor(self) -> float:
        return sum(c.share * c.usage_factor for c in self.customers)


class RegionSet(Frozen):
    """A set of regions, one file."""

    kind: Literal["regions"] = "regions"
    name: str = Field(min_length=1, max_length=200)
    regions: tuple[Region, ...] = Field(min_length=1)
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> RegionSet:
        _unique("regions", [r.id for r in self.regions])
        return self

    def region(self, region_id: str) -> Region:
        for r in self.regions:
            if r.id == region_id:
                return r
        raise KeyError(region_id)


# --------------------------------------------------------------------------- strategy


class ProductStrategy(Frozen):
    role: StrategicRole


class ServiceTargets(Frozen):
    """Company-wide service targets; the strategy chain adapts them per region."""

    coverage: Share = Field(description="share of emergency calls reached within the promise")
    dispatch_service_level: float = Field(
        gt=0.0, lt=1.0, description="probability of dispatch within the dispatch time"
    )
    fill_rate: float = Field(gt=0.0, lt=1.0, description="depot fill rate")
    availability: float = Field(
        default=0.999,
        gt=0.0,
        lt=1.0,
        description="parts availability: share of machines not down for want of a part",
    )
    satisfaction_by_year: tuple[Share, ...] = Field(
        min_length=1, max_length=10, description="customer satisfaction target per plan year"
    )


class KpiWeights(Frozen):
    """Weights of the service KPI scorecard; they sum to 1."""

    satisfaction: Share = 0.4
    response: Share = 0.3
    resolution: Share = 0.3

    @model_validator(mode="after")
    def _sum(self) -> KpiWeights:
        _shares_sum("kpi_weights", [self.satisfaction, self.response, self.resolution])
        return self


class ComplaintLimits(Frozen):
    """How long a complaint may stay open before it is resolved, by kind (service standard)."""

    attitude_hours: float = Field(
        default=24.0, gt=0.0, le=720.0, description="complaints about service attitude, hours"
    )
    quality_hours: float = Field(
        default=48.0, gt=0.0, le=720.0, description="complaints about product quality, hours"
    )
    other_hours: float = Field(
        default=72.0, gt=0.0, le=720.0, description="every other complaint, hours"
    )


class CustomerCare(Frozen):
    """Planned contact with customers beyond service calls (service standard: half-yearly)."""

    surveys_per_year: float = Field(
        default=2.0, ge=0.0, le=12.0, description="satisfaction surveys a year"
    )
    reviews_per_year: float = Field(
        default=2.0, ge=0.0, le=12.0, description="service reviews with customers a year"
    )


class Budget(Frozen):
    service: Money = Field(description="annual service budget, CNY")
    spares: Money = Field(description="spare-parts investment budget, CNY")


class Strategy(Frozen):
    """The corporate service strategy for a planning horizon."""

    kind: Literal["strategy"] = "strategy"
    name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2000, le=2100, description="first plan year")
    products: dict[Id, ProductStrategy] = Field(default_factory=dict)
    targets: ServiceTargets
    budget: Budget
    kpi_weights: KpiWeights = KpiWeights()
    central_lead_time_days: float = Field(
        default=30.0, ge=0.0, le=365.0, description="central warehouse resupply lead time, days"
    )
    parts_holding_rate: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="cost a year of holding spare parts, share of their value",
    )
    complaint_limits: ComplaintLimits = ComplaintLimits()
    customer_care: CustomerCare = CustomerCare()
    sources: dict[str, str] = Field(default_factory=dict)

    def role_of(self, product: ProductProfile) -> StrategicRole:
        chosen = self.products.get(product.id)
        return chosen.role if chosen is not None else product.strategic_role
