"""A scenario's result exported: the workbook's sheets and their rows against the result, the
zip of CSV tables, the JSON, names made safe, and writes that never leave half a file."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile

import pytest
from openpyxl import load_workbook

from planner.scenario import load_scenario, run
from planner.scenario_export import (
    export_file_name,
    export_scenario,
    file_name,
    scenario_tables,
    sheet_name,
    write_export,
)
from planner.views import SITES, STATIONS

SMALL = {
    "kind": "scenario",
    "name": "lean v2",
    "description": "two remote regions",
    "products": ["excavator"],
    "only_regions": ["tibet", "xinjiang"],
    "simulation": {"replications": 2},
}


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(data=SMALL, source="lean.toml"))


@pytest.fixture(scope="module")
def portfolio():
    data = {**SMALL, "name": "portfolio", "products": ["excavator", "crawler_crane"]}
    return run(load_scenario(data=data, source="portfolio.toml"))


def sections(sheet) -> dict[str, list[dict]]:
    """A sheet's tables: each bold title, its header, its rows up to a blank row."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    out: dict[str, list[dict]] = {}
    k = 0
    while k < len(rows):
        if rows[k][0] is None:
            k += 1
            continue
        title, header = rows[k][0], rows[k + 1]
        width = max(i for i, v in enumerate(header) if v is not None) + 1
        header = header[:width]
        k += 2
        body = []
        while k < len(rows) and any(v is not None for v in rows[k]):
            body.append(dict(zip(header, rows[k][:width], strict=True)))
            k += 1
        out[title] = body
    return out


def stock_total(data) -> int:
    return sum(line["quantity"] for line in data["result"]["stock"])


# ------------------------------------------------------------------------------- xlsx


def test_xlsx_sheets_and_summary(result):
    book = load_workbook(io.BytesIO(export_scenario(result, "xlsx")))
    assert book.sheetnames == ["summary", "xinjiang", "tibet", "parts"]
    summary = sections(book["summary"])
    assert set(summary) == {"scenario", "KPIs", "cost by component", "status of the solves"}
    facts = {r["item"]: r["value"] for r in summary["scenario"]}
    assert facts["scenario"] == "lean v2"
    assert facts["description"] == "two remote regions"
    assert facts["products"] == "excavator"
    kpis = {r["KPI"]: (r["value"], r["unit"]) for r in summary["KPIs"]}
    assert kpis["total cost"] == (pytest.approx(result.kpis.cost), "CNY/yr")
    assert kpis["technicians"] == (result.kpis.technicians, "technicians")
    assert kpis["stock units"][0] == result.kpis.stock_units
    costs = {r["component"]: r["CNY/yr"] for r in summary["cost by component"]}
    assert costs["total cost"] == pytest.approx(result.kpis.costs.total)
    assert costs["travel"] == pytest.approx(result.kpis.costs.travel)
    solves = {r["region"]: r["status"] for r in summary["status of the solves"]}
    assert solves == {
        "xinjiang": result.technicians["xinjiang"]["result"]["status"],
        "tibet": result.technicians["tibet"]["result"]["status"],
        "all": result.parts["result"]["status"],
    }


