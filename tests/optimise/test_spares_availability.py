"""Availability objective (spares/v2) against an independent brute-force enumeration.

The reference is written from the formulas of docs ``spares.md`` alone: METRIC depot
pipelines, ``EBO`` and fill rates summed from ``scipy.stats.poisson``, Sherbrooke's
availability over the essential parts with demand, every stock vector up to a bound per
location enumerated (each part's vectors thinned to the non-dominated ones: cheaper, or
better at some depot), and the cheapest combination meeting every depot's target and
every floor taken. No function of the package is used in the reference.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

from planner.models.spares import SparesProblem, SparesResult
from planner.optimise.spares import solve_spares
from tests.optimise.spares_reference import ref_ebo, ref_fill

# ------------------------------------------------------------------ the reference


def ref_targets(data: dict[str, Any]) -> dict[str, float]:
    target = data["objective"]["target_availability"]
    base = data.get("installed_base") or {}
    if isinstance(target, dict):
        return dict(target)
    return {d["id"]: float(target) for d in data["depots"] if base.get(d["id"], 0) > 0}


def ref_part_measures(
    data: dict[str, Any], part: dict[str, Any], stock: dict[str, int]
) -> tuple[dict[str, float], dict[str, float]]:
    """(EBO per depot with demand, fill rate per depot with demand) of one part."""
    demand = {d: m for d, m in part.get("demand", {}).items() if m > 0}
    total = sum(demand.values())
    central = data.get("central")
    e0 = 0.0
    if central is not None and total > 0:
        lead = part.get("lead_time_days", central["lead_time_days"])
        e0 = ref_ebo(stock.get("central", 0), total * lead / 365.0)
    resupply = {d["id"]: d["resupply_days"] for d in data["depots"]}
    ebos, fills = {}, {}
    for depot, m in demand.items():
        mu = m * (resupply[depot] + 365.0 * e0 / total) / 365.0
        s = stock.get(depot, 0)
        ebos[depot] = ref_ebo(s, mu)
        fills[depot] = ref_fill(s, mu)
    return ebos, fills


def ref_factor(ebo_value: float, n: int, z: int) -> float:
    """Sherbrooke's factor (1 - EBO / (N Z))^Z, 0 when EBO >= N Z."""
    if ebo_value >= n * z:
        return 0.0
    return (1.0 - ebo_value / (n * z)) ** z


def ref_availability(data: dict[str, Any], stock: dict[tuple[str, str], int]) -> dict[str, float]:
    """Availability per depot with an installed base, of a whole plan."""
    base = data.get("installed_base") or {}
    out = {d: 1.0 for d, n in base.items() if n > 0}
    for part in data["parts"]:
        mine = {loc: q for (p, loc), q in stock.items() if p == part["id"]}
        ebos, _ = ref_part_measures(data, part, mine)
        if part.get("essential", True) is False:
            continue
        for depot, e in ebos.items():
            if depot in out:
                out[depot] *= ref_factor(e, base[depot], part.get("quantity_per_machine", 1))
    return out


def ref_optimum(data: dict[str, Any], top: int) -> tuple[float, dict[tuple[str, str], int]]:
    """Least investment over every stock of 0..top units per location meeting the
    targets and floors, and one plan attaining it (raises if none is feasible)."""
    targets = ref_targets(data)
    base = data.get("installed_base") or {}
    per_part = []
    for part in data["parts"]:
        demand = [d for d, m in part.get("demand", {}).items() if m > 0]
        locations = (["central"] if data.get("central") is not None else []) + demand
        floor = part.get("min_fill_rate", 0.0)
        z = part.get("quantity_per_machine", 1)
        counted = [d for d in demand if d in targets and part.get("essential", True)]
        options = []
        for qty in itertools.product(range(top + 1), repeat=len(locations)):
            stock = dict(zip(locations, qty, strict=True))
            ebos, fills = ref_part_measures(data, part, stock)
            if any(fills[d] < floor for d in demand):
                continue
            factors = tuple(ref_factor(ebos[d], base[d], z) for d in counted)
            options.append((part["unit_cost"] * sum(qty), factors, stock, counted))
        options.sort(key=lambda o: o[0])
        kept: list[tuple[float, tuple[float, ...], dict[str, int], list[str]]] = []
        for opt in options:
            if not any(k[0] <= opt[0] and all(a >= b for a, b in zip(k[1], opt[1])) for k in kept):
                kept.append(opt)
        assert kept, f"part {part['id']}: no stock up to {top} meets its floor"
        per_part.append(kept)
    best = (math.inf, {})
    for combo in itertools.product(*per_part):
        cost = sum(o[0] for o in combo)
        if cost >= best[0]:
            continue
        avail = {d: 1.0 for d in targets}
        for _, factors, _, counted in combo:
            for d, f in zip(counted, factors, strict=True):
                avail[d] *= f
        if all(avail[d] >= t for d, t in targets.items()):
            plan = {
                (part["id"], loc): q
                for part, (_, _, stock, _) in zip(data["parts"], combo, strict=True)
                for loc, q in stock.items()
                if q > 0
            }
            best = (cost, plan)
    assert math.isfinite(best[0]), "no plan within the enumeration meets the targets"
    return best


