"""Allocation tables and their Excel workbook: hand-checked figures, and consistency with the
solver's own cost, coverage and dispatch levels on the bundled regions."""

from __future__ import annotations

import math
import os

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planner.allocation import allocation_tables, allocation_xlsx
from planner.cli import app
from planner.models.technicians import StationPlan, TechniciansProblem, TechniciansResult
from planner.optimise.queueing import wait_probability
from planner.optimise.technicians import solve_technicians
from planner.plugins import load_plugins
from planner.problems import technicians_problem
from planner.scenario import default_regions, default_strategy, plan_product, product_profile
from planner.views import SITES, STATIONS
from tests.problems import HAND


def hand_result() -> TechniciansResult:
    return TechniciansResult(
        status="feasible",
        objective=0.0,  # the tables recompute costs; they do not copy this
        bound=0.0,
        stations=(StationPlan(id="S", technicians=5, sites=("B", "A")),),
        coverage=0.25,
        gap=0.0,
    )


def test_hand_checked_figures():
    tables = allocation_tables(TechniciansProblem.model_validate(HAND), hand_result())
    (station,) = tables.stations
    # A: 10 calls x (4 h job + 2 x 1 h) + 4 visits x 2 x 1 h + 20 h = 88 h; travel 50 x 2 x 1 x 14
    # B: 30 calls x (4 + 2 x 3) = 300 h; travel 50 x 2 x 3 x 30
    a, b = tables.sites
    assert (a.site, b.site) == ("A", "B")  # the problem's order, not the plan's
    assert a.workload_hours == pytest.approx(88.0)
    assert a.travel_cost == pytest.approx(1400.0)
    assert (a.within_promise, b.within_promise) == (True, False)
    assert b.workload_hours == pytest.approx(300.0)
    assert b.travel_cost == pytest.approx(9000.0)
    assert station.workload_hours == pytest.approx(388.0)
    assert station.technician_hours == pytest.approx(5 * 1752.0)
    assert station.utilisation == pytest.approx(388.0 / 8760.0)
    assert station.on_duty == 1  # floor(5 x 1752 / 8760)
    # one server, 40 calls a year of 2 h: a = 40 x 2 / 8760; P(wait <= 1 h) for M/M/1
    load = 40 * 2 / 8760
    expected = 1 - load * math.exp(-(1 - load) * 1.0 / 2.0)
    assert station.dispatch_level == pytest.approx(expected)
    assert station.dispatch_level == pytest.approx(wait_probability(1, 40 / 8760, 2.0, 1.0))
    assert station.total_cost == pytest.approx(500 + 5000 + 1400 + 9000)
    summary = tables.summary
    assert summary.technicians == 5 and summary.stations_open == 1
    assert summary.lowest_dispatch_level == pytest.approx(expected)


def test_infeasible_result_has_only_the_reason():
    result = TechniciansResult(status="infeasible", reason="no station reaches B")
    tables = allocation_tables(TechniciansProblem.model_validate(HAND), result)
    assert tables.stations == () and tables.sites == ()
    assert tables.summary.reason == "no station reaches B"
    assert [label for label, _ in tables.summary.lines()] == ["problem", "status", "reason"]
    book = load_workbook(_bytes_file(allocation_xlsx(tables)))
    assert book["stations"].max_row == 1 and book["stations"]["A1"].value is None


def _bytes_file(data: bytes):
    import io

    return io.BytesIO(data)


@pytest.fixture(scope="module")
def regional_problems() -> list[TechniciansProblem]:
    host = load_plugins()
    regions = default_regions()
    report = plan_product(host, product_profile(host, "concrete_pump"), regions, default_strategy())
    return [
        technicians_problem(rp.plan, rp.demand, regions.region(rp.plan.region))
        for rp in report.regions
    ]


def test_tables_agree_with_the_solver_on_every_bundled_region(regional_problems):
    for problem in regional_problems:
        result = solve_technicians(problem, time_limit=60)
        if result.status == "infeasible":
            continue
        tables = allocation_tables(problem, result)
        total = sum(r.total_cost for r in tables.stations)
        assert total == pytest.approx(result.objective, rel=1e-9), problem.name
        assert sorted(r.site for r in tables.sites) == sorted(s.id for s in problem.sites)
        calls = sum(s.emergency_calls for s in problem.sites)
        within = sum(r.emergency_calls for r in tables.sites if r.within_promise)
        assert within / calls == pytest.approx(result.coverage)
        for row in tables.stations:
            assert row.utilisation <= 1 + 1e-9
            assert row.on_duty == result.dispatch_levels[row.station]
            if row.dispatch_level is not None:
                assert row.dispatch_level >= problem.dispatch.service_level - 1e-9
            served = [r for r in tables.sites if r.station == row.station]
            assert row.sites == len(served)
            assert row.workload_hours == pytest.approx(sum(r.workload_hours for r in served))


def test_workbook_holds_the_tables(regional_problems, tmp_path):
    problem = regional_problems[0]
    result = solve_technicians(problem, time_limit=60)
    tables = allocation_tables(problem, result)
    book = load_workbook(_bytes_file(allocation_xlsx(tables)))
    assert book.sheetnames == ["summary", "stations", "sites"]
    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True)}
    assert summary == {k: same(v) for k, v in tables.summary.lines()}
    for name, table, rows, fields in (
        ("stations", STATIONS, tables.stations, tables.station_fields),
        ("sites", SITES, tables.sites, SITES.fields),
    ):
        sheet = list(book[name].iter_rows(values_only=True))
        assert list(sheet[0]) == [table.labels[f] for f in fields]
        assert [list(r) for r in sheet[1:]] == [[same(getattr(r, f)) for f in fields] for r in rows]


def same(value):
    """Excel keeps 15 significant digits."""
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-14, abs=1e-12)
    return value


def test_failed_write_keeps_the_earlier_workbook(write_json, tmp_path, monkeypatch):
    problem = write_json("t.json", HAND)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"earlier")
    out = tmp_path / "r.json"

    def broken(_src, dst):
        if str(dst) == str(path):
            raise OSError(28, "No space left on device")
        return real_replace(_src, dst)

    real_replace = os.replace
    monkeypatch.setattr("planner.export.os.replace", broken)
    failed = CliRunner().invoke(
        app, ["optimise", "technicians", str(problem), "--out", str(out), "--xlsx", str(path)]
    )
    assert failed.exit_code == 2
    assert f"{path}: cannot write: No space left on device" in failed.output
    assert path.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx", "r.json", "t.json"]


def test_cli_writes_the_workbook_and_names_a_bad_path(write_json, tmp_path):
    problem = write_json("t.json", HAND)
    out, xlsx = tmp_path / "r.json", tmp_path / "plan.xlsx"
    runner = CliRunner()
    ok = runner.invoke(
        app, ["optimise", "technicians", str(problem), "--out", str(out), "--xlsx", str(xlsx)]
    )
    assert ok.exit_code == 0, ok.output
    stations = list(load_workbook(xlsx)["stations"].iter_rows(values_only=True))
    assert stations[1][0] == "S"
    bad = tmp_path / "missing" / "plan.xlsx"
    failed = runner.invoke(
        app, ["optimise", "technicians", str(problem), "--out", str(out), "--xlsx", str(bad)]
    )
    assert failed.exit_code == 2
    assert str(bad) in failed.output and "cannot write" in failed.output