def test_xlsx_region_sheet_rows_equal_the_allocation(result):
    book = load_workbook(io.BytesIO(export_scenario(result, "xlsx")))
    for rid in ("tibet", "xinjiang"):
        tables = sections(book[rid])
        evaluation = result.allocations[rid]
        stations = tables["stations"]
        assert [s[STATIONS.labels["station"]] for s in stations] == [
            s["station"] for s in evaluation["stations"]
        ]
        for row, want in zip(stations, evaluation["stations"], strict=True):
            assert row["technicians"] == want["technicians"]
            assert row["on duty"] == want["on_duty"]
            assert row["utilisation"] == pytest.approx(want["utilisation"])
            assert row["dispatch level"] == pytest.approx(want["dispatch_level"])
            assert row["travel cost / yr"] == pytest.approx(want["travel_cost"])
            total = want["fixed_cost"] + want["technician_cost"] + want["travel_cost"]
            assert row["total cost / yr"] == pytest.approx(total)
        sites = tables["sites served"]
        assert [s[SITES.labels["site"]] for s in sites] == [s["site"] for s in evaluation["sites"]]
        for row, want in zip(sites, evaluation["sites"], strict=True):
            assert row["travel hours"] == pytest.approx(want["travel_hours"])
            assert row["within promise"] == want["within_promise"]
        plan = next(rp.plan for rp in result.plans[0].regions if rp.plan.region == rid)
        preventive = tables["preventive schedule"]
        assert [r["item"] for r in preventive] == [i.name for i in plan.preventive.items]
        assert [r["per year"] for r in preventive] == pytest.approx(
            [i.occurrences_per_year for i in plan.preventive.items]
        )
        (promise,) = tables["promises"]
        e = plan.posture.emergency
        assert promise["on-site h"] == e.onsite_hours
        assert promise["reply h"] == e.reply_hours
        assert promise["repair h"] == e.repair_hours
        assert promise["coverage target"] == pytest.approx(e.coverage_target)
        assert promise["dispatch level target"] == pytest.approx(e.dispatch_service_level)
        assert promise["parts availability target"] == pytest.approx(
            plan.posture.availability_target
        )


def test_xlsx_parts_sheet_totals_equal_the_stock(result):
    book = load_workbook(io.BytesIO(export_scenario(result, "xlsx")))
    parts = sections(book["parts"])
    stock = parts["stock per part and location"]
    assert sum(r["quantity"] for r in stock) == stock_total(result.parts) == result.kpis.stock_units
    assert sum(r["value"] for r in stock) == pytest.approx(result.kpis.investment)
    assert "central" in {r["location"] for r in stock}
    availability = {r["depot"]: r["availability"] for r in parts["parts availability per depot"]}
    assert availability == pytest.approx(result.parts["result"]["availability"])


def test_xlsx_one_region(result):
    book = load_workbook(io.BytesIO(export_scenario(result, "xlsx", region="tibet")))
    assert book.sheetnames == ["summary", "tibet", "parts"]
    parts = sections(book["parts"])
    assert {r["location"] for r in parts["stock per part and location"]} <= {
        "central",
        "DEP-tibet",
    }
    assert [r["depot"] for r in parts["parts availability per depot"]] == ["DEP-tibet"]


def test_one_region_of_a_portfolio_keeps_its_products_depots(portfolio):
    tables = scenario_tables(portfolio, region="tibet")
    stock, availability = tables.parts
    depots = {r.depot for r in availability.rows}
    assert depots == {"DEP-tibet/excavator", "DEP-tibet/crawler_crane"}
    assert {r.location for r in stock.rows} <= depots | {"central"}
    everything = scenario_tables(portfolio).parts[0].rows
    assert sum(r.quantity for r in everything) == portfolio.kpis.stock_units
    region = next(o for o in portfolio.regions if o.region == "tibet")
    depot_units = sum(r.quantity for r in stock.rows if r.location != "central")
    assert depot_units == region.stock_units
    (preventive, promises) = tables.regions["tibet"][3:5]
    assert {r.product for r in preventive.rows} == {"excavator", "crawler_crane"}
    assert [r.product for r in promises.rows] == ["excavator", "crawler_crane"]


def test_unknown_region_names_it_and_the_known_ones(result):
    with pytest.raises(ValueError, match=r"'lhasa'.*xinjiang, tibet"):
        export_scenario(result, "xlsx", region="lhasa")
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export_scenario(result, "pdf")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- csv, json


