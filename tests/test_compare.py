"""Saved scenarios compared: every delta worked out by hand from the results, the baseline's
choice, a region in one scenario only, and the JSON's shape."""

from __future__ import annotations

import json

import pytest

from planner.compare import (
    COMPARISON,
    METRICS,
    REGION_METRICS,
    Comparison,
    compare,
    comparison_grid,
    comparison_rows,
    shown_value,
)
from planner.scenario import load_scenario, run

BASE = {
    "kind": "scenario",
    "name": "lean",
    "products": ["excavator"],
    "only_regions": ["tibet"],
    "simulation": {"replications": 2},
}


@pytest.fixture(scope="module")
def lean():
    return run(load_scenario(data=BASE, source="lean.toml"))


@pytest.fixture(scope="module")
def wider():
    """Two regions (xinjiang only here) and a higher dispatch level."""
    data = {**BASE, "name": "wider", "only_regions": ["tibet", "xinjiang"]}
    data["targets"] = {"dispatch_level": 0.9}
    return run(load_scenario(data=data, source="wider.toml"))


SCENARIO_WIDE = {
    "cost_stations": lambda r: r.kpis.costs.stations,
    "cost_technicians": lambda r: r.kpis.costs.technicians,
    "cost_travel": lambda r: r.kpis.costs.travel,
    "cost_parts_holding": lambda r: r.kpis.costs.parts_holding,
    "cost_parts_used_and_offers": lambda r: r.kpis.costs.service_other,
    "total_cost": lambda r: r.kpis.costs.total,
    "parts_investment": lambda r: r.kpis.costs.parts_investment,
    "warranty": lambda r: r.kpis.costs.warranty,
    "revenue": lambda r: r.kpis.costs.revenue,
    "margin": lambda r: r.kpis.costs.margin,
    "coverage": lambda r: r.kpis.coverage,
    "dispatch_level": lambda r: r.kpis.dispatch_level,
    "fill_rate": lambda r: r.kpis.fill_rate,
    "availability": lambda r: r.kpis.availability,
    "technicians": lambda r: r.kpis.technicians,
    "stations": lambda r: r.kpis.stations,
    "stock_units": lambda r: r.kpis.stock_units,
}


def region(result, rid):
    return next(o for o in result.regions if o.region == rid)


def test_every_scenario_metric_and_its_delta_by_hand(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)])
    assert c.baseline == "lean v2"
    assert c.scenarios == ("lean v2", "wider")
    for metric, get in SCENARIO_WIDE.items():
        row = c.row(metric)
        assert row.region is None
        assert row.unit == METRICS[metric][1]
        assert row.values == {"lean v2": get(lean), "wider": get(wider)}
        assert row.deltas["lean v2"] == 0
        assert row.deltas["wider"] == pytest.approx(get(wider) - get(lean), abs=1e-9)
    # the two scenarios really differ: a wider network costs more and holds more
    assert c.row("technicians").deltas["wider"] == wider.kpis.technicians - lean.kpis.technicians
    assert c.row("technicians").deltas["wider"] > 0
    assert c.row("stock_units").deltas["wider"] > 0
    assert c.row("total_cost").deltas["wider"] > 0


def test_per_region_rows(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)])
    assert c.regions == ("tibet", "xinjiang")
    t_lean, t_wide = region(lean, "tibet"), region(wider, "tibet")
    row = c.row("technicians", "tibet")
    assert row.key == "technicians@tibet"
    assert row.values == {"lean v2": t_lean.technicians, "wider": t_wide.technicians}
    assert row.deltas == {"lean v2": 0, "wider": t_wide.technicians - t_lean.technicians}
    units = c.row("stock_units", "tibet")
    assert units.deltas["wider"] == t_wide.stock_units - t_lean.stock_units
    value = c.row("stock_value", "tibet")
    assert value.unit == "CNY"
    assert value.deltas["wider"] == pytest.approx(t_wide.investment - t_lean.investment)
    assert {r.metric for r in c.rows if r.region == "tibet"} == set(REGION_METRICS)


def test_a_region_missing_from_a_scenario_has_no_value_and_no_delta(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)])
    x = region(wider, "xinjiang")
    row = c.row("technicians", "xinjiang")
    assert row.values == {"lean v2": None, "wider": x.technicians}
    assert row.deltas == {"lean v2": None, "wider": None}
    # with the wider scenario as baseline the region is missing from the other one
    c2 = compare([("lean v2", lean), ("wider", wider)], baseline="wider")
    row = c2.row("stock_units", "xinjiang")
    assert row.deltas == {"lean v2": None, "wider": 0}


