"""Each rule of the preventive tier and of the plan's economics, against numbers worked by hand.

The product (100 machines, all with one key-account segment of 8 customers at 1 000 h
a year, a core product in a core region: depth 3, whichever-first inspections, 0.5 h
of information collection per visit, labour 100 CNY/h):

- levels A every 250 h (the operator's), B every 500 h and C every 1 000 h (the
  maker's); add-ons U every 1 000 h and N every 3 months (the maker's);
- warranty 24 months with 20 % of the base new each year: W = min(1, 0.2 × 2) = 0.4;
  capture 0.9 inside and 0.5 after warranty: C = 0.4 × 0.9 + 0.6 × 0.5 = 0.66 of the
  machines get the maker's scheduled services, 0.36 / 0.66 of them inside warranty;
- nested levels per machine: A 4 − 2 = 2, B 2 − 1 = 1, C 1; the maker does B and C on
  66 machines: 66 + 66 = 132 level visits a year;
- U falls due 1 × 100 × 0.66 = 66 times: no more than the 132 level visits, so it is
  done on them (no trip); N 4 × 100 × 0.66 = 264 times: more, so each is a trip;
- first service at 250 h: 100 × 0.2 new machines × 0.9 = 18, a trip of its own (the
  250 h level is the operator's), free;
- key accounts: 8 customers × 1 visit.
"""

from __future__ import annotations

import copy

import pytest

from planner.demand import demand_of
from planner.models.profiles import ProductProfile, Region, Strategy
from planner.products import ProductPlugin, plan_context

PRODUCT = {
    "kind": "product",
    "id": "rig",
    "family": "Test",
    "model": "R-1",
    "name": "Test rig",
    "strategic_role": "core",
    "usage_metric": "engine_hours",
    "annual_usage": 1000.0,
    "failures_per_year": 1.0,
    "repair_hours": 4.0,
    "warranty_months": 24,
    "downtime_cost_per_hour": 100.0,
    "new_machine_share": 0.2,
    "capture": {"in_warranty": 0.9, "after_warranty": 0.5},
    "pricing": {"labour_per_hour": 200.0, "parts_markup": 1.5},
    "first_service": {"name": "first 250 h", "at_usage": 250.0, "labour_hours": 3.0},
    "preventive": [
        {
            "id": "A",
            "name": "a",
            "every_usage": 250.0,
            "labour_hours": 1.0,
            "performer": "operator",
        },
        {
            "id": "B",
            "name": "b",
            "every_usage": 500.0,
            "labour_hours": 3.0,
            "parts": [{"part": "F", "quantity": 1.0}],
        },
        {"id": "C", "name": "c", "every_usage": 1000.0, "labour_hours": 5.0},
        {"id": "U", "name": "u", "every_usage": 1000.0, "labour_hours": 2.0, "kind": "add_on"},
        {"id": "N", "name": "n", "every_months": 3.0, "labour_hours": 1.0, "kind": "add_on"},
    ],
    "value_added": [
        {
            "id": "course",
            "name": "course",
            "min_breadth": 1,
            "uptake": 0.1,
            "labour_hours": 10.0,
            "on_site": False,
            "price": 3000.0,
            "cost": 500.0,
        }
    ],
    "parts": [
        {
            "id": "F",
            "name": "filter",
            "quantity_per_machine": 1,
            "failures_per_machine_year": 0.5,
            "unit_cost": 100.0,
            "lead_time_days": 5.0,
            "criticality": "C",
            "supply_share": 0.4,
        },
        {
            "id": "M",
            "name": "motor",
            "quantity_per_machine": 1,
            "failures_per_machine_year": 0.1,
            "unit_cost": 5000.0,
            "lead_time_days": 30.0,
            "criticality": "A",
        },
    ],
}

REGION = {
    "id": "R",
    "name": "R",
    "market_class": "core",
    "installed_base": {"rig": 100},
    "customers": [
        {"segment": "key_account", "share": 1.0, "usage_factor": 1.0, "customers": {"rig": 8}}
    ],
    "sites": [{"id": "S", "city": "X", "lat": 30.0, "lon": 120.0, "share": 1.0}],
    "stations": [
        {"id": "D", "city": "X", "lat": 30.0, "lon": 120.0, "fixed_cost": 0, "max_technicians": 9}
    ],
    "depot": {"id": "DEP", "city": "X", "resupply_days": 3.0},
    "technician": {"annual_cost": 160000.0, "productive_hours": 1600.0},
}

STRATEGY = {
    "kind": "strategy",
    "name": "s",
    "year": 2027,
    "targets": {
        "coverage": 0.9,
        "dispatch_service_level": 0.8,
        "fill_rate": 0.95,
        "satisfaction_by_year": [0.95],
    },
    "budget": {"service": 1e6, "spares": 1e6},
}

CAPTURED = 0.66
IN_WARRANTY = 0.36 / 0.66


def plan_of(product=PRODUCT, region=REGION):
    ctx = plan_context(
        ProductProfile.model_validate(product),
        Region.model_validate(region),
        Strategy.model_validate(STRATEGY),
    )
    return ProductPlugin().build_plan(ctx)


def items(tier):
    return {item.id: item for item in tier.items}


def test_shares_of_the_base_inside_warranty_and_captured():
    product = ProductProfile.model_validate(PRODUCT)
    assert product.warranty_share == pytest.approx(0.4)
    assert product.capture_share == pytest.approx(CAPTURED)


