"""Run the planning chain end to end.

For one product (:func:`plan_product`): profiles → posture → plugin plan → demand →
report. For a scenario (:func:`run`): the plans of every product and region → one station
problem per region, every product's calls and visits on the same candidate stations with
pooled technicians → one parts problem holding every product's parts → a simulation
checking each promise → scorecards. :func:`load_scenario` reads and checks a scenario
file (``kind = "scenario"``); :func:`bundled_scenarios` lists the bundled ones.

A scenario of several products keeps each product's parts apart: a part serves only its
own product's machines, so each depot appears once per product (``<depot>/<product>``,
parts ``<product>/<part>``) with that product's installed base, and Sherbrooke's
availability is each product's own. The central warehouse is shared. The split is exact:
no stock of one product's part can serve another's machines.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from planner.demand import demand_of
from planner.errors import InputError
from planner.models.assessment import SelfAssessment
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.models.report import PlanReport, RegionPlan
from planner.models.scenario import (
    CallOutcomes,
    CheckRow,
    CostBreakdown,
    Kpis,
    RegionOutcome,
    Scenario,
    ScenarioFacts,
    ScenarioResult,
)
from planner.models.spares import SparesProblem, SparesResult
from planner.models.status import Status
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.plugins import PluginError, PluginHost, load_plugins
from planner.profiles import (
    ProfileError,
    bundled_path,
    format_validation_error,
    load_product,
    load_profile,
    load_regions,
    load_strategy,
    read_document,
)

Progress = Callable[[str, float], None]
"""Receives a phase's description and the share of the run done, in [0, 1]."""


def default_regions() -> RegionSet:
    return load_regions(bundled_path("regions.toml"))


def default_strategy() -> Strategy:
    return load_strategy(bundled_path("strategy.toml"))


def product_profile(host: PluginHost, product_id: str) -> ProductProfile:
    """The default profile of a registered product, checked to be that product's."""
    entry = host.product(product_id)
    profile = load_product(entry.cls.profile_path())
    if profile.id != product_id:
        raise PluginError(
            f"plugin {entry.plugin!r}: profile {entry.cls.profile_path()} is for product "
            f"{profile.id!r}, not {product_id!r}"
        )
    return profile


def plan_product(
    host: PluginHost,
    product: ProductProfile,
    regions: RegionSet,
    strategy: Strategy,
    only: Sequence[str] | None = None,
) -> PlanReport:
    """The product's plan and demand in every region (or those in ``only``), with scorecards."""
    chosen = list(regions.regions)
    if only:
        known = {r.id for r in chosen}
        unknown = [r for r in only if r not in known]
        if unknown:
            raise InputError(
                f"unknown region(s) {', '.join(map(repr, unknown))} "
                f"(regions: {', '.join(sorted(known))})"
            )
        chosen = [r for r in chosen if r.id in set(only)]
    region_plans = []
    for region in chosen:
        plan = host.plan_for(product, region, strategy)
        region_plans.append(RegionPlan(plan=plan, demand=demand_of(plan, region)))
    name = host.product(product.id).name
    report = PlanReport(
        product=product.id, product_name=name, strategy=strategy.name, regions=tuple(region_plans)
    )
    cards = host.scorecards(report, strategy)
    return report.model_copy(update={"scorecards": tuple(cards), "problems": tuple(host.problems)})


# ---------------------------------------------------------------------------- files


SCENARIO_DIR = "scenarios"


class ScenarioError(ProfileError):
    """A scenario that cannot be run: one ``file: field: message (got value)`` line each."""


class InfeasibleTarget(ScenarioError):
    """A target no plan meets; the message says what is reachable."""


@dataclass(frozen=True)
class LoadedScenario:
    """A checked scenario and the profiles it runs on, overrides and targets applied."""

    scenario: Scenario
    source: str
    products: dict[str, ProductProfile]
    regions: RegionSet
    strategy: Strategy
    self_assessment: SelfAssessment | None = None
    host: PluginHost | None = field(default=None, compare=False)


def bundled_scenarios() -> list[dict[str, str]]:
    """The bundled scenarios: ``{name, path}`` each, by file name."""
    folder = bundled_path(SCENARIO_DIR)
    out = []
    for path in sorted(folder.glob("*.toml")):
        scenario = _validate(Scenario, str(path), read_document(path))
        out.append({"name": scenario.name, "path": str(path)})
    return out


