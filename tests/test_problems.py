"""Plans become optimisation problems: every field traced back to the profiles by hand."""

from __future__ import annotations

import pytest

from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.plugins import load_plugins
from planner.problems import criticality_weights, spares_problem, technicians_problem
from planner.roads import great_circle_km
from planner.scenario import plan_product


@pytest.fixture
def planned(tiny_product, tiny_regions, tiny_strategy):
    product = ProductProfile.model_validate(tiny_product)
    regions = RegionSet.model_validate(tiny_regions)
    strategy = Strategy.model_validate(tiny_strategy)
    report = plan_product(load_plugins(entry_points=False), product, regions, strategy)
    return product, regions, strategy, report


def test_technicians_problem_of_region_one(planned):
    _, regions, _, report = planned
    rp = report.regions[0]
    problem = technicians_problem(rp.plan, rp.demand, regions.regions[0])
    assert problem.service_hours_per_year == 8760.0 and problem.travel_cost_per_hour == 60.0
    assert problem.technician.annual_cost == 160000.0
    assert problem.technician.productive_hours == pytest.approx(1600 / 1.1)  # growth: emphasis 1.1
    assert (problem.emergency.onsite_hours, problem.emergency.coverage_target) == (
        8.0,
        pytest.approx(0.9),
    )
    assert problem.emergency.job_hours == pytest.approx(5.0)
    # Call-weighted nearest travel: Changsha the local leg (75 % of calls), Yueyang
    # 127 km × 1.3 / 60 and its local leg (25 %); the leg is (2/3 × 25 km) × 1.3 / 30 km/h.
    yueyang = great_circle_km(28.23, 112.94, 29.36, 113.13) * 1.3 / 60
    leg = (2 * 25 / 3) * 1.3 / 30
    assert problem.dispatch is not None
    assert problem.dispatch.mean_call_hours == pytest.approx(5.0 + 2 * (leg + 0.25 * yueyang))
    assert (problem.dispatch.within_hours, problem.dispatch.service_level) == (
        2.0,
        pytest.approx(0.8),
    )
    sites = {s.id: s for s in problem.sites}
    assert sites["S-CS"].emergency_calls == pytest.approx(22.5)
    assert sites["S-YY"].planned_visits == pytest.approx(43 * 0.25)
    assert [(s.id, s.fixed_cost, s.max_technicians) for s in problem.stations] == [
        ("D-CS", 300000.0, 10)
    ]
    # every pair of centres and stations within 400 km, and the two local legs
    assert problem.edges is not None and len(problem.edges) == 3 + 2


def test_spares_problem_over_both_regions(planned):
    product, regions, strategy, report = planned
    problem = spares_problem(product, report, regions, strategy)
    assert problem.format == "spares/v2"
    # availability targets from the parts priority: growth R1 0.999 - 0.001, remote R2 - 0.003
    assert problem.objective.target_availability == pytest.approx(
        {"DEP-R1": 0.998, "DEP-R2": 0.996}
    )
    assert problem.installed_base == {"DEP-R1": 10, "DEP-R2": 4}
    assert problem.central is not None and problem.central.lead_time_days == 30.0
    fields = {
        p.id: (p.lead_time_days, p.weight, p.quantity_per_machine, p.essential, p.min_fill_rate)
        for p in problem.parts
    }
    # P1 is a B part (weight 2, floor 0.75), P2 an A part (weight 3, floor 0.85): each part's
    # own lead time and units per machine
    assert fields == {"P1": (10.0, 2.0, 2, True, 0.75), "P2": (60.0, 3.0, 1, True, 0.85)}
    by_fill = spares_problem(product, report, regions, strategy, objective="fill_rate")
    assert by_fill.objective.target_fill_rate == pytest.approx(0.95)
    assert [(d.id, d.resupply_days) for d in problem.depots] == [("DEP-R1", 3.0), ("DEP-R2", 10.0)]
    demand = {p.id: p.demand for p in problem.parts}
    # R1: P1 0.5/yr × 15 machine-usage units = 7.5, P2 0.001 × 15 000 m³ = 15; R2: 4 machines at nominal use.
    assert demand["P1"] == pytest.approx({"DEP-R1": 7.5, "DEP-R2": 2.0})
    assert demand["P2"] == pytest.approx({"DEP-R1": 15.0, "DEP-R2": 4.0})
    budgeted = spares_problem(product, report, regions, strategy, budget=1e5, single_echelon=True)
    assert budgeted.objective.budget == 1e5 and budgeted.central is None
    assert criticality_weights(product) == {"P1": 2.0, "P2": 3.0}


def test_regions_sharing_a_depot_pool_their_demand(tiny_product, tiny_regions, tiny_strategy):
    tiny_regions["regions"][1]["depot"] = dict(tiny_regions["regions"][0]["depot"])
    product = ProductProfile.model_validate(tiny_product)
    regions = RegionSet.model_validate(tiny_regions)
    strategy = Strategy.model_validate(tiny_strategy)
    report = plan_product(load_plugins(entry_points=False), product, regions, strategy)
    problem = spares_problem(product, report, regions, strategy)
    assert [d.id for d in problem.depots] == ["DEP-R1"]
    assert {p.id: p.demand for p in problem.parts}["P1"] == pytest.approx({"DEP-R1": 9.5})
