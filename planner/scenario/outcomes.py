"""A scenario run's results: region outcomes, KPIs, call outcomes and the check rows.

:func:`region_outcomes` gives one :class:`RegionOutcome` per region, :func:`scenario_kpis`
the scenario's :class:`Kpis` (costs by component), :func:`call_outcomes` the simulated
calls' outcomes, and :func:`check_rows` each region's promises, predicted beside simulated
with the 95 % interval (:data:`ASSUMPTIONS` says why a prediction may differ).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from planner.models.report import PlanReport
from planner.models.scenario import CallOutcomes, CheckRow, CostBreakdown, Kpis, RegionOutcome
from planner.models.spares import SparesProblem, SparesResult
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.scenario.files import LoadedScenario
from planner.scenario.predictions import (
    PartsPrediction,
    dispatch_prediction,
    plan_hold_hours,
    region_depots,
    weighted,
)


def region_outcomes(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    problems: Mapping[str, TechniciansProblem],
    results: Mapping[str, TechniciansResult],
    evaluations: Mapping[str, Any],
    parts_problem: SparesProblem,
    pred: PartsPrediction,
    portfolio: bool,
) -> list[RegionOutcome]:
    """One row per region: its stations and technicians, promises, parts and stock."""
    dj = {d: j for j, d in enumerate(pred.depots)}
    costs = {p.id: p.unit_cost for p in parts_problem.parts}
    targets = parts_problem.objective.target_availability
    rows = []
    for region_id, problem in problems.items():
        region = loaded.regions.region(region_id)
        evaluation = evaluations[region_id]
        depots = region_depots(loaded, reports, region_id, portfolio)
        avail = weighted(
            [(pred.availability[d], n) for _, d, n in depots if d in pred.availability]
        )
        wanted = [
            ((targets.get(d) if isinstance(targets, dict) else targets), n)
            for _, d, n in depots
            if targets is not None
        ]
        wanted = [(a, n) for a, n in wanted if a is not None]
        fill = weighted(
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
                availability_target=weighted(wanted),
                availability=avail,
                fill_rate=fill,
                stock_units=units,
                investment=value,
                emergency_calls=evaluation.emergency_calls,
            )
        )
    return rows


def scenario_kpis(
    loaded: LoadedScenario,
    reports: Mapping[str, PlanReport],
    evaluations: Mapping[str, Any],
    parts_result: SparesResult,
    pred: PartsPrediction,
    rows: Sequence[RegionOutcome],
) -> Kpis:
    """The scenario's KPIs: costs by component, coverage, dispatch level, parts figures."""
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
    dispatch = weighted(
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
        availability=share(weighted(machines) or 1.0),
        technicians=sum(r.technicians for r in rows),
        stations=sum(len(r.stations) for r in rows),
        stock_units=int(pred.stock.sum() + (pred.central.sum() if pred.central is not None else 0)),
        investment=parts_result.investment,
    )


def call_outcomes(sim: Any) -> CallOutcomes:
    """The simulated calls' outcomes over every region, weighted by the regions' calls."""
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
        for _, depot, _ in region_depots(loaded, reports, region_id, portfolio):
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
    "call_outcomes",
    "check_rows",
    "region_outcomes",
    "scenario_kpis",
]