def _validate(model: type[BaseModel], source: str, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def _near(source: str, base: Path | None, name: str, where: str) -> Path:
    path = Path(name)
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise ScenarioError([f"{source}: {where}: no such file (got {name!r})"])
    return path


def load_scenario(
    path: str | Path | None = None,
    *,
    data: Mapping[str, Any] | None = None,
    source: str | None = None,
    host: PluginHost | None = None,
) -> LoadedScenario:
    """A scenario file (or its ``data``, named ``source``), checked, with its profiles loaded
    and its overrides and targets applied. Raises :class:`ScenarioError` (one line per
    problem: ``file: field: message (got value)``)."""
    if path is not None:
        path = Path(path)
        raw = read_document(path)
        source = str(path)
        base: Path | None = path.parent
    else:
        if data is None:
            raise ValueError("give a path or the scenario's data")
        raw = dict(data)
        source = source or "scenario"
        base = None
    if raw.get("kind") != "scenario":
        raise ScenarioError(
            [f'{source}: kind: a scenario file says kind = "scenario" (got {raw.get("kind")!r})']
        )
    scenario: Scenario = _validate(Scenario, source, raw)
    host = host or load_plugins()
    known = set(host.products())
    products: dict[str, ProductProfile] = {}
    for k, product_id in enumerate(scenario.products):
        if product_id in scenario.profiles:
            file = _near(source, base, scenario.profiles[product_id], f"profiles.{product_id}")
            profile = load_product(file)
            if profile.id != product_id:
                raise ScenarioError(
                    [
                        (
                            f"{source}: profiles.{product_id}: the file is for product "
                            f"{profile.id!r} (got {str(file)!r})"
                        )
                    ]
                )
        elif product_id in known:
            profile = product_profile(host, product_id)
        else:
            raise ScenarioError(
                [
                    (
                        f"{source}: products[{k}]: unknown product (got {product_id!r}; "
                        f"known: {', '.join(sorted(known))})"
                    )
                ]
            )
        products[product_id] = profile
    regions = (
        load_regions(_near(source, base, scenario.regions, "regions"))
        if scenario.regions
        else default_regions()
    )
    strategy = (
        load_strategy(_near(source, base, scenario.strategy, "strategy"))
        if scenario.strategy
        else default_strategy()
    )
    assessment_file = (
        _near(source, base, scenario.self_assessment, "self_assessment")
        if scenario.self_assessment
        else bundled_path("self_assessment.toml")
    )
    assessment = None
    if assessment_file.is_file():
        loaded = load_profile(assessment_file)
        assessment = loaded if isinstance(loaded, SelfAssessment) else None
    region_ids = {r.id for r in regions.regions}
    for k, region_id in enumerate(scenario.only_regions or ()):
        if region_id not in region_ids:
            raise ScenarioError(
                [
                    (
                        f"{source}: only_regions[{k}]: unknown region (got {region_id!r}; "
                        f"regions: {', '.join(sorted(region_ids))})"
                    )
                ]
            )
    products, regions, strategy = _apply_overrides(source, scenario, products, regions, strategy)
    regions, strategy = _apply_targets(source, scenario, regions, strategy)
    return LoadedScenario(scenario, source, products, regions, strategy, assessment, host)


def _set_path(document: Any, parts: list[str], value: Any, key: str, source: str) -> None:
    """Set ``value`` at ``parts`` in ``document``; list items are found by their id."""
    node = document
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            found = [item for item in node if isinstance(item, dict) and item.get("id") == part]
            if not found:
                ids = [item.get("id") for item in node if isinstance(item, dict)]
                raise ScenarioError(
                    [
                        (
                            f"{source}: overrides.{key}: no item with id {part!r} "
                            f"(ids: {', '.join(map(str, ids))})"
                        )
                    ]
                )
            if last:
                raise ScenarioError(
                    [f"{source}: overrides.{key}: names a whole item; name one of its fields"]
                )
            node = found[0]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                [f"{source}: overrides.{key}: {part!r} is inside a value, not a table"]
            )
        if last:
            node[part] = value
        else:
            if part not in node or node[part] is None:
                node[part] = {}
            node = node[part]


