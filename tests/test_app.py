"""Every page of the app, driven by Streamlit's own AppTest.

One module-wide session runs the bundled cost-cutting scenario (with few simulation
replications, to be quick) from the Scenario page; the other pages are visited in it.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from planner import views
from planner.models.scenario import ScenarioResult
from planner.store import ENV, open_store
from planner.views import (
    CHECK,
    COSTS,
    ECONOMICS,
    FRONTIER,
    HOOKS,
    PLAN,
    PRODUCTS,
    REGIONS,
    SITES,
    STATIONS,
)

ROOT = Path(__file__).resolve().parent.parent
LEAN = "Excavators: cost-cutting plan"
PAGES = ("plan", "network", "parts", "tradeoff", "check")


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()


def run_lean(at: AppTest, replications: int = 3, **changes: float | None) -> AppTest:
    """Choose the lean scenario, change the form's fields (by key) and press Run."""
    at.selectbox(key="sc_choice").set_value(LEAN).run()
    at.number_input(key="sc_replications").set_value(replications)
    for key, value in changes.items():
        at.number_input(key=key).set_value(value)
    at.button[0].click().run()  # the form's Run button
    assert not at.exception
    return at


def result_of(at: AppTest) -> ScenarioResult:
    key = at.session_state["current"]
    return ScenarioResult.model_validate_json(at.session_state["runs"][key])


def visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"planner/ui/{page}.py").run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.fixture(scope="module", autouse=True)
def store_url(tmp_path_factory) -> str:
    """Every test's app saves in a temporary store (never the user's own)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV, url)
        yield url


@pytest.fixture(scope="module")
def ran() -> AppTest:
    return run_lean(app())


def save_as(at: AppTest, name: str) -> AppTest:
    """Save the current run under ``name`` with the Scenario page's form."""
    at.text_input(key="sc_save_name").set_value(name)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    return at


# ---------------------------------------------------------------------------- scenario


def test_scenario_page_is_the_default_and_prefills_the_form():
    at = app()
    assert not at.exception
    assert at.title[0].value == "Scenario"
    assert at.selectbox(key="sc_choice").value == "Excavators: today's network"
    # today's scenario keeps the strategy chain's targets: the fields are empty
    assert at.number_input(key="sc_core_coverage").value is None
    assert at.number_input(key="sc_replications").value == 30
    at.selectbox(key="sc_choice").set_value(LEAN).run()
    assert at.number_input(key="sc_core_coverage").value == pytest.approx(85.0)
    assert at.number_input(key="sc_core_onsite_hours").value == pytest.approx(8.0)
    assert at.number_input(key="sc_remote_availability").value == pytest.approx(99.0)
    assert at.number_input(key="sc_dispatch").value == pytest.approx(70.0)
    assert not at.metric  # nothing has run yet


@pytest.mark.parametrize("page", PAGES)
def test_pages_before_a_run_point_to_the_scenario_page(page):
    at = visit(app(), page)
    assert any("Scenario page" in info.value for info in at.info)
    assert not at.dataframe


def test_run_shows_kpis_with_units_costs_regions_and_scorecards(ran):
    at = ran
    result = result_of(at)
    assert result.scenario.name == LEAN
    assert result.simulation["replications"] == 3
    shown = metrics(at)
    assert shown["Total cost (CNY a year)"] == f"{result.kpis.cost / 1e6:,.1f} M"
    assert shown["Technicians"] == str(result.kpis.technicians)
    assert shown["Calls within the promise (%)"] == f"{100 * result.kpis.coverage:.1f} %"
    costs = frame(at, COSTS.labels["amount"])
    assert list(costs[COSTS.labels["component"]]) == [r.component for r in views.cost_rows(result)]
    assert list(costs[COSTS.labels["amount"]]) == pytest.approx(
        [r.amount for r in views.cost_rows(result)]
    )
    regions = frame(at, REGIONS.labels["technicians"])
    assert list(regions[REGIONS.labels["region"]]) == [r.region for r in result.regions]
    assert regions[REGIONS.labels["technicians"]].sum() == result.kpis.technicians
    scores = list(views.SCORES.labels.values())
    cards = [df.value for df in at.dataframe if list(df.value.columns) == scores]
    assert cards and {"met", "NOT MET", ""} >= set().union(*(set(c["status"]) for c in cards))
    assert any("met" in set(c["status"]) for c in cards)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the result (JSON)" in labels


