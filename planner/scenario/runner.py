"""Run a scenario end to end: plans → stations per region → parts → simulation → scorecards.

:func:`run` plans every product in every region, solves one station problem per region
(every product's calls and visits on the same candidate stations, with pooled
technicians), one parts problem holding every product's parts, simulates the plan's
promises and scores it, giving a :class:`ScenarioResult`. ``progress`` receives each
phase (:data:`PHASES`) as it starts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from planner.models.scenario import ScenarioFacts, ScenarioResult
from planner.models.status import Status
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.plugins import load_plugins
from planner.scenario.files import InfeasibleTarget, LoadedScenario, ScenarioError, load_scenario
from planner.scenario.outcomes import call_outcomes, check_rows, region_outcomes, scenario_kpis
from planner.scenario.parts import parts_policy, portfolio_spares_problem, targets_met
from planner.scenario.predictions import parts_predictions, simulation_network
from planner.scenario.product import plan_product

Progress = Callable[[str, float], None]
"""Receives a phase's description and the share of the run done, in [0, 1]."""

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
    region_rows = region_outcomes(
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
    kpis = scenario_kpis(loaded, reports, evaluations, parts_result, predicted_parts, region_rows)
    outcomes = call_outcomes(sim)
    facts = ScenarioFacts(
        scenario=sc.name,
        strategy=loaded.strategy,
        reports=tuple(reports.values()),
        outcomes=outcomes,
        availability=kpis.availability,
        fill_rate=kpis.fill_rate,
        availability_targets_met=targets_met(parts_problem, parts_result),
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


__all__ = [
    "PHASES",
    "SOLVER_THREADS",
    "Progress",
    "run",
]
