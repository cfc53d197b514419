"""Technician and service-station allocation: the ``technicians/v1`` problem and its result.

See ``shared/formats/technicians.md``. Hours are hours, costs are in the
problem's currency (CNY for the bundled profiles), call and visit counts are
per year.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.models.interchange import Interchange
from planner.models.status import ResultStatus, Status

__all__ = [
    "DispatchSpec",
    "Edge",
    "EmergencySpec",
    "Site",
    "Station",
    "StationPlan",
    "TechnicianSpec",
    "TechniciansFrontierPoint",
    "TechniciansProblem",
    "TechniciansResult",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


NodeId = str


class TechnicianSpec(_Frozen):
    """What one employed technician costs and works."""

    annual_cost: float = Field(ge=0.0, description="cost of one technician a year, currency units")
    productive_hours: float = Field(gt=0.0, description="hours one technician works a year, > 0")


class EmergencySpec(_Frozen):
    """The on-site promise for emergency calls."""

    onsite_hours: float = Field(ge=0.0, description="promised travel time to site, hours")
    coverage_target: float = Field(
        ge=0.0,
        le=1.0,
        description="share of all emergency calls that must be within onsite_hours, [0, 1]",
    )
    job_hours: float = Field(ge=0.0, description="technician hours on site per emergency call")


class DispatchSpec(_Frozen):
    """The dispatch promise: M/M/c waiting time for a free on-duty technician."""

    within_hours: float = Field(
        ge=0.0, description="a call must find a free technician within this, hours"
    )
    service_level: float = Field(
        gt=0.0, lt=1.0, description="required probability of waiting at most within_hours, (0, 1)"
    )
    mean_call_hours: float = Field(
        ge=0.0, description="mean time one call holds one on-duty technician, hours"
    )


class Site(_Frozen):
    """A customer site (or cluster of machines) to be served."""

    id: NodeId = Field(min_length=1, description="unique among sites and stations")
    emergency_calls: float = Field(ge=0.0, description="emergency calls a year")
    planned_visits: float = Field(ge=0.0, description="planned (preventive) visits a year")
    planned_hours: float = Field(
        ge=0.0, description="technician hours on site for planned work a year"
    )


class Station(_Frozen):
    """A candidate service station."""

    id: NodeId = Field(min_length=1, description="unique among sites and stations")
    fixed_cost: float = Field(
        ge=0.0, description="annual cost of keeping the station open, currency units"
    )
    max_technicians: int = Field(ge=0, description="most technicians the station can employ")


class Edge(_Frozen):
    """An undirected road link; nodes that are neither sites nor stations are junctions."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True
    )

    from_: NodeId = Field(
        alias="from", min_length=1, description="one end (site, station or junction)"
    )
    to: NodeId = Field(min_length=1, description="the other end (site, station or junction)")
    hours: float = Field(ge=0.0, description="travel time along the link, hours")


