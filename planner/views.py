"""Typed table rows for the command line, the app and the exports; human labels applied last.

Every table the planner shows is built here, by one function, as frozen dataclass rows whose
fields say what they hold (``workload_hours``, ``annual_cost``). Each table has one
:class:`Table` spec: the label of every field, in column order, and the kind of number each
numeric field holds. Only renderers read the specs: the app's dataframes, the command line's
table printer, and the exports (the allocation workbook, the frontier CSV). Nothing reads a
value back by its label.

The command line prints the frontier under narrower headings (:attr:`Table.terminal`) than its
CSV file and the app use; both sets of headings are older than these specs and users read
them, so both stay.

:func:`parse_numbers` reads the comma-separated number lists both the command line and the
app take for a frontier sweep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from planner.models.plan import TierPlan
from planner.models.report import PlanReport, Scorecard
from planner.models.status import Status
from planner.models.technicians import (
    TechniciansFrontierPoint,
    TechniciansProblem,
    TechniciansResult,
)

if TYPE_CHECKING:
    from planner.models.scenario import ScenarioResult
    from planner.optimise.technicians import PlanEvaluation

__all__ = [
    "CHECK",
    "COSTS",
    "ECONOMICS",
    "FRONTIER",
    "HOOKS",
    "PLAN",
    "PRODUCTS",
    "PROMISES",
    "REGIONS",
    "SCORES",
    "SITES",
    "STATIONS",
    "SUMMARY",
    "TABLES",
    "TIER_ITEMS",
    "AllocationSummary",
    "CheckViewRow",
    "CostRow",
    "EconomicsRow",
    "FrontierRow",
    "HookRow",
    "Kind",
    "PlanRow",
    "ProductRow",
    "PromiseRow",
    "RegionRow",
    "ScoreRow",
    "SiteRow",
    "StationRow",
    "Table",
    "TierItemRow",
    "allocation_summary",
    "check_rows",
    "cost_rows",
    "economics_rows",
    "frontier_rows",
    "hook_rows",
    "parse_numbers",
    "plan_rows",
    "product_rows",
    "promise_rows",
    "region_rows",
    "score_rows",
    "site_rows",
    "station_fields",
    "station_rows",
    "tier_item_rows",
]


class Kind(StrEnum):
    """What a numeric column holds, so that each renderer can format it its own way."""

    MONEY = "money"
    """Currency units: thousands separators, whole units."""
    HOURS = "hours"
    """Hours: to a tenth."""
    COUNT = "count"
    """Events a year (calls, visits): to a tenth in the app."""
    SHARE = "share"
    """A ratio of two quantities (utilisation, a coverage target): in percent."""
    LEVEL = "level"
    """A probability or a share of calls reached: in percent in the app; the workbook keeps
    its full precision, to be read against the target."""


@dataclass(frozen=True)
class Table:
    """A table's columns: ``labels`` maps every field of ``row``, in field order, to its
    human label; ``kinds`` says what each numeric field holds; ``terminal`` (frontier only)
    maps the fields the command line prints to its narrower headings."""

    row: type
    labels: Mapping[str, str]
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    terminal: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = tuple(f.name for f in dataclasses.fields(self.row))
        if tuple(self.labels) != names:
            raise ValueError(
                f"{self.row.__name__}: labels must name every field in order "
                f"(fields {names}, labels {tuple(self.labels)})"
            )
        for mapping in (self.kinds, self.terminal):
            unknown = set(mapping) - set(names)
            if unknown:
                raise ValueError(f"{self.row.__name__}: no field(s) {sorted(unknown)}")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def records(self, rows: Iterable[Any], fields: Sequence[str] | None = None) -> list[dict]:
        """``rows`` as dicts keyed by label, with ``fields`` (default all) in table order."""
        shown = self.fields if fields is None else tuple(f for f in self.fields if f in fields)
        return [{self.labels[f]: getattr(row, f) for f in shown} for row in rows]


# ------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class ProductRow:
    """A registered product and the plugin that provides it."""

    id: str
    name: str
    plugin: str
    version: str


@dataclass(frozen=True)
class HookRow:
    """A hook and the plugins implementing it, in call order."""

    hook: str
    plugins: str = field(metadata={"doc": "plugin names, comma-separated"})


def product_rows(products: Mapping[str, Any]) -> list[ProductRow]:
    """Registered products (``PluginHost.products()``), by id."""
    return [
        ProductRow(id=e.id, name=e.name, plugin=e.plugin, version=e.version)
        for e in sorted(products.values(), key=lambda e: e.id)
    ]


def hook_rows(hooks: Iterable[Mapping[str, Any]]) -> list[HookRow]:
    """Hooks as ``PluginHost.hooks()`` lists them."""
    return [HookRow(hook=h["name"], plugins=", ".join(h["plugins"])) for h in hooks]


PRODUCTS = Table(
    ProductRow, {"id": "product", "name": "name", "plugin": "plugin", "version": "version"}
)
HOOKS = Table(HookRow, {"hook": "hook", "plugins": "plugins"})


# ------------------------------------------------------------------------------- plan


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


# ------------------------------------------------------------------------------- allocation


@dataclass(frozen=True)
class StationRow:
    """What one open station carries, a year, in the problem's currency."""

    station: str
    technicians: int
    max_technicians: int
    on_duty: int | None
    dispatch_level: float | None
    sites: int
    emergency_calls: float
    workload_hours: float
    technician_hours: float
    utilisation: float | None
    fixed_cost: float
    technician_cost: float
    travel_cost: float
    total_cost: float


