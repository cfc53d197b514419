"""Lazily built central-stock tables (big two-echelon parts) against the full tables.

The full tables enumerate every central stock and split the depot units by DP; they
are the previous exact implementation (checked against enumeration and a whole-problem
MILP in ``test_spares_optimise.py``). Forcing the lazy path on every part
(``SparesSettings(adapt_cells=0)``, few first central stocks) must give the same optimum.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from planner.models.spares import SparesProblem
from planner.optimise.spares import SparesSettings, solve_spares
from tests.optimise.test_spares_optimise import (
    brute_force,
    check_result,
    objective_of,
    random_problem,
)


def _lazy(first: int = 3, **more: int) -> SparesSettings:
    """Every two-echelon part lazy, ``first`` central stocks evaluated first."""
    return SparesSettings(adapt_cells=0, init_s0=first, **more)


FULL = SparesSettings(adapt_cells=10**18)  # every part fully enumerated


def _fast_movers(rng: np.random.Generator, mode: str, n_parts: int, n_depots: int) -> dict:
    """Two-echelon problem with pipelines well above 1 (fill gains rise then fall)."""
    depots = [{"id": f"D{j}", "resupply_days": float(rng.uniform(2, 15))} for j in range(n_depots)]
    parts = [
        {
            "id": f"P{i}",
            "unit_cost": float(rng.integers(1, 40) * 10),
            "demand": {
                d["id"]: round(float(rng.lognormal(np.log(60.0), 1.2)), 2)
                for d in depots
                if rng.random() < 0.9
            },
        }
        for i in range(n_parts)
    ]
    parts = [p for p in parts if p["demand"]]
    if mode == "fill":
        objective = {"target_fill_rate": round(float(rng.uniform(0.6, 0.97)), 3)}
    else:
        value = sum(p["unit_cost"] * sum(p["demand"].values()) for p in parts) * 0.04
        objective = {"budget": round(value, 2)}
    return {
        "format": "spares/v1",
        "objective": objective,
        "central": {"lead_time_days": float(rng.uniform(10, 60))},
        "depots": depots,
        "parts": parts,
    }


@pytest.mark.parametrize("mode", ["fill", "budget"])
@pytest.mark.parametrize("seed", range(6))
def test_lazy_matches_full_tables_fast_movers(mode: str, seed: int) -> None:
    rng = np.random.default_rng(500 + seed + 50 * (mode == "fill"))
    problem = SparesProblem.model_validate(_fast_movers(rng, mode, int(rng.integers(2, 6)), 4))
    full = solve_spares(problem, settings=FULL)
    lazy = solve_spares(problem, settings=_lazy(first=int(rng.integers(2, 6))))
    assert lazy.status == full.status == "optimal"
    check_result(problem, lazy)
    ref = objective_of(problem, full)
    assert objective_of(problem, lazy) == pytest.approx(ref, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("mode", ["fill", "budget"])
@pytest.mark.parametrize("seed", range(8))
def test_lazy_tiny_instances_against_enumeration(mode: str, seed: int) -> None:
    rng = np.random.default_rng(9000 + seed + 100 * (mode == "fill"))
    problem = random_problem(rng, True, mode, 1 + seed % 2, 2 - seed % 2)
    result = solve_spares(problem, settings=_lazy(first=2))
    best = brute_force(problem, 4)
    if best is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal"
    check_result(problem, result)
    assert objective_of(problem, result) == pytest.approx(best, rel=1e-9, abs=1e-9)


def _bundled_concrete_pump() -> dict:
    """The concrete pump's spares/v2 problem built from the bundled profiles, as `planner
    plan` does (weights, fill-rate floors on the machine-stopping parts, part lead times)."""
    from planner.plugins import load_plugins
    from planner.problems import spares_problem
    from planner.scenario import default_regions, default_strategy, plan_product, product_profile

    host = load_plugins(entry_points=False)
    regions, strategy = default_regions(), default_strategy()
    product = product_profile(host, "concrete_pump")
    report = plan_product(host, product, regions, strategy)
    return json.loads(spares_problem(product, report, regions, strategy).to_json())


def _scaled(factor: float, objective: dict) -> SparesProblem:
    data = _bundled_concrete_pump()
    for part in data["parts"]:
        part["demand"] = {d: round(m * factor, 4) for d, m in part["demand"].items()}
    data["objective"] = objective
    return SparesProblem.model_validate(data)


@pytest.mark.parametrize(
    ("factor", "objective"),
    [
        (0.05, {"target_fill_rate": 0.95}),
        (0.1, {"target_fill_rate": 0.9}),
        (0.05, {"budget": 3_200_000.0}),
        (0.1, {"budget": 4_000_000.0}),
    ],
)
def test_scaled_concrete_pump_lazy_matches_full(factor: float, objective: dict) -> None:
    """The real instance with demand scaled down, so that the full tables stay cheap."""
    problem = _scaled(factor, objective)
    full = solve_spares(problem, settings=FULL)
    lazy = solve_spares(problem, settings=_lazy(first=5))
    assert lazy.status == full.status == "optimal"
    check_result(problem, lazy)
    assert objective_of(problem, lazy) == pytest.approx(objective_of(problem, full), rel=1e-9)


def test_scaled_concrete_pump_budget_below_its_floors() -> None:
    """A budget below the floors' cost: infeasible on both paths, with the same floor
    stock (the lazy tables evaluate the central stocks of the cheapest floor stock)."""
    problem = _scaled(0.05, {"budget": 400_000.0})
    full = solve_spares(problem, settings=FULL)
    lazy = solve_spares(problem, settings=_lazy(first=5))
    assert lazy.status == full.status == "infeasible"
    assert lazy.reason == full.reason and "fill-rate floors alone cost" in (lazy.reason or "")
    assert lazy.stock == full.stock and lazy.investment > 400_000.0
    check_result(problem, lazy)


def test_full_size_concrete_pump_is_proven_and_meets_its_target() -> None:
    """Full size (fill 0.95, fast movers, floors and weights): proven optimal, target met.

    The full tables of the fill-rate objective take about 20 s at full size (the depot
    DP at every central stock), too long for the suite; a budget's take one second, so
    there the lazy path is compared with them.
    """
    data = _bundled_concrete_pump()
    problem = SparesProblem.model_validate({**data, "objective": {"target_fill_rate": 0.95}})
    result = solve_spares(problem)
    assert result.status == "optimal"
    check_result(problem, result)
    budget = SparesProblem.model_validate({**data, "objective": {"budget": 12_000_000.0}})
    lazy = solve_spares(budget, settings=_lazy(first=3))
    full = solve_spares(budget, settings=FULL)
    assert lazy.status == full.status == "optimal"
    check_result(budget, lazy)
    assert objective_of(budget, lazy) == pytest.approx(objective_of(budget, full), rel=1e-9)


@pytest.mark.parametrize("mode", ["fill", "budget"])
def test_lazy_memory_cap_returns_plan_with_valid_bound(mode: str) -> None:
    """Out of its cell budget the lazy path stops with a feasible plan and a true bound."""
    rng = np.random.default_rng(77 + (mode == "fill"))
    problem = SparesProblem.model_validate(_fast_movers(rng, mode, 4, 4))
    best = objective_of(problem, solve_spares(problem, settings=FULL))
    result = solve_spares(problem, settings=_lazy(first=2, max_lazy_cells=1))
    check_result(problem, result)
    assert objective_of(problem, result) >= best - 1e-9 * abs(best)
    if result.status == "feasible":
        assert result.bound is not None
        assert result.bound <= best + 1e-9 * abs(best)
    else:
        assert result.status == "optimal"
        assert objective_of(problem, result) == pytest.approx(best, rel=1e-9)