class TechniciansProblem(Interchange):
    """One technician / service-station allocation problem (``technicians/v1``)."""

    model_config = ConfigDict(allow_inf_nan=False)

    format: Literal["technicians/v1"] = "technicians/v1"
    name: str = Field(default="", description="free label")
    service_hours_per_year: float = Field(
        gt=0.0, description="hours a year the service is open (8760 = 24/7)"
    )
    travel_cost_per_hour: float = Field(
        ge=0.0, description="cost of one hour of travel, currency units"
    )
    technician: TechnicianSpec
    emergency: EmergencySpec
    dispatch: DispatchSpec | None = Field(
        default=None, description="dispatch promise; none when absent"
    )
    sites: tuple[Site, ...] = Field(min_length=1)
    stations: tuple[Station, ...] = Field(min_length=1)
    edges: tuple[Edge, ...] | None = Field(
        default=None, description="road graph; give this or travel_hours"
    )
    travel_hours: dict[NodeId, dict[NodeId, float]] | None = Field(
        default=None,
        description="station id -> site id -> travel hours (>= 0); a pair left out is unreachable",
    )
    max_open_stations: int | None = Field(
        default=None, ge=0, description="most stations open at once"
    )

    @model_validator(mode="after")
    def _check_ids_and_network(self) -> TechniciansProblem:
        seen: dict[str, str] = {}
        for kind, items in (("sites", self.sites), ("stations", self.stations)):
            for k, item in enumerate(items):
                if item.id in seen:
                    raise ValueError(
                        f"{kind}[{k}].id: duplicate id {item.id!r} (already used in {seen[item.id]})"
                    )
                seen[item.id] = f"{kind}[{k}]"
        if (self.edges is None) == (self.travel_hours is None):
            raise ValueError("give exactly one of edges or travel_hours")
        if self.travel_hours is not None:
            site_ids = {s.id for s in self.sites}
            station_ids = {s.id for s in self.stations}
            for station_id, row in self.travel_hours.items():
                if station_id not in station_ids:
                    raise ValueError(
                        f"travel_hours[{station_id!r}]: unknown station {station_id!r}"
                    )
                for site_id, hours in row.items():
                    where = f"travel_hours[{station_id!r}][{site_id!r}]"
                    if site_id not in site_ids:
                        raise ValueError(f"{where}: unknown site {site_id!r}")
                    if not hours >= 0.0:
                        raise ValueError(f"{where}: hours must be >= 0, got {hours}")
        return self


class StationPlan(_Frozen):
    """One open station in a plan."""

    id: NodeId
    technicians: int = Field(ge=0, description="technicians employed")
    sites: tuple[NodeId, ...] = Field(description="ids of the sites it serves")


class TechniciansResult(Interchange):
    """The solution of a ``technicians/v1`` problem (``technicians-result/v1``)."""

    model_config = ConfigDict(allow_inf_nan=False)

    format: Literal["technicians-result/v1"] = "technicians-result/v1"
    status: ResultStatus
    objective: float | None = Field(
        default=None, description="annual cost of the plan, currency units"
    )
    bound: float | None = Field(
        default=None, description="best proven lower bound on the cost, currency units"
    )
    stations: tuple[StationPlan, ...] = Field(default=(), description="open stations only")
    reason: str | None = Field(default=None, description="why the problem is infeasible")
    coverage: float | None = Field(
        default=None, description="share of emergency calls reached within onsite_hours, [0, 1]"
    )
    dispatch_levels: dict[NodeId, int] | None = Field(
        default=None,
        description="technicians on duty at each open station (dispatch problems only)",
    )
    gap: float | None = Field(default=None, ge=0.0, description="(objective - bound) / |objective|")
    solve_seconds: float | None = Field(
        default=None, ge=0.0, description="wall-clock solve time, seconds"
    )


class TechniciansFrontierPoint(BaseModel):
    """One point of the cost / coverage frontier: a solve at one coverage target and on-site
    promise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    onsite_hours: float = Field(ge=0.0, description="on-site promise used, hours")
    coverage_target: float = Field(ge=0.0, le=1.0, description="coverage target used, [0, 1]")
    status: Status = Field(
        description="optimal, feasible, infeasible, or unknown (time limit, no plan, no proof)"
    )
    cost: float | None = Field(default=None, description="annual cost of the plan, currency units")
    bound: float | None = Field(
        default=None, description="proven lower bound on the cost, currency units"
    )
    coverage: float | None = Field(
        default=None, description="share of emergency calls reached in time"
    )
    dispatch_level: float | None = Field(
        default=None,
        description="lowest P(wait <= within_hours) over stations with calls (dispatch only)",
    )
    technicians: int | None = Field(default=None, description="technicians employed in total")
    stations: tuple[str, ...] = Field(default=(), description="open stations")
    reason: str | None = Field(default=None, description="why the point is infeasible")
