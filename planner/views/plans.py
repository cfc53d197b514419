"""Plan tables: each region's plan and its economics, and one tier's promises and items and a
scorecard against its targets."""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.models.plan import TierPlan
from planner.models.report import PlanReport, Scorecard
from planner.views.tables import Kind, Table

__all__ = [
    "ECONOMICS",
    "PLAN",
    "PROMISES",
    "SCORES",
    "TIER_ITEMS",
    "EconomicsRow",
    "PlanRow",
    "PromiseRow",
    "ScoreRow",
    "TierItemRow",
    "economics_rows",
    "plan_rows",
    "promise_rows",
    "score_rows",
    "tier_item_rows",
]


@dataclass(frozen=True)
class PlanRow:
    """One region's plan: its promises, policies and what they take in a year."""

    region: str
    market_class: str
    onsite_hours: float
    coverage_target: float
    inspections: str = field(metadata={"doc": "the preventive inspection policy"})
    depth: int
    breadth: int
    emergency_calls: float
    planned_visits: float
    labour_hours: float = field(metadata={"doc": "emergency, planned and remote hours a year"})
    annual_cost: float = field(metadata={"doc": "the three tiers' cost a year, CNY"})


def plan_rows(report: PlanReport) -> list[PlanRow]:
    """One row per planned region, in the report's order."""
    rows = []
    for rp in report.regions:
        p, d = rp.plan, rp.demand
        rows.append(
            PlanRow(
                region=p.region,
                market_class=p.market_class.value,
                onsite_hours=p.posture.emergency.onsite_hours,
                coverage_target=p.posture.emergency.coverage_target,
                inspections=p.posture.preventive.policy.value,
                depth=p.posture.preventive.depth,
                breadth=p.posture.value_added.breadth,
                emergency_calls=d.emergency_calls,
                planned_visits=d.planned_visits,
                labour_hours=d.emergency_hours + d.planned_hours + d.remote_hours,
                annual_cost=sum(t.annual_cost for t in p.tiers()),
            )
        )
    return rows


PLAN = Table(
    PlanRow,
    {
        "region": "region",
        "market_class": "class",
        "onsite_hours": "onsite h",
        "coverage_target": "coverage",
        "inspections": "inspections",
        "depth": "depth",
        "breadth": "breadth",
        "emergency_calls": "calls/yr",
        "planned_visits": "visits/yr",
        "labour_hours": "labour h/yr",
        "annual_cost": "cost CNY/yr",
    },
    kinds={
        "coverage_target": Kind.SHARE,
        "emergency_calls": Kind.COUNT,
        "planned_visits": Kind.COUNT,
        "labour_hours": Kind.HOURS,
        "annual_cost": Kind.MONEY,
    },
)


@dataclass(frozen=True)
class EconomicsRow:
    """One region's installed base, the maker's preventive visits and the plan's money a year."""

    region: str
    installed_base: int = field(metadata={"doc": "machines in the region"})
    preventive_visits_per_machine: float = field(
        metadata={"doc": "the maker's preventive trips per machine-year"}
    )
    cost: float = field(metadata={"doc": "the maker's cost of all three tiers, CNY a year"})
    warranty_cost: float = field(metadata={"doc": "of it, work inside warranty, CNY a year"})
    revenue: float = field(metadata={"doc": "charged outside warranty and for offers, CNY a year"})
    margin: float = field(metadata={"doc": "revenue minus cost, CNY a year"})


def economics_rows(report: PlanReport) -> list[EconomicsRow]:
    """One row per planned region, in the report's order, and a last row ``all``."""
    rows = []
    for rp in report.regions:
        p = rp.plan
        e = p.economics
        rows.append(
            EconomicsRow(
                region=p.region,
                installed_base=p.installed_base,
                preventive_visits_per_machine=p.preventive_visits_per_machine,
                cost=e.cost,
                warranty_cost=e.warranty_cost,
                revenue=e.revenue,
                margin=e.margin,
            )
        )
    if rows:
        e = report.economics
        machines = sum(r.installed_base for r in rows)
        visits = sum(rp.plan.preventive_visits for rp in report.regions)
        rows.append(
            EconomicsRow(
                region="all",
                installed_base=machines,
                preventive_visits_per_machine=visits / machines if machines else 0.0,
                cost=e.cost,
                warranty_cost=e.warranty_cost,
                revenue=e.revenue,
                margin=e.margin,
            )
        )
    return rows


