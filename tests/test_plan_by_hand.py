"""The whole chain on a tiny product and two regions, against numbers worked out by hand.

Worked example (region R1: growth market, strategic role core, labour 100 CNY/h):
segments (5 machines at 1 000 m³, 5 at 2 000 m³); breakdowns 2/yr at 1 000 m³
and scale with usage, so calls = 5·2 + 5·4 = 30. Usage-based inspections
(rental share 0.5 ≥ 0.4): L1 every 500 m³ (2 and 4 a year), L2 every 1 000 m³
(1 and 2), L3 every 3 months (4 and 4, offered at depth 3). Only the highest
level due is done: segment 1 does L3 4-2=2, L1 2-1=1, L2 1; segment 2 ties
L1 and L3 at 4, the later-listed L3 is the higher level: L3 0, L1 4-2=2, L2 2.
"""

from __future__ import annotations

import pytest

from planner.demand import demand_of
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.plugins import load_plugins
from planner.scenario import plan_product


@pytest.fixture
def report(tiny_product, tiny_regions, tiny_strategy):
    host = load_plugins(entry_points=False)
    return plan_product(
        host,
        ProductProfile.model_validate(tiny_product),
        RegionSet.model_validate(tiny_regions),
        Strategy.model_validate(tiny_strategy),
    )


def items(tier):
    return {item.id: item for item in tier.items}


def test_region_one_posture(report):
    p = report.regions[0].plan.posture
    assert (p.emergency.reply_hours, p.emergency.onsite_hours, p.emergency.repair_hours) == (
        2,
        8,
        24,
    )
    assert p.emergency.coverage_target == pytest.approx(0.9)
    assert p.emergency.dispatch_service_level == pytest.approx(0.8)
    assert p.emergency.substitute_equipment is True
    assert p.preventive.policy == "usage"
    assert (p.preventive.depth, p.value_added.breadth) == (3, 3)
    assert p.preventive.info_collection_hours == 0.5
    assert p.parts_priority == 2
    assert p.fill_rate_target == pytest.approx(0.93)
    assert p.staffing_emphasis == pytest.approx(1.1)


def test_region_one_emergency(report):
    repair = items(report.regions[0].plan.emergency)["breakdown-repair"]
    assert repair.occurrences_per_year == pytest.approx(30.0)
    # Rates are per machine (both fitted P1 together): P1 0.5/yr × (5·1 + 5·2) = 7.5;
    # P2 0.001/m³ × (5·1000 + 5·2000) = 15; over 30 calls.
    assert {u.part: u.quantity for u in repair.parts} == pytest.approx({"P1": 0.25, "P2": 0.5})
    assert repair.cost_each == pytest.approx(5 * 100 + 0.25 * 100 + 0.5 * 1000)
    assert repair.promised_hours == 8.0


def test_region_one_preventive(report):
    prev = items(report.regions[0].plan.preventive)
    assert prev["inspection-L1"].occurrences_per_year == pytest.approx(5 * 1 + 5 * 2)
    assert prev["inspection-L2"].occurrences_per_year == pytest.approx(5 * 1 + 5 * 2)
    assert prev["inspection-L3"].occurrences_per_year == pytest.approx(5 * 2 + 5 * 0)
    assert prev["inspection-L1"].labour_hours == pytest.approx(2.5)  # + 0.5 h information
    assert prev["inspection-L2"].cost_each == pytest.approx(4.5 * 100 + 100)
    # one visit a year per key customer (2 in R1), not per key-account machine (5)
    assert prev["key-account-visit"].occurrences_per_year == pytest.approx(2.0)
    rotation = prev["pipe-rotation"]  # concrete-pump plugin: every 5 000 m³, the crew's work
    assert rotation.occurrences_per_year == pytest.approx(5 * 1000 / 5000 + 5 * 2000 / 5000)
    assert rotation.own_visit is False
    assert rotation.performer == "operator" and rotation.annual_labour_hours == 0.0


def test_region_one_value_added(report):
    va = items(report.regions[0].plan.value_added)
    assert va["offer-training"].occurrences_per_year == pytest.approx(2.0)
    assert va["offer-training"].cost_each == pytest.approx(8 * 100 + 500)
    assert va["offer-overhaul"].occurrences_per_year == pytest.approx(1.0)


def test_region_one_demand(report):
    d = report.regions[0].demand
    assert d.emergency_calls == pytest.approx(30.0)
    assert d.emergency_hours == pytest.approx(150.0)
    assert d.planned_visits == pytest.approx(15 + 15 + 10 + 2 + 1)
    # the crew's pipe rotations take none of the maker's hours
    assert d.planned_hours == pytest.approx(15 * 2.5 + 15 * 4.5 + 10 * 1.5 + 2 * 2 + 40)
    assert d.remote_hours == pytest.approx(16.0)
    assert d.parts == pytest.approx({"P1": 7.5, "P2": 15.0})
    assert d.planned_parts == pytest.approx({"P1": 15.0})
    site = {s.id: s for s in d.sites}["S-CS"]
    assert site.emergency_calls == pytest.approx(22.5)
    assert site.planned_visits == pytest.approx(43 * 0.75)
    assert sum(s.planned_hours for s in d.sites) == pytest.approx(d.planned_hours)
    assert d.depot == "DEP-R1"


def test_remote_region_baseline_and_override(report):
    rp = report.regions[1]
    p = rp.plan.posture
    assert p.emergency.onsite_hours == 72.0  # the region's override wins over the ladder's 48 h
    assert (p.emergency.reply_hours, p.emergency.repair_hours) == (8, 72)
    assert p.emergency.coverage_target == pytest.approx(0.8)
    assert p.emergency.dispatch_service_level == pytest.approx(0.7)
    assert (p.preventive.depth, p.value_added.breadth) == (
        1,
        1,
    )  # remote baseline despite core role
    assert p.preventive.policy == "whichever_first"
    assert p.fill_rate_target == pytest.approx(0.90)
    prev = items(rp.plan.preventive)
    assert "inspection-L3" not in prev and "key-account-visit" not in prev
    # whichever first: L1 max(12/6, 1000/500) = 2, L2 max(1, 1) = 1 → L1 done once, L2 once.
    assert prev["inspection-L1"].occurrences_per_year == pytest.approx(4.0)
    assert prev["inspection-L2"].occurrences_per_year == pytest.approx(4.0)
    assert set(items(rp.plan.value_added)) == {"offer-training"}
    assert items(rp.plan.emergency)["breakdown-repair"].cost_each == pytest.approx(
        5 * 125 + (0.5 * 4 / 8) * 100 + (0.001 * 1000 * 4 / 8) * 1000
    )
    assert rp.demand.planned_visits == pytest.approx(8.0)


def test_demand_rejects_a_plan_of_another_region(report, tiny_regions):
    regions = RegionSet.model_validate(tiny_regions)
    with pytest.raises(ValueError, match="R1"):
        demand_of(report.regions[0].plan, regions.regions[1])


def test_scorecards_added_by_builtin_plugin(report):
    names = {card.name: card for card in report.scorecards}
    assert names["Service budget"].source == "evaluate"
    cost = names["Service budget"].lines[0].value
    assert cost == pytest.approx(
        sum(t.annual_cost for rp in report.regions for t in rp.plan.tiers())
    )