def test_operator_levels_are_listed_but_cost_the_maker_nothing():
    a = items(plan_of().preventive)["inspection-A"]
    assert a.performer == "operator"
    assert a.occurrences_per_year == pytest.approx(200.0)  # (4 - 2) × 100, all machines
    assert (a.annual_cost, a.annual_labour_hours, a.maker_visits) == (0.0, 0.0, 0.0)


def test_maker_levels_are_done_on_the_captured_machines():
    prev = items(plan_of().preventive)
    assert prev["inspection-B"].occurrences_per_year == pytest.approx(66.0)
    assert prev["inspection-C"].occurrences_per_year == pytest.approx(66.0)
    assert prev["inspection-B"].labour_hours == pytest.approx(3.5)  # + 0.5 h information
    assert prev["inspection-B"].warranty_share == pytest.approx(IN_WARRANTY)


def test_an_add_on_never_displaces_a_level():
    """U ties C at once a year; before, the later-listed one replaced C's service."""
    prev = items(plan_of().preventive)
    assert prev["inspection-C"].occurrences_per_year == pytest.approx(66.0)
    assert prev["add-on-U"].occurrences_per_year == pytest.approx(66.0)


def test_an_add_on_rides_on_level_visits_or_takes_its_own_trips():
    prev = items(plan_of().preventive)
    u, n = prev["add-on-U"], prev["add-on-N"]
    assert u.own_visit is False and u.labour_hours == pytest.approx(2.0)  # no information hours
    assert n.own_visit is True and n.labour_hours == pytest.approx(1.5)
    assert n.occurrences_per_year == pytest.approx(264.0)


def test_first_service_is_one_trip_of_its_own_and_free():
    first = items(plan_of().preventive)["first-service"]
    assert first.occurrences_per_year == pytest.approx(18.0)
    assert first.own_visit is True and first.labour_hours == pytest.approx(3.5)
    assert first.warranty_share == 1.0 and first.annual_revenue == 0.0


def test_first_service_rides_on_a_maker_level_due_at_the_same_usage():
    product = copy.deepcopy(PRODUCT)
    product["preventive"][0]["performer"] = "maker"  # the 250 h level is now the maker's
    prev = items(plan_of(product).preventive)
    first = prev["first-service"]
    assert first.own_visit is False and first.labour_hours == pytest.approx(3.0)
    assert first.occurrences_per_year == pytest.approx(18.0)  # counted once, no extra trip


def test_key_account_visits_go_by_customer():
    visit = items(plan_of().preventive)["key-account-visit"]
    assert visit.occurrences_per_year == pytest.approx(8.0)  # not 100 key-account machines


def test_key_account_customers_assumed_when_not_given_and_noted():
    region = copy.deepcopy(REGION)
    region["customers"][0]["customers"] = {}
    plan = plan_of(region=region)
    assert items(plan.preventive)["key-account-visit"].occurrences_per_year == pytest.approx(10.0)
    assert any("assumed 10.0" in note for note in plan.notes)


def test_maker_preventive_visits_and_demand():
    plan = plan_of()
    visits = 66 + 66 + 264 + 18 + 8
    assert plan.preventive_visits == pytest.approx(visits)
    assert plan.preventive_visits_per_machine == pytest.approx(visits / 100)
    demand = demand_of(plan, Region.model_validate(REGION))
    assert demand.planned_visits == pytest.approx(visits)
    hours = 66 * 3.5 + 66 * 5.5 + 66 * 2.0 + 264 * 1.5 + 18 * 3.5 + 8 * 2.0
    assert demand.planned_hours == pytest.approx(hours)
    assert demand.remote_hours == pytest.approx(10 * 10.0)  # the course, off site
    # planned parts: only the maker's B services (the operator's A takes none from the maker)
    assert demand.planned_parts == pytest.approx({"F": 66.0})
    # unplanned parts: F 0.5 × 100 × supply share 0.4 = 20; M 0.1 × 100 = 10
    assert demand.parts == pytest.approx({"F": 20.0, "M": 10.0})


def test_economics_of_an_item_and_of_the_tiers():
    plan = plan_of()
    b = items(plan.preventive)["inspection-B"]
    assert b.cost_each == pytest.approx(3.5 * 100 + 100)
    assert b.price_each == pytest.approx(3.5 * 200 + 100 * 1.5)
    # 36 of the 66 inside warranty (free), 30 after: charged
    assert b.annual_warranty_cost == pytest.approx(36 * 450)
    assert b.annual_revenue == pytest.approx(30 * 850)
    repair = items(plan.emergency)["breakdown-repair"]
    # 100 calls, each with 0.2 F and 0.1 M on average
    parts_cost = 0.2 * 100 + 0.1 * 5000
    assert repair.cost_each == pytest.approx(4 * 100 + parts_cost)
    assert repair.price_each == pytest.approx(4 * 200 + 1.5 * parts_cost)
    assert repair.annual_warranty_cost == pytest.approx(40 * repair.cost_each)
    assert repair.annual_revenue == pytest.approx(60 * repair.price_each)
    course = items(plan.value_added)["offer-course"]
    assert course.annual_revenue == pytest.approx(10 * 3000)
    assert course.annual_cost == pytest.approx(10 * (10 * 100 + 500))
    e = plan.economics
    assert e.cost == pytest.approx(sum(t.annual_cost for t in plan.tiers()))
    assert e.margin == pytest.approx(e.revenue - e.cost)
    assert plan.installed_base == 100