def test_baseline_choice(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)], baseline="wider")
    assert c.baseline == "wider"
    assert c.scenarios == ("lean v2", "wider")
    row = c.row("total_cost")
    assert row.deltas["wider"] == 0
    assert row.deltas["lean v2"] == pytest.approx(lean.kpis.costs.total - wider.kpis.costs.total)
    t = c.row("technicians", "tibet")
    assert (
        t.deltas["lean v2"]
        == region(lean, "tibet").technicians - region(wider, "tibet").technicians
    )


def test_unknown_baseline_names_it_and_the_known_names(lean, wider):
    with pytest.raises(ValueError, match=r"'five star'.*'lean v2'.*'wider'"):
        compare([("lean v2", lean), ("wider", wider)], baseline="five star")


def test_no_scenarios_or_a_name_twice_is_refused(lean):
    with pytest.raises(ValueError, match="at least one"):
        compare([])
    with pytest.raises(ValueError, match="'lean v2'"):
        compare([("lean v2", lean), ("lean v2", lean)])


def test_one_scenario_compares_with_itself(lean):
    c = compare([("only", lean)])
    assert all(set(r.deltas.values()) <= {0} for r in c.rows)


def test_the_comparison_is_frozen(lean):
    c = compare([("lean v2", lean)])
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen error
        c.baseline = "other"  # type: ignore[misc]


def test_json_shape(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)])
    data = json.loads(json.dumps(c.to_jsonable()))
    assert set(data) == {"baseline", "scenarios", "rows", "deltas"}
    assert data["baseline"] == "lean v2"
    assert data["scenarios"] == ["lean v2", "wider"]
    keys = [row["key"] for row in data["rows"]]
    assert keys[: len(SCENARIO_WIDE)] == list(SCENARIO_WIDE)
    assert "technicians@tibet" in keys and "stock_value@xinjiang" in keys
    assert len(keys) == len(set(keys))
    first = data["rows"][0]
    assert set(first) == {"metric", "unit", "region", "values", "deltas", "key"}
    assert set(data["deltas"]) == {"lean v2", "wider"}
    assert set(data["deltas"]["wider"]) == set(keys)
    assert data["deltas"]["wider"]["technicians"] == (
        wider.kpis.technicians - lean.kpis.technicians
    )
    assert data["deltas"]["wider"]["technicians@xinjiang"] is None
    assert (
        Comparison.model_validate(
            {k: data[k] for k in ("baseline", "scenarios")}
            | {"rows": [{k: v for k, v in r.items() if k != "key"} for r in data["rows"]]}
        )
        == c
    )


def test_view_rows_one_per_metric_and_scenario(lean, wider):
    c = compare([("lean v2", lean), ("wider", wider)])
    rows = comparison_rows(c)
    assert len(rows) == 2 * len(c.rows)
    records = COMPARISON.records(rows)
    total = [r for r in records if r["metric"] == "total cost"]
    assert [r["scenario"] for r in total] == ["lean v2", "wider"]
    assert [r["baseline"] for r in total] == [True, False]
    assert total[1]["change from baseline"] == c.row("total_cost").deltas["wider"]
    labels = {r.metric for r in rows}
    assert len(labels) == len(METRICS)  # every metric's label differs


@pytest.mark.parametrize(
    ("value", "unit", "delta", "text"),
    [
        (0.91234, "share", False, "91.23 %"),
        (-0.0125, "share", True, "-1.25 pp"),
        (0.0125, "share", True, "+1.25 pp"),
        (1234567.4, "CNY/yr", False, "1,234,567"),
        (2500000.0, "CNY", True, "+2,500,000"),
        (12, "technicians", True, "+12"),
        (0, "technicians", True, "+0"),
        (3.5, "units", False, "3.50"),
        (None, "share", True, ""),
    ],
)
def test_shown_values(value, unit, delta, text):
    assert shown_value(value, unit, delta) == text


def test_grid_has_every_row_and_a_delta_column_per_other_scenario(lean, wider):
    comparison = compare([("lean", lean), ("wider", wider)])
    header, rows = comparison_grid(comparison)
    assert header == ["metric", "region", "unit", "lean", "wider", "Δ wider"]
    assert len(rows) == len(comparison.rows)
    xinjiang = next(r for r in rows if r[0] == "technicians" and r[1] == "xinjiang")
    assert xinjiang[3] == "" and xinjiang[5] == ""  # lean has no xinjiang: no value, no delta
    technicians = region(wider, "xinjiang").technicians
    assert xinjiang[4] == f"{technicians:,}"
