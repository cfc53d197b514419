"""Validation of technicians/v1 problems and results."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

from planner.models.technicians import TechniciansProblem, TechniciansResult

EXAMPLE = {
    "format": "technicians/v1",
    "name": "east-china-concrete-pumps",
    "service_hours_per_year": 8760,
    "travel_cost_per_hour": 60.0,
    "technician": {"annual_cost": 90000.0, "productive_hours": 1600.0},
    "emergency": {"onsite_hours": 4.0, "coverage_target": 0.95, "job_hours": 6.0},
    "dispatch": {"within_hours": 2.0, "service_level": 0.8, "mean_call_hours": 8.0},
    "sites": [
        {"id": "S001", "emergency_calls": 30.0, "planned_visits": 12.0, "planned_hours": 96.0}
    ],
    "stations": [{"id": "D001", "fixed_cost": 250000.0, "max_technicians": 30}],
    "edges": [{"from": "S001", "to": "D001", "hours": 1.25}],
    "max_open_stations": 12,
}


def _with(path: str, value: object) -> dict:
    doc = copy.deepcopy(EXAMPLE)
    *head, last = path.split(".")
    node = doc
    for key in head:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is ...:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return doc


def test_example_round_trips(tmp_path) -> None:
    problem = TechniciansProblem.from_json(json.dumps(EXAMPLE))
    assert problem.edges[0].from_ == "S001"
    text = problem.to_json()
    assert json.loads(text)["edges"][0]["from"] == "S001"
    assert TechniciansProblem.from_json(text) == problem
    path = tmp_path / "p.json"
    path.write_text(text)
    assert TechniciansProblem.from_file(path) == problem
    with pytest.raises(ValidationError, match="frozen"):
        problem.sites[0].__setattr__("id", "X")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("travel_cost_per_hour", -1.0, "travel_cost_per_hour"),
        ("technician.annual_cost", -5.0, "annual_cost"),
        ("technician.productive_hours", 0.0, "productive_hours"),
        ("service_hours_per_year", 0.0, "service_hours_per_year"),
        ("emergency.coverage_target", 1.2, "coverage_target"),
        ("emergency.coverage_target", -0.1, "coverage_target"),
        ("emergency.onsite_hours", -1.0, "onsite_hours"),
        ("dispatch.service_level", 1.0, "service_level"),
        ("dispatch.service_level", 0.0, "service_level"),
        ("sites.0.emergency_calls", -1.0, "emergency_calls"),
        ("stations.0.fixed_cost", -1.0, "fixed_cost"),
        ("stations.0.max_technicians", -1, "max_technicians"),
        ("edges.0.hours", -0.5, "hours"),
        ("format", "technicians/v2", "format"),
        ("sites", [], "sites"),
        ("unexpected", 1, "unexpected"),
        ("max_open_stations", -1, "max_open_stations"),
    ],
)
def test_bad_values_name_the_field(path: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TechniciansProblem.model_validate(_with(path, value))


def test_duplicate_ids() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["sites"].append(dict(doc["sites"][0]))
    with pytest.raises(ValidationError, match=r"sites\[1\].id: duplicate id 'S001'"):
        TechniciansProblem.model_validate(doc)
    doc = copy.deepcopy(EXAMPLE)
    doc["stations"].append({"id": "S001", "fixed_cost": 1.0, "max_technicians": 1})
    with pytest.raises(ValidationError, match=r"stations\[1\].id: duplicate id 'S001'"):
        TechniciansProblem.model_validate(doc)


def test_edges_or_travel_hours_not_both() -> None:
    doc = _with("travel_hours", {"D001": {"S001": 1.0}})
    with pytest.raises(ValidationError, match="exactly one of edges or travel_hours"):
        TechniciansProblem.model_validate(doc)
    with pytest.raises(ValidationError, match="exactly one"):
        TechniciansProblem.model_validate(_with("edges", ...))


def test_travel_hours_must_name_known_nodes() -> None:
    doc = _with("edges", ...)
    doc["travel_hours"] = {"X9": {"S001": 1.0}}
    with pytest.raises(ValidationError, match=r"travel_hours\['X9'\]: unknown station 'X9'"):
        TechniciansProblem.model_validate(doc)
    doc["travel_hours"] = {"D001": {"Q": 1.0}}
    with pytest.raises(ValidationError, match=r"travel_hours\['D001'\]\['Q'\]: unknown site 'Q'"):
        TechniciansProblem.model_validate(doc)
    doc["travel_hours"] = {"D001": {"S001": -1.0}}
    with pytest.raises(ValidationError, match=r"travel_hours\['D001'\]\['S001'\]"):
        TechniciansProblem.model_validate(doc)


def test_edges_may_name_junctions() -> None:
    doc = _with(
        "edges",
        [{"from": "S001", "to": "J", "hours": 0.0}, {"from": "J", "to": "D001", "hours": 1.0}],
    )
    assert len(TechniciansProblem.model_validate(doc).edges) == 2


def test_nan_and_zero_values() -> None:
    with pytest.raises(ValidationError):
        TechniciansProblem.from_json(json.dumps(EXAMPLE).replace("1.25", "NaN"))
    doc = _with("emergency", {"onsite_hours": 0.0, "coverage_target": 0.0, "job_hours": 0.0})
    doc["travel_cost_per_hour"] = 0.0
    assert TechniciansProblem.model_validate(doc).emergency.coverage_target == 0.0


def test_result_model() -> None:
    doc = {
        "format": "technicians-result/v1",
        "status": "optimal",
        "objective": 1234567.0,
        "bound": 1234567.0,
        "stations": [{"id": "D001", "technicians": 4, "sites": ["S001", "S002"]}],
    }
    result = TechniciansResult.from_json(json.dumps(doc))
    assert json.loads(result.to_json()) == doc
    with pytest.raises(ValidationError):
        TechniciansResult.model_validate({**doc, "status": "done"})
