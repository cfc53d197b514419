"""The bundled plans checked as a service manager would check them (../shared/domain, "Plausibility").

In every bundled region of every bundled product: the maker's preventive visits lie
between 0.3 and 6 a machine-year, no item is planned 0 times where there are machines,
the economics add up, and every site of every emitted technicians problem is more than
zero hours from every station.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner import actions
from planner.optimise.network import travel_matrix
from planner.plugins import load_plugins

PRODUCTS = ("concrete_pump", "crawler_crane", "excavator")


@pytest.fixture(scope="module")
def planned():
    host = load_plugins(entry_points=False)
    return {pid: actions.plan(host, pid) for pid in PRODUCTS}


@pytest.mark.parametrize("product", PRODUCTS)
def test_maker_preventive_visits_per_machine_year_are_plausible(planned, product):
    for rp in planned[product].report.regions:
        plan = rp.plan
        assert plan.installed_base > 0
        per_machine = plan.preventive_visits_per_machine
        assert 0.3 <= per_machine <= 6.0, (product, plan.region, per_machine)


@pytest.mark.parametrize("product", PRODUCTS)
def test_no_item_is_planned_zero_times_and_economics_add_up(planned, product):
    for rp in planned[product].report.regions:
        for tier in rp.plan.tiers():
            for item in tier.items:
                assert item.occurrences_per_year > 0, (product, rp.plan.region, item.id)
            e = tier.economics
            assert e.margin == pytest.approx(e.revenue - e.cost)
            assert 0.0 <= e.warranty_cost <= e.cost + 1e-6
        total = rp.plan.economics
        assert total.cost == pytest.approx(sum(t.annual_cost for t in rp.plan.tiers()))
        # some warranty cost and some revenue in every region with machines
        assert total.warranty_cost > 0 and total.revenue > 0


@pytest.mark.parametrize("product", PRODUCTS)
def test_every_emitted_site_is_more_than_zero_hours_away(planned, product):
    for region, problem in actions.build_technicians_problems(planned[product]).items():
        d = travel_matrix(problem)
        reached = np.where(np.isfinite(d), d, math.inf)
        assert (reached.min(axis=0) > 0).all(), region
