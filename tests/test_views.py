"""Table rows and their label maps: every field labelled, the exports under the labels, the
rows' figures those of the models they come from."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook

from planner import views
from planner.allocation import allocation_tables, allocation_xlsx
from planner.models.status import Status
from planner.models.technicians import (
    StationPlan,
    TechniciansFrontierPoint,
    TechniciansProblem,
    TechniciansResult,
)
from planner.plugins import load_plugins
from planner.scenario import default_regions, default_strategy, plan_product, product_profile
from planner.views import (
    FRONTIER,
    PLAN,
    SITES,
    STATIONS,
    SUMMARY,
    TABLES,
    Table,
    parse_numbers,
)
from tests.problems import HAND

RESULT = TechniciansResult(
    status="optimal",
    objective=15900.0,
    bound=15900.0,
    stations=(StationPlan(id="S", technicians=5, sites=("A", "B")),),
    coverage=0.25,
    gap=0.0,
    solve_seconds=0.5,
)


# ---------------------------------------------------------------------------- label maps


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_field_has_one_label(name):
    table = TABLES[name]
    fields = tuple(f.name for f in dataclasses.fields(table.row))
    assert table.fields == fields  # every field, in column order
    labels = list(table.labels.values())
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == len(labels), f"{name}: two columns under one label"
    assert set(table.kinds) <= set(fields) and set(table.terminal) <= set(fields)


def test_a_table_refuses_a_missing_or_unknown_label():
    @dataclasses.dataclass(frozen=True)
    class Row:
        a: int
        b: float

    with pytest.raises(ValueError, match="labels must name every field"):
        Table(Row, {"a": "A"})
    with pytest.raises(ValueError, match=r"no field\(s\) \['c'\]"):
        Table(Row, {"a": "A", "b": "B"}, kinds={"c": views.Kind.MONEY})


def test_records_are_keyed_by_label_in_table_order():
    row = views.FrontierRow(2.0, 0.5, Status.OPTIMAL, 10.0, 9.0, 0.6, None, 3, 1, "")
    (record,) = FRONTIER.records([row], fields=("annual_cost", "onsite_hours"))
    assert list(record) == ["on-site promise (h)", "annual cost"]
    assert record == {"on-site promise (h)": 2.0, "annual cost": 10.0}
    assert list(FRONTIER.records([row])[0]) == list(FRONTIER.labels.values())


def test_the_terminal_headings_of_the_frontier():
    # the command line's frontier table and its CSV file are read by users: both pinned
    assert list(FRONTIER.terminal.values()) == [
        "on-site h",
        "target",
        "status",
        "annual cost",
        "bound",
        "coverage",
        "techs",
        "stations",
    ]
    assert list(FRONTIER.labels.values())[:3] == [
        "on-site promise (h)",
        "coverage target",
        "status",
    ]


# ---------------------------------------------------------------------------- exports


def workbook(tables) -> dict:
    return {s.title: s for s in load_workbook(io.BytesIO(allocation_xlsx(tables)))}


def test_the_xlsx_headings_are_the_labels():
    problem = TechniciansProblem.model_validate(HAND)
    tables = allocation_tables(problem, RESULT)
    book = workbook(tables)
    stations = [c.value for c in book["stations"][1]]
    sites = [c.value for c in book["sites"][1]]
    assert stations == [STATIONS.labels[f] for f in STATIONS.fields]
    assert sites == [SITES.labels[f] for f in SITES.fields]
    summary = [row[0].value for row in book["summary"].iter_rows()]
    assert summary == [SUMMARY.labels[f] for f in SUMMARY.fields if f != "reason"]
    # and the headings users know, unchanged
    assert stations == [
        "station",
        "technicians",
        "max technicians",
        "on duty",
        "dispatch level",
        "sites",
        "emergency calls / yr",
        "workload hours / yr",
        "technician hours / yr",
        "utilisation",
        "fixed cost / yr",
        "technician cost / yr",
        "travel cost / yr",
        "total cost / yr",
    ]
    assert sites == [
        "site",
        "station",
        "travel hours",
        "within promise",
        "emergency calls / yr",
        "planned visits / yr",
        "planned hours / yr",
        "workload hours / yr",
        "travel cost / yr",
    ]


def test_without_dispatch_the_station_sheet_has_no_dispatch_columns():
    data = {k: v for k, v in HAND.items() if k != "dispatch"}
    problem = TechniciansProblem.model_validate(data)
    tables = allocation_tables(problem, RESULT)
    assert tables.station_fields == views.station_fields(False)
    assert "on_duty" not in tables.station_fields
    assert "dispatch_level" not in tables.station_fields
    (station,) = tables.stations
    assert station.on_duty is None and station.dispatch_level is None
    book = workbook(tables)
    assert [c.value for c in book["stations"][1]] == [
        STATIONS.labels[f] for f in tables.station_fields
    ]
    summary = [row[0].value for row in book["summary"].iter_rows()]
    assert "lowest dispatch level" not in summary
    assert "dispatch service level target" not in summary
    assert summary[-1] == "solve seconds"


def test_the_workbook_formats_numbers_by_kind():
    tables = allocation_tables(TechniciansProblem.model_validate(HAND), RESULT)
    book = workbook(tables)
    formats = {
        heading.value: cell.number_format
        for heading, cell in zip(book["stations"][1], book["stations"][2], strict=True)
    }
    assert formats["total cost / yr"] == "#,##0" and formats["fixed cost / yr"] == "#,##0"
    assert formats["workload hours / yr"] == "#,##0.0"
    assert formats["utilisation"] == "0.0%"
    assert formats["dispatch level"] == "General"  # full precision against the target
    assert formats["emergency calls / yr"] == "General"
    sites = {
        heading.value: cell.number_format
        for heading, cell in zip(book["sites"][1], book["sites"][2], strict=True)
    }
    assert sites["travel hours"] == "#,##0.0" and sites["travel cost / yr"] == "#,##0"


def test_the_summary_of_a_plan_and_of_an_infeasible_result():
    problem = TechniciansProblem.model_validate(HAND)
    summary = allocation_tables(problem, RESULT).summary
    assert summary.has_plan
    assert summary.annual_cost == RESULT.objective  # the result's own figures
    assert summary.coverage == RESULT.coverage and summary.solve_seconds == 0.5
    assert summary.emergency_calls == 40.0 and summary.dispatch_service_level == 0.5
    lines = dict(summary.lines())
    assert lines["annual cost"] == 15900.0 and lines["stations open"] == 1
    assert "reason" not in lines
    infeasible = TechniciansResult(status="infeasible", reason="no plan")
    summary = allocation_tables(problem, infeasible).summary
    assert not summary.has_plan
    assert summary.lines() == [("problem", "hand"), ("status", "infeasible"), ("reason", "no plan")]


# ---------------------------------------------------------------------------- rows


def test_plan_rows_hold_the_reports_figures():
    host = load_plugins()
    product = product_profile(host, "excavator")
    report = plan_product(
        host, product, default_regions(), default_strategy(), only=["east", "tibet"]
    )
    rows = views.plan_rows(report)
    assert [r.region for r in rows] == [rp.plan.region for rp in report.regions]
    for row, rp in zip(rows, report.regions, strict=True):
        p, d = rp.plan, rp.demand
        assert row.market_class == p.market_class.value
        assert row.onsite_hours == p.posture.emergency.onsite_hours
        assert row.emergency_calls == d.emergency_calls
        assert row.labour_hours == pytest.approx(
            d.emergency_hours + d.planned_hours + d.remote_hours
        )
        assert row.annual_cost == pytest.approx(sum(t.annual_cost for t in p.tiers()))
    # the terminal's headings, which users read
    assert list(PLAN.labels.values()) == [
        "region",
        "class",
        "onsite h",
        "coverage",
        "inspections",
        "depth",
        "breadth",
        "calls/yr",
        "visits/yr",
        "labour h/yr",
        "cost CNY/yr",
    ]
    tier = report.regions[0].plan.emergency
    items = views.tier_item_rows(tier)
    assert [i.item for i in items] == [i.name for i in tier.items]
    assert sum(i.annual_cost for i in items) == pytest.approx(tier.annual_cost)
    assert {p.promise for p in views.promise_rows(tier)} == set(tier.promises)
    for card in report.scorecards:
        for row, line in zip(views.score_rows(card), card.lines, strict=True):
            assert row.value == line.value
            assert row.status == {True: "met", False: "NOT MET", None: ""}[line.met]


def test_frontier_rows_hold_the_points_figures():
    points = [
        TechniciansFrontierPoint(
            onsite_hours=2.0,
            coverage_target=0.5,
            status=Status.OPTIMAL,
            cost=1700.0,
            bound=1690.0,
            coverage=0.5,
            dispatch_level=0.9,
            technicians=1,
            stations=("SA",),
        ),
        TechniciansFrontierPoint(
            onsite_hours=2.0, coverage_target=1.0, status=Status.INFEASIBLE, reason="too far"
        ),
    ]
    solved, infeasible = views.frontier_rows(points)
    assert (solved.annual_cost, solved.bound, solved.stations, solved.reason) == (
        1700.0,
        1690.0,
        1,
        "",
    )
    assert (infeasible.annual_cost, infeasible.stations, infeasible.reason) == (None, 0, "too far")


def test_product_and_hook_rows():
    host = load_plugins()
    products = views.product_rows(host.products())
    assert [p.id for p in products] == sorted(host.products())
    hooks = views.hook_rows(host.hooks())
    add = next(h for h in hooks if h.hook == "planner_add_products")
    assert "concrete_pump" in add.plugins.split(", ")


# ---------------------------------------------------------------------------- parse_numbers


def test_parse_numbers_sorts_and_drops_repeats():
    assert parse_numbers("t", "1, 0.5;0.5,, 0", 0, 1) == (0.0, 0.5, 1.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.5,1.2", "t: 1.2 is outside [0, 1]"),
        ("half", "t: 'half' is not a number"),
        (" , ", "t: give at least one value"),
    ],
)
def test_parse_numbers_names_the_bad_value(text, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_numbers("t", text, 0, 1)


def test_economics_rows_per_region_and_all():
    host = load_plugins()
    product = product_profile(host, "excavator")
    report = plan_product(
        host, product, default_regions(), default_strategy(), only=["east", "tibet"]
    )
    rows = views.economics_rows(report)
    assert [r.region for r in rows] == ["east", "tibet", "all"]
    east = report.regions[0].plan
    assert rows[0].installed_base == 3200 == east.installed_base
    assert rows[0].cost == pytest.approx(sum(t.annual_cost for t in east.tiers()))
    assert rows[0].margin == pytest.approx(rows[0].revenue - rows[0].cost)
    total = rows[-1]
    assert total.installed_base == 3200 + 120
    for field in ("cost", "warranty_cost", "revenue", "margin"):
        assert getattr(total, field) == pytest.approx(sum(getattr(r, field) for r in rows[:-1]))
    visits = sum(rp.plan.preventive_visits for rp in report.regions)
    assert total.preventive_visits_per_machine == pytest.approx(visits / 3320)