def test_a_changed_target_changes_the_kpis_and_the_same_inputs_do_not_run_again():
    at = run_lean(app())
    first = result_of(at)
    at.number_input(key="sc_dispatch").set_value(95.0)
    at.button[0].click().run()
    assert not at.exception
    stricter = result_of(at)
    assert stricter.scenario.targets.dispatch_level == pytest.approx(0.95)
    assert stricter.kpis.technicians > first.kpis.technicians
    assert metrics(at)["Technicians"] == str(stricter.kpis.technicians)
    assert len(at.session_state["runs"]) == 2
    # back to the scenario's own level: the stored result, not a new run
    at.number_input(key="sc_dispatch").set_value(70.0)
    at.button[0].click().run()
    assert any("run before" in s.value for s in at.success)
    assert len(at.session_state["runs"]) == 2
    assert result_of(at).model_dump_json() == first.model_dump_json()
    assert metrics(at)["Technicians"] == str(first.kpis.technicians)


def test_an_unreachable_target_says_what_is_wrong_next_to_the_form():
    at = run_lean(app(), sc_remote_onsite_hours=0.5, sc_remote_coverage=100.0)
    assert not at.exception
    assert at.error, "an infeasible target shows a message"
    assert "targets.classes.remote" in at.error[0].value
    assert not at.metric


def test_an_uploaded_scenario_runs_and_a_bad_one_names_its_field():
    at = app()
    at.selectbox(key="sc_choice").set_value("Upload a scenario file…").run()
    uploader = at.file_uploader[0]
    uploader.set_value(("broken.toml", b"kind = 'scenario'\nname = [", "application/toml")).run()
    assert not at.exception
    assert any("broken.toml: invalid TOML" in e.value for e in at.error)
    bad = (
        b'kind = "scenario"\nname = "bad"\nproducts = ["excavator"]\n'
        b"[targets.classes.core]\ncoverage = 2.0\n"
    )
    at.file_uploader[0].set_value(("bad.toml", bad, "application/toml")).run()
    assert any("bad.toml: targets.classes.core.coverage" in e.value for e in at.error)
    good = {
        "kind": "scenario",
        "name": "Uploaded",
        "products": ["excavator"],
        "only_regions": ["tibet"],
        "targets": {"classes": {"remote": {"coverage": 0.75}}},
        "simulation": {"replications": 2},
    }
    at.file_uploader[0].set_value(("mine.json", json.dumps(good).encode(), "application/json"))
    at.run()
    assert at.number_input(key="sc_remote_coverage").value == pytest.approx(75.0)
    at.button[0].click().run()
    assert not at.exception and not at.error
    result = result_of(at)
    assert result.source == "mine.json"
    assert [r.region for r in result.regions] == ["tibet"]


def test_a_run_is_saved_under_a_name_and_each_save_adds_a_version(ran, store_url):
    at = visit(ran, "scenario")
    result = result_of(at)
    assert at.text_input(key="sc_save_name").value == LEAN  # the scenario's name by default
    with open_store(store_url) as store:
        location = store.location
    assert any(location in c.value for c in at.caption)
    save_as(at, "lean A")
    assert [s.value for s in at.success] == [f"saved lean A version 1 in {location}"]
    save_as(at, "lean A")
    assert any(s.value == f"saved lean A version 2 in {location}" for s in at.success)
    with open_store(store_url) as store:
        listed = {s.name: s.versions for s in store.names()}
        saved = store.load("lean A")
    assert listed["lean A"] == 2
    assert saved.info.number == 2
    assert saved.result.model_dump_json() == result.model_dump_json()
    assert saved.inputs == result.scenario.model_dump(mode="json")
    at.text_input(key="sc_save_name").set_value("  ")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("give the run a name" in e.value for e in at.error)


