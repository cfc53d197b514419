"""Shared fixtures: a tiny product, region set and strategy whose plan is worked out by hand."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

TINY_PRODUCT: dict[str, Any] = {
    "kind": "product",
    "id": "concrete_pump",
    "family": "Concrete pump truck",
    "model": "T-1",
    "name": "Tiny test pump",
    "strategic_role": "mature",
    "usage_metric": "m3_pumped",
    "annual_usage": 1000.0,
    "failures_per_year": 2.0,
    "repair_hours": 5.0,
    "warranty_months": 12,
    "downtime_cost_per_hour": 800.0,
    "preventive": [
        {
            "id": "L1",
            "name": "level 1",
            "every_months": 6.0,
            "every_usage": 500.0,
            "labour_hours": 2.0,
        },
        {
            "id": "L2",
            "name": "level 2",
            "every_months": 12.0,
            "every_usage": 1000.0,
            "labour_hours": 4.0,
            "parts": [{"part": "P1", "quantity": 1.0}],
        },
        {
            "id": "L3",
            "name": "health check",
            "every_months": 3.0,
            "labour_hours": 1.0,
            "min_depth": 3,
        },
    ],
    "value_added": [
        {
            "id": "training",
            "name": "Operator training",
            "min_breadth": 1,
            "uptake": 0.2,
            "labour_hours": 8.0,
            "on_site": False,
            "cost": 500.0,
        },
        {
            "id": "overhaul",
            "name": "Overhaul",
            "min_breadth": 3,
            "uptake": 0.1,
            "labour_hours": 40.0,
            "on_site": True,
            "cost": 10000.0,
        },
    ],
    "parts": [
        {
            "id": "P1",
            "name": "seal kit",
            "quantity_per_machine": 2,
            "failures_per_machine_year": 0.5,
            "unit_cost": 100.0,
            "lead_time_days": 10.0,
            "criticality": "B",
        },
        {
            "id": "P2",
            "name": "hydraulic pump",
            "quantity_per_machine": 1,
            "failures_per_usage_unit": 0.001,
            "unit_cost": 1000.0,
            "lead_time_days": 60.0,
            "criticality": "A",
        },
    ],
}

TINY_REGIONS: dict[str, Any] = {
    "kind": "regions",
    "name": "tiny",
    "regions": [
        {
            "id": "R1",
            "name": "Region one",
            "market_class": "growth",
            "installed_base": {"concrete_pump": 10},
            "customers": [
                {
                    "segment": "key_account",
                    "share": 0.5,
                    "usage_factor": 1.0,
                    "customers": {"concrete_pump": 2},
                },
                {"segment": "rental_fleet", "share": 0.5, "usage_factor": 2.0},
            ],
            "sites": [
                {"id": "S-CS", "city": "Changsha", "lat": 28.23, "lon": 112.94, "share": 0.75},
                {"id": "S-YY", "city": "Yueyang", "lat": 29.36, "lon": 113.13, "share": 0.25},
            ],
            "stations": [
                {
                    "id": "D-CS",
                    "city": "Changsha",
                    "lat": 28.23,
                    "lon": 112.94,
                    "fixed_cost": 300000.0,
                    "max_technicians": 10,
                },
            ],
            "depot": {"id": "DEP-R1", "city": "Changsha", "resupply_days": 3.0},
            "technician": {"annual_cost": 160000.0, "productive_hours": 1600.0},
        },
        {
            "id": "R2",
            "name": "Region two",
            "market_class": "remote",
            "installed_base": {"concrete_pump": 4},
            "customers": [{"segment": "owner_operator", "share": 1.0}],
            "sites": [{"id": "S-LS", "city": "Lhasa", "lat": 29.65, "lon": 91.12, "share": 1.0}],
            "stations": [
                {
                    "id": "D-LS",
                    "city": "Lhasa",
                    "lat": 29.65,
                    "lon": 91.12,
                    "fixed_cost": 200000.0,
                    "max_technicians": 4,
                },
            ],
            "depot": {"id": "DEP-R2", "city": "Lhasa", "resupply_days": 10.0},
            "technician": {"annual_cost": 200000.0, "productive_hours": 1600.0},
            "overrides": {"emergency": {"onsite_hours": 72.0}},
        },
    ],
}

TINY_STRATEGY: dict[str, Any] = {
    "kind": "strategy",
    "name": "tiny strategy",
    "year": 2027,
    "products": {"concrete_pump": {"role": "core"}},
    "targets": {
        "coverage": 0.9,
        "dispatch_service_level": 0.8,
        "fill_rate": 0.95,
        "satisfaction_by_year": [0.95, 0.97, 0.98],
    },
    "budget": {"service": 5000000.0, "spares": 1000000.0},
}


@pytest.fixture
def tiny_product() -> dict[str, Any]:
    return copy.deepcopy(TINY_PRODUCT)


@pytest.fixture
def tiny_regions() -> dict[str, Any]:
    return copy.deepcopy(TINY_REGIONS)


@pytest.fixture
def tiny_strategy() -> dict[str, Any]:
    return copy.deepcopy(TINY_STRATEGY)


@pytest.fixture
def write_json(tmp_path: Path):
    def write(name: str, data: Any) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write