ECONOMICS = Table(
    EconomicsRow,
    {
        "region": "region",
        "installed_base": "machines",
        "preventive_visits_per_machine": "maker visits/machine",
        "cost": "cost CNY/yr",
        "warranty_cost": "warranty CNY/yr",
        "revenue": "revenue CNY/yr",
        "margin": "margin CNY/yr",
    },
    kinds={
        "installed_base": Kind.COUNT,
        "cost": Kind.MONEY,
        "warranty_cost": Kind.MONEY,
        "revenue": Kind.MONEY,
        "margin": Kind.MONEY,
    },
)


@dataclass(frozen=True)
class PromiseRow:
    """One promise of a tier."""

    promise: str
    value: str


@dataclass(frozen=True)
class TierItemRow:
    """One item of a tier: how often it happens in the region and what it costs."""

    item: str
    performer: str = field(metadata={"doc": "who does it: operator, dealer or maker"})
    occurrences_per_year: float
    labour_hours: float = field(metadata={"doc": "technician hours each time"})
    on_site: bool
    own_trip: bool = field(metadata={"doc": "a trip of its own (else done on another visit)"})
    cost_each: float
    annual_cost: float = field(metadata={"doc": "the maker's cost a year (0 for others' work)"})
    warranty_share: float = field(metadata={"doc": "share of the occurrences inside warranty"})
    annual_revenue: float = field(metadata={"doc": "charged a year outside warranty"})


@dataclass(frozen=True)
class ScoreRow:
    """One line of a scorecard against its target."""

    metric: str
    value: float
    target: float | None
    unit: str
    status: str = field(metadata={"doc": "met, NOT MET, or empty without a target"})


def promise_rows(tier: TierPlan) -> list[PromiseRow]:
    return [PromiseRow(promise=k, value=str(v)) for k, v in tier.promises.items()]


def tier_item_rows(tier: TierPlan) -> list[TierItemRow]:
    return [
        TierItemRow(
            item=i.name,
            performer=i.performer.value,
            occurrences_per_year=i.occurrences_per_year,
            labour_hours=i.labour_hours,
            on_site=i.on_site,
            own_trip=i.own_visit,
            cost_each=i.cost_each,
            annual_cost=i.annual_cost,
            warranty_share=i.warranty_share,
            annual_revenue=i.annual_revenue,
        )
        for i in tier.items
    ]


def score_rows(card: Scorecard) -> list[ScoreRow]:
    return [
        ScoreRow(
            metric=line.metric,
            value=line.value,
            target=line.target,
            unit=line.unit,
            status={True: "met", False: "NOT MET", None: ""}[line.met],
        )
        for line in card.lines
    ]


PROMISES = Table(PromiseRow, {"promise": "promise", "value": "value"})
TIER_ITEMS = Table(
    TierItemRow,
    {
        "item": "item",
        "performer": "by",
        "occurrences_per_year": "per year",
        "labour_hours": "hours each",
        "on_site": "on site",
        "own_trip": "own trip",
        "cost_each": "cost each",
        "annual_cost": "cost / yr",
        "warranty_share": "in warranty",
        "annual_revenue": "revenue / yr",
    },
    kinds={
        "occurrences_per_year": Kind.COUNT,
        "labour_hours": Kind.HOURS,
        "cost_each": Kind.MONEY,
        "annual_cost": Kind.MONEY,
        "warranty_share": Kind.SHARE,
        "annual_revenue": Kind.MONEY,
    },
)
SCORES = Table(
    ScoreRow,
    {"metric": "metric", "value": "value", "target": "target", "unit": "unit", "status": "status"},
)