# ------------------------------------------------------------------ helpers


def solve(data: dict[str, Any], **kwargs: Any) -> SparesResult:
    return solve_spares(SparesProblem.model_validate(data), **kwargs)


def result_stock(result: SparesResult) -> dict[tuple[str, str], int]:
    return {(line.part, line.location): line.quantity for line in result.stock if line.quantity}


def assert_meets(data: dict[str, Any], result: SparesResult) -> None:
    """Targets met (by the result and by the reference measures) and floors met."""
    stock = result_stock(result)
    assert result.availability is not None
    ref_avail = ref_availability(data, stock)
    for depot, target in ref_targets(data).items():
        assert result.availability[depot] >= target
        assert ref_avail[depot] >= target * (1.0 - 1e-12)
    for part in data["parts"]:
        mine = {loc: q for (p, loc), q in stock.items() if p == part["id"]}
        _, fills = ref_part_measures(data, part, mine)
        for depot, fr in fills.items():
            assert fr >= part.get("min_fill_rate", 0.0) - 1e-12, (part["id"], depot)


def assert_optimal(data: dict[str, Any], top: int = 5) -> SparesResult:
    result = solve(data)
    want, plan = ref_optimum(data, top)
    assert result.status == "optimal"
    assert result.investment == pytest.approx(want, rel=1e-9, abs=1e-9), (plan, result.stock)
    assert_meets(data, result)
    return result


# ------------------------------------------------------------------ problems


def single_echelon() -> dict[str, Any]:
    return {
        "format": "spares/v2",
        "name": "single-echelon",
        "objective": {"target_availability": 0.9},
        "central": None,
        "depots": [{"id": "N", "resupply_days": 20.0}, {"id": "S", "resupply_days": 35.0}],
        "installed_base": {"N": 6, "S": 4},
        "parts": [
            {"id": "pump", "unit_cost": 900.0, "demand": {"N": 9.0, "S": 5.0}},
            {"id": "valve", "unit_cost": 250.0, "demand": {"N": 14.0, "S": 11.0}},
        ],
    }


def two_echelon_floors() -> dict[str, Any]:
    return {
        "format": "spares/v2",
        "name": "two-echelon-floors",
        "objective": {"target_availability": {"E": 0.93, "W": 0.88}},
        "central": {"lead_time_days": 40.0},
        "depots": [{"id": "E", "resupply_days": 6.0}, {"id": "W", "resupply_days": 12.0}],
        "installed_base": {"E": 8, "W": 5},
        "parts": [
            {
                "id": "motor",
                "unit_cost": 1200.0,
                "demand": {"E": 6.0, "W": 3.0},
                "min_fill_rate": 0.5,
            },
            {
                "id": "seal",
                "unit_cost": 90.0,
                "demand": {"E": 20.0, "W": 9.0},
                "lead_time_days": 20.0,
            },
        ],
    }


def three_parts_z() -> dict[str, Any]:
    """Three depots, Z > 1, a non-essential part with a floor, per-part lead times."""
    return {
        "format": "spares/v2",
        "name": "three-parts-z",
        "objective": {"target_availability": 0.85},
        "central": {"lead_time_days": 30.0},
        "depots": [
            {"id": "A", "resupply_days": 5.0},
            {"id": "B", "resupply_days": 9.0},
            {"id": "C", "resupply_days": 15.0},
        ],
        "installed_base": {"A": 3, "B": 2, "C": 0},
        "parts": [
            {
                "id": "track",
                "unit_cost": 400.0,
                "demand": {"A": 10.0, "B": 7.0},
                "quantity_per_machine": 3,
                "lead_time_days": 25.0,
            },
            {
                "id": "sensor",
                "unit_cost": 700.0,
                "demand": {"A": 4.0, "C": 6.0},
                "quantity_per_machine": 2,
                "min_fill_rate": 0.3,
            },
            {
                "id": "filter",
                "unit_cost": 50.0,
                "demand": {"A": 30.0, "B": 12.0, "C": 8.0},
                "essential": False,
                "min_fill_rate": 0.6,
                "lead_time_days": 10.0,
            },
        ],
    }


