"""`planner optimise …` and `planner plan --emit-…`: files in, files out, exit codes 0 / 2 / 3."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.models.spares import SparesProblem, SparesResult
from planner.models.technicians import TechniciansProblem, TechniciansResult
from tests.problems import TECH

runner = CliRunner()


SPARES = {
    "format": "spares/v1",
    "name": "tiny",
    "objective": {"budget": 300.0},
    "central": None,
    "depots": [{"id": "E", "resupply_days": 36.5}],
    "parts": [
        {"id": "P1", "unit_cost": 100.0, "demand": {"E": 10.0}},
        {"id": "P2", "unit_cost": 200.0, "demand": {"E": 5.0}},
    ],
}


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_technicians_optimal(write_json, tmp_path):
    problem = write_json("t.json", TECH)
    out = tmp_path / "r.json"
    result = invoke(
        "optimise", "technicians", str(problem), "--out", str(out), "--time-limit", "30"
    )
    assert result.exit_code == 0, result.output
    res = TechniciansResult.from_json(out.read_text())
    # Coverage 0.5 within 2 h: one station, one technician; the other town is 3 h away.
    # Cost = 100 + 1000 + 10 × 2 × 3 h × 10 calls = 1700, whichever station opens.
    assert res.status == "optimal"
    assert res.objective == pytest.approx(1700.0)
    assert len(res.stations) == 1 and res.stations[0].technicians == 1
    assert "status: optimal" in result.stdout


def test_technicians_verbose_logs_the_phases_to_stderr(write_json, tmp_path):
    problem = write_json("t.json", TECH)
    out = tmp_path / "r.json"
    quiet = invoke("optimise", "technicians", str(problem), "--out", str(out))
    assert "heuristic plan" not in quiet.stderr
    result = invoke("optimise", "technicians", str(problem), "--out", str(out), "--verbose")
    assert result.exit_code == 0, result.output
    assert "heuristic plan 1700.00" in result.stderr
    assert re.search(r"^ *\d+ ms  heuristic plan 1700\.00 after", result.stderr, re.MULTILINE)
    assert "heuristic plan" not in result.stdout
    assert "status: optimal" in result.stdout


def test_technicians_infeasible_writes_a_reason_and_exits_3(write_json, tmp_path):
    data = dict(TECH, max_open_stations=1, emergency=dict(TECH["emergency"], coverage_target=1.0))
    out = tmp_path / "r.json"
    result = invoke("optimise", "technicians", str(write_json("t.json", data)), "--out", str(out))
    assert result.exit_code == 3
    res = json.loads(out.read_text())
    assert res["status"] == "infeasible" and res["reason"]
    assert "reason:" in result.stdout


def test_technicians_unreachable_site_names_it(write_json, tmp_path):
    data = dict(
        TECH,
        sites=[
            *TECH["sites"],
            {"id": "FAR", "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0},
        ],
    )
    result = invoke(
        "optimise",
        "technicians",
        str(write_json("t.json", data)),
        "--out",
        str(tmp_path / "r.json"),
    )
    assert result.exit_code == 2
    assert "FAR" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"travel_cost_per_hour": -1.0}, "travel_cost_per_hour"),
        ({"emergency": dict(TECH["emergency"], coverage_target=1.5)}, "emergency.coverage_target"),
        (
            {"dispatch": {"within_hours": 1.0, "service_level": 1.0, "mean_call_hours": 2.0}},
            "dispatch.service_level",
        ),
        ({"stations": TECH["stations"] + [TECH["stations"][0]]}, "stations[2].id"),
    ],
)
def test_technicians_bad_input_exits_2(write_json, tmp_path, change, where):
    path = write_json("t.json", {**TECH, **change})
    result = invoke("optimise", "technicians", str(path), "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert f"{path}: {where}" in result.stderr


def test_spares_budget(write_json, tmp_path):
    out = tmp_path / "r.json"
    result = invoke("optimise", "spares", str(write_json("s.json", SPARES)), "--out", str(out))
    assert result.exit_code == 0, result.output
    res = SparesResult.from_json(out.read_text())
    assert res.status == "optimal" and res.investment <= 300.0


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"objective": {"budget": -5.0}}, "objective.budget"),
        ({"objective": {"target_fill_rate": 1.0}}, "objective.target_fill_rate"),
        ({"parts": [{"id": "P1", "unit_cost": 1.0, "demand": {"WEST": 1.0}}]}, "parts[0].demand"),
    ],
)
def test_spares_bad_input_exits_2(write_json, tmp_path, change, where):
    path = write_json("s.json", {**SPARES, **change})
    result = invoke("optimise", "spares", str(path), "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert f"{path}: {where}" in result.stderr


SPARES_V2 = {
    **SPARES,
    "format": "spares/v2",
    "parts": [
        # pipeline mean 1 (10 a year, 36.5 days): a 0.9 floor needs 3 units (P(X <= 2) = 0.92)
        {"id": "P1", "unit_cost": 100.0, "demand": {"E": 10.0}, "min_fill_rate": 0.9},
        {"id": "P2", "unit_cost": 200.0, "demand": {"E": 5.0}, "weight": 4.0},
    ],
}


def test_spares_v2_floors_are_met(write_json, tmp_path):
    out = tmp_path / "r.json"
    result = invoke("optimise", "spares", str(write_json("s.json", SPARES_V2)), "--out", str(out))
    assert result.exit_code == 0, result.output
    res = SparesResult.from_json(out.read_text())
    assert res.status == "optimal" and res.weighted_backorders is not None
    assert [(line.part, line.quantity) for line in res.stock] == [("P1", 3)]


def test_spares_v2_floors_beyond_the_budget_exit_3_with_the_floor_stock(write_json, tmp_path):
    data = {**SPARES_V2, "objective": {"budget": 250.0}}
    out = tmp_path / "r.json"
    result = invoke("optimise", "spares", str(write_json("s.json", data)), "--out", str(out))
    assert result.exit_code == 3
    res = SparesResult.from_json(out.read_text())
    assert res.status == "infeasible" and res.investment == 300.0
    assert "'P1'" in res.reason and "'E'" in res.reason and "250.00" in res.reason
    assert [(line.part, line.quantity) for line in res.stock] == [("P1", 3)]
    assert "reason:" in result.stdout and "'P1'" in result.stdout


def test_spares_v2_unreachable_fill_rate_exits_3(write_json, tmp_path):
    data = {**SPARES_V2, "objective": {"target_fill_rate": 0.9999999999999999}}
    out = tmp_path / "r.json"
    result = invoke("optimise", "spares", str(write_json("s.json", data)), "--out", str(out))
    assert result.exit_code == 3
    res = SparesResult.from_json(out.read_text())
    assert res.status == "infeasible" and "best reachable fill rate" in res.reason


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"installed_base": {"NOWHERE": 3}}, "installed_base.NOWHERE: not a depot"),
        (
            {"objective": {"target_availability": 0.9}},
            "objective.target_availability: needs an installed_base",
        ),
        (
            {"parts": [{**SPARES_V2["parts"][0], "min_fill_rate": 1.0}]},
            "parts[0].min_fill_rate",
        ),
        ({"parts": [{**SPARES_V2["parts"][1], "weight": -2.0}]}, "parts[0].weight"),
    ],
)
def test_spares_v2_bad_input_exits_2(write_json, tmp_path, change, where):
    path = write_json("s.json", {**SPARES_V2, **change})
    out = tmp_path / "r.json"
    result = invoke("optimise", "spares", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert f"{path}: {where}" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_not_json_exits_2(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xff not json")
    result = invoke("optimise", "spares", str(path), "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 2 and str(path) in result.stderr


def test_plan_emits_problems_the_optimisers_read(tmp_path):
    pattern = str(tmp_path / "tech-{region}.json")
    spares = tmp_path / "spares.json"
    result = invoke(
        "plan",
        "crawler_crane",
        "--region",
        "east",
        "--region",
        "tibet",
        "--emit-technicians",
        pattern,
        "--emit-spares",
        str(spares),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    east = TechniciansProblem.from_file(tmp_path / "tech-east.json")
    assert east.emergency.onsite_hours == 4.0
    assert (tmp_path / "tech-tibet.json").exists()
    problem = SparesProblem.from_file(spares)
    assert {d.id for d in problem.depots} == {"DEP-east", "DEP-tibet"}
    out = tmp_path / "tibet-result.json"
    solved = invoke("optimise", "technicians", str(tmp_path / "tech-tibet.json"), "--out", str(out))
    assert solved.exit_code == 0, solved.output


def test_emit_technicians_needs_a_region_placeholder(tmp_path):
    result = invoke("plan", "excavator", "--emit-technicians", str(tmp_path / "t.json"))
    assert result.exit_code == 2 and "{region}" in result.stderr


def test_spares_evaluate_and_frontier(write_json, tmp_path):
    data = dict(SPARES, central={"lead_time_days": 30.0})
    out = tmp_path / "r.json"
    result = invoke(
        "optimise",
        "spares",
        str(write_json("s.json", data)),
        "--out",
        str(out),
        "--evaluate",
        "--frontier",
        "5",
    )
    assert result.exit_code == 0, result.output
    res = SparesResult.from_json(out.read_text())
    assert res.vari_metric_backorders is not None and res.exact_backorders is not None
    assert res.frontier and 1 < len(res.frontier) <= 5
    investments = [p.investment for p in res.frontier]
    assert investments == sorted(investments)
    backorders = [p.backorders for p in res.frontier]
    assert backorders == sorted(backorders, reverse=True)


def test_no_plan_within_the_time_limit_is_not_called_infeasible(write_json, tmp_path, monkeypatch):
    """Without a plan and without a proof, nothing is written and the exit code is 4."""
    import planner.optimise.technicians as tech
    from planner.models.status import Status
    from planner.optimise.technicians import driver
    from planner.optimise.technicians.plans import Outcome

    def timed_out(state, time_limit, starts):
        return Outcome(Status.NO_PLAN, None, 12.5, driver.NO_PLAN_IN_TIME)

    monkeypatch.setattr(driver, "solve_at", timed_out)
    problem = TechniciansProblem.model_validate(TECH)
    with pytest.raises(tech.NoPlanWithinTimeLimit, match="not proven infeasible"):
        tech.solve_technicians(problem, time_limit=1)
    out = tmp_path / "r.json"
    out.write_text("previous result\n")
    result = invoke("optimise", "technicians", str(write_json("t.json", TECH)), "--out", str(out))
    assert result.exit_code == 4
    assert "not proven infeasible" in result.stderr and "12.50" in result.stderr
    assert out.read_text() == "previous result\n"
    points = tech.technicians_frontier(problem, [0.5, 1.0])
    assert {p.status for p in points} == {"unknown"}


def test_frontier_table_and_files(write_json, tmp_path):
    """Two towns, a station in each, 3 h apart, promise 2 h. Target 0.5: one station serves
    both (fixed 100, one technician 1000, travel to the far town 10 x 2 x 3 h x 10 calls =
    600). Target 1: both stations, each with a technician, no travel: 500 more."""
    problem = write_json("t.json", TECH)
    out = tmp_path / "f.json"
    result = invoke(
        "optimise", "frontier", str(problem), "--targets", "1, 0.5,0", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    points = json.loads(out.read_text())
    assert [p["coverage_target"] for p in points] == [0.0, 0.5, 1.0]
    assert all(p["status"] == "optimal" for p in points)
    assert [len(p["stations"]) for p in points] == [1, 1, 2]
    assert points[1]["cost"] == pytest.approx(100 + 1000 + 600)
    assert points[2]["cost"] == pytest.approx(2 * (100 + 1000))
    assert "optimal" in result.output and "on-site h" in result.output
    csv_out = tmp_path / "f.csv"
    assert invoke("optimise", "frontier", str(problem), "--out", str(csv_out)).exit_code == 0
    lines = csv_out.read_text().splitlines()
    assert lines[0].startswith("on-site promise (h),coverage target,status")
    assert len(lines) == 1 + 6  # the default targets


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--targets", "0.5,1.2", "--targets: 1.2 is outside [0, 1]"),
        ("--targets", "half", "--targets: 'half' is not a number"),
        ("--hours", "-1", "--hours: -1 is outside [0, inf]"),
        ("--targets", " , ", "--targets: give at least one value"),
    ],
)
def test_frontier_names_a_bad_value(write_json, option, value, message):
    problem = write_json("t.json", TECH)
    result = invoke("optimise", "frontier", str(problem), option, value)
    assert result.exit_code == 2
    assert message in result.output