def _apply_overrides(
    source: str,
    scenario: Scenario,
    products: dict[str, ProductProfile],
    regions: RegionSet,
    strategy: Strategy,
) -> tuple[dict[str, ProductProfile], RegionSet, Strategy]:
    docs: dict[str, Any] = {
        "products": {pid: p.model_dump(mode="json", by_alias=True) for pid, p in products.items()},
        "regions": regions.model_dump(mode="json", by_alias=True),
        "strategy": strategy.model_dump(mode="json", by_alias=True),
    }
    for key, value in scenario.overrides.items():
        head, *rest = key.split(".")
        if head == "products":
            if not rest or rest[0] not in docs["products"]:
                got = rest[0] if rest else ""
                raise ScenarioError(
                    [
                        (
                            f"{source}: overrides.{key}: not a product of the scenario (got "
                            f"{got!r}; products: {', '.join(docs['products'])})"
                        )
                    ]
                )
            target, parts = docs["products"][rest[0]], rest[1:]
        elif head == "regions":
            target, parts = docs["regions"]["regions"], rest
        else:
            target, parts = docs["strategy"], rest
        if not parts:
            raise ScenarioError([f"{source}: overrides.{key}: names no field"])
        _set_path(target, parts, value, key, source)
        # check each change at once, so that the message names the override that broke it
        model = {"products": ProductProfile, "regions": RegionSet, "strategy": Strategy}[head]
        doc = docs["products"][rest[0]] if head == "products" else docs[head]
        try:
            model.model_validate(doc)
        except ValidationError as exc:
            lines = format_validation_error(f"{source}: overrides.{key}", exc)
            raise ScenarioError(
                [line if "(got " in line else f"{line} (got {value!r})" for line in lines]
            ) from None
    return (
        {pid: ProductProfile.model_validate(d) for pid, d in docs["products"].items()},
        RegionSet.model_validate(docs["regions"]),
        Strategy.model_validate(docs["strategy"]),
    )


def _apply_targets(
    source: str, scenario: Scenario, regions: RegionSet, strategy: Strategy
) -> tuple[RegionSet, Strategy]:
    targets = scenario.targets
    changed = []
    for region in regions.regions:
        overrides = region.overrides.model_dump(exclude_none=True)
        emergency = overrides.setdefault("emergency", {})
        chosen = targets.classes.get(region.market_class)
        if chosen is not None:
            if chosen.coverage is not None:
                emergency["coverage_target"] = chosen.coverage
            if chosen.onsite_hours is not None:
                emergency["onsite_hours"] = chosen.onsite_hours
            if chosen.availability is not None:
                overrides["availability_target"] = chosen.availability
        if targets.dispatch_level is not None:
            emergency["dispatch_service_level"] = targets.dispatch_level
        changed.append(region.model_copy(update={"overrides": type(region.overrides)(**overrides)}))
    budget = strategy.budget.model_dump()
    budget.update(targets.budget.model_dump(exclude_none=True))
    strategy = strategy.model_copy(update={"budget": type(strategy.budget)(**budget)})
    return regions.model_copy(update={"regions": tuple(changed)}), strategy


# ---------------------------------------------------------------------------- run


#: Station problems solved at once (one per region; HiGHS releases the GIL while solving).
SOLVER_THREADS = 2

#: Phases of a run and the share of the run each starts at (for progress bars).
PHASES = (
    ("plans", 0.0),
    ("stations", 0.1),
    ("parts", 0.45),
    ("simulation", 0.75),
    ("scorecards", 0.95),
)


def depot_key(depot: str, product: str, portfolio: bool) -> str:
    """The parts problem's depot id of one product at a depot."""
    return f"{depot}/{product}" if portfolio else depot


def part_key(part: str, product: str, portfolio: bool) -> str:
    """The parts problem's id of one product's part."""
    return f"{product}/{part}" if portfolio else part