@dataclass(frozen=True)
class SiteRow:
    """Where one site is served from."""

    site: str
    station: str
    travel_hours: float
    within_promise: bool
    emergency_calls: float
    planned_visits: float
    planned_hours: float
    workload_hours: float
    travel_cost: float


DISPATCH_FIELDS = ("on_duty", "dispatch_level")


def station_rows(evaluation: PlanEvaluation) -> tuple[StationRow, ...]:
    """The evaluation's open stations, in the plan's order (the same fields, and the total)."""
    return tuple(StationRow(**s.model_dump(), total_cost=s.total_cost) for s in evaluation.stations)


def site_rows(evaluation: PlanEvaluation) -> tuple[SiteRow, ...]:
    """The evaluation's sites, in the problem's order (the same fields)."""
    return tuple(SiteRow(**s.model_dump()) for s in evaluation.sites)


def station_fields(dispatch: bool) -> tuple[str, ...]:
    """The station columns shown: without a dispatch target, no on-duty staff or level."""
    return (
        STATIONS.fields
        if dispatch
        else tuple(f for f in STATIONS.fields if f not in DISPATCH_FIELDS)
    )


STATIONS = Table(
    StationRow,
    {
        "station": "station",
        "technicians": "technicians",
        "max_technicians": "max technicians",
        "on_duty": "on duty",
        "dispatch_level": "dispatch level",
        "sites": "sites",
        "emergency_calls": "emergency calls / yr",
        "workload_hours": "workload hours / yr",
        "technician_hours": "technician hours / yr",
        "utilisation": "utilisation",
        "fixed_cost": "fixed cost / yr",
        "technician_cost": "technician cost / yr",
        "travel_cost": "travel cost / yr",
        "total_cost": "total cost / yr",
    },
    kinds={
        "dispatch_level": Kind.LEVEL,
        "workload_hours": Kind.HOURS,
        "technician_hours": Kind.HOURS,
        "utilisation": Kind.SHARE,
        "fixed_cost": Kind.MONEY,
        "technician_cost": Kind.MONEY,
        "travel_cost": Kind.MONEY,
        "total_cost": Kind.MONEY,
    },
)
SITES = Table(
    SiteRow,
    {
        "site": "site",
        "station": "station",
        "travel_hours": "travel hours",
        "within_promise": "within promise",
        "emergency_calls": "emergency calls / yr",
        "planned_visits": "planned visits / yr",
        "planned_hours": "planned hours / yr",
        "workload_hours": "workload hours / yr",
        "travel_cost": "travel cost / yr",
    },
    kinds={
        "travel_hours": Kind.HOURS,
        "planned_hours": Kind.HOURS,
        "workload_hours": Kind.HOURS,
        "travel_cost": Kind.MONEY,
    },
)


@dataclass(frozen=True)
class AllocationSummary:
    """A technicians result at a glance. Without a plan only ``problem``, ``status`` and
    ``reason`` are set; without a dispatch target the two dispatch fields are None."""

    problem: str
    status: Status
    reason: str | None = None
    annual_cost: float | None = field(default=None, metadata={"doc": "the result's objective"})
    proven_lower_bound: float | None = None
    gap: float | None = None
    stations_open: int | None = None
    technicians: int | None = None
    onsite_hours: float | None = None
    coverage_target: float | None = None
    coverage: float | None = field(default=None, metadata={"doc": "the result's coverage"})
    emergency_calls: float | None = None
    dispatch_service_level: float | None = None
    lowest_dispatch_level: float | None = None
    solve_seconds: float | None = None

    @property
    def has_plan(self) -> bool:
        return self.annual_cost is not None

    def shown(self) -> tuple[str, ...]:
        """The fields that apply to this result, in order: the summary sheet's lines."""
        if not self.has_plan:
            return ("problem", "status", "reason")
        skip = {"reason"}
        if self.dispatch_service_level is None:
            skip |= {"dispatch_service_level", "lowest_dispatch_level"}
        return tuple(f for f in SUMMARY.fields if f not in skip)

    def lines(self) -> list[tuple[str, Any]]:
        """(label, value) for every field shown."""
        return [(SUMMARY.labels[f], getattr(self, f)) for f in self.shown()]


