"""Scenarios: what a scenario file asks (:class:`Scenario`) and what a run gives
(:class:`ScenarioResult`).

A scenario file (TOML, YAML or JSON, ``kind = "scenario"``) names the products, the
regions and the strategy (bundled, or files relative to the scenario file), changes any
profile value by dotted path (``overrides``), sets the targets per market class, the
solver time limits and the simulation settings. Every field is checked like a profile's.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from planner.models.assessment import SelfAssessment
from planner.models.profiles import Criticality, Frozen, Id, MarketClass, Money, Share, Strategy
from planner.models.report import PlanReport, Scorecard

# --------------------------------------------------------------------------- inputs


class ClassTargets(Frozen):
    """Targets for every region of one market class; a value left out keeps the
    strategy chain's."""

    coverage: Share | None = Field(
        default=None, description="share of emergency calls reached within the on-site promise"
    )
    onsite_hours: float | None = Field(
        default=None, gt=0.0, le=168.0, description="on-site promise, hours"
    )
    availability: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        description="parts availability: share of machines not down for want of a part",
    )


class BudgetTargets(Frozen):
    """The strategy's budgets, replaced where given."""

    service: Money | None = Field(default=None, description="annual service budget, CNY")
    spares: Money | None = Field(default=None, description="spare-parts investment budget, CNY")


class Targets(Frozen):
    """What the scenario promises; each replaces the strategy chain's value."""

    classes: dict[MarketClass, ClassTargets] = Field(
        default_factory=dict, description="targets per market class (core, growth, ...)"
    )
    dispatch_level: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        description="probability a call finds a free on-duty technician in the dispatch time, "
        "every region",
    )
    part_floors: dict[Criticality, Annotated[float, Field(ge=0.0, lt=1.0)]] = Field(
        default_factory=dict,
        description="item-level fill-rate floor per part criticality (A, B, C) at every depot "
        "that needs the part; replaces the planner's parts policy (planner.problems)",
    )
    budget: BudgetTargets = BudgetTargets()


class SolverLimits(Frozen):
    """Time limits of the optimisers, seconds (a plan found in time is kept with its bound)."""

    technicians_seconds: float = Field(
        default=20.0, gt=0.0, le=3600.0, description="per region's station problem, seconds"
    )
    spares_seconds: float = Field(
        default=10.0, gt=0.0, le=3600.0, description="the parts problem, seconds"
    )


class SimulationSettings(Frozen):
    """How the plan's promises are checked by simulation."""

    years: float = Field(default=1.0, gt=0.0, le=50.0, description="simulated years per run")
    replications: int = Field(
        default=30, ge=2, le=1000, description="independent runs (the 95 % intervals need 2+)"
    )
    seed: int = Field(default=2027, ge=0, le=2**63 - 1, description="random seed")


class Scenario(Frozen):
    """One scenario: products, profiles, changes, targets, limits, simulation."""

    kind: Literal["scenario"] = "scenario"
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    products: tuple[Id, ...] = Field(min_length=1, description="product ids, one or several")
    regions: str | None = Field(
        default=None, description="a regions file (relative to the scenario file); bundled if none"
    )
    strategy: str | None = Field(
        default=None,
        description="a strategy file (relative to the scenario file); bundled if none",
    )
    only_regions: tuple[Id, ...] | None = Field(
        default=None, description="plan only these regions (all by default)"
    )
    profiles: dict[Id, str] = Field(
        default_factory=dict,
        description="product id → its profile file (relative to the scenario file)",
    )
    self_assessment: str | None = Field(
        default=None,
        description="a GB/T 27922 self-assessment file (relative to the scenario file); "
        "bundled if none",
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="profile values by dotted path: products.<id>.<field>..., "
        "regions.<region id>.<field>..., strategy.<field>...; list items by their id",
    )
    targets: Targets = Targets()
    solver: SolverLimits = SolverLimits()
    simulation: SimulationSettings = SimulationSettings()

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        seen: set[str] = set()
        for k, product in enumerate(self.products):
            if product in seen:
                raise ValueError(f"products[{k}]: listed twice (got {product!r})")
            seen.add(product)
        for key in self.overrides:
            head = key.split(".", 1)[0]
            if head not in ("products", "regions", "strategy") or "." not in key:
                raise ValueError(
                    f"overrides.{key}: a path starts with products.<id>., regions.<id>. or "
                    f"strategy. (got {key!r})"
                )
        return self


# --------------------------------------------------------------------------- results


class Interval(Frozen):
    """A simulated mean and its 95 % confidence interval over the replications."""

    mean: float
    lo: float
    hi: float


class CheckRow(Frozen):
    """One promise, predicted by the optimisers' models and measured by simulation."""

    kpi: str = Field(description="coverage, dispatch_level, fill_rate, availability, ...")
    region: str = Field(description="a region id, or 'all'")
    predicted: float
    simulated: float
    ci: tuple[float, float] = Field(description="95 % confidence interval of the simulation")
    agrees: bool = Field(description="the prediction lies inside the interval")
    exact: bool = Field(
        description="the optimisers' model is exact for what is simulated (else an approximation)"
    )
    note: str = Field(default="", description="the model assumption behind a disagreement")


