"""The one evaluation of a technicians plan: what each station carries and each site gets.

:func:`evaluate` walks a ``technicians-result/v1`` plan over its problem once and returns a
frozen :class:`PlanEvaluation`: per station its staff, on-duty technicians, workload, calls,
dispatch level and costs; per site its station, travel and whether it is within the on-site
promise; the totals; the lowest dispatch level; and every promise the plan breaks. The
solver's own check, the allocation tables, the frontier and the app all read it.

The formulas for one site (:func:`site_workload`, :func:`site_travel_cost`) and for the
on-duty staff (:func:`on_duty`) are the ones the solver's prepared pairs use too.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from planner.models.status import Status
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.optimise.network import travel_matrix
from planner.optimise.queueing import wait_probability

__all__ = [
    "PlanEvaluation",
    "SiteService",
    "StationLoad",
    "evaluate",
    "on_duty",
    "site_travel_cost",
    "site_workload",
]

Num = float | np.ndarray  # a scalar or an array of them, elementwise

TOLERANCE = 1e-7
"""Relative slack with which a plan's workload and coverage are checked (float noise)."""


def site_workload(calls: Num, visits: Num, planned_hours: Num, hours: Num, job_hours: float) -> Num:
    """Technician hours a year a site takes from a station ``hours`` away: each emergency call
    is the job plus the round trip, each planned visit the round trip, plus the planned hours.
    Scalars or numpy arrays alike."""
    return calls * (job_hours + 2 * hours) + visits * 2 * hours + planned_hours


def site_travel_cost(calls: Num, visits: Num, hours: Num, cost_per_hour: float) -> Num:
    """Travel cost a year of serving a site ``hours`` away: a round trip per emergency call
    and per planned visit. Scalars or numpy arrays alike."""
    return cost_per_hour * 2 * hours * (calls + visits)


def on_duty(technicians: int, productive_hours: float, service_hours: float) -> int:
    """Technicians on duty at any time: ``floor(n * productive_hours / service_hours)``."""
    return math.floor(technicians * productive_hours / service_hours)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteService(_Frozen):
    """How one site is served."""

    site: str
    station: str
    travel_hours: float = Field(description="one way, hours (inf: the station does not reach it)")
    within_promise: bool = Field(description="travel_hours <= the on-site promise")
    emergency_calls: float = Field(description="emergency calls a year")
    planned_visits: float = Field(description="planned visits a year")
    planned_hours: float = Field(description="technician hours on site for planned work a year")
    workload_hours: float = Field(description="technician hours a year, travel included")
    travel_cost: float = Field(description="travel cost a year, currency units")


class StationLoad(_Frozen):
    """What one open station carries."""

    station: str
    technicians: int
    max_technicians: int
    on_duty: int | None = Field(description="technicians on duty at any time (dispatch only)")
    sites: int = Field(description="sites served")
    emergency_calls: float = Field(description="emergency calls a year")
    workload_hours: float = Field(description="technician hours a year its sites take")
    technician_hours: float = Field(description="productive hours a year of its technicians")
    utilisation: float | None = Field(description="workload over technician hours")
    dispatch_level: float | None = Field(
        description="P(wait <= within_hours) at its on-duty staff (dispatch, calls > 0 only)"
    )
    fixed_cost: float
    technician_cost: float
    travel_cost: float

    @property
    def total_cost(self) -> float:
        return self.fixed_cost + self.technician_cost + self.travel_cost


class PlanEvaluation(_Frozen):
    """A plan checked against its problem: loads, service, totals and broken promises.

    For a result without a plan (``infeasible``) the tables are empty and the totals None.
    """

    problem: str = Field(description="the problem's name")
    status: Status
    reason: str | None = None
    stations: tuple[StationLoad, ...] = ()
    sites: tuple[SiteService, ...] = Field(default=(), description="in the problem's site order")
    cost: float | None = Field(default=None, description="annual cost, currency units")
    fixed_cost: float | None = None
    technician_cost: float | None = None
    travel_cost: float | None = None
    technicians: int | None = None
    emergency_calls: float = Field(description="emergency calls a year over all sites")
    coverage: float | None = Field(
        default=None, description="share of emergency calls reached within the on-site promise"
    )
    lowest_dispatch_level: float | None = Field(
        default=None, description="lowest dispatch level over stations with calls (dispatch only)"
    )
    violations: tuple[str, ...] = Field(
        default=(), description="every promise the plan breaks, in the order found"
    )

    @property
    def keeps_promises(self) -> bool:
        return not self.violations


