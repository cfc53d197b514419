"""OR-Library p-median and uncapacitated location instances reach their published optima.

The instances are converted by the documented mapping (``shared/benchmarks/orlib/README.md``)
in ``benchmarks/orlib.py``; the expected values come from ``pmedopt.txt`` and the README.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from planner.optimise.technicians import evaluate_plan, solve_technicians

ROOT = Path(__file__).resolve().parents[2]
ORLIB = Path(os.environ.get("ORLIB_DIR", ROOT.parent / "shared" / "benchmarks" / "orlib"))
pytestmark = pytest.mark.skipif(
    not (ORLIB / "pmedopt.txt").exists(), reason="OR-Library files not found"
)


def _converter():
    spec = importlib.util.spec_from_file_location("orlib_bench", ROOT / "benchmarks" / "orlib.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _published_pmedian(name: str) -> float:
    for line in (ORLIB / "pmedopt.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return float(parts[1])
    raise KeyError(name)


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed6"])
def test_pmedian_reaches_published_optimum(name: str) -> None:
    problem = _converter().pmedian_problem(ORLIB / f"{name}.txt")
    assert problem.max_open_stations == int((ORLIB / f"{name}.txt").read_text().split()[2])
    result = solve_technicians(problem, time_limit=120)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(_published_pmedian(name), abs=1e-6)
    assert len(result.stations) <= problem.max_open_stations
    assert evaluate_plan(problem, result) == pytest.approx(result.objective)


@pytest.mark.parametrize(("name", "optimum"), [("cap72", 977799.400), ("cap131", 793439.562)])
def test_uncapacitated_reaches_published_optimum(name: str, optimum: float) -> None:
    problem = _converter().uncapacitated_problem(ORLIB / f"{name}.txt")
    result = solve_technicians(problem, time_limit=120)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(optimum, abs=1e-3)
    assert evaluate_plan(problem, result) == pytest.approx(result.objective)


def test_mapping_costs_a_site_its_travel_time() -> None:
    problem = _converter().uncapacitated_problem(ORLIB / "cap72.txt")
    assert problem.travel_cost_per_hour * 2 * 1.0 == 1.0
    assert all(s.emergency_calls == 1.0 and s.planned_visits == 0.0 for s in problem.sites)
    assert problem.technician.annual_cost == 0.0 and problem.dispatch is None
