"""Seeded, realistic technicians/v1 instances for the benchmarks.

Sites cluster around a few cities in a square of a few hundred km; stations are
candidate towns; travel hours are euclidean km / 60; emergency calls are
heavy-tailed (Pareto); costs in CNY a year.
"""

from __future__ import annotations

import numpy as np

from planner.models.technicians import TechniciansProblem


def generate(
    n_sites: int, n_stations: int, *, dispatch: bool, seed: int = 1, side_km: float = 400.0
) -> dict:
    """A technicians/v1 document with ``n_sites`` sites and ``n_stations`` candidate stations."""
    rng = np.random.default_rng(seed)
    n_cities = max(3, n_stations // 8)
    cities = rng.uniform(0, side_km, size=(n_cities, 2))
    weights = rng.pareto(1.2, n_cities) + 1
    weights /= weights.sum()

    def points(n: int, spread: float, share_uniform: float) -> np.ndarray:
        which = rng.choice(n_cities, size=n, p=weights)
        pts = cities[which] + rng.normal(0, spread, size=(n, 2))
        uniform = rng.random(n) < share_uniform
        pts[uniform] = rng.uniform(0, side_km, size=(int(uniform.sum()), 2))
        return np.clip(pts, 0, side_km)

    site_xy = points(n_sites, 25.0, 0.3)
    station_xy = points(n_stations, 15.0, 0.4)
    hours = np.linalg.norm(station_xy[:, None, :] - site_xy[None, :, :], axis=2) / 60.0
    calls = np.minimum(np.round(3 * (rng.pareto(1.6, n_sites) + 1), 0), 300.0)
    visits = rng.integers(2, 25, n_sites).astype(float)
    doc: dict = {
        "format": "technicians/v1",
        "name": f"gen-{n_sites}x{n_stations}-{'dispatch' if dispatch else 'plain'}-{seed}",
        "service_hours_per_year": 8760.0,
        "travel_cost_per_hour": 60.0,
        "technician": {"annual_cost": 90_000.0, "productive_hours": 1600.0},
        "emergency": {"onsite_hours": 2.5, "coverage_target": 0.9, "job_hours": 6.0},
        "sites": [
            {
                "id": f"S{i:05d}",
                "emergency_calls": float(calls[i]),
                "planned_visits": float(visits[i]),
                "planned_hours": float(round(visits[i] * rng.uniform(3, 8), 1)),
            }
            for i in range(n_sites)
        ],
        "stations": [
            {
                "id": f"D{j:04d}",
                "fixed_cost": float(round(rng.uniform(150_000, 400_000), -3)),
                "max_technicians": int(rng.integers(15, 60)),
            }
            for j in range(n_stations)
        ],
        "travel_hours": {
            f"D{j:04d}": {f"S{i:05d}": float(round(hours[j, i], 3)) for i in range(n_sites)}
            for j in range(n_stations)
        },
    }
    if dispatch:
        doc["dispatch"] = {"within_hours": 2.0, "service_level": 0.8, "mean_call_hours": 8.0}
    return doc


def problem(n_sites: int, n_stations: int, *, dispatch: bool, seed: int = 1) -> TechniciansProblem:
    """The generated document as a validated problem."""
    return TechniciansProblem.model_validate(
        generate(n_sites, n_stations, dispatch=dispatch, seed=seed)
    )