class CostBreakdown(Frozen):
    """Annual cost of the scenario by component, CNY a year (revenue and margin apart)."""

    stations: float
    technicians: float
    travel: float
    parts_holding: float = Field(description="holding cost of the stock a year")
    warranty: float = Field(description="warranty cost the maker pays (part of the plans' cost)")
    service_other: float = Field(
        description="the plans' other costs (parts used and offers' non-labour cost, outside "
        "warranty)"
    )
    total: float = Field(description="stations + technicians + travel + holding + plans' costs")
    parts_investment: float = Field(description="value of the stock (capital, not a year's cost)")
    revenue: float
    margin: float = Field(description="revenue minus total")


class Kpis(Frozen):
    """The scenario's figures (shares in [0, 1])."""

    cost: float = Field(description="total annual cost, CNY")
    costs: CostBreakdown
    coverage: float = Field(description="share of emergency calls within the on-site promise")
    dispatch_level: float = Field(
        description="share of calls finding a free on-duty technician in the dispatch time"
    )
    fill_rate: float = Field(description="depot fill rate of unplanned part demand")
    availability: float = Field(
        description="machine-weighted share of machines not down for want of a part"
    )
    technicians: int
    stations: int
    stock_units: int
    investment: float = Field(description="value of the parts stock, CNY")


class RegionOutcome(Frozen):
    """One region's figures."""

    region: str
    name: str
    market_class: MarketClass
    products: tuple[str, ...]
    installed_base: int
    status: str = Field(description="the station problem's status")
    gap: float | None
    cost: float | None
    technicians: int
    stations: tuple[str, ...]
    onsite_hours: float
    coverage_target: float
    coverage: float | None
    dispatch_level: float | None = Field(description="call-weighted Erlang C level")
    availability_target: float | None
    availability: float | None
    fill_rate: float | None
    stock_units: int
    investment: float
    emergency_calls: float
    reason: str | None = None


class ScenarioResult(Frozen):
    """Everything a scenario run produced.

    ``allocations`` are the plan evaluations of each region's station problem
    (:class:`planner.optimise.technicians.PlanEvaluation`, as JSON-ready data),
    ``technicians`` the problems and results, ``parts`` the parts problem and result.
    """

    scenario: Scenario
    source: str = Field(default="", description="the scenario file, if any")
    plans: tuple[PlanReport, ...]
    kpis: Kpis
    regions: tuple[RegionOutcome, ...]
    allocations: dict[str, dict[str, Any]]
    technicians: dict[str, dict[str, Any]] = Field(
        description="region → {'problem': technicians/v1, 'result': technicians-result/v1}"
    )
    parts: dict[str, Any] = Field(description="{'problem': spares/v2, 'result': spares-result/v1}")
    network: dict[str, Any] = Field(
        default_factory=dict,
        description="region → {'sites': [...], 'stations': [...]} with coordinates: each "
        "site's serving station, travel hours and whether it is within the promise; each "
        "candidate station's technicians and on-duty staff (0 when closed)",
    )
    check: tuple[CheckRow, ...]
    simulation: dict[str, Any] = Field(
        description="replications, years, seed, events, seconds, per-region call outcomes"
    )
    scorecards: tuple[Scorecard, ...]
    timings: dict[str, float] = Field(description="seconds per phase")
    problems: tuple[str, ...] = ()

    def to_jsonable(self) -> dict[str, Any]:
        """The result as JSON data: ``kpis``, ``regions``, ``check``, ``scorecards``, ..."""
        data = self.model_dump(mode="json", exclude={"plans"})
        data["plans"] = [report.to_jsonable() for report in self.plans]
        data["scorecards"] = [
            {**card.model_dump(mode="json"), "lines": [_line(line) for line in card.lines]}
            for card in self.scorecards
        ]
        return data


def _line(line: Any) -> dict[str, Any]:
    return {**line.model_dump(mode="json"), "met": line.met}


# --------------------------------------------------------------------------- scorecards


class CallOutcomes(Frozen):
    """Shares of the simulated emergency calls (each in [0, 1])."""

    calls: float = Field(description="simulated calls a year")
    within_promise: Share = Field(description="on site within the on-site promise")
    within_24h: Share = Field(description="on site within 24 hours")
    first_visit_fix: Share = Field(description="fixed on the first visit (its part on hand)")
    promise_and_fixed: Share = Field(description="within the promise and fixed on the first visit")
    mean_onsite_hours: float = Field(description="mean hours from the call to arrival on site")


class ScenarioFacts(Frozen):
    """What a scenario scorecard plugin receives (``planner_scenario_scorecards``)."""

    scenario: str
    strategy: Strategy = Field(description="the strategy the scenario ran under")
    reports: tuple[PlanReport, ...]
    outcomes: CallOutcomes
    availability: float
    fill_rate: float
    availability_targets_met: bool = Field(description="every depot's parts target met")
    self_assessment: SelfAssessment | None = None
    cost: float | None = Field(default=None, description="the scenario's annual cost, CNY")
    revenue: float | None = Field(default=None, description="the scenario's revenue, CNY a year")
    investment: float | None = Field(default=None, description="the parts stock's value, CNY")