def evaluate(
    problem: TechniciansProblem,
    result: TechniciansResult,
    d: np.ndarray | None = None,
    *,
    slack: float = 0.0,
) -> PlanEvaluation:
    """Walk ``result``'s plan over ``problem`` (``d``: its travel matrix, built if not given).

    A promise counts as broken beyond float noise (:data:`TOLERANCE` relative for workload
    and coverage, 1e-9 on a dispatch level), plus ``slack`` on each: the solver checks its
    own plans with the slack of its fitting tolerance, so that a plan it fitted to 1e-9 of a
    limit is not reported broken.
    """
    total_calls = float(sum(s.emergency_calls for s in problem.sites))
    head = {"problem": problem.name, "status": result.status, "emergency_calls": total_calls}
    if result.status == Status.INFEASIBLE or result.objective is None:
        return PlanEvaluation(**head, reason=result.reason)
    if d is None:
        d = travel_matrix(problem)
    site_pos = {s.id: i for i, s in enumerate(problem.sites)}
    st_pos = {s.id: j for j, s in enumerate(problem.stations)}
    tech, em, dp = problem.technician, problem.emergency, problem.dispatch
    service = problem.service_hours_per_year
    rate = problem.travel_cost_per_hour
    violations: list[str] = []
    served: dict[int, SiteService] = {}
    loads: list[StationLoad] = []
    covered = 0.0
    for plan in result.stations:
        j = st_pos.get(plan.id)
        if j is None:
            violations.append(f"station {plan.id!r} is not a station of the problem")
            continue
        station = problem.stations[j]
        if plan.technicians > station.max_technicians:
            violations.append(f"station {plan.id!r} has more than max_technicians")
        work = calls = travel = 0.0
        for sid in plan.sites:
            i = site_pos.get(sid)
            if i is None:
                violations.append(f"site {sid!r} is not a site of the problem")
                continue
            if i in served:
                violations.append(f"site {sid!r} served twice")
                continue
            s = problem.sites[i]
            hours = float(d[j, i])
            if not math.isfinite(hours):
                violations.append(f"station {plan.id!r} does not reach site {sid!r}")
            site_work = site_workload(
                s.emergency_calls, s.planned_visits, s.planned_hours, hours, em.job_hours
            )
            site_travel = site_travel_cost(s.emergency_calls, s.planned_visits, hours, rate)
            work += site_work
            calls += s.emergency_calls
            travel += site_travel
            within = hours <= em.onsite_hours
            if within:
                covered += s.emergency_calls
            served[i] = SiteService(
                site=sid,
                station=plan.id,
                travel_hours=hours,
                within_promise=within,
                emergency_calls=s.emergency_calls,
                planned_visits=s.planned_visits,
                planned_hours=s.planned_hours,
                workload_hours=site_work,
                travel_cost=site_travel,
            )
        capacity = plan.technicians * tech.productive_hours
        if work > capacity * (1 + TOLERANCE + slack):
            violations.append(f"station {plan.id!r} has more work than its technicians' hours")
        staff = level = None
        if dp is not None:
            staff = on_duty(plan.technicians, tech.productive_hours, service)
            if calls > 0:
                level = wait_probability(
                    staff, calls / service, dp.mean_call_hours, dp.within_hours
                )
                if level < dp.service_level - 1e-9 - slack:
                    violations.append(
                        f"station {plan.id!r} misses the dispatch level ({level:.6f})"
                    )
        loads.append(
            StationLoad(
                station=plan.id,
                technicians=plan.technicians,
                max_technicians=station.max_technicians,
                on_duty=staff,
                sites=len(plan.sites),
                emergency_calls=calls,
                workload_hours=work,
                technician_hours=capacity,
                utilisation=work / capacity if capacity > 0 else None,
                dispatch_level=level,
                fixed_cost=station.fixed_cost,
                technician_cost=tech.annual_cost * plan.technicians,
                travel_cost=travel,
            )
        )
    if len(served) < len(problem.sites):
        violations.append("some site is not served")
    if total_calls > 0 and covered < em.coverage_target * total_calls * (1 - TOLERANCE - slack):
        violations.append("coverage target missed")
    if problem.max_open_stations is not None and len(result.stations) > problem.max_open_stations:
        violations.append("too many open stations")
    levels = [s.dispatch_level for s in loads if s.dispatch_level is not None]
    return PlanEvaluation(
        **head,
        stations=tuple(loads),
        sites=tuple(served[i] for i in sorted(served)),
        cost=sum(s.total_cost for s in loads),
        fixed_cost=sum(s.fixed_cost for s in loads),
        technician_cost=sum(s.technician_cost for s in loads),
        travel_cost=sum(s.travel_cost for s in loads),
        technicians=sum(s.technicians for s in loads),
        coverage=covered / total_calls if total_calls > 0 else 1.0,
        lowest_dispatch_level=(min(levels) if levels else None) if dp is not None else None,
        violations=tuple(violations),
    )


def evaluate_plan(
    problem: TechniciansProblem, result: TechniciansResult, d: np.ndarray | None = None
) -> float:
    """Check a result's plan against every promise of ``problem`` and return its annual cost.

    Raises ValueError naming the first broken promise (see :func:`evaluate`).
    """
    evaluation = evaluate(problem, result, d)
    if evaluation.violations:
        raise ValueError(evaluation.violations[0])
    if evaluation.cost is None:
        raise ValueError(f"the result has no plan ({result.status})")
    return evaluation.cost