def test_csv_zip_members_and_rows(result):
    archive = zipfile.ZipFile(io.BytesIO(export_scenario(result, "csv")))
    names = archive.namelist()
    assert names[:4] == [
        "summary-scenario.csv",
        "summary-kpis.csv",
        "summary-costs.csv",
        "summary-solves.csv",
    ]
    for rid in ("xinjiang", "tibet"):
        for table in ("region", "stations", "sites", "preventive", "promises"):
            assert f"{rid}-{table}.csv" in names
    assert names[-2:] == ["parts-stock.csv", "parts-availability.csv"]
    assert len(names) == len(set(names))
    rows = list(csv.DictReader(io.StringIO(archive.read("tibet-stations.csv").decode())))
    want = result.allocations["tibet"]["stations"]
    assert [r["station"] for r in rows] == [s["station"] for s in want]
    assert [int(r["technicians"]) for r in rows] == [s["technicians"] for s in want]
    assert [float(r["utilisation"]) for r in rows] == pytest.approx(
        [s["utilisation"] for s in want]
    )
    stock = list(csv.DictReader(io.StringIO(archive.read("parts-stock.csv").decode())))
    assert sum(int(r["quantity"]) for r in stock) == stock_total(result.parts)


def test_csv_one_region(result):
    archive = zipfile.ZipFile(io.BytesIO(export_scenario(result, "csv", region="xinjiang")))
    names = archive.namelist()
    assert not [n for n in names if n.startswith("tibet")]
    assert "xinjiang-sites.csv" in names


def test_json_whole_scenario_and_one_region(result):
    data = json.loads(export_scenario(result, "json"))
    assert set(data) == {"scenario", "region", "summary", "regions", "parts"}
    assert data["scenario"] == "lean v2" and data["region"] is None
    assert set(data["summary"]) == {"scenario", "kpis", "costs", "solves"}
    assert list(data["regions"]) == ["xinjiang", "tibet"]
    tibet = data["regions"]["tibet"]
    assert set(tibet) == {"region", "stations", "sites", "preventive", "promises"}
    assert [s["station"] for s in tibet["stations"]] == [
        s["station"] for s in result.allocations["tibet"]["stations"]
    ]
    assert tibet["stations"][0]["on_duty"] == result.allocations["tibet"]["stations"][0]["on_duty"]
    assert sum(s["quantity"] for s in data["parts"]["stock"]) == stock_total(result.parts)
    one = json.loads(export_scenario(result, "json", region="tibet"))
    assert one["region"] == "tibet"
    assert list(one["regions"]) == ["tibet"]
    assert [a["depot"] for a in one["parts"]["availability"]] == ["DEP-tibet"]


# ------------------------------------------------------------------------------- names

HOSTILE = ["a/b", "c:d", "e*f", "..", "../../etc/passwd", "x" * 40, "[q]?\\", "'quoted'", ""]


def test_sheet_names_are_safe_and_unique():
    taken = {"summary", "parts"}
    names = [sheet_name(n, taken) for n in [*HOSTILE, "x" * 40, "x" * 35, "Summary", "history"]]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")
        assert name.casefold() not in {"summary", "parts", "history"}
    assert names[0] == "a_b"
    assert names[5] == "x" * 31
    assert names[9] == "x" * 29 + "~2"  # 40 x's again, the same after truncation
    assert names[10] == "x" * 29 + "~3"


def test_file_names_are_safe_and_unique():
    taken: set[str] = set()
    names = [file_name(n, taken, ".csv") for n in [*HOSTILE, "x" * 200, "x" * 201, "CON", "A/B"]]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert name.endswith(".csv")
        assert len(name) <= 100
        assert "/" not in name and "\\" not in name and ".." not in name
        assert not name.startswith(".")
        assert set(name) <= set(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-~"
        )
    assert names[0] == "a_b.csv"
    assert names[4] == "etc_passwd.csv"
    assert names[-2] == "_CON.csv"


