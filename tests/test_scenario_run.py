"""A scenario run end to end: the result's JSON, its KPIs recomputed independently from the
parts it holds, the simulation agreeing with the exact models, and the bundled scenarios
differing."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from planner.models.scenario import ScenarioResult
from planner.models.status import Status
from planner.optimise.metric import availability as sherbrooke
from planner.optimise.metric import ebo
from planner.optimise.queueing import wait_probability
from planner.plugins import load_plugins
from planner.scenario import InfeasibleTarget, bundled_scenarios, load_scenario, run

SMALL = {
    "kind": "scenario",
    "name": "two regions",
    "products": ["excavator", "crawler_crane"],
    "only_regions": ["east", "tibet"],
    "solver": {"technicians_seconds": 20, "spares_seconds": 20},
    "simulation": {"years": 1, "replications": 8, "seed": 7},
}


@pytest.fixture(scope="module")
def host():
    return load_plugins(entry_points=False)


@pytest.fixture(scope="module")
def small(host):
    phases = []
    result = run(
        load_scenario(data=SMALL, source="small.toml", host=host),
        progress=lambda message, share: phases.append((message, share)),
    )
    return result, phases


def test_the_json_has_the_documented_shape(small):
    result, _ = small
    data = json.loads(json.dumps(result.to_jsonable()))
    for name in ("cost", "coverage", "dispatch_level", "fill_rate", "availability"):
        assert isinstance(data["kpis"][name], float)
    for name in ("coverage", "dispatch_level", "fill_rate", "availability"):
        assert 0.0 <= data["kpis"][name] <= 1.0
    assert [r["region"] for r in data["regions"]] == ["east", "tibet"]
    assert data["check"], "no check rows"
    for row in data["check"]:
        assert set(row) >= {"kpi", "region", "predicted", "simulated", "ci", "agrees"}
        lo, hi = row["ci"]
        assert lo <= row["simulated"] <= hi
        assert row["agrees"] == (lo - 1e-9 <= row["predicted"] <= hi + 1e-9)
        assert row["agrees"] or row["note"], "a disagreement without its model assumption"
    kpis = {r["kpi"] for r in data["check"]}
    assert kpis >= {"coverage", "dispatch_level", "fill_rate", "availability", "first_visit_fix"}
    names = {card["name"] for card in data["scorecards"]}
    assert {"Service KPIs", "Complaint handling"} <= names
    assert any("GB/T 27922" in n for n in names)
    assert ScenarioResult.model_validate_json(result.model_dump_json()) == result


def test_progress_reports_every_phase_in_order(small):
    result, phases = small
    shares = [share for _, share in phases]
    assert shares == sorted(shares) and shares[0] == 0.0 and shares[-1] == 1.0
    assert list(result.timings) == ["plans", "stations", "parts", "simulation", "scorecards"]
    assert all(seconds >= 0 for seconds in result.timings.values())


def test_costs_add_up_from_the_allocations_and_the_stock(small, host):
    result, _ = small
    costs = result.kpis.costs
    allocations = result.allocations.values()
    assert costs.stations == pytest.approx(sum(a["fixed_cost"] for a in allocations))
    assert costs.technicians == pytest.approx(sum(a["technician_cost"] for a in allocations))
    assert costs.travel == pytest.approx(sum(a["travel_cost"] for a in allocations))
    problem = result.parts["problem"]
    unit = {p["id"]: p["unit_cost"] for p in problem["parts"]}
    investment = sum(unit[s["part"]] * s["quantity"] for s in result.parts["result"]["stock"])
    assert costs.parts_investment == pytest.approx(investment)
    loaded = load_scenario(data=SMALL, source="small.toml", host=host)
    assert costs.parts_holding == pytest.approx(loaded.strategy.parts_holding_rate * investment)
    parts = [
        costs.stations,
        costs.technicians,
        costs.travel,
        costs.parts_holding,
        costs.service_other,
    ]
    assert costs.total == pytest.approx(sum(parts)) and result.kpis.cost == costs.total
    assert costs.revenue == pytest.approx(sum(r.economics.revenue for r in result.plans))
    assert costs.margin == pytest.approx(costs.revenue - costs.total)
    technicians = sum(
        s["technicians"] for r in result.technicians.values() for s in r["result"]["stations"]
    )
    assert result.kpis.technicians == technicians == sum(r.technicians for r in result.regions)


def test_the_pooled_network_serves_every_products_calls(small):
    result, _ = small
    for region in result.regions:
        problem = result.technicians[region.region]["problem"]
        calls = sum(s["emergency_calls"] for s in problem["sites"])
        planned = sum(
            rp.demand.emergency_calls
            for report in result.plans
            for rp in report.regions
            if rp.plan.region == region.region
        )
        assert calls == pytest.approx(planned)
        assert set(region.products) == {"excavator", "crawler_crane"}


def test_predictions_recomputed_from_the_problems_and_the_stock(small):
    """Coverage, Erlang C and METRIC availability, each from the result's own problem data."""
    result, _ = small
    for region in result.regions:
        problem = result.technicians[region.region]["problem"]
        allocation = result.allocations[region.region]
        onsite = problem["emergency"]["onsite_hours"]
        calls = sum(s["emergency_calls"] for s in allocation["sites"])
        within = sum(
            s["emergency_calls"] for s in allocation["sites"] if s["travel_hours"] <= onsite
        )
        assert region.coverage == pytest.approx(within / calls)
        # Erlang C per station, weighted by its calls
        dispatch = problem["dispatch"]
        rows = []
        for station in allocation["stations"]:
            if station["emergency_calls"] <= 0:
                continue
            rate = station["emergency_calls"] / problem["service_hours_per_year"]
            level = wait_probability(
                station["on_duty"], rate, dispatch["mean_call_hours"], dispatch["within_hours"]
            )
            rows.append((level, station["emergency_calls"]))
        expected = sum(v * w for v, w in rows) / sum(w for _, w in rows)
        assert region.dispatch_level == pytest.approx(expected)
    # METRIC availability per depot from the stock, by the spares/v2 definitions
    problem = result.parts["problem"]
    stock = result.parts["result"]["stock"]
    held = {(s["part"], s["location"]): s["quantity"] for s in stock}
    lead_default = problem["central"]["lead_time_days"]
    for depot in problem["depots"]:
        d = depot["id"]
        n = problem["installed_base"].get(d, 0)
        if n == 0:
            continue
        ebos, per_machine = [], []
        for part in problem["parts"]:
            m = part["demand"].get(d, 0.0)
            if m <= 0 or not part.get("essential", True):
                continue
            total = sum(part["demand"].values())
            lead = part.get("lead_time_days", lead_default)
            e0 = float(ebo(held.get((part["id"], "central"), 0), total * lead / 365))
            mu = m * (depot["resupply_days"] + 365 * e0 / total) / 365
            ebos.append(float(ebo(held.get((part["id"], d), 0), mu)))
            per_machine.append(part.get("quantity_per_machine", 1))
        expected = sherbrooke(ebos, n, per_machine)
        assert result.parts["result"]["availability"][d] == pytest.approx(expected, abs=1e-9)