def test_a_store_that_cannot_be_opened_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a database at all")
    monkeypatch.setenv(ENV, f"sqlite:///{corrupt}")
    at = run_lean(app())
    assert not at.exception
    assert any("not a scenario store" in e.value for e in at.error)
    assert corrupt.read_bytes() == b"not a database at all"
    assert metrics(at)  # the result is still shown


# ---------------------------------------------------------------------------- plan


def test_plan_page_shows_every_region_economics_tiers_and_reasons(ran):
    at = visit(ran, "plan")
    assert at.title[0].value.startswith("Plan")
    result = result_of(at)
    regions = frame(at, PLAN.labels["inspections"])
    assert set(regions[PLAN.labels["market_class"]]) == {"core", "growth", "maintain", "remote"}
    assert (regions[PLAN.labels["emergency_calls"]] > 0).all()
    # the scenario's targets reached the plan: core regions promise 8 h on site
    core = regions[regions[PLAN.labels["market_class"]] == "core"]
    assert set(core[PLAN.labels["onsite_hours"]]) == {8.0}
    money = frame(at, ECONOMICS.labels["margin"])
    labels = ECONOMICS.labels
    assert list(money[labels["region"]])[-1] == "all"
    by_region = money.iloc[:-1]
    assert (by_region[labels["installed_base"]] > 0).all()
    assert money[labels["installed_base"]].iloc[-1] == by_region[labels["installed_base"]].sum()
    margin = by_region[labels["revenue"]] - by_region[labels["cost"]]
    assert (abs(margin - by_region[labels["margin"]]) < 1e-6 * by_region[labels["cost"]]).all()
    visits = by_region[labels["preventive_visits_per_machine"]]
    assert ((visits >= 0.3) & (visits <= 6)).all()
    assert any("warranty" in e.label and "margin" in e.label for e in at.expander)
    reasons = " ".join(m.value for m in at.markdown)
    plan = result.plans[0].regions[0].plan
    assert f"**Market class** {plan.market_class.value}" in reasons
    assert f"**strategic role** {plan.role.value}" in reasons
    assert f"**Preventive depth** {plan.posture.preventive.depth}" in reasons
    at.selectbox(key="plan_region").set_value("tibet").run()
    assert not at.exception
    assert any("Emergency" in e.label for e in at.expander)
    assert any(s.value.startswith("tibet:") for s in at.subheader)


# ---------------------------------------------------------------------------- network


def test_network_page_draws_the_region_and_tables_its_stations_and_sites(ran):
    at = visit(ran, "network")
    assert at.title[0].value == "Network"
    result = result_of(at)
    region = at.selectbox(key="net_region").value
    (chart,) = charts(at)
    assert chart["title"].endswith("sites, stations, assignments")
    text = json.dumps(chart)
    assert "longitude (\\u00b0E)" in text or "longitude (°E)" in text
    assert "tiles" not in text and "http" not in json.dumps(chart.get("datasets", {}))
    geography = result.network[region]
    opened = [s for s in geography["stations"] if s["open"]]
    stations = frame(at, STATIONS.labels["max_technicians"])
    assert sorted(stations[STATIONS.labels["station"]]) == sorted(s["id"] for s in opened)
    assert stations[STATIONS.labels["technicians"]].sum() == sum(s["technicians"] for s in opened)
    objective = result.technicians[region]["result"]["objective"]
    assert stations[STATIONS.labels["total_cost"]].sum() == pytest.approx(objective)
    sites = frame(at, SITES.labels["within_promise"])
    assert sorted(sites[SITES.labels["site"]]) == sorted(s["id"] for s in geography["sites"])
    assert metrics(at)["Technicians"] == str(sum(s["technicians"] for s in opened))
    assert "Allocation plan (Excel)" in [b.label for b in at.get("download_button")]
    at.selectbox(key="net_region").set_value("tibet").run()
    assert not at.exception
    tibet = frame(at, STATIONS.labels["max_technicians"])
    assert set(tibet[STATIONS.labels["station"]]) <= {
        s["id"] for s in result.network["tibet"]["stations"]
    }


# ---------------------------------------------------------------------------- parts