# ------------------------------------------------------------------ tests


def test_single_echelon_one_target_matches_enumeration() -> None:
    result = assert_optimal(single_echelon(), top=7)
    assert result.bound is None


def test_two_echelon_per_depot_targets_and_floor_match_enumeration() -> None:
    assert_optimal(two_echelon_floors(), top=5)


def test_units_per_machine_and_non_essential_part_match_enumeration() -> None:
    data = three_parts_z()
    result = assert_optimal(data, top=4)
    # the non-essential filter only meets its floor: the least stock that does
    alone = {**data, "parts": [data["parts"][2]], "objective": {"target_availability": {}}}
    cost, _ = ref_optimum({**alone, "installed_base": {"A": 3}}, top=4)
    filter_cost = sum(line.quantity * 50.0 for line in result.stock if line.part == "filter")
    assert filter_cost == pytest.approx(cost)


def test_floor_raises_the_optimum() -> None:
    data = two_echelon_floors()
    without = {**data, "parts": [{**p, "min_fill_rate": 0.0} for p in data["parts"]]}
    with_floor = assert_optimal(data, top=5)
    plain = assert_optimal(without, top=5)
    assert with_floor.investment > plain.investment


@pytest.mark.parametrize("seed", range(6))
def test_seeded_small_problems_match_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_dep = 1 + seed % 3
    depots = [{"id": f"D{j}", "resupply_days": float(rng.integers(3, 30))} for j in range(n_dep)]
    parts = []
    for i in range(2 if n_dep > 1 else 3):
        demand = {d["id"]: round(float(rng.uniform(0.5, 12.0)), 2) for d in depots}
        parts.append(
            {
                "id": f"P{i}",
                "unit_cost": float(rng.integers(1, 40)) * 25.0,
                "demand": demand,
                "quantity_per_machine": int(rng.integers(1, 3)),
                "min_fill_rate": float(rng.choice([0.0, 0.4])),
            }
        )
    data = {
        "format": "spares/v2",
        "name": f"seed-{seed}",
        "objective": {"target_availability": round(float(rng.uniform(0.6, 0.9)), 3)},
        "central": {"lead_time_days": float(rng.integers(10, 60))} if seed % 2 else None,
        "depots": depots,
        "installed_base": {d["id"]: int(rng.integers(2, 8)) for d in depots},
        "parts": parts,
    }
    assert_optimal(data, top=5 if n_dep < 3 else 3)


def test_target_map_leaving_a_depot_out_puts_no_constraint_there() -> None:
    data = two_echelon_floors()
    data["objective"] = {"target_availability": {"E": 0.93}}
    result = assert_optimal(data, top=5)
    both = two_echelon_floors()
    both["objective"] = {"target_availability": {"E": 0.93, "W": 0.93}}
    cost_both, _ = ref_optimum(both, top=5)
    assert result.investment < cost_both
    assert result.availability is not None
    assert result.availability["W"] < 0.93  # W has machines but no target


def test_unreachable_target_is_infeasible_naming_depot_and_best_availability() -> None:
    data = {
        "format": "spares/v2",
        "name": "unreachable",
        "objective": {"target_availability": {"A": 0.9999999999999999}},
        "central": {"lead_time_days": 30.0},
        "depots": [{"id": "A", "resupply_days": 5.0}, {"id": "B", "resupply_days": 5.0}],
        "installed_base": {"A": 1, "B": 1},
        "parts": [
            {
                "id": f"P{i}",
                "unit_cost": 10.0 + i,
                "demand": {"A": 5000.0 * (1 + i / 7), "B": 900.0},
            }
            for i in range(20)
        ],
    }
    result = solve(data)
    assert result.status == "infeasible"
    assert result.reason is not None
    assert "'A'" in result.reason and "'B'" not in result.reason
    assert result.availability is not None
    best = result.availability["A"]
    assert best < 0.9999999999999999
    assert repr(best) in result.reason


def test_deadline_passed_returns_a_plan_meeting_the_targets_with_a_bound() -> None:
    data = three_parts_z()
    result = solve(data, time_limit=0.0)
    assert result.status in ("optimal", "feasible")
    if result.status == "feasible":
        assert result.bound is not None and result.bound <= result.investment
    want, _ = ref_optimum(data, top=4)
    assert result.investment >= want * (1 - 1e-9)
    assert_meets(data, result)
