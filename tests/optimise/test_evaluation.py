"""The one plan evaluation: hand-computed loads and every broken promise named."""

from __future__ import annotations

import math

import pytest

from planner.models.technicians import StationPlan, TechniciansProblem, TechniciansResult
from planner.optimise.technicians import evaluate, evaluate_plan

# Two sites, two stations. S reaches A in 1 h and B in 3 h; T reaches B in 1 h only.
DOC = {
    "format": "technicians/v1",
    "name": "two",
    "service_hours_per_year": 8760.0,
    "travel_cost_per_hour": 50.0,
    "technician": {"annual_cost": 1000.0, "productive_hours": 1752.0},
    "emergency": {"onsite_hours": 2.0, "coverage_target": 0.5, "job_hours": 4.0},
    "dispatch": {"within_hours": 1.0, "service_level": 0.5, "mean_call_hours": 2.0},
    "sites": [
        {"id": "A", "emergency_calls": 10.0, "planned_visits": 4.0, "planned_hours": 20.0},
        {"id": "B", "emergency_calls": 30.0, "planned_visits": 0.0, "planned_hours": 0.0},
    ],
    "stations": [
        {"id": "S", "fixed_cost": 500.0, "max_technicians": 9},
        {"id": "T", "fixed_cost": 700.0, "max_technicians": 2},
    ],
    "travel_hours": {"S": {"A": 1.0, "B": 3.0}, "T": {"B": 1.0}},
    "max_open_stations": 2,
}


def problem(**over: object) -> TechniciansProblem:
    return TechniciansProblem.model_validate({**DOC, **over})


def result(*stations: tuple[str, int, tuple[str, ...]]) -> TechniciansResult:
    return TechniciansResult(
        status="feasible",
        objective=0.0,  # the evaluation recomputes the cost; it does not copy this
        bound=0.0,
        stations=tuple(StationPlan(id=i, technicians=n, sites=s) for i, n, s in stations),
    )


def test_hand_computed_plan_keeps_every_promise():
    # S serves A: 10 x (4 + 2) + 4 x 2 + 20 = 88 h; travel 50 x 2 x 1 x 14 = 1400
    # T serves B: 30 x (4 + 2) = 180 h; travel 50 x 2 x 1 x 30 = 3000
    plan = result(("S", 5, ("A",)), ("T", 2, ("B",)))
    assert evaluate(problem(dispatch=None), plan).keeps_promises
    ev = evaluate(problem(), plan)
    s, t = ev.stations
    assert (s.workload_hours, t.workload_hours) == pytest.approx((88.0, 180.0))
    assert (s.travel_cost, t.travel_cost) == pytest.approx((1400.0, 3000.0))
    assert (s.on_duty, t.on_duty) == (1, 0)  # floor(5 x 1752 / 8760), floor(2 x 1752 / 8760)
    assert ev.cost == pytest.approx(500 + 5000 + 1400 + 700 + 2000 + 3000)
    assert ev.technicians == 7 and ev.coverage == pytest.approx(1.0)
    load = 10 * 2 / 8760  # one on duty at S, M/M/1: P(W <= 1) = 1 - rho exp(-(1 - rho) / 2)
    assert s.dispatch_level == pytest.approx(1 - load * math.exp(-(1 - load) * 1.0 / 2.0))
    # T has no one on duty for its 30 calls: its level is 0, below the promise
    assert t.dispatch_level == 0.0
    assert ev.lowest_dispatch_level == 0.0


def test_every_broken_promise_is_named():
    ev = evaluate(problem(), result(("S", 5, ("A",)), ("T", 2, ("B",))))
    assert ev.violations == ("station 'T' misses the dispatch level (0.000000)",)
    with pytest.raises(ValueError, match="misses the dispatch level"):
        evaluate_plan(problem(), result(("S", 5, ("A",)), ("T", 2, ("B",))))

    cases = {
        "station 'S' has more than max_technicians": result(("S", 10, ("A", "B"))),
        "site 'A' served twice": result(("S", 5, ("A", "B")), ("T", 2, ("A",))),
        "station 'T' does not reach site 'A'": result(("S", 5, ("B",)), ("T", 2, ("A",))),
        "station 'S' has more work than its technicians' hours": result(("S", 0, ("A", "B"))),
        "some site is not served": result(("S", 5, ("A",))),
        "station 'X' is not a station of the problem": result(("S", 5, ("A", "B")), ("X", 1, ())),
        "site 'Z' is not a site of the problem": result(("S", 5, ("A", "B", "Z"))),
    }
    for message, plan in cases.items():
        assert message in evaluate(problem(dispatch=None), plan).violations, message


def test_coverage_and_station_limits():
    # everything from S: B is 3 h away, beyond the 2 h promise: 10 of 40 calls covered
    one = result(("S", 5, ("A", "B")))
    ev = evaluate(problem(dispatch=None), one)
    assert ev.coverage == pytest.approx(0.25)
    assert "coverage target missed" in ev.violations
    assert evaluate(
        problem(dispatch=None, emergency={**DOC["emergency"], "coverage_target": 0.25}), one
    ).keeps_promises
    two = result(("S", 5, ("A",)), ("T", 2, ("B",)))
    assert (
        "too many open stations"
        in evaluate(problem(dispatch=None, max_open_stations=1), two).violations
    )


def test_an_infeasible_result_has_no_tables():
    ev = evaluate(problem(), TechniciansResult(status="infeasible", reason="none fits"))
    assert ev.stations == () and ev.sites == () and ev.cost is None and ev.reason == "none fits"


def test_slack_forgives_only_float_noise_at_a_dispatch_limit():
    """Calls a hair above the most one on-duty technician serves at the level: broken for the
    strict check, kept within the solver's slack; well above it, broken for both."""
    from planner.optimise.queueing import max_rate

    dp = DOC["dispatch"]
    most = max_rate(1, dp["mean_call_hours"], dp["within_hours"], 0.9) * 8760.0
    for over, strict, slack in ((1e-6, True, False), (1e-2, True, True)):
        sites = [
            {
                "id": "A",
                "emergency_calls": most * (1 + over),
                "planned_visits": 0.0,
                "planned_hours": 0.0,
            }
        ]
        doc = {
            **DOC,
            "sites": sites,
            "stations": DOC["stations"][:1],
            "travel_hours": {"S": {"A": 1.0}},
        }
        doc["dispatch"] = {**dp, "service_level": 0.9}
        doc["emergency"] = {**DOC["emergency"], "coverage_target": 0.0}
        plan = result(("S", 5, ("A",)))  # floor(5 x 1752 / 8760) = 1 on duty
        p = TechniciansProblem.model_validate(doc)
        assert bool(evaluate(p, plan).violations) is strict, over
        assert bool(evaluate(p, plan, slack=1e-6).violations) is slack, over
