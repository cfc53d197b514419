"""Every page of the app, driven by Streamlit's own AppTest."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from planner.views import ECONOMICS, FRONTIER, HOOKS, PLAN, PRODUCTS, SITES, STATIONS

ROOT = Path(__file__).resolve().parent.parent


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def test_plan_page_is_the_default_and_shows_every_region():
    at = app()
    assert not at.exception
    assert at.title[0].value.startswith("Service plan")
    regions = at.dataframe[0].value
    assert set(regions[PLAN.labels["market_class"]]) == {"core", "growth", "maintain", "remote"}
    assert (regions[PLAN.labels["emergency_calls"]] > 0).all()
    cards = [df.value for df in at.dataframe if "status" in df.value.columns]
    assert cards and {"met", "NOT MET", ""} >= set().union(*(set(c["status"]) for c in cards))
    assert any("met" in set(c["status"]) for c in cards)


def test_plan_page_shows_installed_base_and_economics():
    at = app()
    money = next(df.value for df in at.dataframe if ECONOMICS.labels["margin"] in df.value.columns)
    labels = ECONOMICS.labels
    assert list(money[labels["region"]])[-1] == "all"
    regions = money.iloc[:-1]
    assert (regions[labels["installed_base"]] > 0).all()
    assert money[labels["installed_base"]].iloc[-1] == regions[labels["installed_base"]].sum()
    margin = regions[labels["revenue"]] - regions[labels["cost"]]
    assert (abs(margin - regions[labels["margin"]]) < 1e-6 * regions[labels["cost"]]).all()
    visits = regions[labels["preventive_visits_per_machine"]]
    assert ((visits >= 0.3) & (visits <= 6)).all()
    assert any("warranty" in e.label and "margin" in e.label for e in at.expander)


def test_plan_page_switches_product_and_region():
    at = app()
    at.selectbox(key="product").set_value("crawler_crane")
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert "Crawler crane" in at.caption[0].value
    at.selectbox(key="region").set_value("tibet").run()
    assert not at.exception
    assert any("Emergency" in e.label for e in at.expander)


def test_plugins_page_lists_products_and_hooks():
    at = AppTest.from_string(
        "from planner.ui.pages import plugins_page\nplugins_page()", default_timeout=60
    ).run()
    assert not at.exception
    products = at.dataframe[0].value
    assert set(products[PRODUCTS.labels["id"]]) >= {"concrete_pump", "crawler_crane", "excavator"}
    hooks = at.dataframe[1].value
    assert "planner_add_products" in set(hooks[HOOKS.labels["hook"]])


def test_core_never_imports_streamlit():
    for path in (ROOT / "planner").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "planner").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), (
                f"{path} imports streamlit"
            )


def stations_app() -> AppTest:
    return AppTest.from_string(
        "from planner.ui.pages import stations_page\nstations_page()", default_timeout=120
    ).run()


def test_stations_page_solves_the_plans_problem_and_offers_the_workbook():
    from planner.actions import allocation
    from planner.models.technicians import TechniciansProblem, TechniciansResult
    from planner.ui import state

    at = stations_app()
    assert not at.exception
    assert at.title[0].value == "Stations and technicians"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Status"] in {"optimal", "feasible"}
    product, region = at.session_state["st_product"], at.session_state["st_region"]
    problem_json = state.technicians_problem_json(product, region)
    problem = TechniciansProblem.from_json(problem_json)
    result = TechniciansResult.from_json(state.solve_technicians_json(problem_json, 30.0))
    expected = allocation(problem, result)
    stations = at.dataframe[0].value
    assert list(stations[STATIONS.labels["station"]]) == [s.id for s in result.stations]
    assert list(stations[STATIONS.labels["technicians"]]) == [
        s.technicians for s in result.stations
    ]
    assert metrics["Technicians"] == str(sum(s.technicians for s in result.stations))
    sites = at.dataframe[1].value
    assert sorted(sites[SITES.labels["site"]]) == sorted(s.id for s in problem.sites)
    assert stations[STATIONS.labels["total_cost"]].sum() == pytest.approx(result.objective)
    assert len(expected.stations) == len(stations)
    labels = [b.label for b in at.get("download_button")]
    assert "Allocation plan (Excel)" in labels


def test_stations_page_switches_region_and_sweeps_the_frontier():
    at = stations_app()
    at.selectbox(key="st_region").set_value("tibet")
    at.button[0].click()  # the inputs form
    at.run()
    assert not at.exception
    assert "tibet" in at.session_state["st_region"]
    # the frontier starts from the new region's own on-site promise
    from planner.models.technicians import TechniciansProblem
    from planner.ui import state

    tibet = TechniciansProblem.from_json(
        state.technicians_problem_json(at.session_state["st_product"], "tibet")
    )
    assert at.text_input(key="st_hours").value == f"{tibet.emergency.onsite_hours:g}"
    at.text_input(key="st_targets").set_value("0.5, 1.0")
    at.text_input(key="st_hours").set_value("2, 48")
    at.button[1].click()  # the frontier form
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(table) == 4
    onsite, target, cost = (
        FRONTIER.labels[f] for f in ("onsite_hours", "coverage_target", "annual_cost")
    )
    assert set(table[onsite]) == {2.0, 48.0}
    # a stricter target never costs less, under the same promise
    for hours, points in table.groupby(onsite):
        costs = points.sort_values(target)[cost].tolist()
        feasible = [c for c in costs if not math.isnan(c)]  # NaN for infeasible points
        assert feasible == sorted(feasible), hours


def test_stations_page_names_a_bad_frontier_value():
    at = stations_app()
    at.text_input(key="st_targets").set_value("0.5, 1.5")
    at.button[1].click()
    at.run()
    assert not at.exception
    assert any("coverage targets: 1.5 is outside [0, 1]" in e.value for e in at.error)


def test_stations_page_names_the_field_of_a_bad_upload():
    from planner.ui.state import read_technicians_problem

    with pytest.raises(ValueError, match=r"bad\.json: .*coverage_target"):
        read_technicians_problem(
            "bad.json",
            b'{"format": "technicians/v1", "service_hours_per_year": 8760,'
            b' "travel_cost_per_hour": 1, "technician": {"annual_cost": 1, "productive_hours": 1},'
            b' "emergency": {"onsite_hours": 1, "coverage_target": 2, "job_hours": 1},'
            b' "sites": [{"id": "A", "emergency_calls": 1, "planned_visits": 0, "planned_hours": 0}],'
            b' "stations": [{"id": "S", "fixed_cost": 1, "max_technicians": 1}],'
            b' "travel_hours": {"S": {"A": 0.5}}}',
        )