def portfolio_spares_problem(problems: Mapping[str, SparesProblem], name: str) -> SparesProblem:
    """One ``spares/v2`` problem holding every product's parts (one problem: itself).

    Each product's depots and parts are renamed (:func:`depot_key`, :func:`part_key`);
    the central warehouse is shared; each depot keeps its own targets.
    """
    if len(problems) == 1:
        return next(iter(problems.values()))
    depots: list[dict[str, Any]] = []
    installed: dict[str, int] = {}
    parts: list[dict[str, Any]] = []
    targets: dict[str, float] = {}
    fill: set[float] = set()
    central = None
    for product, problem in problems.items():
        data = problem.model_dump(mode="json", exclude_none=True)
        central = data.get("central", central)
        for depot in data["depots"]:
            depots.append({**depot, "id": depot_key(depot["id"], product, True)})
        for depot, n in (data.get("installed_base") or {}).items():
            installed[depot_key(depot, product, True)] = n
        for part in data["parts"]:
            demand = {depot_key(d, product, True): m for d, m in part["demand"].items()}
            parts.append({**part, "id": part_key(part["id"], product, True), "demand": demand})
        goal = data["objective"]
        if "target_availability" in goal:
            value = goal["target_availability"]
            if isinstance(value, dict):
                for depot, a in value.items():
                    targets[depot_key(depot, product, True)] = a
            else:
                for depot in data["depots"]:
                    targets[depot_key(depot["id"], product, True)] = value
        elif "target_fill_rate" in goal:
            fill.add(goal["target_fill_rate"])
        else:
            raise ValueError("a portfolio's parts problem takes availability or fill-rate targets")
    if targets and fill:
        raise ValueError("the products' parts problems mix availability and fill-rate targets")
    objective = {"target_availability": targets} if targets else {"target_fill_rate": max(fill)}
    return SparesProblem.model_validate(
        {
            "format": "spares/v2",
            "name": name,
            "objective": objective,
            "central": central,
            "depots": depots,
            "installed_base": installed,
            "parts": parts,
        }
    )


def parts_policy(scenario: Scenario) -> dict[Any, Any]:
    """The parts policy by criticality, with the scenario's fill-rate floors in place."""
    from dataclasses import replace

    from planner.problems import CRITICALITY_POLICY

    floors = scenario.targets.part_floors
    return {
        level: replace(rule, min_fill_rate=floors[level]) if level in floors else rule
        for level, rule in CRITICALITY_POLICY.items()
    }