def test_where_the_model_is_exact_the_simulation_agrees(host):
    """Holding each technician for an exponential time of the dispatch model's mean makes
    every station an M/M/c queue: the simulated dispatch level must match Erlang C. The
    test widens the 95 % interval to 99.9 % (one region missing by chance is no failure)."""
    data = {
        **SMALL,
        "products": ["excavator"],
        "only_regions": ["east", "south", "tibet"],
        "simulation": {"years": 3, "replications": 12, "seed": 11},
    }
    result = run(
        load_scenario(data=data, source="exact.toml", host=host), simulate_hold="exponential"
    )
    rows = [c for c in result.check if c.kpi == "dispatch_level"]
    assert len(rows) == 3 and all(c.exact for c in rows)
    widen = stats.t.ppf(0.9995, 11) / stats.t.ppf(0.975, 11)
    for c in rows:
        half = (c.ci[1] - c.ci[0]) / 2
        assert half < 0.02, f"{c.region}: interval too wide to test anything ({half:.3f})"
        assert abs(c.predicted - c.simulated) <= widen * half + 1e-9, c


def test_an_infeasible_target_says_what_is_reachable(host):
    data = {**SMALL, "targets": {"classes": {"core": {"coverage": 0.99, "onsite_hours": 2.0}}}}
    with pytest.raises(InfeasibleTarget) as caught:
        run(load_scenario(data=data, source="tight.toml", host=host))
    message = str(caught.value)
    assert message.startswith("tight.toml: targets.classes.core: region east")
    assert "the largest coverage any plan reaches within 2 h is" in message


@pytest.mark.slow
def test_the_bundled_single_product_scenarios_differ(host):
    results = {}
    for entry in bundled_scenarios():
        loaded = load_scenario(entry["path"], host=host)
        if len(loaded.scenario.products) != 1:
            continue
        # fewer replications: the KPIs compared here are the optimisers', not simulated
        quick = loaded.scenario.model_copy(
            update={"simulation": loaded.scenario.simulation.model_copy(update={"replications": 2})}
        )
        results[entry["name"]] = run(
            type(loaded)(
                quick,
                loaded.source,
                loaded.products,
                loaded.regions,
                loaded.strategy,
                loaded.self_assessment,
                host,
            )
        )
    assert len(results) >= 3
    today = results["Excavators: today's network"]
    lean = results["Excavators: cost-cutting plan"]
    five = results["Excavators: five-star plan"]
    for r in results.values():
        assert r.parts["result"]["status"] == Status.OPTIMAL
        assert all(t["result"]["status"] == Status.OPTIMAL for t in r.technicians.values())
    assert lean.kpis.cost < today.kpis.cost < five.kpis.cost
    assert lean.kpis.investment < today.kpis.investment < five.kpis.investment
    assert lean.kpis.dispatch_level < today.kpis.dispatch_level < five.kpis.dispatch_level
    assert lean.kpis.availability < today.kpis.availability < five.kpis.availability
    assert not math.isclose(lean.kpis.technicians, five.kpis.technicians)
    assert np.isfinite([r.kpis.cost for r in results.values()]).all()
