"""Saved scenarios side by side: every figure of each, and its difference from a baseline.

:func:`compare` takes scenario results under the names the user saved them as ("lean v2")
and gives a :class:`Comparison`: one :class:`ComparisonRow` per metric (the cost by
component, the service and parts figures, the network's size) and, per region, its
technicians, stock units and stock value. Each row holds every scenario's value and its
difference from the baseline's; where a region is missing from a scenario, its value and
difference are None.

Rows are keyed by :attr:`ComparisonRow.key`: the metric (``total_cost``), or for a region's
row the metric and the region (``technicians@east``). :data:`METRICS` gives each metric's
human label; :func:`comparison_rows` flattens a comparison into one typed row per metric and
scenario under the :data:`COMPARISON` table spec, for the app and the command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, computed_field

from planner.views import Table

if TYPE_CHECKING:
    from planner.models.scenario import RegionOutcome, ScenarioResult

__all__ = [
    "COMPARISON",
    "METRICS",
    "REGION_METRICS",
    "Comparison",
    "ComparisonRow",
    "ComparisonViewRow",
    "compare",
    "comparison_grid",
    "comparison_rows",
    "shown_value",
]

Number = float | int

METRICS: Mapping[str, tuple[str, str]] = {
    "cost_stations": ("cost: stations", "CNY/yr"),
    "cost_technicians": ("cost: technicians", "CNY/yr"),
    "cost_travel": ("cost: travel", "CNY/yr"),
    "cost_parts_holding": ("cost: parts holding", "CNY/yr"),
    "cost_parts_used_and_offers": ("cost: parts used and offers", "CNY/yr"),
    "total_cost": ("total cost", "CNY/yr"),
    "parts_investment": ("parts investment (stock value)", "CNY"),
    "warranty": ("of the plans' cost: warranty", "CNY/yr"),
    "revenue": ("revenue", "CNY/yr"),
    "margin": ("margin (revenue - total cost)", "CNY/yr"),
    "coverage": ("coverage", "share"),
    "dispatch_level": ("dispatch level", "share"),
    "fill_rate": ("fill rate", "share"),
    "availability": ("availability", "share"),
    "technicians": ("technicians", "technicians"),
    "stations": ("stations", "stations"),
    "stock_units": ("stock units", "units"),
    "stock_value": ("stock value", "CNY"),
}
"""Every metric key → (human label, unit)."""

_SCENARIO: Mapping[str, Callable[[ScenarioResult], Number]] = {
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

REGION_METRICS: Mapping[str, Callable[[RegionOutcome], Number]] = {
    "technicians": lambda o: o.technicians,
    "stock_units": lambda o: o.stock_units,
    "stock_value": lambda o: o.investment,
}
"""The metrics compared per region, by key."""


class ComparisonRow(BaseModel):
    """One metric in every scenario: ``values`` and ``deltas`` (value minus the baseline's)
    by scenario name, None where the region is missing from that scenario or the baseline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    unit: str
    region: str | None = None
    values: dict[str, Number | None]
    deltas: dict[str, Number | None]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def key(self) -> str:
        """``metric``, or ``metric@region`` for a region's row."""
        return self.metric if self.region is None else f"{self.metric}@{self.region}"

    @property
    def label(self) -> str:
        return METRICS[self.metric][0]


class Comparison(BaseModel):
    """Scenarios compared with ``baseline``: the scenario-wide rows first, in
    :data:`METRICS` order, then each region's rows (regions in order of first appearance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    baseline: str
    scenarios: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]

    def row(self, metric: str, region: str | None = None) -> ComparisonRow:
        """The row of ``metric`` (in ``region``); KeyError if there is none."""
        for row in self.rows:
            if row.metric == metric and row.region == region:
                return row
        raise KeyError(metric if region is None else f"{metric}@{region}")

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region of any scenario, in order of first appearance."""
        return tuple(dict.fromkeys(r.region for r in self.rows if r.region is not None))

    def deltas(self) -> dict[str, dict[str, Number | None]]:
        """Scenario name → {row key → its difference from the baseline}."""
        return {name: {row.key: row.deltas[name] for row in self.rows} for name in self.scenarios}

    def to_jsonable(self) -> dict[str, Any]:
        """``baseline``, ``scenarios``, ``rows`` (metric, unit, region, values, deltas, key)
        and ``deltas`` (name → {key → delta})."""
        return {
            "baseline": self.baseline,
            "scenarios": list(self.scenarios),
            "rows": [row.model_dump(mode="json") for row in self.rows],
            "deltas": self.deltas(),
        }


def _delta(value: Number | None, base: Number | None) -> Number | None:
    if value is None or base is None:
        return None
    return value - base


def _row(
    metric: str, region: str | None, values: dict[str, Number | None], baseline: str
) -> ComparisonRow:
    base = values[baseline]
    return ComparisonRow(
        metric=metric,
        unit=METRICS[metric][1],
        region=region,
        values=values,
        deltas={name: _delta(v, base) for name, v in values.items()},
    )


def compare(
    results: Sequence[tuple[str, ScenarioResult]], baseline: str | None = None
) -> Comparison:
    """Compare ``results`` (name, result) with the one named ``baseline`` (the first by
    default). Raises ValueError for no results, a name given twice or an unknown baseline."""
    if not results:
        raise ValueError("compare: give at least one scenario")
    names = [name for name, _ in results]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"compare: scenario names must differ ({', '.join(map(repr, twice))})")
    if baseline is None:
        baseline = names[0]
    elif baseline not in names:
        raise ValueError(
            f"compare: no scenario named {baseline!r} to compare with "
            f"(known: {', '.join(map(repr, names))})"
        )
    rows = [
        _row(metric, None, {name: get(result) for name, result in results}, baseline)
        for metric, get in _SCENARIO.items()
    ]
    outcomes = {name: {o.region: o for o in result.regions} for name, result in results}
    regions = dict.fromkeys(o.region for _, result in results for o in result.regions)
    for region in regions:
        for metric, get in REGION_METRICS.items():
            values = {
                name: (get(outcomes[name][region]) if region in outcomes[name] else None)
                for name in names
            }
            rows.append(_row(metric, region, values, baseline))
    return Comparison(baseline=baseline, scenarios=tuple(names), rows=tuple(rows))