def run(
    scenario: LoadedScenario | str | Path,
    progress: Progress | None = None,
    *,
    simulate_hold: str = "travel_repair",
) -> ScenarioResult:
    """Run a scenario end to end: plans → stations per region → parts → simulation →
    scorecards. ``progress`` receives each phase as it starts.

    Raises :class:`ScenarioError` for bad input and :class:`InfeasibleTarget` when a
    target cannot be met (the message says what is reachable).
    """
    from planner import actions
    from planner.problems import pooled_technicians_problem, spares_problem
    from planner.simulate import SimulationSettings, simulate

    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    sc = loaded.scenario
    host = loaded.host or load_plugins()
    notify = progress or (lambda _message, _share: None)
    marks: list[tuple[str, float]] = []

    def phase(name: str, message: str) -> None:
        marks.append((name, time.perf_counter()))
        notify(message, dict(PHASES)[name])

    phase("plans", "Planning every product and region")
    only = list(sc.only_regions) if sc.only_regions else None
    reports = {
        pid: plan_product(host, profile, loaded.regions, loaded.strategy, only=only)
        for pid, profile in loaded.products.items()
    }
    portfolio = len(reports) > 1
    region_order = [rp.plan.region for rp in next(iter(reports.values())).regions]

    phase("stations", "Optimising stations and technicians, region by region")
    problems: dict[str, TechniciansProblem] = {}
    results: dict[str, TechniciansResult] = {}
    evaluations: dict[str, Any] = {}
    for region_id in region_order:
        pairs = [
            (rp.plan, rp.demand)
            for report in reports.values()
            for rp in report.regions
            if rp.plan.region == region_id
        ]
        region = loaded.regions.region(region_id)
        problems[region_id] = pooled_technicians_problem(
            pairs, region, name=f"{sc.name}-{region_id}"
        )

    def solve(region_id: str) -> TechniciansResult:
        try:
            return actions.optimise_technicians(
                problems[region_id], time_limit=sc.solver.technicians_seconds
            )
        except actions.UnreachableSitesError as exc:
            raise ScenarioError([f"{loaded.source}: regions.{region_id}: {exc}"]) from None
        except actions.NoPlanWithinTimeLimit as exc:
            raise ScenarioError(
                [f"{loaded.source}: solver.technicians_seconds: region {region_id}: {exc}"]
            ) from None

    # The regions' problems are independent: two at a time (HiGHS releases the GIL while it
    # solves), the largest first; progress is reported from this thread as each finishes.
    largest_first = sorted(region_order, key=lambda r: -len(problems[r].sites))
    with ThreadPoolExecutor(max_workers=SOLVER_THREADS) as pool:
        pending = {pool.submit(solve, r): r for r in largest_first}
        for done, future in enumerate(as_completed(pending), start=1):
            region_id = pending[future]
            results[region_id] = future.result()
            notify(
                f"Stations and technicians: {loaded.regions.region(region_id).name}",
                0.1 + 0.35 * done / len(region_order),
            )
    for region_id in region_order:
        result = results[region_id]
        if result.status == Status.INFEASIBLE:
            region = loaded.regions.region(region_id)
            raise InfeasibleTarget(
                [
                    (
                        f"{loaded.source}: targets.classes.{region.market_class.value}: region "
                        f"{region_id} ({region.name}): no station plan meets the promises: "
                        f"{result.reason}"
                    )
                ]
            )
        evaluations[region_id] = actions.evaluate_technicians(problems[region_id], result)

    phase("parts", "Optimising the parts stock")
    policy = parts_policy(sc)
    per_product = {
        pid: spares_problem(
            loaded.products[pid],
            report,
            loaded.regions,
            loaded.strategy,
            objective="availability",
            policy=policy,
        )
        for pid, report in reports.items()
    }
    parts_problem = portfolio_spares_problem(per_product, f"{sc.name}-parts")
    parts_result = actions.optimise_spares(parts_problem, time_limit=sc.solver.spares_seconds)
    if parts_result.status == Status.INFEASIBLE:
        raise InfeasibleTarget(
            [
                (
                    f"{loaded.source}: targets: the parts availability targets cannot be met: "
                    f"{parts_result.reason}"
                )
            ]
        )
    predicted_parts = parts_predictions(parts_problem, parts_result)

    phase("simulation", "Simulating the plan's promises")
    network = simulation_network(
        loaded, reports, problems, evaluations, parts_problem, predicted_parts, portfolio
    )
    sim = simulate(
        network,
        SimulationSettings(
            years=sc.simulation.years,
            replications=sc.simulation.replications,
            seed=sc.simulation.seed,
            hold=simulate_hold,  # type: ignore[arg-type]
        ),
    )

    phase("scorecards", "Scoring")
    region_rows = _region_outcomes(
        loaded, reports, problems, results, evaluations, parts_problem, predicted_parts, portfolio
    )
    check = check_rows(
        loaded,
        reports,
        evaluations,
        problems,
        network,
        sim,
        predicted_parts,
        portfolio,
        simulate_hold,
    )
    kpis = _kpis(loaded, reports, evaluations, parts_result, predicted_parts, region_rows)
    outcomes = _outcomes(sim)
    facts = ScenarioFacts(
        scenario=sc.name,
        strategy=loaded.strategy,
        reports=tuple(reports.values()),
        outcomes=outcomes,
        availability=kpis.availability,
        fill_rate=kpis.fill_rate,
        availability_targets_met=_targets_met(parts_problem, parts_result),
        self_assessment=loaded.self_assessment,
        cost=kpis.cost,
        revenue=kpis.costs.revenue,
        investment=kpis.investment,
    )
    cards = [card for report in reports.values() for card in report.scorecards]
    cards.extend(host.scenario_scorecards(facts))
    marks.append(("end", time.perf_counter()))
    timings = {name: marks[k + 1][1] - start for k, (name, start) in enumerate(marks[:-1])}
    notify("Done", 1.0)
    return ScenarioResult(
        scenario=sc,
        source=loaded.source,
        plans=tuple(reports.values()),
        kpis=kpis,
        regions=tuple(region_rows),
        allocations={r: e.model_dump(mode="json") for r, e in evaluations.items()},
        technicians={
            r: {
                "problem": problems[r].model_dump(mode="json", by_alias=True, exclude_none=True),
                "result": results[r].model_dump(mode="json", exclude_none=True),
            }
            for r in region_order
        },
        parts={
            "problem": parts_problem.model_dump(mode="json", exclude_none=True),
            "result": parts_result.model_dump(mode="json", exclude_none=True),
        },
        network={r: _geography(loaded.regions.region(r), evaluations[r]) for r in region_order},
        check=tuple(check),
        simulation={
            "replications": sim.replications,
            "years": sim.years,
            "seed": sc.simulation.seed,
            "hold": simulate_hold,
            "events": sim.events,
            "seconds": sim.seconds,
            "outcomes": outcomes.model_dump(mode="json"),
            "regions": {
                r.region: {
                    "calls": r.calls.mean,
                    "coverage": [r.coverage.mean, r.coverage.lo, r.coverage.hi],
                    "dispatch_level": [
                        r.dispatch_level.mean,
                        r.dispatch_level.lo,
                        r.dispatch_level.hi,
                    ],
                    "within_24h": r.within_24h.mean,
                    "first_visit_fix": r.first_visit_fix.mean,
                    "mean_onsite_hours": r.mean_onsite_hours.mean,
                }
                for r in sim.regions
            },
        },
        scorecards=tuple(cards),
        timings=timings,
        problems=tuple(host.problems),
    )