def test_parts_page_shows_stock_availability_and_the_curve(ran):
    at = visit(ran, "parts")
    result = result_of(at)
    plan = result.parts["result"]
    stock = frame(at, "total (units)")
    assert stock["total (units)"].sum() == sum(line["quantity"] for line in plan["stock"])
    assert stock["stock value (CNY)"].sum() == pytest.approx(plan["investment"])
    depots = frame(at, "availability target")
    assert dict(zip(depots["depot"], depots["availability"], strict=True)) == pytest.approx(
        plan["availability"]
    )
    assert set(depots["target met"]) == {"yes"}
    (chart,) = charts(at)
    assert chart["title"] == "Parts: stock value against availability"
    text = json.dumps(chart)
    assert "stock value (CNY)" in text and "this scenario" in text


# ---------------------------------------------------------------------------- trade-off


def test_tradeoff_page_sweeps_cost_against_coverage_and_availability(ran):
    at = visit(ran, "tradeoff")
    assert not at.error
    titles = [c["title"] for c in charts(at)]
    assert len(titles) == 2 and "cost against coverage" in titles[0]
    at.selectbox(key="to_region").set_value("tibet").run()
    at.text_input(key="to_targets").set_value("0.5, 1.0")
    at.text_input(key="to_hours").set_value("2, 72")
    at.button[0].click().run()  # the sweep form
    assert not at.exception
    table = frame(at, FRONTIER.labels["bound"])
    assert len(table) == 4
    onsite, target, cost, status = (
        FRONTIER.labels[f] for f in ("onsite_hours", "coverage_target", "annual_cost", "status")
    )
    assert set(table[onsite]) == {2.0, 72.0}
    assert set(table[status]) <= {"optimal", "feasible", "infeasible"}
    # a stricter target never costs less, under the same promise
    for hours, points in table.groupby(onsite):
        costs = points.sort_values(target)[cost].tolist()
        feasible = [c for c in costs if not math.isnan(c)]  # NaN for infeasible points
        assert feasible == sorted(feasible), hours


def test_tradeoff_page_names_a_bad_value(ran):
    at = visit(ran, "tradeoff")
    at.text_input(key="to_targets").set_value("0.5, 1.5")
    at.button[0].click().run()
    assert not at.exception
    assert any("coverage targets: 1.5 is outside [0, 1]" in e.value for e in at.error)
    at.text_input(key="to_targets").set_value("0.6, 1.0").run()


# ---------------------------------------------------------------------------- check


def test_check_page_tables_every_check_row_and_marks_disagreements(ran):
    at = visit(ran, "check")
    result = result_of(at)
    table = frame(at, CHECK.labels["agrees"])
    assert list(zip(table[CHECK.labels["kpi"]], table[CHECK.labels["region"]], strict=True)) == [
        (c.kpi, c.region) for c in result.check
    ]
    assert list(table[CHECK.labels["agrees"]]) == [
        "yes" if c.agrees else "NO" for c in result.check
    ]
    assert list(table[CHECK.labels["simulated"]]) == pytest.approx(
        [c.simulated for c in result.check]
    )
    (chart,) = charts(at)
    assert "95 % interval" in chart["title"]
    off = [c for c in result.check if not c.agrees]
    if off:
        notes = " ".join(m.value for m in at.markdown)
        assert all(c.note in notes for c in off if c.note)


# ---------------------------------------------------------------------------- plugins


def test_plugins_page_lists_products_and_hooks():
    at = visit(app(), "plugins")
    products = at.dataframe[0].value
    assert set(products[PRODUCTS.labels["id"]]) >= {"concrete_pump", "crawler_crane", "excavator"}
    hooks = at.dataframe[1].value
    assert "planner_add_products" in set(hooks[HOOKS.labels["hook"]])


# ---------------------------------------------------------------------------- compare

TIBET = {
    "kind": "scenario",
    "products": ["excavator"],
    "only_regions": ["tibet", "xinjiang"],
    "simulation": {"replications": 2},
}


