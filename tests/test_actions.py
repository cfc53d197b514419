"""The core's actions: what the command line and the app call, one function per user action."""

from __future__ import annotations

import ast
import logging
import threading
from pathlib import Path

import pytest

from planner import actions
from planner.allocation import allocation_tables
from planner.errors import InputError
from planner.models.spares import SparesProblem
from planner.models.status import Status
from planner.models.technicians import TechniciansProblem
from planner.optimise.network import UnreachableSitesError
from planner.optimise.spares import solve_spares, spares_frontier
from planner.optimise.technicians import (
    NoPlanWithinTimeLimit,
    evaluate,
    solve_technicians,
    technicians_frontier,
)
from planner.plugins import load_plugins
from planner.problems import spares_problem, technicians_problem
from planner.profiles import ProfileError
from planner.scenario import default_regions, default_strategy, plan_product, product_profile
from tests.problems import TECH

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def host():
    return load_plugins()


@pytest.fixture
def problem() -> TechniciansProblem:
    return TechniciansProblem.model_validate(TECH)


# ---------------------------------------------------------------------------- plan, problems


def test_plan_is_the_scenario_chain_with_the_bundled_profiles(host):
    planned = actions.plan(host, "crawler_crane", only=["east", "tibet"])
    regions, strategy = default_regions(), default_strategy()
    product = product_profile(host, "crawler_crane")
    expected = plan_product(host, product, regions, strategy, only=["east", "tibet"])
    assert planned.report == expected
    assert (planned.product, planned.regions, planned.strategy) == (product, regions, strategy)


def test_plan_takes_profile_files_and_names_a_profile_of_another_product(
    host, write_json, tiny_product, tiny_regions, tiny_strategy
):
    product = write_json("p.json", tiny_product)  # a concrete_pump profile
    regions = write_json("r.json", tiny_regions)
    strategy = write_json("s.json", tiny_strategy)
    planned = actions.plan(
        host, "concrete_pump", profile=product, regions=regions, strategy=strategy
    )
    assert [rp.plan.region for rp in planned.report.regions] == ["R1", "R2"]
    assert planned.strategy.name == "tiny strategy"
    with pytest.raises(InputError, match=r"p\.json: id: .*'concrete_pump', not 'excavator'"):
        actions.plan(host, "excavator", profile=product)
    with pytest.raises(InputError, match="unknown region"):
        actions.plan(host, "excavator", only=["atlantis"])


def test_built_problems_are_the_ones_planner_problems_builds(host):
    planned = actions.plan(host, "concrete_pump", only=["east", "tibet", "north"])
    built = actions.build_technicians_problems(planned)
    assert list(built) == ["east", "north", "tibet"]  # the regions profile's order
    for rp in planned.report.regions:
        region = planned.regions.region(rp.plan.region)
        assert built[rp.plan.region] == technicians_problem(rp.plan, rp.demand, region)
    args = (planned.product, planned.report, planned.regions, planned.strategy)
    assert actions.build_spares_problem(planned) == spares_problem(*args)
    assert actions.build_spares_problem(planned, budget=1e6) == spares_problem(*args, budget=1e6)


# ---------------------------------------------------------------------------- files


def test_read_problems_validate_and_name_the_file_and_field(problem):
    assert actions.read_technicians_problem("t.json", problem.to_json()) == problem
    bad = problem.to_json().replace('"coverage_target": 0.5', '"coverage_target": 1.5')
    with pytest.raises(actions.InterchangeError) as caught:
        actions.read_technicians_problem("t.json", bad.encode())
    assert caught.value.problems[0].startswith("t.json: emergency.coverage_target:")
    assert isinstance(caught.value, ProfileError)
    with pytest.raises(actions.InterchangeError, match=r"s\.json: "):
        actions.read_spares_problem("s.json", b"\xff not json")
    spares = SparesProblem.model_validate(
        {
            "format": "spares/v1",
            "name": "tiny",
            "objective": {"budget": 300.0},
            "central": None,
            "depots": [{"id": "E", "resupply_days": 36.5}],
            "parts": [{"id": "P1", "unit_cost": 100.0, "demand": {"E": 10.0}}],
        }
    )
    assert actions.read_spares_problem("s.json", spares.to_json()) == spares


# ---------------------------------------------------------------------------- optimise


def test_the_log_callback_receives_the_solves_phase_messages(problem):
    messages: list[str] = []
    phases = logging.getLogger(actions.PHASE_LOGGER)
    level, handlers = phases.level, list(phases.handlers)
    result = actions.optimise_technicians(problem, time_limit=30, log=messages.append)
    assert result.status == Status.OPTIMAL and result.objective == pytest.approx(1700.0)
    assert "heuristic plan 1700.00 after" in messages[0]
    assert any(m.startswith("LP bound 1700.00") for m in messages)
    # the logger is as it was, and a solve without a callback sends nothing to the last one
    assert (phases.level, phases.handlers) == (level, handlers)
    seen = len(messages)
    actions.optimise_technicians(problem, time_limit=30)
    assert len(messages) == seen


def test_the_log_callback_hears_only_its_own_thread(problem):
    """While one solve logs to its callback, another thread's phase messages stay out."""
    messages: list[str] = []
    waited: list[bool] = []

    def log(message: str) -> None:
        if not messages:  # while the solve runs, another thread reports a phase
            other = threading.Thread(
                target=logging.getLogger(actions.PHASE_LOGGER).info, args=("someone else",)
            )
            other.start()
            other.join(timeout=10)
            waited.append(other.is_alive())  # alive: it waits for this callback to return
        messages.append(message)

    actions.optimise_technicians(problem, time_limit=30, log=log)
    assert waited == [False]
    assert messages and "someone else" not in messages