def _geography(region: Any, evaluation: Any) -> dict[str, Any]:
    """The region's sites and candidate stations on their coordinates, as the plan serves them."""
    served = {s.site: s for s in evaluation.sites}
    loads = {s.station: s for s in evaluation.stations}
    sites = []
    for site in region.sites:
        service = served.get(site.id)
        sites.append(
            {
                "id": site.id,
                "city": site.city,
                "lat": site.lat,
                "lon": site.lon,
                "station": service.station if service else None,
                "travel_hours": service.travel_hours if service else None,
                "within_promise": service.within_promise if service else None,
                "emergency_calls": service.emergency_calls if service else 0.0,
            }
        )
    stations = []
    for station in region.stations:
        load = loads.get(station.id)
        stations.append(
            {
                "id": station.id,
                "city": station.city,
                "lat": station.lat,
                "lon": station.lon,
                "open": load is not None,
                "technicians": load.technicians if load else 0,
                "on_duty": (load.on_duty or 0) if load else 0,
                "utilisation": load.utilisation if load else None,
                "dispatch_level": load.dispatch_level if load else None,
            }
        )
    return {"sites": sites, "stations": stations}


# ---------------------------------------------------------------------------- predictions


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


def _targets_met(problem: SparesProblem, result: SparesResult) -> bool:
    target = problem.objective.target_availability
    if target is None or not result.availability:
        return result.status != Status.INFEASIBLE
    wanted = target if isinstance(target, dict) else dict.fromkeys(result.availability, target)
    return all(result.availability.get(d, 0.0) >= a - 1e-9 for d, a in wanted.items())


