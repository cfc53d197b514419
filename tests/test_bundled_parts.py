"""The bundled excavator parts plan, checked as a parts manager would check it.

The problem is built from the bundled profiles exactly as ``planner plan excavator
--emit-spares`` builds it (spares/v2: availability targets per depot, floors by
criticality). The plan must be proven optimal, meet every availability target and every
floor by an independent recomputation from the formulas (tests/optimise/spares_reference.py), stock every
machine-stopping (A) part at every depot, and stock no part centrally far beyond its
demand over its lead time.
"""

from __future__ import annotations

import pytest

from planner import actions
from planner.models.status import Status
from planner.optimise.spares import solve_spares
from planner.plugins import load_plugins
from tests.optimise.spares_reference import ref_depots


@pytest.fixture(scope="module")
def solved():
    planned = actions.plan(load_plugins(entry_points=False), "excavator")
    problem = actions.build_spares_problem(planned)
    return planned, problem, solve_spares(problem, time_limit=60)


def stock_of(result):
    out: dict[str, dict[str, int]] = {}
    for line in result.stock:
        out.setdefault(line.part, {})[line.location] = line.quantity
    return out


def test_proven_optimal_with_every_target_and_floor_met(solved):
    _, problem, result = solved
    assert result.status == Status.OPTIMAL
    stock = stock_of(result)
    base = problem.installed_base
    targets = problem.availability_targets()
    availability = dict.fromkeys(targets, 1.0)
    for i, part in enumerate(problem.parts):
        for depot, (_, ebo, fill) in ref_depots(problem, i, stock.get(part.id, {})).items():
            assert fill >= part.min_fill_rate - 1e-9, (part.id, depot, fill)
            if depot in targets and part.essential:
                z = part.quantity_per_machine
                availability[depot] *= (1 - ebo / (base[depot] * z)) ** z
    for depot, target in targets.items():
        assert availability[depot] >= target - 1e-9, depot
        assert result.availability[depot] == pytest.approx(availability[depot], abs=1e-9)


def test_machine_stopping_parts_are_stocked_near_the_machines(solved):
    planned, problem, result = solved
    stock = stock_of(result)
    critical = {p.id for p in planned.product.parts if p.criticality == "A"}
    assert critical >= {"main_pump", "main_control_valve", "swing_motor", "travel_motor"}
    for part in problem.parts:
        if part.id in critical:
            for depot in part.demand:
                assert stock[part.id].get(depot, 0) >= 1, (part.id, depot)


def test_no_part_is_stocked_centrally_far_beyond_its_lead_time_demand(solved):
    _, problem, result = solved
    stock = stock_of(result)
    for part in problem.parts:
        total = sum(part.demand.values())
        lead_demand = total * part.lead_time_days / 365
        central = stock.get(part.id, {}).get("central", 0)
        assert central <= 1.5 * lead_demand + 5, (part.id, central, lead_demand)