def test_a_failing_log_callback_does_not_stop_the_solve(problem, monkeypatch):
    monkeypatch.setattr(logging, "raiseExceptions", False)  # the handler's report, silenced

    def broken(message: str) -> None:
        raise OSError("stderr is gone")

    result = actions.optimise_technicians(problem, time_limit=30, log=broken)
    assert result.objective == pytest.approx(1700.0)


def test_optimise_technicians_is_the_solver(problem):
    ours = actions.optimise_technicians(problem, time_limit=30)
    theirs = solve_technicians(problem, time_limit=30)
    assert ours.model_dump(exclude={"solve_seconds"}) == theirs.model_dump(
        exclude={"solve_seconds"}
    )


def test_the_solvers_errors_are_re_exported():
    assert actions.UnreachableSitesError is UnreachableSitesError
    assert actions.NoPlanWithinTimeLimit is NoPlanWithinTimeLimit
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = actions.nothing
    far = dict(
        TECH,
        sites=[
            *TECH["sites"],
            {"id": "FAR", "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0},
        ],
    )
    with pytest.raises(actions.UnreachableSitesError, match="FAR"):
        actions.optimise_technicians(TechniciansProblem.model_validate(far))


def test_sweep_frontier_is_the_solvers_frontier(problem):
    ours = actions.sweep_frontier(problem, (0.0, 0.5, 1.0), (2.0, 5.0), time_limit=30)
    theirs = technicians_frontier(problem, [0.0, 0.5, 1.0], [2.0, 5.0], time_limit=30)
    assert ours == theirs
    assert [p.onsite_hours for p in ours] == [2.0, 2.0, 2.0, 5.0, 5.0, 5.0]
    assert [p.cost for p in ours[:3]] == pytest.approx([1700.0, 1700.0, 2200.0])
    default = actions.sweep_frontier(problem, [0.5])
    assert [p.onsite_hours for p in default] == [2.0]


def test_optimise_spares_adds_evaluation_and_frontier():
    problem = SparesProblem.model_validate(
        {
            "format": "spares/v1",
            "name": "tiny",
            "objective": {"budget": 300.0},
            "central": {"lead_time_days": 30.0},
            "depots": [{"id": "E", "resupply_days": 36.5}],
            "parts": [
                {"id": "P1", "unit_cost": 100.0, "demand": {"E": 10.0}},
                {"id": "P2", "unit_cost": 200.0, "demand": {"E": 5.0}},
            ],
        }
    )
    plain = actions.optimise_spares(problem)
    assert plain == solve_spares(problem)
    assert plain.frontier is None and plain.exact_backorders is None
    full = actions.optimise_spares(problem, evaluate=True, frontier=5)
    assert full.exact_backorders is not None
    assert full.frontier == spares_frontier(problem, max_points=5)


# ---------------------------------------------------------------------------- evaluate


def test_evaluation_and_allocation_are_the_one_evaluation(problem):
    result = actions.optimise_technicians(problem, time_limit=30)
    assert actions.evaluate_technicians(problem, result) == evaluate(problem, result)
    tables = actions.allocation(problem, result)
    assert tables == allocation_tables(problem, result)
    assert tables.summary.annual_cost == pytest.approx(1700.0)
    assert actions.allocation_workbook(tables)[:2] == b"PK"  # a zip: the xlsx container


# ---------------------------------------------------------------------------- the callers


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "app.py",
        *sorted((ROOT / "planner" / "cli").glob("*.py")),
        *sorted((ROOT / "planner" / "ui").glob("*.py")),
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_cli_and_the_app_reach_the_optimisers_only_through_actions(path):
    reached = {
        name
        for name in imported_modules(path)
        if name.startswith(("planner.optimise", "planner.problems"))
    }
    assert not reached, f"{path.name} imports {sorted(reached)}"


def test_the_availability_curve_solves_each_target_from_the_problem(host):
    """Each point is the availability objective solved on its own: the same investment and
    status as solving the problem with that target directly, never cheaper for a higher
    target, and each depot's availability at least the target."""
    profile = product_profile(host, "crawler_crane")
    regions, strategy = default_regions(), default_strategy()
    problem = spares_problem(
        profile, plan_product(host, profile, regions, strategy), regions, strategy
    )
    points = actions.availability_curve(problem, [0.999, 0.99, 0.9995], time_limit=30)
    assert [p.target for p in points] == [0.99, 0.999, 0.9995]
    for point in points:
        asked = problem.model_copy(
            update={
                "objective": problem.objective.model_validate({"target_availability": point.target})
            }
        )
        direct = solve_spares(asked, time_limit=30)
        assert point.status == direct.status == Status.OPTIMAL
        assert point.investment == pytest.approx(direct.investment) == pytest.approx(point.bound)
        assert min(direct.availability.values()) >= point.target - 1e-12
        weights = problem.installed_base
        expected = sum(direct.availability[d] * weights[d] for d in direct.availability) / sum(
            weights[d] for d in direct.availability
        )
        assert point.availability == pytest.approx(expected)
    investments = [p.investment for p in points]
    assert investments == sorted(investments)


def test_machine_weighted_availability_by_hand():
    assert actions.machine_weighted({"a": 0.9, "b": 0.99}, {"a": 1, "b": 3}) == pytest.approx(
        (0.9 + 3 * 0.99) / 4
    )
    assert actions.machine_weighted({"a": 0.9}, {}) is None