def _region_depots(
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


def _weighted(values: Sequence[tuple[float, float]]) -> float | None:
    weight = sum(w for _, w in values)
    return sum(v * w for v, w in values) / weight if weight > 0 else None


def dispatch_prediction(problem: TechniciansProblem, evaluation: Any) -> float | None:
    """The call-weighted Erlang C level P(wait <= dispatch time) of a region's stations."""
    rows = [
        (s.dispatch_level, s.emergency_calls)
        for s in evaluation.stations
        if s.dispatch_level is not None and s.emergency_calls > 0
    ]
    return _weighted(rows)


def plan_hold_hours(problem: TechniciansProblem, evaluation: Any) -> float:
    """Mean hours a call holds a technician on the plan's own round trips: the repair plus
    twice the call-weighted travel from the station serving each site."""
    calls = sum(s.emergency_calls for s in evaluation.sites)
    if calls <= 0:
        return problem.emergency.job_hours
    travel = sum(s.emergency_calls * s.travel_hours for s in evaluation.sites) / calls
    return problem.emergency.job_hours + 2.0 * travel


def _region_outcomes(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    problems: Mapping[str, TechniciansProblem],
    results: Mapping[str, TechniciansResult],
    evaluations: Mapping[str, Any],
    parts_problem: SparesProblem,
    pred: PartsPrediction,
    portfolio: bool,
) -> list[RegionOutcome]:
    dj = {d: j for j, d in enumerate(pred.depots)}
    costs = {p.id: p.unit_cost for p in parts_problem.parts}
    targets = parts_problem.objective.target_availability
    rows = []
    for region_id, problem in problems.items():
        region = loaded.regions.region(region_id)
        evaluation = evaluations[region_id]
        depots = _region_depots(loaded, reports, region_id, portfolio)
        avail = _weighted(
            [(pred.availability[d], n) for _, d, n in depots if d in pred.availability]
        )
        wanted = [
            ((targets.get(d) if isinstance(targets, dict) else targets), n)
            for _, d, n in depots
            if targets is not None
        ]
        wanted = [(a, n) for a, n in wanted if a is not None]
        fill = _weighted(
            [(pred.depot_fill_rate(dj[d]), pred.demand[:, dj[d]].sum()) for _, d, _ in depots]
        )
        columns = [dj[d] for _, d, _ in depots]
        units = int(pred.stock[:, columns].sum())
        value = float(
            sum(
                costs[pred.parts[i]] * pred.stock[i, j]
                for j in columns
                for i in np.flatnonzero(pred.stock[:, j])
            )
        )
        result = results[region_id]
        rows.append(
            RegionOutcome(
                region=region_id,
                name=region.name,
                market_class=region.market_class,
                products=tuple(p for p, _, _ in depots),
                installed_base=sum(n for _, _, n in depots),
                status=str(result.status),
                gap=result.gap,
                cost=evaluation.cost,
                technicians=int(evaluation.technicians or 0),
                stations=tuple(s.station for s in evaluation.stations),
                onsite_hours=problem.emergency.onsite_hours,
                coverage_target=problem.emergency.coverage_target,
                coverage=evaluation.coverage,
                dispatch_level=dispatch_prediction(problem, evaluation),
                availability_target=_weighted(wanted),
                availability=avail,
                fill_rate=fill,
                stock_units=units,
                investment=value,
                emergency_calls=evaluation.emergency_calls,
            )
        )
    return rows


def _kpis(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    evaluations: Mapping[str, Any],
    parts_result: SparesResult,
    pred: PartsPrediction,
    rows: Sequence[RegionOutcome],
) -> Kpis:
    stations = sum(e.fixed_cost or 0.0 for e in evaluations.values())
    technicians = sum(e.technician_cost or 0.0 for e in evaluations.values())
    travel = sum(e.travel_cost or 0.0 for e in evaluations.values())
    holding = loaded.strategy.parts_holding_rate * parts_result.investment
    warranty = revenue = plan_cost = labour = 0.0
    for report in reports.values():
        money = report.economics
        warranty += money.warranty_cost
        revenue += money.revenue
        plan_cost += money.cost
        for rp in report.regions:
            terms = loaded.regions.region(rp.plan.region).technician
            rate = terms.annual_cost / terms.productive_hours
            labour += rate * sum(t.annual_labour_hours for t in rp.plan.tiers())
    other = max(0.0, plan_cost - labour)
    total = stations + technicians + travel + holding + other
    calls = sum(e.emergency_calls for e in evaluations.values())
    coverage = (
        sum((e.coverage or 0.0) * e.emergency_calls for e in evaluations.values()) / calls
        if calls
        else 1.0
    )
    dispatch = _weighted(
        [(r.dispatch_level, r.emergency_calls) for r in rows if r.dispatch_level is not None]
    )
    machines = [(r.availability, r.installed_base) for r in rows if r.availability is not None]
    total_demand = pred.demand.sum()
    fill = float((pred.demand * pred.fill_rate).sum() / total_demand) if total_demand else 1.0
    share = lambda x: min(1.0, max(0.0, x))  # sums of shares may round past 1
    return Kpis(
        cost=total,
        costs=CostBreakdown(
            stations=stations,
            technicians=technicians,
            travel=travel,
            parts_holding=holding,
            warranty=warranty,
            service_other=other,
            total=total,
            parts_investment=parts_result.investment,
            revenue=revenue,
            margin=revenue - total,
        ),
        coverage=share(coverage),
        dispatch_level=share(dispatch if dispatch is not None else 1.0),
        fill_rate=share(fill),
        availability=share(_weighted(machines) or 1.0),
        technicians=sum(r.technicians for r in rows),
        stations=sum(len(r.stations) for r in rows),
        stock_units=int(pred.stock.sum() + (pred.central.sum() if pred.central is not None else 0)),
        investment=parts_result.investment,
    )


def _outcomes(sim: Any) -> CallOutcomes:
    rows = [(r, r.calls.mean) for r in sim.regions]
    calls = sum(w for _, w in rows)

    def mean(name: str) -> float:
        if calls <= 0:
            return 1.0
        return min(1.0, max(0.0, sum(getattr(r, name).mean * w for r, w in rows) / calls))

    return CallOutcomes(
        calls=calls,
        within_promise=mean("coverage"),
        within_24h=mean("within_24h"),
        first_visit_fix=mean("first_visit_fix"),
        promise_and_fixed=mean("promise_and_fixed"),
        mean_onsite_hours=(
            sum(r.mean_onsite_hours.mean * w for r, w in rows) / calls if calls else 0.0
        ),
    )


#: Why a prediction may differ from the simulation, by KPI (the model's assumption).
ASSUMPTIONS = {
    "coverage": "the coverage model counts the travel time only; the simulation adds the wait "
    "for a free on-duty technician",
    "dispatch_level": "Erlang C holds a technician for an exponential time of the problem's "
    "mean, the repair plus the round trip from the nearest candidate station; the simulation "
    "holds it for the round trip from the station that serves the site plus the repair",
    "fill_rate": "METRIC takes a depot's resupply pipeline as Poisson, with the central "
    "warehouse's mean delay; the simulation ships in order from the central stock",
    "availability": "Sherbrooke's availability spreads backorders over the fleet at random and "
    "uses METRIC's backorders",
    "first_visit_fix": "a call finds its part on hand with the depot's METRIC fill rate",
}


def _row(
    kpi: str,
    region: str,
    predicted: float,
    estimate: Any,
    exact: bool,
) -> CheckRow:
    lo, hi = float(estimate.lo), float(estimate.hi)
    # an interval of zero width (every run the same) still allows rounding
    agrees = lo - 1e-9 <= predicted <= hi + 1e-9
    return CheckRow(
        kpi=kpi,
        region=region,
        predicted=float(predicted),
        simulated=float(estimate.mean),
        ci=(lo, hi),
        agrees=agrees,
        exact=exact,
        note="" if agrees else ASSUMPTIONS.get(kpi, ""),
    )


def check_rows(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    evaluations: Mapping[str, Any],
    problems: Mapping[str, TechniciansProblem],
    network: Any,
    sim: Any,
    pred: PartsPrediction,
    portfolio: bool,
    hold: str = "travel_repair",
) -> list[CheckRow]:
    """Each region's promises, predicted beside simulated with the 95 % interval."""
    dj = {d: j for j, d in enumerate(pred.depots)}
    by_depot = {d.depot: d for d in sim.depots}
    models = {m.region: m for m in network.regions}
    single_echelon = pred.central is None
    exponential = hold == "exponential"
    rows = []
    for estimate in sim.regions:
        region_id = estimate.region
        evaluation = evaluations[region_id]
        problem = problems[region_id]
        if evaluation.coverage is not None and evaluation.emergency_calls > 0:
            rows.append(_row("coverage", region_id, evaluation.coverage, estimate.coverage, False))
        level = dispatch_prediction(problem, evaluation)
        if level is not None:
            row = _row("dispatch_level", region_id, level, estimate.dispatch_level, exponential)
            if not row.agrees and problem.dispatch is not None and not exponential:
                held = plan_hold_hours(problem, evaluation)
                row = row.model_copy(
                    update={
                        "note": f"{row.note} ({problem.dispatch.mean_call_hours:.1f} h in the "
                        f"model, {held:.1f} h on the plan's own round trips)"
                    }
                )
            rows.append(row)
        model = models[region_id]
        if model.call_parts:
            p = np.asarray(model.call_part_probability)
            fr = np.array([pred.fill_rate[i, j] for i, j in model.call_parts])
            fix = 1.0 - p.sum() + float(p @ fr)
            rows.append(
                _row("first_visit_fix", region_id, fix, estimate.first_visit_fix, single_echelon)
            )
        for _, depot, _ in _region_depots(loaded, reports, region_id, portfolio):
            sim_depot = by_depot.get(depot)
            if sim_depot is None:
                continue
            label = region_id if not portfolio else f"{region_id} ({depot.split('/', 1)[1]})"
            j = dj[depot]
            if pred.demand[:, j].sum() > 0:
                rows.append(
                    _row(
                        "fill_rate",
                        label,
                        pred.depot_fill_rate(j),
                        sim_depot.fill_rate,
                        single_echelon,
                    )
                )
            if sim_depot.availability is not None and depot in pred.availability:
                rows.append(
                    _row(
                        "availability",
                        label,
                        pred.availability[depot],
                        sim_depot.availability,
                        False,
                    )
                )
    return rows


__all__ = [
    "ASSUMPTIONS",
    "InfeasibleTarget",
    "LoadedScenario",
    "PartsPrediction",
    "Progress",
    "ScenarioError",
    "bundled_scenarios",
    "check_rows",
    "default_regions",
    "default_strategy",
    "depot_key",
    "dispatch_prediction",
    "load_scenario",
    "part_key",
    "parts_policy",
    "parts_predictions",
    "plan_hold_hours",
    "plan_product",
    "portfolio_spares_problem",
    "product_profile",
    "run",
    "simulation_network",
]