def test_hostile_scenario_name_in_the_exports(result):
    name = "../lean: v2 */" + "z" * 40
    hostile = result.model_copy(
        update={"scenario": result.scenario.model_copy(update={"name": name})}
    )
    book = load_workbook(io.BytesIO(export_scenario(hostile, "xlsx")))
    facts = {r["item"]: r["value"] for r in sections(book["summary"])["scenario"]}
    assert facts["scenario"] == name  # the value itself is kept
    assert json.loads(export_scenario(hostile, "json"))["scenario"] == name
    archive = zipfile.ZipFile(io.BytesIO(export_scenario(hostile, "csv")))
    assert all("/" not in n and ".." not in n for n in archive.namelist())
    file = export_file_name(hostile, "csv", region="tibet")
    assert file.endswith(".zip") and "/" not in file and not file.startswith(".")
    assert export_file_name(result, "xlsx") == "lean_v2.xlsx"


def test_region_ids_that_collide_after_truncation_get_distinct_sheets(result):
    """Region ids are up to 64 characters: two that share their first 31 get two sheets."""
    long_a, long_b = "r" * 40 + "a", "r" * 40 + "b"
    rename = {"xinjiang": long_a, "tibet": long_b}
    hostile = result.model_copy(
        update={
            "regions": tuple(
                o.model_copy(update={"region": rename[o.region]}) for o in result.regions
            ),
            "allocations": {rename[k]: v for k, v in result.allocations.items()},
            "technicians": {rename[k]: v for k, v in result.technicians.items()},
        }
    )
    book = load_workbook(io.BytesIO(export_scenario(hostile, "xlsx")))
    assert book.sheetnames == ["summary", "r" * 31, "r" * 29 + "~2", "parts"]
    assert [s["station"] for s in sections(book["r" * 29 + "~2"])["stations"]] == [
        s["station"] for s in result.allocations["tibet"]["stations"]
    ]
    archive = zipfile.ZipFile(io.BytesIO(export_scenario(hostile, "csv")))
    assert f"{long_a}-stations.csv" in archive.namelist()
    assert f"{long_b}-stations.csv" in archive.namelist()


# ------------------------------------------------------------------------------- writing


def test_write_export_writes_the_bytes(result, tmp_path):
    path = write_export(result, "json", tmp_path / "lean.json")
    assert path.read_bytes() == export_scenario(result, "json")
    assert os.listdir(tmp_path) == ["lean.json"]


def test_a_path_that_is_a_directory_fails_clearly_and_leaves_nothing(result, tmp_path):
    target = tmp_path / "out.xlsx"
    target.mkdir()
    with pytest.raises(OSError, match=r"cannot write the xlsx export to .*out\.xlsx"):
        write_export(result, "xlsx", target)
    assert target.is_dir()
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_a_missing_directory_fails_clearly(result, tmp_path):
    with pytest.raises(FileNotFoundError, match="cannot write the csv export"):
        write_export(result, "csv", tmp_path / "nowhere" / "out.zip")


def test_a_failed_write_leaves_the_existing_file_untouched(result, tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("the previous export")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError, match="cannot write the json export .*Permission denied"):
        write_export(result, "json", target)
    monkeypatch.undo()
    assert target.read_text() == "the previous export"
    assert os.listdir(tmp_path) == ["out.json"]  # no temporary file left behind


def test_a_bad_region_writes_nothing(result, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("the previous export")
    with pytest.raises(ValueError, match="'lhasa'"):
        write_export(result, "json", target, region="lhasa")
    assert target.read_text() == "the previous export"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory_leaves_the_existing_file_untouched(result, tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match="cannot write the xlsx export"):
            write_export(result, "xlsx", target)
    finally:
        tmp_path.chmod(0o755)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.xlsx"]


def test_export_file_name_takes_the_saved_name_and_the_region(result):
    assert export_file_name(result, "xlsx") == "lean_v2.xlsx"  # the scenario's own name
    assert export_file_name(result, "csv", "tibet", "../East plan v3") == "East_plan_v3-tibet.zip"
    assert export_file_name(result, "json", None, "today-v1") == "today-v1.json"
