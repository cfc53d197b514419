"""spares/v2 budget and fill-rate objectives (weights, fill-rate floors, per-part lead
times) against an independent brute force.

The reference never calls the optimiser's code: it evaluates every stock vector in a
box from the formulas of the format description (METRIC, ``scipy.stats.poisson``),
keeps those that meet every floor, and combines the parts exhaustively. The solver's
plan must lie in the box (so the box's best is the optimum) and match it to 1e-9.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.models.spares import SparesProblem, SparesResult
from planner.optimise.metric import poisson_upper
from planner.optimise.spares import SparesSettings, greedy_spares, solve_spares, spares_frontier
from planner.optimise.spares.tables import floor_stock
from tests.optimise.spares_reference import ref_depots, ref_ebo, ref_fill

LAZY = SparesSettings(adapt_cells=0, init_s0=2)  # every two-echelon part lazy
FULL = SparesSettings(adapt_cells=10**18)  # every part fully enumerated

# ------------------------------------------------------------------ the reference


def part_measures(
    problem: SparesProblem, part_index: int, stock: dict[str, int]
) -> tuple[list[float], list[float], list[float]]:
    """Per depot with demand: (EBO, m * FR, FR) of one part under METRIC (spares.md)."""
    rows = ref_depots(problem, part_index, stock).values()
    return [e for _, e, _ in rows], [m * f for m, _, f in rows], [f for _, _, f in rows]


def weight_of(problem: SparesProblem, i: int) -> float:
    w = problem.parts[i].weight
    return 1.0 if w is None else w


def meets_floor(problem: SparesProblem, i: int, rates: list[float]) -> bool:
    floor = problem.parts[i].min_fill_rate or 0.0
    return all(r >= floor for r in rates)


def stock_of(result: SparesResult) -> dict[str, dict[str, int]]:
    stock: dict[str, dict[str, int]] = {}
    for line in result.stock:
        stock.setdefault(line.part, {})[line.location] = line.quantity
    return stock


def evaluate(problem: SparesProblem, result: SparesResult) -> dict[str, Any]:
    """A result's stock recomputed: weighted and unweighted backorders, investment,
    weighted and unweighted fill rate and whether every floor is met."""
    stock = stock_of(result)
    wbo = bo = inv = wfill = fill = wdem = dem = 0.0
    floors = True
    for i, part in enumerate(problem.parts):
        s = stock.get(part.id, {})
        ebos, fills, rates = part_measures(problem, i, s)
        w = weight_of(problem, i)
        wbo += w * sum(ebos)
        bo += sum(ebos)
        wfill += w * sum(fills)
        fill += sum(fills)
        wdem += w * sum(part.demand.values())
        dem += sum(part.demand.values())
        inv += part.unit_cost * sum(s.values())
        floors &= meets_floor(problem, i, rates)
    return {
        "weighted_backorders": wbo,
        "backorders": bo,
        "investment": inv,
        "weighted_fill": wfill / wdem if wdem > 0 else 1.0,
        "fill": fill / dem if dem > 0 else 1.0,
        "floors": floors,
    }


def locations(problem: SparesProblem) -> list[str]:
    return (["central"] if problem.central is not None else []) + [d.id for d in problem.depots]


def part_options(problem: SparesProblem, i: int, smax: int) -> list[tuple[float, float, float]]:
    """Every (cost, weighted EBO, weighted m * FR) of part i's stock vectors in the box
    that meet its floor, the best quality kept per cost."""
    part = problem.parts[i]
    w = weight_of(problem, i)
    best: dict[float, tuple[float, float, float]] = {}
    for levels in itertools.product(range(smax + 1), repeat=len(locations(problem))):
        stock = dict(zip(locations(problem), levels, strict=True))
        ebos, fills, rates = part_measures(problem, i, stock)
        if not meets_floor(problem, i, rates):
            continue
        option = (part.unit_cost * sum(levels), w * sum(ebos), w * sum(fills))
        old = best.get(option[0])
        if problem.objective.budget is not None:
            if old is None or option[1] < old[1]:
                best[option[0]] = option
        elif old is None or option[2] > old[2]:
            best[option[0]] = option
    return list(best.values())


def brute_force(problem: SparesProblem, smax: int) -> float | None:
    """The best objective over the box: least weighted backorders within the budget, or
    least investment reaching the weighted fill rate; None when nothing in the box is
    feasible."""
    options = [part_options(problem, i, smax) for i in range(len(problem.parts))]
    wdem = sum(weight_of(problem, i) * sum(p.demand.values()) for i, p in enumerate(problem.parts))
    budget = problem.objective.budget
    target = problem.objective.target_fill_rate
    best = None
    for combo in itertools.product(*options):
        cost = sum(o[0] for o in combo)
        if budget is not None:
            if cost <= budget * (1 + 1e-9):
                value = sum(o[1] for o in combo)
                best = value if best is None else min(best, value)
        else:
            assert target is not None
            if sum(o[2] for o in combo) >= target * wdem:
                best = cost if best is None else min(best, cost)
    return best


def floor_cost(problem: SparesProblem, smax: int) -> float:
    """The least investment that meets every floor (the box's cheapest options)."""
    return sum(min(o[0] for o in part_options(problem, i, smax)) for i in range(len(problem.parts)))


def in_box(result: SparesResult, smax: int) -> bool:
    return all(line.quantity <= smax for line in result.stock)


# -------------------------------------------------------------- random problems


def random_v2(
    rng: np.random.Generator, central: bool, objective: dict[str, float], n_parts: int
) -> SparesProblem:
    """Slow movers (pipelines below about 1) with weights, floors and own lead times."""
    n_depots = 2 if not central or n_parts <= 2 else 1
    depots = [{"id": f"D{j}", "resupply_days": float(rng.uniform(10, 90))} for j in range(n_depots)]
    parts = []
    for i in range(n_parts):
        part: dict[str, Any] = {
            "id": f"P{i}",
            "unit_cost": float(rng.integers(1, 6) * 10),
            "demand": {d["id"]: round(float(rng.uniform(0.3, 3.0)), 3) for d in depots},
            "weight": float(rng.choice([0.5, 1.0, 2.0, 5.0])),
        }
        if rng.random() < 0.7:
            part["min_fill_rate"] = round(float(rng.uniform(0.3, 0.9)), 3)
        if central and rng.random() < 0.6:
            part["lead_time_days"] = float(rng.uniform(5, 120))
        parts.append(part)
    return SparesProblem.model_validate(
        {
            "format": "spares/v2",
            "objective": objective,
            "central": {"lead_time_days": float(rng.uniform(20, 90))} if central else None,
            "depots": depots,
            "parts": parts,
        }
    )


def with_objective(problem: SparesProblem, **objective: float) -> SparesProblem:
    return SparesProblem.model_validate(
        {**problem.model_dump(mode="json", exclude_none=True), "objective": objective}
    )


def box(central: bool) -> int:
    return 4 if central else 6


def check_optimal(problem: SparesProblem, result: SparesResult, best: float | None) -> None:
    """Optimal, in the box, every floor met, the objective equal to the box's best."""
    smax = box(problem.central is not None)
    assert best is not None
    assert result.status == "optimal"
    assert in_box(result, smax), "the plan left the enumerated box: widen it"
    got = evaluate(problem, result)
    assert got["floors"]
    assert result.backorders == pytest.approx(got["backorders"], rel=1e-9, abs=1e-12)
    assert result.weighted_backorders == pytest.approx(
        got["weighted_backorders"], rel=1e-9, abs=1e-12
    )
    assert result.fill_rate == pytest.approx(got["fill"], rel=1e-9, abs=1e-12)
    assert result.investment == pytest.approx(got["investment"], rel=1e-12)
    if problem.objective.budget is not None:
        assert got["investment"] <= problem.objective.budget * (1 + 1e-9)
        assert got["weighted_backorders"] == pytest.approx(best, rel=1e-9, abs=1e-12)
    else:
        assert problem.objective.target_fill_rate is not None
        assert got["weighted_fill"] >= problem.objective.target_fill_rate
        assert got["investment"] == pytest.approx(best, rel=1e-9)


# ------------------------------------------------------------------- the tests


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
@pytest.mark.parametrize("seed", range(8))
def test_budget_with_weights_and_floors_against_enumeration(central: bool, seed: int) -> None:
    rng = np.random.default_rng(70_000 + 31 * seed + central)
    n_parts = int(rng.integers(2, 4)) if not central else int(rng.integers(1, 4))
    problem = random_v2(rng, central, {"budget": 0.0}, n_parts)
    smax = box(central)
    extra = float(rng.integers(0, 8) * 10)
    problem = with_objective(problem, budget=floor_cost(problem, smax) + extra)
    best = brute_force(problem, smax)
    check_optimal(problem, solve_spares(problem), best)
    if central:
        check_optimal(problem, solve_spares(problem, settings=LAZY), best)


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
@pytest.mark.parametrize("seed", range(8))
def test_fill_rate_with_weights_and_floors_against_enumeration(central: bool, seed: int) -> None:
    rng = np.random.default_rng(80_000 + 37 * seed + central)
    n_parts = int(rng.integers(2, 4)) if not central else int(rng.integers(1, 4))
    target = round(float(rng.uniform(0.5, 0.93)), 3)
    problem = random_v2(rng, central, {"target_fill_rate": target}, n_parts)
    best = brute_force(problem, box(central))
    check_optimal(problem, solve_spares(problem), best)
    if central:
        check_optimal(problem, solve_spares(problem, settings=LAZY), best)


def _two_parts(objective: dict[str, float], central: bool, **second: Any) -> SparesProblem:
    return SparesProblem.model_validate(
        {
            "format": "spares/v2",
            "objective": objective,
            "central": {"lead_time_days": 40.0} if central else None,
            "depots": [{"id": "A", "resupply_days": 20.0}, {"id": "B", "resupply_days": 45.0}],
            "parts": [
                {"id": "P1", "unit_cost": 100.0, "demand": {"A": 2.0, "B": 1.0}},
                {
                    "id": "P2",
                    "unit_cost": 40.0,
                    "demand": {"A": 1.5, "B": 0.5},
                    "min_fill_rate": 0.9,
                    "lead_time_days": 70.0,
                    **second,
                },
            ],
        }
    )


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
@pytest.mark.parametrize("tuning", [None, LAZY], ids=["default", "lazy"])
def test_budget_below_the_floor_cost_is_infeasible_with_the_floor_stock(
    central: bool, tuning: SparesSettings | None
) -> None:
    probe = _two_parts({"budget": 0.0}, central)
    cheapest = floor_cost(probe, box(central))
    assert cheapest > 0
    short = with_objective(probe, budget=cheapest - 1.0)
    result = solve_spares(short, settings=tuning)
    assert result.status == "infeasible"
    assert result.reason is not None
    assert "'P2'" in result.reason and ("'A'" in result.reason or "'B'" in result.reason)
    assert f"{cheapest:.2f}" in result.reason
    # the result carries the floor stock: the cheapest stock meeting every floor
    got = evaluate(short, result)
    assert got["floors"] and result.stock
    assert got["investment"] == pytest.approx(cheapest)
    assert {line.part for line in result.stock} == {"P2"}
    # with exactly the floor cost the problem is feasible and optimal
    exact = with_objective(probe, budget=cheapest)
    check_optimal(exact, solve_spares(exact, settings=tuning), brute_force(exact, box(central)))


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
def test_greedy_and_frontier_start_at_the_floor_stock(central: bool) -> None:
    problem = _two_parts({"budget": 2000.0}, central)
    cheapest = floor_cost(problem, box(central))
    points = spares_frontier(problem, max_points=10)
    assert len(points) >= 2
    assert points[0].investment == pytest.approx(cheapest)
    assert [p.investment for p in points] == sorted(p.investment for p in points)
    for point in points:
        # every point is optimal for its own investment (and so meets the floors)
        at = with_objective(problem, budget=point.investment)
        solved = solve_spares(at)
        assert evaluate(at, solved)["floors"]
        assert solved.backorders == pytest.approx(point.backorders, abs=1e-9)
    greedy = greedy_spares(problem)
    assert greedy.status == "feasible" and evaluate(problem, greedy)["floors"]
    assert greedy.weighted_backorders is not None and greedy.bound is not None
    assert greedy.bound <= solve_spares(problem).weighted_backorders + 1e-9  # type: ignore[operator]
    short = greedy_spares(with_objective(problem, budget=cheapest - 1.0))
    assert short.status == "infeasible" and short.reason and "'P2'" in short.reason
    alone = spares_frontier(problem, max_points=5, max_investment=cheapest - 1.0)
    assert [p.investment for p in alone] == [pytest.approx(cheapest)]


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
def test_the_largest_floor_is_met(central: bool) -> None:
    """min_fill_rate 0.9999999999999999 (the largest double below 1) is met within the
    Poisson tail: one unit past the tail quantile gives P(X <= q) >= 1 - 1e-16."""
    floor = 0.9999999999999999
    problem = _two_parts({"budget": 1e6}, central, min_fill_rate=floor)
    result = solve_spares(problem)
    assert result.status == "optimal"
    stock = stock_of(result)["P2"]
    _, _, rates = part_measures(problem, 1, stock)
    assert min(rates) >= floor
    # one unit fewer at a depot misses it: the floor, not the budget, set that stock
    for depot in ("A", "B"):
        fewer = dict(stock, **{depot: stock[depot] - 1})
        _, _, rates = part_measures(problem, 1, fewer)
        assert min(rates) < floor


def test_weightless_part_gets_its_floor_and_free_part_its_best() -> None:
    problem = _two_parts({"budget": 1e5}, False, weight=0.0)
    result = solve_spares(problem)
    assert result.status == "optimal"
    stock = stock_of(result)["P2"]
    mu = {"A": 1.5 * 20 / 365, "B": 0.5 * 45 / 365}
    for depot, s in stock.items():  # the least stock with P(X <= s - 1) >= 0.9
        assert ref_fill(s, mu[depot]) >= 0.9 > ref_fill(s - 1, mu[depot])
    free = solve_spares(_two_parts({"budget": 0.0}, True, unit_cost=0.0))
    assert free.status == "optimal" and free.investment == 0.0
    assert all(line.part == "P2" for line in free.stock)
    free_problem = _two_parts({"budget": 0.0}, True, unit_cost=0.0)
    ebos, _, rates = part_measures(free_problem, 1, stock_of(free)["P2"])
    # stocked to its best option: more free stock would not lower backorders measurably
    assert sum(ebos) < 1e-13 and min(rates) >= 0.9


@pytest.mark.parametrize("central", [False, True], ids=["single", "two-echelon"])
def test_unreachable_weighted_fill_rate_names_the_best(central: bool) -> None:
    problem = _two_parts({"target_fill_rate": 0.9999999999999999}, central, weight=3.0)
    result = solve_spares(problem)
    assert result.status == "infeasible"
    assert result.reason is not None and "best reachable fill rate" in result.reason
    reached = float(result.reason.split("best reachable fill rate ")[1].split()[0])
    got = evaluate(problem, result)
    assert reached == pytest.approx(got["weighted_fill"], abs=1e-14)
    assert reached < 0.9999999999999999 and got["floors"]


def test_v1_file_read_as_v2_gives_the_same_result() -> None:
    v1 = SparesProblem.model_validate(
        {
            "format": "spares/v1",
            "objective": {"budget": 500.0},
            "central": {"lead_time_days": 40.0},
            "depots": [{"id": "A", "resupply_days": 20.0}, {"id": "B", "resupply_days": 45.0}],
            "parts": [
                {"id": "P1", "unit_cost": 100.0, "demand": {"A": 2.0, "B": 1.0}},
                {"id": "P2", "unit_cost": 40.0, "demand": {"A": 1.5, "B": 0.5}},
            ],
        }
    )
    v2 = SparesProblem.model_validate(
        {**v1.model_dump(mode="json", exclude_none=True), "format": "spares/v2"}
    )
    a, b = solve_spares(v1), solve_spares(v2)
    assert a.stock == b.stock and a.backorders == b.backorders
    assert b.weighted_backorders == b.backorders and a.weighted_backorders is None


def test_weights_change_the_plan() -> None:
    """The same problem with a heavy second part stocks more of it: weights are used."""
    light = _two_parts({"budget": 160.0}, False, min_fill_rate=0.0, weight=0.2)
    heavy = _two_parts({"budget": 160.0}, False, min_fill_rate=0.0, weight=20.0)
    for problem in (light, heavy):
        check_optimal(problem, solve_spares(problem), brute_force(problem, box(False)))
    units = [
        sum(line.quantity for line in solve_spares(p).stock if line.part == "P2")
        for p in (light, heavy)
    ]
    assert units[0] < units[1]


def test_lazy_tables_find_the_cheapest_floor_stock_inside_the_central_range() -> None:
    """Four depots with a 0.9 floor: the cheapest stock meeting it holds a few units
    centrally (not 0, not the most), which the lazy tables' first central stocks miss;
    a budget of exactly its cost must still be feasible and optimal on the lazy path."""
    data = {
        "format": "spares/v2",
        "objective": {"budget": 0.0},
        "central": {"lead_time_days": 120.0},
        "depots": [{"id": f"D{j}", "resupply_days": 5.0} for j in range(4)],
        "parts": [
            {
                "id": "P",
                "unit_cost": 10.0,
                "demand": {f"D{j}": 2.0 for j in range(4)},
                "min_fill_rate": 0.9,
            }
        ],
    }
    probe = SparesProblem.model_validate(data)
    # independently: the least s0 + sum_j s_j over every s0 with each depot at its floor
    cheapest = None
    for s0 in range(60):
        e0 = ref_ebo(s0, 8.0 * 120.0 / 365)
        mu = 2.0 * (5.0 + 365 * e0 / 8.0) / 365
        need = next(s for s in range(100) if ref_fill(s, mu) >= 0.9)
        units = s0 + 4 * need
        if cheapest is None or units < cheapest[0]:
            cheapest = (units, s0)
    assert cheapest is not None and 0 < cheapest[1] < 20
    budget = 10.0 * cheapest[0]
    for tuning in (FULL, LAZY):
        exact = solve_spares(with_objective(probe, budget=budget), settings=tuning)
        assert exact.status == "optimal" and exact.investment == pytest.approx(budget)
        assert stock_of(exact)["P"]["central"] == cheapest[1]
        assert evaluate(probe, exact)["floors"]
        short = solve_spares(with_objective(probe, budget=budget - 1.0), settings=tuning)
        assert short.status == "infeasible" and "'P'" in (short.reason or "")
    more = with_objective(probe, budget=budget + 70.0)
    full, lazy = (solve_spares(more, settings=s) for s in (FULL, LAZY))
    assert lazy.status == full.status == "optimal"
    assert lazy.weighted_backorders == pytest.approx(full.weighted_backorders, rel=1e-9)
    assert evaluate(more, lazy)["floors"]


@pytest.mark.parametrize("mu", [0.0, 1e-9, 0.05, 0.7, 3.0, 40.0, 900.0])
def test_floor_stock_is_the_least_stock_meeting_the_floor(mu: float) -> None:
    floors = np.array([0.0, 0.3, 0.5, 0.8, 0.95, 0.999, 0.9999999999999999])
    cap = int(poisson_upper(mu, 1e-16)) + 1
    got = floor_stock(np.full((len(floors), 2), mu), floors, np.array([[1.0, 0.0]]), cap)
    assert (got[:, 1] == 0).all()  # no demand, no floor
    for f, s in zip(floors, got[:, 0], strict=True):
        expected = next(k for k in range(cap + 1) if ref_fill(k, mu) >= f)
        assert s == expected, (f, s, expected)


@st.composite
def v2_problems(draw: Any) -> SparesProblem:
    """Any small v2 problem: zero resupply times, zero weights, free parts, floors."""
    amount = st.one_of(st.just(0.0), st.floats(1e-6, 50.0))
    n_depots = draw(st.integers(1, 3))
    depots = [{"id": f"D{j}", "resupply_days": draw(amount)} for j in range(n_depots)]
    parts = []
    for i in range(draw(st.integers(1, 4))):
        part: dict[str, Any] = {
            "id": f"P{i}",
            "unit_cost": draw(st.one_of(st.just(0.0), st.floats(1.0, 500.0))),
            "demand": {d["id"]: draw(amount) for d in depots if draw(st.booleans())},
            "weight": draw(st.one_of(st.just(0.0), st.floats(0.1, 10.0))),
            "min_fill_rate": draw(st.one_of(st.just(0.0), st.floats(0.01, 0.999))),
        }
        if draw(st.booleans()):
            part["lead_time_days"] = draw(amount)
        parts.append(part)
    objective = draw(
        st.one_of(
            st.builds(lambda b: {"budget": b}, st.floats(0.0, 5000.0)),
            st.builds(lambda f: {"target_fill_rate": f}, st.floats(0.05, 0.99)),
        )
    )
    central = draw(st.one_of(st.none(), st.builds(lambda t: {"lead_time_days": t}, amount)))
    return SparesProblem.model_validate(
        {
            "format": "spares/v2",
            "objective": objective,
            "central": central,
            "depots": depots,
            "parts": parts,
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_problems())
def test_any_v2_problem_meets_its_floors_on_both_paths(problem: SparesProblem) -> None:
    """Every plan meets every floor and the budget or the weighted target; the lazy
    tables give the full tables' optimum, or the same infeasibility."""
    full = solve_spares(problem, settings=FULL)
    lazy = solve_spares(problem, settings=LAZY)
    assert full.status == lazy.status
    for result in (full, lazy):
        got = evaluate(problem, result)
        assert got["floors"]
        assert result.weighted_backorders == pytest.approx(
            got["weighted_backorders"], rel=1e-9, abs=1e-9
        )
        if result.status == "infeasible":
            assert result.reason
            continue
        assert result.status == "optimal"
        if problem.objective.budget is not None:
            assert got["investment"] <= problem.objective.budget * (1 + 1e-9) + 1e-9
        else:
            assert problem.objective.target_fill_rate is not None
            assert got["weighted_fill"] >= problem.objective.target_fill_rate - 1e-12
    if full.status == "optimal":
        if problem.objective.budget is not None:
            assert lazy.weighted_backorders == pytest.approx(
                full.weighted_backorders, rel=1e-9, abs=1e-12
            )
        else:
            assert lazy.investment == pytest.approx(full.investment, rel=1e-9, abs=1e-9)
    elif problem.objective.budget is not None:
        # the floors alone cost more than the budget: both carry the floor stock
        assert lazy.investment == pytest.approx(full.investment, rel=1e-12)
        assert full.investment > problem.objective.budget
