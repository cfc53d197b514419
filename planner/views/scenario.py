"""Scenario tables: a scenario's cost by component, its regions (network, promises, parts), and
the check of the optimisers' predicted promises against their simulated values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planner.views.tables import Kind, Table

if TYPE_CHECKING:
    from planner.models.scenario import ScenarioResult

__all__ = [
    "CHECK",
    "COSTS",
    "REGIONS",
    "CheckViewRow",
    "CostRow",
    "RegionRow",
    "check_rows",
    "cost_rows",
    "region_rows",
]


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
