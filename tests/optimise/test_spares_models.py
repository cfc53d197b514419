"""spares/v1 and spares/v2 problem and spares-result/v1 result models: round trips and
validation (every message names the item and the field)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from planner.models.spares import SparesProblem, SparesResult

EXAMPLE: dict[str, Any] = {
    "format": "spares/v1",
    "name": "concrete-pump-parts-2027",
    "objective": {"budget": 1500000.0},
    "central": {"lead_time_days": 45.0},
    "depots": [{"id": "EAST", "resupply_days": 3.0}],
    "parts": [{"id": "P-1001", "unit_cost": 1200.0, "demand": {"EAST": 0.8}}],
}

RESULT_EXAMPLE: dict[str, Any] = {
    "format": "spares-result/v1",
    "status": "optimal",
    "backorders": 1.234,
    "investment": 1499000.0,
    "fill_rate": 0.93,
    "stock": [
        {"part": "P-1001", "location": "central", "quantity": 2},
        {"part": "P-1001", "location": "EAST", "quantity": 1},
    ],
}


def _problem(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data["depots"].append({"id": "WEST", "resupply_days": 5.0})
    data["parts"] += [
        {"id": "P-1002", "unit_cost": 80.0, "demand": {"EAST": 0.1, "WEST": 0.2}},
        {"id": "P-1003", "unit_cost": 15.0, "demand": {}},
        {"id": "P-1004", "unit_cost": 15.0, "demand": {"WEST": 1.0}},
    ]
    data.update(changes)
    return data


def test_format_example_round_trip(tmp_path: Path) -> None:
    problem = SparesProblem.from_json(json.dumps(EXAMPLE))
    assert problem.objective.budget == 1500000.0
    assert problem.central is not None and problem.central.lead_time_days == 45.0
    again = SparesProblem.from_json(problem.to_json())
    assert again == problem
    path = tmp_path / "p.json"
    path.write_bytes(json.dumps(EXAMPLE).encode())
    assert SparesProblem.from_file(path) == problem
    assert json.loads(problem.to_json())["parts"][0]["demand"] == {"EAST": 0.8}


def test_central_null_and_fill_target() -> None:
    problem = SparesProblem.from_json(
        json.dumps(_problem(central=None, objective={"target_fill_rate": 0.95}))
    )
    assert problem.central is None
    assert problem.objective.target_fill_rate == 0.95
    assert problem.objective.budget is None
    dumped = json.loads(problem.to_json())
    assert dumped["central"] is None and dumped["objective"] == {"target_fill_rate": 0.95}
    assert SparesProblem.from_json(problem.to_json()) == problem


def test_models_are_frozen() -> None:
    problem = SparesProblem.model_validate(_problem())
    with pytest.raises(ValidationError):
        problem.name = "x"  # type: ignore[misc]


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        SparesProblem.from_json(json.dumps(data))
    return str(info.value)


def test_unknown_depot_in_demand_names_the_item() -> None:
    data = _problem()
    data["parts"][3]["demand"] = {"WEST": 1.0, "NORTH": 0.5}
    msg = _error(data)
    assert "parts[3].demand: depot 'NORTH' is not in depots (got 'NORTH')" in msg


def test_negative_demand() -> None:
    data = _problem()
    data["parts"][1]["demand"]["WEST"] = -0.2
    assert "parts.1.demand.WEST" in _error(data)


def test_negative_cost() -> None:
    data = _problem()
    data["parts"][2]["unit_cost"] = -1.0
    msg = _error(data)
    assert "parts.2.unit_cost" in msg


def test_duplicate_part_and_depot_ids() -> None:
    data = _problem()
    data["parts"][2]["id"] = "P-1001"
    assert "parts[2].id: duplicate part id (got 'P-1001')" in _error(data)
    data = _problem()
    data["depots"][1]["id"] = "EAST"
    assert "depots[1].id: duplicate depot id (got 'EAST')" in _error(data)


def test_budget_below_zero() -> None:
    msg = _error(_problem(objective={"budget": -5.0}))
    assert "objective.budget" in msg


@pytest.mark.parametrize("target", [0.0, 1.0, 1.2, -0.1])
def test_fill_target_outside_open_unit_interval(target: float) -> None:
    msg = _error(_problem(objective={"target_fill_rate": target}))
    assert "objective.target_fill_rate" in msg


@pytest.mark.parametrize("objective", [{}, {"budget": 10.0, "target_fill_rate": 0.9}])
def test_objective_needs_exactly_one(objective: dict[str, float]) -> None:
    msg = _error(_problem(objective=objective))
    assert "exactly one of 'budget', 'target_fill_rate' or 'target_availability'" in msg


def test_budget_zero_is_valid() -> None:
    assert SparesProblem.model_validate(_problem(objective={"budget": 0.0})).objective.budget == 0


@pytest.mark.parametrize(
    "change",
    [
        {"format": "spares/v3"},
        {"extra": 1},
        {"depots": []},
        {"central": {"lead_time_days": -1.0}},
    ],
)
def test_other_invalid_documents(change: dict[str, Any]) -> None:
    _error(_problem(**change))


def test_negative_resupply_days() -> None:
    data = _problem()
    data["depots"][0]["resupply_days"] = -2.0
    assert "depots.0.resupply_days" in _error(data)


def test_non_finite_values_rejected() -> None:
    data = _problem()
    text = json.dumps(data).replace('"unit_cost": 80.0', '"unit_cost": NaN')
    with pytest.raises(ValidationError):
        SparesProblem.from_json(text)


def test_result_round_trip_and_rules() -> None:
    result = SparesResult.from_json(json.dumps(RESULT_EXAMPLE))
    assert result.stock[0].location == "central"
    dumped = json.loads(result.to_json())
    assert dumped == RESULT_EXAMPLE  # optional fields left out when unset
    assert SparesResult.from_json(result.to_json()) == result
    bad = dict(RESULT_EXAMPLE, status="infeasible")
    with pytest.raises(ValidationError, match="reason"):
        SparesResult.model_validate(bad)
    ok = SparesResult.model_validate(dict(bad, reason="target out of reach"))
    assert ok.reason == "target out of reach"
    with pytest.raises(ValidationError):
        SparesResult.model_validate(dict(RESULT_EXAMPLE, status="done"))
    with pytest.raises(ValidationError):
        SparesResult.model_validate(dict(RESULT_EXAMPLE, fill_rate=1.5))
    neg = copy.deepcopy(RESULT_EXAMPLE)
    neg["stock"][0]["quantity"] = -1
    with pytest.raises(ValidationError):
        SparesResult.model_validate(neg)
    with pytest.raises(ValidationError):
        SparesResult.model_validate(dict(RESULT_EXAMPLE, surprise=True))


# ------------------------------------------------------------------------ spares/v2


def _v2(**changes: Any) -> dict[str, Any]:
    data = _problem(format="spares/v2", installed_base={"EAST": 420, "WEST": 90})
    data["parts"][0].update(
        lead_time_days=60.0, weight=5.0, quantity_per_machine=2, essential=True, min_fill_rate=0.8
    )
    data.update(changes)
    return data


def test_v2_round_trip_and_defaults() -> None:
    problem = SparesProblem.from_json(json.dumps(_v2(objective={"target_availability": 0.95})))
    assert problem.is_v2 and problem.installed_base == {"EAST": 420, "WEST": 90}
    assert problem.parts[0].min_fill_rate == 0.8 and problem.parts[1].min_fill_rate is None
    assert problem.availability_targets() == {"EAST": 0.95, "WEST": 0.95}
    assert SparesProblem.from_json(problem.to_json()) == problem
    v1 = SparesProblem.model_validate(_problem())
    assert not v1.is_v2 and all(not p.v2_fields for p in v1.parts)


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("min_fill_rate", 1.0, "parts.0.min_fill_rate"),
        ("min_fill_rate", -0.1, "parts.0.min_fill_rate"),
        ("weight", -1.0, "parts.0.weight"),
        ("quantity_per_machine", 0, "parts.0.quantity_per_machine"),
        ("lead_time_days", -3.0, "parts.0.lead_time_days"),
    ],
)
def test_v2_part_field_bounds(field: str, value: float, where: str) -> None:
    data = _v2()
    data["parts"][0][field] = value
    assert where in _error(data)


def test_v2_fields_in_a_v1_file_are_refused() -> None:
    data = _problem()
    data["parts"][1]["min_fill_rate"] = 0.5
    msg = _error(data)
    assert "parts[1].min_fill_rate: a spares/v2 field in a spares/v1 file" in msg
    assert "installed_base: a spares/v2 field" in _error(_problem(installed_base={"EAST": 3}))


def test_v2_installed_base_names_depots_of_the_problem() -> None:
    msg = _error(_v2(installed_base={"EAST": 3, "NORTH": 2}))
    assert "installed_base.NORTH: not a depot of the problem (got 'NORTH')" in msg
    assert "installed_base.EAST" in _error(_v2(installed_base={"EAST": -1}))


def test_v2_availability_target_needs_an_installed_base() -> None:
    msg = _error(_v2(objective={"target_availability": 0.95}, installed_base=None))
    assert "objective.target_availability: needs an installed_base" in msg
    msg = _error(_v2(objective={"target_availability": {"SOUTH": 0.9}}))
    assert "objective.target_availability.SOUTH: not a depot of the problem" in msg
    assert "objective.target_availability" in _error(_v2(objective={"target_availability": 1.0}))
