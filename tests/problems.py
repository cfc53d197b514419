"""Small technicians/v1 problems that several test modules work out by hand.

``TECH``: two towns 3 h apart, a station in each, a 2 h promise. ``HAND``: one station and
two sites whose loads, costs and dispatch level are worked out in the tests.
"""

from __future__ import annotations

TECH = {
    "format": "technicians/v1",
    "name": "two-towns",
    "service_hours_per_year": 8760,
    "travel_cost_per_hour": 10.0,
    "technician": {"annual_cost": 1000.0, "productive_hours": 1600.0},
    "emergency": {"onsite_hours": 2.0, "coverage_target": 0.5, "job_hours": 1.0},
    "sites": [
        {"id": "A", "emergency_calls": 10.0, "planned_visits": 0.0, "planned_hours": 0.0},
        {"id": "B", "emergency_calls": 10.0, "planned_visits": 0.0, "planned_hours": 0.0},
    ],
    "stations": [
        {"id": "SA", "fixed_cost": 100.0, "max_technicians": 2},
        {"id": "SB", "fixed_cost": 100.0, "max_technicians": 2},
    ],
    "edges": [
        {"from": "SA", "to": "A", "hours": 0.0},
        {"from": "SB", "to": "B", "hours": 0.0},
        {"from": "A", "to": "B", "hours": 3.0},
    ],
}

HAND = {
    "format": "technicians/v1",
    "name": "hand",
    "service_hours_per_year": 8760.0,
    "travel_cost_per_hour": 50.0,
    "technician": {"annual_cost": 1000.0, "productive_hours": 1752.0},
    "emergency": {"onsite_hours": 2.0, "coverage_target": 0.25, "job_hours": 4.0},
    "dispatch": {"within_hours": 1.0, "service_level": 0.5, "mean_call_hours": 2.0},
    "sites": [
        {"id": "A", "emergency_calls": 10.0, "planned_visits": 4.0, "planned_hours": 20.0},
        {"id": "B", "emergency_calls": 30.0, "planned_visits": 0.0, "planned_hours": 0.0},
    ],
    "stations": [{"id": "S", "fixed_cost": 500.0, "max_technicians": 9}],
    "travel_hours": {"S": {"A": 1.0, "B": 3.0}},
}