def allocation_summary(
    problem: TechniciansProblem, result: TechniciansResult, evaluation: PlanEvaluation
) -> AllocationSummary:
    """The summary of ``result``: its own objective, bound, gap, coverage and solve time; the
    stations, technicians, calls and lowest dispatch level from its ``evaluation``."""
    if evaluation.cost is None:
        return AllocationSummary(problem=problem.name, status=result.status, reason=result.reason)
    dp = problem.dispatch
    return AllocationSummary(
        problem=problem.name,
        status=result.status,
        annual_cost=result.objective,
        proven_lower_bound=result.bound,
        gap=result.gap,
        stations_open=len(evaluation.stations),
        technicians=evaluation.technicians,
        onsite_hours=problem.emergency.onsite_hours,
        coverage_target=problem.emergency.coverage_target,
        coverage=result.coverage,
        emergency_calls=evaluation.emergency_calls,
        dispatch_service_level=None if dp is None else dp.service_level,
        lowest_dispatch_level=evaluation.lowest_dispatch_level,
        solve_seconds=result.solve_seconds,
    )


SUMMARY = Table(
    AllocationSummary,
    {
        "problem": "problem",
        "status": "status",
        "reason": "reason",
        "annual_cost": "annual cost",
        "proven_lower_bound": "proven lower bound",
        "gap": "gap",
        "stations_open": "stations open",
        "technicians": "technicians",
        "onsite_hours": "on-site promise (h)",
        "coverage_target": "coverage target",
        "coverage": "coverage reached",
        "emergency_calls": "emergency calls / yr",
        "dispatch_service_level": "dispatch service level target",
        "lowest_dispatch_level": "lowest dispatch level",
        "solve_seconds": "solve seconds",
    },
)


# ------------------------------------------------------------------------------- frontier


@dataclass(frozen=True)
class FrontierRow:
    """One point of the cost / coverage frontier."""

    onsite_hours: float
    coverage_target: float
    status: Status
    annual_cost: float | None
    bound: float | None
    coverage: float | None
    dispatch_level: float | None
    technicians: int | None
    stations: int = field(metadata={"doc": "open stations"})
    reason: str = field(metadata={"doc": "why the point is infeasible, else empty"})


def frontier_rows(points: Iterable[TechniciansFrontierPoint]) -> list[FrontierRow]:
    """Frontier points as rows, in the sweep's order."""
    return [
        FrontierRow(
            onsite_hours=p.onsite_hours,
            coverage_target=p.coverage_target,
            status=p.status,
            annual_cost=p.cost,
            bound=p.bound,
            coverage=p.coverage,
            dispatch_level=p.dispatch_level,
            technicians=p.technicians,
            stations=len(p.stations),
            reason=p.reason or "",
        )
        for p in points
    ]


FRONTIER = Table(
    FrontierRow,
    {
        "onsite_hours": "on-site promise (h)",
        "coverage_target": "coverage target",
        "status": "status",
        "annual_cost": "annual cost",
        "bound": "proven bound",
        "coverage": "coverage reached",
        "dispatch_level": "dispatch level",
        "technicians": "technicians",
        "stations": "stations",
        "reason": "reason",
    },
    kinds={
        "annual_cost": Kind.MONEY,
        "bound": Kind.MONEY,
        "coverage": Kind.LEVEL,
        "dispatch_level": Kind.LEVEL,
    },
    terminal={
        "onsite_hours": "on-site h",
        "coverage_target": "target",
        "status": "status",
        "annual_cost": "annual cost",
        "bound": "bound",
        "coverage": "coverage",
        "technicians": "techs",
        "stations": "stations",
    },
)


# ------------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class CostRow:
    """One component of a scenario's annual cost (or its revenue and margin)."""

    component: str
    amount: float = field(metadata={"doc": "CNY a year (the stock's value: CNY)"})


def cost_rows(result: ScenarioResult) -> list[CostRow]:
    """The cost by component, the total, the stock's value, revenue and margin."""
    c = result.kpis.costs
    return [
        CostRow("stations", c.stations),
        CostRow("technicians", c.technicians),
        CostRow("travel", c.travel),
        CostRow("parts holding", c.parts_holding),
        CostRow("parts used and offers", c.service_other),
        CostRow("total cost", c.total),
        CostRow("of the plans' cost: warranty", c.warranty),
        CostRow("parts investment (stock value)", c.parts_investment),
        CostRow("revenue", c.revenue),
        CostRow("margin (revenue - total cost)", c.margin),
    ]


