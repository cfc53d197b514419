"""The cost / coverage frontier as a table (:data:`FRONTIER`, with the command line's narrower
headings), and :func:`parse_numbers`, which reads the comma-separated number lists both the
command line and the app take for a frontier sweep."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from planner.models.status import Status
from planner.models.technicians import TechniciansFrontierPoint
from planner.views.tables import Kind, Table

__all__ = ["FRONTIER", "FrontierRow", "frontier_rows", "parse_numbers"]


@dataclass(frozen=True)
class FrontierRow:
    """One point of the cost / coverage frontier."""

    onsite_hours: float
    coverage_target: float
    status: Status
    annual_cost: float | None
    bound: float | None
    coverage: float | None
    dispatch_level: float | None
    technicians: int | None
    stations: int = field(metadata={"doc": "open stations"})
    reason: str = field(metadata={"doc": "why the point is infeasible, else empty"})


def frontier_rows(points: Iterable[TechniciansFrontierPoint]) -> list[FrontierRow]:
    """Frontier points as rows, in the sweep's order."""
    return [
        FrontierRow(
            onsite_hours=p.onsite_hours,
            coverage_target=p.coverage_target,
            status=p.status,
            annual_cost=p.cost,
            bound=p.bound,
            coverage=p.coverage,
            dispatch_level=p.dispatch_level,
            technicians=p.technicians,
            stations=len(p.stations),
            reason=p.reason or "",
        )
        for p in points
    ]


FRONTIER = Table(
    FrontierRow,
    {
        "onsite_hours": "on-site promise (h)",
        "coverage_target": "coverage target",
        "status": "status",
        "annual_cost": "annual cost",
        "bound": "proven bound",
        "coverage": "coverage reached",
        "dispatch_level": "dispatch level",
        "technicians": "technicians",
        "stations": "stations",
        "reason": "reason",
    },
    kinds={
        "annual_cost": Kind.MONEY,
        "bound": Kind.MONEY,
        "coverage": Kind.LEVEL,
        "dispatch_level": Kind.LEVEL,
    },
    terminal={
        "onsite_hours": "on-site h",
        "coverage_target": "target",
        "status": "status",
        "annual_cost": "annual cost",
        "bound": "bound",
        "coverage": "coverage",
        "technicians": "techs",
        "stations": "stations",
    },
)


def parse_numbers(label: str, text: str, low: float, high: float) -> tuple[float, ...]:
    """Comma-separated numbers in [low, high], sorted and without repeats; raises ValueError
    naming ``label`` and the offending value."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{label}: {part!r} is not a number") from None
        if not low <= value <= high:
            raise ValueError(f"{label}: {value:g} is outside [{low:g}, {high:g}]")
        values.append(value)
    if not values:
        raise ValueError(f"{label}: give at least one value")
    return tuple(sorted(set(values)))