# ------------------------------------------------------------------------------- table


@dataclass(frozen=True)
class ComparisonViewRow:
    """One metric of one scenario beside the baseline's."""

    metric: str = ""
    region: str = ""
    unit: str = ""
    scenario: str = ""
    baseline: bool = False
    value: float | None = None
    delta: float | None = None


def comparison_rows(comparison: Comparison) -> list[ComparisonViewRow]:
    """One row per metric (its human label) and scenario, in the comparison's order; region
    ``""`` for the scenario-wide metrics."""
    return [
        ComparisonViewRow(
            metric=row.label,
            region=row.region or "",
            unit=row.unit,
            scenario=name,
            baseline=name == comparison.baseline,
            value=row.values[name],
            delta=row.deltas[name],
        )
        for row in comparison.rows
        for name in comparison.scenarios
    ]


COMPARISON = Table(
    ComparisonViewRow,
    {
        "metric": "metric",
        "region": "region",
        "unit": "unit",
        "scenario": "scenario",
        "baseline": "baseline",
        "value": "value",
        "delta": "change from baseline",
    },
)
"""The labels of :class:`ComparisonViewRow` (the kind of each value is in its ``unit``)."""


def shown_value(value: Number | None, unit: str, delta: bool = False) -> str:
    """A compared figure as text: shares in per cent (a delta in percentage points), money
    and counts with thousands separators, a sign on deltas; ``""`` where it is missing."""
    if value is None:
        return ""
    sign = "+" if delta else ""
    if unit == "share":
        return f"{100 * value:{sign},.2f} pp" if delta else f"{100 * value:,.2f} %"
    if unit in ("CNY", "CNY/yr") or float(value).is_integer():
        return f"{value:{sign},.0f}"
    return f"{value:{sign},.2f}"


def comparison_grid(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """The comparison as one wide table of text: a header (metric, region, unit, each
    scenario, then ``Δ name`` for each scenario but the baseline) and one row per metric
    (and region), for a terminal or a page."""
    others = [n for n in comparison.scenarios if n != comparison.baseline]
    header = ["metric", "region", "unit", *comparison.scenarios, *(f"Δ {n}" for n in others)]
    rows = [
        [
            row.label,
            row.region or "",
            row.unit,
            *(shown_value(row.values[n], row.unit) for n in comparison.scenarios),
            *(shown_value(row.deltas[n], row.unit, delta=True) for n in others),
        ]
        for row in comparison.rows
    ]
    return header, rows