COSTS = Table(CostRow, {"component": "component", "amount": "CNY/yr"}, kinds={"amount": Kind.MONEY})


@dataclass(frozen=True)
class RegionRow:
    """One region of a scenario: its network, its promises and its parts."""

    region: str
    market_class: str
    machines: int
    stations: int
    technicians: int
    status: str
    cost: float | None = field(metadata={"doc": "stations, technicians and travel, CNY a year"})
    onsite_hours: float
    coverage_target: float
    coverage: float | None
    dispatch_level: float | None
    availability_target: float | None
    availability: float | None
    fill_rate: float | None
    stock_units: int
    investment: float


def region_rows(result: ScenarioResult) -> list[RegionRow]:
    return [
        RegionRow(
            region=r.region,
            market_class=str(r.market_class),
            machines=r.installed_base,
            stations=len(r.stations),
            technicians=r.technicians,
            status=r.status,
            cost=r.cost,
            onsite_hours=r.onsite_hours,
            coverage_target=r.coverage_target,
            coverage=r.coverage,
            dispatch_level=r.dispatch_level,
            availability_target=r.availability_target,
            availability=r.availability,
            fill_rate=r.fill_rate,
            stock_units=r.stock_units,
            investment=r.investment,
        )
        for r in result.regions
    ]


REGIONS = Table(
    RegionRow,
    {
        "region": "region",
        "market_class": "class",
        "machines": "machines",
        "stations": "stations",
        "technicians": "technicians",
        "status": "status",
        "cost": "network CNY/yr",
        "onsite_hours": "on-site promise h",
        "coverage_target": "coverage target",
        "coverage": "coverage",
        "dispatch_level": "dispatch level",
        "availability_target": "availability target",
        "availability": "availability",
        "fill_rate": "fill rate",
        "stock_units": "stock units",
        "investment": "stock CNY",
    },
    kinds={
        "machines": Kind.COUNT,
        "cost": Kind.MONEY,
        "onsite_hours": Kind.HOURS,
        "coverage_target": Kind.LEVEL,
        "coverage": Kind.LEVEL,
        "dispatch_level": Kind.LEVEL,
        "availability_target": Kind.LEVEL,
        "availability": Kind.LEVEL,
        "fill_rate": Kind.LEVEL,
        "investment": Kind.MONEY,
    },
)


@dataclass(frozen=True)
class CheckViewRow:
    """A promise predicted by the optimisers' models beside its simulated value."""

    kpi: str
    region: str
    predicted: float
    simulated: float
    lo: float = field(metadata={"doc": "95 % interval, low end"})
    hi: float = field(metadata={"doc": "95 % interval, high end"})
    agrees: str = field(metadata={"doc": "'yes' when the prediction lies inside the interval"})
    exact: str = field(metadata={"doc": "'exact' where the model is exact, else 'approx.'"})
    note: str


def check_rows(result: ScenarioResult) -> list[CheckViewRow]:
    return [
        CheckViewRow(
            kpi=c.kpi,
            region=c.region,
            predicted=c.predicted,
            simulated=c.simulated,
            lo=c.ci[0],
            hi=c.ci[1],
            agrees="yes" if c.agrees else "NO",
            exact="exact" if c.exact else "approx.",
            note=c.note,
        )
        for c in result.check
    ]


CHECK = Table(
    CheckViewRow,
    {
        "kpi": "KPI",
        "region": "region",
        "predicted": "predicted",
        "simulated": "simulated",
        "lo": "95 % low",
        "hi": "95 % high",
        "agrees": "agrees",
        "exact": "model",
        "note": "why they differ",
    },
    kinds={
        "predicted": Kind.LEVEL,
        "simulated": Kind.LEVEL,
        "lo": Kind.LEVEL,
        "hi": Kind.LEVEL,
    },
)


TABLES: Mapping[str, Table] = {
    "products": PRODUCTS,
    "hooks": HOOKS,
    "plan": PLAN,
    "promises": PROMISES,
    "tier_items": TIER_ITEMS,
    "scores": SCORES,
    "stations": STATIONS,
    "sites": SITES,
    "summary": SUMMARY,
    "frontier": FRONTIER,
    "costs": COSTS,
    "regions": REGIONS,
    "check": CHECK,
}
"""Every table, by name."""


# ------------------------------------------------------------------------------- input


def parse_numbers(label: str, text: str, low: float, high: float) -> tuple[float, ...]:
    """Comma-separated numbers in [low, high], sorted and without repeats; raises ValueError
    naming ``label`` and the offending value."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{label}: {part!r} is not a number") from None
        if not low <= value <= high:
            raise ValueError(f"{label}: {value:g} is outside [{low:g}, {high:g}]")
        values.append(value)
    if not values:
        raise ValueError(f"{label}: give at least one value")
    return tuple(sorted(set(values)))
