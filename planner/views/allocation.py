"""Allocation tables: what each open station carries, where each site is served from, and a
technicians result at a glance (:class:`AllocationSummary`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planner.models.status import Status
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.views.tables import Kind, Table

if TYPE_CHECKING:
    from planner.optimise.technicians import PlanEvaluation

__all__ = [
    "DISPATCH_FIELDS",
    "SITES",
    "STATIONS",
    "SUMMARY",
    "AllocationSummary",
    "SiteRow",
    "StationRow",
    "allocation_summary",
    "site_rows",
    "station_fields",
    "station_rows",
]


@dataclass(frozen=True)
class StationRow:
    """What one open station carries, a year, in the problem's currency."""

    station: str
    technicians: int
    max_technicians: int
    on_duty: int | None
    dispatch_level: float | None
    sites: int
    emergency_calls: float
    workload_hours: float
    technician_hours: float
    utilisation: float | None
    fixed_cost: float
    technician_cost: float
    travel_cost: float
    total_cost: float


@dataclass(frozen=True)
class SiteRow:
    """Where one site is served from."""

    site: str
    station: str
    travel_hours: float
    within_promise: bool
    emergency_calls: float
    planned_visits: float
    planned_hours: float
    workload_hours: float
    travel_cost: float


DISPATCH_FIELDS = ("on_duty", "dispatch_level")


def station_rows(evaluation: PlanEvaluation) -> tuple[StationRow, ...]:
    """The evaluation's open stations, in the plan's order (the same fields, and the total)."""
    return tuple(StationRow(**s.model_dump(), total_cost=s.total_cost) for s in evaluation.stations)


def site_rows(evaluation: PlanEvaluation) -> tuple[SiteRow, ...]:
    """The evaluation's sites, in the problem's order (the same fields)."""
    return tuple(SiteRow(**s.model_dump()) for s in evaluation.sites)


def station_fields(dispatch: bool) -> tuple[str, ...]:
    """The station columns shown: without a dispatch target, no on-duty staff or level."""
    return (
        STATIONS.fields
        if dispatch
        else tuple(f for f in STATIONS.fields if f not in DISPATCH_FIELDS)
    )


STATIONS = Table(
    StationRow,
    {
        "station": "station",
        "technicians": "technicians",
        "max_technicians": "max technicians",
        "on_duty": "on duty",
        "dispatch_level": "dispatch level",
        "sites": "sites",
        "emergency_calls": "emergency calls / yr",
        "workload_hours": "workload hours / yr",
        "technician_hours": "technician hours / yr",
        "utilisation": "utilisation",
        "fixed_cost": "fixed cost / yr",
        "technician_cost": "technician cost / yr",
        "travel_cost": "travel cost / yr",
        "total_cost": "total cost / yr",
    },
    kinds={
        "dispatch_level": Kind.LEVEL,
        "workload_hours": Kind.HOURS,
        "technician_hours": Kind.HOURS,
        "utilisation": Kind.SHARE,
        "fixed_cost": Kind.MONEY,
        "technician_cost": Kind.MONEY,
        "travel_cost": Kind.MONEY,
        "total_cost": Kind.MONEY,
    },
)
SITES = Table(
    SiteRow,
    {
        "site": "site",
        "station": "station",
        "travel_hours": "travel hours",
        "within_promise": "within promise",
        "emergency_calls": "emergency calls / yr",
        "planned_visits": "planned visits / yr",
        "planned_hours": "planned hours / yr",
        "workload_hours": "workload hours / yr",
        "travel_cost": "travel cost / yr",
    },
    kinds={
        "travel_hours": Kind.HOURS,
        "planned_hours": Kind.HOURS,
        "workload_hours": Kind.HOURS,
        "travel_cost": Kind.MONEY,
    },
)


@dataclass(frozen=True)
class AllocationSummary:
    """A technicians result at a glance. Without a plan only ``problem``, ``status`` and
    ``reason`` are set; without a dispatch target the two dispatch fields are None."""

    problem: str
    status: Status
    reason: str | None = None
    annual_cost: float | None = field(default=None, metadata={"doc": "the result's objective"})
    proven_lower_bound: float | None = None
    gap: float | None = None
    stations_open: int | None = None
    technicians: int | None = None
    onsite_hours: float | None = None
    coverage_target: float | None = None
    coverage: float | None = field(default=None, metadata={"doc": "the result's coverage"})
    emergency_calls: float | None = None
    dispatch_service_level: float | None = None
    lowest_dispatch_level: float | None = None
    solve_seconds: float | None = None

    @property
    def has_plan(self) -> bool:
        return self.annual_cost is not None

    def shown(self) -> tuple[str, ...]:
        """The fields that apply to this result, in order: the summary sheet's lines."""
        if not self.has_plan:
            return ("problem", "status", "reason")
        skip = {"reason"}
        if self.dispatch_service_level is None:
            skip |= {"dispatch_service_level", "lowest_dispatch_level"}
        return tuple(f for f in SUMMARY.fields if f not in skip)

    def lines(self) -> list[tuple[str, Any]]:
        """(label, value) for every field shown."""
        return [(SUMMARY.labels[f], getattr(self, f)) for f in self.shown()]


def allocation_summary(
    problem: TechniciansProblem, result: TechniciansResult, evaluation: PlanEvaluation
) -> AllocationSummary:
    """The summary of ``result``: its own objective, bound, gap, coverage and solve time; the
    stations, technicians, calls and lowest dispatch level from its ``evaluation``."""
    if evaluation.cost is None:
        return AllocationSummary(problem=problem.name, status=result.status, reason=result.reason)
    dp = problem.dispatch
    return AllocationSummary(
        problem=problem.name,
        status=result.status,
        annual_cost=result.objective,
        proven_lower_bound=result.bound,
        gap=result.gap,
        stations_open=len(evaluation.stations),
        technicians=evaluation.technicians,
        onsite_hours=problem.emergency.onsite_hours,
        coverage_target=problem.emergency.coverage_target,
        coverage=result.coverage,
        emergency_calls=evaluation.emergency_calls,
        dispatch_service_level=None if dp is None else dp.service_level,
        lowest_dispatch_level=evaluation.lowest_dispatch_level,
        solve_seconds=result.solve_seconds,
    )


SUMMARY = Table(
    AllocationSummary,
    {
        "problem": "problem",
        "status": "status",
        "reason": "reason",
        "annual_cost": "annual cost",
        "proven_lower_bound": "proven lower bound",
        "gap": "gap",
        "stations_open": "stations open",
        "technicians": "technicians",
        "onsite_hours": "on-site promise (h)",
        "coverage_target": "coverage target",
        "coverage": "coverage reached",
        "emergency_calls": "emergency calls / yr",
        "dispatch_service_level": "dispatch service level target",
        "lowest_dispatch_level": "lowest dispatch level",
        "solve_seconds": "solve seconds",
    },
)