@pytest.fixture(scope="module")
def two_saved(store_url):
    """'today' and 'dear' (dearer technicians in Tibet), saved in the app's store by the
    core; their results, to check the pages against."""
    from planner.scenario import load_scenario, run

    results = {}
    for name, cost in [("today", 120000.0), ("dear", 400000.0)]:
        data = {**TIBET, "name": name}
        data["overrides"] = {"regions.tibet.technician.annual_cost": cost}
        loaded = load_scenario(data=data, source=f"{name}.toml")
        results[name] = run(loaded)
        with open_store(store_url) as store:
            store.save(name, loaded.scenario.model_dump(mode="json"), results[name])
    return results


def baseline_box(at: AppTest):
    return next(b for b in at.selectbox if b.label.startswith("Baseline"))


def amount(text: str) -> float:
    return float(text.replace(",", "").replace(" %", "").replace(" pp", ""))


def test_compare_page_tables_values_and_deltas_of_saved_scenarios(two_saved):
    at = visit(app(), "comparison")
    assert at.title[0].value == "Compare"
    at.multiselect(key="cmp_names").set_value(["today", "dear"]).run()
    assert not at.exception
    assert baseline_box(at).value == "today v1"
    table = at.dataframe[0].value
    assert list(table.columns[3:]) == ["today v1", "dear v1", "Δ dear v1"]
    today, dear = two_saved["today"].kpis, two_saved["dear"].kpis
    by_metric = {(r["metric"], r["region"]): r for r in table.to_dict("records")}
    total = by_metric[("total cost", "")]
    assert amount(total["today v1"]) == pytest.approx(today.cost, abs=0.5)
    assert amount(total["Δ dear v1"]) == pytest.approx(dear.cost - today.cost, abs=0.5)
    coverage = by_metric[("coverage", "")]
    assert amount(coverage["Δ dear v1"]) == pytest.approx(
        100 * (dear.coverage - today.coverage), abs=0.006
    )
    tibet = {o.region: o for o in two_saved["dear"].regions}["tibet"]
    assert amount(by_metric[("technicians", "tibet")]["dear v1"]) == tibet.technicians
    specs = charts(at)
    assert {s["title"]["text"] if isinstance(s["title"], dict) else s["title"] for s in specs} >= {
        "Annual cost by component",
        "Change against the baseline (today v1)",
    }
    # the other baseline turns the deltas round
    baseline_box(at).set_value("dear v1").run()
    flipped = {(r["metric"], r["region"]): r for r in at.dataframe[0].value.to_dict("records")}
    assert amount(flipped[("total cost", "")]["Δ today v1"]) == pytest.approx(
        today.cost - dear.cost, abs=0.5
    )


def test_compare_and_export_pages_with_nothing_saved_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    for page in ("comparison", "exports"):
        at = visit(app(), page)
        assert any("Nothing is saved yet" in i.value for i in at.info)
        assert not at.dataframe


# ---------------------------------------------------------------------------- export


def test_export_page_offers_three_files_and_previews_a_region(two_saved):
    at = visit(app(), "exports")
    assert at.title[0].value == "Export"
    at.selectbox(key="exp_name").set_value("dear").run()
    buttons = [b.proto.label for b in at.get("download_button")]
    assert buttons == ["Download XLSX", "Download CSV (zip)", "Download JSON"]
    assert any("summary, " in c.value and ", parts" in c.value for c in at.caption)
    kpis = frame(at, "KPI").set_index("KPI")["value"]  # the summary's KPIs, by their units
    assert kpis["coverage"] == f"{100 * two_saved['dear'].kpis.coverage:.2f} %"
    assert kpis["technicians"] == f"{two_saved['dear'].kpis.technicians:,}"
    radio = next(r for r in at.selectbox if r.key.startswith("exp_region:dear:"))
    radio.set_value("tibet").run()
    assert not at.exception
    result = two_saved["dear"]
    tibet = {o.region: o for o in result.regions}["tibet"]
    cells = {str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col]}
    assert set(tibet.stations) <= cells  # the region's stations are in the preview
    assert not any("xinjiang" in c.value and "parts" in c.value for c in at.caption)


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


def test_the_ui_calls_no_solver_directly():
    for path in (ROOT / "planner" / "ui").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("planner.optimise"), f"{path} imports a solver"
