"""The driver: one solve at a coverage target and on-site promise, phase by phase, its
result, and the public entry points.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace

import numpy as np

from planner.models.status import Status
from planner.models.technicians import (
    StationPlan,
    TechniciansFrontierPoint,
    TechniciansProblem,
    TechniciansResult,
)
from planner.optimise.location import solve_uncapacitated
from planner.optimise.technicians.bounds import aggregate_bounds, max_coverage, simple_bound
from planner.optimise.technicians.construction import guided_plan, heuristic_plan
from planner.optimise.technicians.evaluation import (
    evaluate,
    on_duty,
)
from planner.optimise.technicians.formulation import build, plan_of, run_milp
from planner.optimise.technicians.improvement import group_search, improve_plan
from planner.optimise.technicians.neighbourhoods import neighbourhood_plan
from planner.optimise.technicians.plans import Outcome, Plan, finish, plan_from
from planner.optimise.technicians.prepared import prepare
from planner.optimise.technicians.pricing import LpBound, kept_pairs, solve_lp_with_pricing
from planner.optimise.technicians.settings import REL_GAP, TechniciansSettings
from planner.optimise.technicians.state import SolveState
from planner.optimise.technicians.station_sets import relaxed_search

log = logging.getLogger(__name__)


NO_PLAN_IN_TIME = "no plan found within the time limit (not proven infeasible)"


class NoPlanWithinTimeLimit(RuntimeError):
    """The time limit passed before any plan was found, and infeasibility is not proven.

    ``technicians/v1`` has no status for this (``infeasible`` needs a proof), so
    :func:`solve_technicians` raises instead of returning a result.
    """

    def __init__(self, seconds: float, bound: float | None) -> None:
        self.seconds = seconds
        self.bound = bound
        shown = "none" if bound is None else f"{bound:,.2f}"
        super().__init__(
            f"{NO_PLAN_IN_TIME} after {seconds:.1f} s (proven lower bound on cost: {shown})"
        )


@dataclass(frozen=True)
class Clock:
    """The time of one solve: ``budget`` seconds from ``t0`` (inf without a limit)."""

    t0: float
    budget: float
    limited: bool

    @classmethod
    def start(cls, time_limit: float | None) -> Clock:
        budget = math.inf if time_limit is None else float(time_limit)
        return cls(time.monotonic(), budget, time_limit is not None)

    def left(self) -> float:
        return self.budget - (time.monotonic() - self.t0)

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def share(self, part: float, most: float, unlimited: float) -> float:
        """``part`` of the budget, at most ``most`` seconds (``unlimited`` without a limit)."""
        return min(part * self.budget, most) if self.limited else unlimited


def solve_at(state: SolveState, time_limit: float | None, starts: list[Plan]) -> Outcome:
    """One solve at the state's promise within ``time_limit`` seconds (``starts``: plans of
    earlier solves to start from), phase by phase: pre-checks; uncapacitated problems to the
    radius formulation; a first plan; the station-level bounds; the LP by column generation
    with its fixing (:meth:`Search.lp_phase`); then for large models ever wider LP
    neighbourhoods (:meth:`Search.widen`), else phase R or one MILP (:meth:`Search.settle`)."""
    reason = coverage_out_of_reach(state)
    if reason is not None:
        return Outcome(Status.INFEASIBLE, None, None, reason)
    clock = Clock.start(time_limit)
    if is_uncapacitated(state):
        return solve_by_radius(state, time_limit, starts)
    valid_starts = [p for s in starts if (p := plan_from(state, s.assign)) is not None]
    incumbent = heuristic_plan(state, clock.t0 + clock.share(0.15, 30.0, 30.0), valid_starts)
    log.info(
        "heuristic plan %s after %.1f s",
        None if incumbent is None else f"{incumbent.cost:.2f}",
        clock.elapsed(),
    )
    deadline = time.monotonic() + clock.share(0.1, 20.0, 60.0)
    state = replace(state, aggregate=aggregate_bounds(state, deadline))
    log.info("station-level bounds %s after %.1f s", state.aggregate, clock.elapsed())
    search = Search(state, clock, incumbent)
    if incumbent is not None:
        proven = search.lp_phase()
        if proven is not None:
            return proven
    if search.incumbent is not None and clock.left() < state.settings.min_phase_seconds:
        return finish(search.incumbent, search.bound)
    if search.too_large_to_settle():
        return search.widen()
    return search.settle()


def coverage_out_of_reach(state: SolveState) -> str | None:
    """Why no plan keeps the state's promise, when that needs no solve: the prepared data's
    reason, or a coverage target above what any station set reaches (maximal covering)."""
    prep, target = state.prep, state.target
    if prep.infeasible is not None:
        return prep.infeasible
    problem = prep.problem
    best_cov, top_cov = max_coverage(prep, state.covered)
    if top_cov >= target * (1 - 1e-12) - 1e-12:
        return None
    most = problem.max_open_stations
    limit = "" if most is None else f" with at most {most} stations"
    return (
        f"coverage target {target:.6g} cannot be met: the largest coverage any plan reaches"
        f" within {state.onsite:g} h{limit} is {best_cov:.6g} (short by {target - best_cov:.6g})"
    )


class Search:
    """The search after the first plan: the incumbent, the best proven bound, the LP's
    reduced costs and the pairs and stations that reduced-cost fixing keeps."""

    def __init__(self, state: SolveState, clock: Clock, incumbent: Plan | None) -> None:
        self.state, self.clock, self.incumbent = state, clock, incumbent
        prep = state.prep
        self.pairs = np.arange(len(prep.pi))
        self.stations = np.arange(len(prep.problem.stations))
        self.bound: float | None = None  # from the LP (and phase R)
        self.lp: LpBound | None = None

    def neighbourhood_budget(self) -> float:
        left = self.clock.left()
        if not math.isfinite(left):
            return 60.0
        return min(self.state.settings.neighbourhood_seconds, 0.2 * left)

    def lp_phase(self) -> Outcome | None:
        """The LP with pricing and cuts (the first round's duals already guide an LP
        neighbourhood search), a guided plan, and reduced-cost fixing; the outcome when the
        LP bound proves the incumbent optimal."""
        state, clock, settings, prep = self.state, self.clock, self.state.settings, self.state.prep
        incumbent = self.incumbent
        assert incumbent is not None
        lp_deadline = clock.t0 + (0.85 * clock.budget if clock.limited else math.inf)
        found: list[Plan] = [incumbent]

        def early(first: LpBound) -> None:  # the first restricted LP already guides well
            budget = self.neighbourhood_budget()
            plan = neighbourhood_plan(state, first, found[-1], budget)
            if plan is not None:
                plan = group_search(state, plan, time.monotonic() + budget / 2)
            if plan is not None and plan.cost < found[-1].cost:
                found.append(plan)

        lp = solve_lp_with_pricing(state, incumbent, lp_deadline, early)
        incumbent = self.incumbent = found[-1]
        self.lp = lp
        if lp is None:
            return None
        # a model that stays too large for phase R after fixing spends the time left on
        # one neighbourhood search below; others look for a better plan here first
        settle = not clock.limited or len(kept_pairs(prep, lp, incumbent)) <= settings.phase_r_pairs
        guided = None
        if settle and len(prep.pi) > settings.full_lp_pairs:  # smaller ones settle in phase R
            guided = neighbourhood_plan(state, lp, incumbent, self.neighbourhood_budget())
        if settle and (guided is None or guided.cost >= incumbent.cost):
            guided = guided_plan(state, lp.y, clock.t0, clock.budget, incumbent)
        if guided is not None:
            guided = improve_plan(state, guided, time.monotonic() + settings.improve_seconds)
        if guided is not None and guided.cost < incumbent.cost:
            incumbent = self.incumbent = guided
        lb = self.bound = lp.bound
        log.info(
            "LP bound %.2f, incumbent %.2f (gap %.3f %%) after %.1f s",
            lb,
            incumbent.cost,
            100 * (incumbent.cost - lb) / max(abs(incumbent.cost), 1e-9),
            clock.elapsed(),
        )
        if lb > incumbent.cost - REL_GAP * max(1.0, abs(incumbent.cost)):
            return Outcome(Status.OPTIMAL, incumbent, min(lb, incumbent.cost))
        self.pairs = kept_pairs(prep, lp, incumbent)
        open_ = np.unique(incumbent.assign)
        self.stations = np.unique(np.concatenate([prep.pj[self.pairs], open_]))
        log.info(
            "reduced-cost fixing keeps %d pairs, %d stations", len(self.pairs), len(self.stations)
        )
        return None

    def too_large_to_settle(self) -> bool:
        """Too many pairs left for phase R to finish a root in a limited time."""
        return (
            self.incumbent is not None
            and self.lp is not None
            and self.clock.limited
            and len(self.pairs) > self.state.settings.phase_r_pairs
        )

    def widen(self) -> Outcome:
        """Spend the time left on better plans, in ever wider LP neighbourhoods while HiGHS
        settles each before the time is up (a rounded plan often sheds technicians group by
        group), then a local search."""
        state, left, settings = self.state, self.clock.left, self.state.settings
        incumbent, lp = self.incumbent, self.lp
        assert incumbent is not None and lp is not None
        improve = min(settings.improve_seconds, 0.2 * left())
        width = 0
        done: set[bytes] = set()
        while left() - improve - 1.0 >= settings.min_phase_seconds and width <= 8:
            plan = neighbourhood_plan(state, lp, incumbent, left() - improve - 1.0, width)
            if plan is not None:
                share = time.monotonic() + 0.5 * (left() - improve - 1.0)
                plan = group_search(state, plan, share, done)
            if plan is not None and plan.cost < incumbent.cost:
                incumbent = plan
            width += 1
        incumbent = improve_plan(state, incumbent, time.monotonic() + improve)
        return finish(incumbent, self.bound)

    def settle(self) -> Outcome:
        """Prove or improve the incumbent over the pairs kept: by station sets (phase R) when
        there are many, else by one MILP."""
        state, clock, prep, incumbent = self.state, self.clock, self.state.prep, self.incumbent
        model = build(state, self.pairs, self.stations)
        if incumbent is not None and len(model.pairs) > state.settings.relax_phase_pairs:
            return relaxed_search(
                state, self.pairs, self.stations, incumbent, self.bound, clock.t0, clock.budget
            )
        remaining = max(clock.left(), 0.5) if clock.limited else None
        status, values, bound = run_milp(prep, model, incumbent, remaining)
        if status == Status.INFEASIBLE:
            if incumbent is not None:  # only through tolerances; the start plan is feasible
                return Outcome(Status.FEASIBLE, incumbent, self.bound)
            return Outcome(
                Status.INFEASIBLE,
                None,
                None,
                "HiGHS proves that no plan keeps every promise together"
                " (capacity, coverage, dispatch and station limits)",
            )
        plan = None if values is None else plan_of(state, model, values)
        if plan is None or (incumbent is not None and incumbent.cost < plan.cost):
            plan = incumbent if incumbent is not None else plan
        if plan is None:
            return Outcome(Status.NO_PLAN, None, bound, NO_PLAN_IN_TIME)
        if self.bound is not None:
            bound = self.bound if bound is None else max(bound, self.bound)
        return finish(plan, bound)


def is_uncapacitated(
    state: SolveState,
) -> bool:
    """True when the problem is uncapacitated location (p-median when only the station
    count is limited): technicians cost nothing, no station can be overloaded even with
    every site it reaches, there is no dispatch level and no coverage promise to keep.
    Then a plan costs its stations' fixed costs plus each site's travel to its station,
    and each site goes to its cheapest open station."""
    prep, target = state.prep, state.target
    problem = prep.problem
    if problem.dispatch is not None or problem.technician.annual_cost != 0:
        return False
    if target > 0 and float(prep.calls.sum()) > 0:
        return False
    n_st = len(problem.stations)
    work = np.bincount(prep.pj, weights=prep.pw, minlength=n_st)
    return bool((work <= prep.cap * problem.technician.productive_hours).all())


def solve_by_radius(
    state: SolveState,
    time_limit: float | None,
    starts: list[Plan],
) -> Outcome:
    """Uncapacitated location by the radius formulation (:mod:`planner.optimise.location.radius`)."""
    prep = state.prep
    problem = prep.problem
    n_st, n_sites = len(problem.stations), len(problem.sites)
    cost = np.full((n_st, n_sites), np.inf)
    cost[prep.pj, prep.pi] = prep.pcost
    start = np.unique(starts[-1].assign) if starts else None
    out = solve_uncapacitated(cost, prep.fixed, problem.max_open_stations, time_limit, start)
    if out.status == Status.INFEASIBLE:
        return Outcome(
            Status.INFEASIBLE,
            None,
            None,
            f"no {problem.max_open_stations} stations together reach every site",
        )
    if out.assign is None:
        return Outcome(Status.NO_PLAN, None, out.bound, NO_PLAN_IN_TIME)
    plan = plan_from(state, np.asarray(out.assign, dtype=np.int64))
    if plan is None:  # cannot happen: every promise is slack in this case
        raise RuntimeError("the uncapacitated plan does not keep the promises")
    if out.status == Status.OPTIMAL:
        return Outcome(
            Status.OPTIMAL, plan, min(out.bound if out.bound is not None else plan.cost, plan.cost)
        )
    return finish(plan, out.bound)


def at_promise(problem: TechniciansProblem, target: float, onsite: float) -> TechniciansProblem:
    """The problem with its coverage target and on-site hours replaced (a frontier point's)."""
    em = problem.emergency
    if (em.coverage_target, em.onsite_hours) == (target, onsite):
        return problem
    promise = em.model_copy(update={"coverage_target": target, "onsite_hours": onsite})
    return problem.model_copy(update={"emergency": promise})


def to_result(state: SolveState, outcome: Outcome, seconds: float) -> TechniciansResult:
    """The ``technicians-result/v1`` of an outcome, checked by the one plan evaluation
    (:func:`planner.optimise.technicians.evaluate`) at the state's promise: a plan that breaks
    a promise or costs other than it says is an internal error, never a result."""
    prep, onsite = state.prep, state.onsite
    problem = prep.problem
    if outcome.plan is None:
        return TechniciansResult(
            status=Status.INFEASIBLE, reason=outcome.reason, solve_seconds=seconds
        )
    plan = outcome.plan
    open_ = np.unique(plan.assign)
    stations = tuple(
        StationPlan(
            id=problem.stations[j].id,
            technicians=int(plan.technicians[j]),
            sites=tuple(problem.sites[i].id for i in np.nonzero(plan.assign == j)[0]),
        )
        for j in open_
    )
    total = float(prep.calls.sum())
    d_assigned = prep.d[plan.assign, np.arange(len(problem.sites))]
    coverage = float(prep.calls[d_assigned <= onsite].sum()) / total if total > 0 else 1.0
    levels = None
    if problem.dispatch is not None:
        levels = {
            problem.stations[j].id: on_duty(
                int(plan.technicians[j]),
                problem.technician.productive_hours,
                problem.service_hours_per_year,
            )
            for j in open_
        }
    found = outcome.bound if outcome.bound is not None else -math.inf
    bound = min(max(found, simple_bound(prep)), plan.cost)
    gap = (plan.cost - bound) / max(abs(plan.cost), 1e-9)
    result = TechniciansResult(
        status=outcome.status,
        objective=plan.cost,
        bound=bound,
        stations=stations,
        coverage=coverage,
        dispatch_levels=levels,
        gap=gap,
        solve_seconds=seconds,
    )
    # the solver's own check: the plan it returns keeps every promise at the cost it reports
    evaluation = evaluate(at_promise(problem, state.target, onsite), result, prep.d, slack=1e-6)
    if evaluation.violations:
        raise RuntimeError(f"the solver's plan breaks a promise: {evaluation.violations[0]}")
    if not math.isclose(evaluation.cost or 0.0, plan.cost, rel_tol=1e-9, abs_tol=1e-6):
        raise RuntimeError(
            f"the solver's plan costs {evaluation.cost!r} evaluated, {plan.cost!r} reported"
        )
    return result


def solve_technicians(
    problem: TechniciansProblem,
    time_limit: float | None = None,
    settings: TechniciansSettings | None = None,
) -> TechniciansResult:
    """Solve a ``technicians/v1`` problem exactly (HiGHS), within ``time_limit`` seconds if given.

    Raises :class:`planner.optimise.network.UnreachableSitesError` if no station reaches
    some site, and :class:`NoPlanWithinTimeLimit` if the time ran out before any plan was
    found without infeasibility being proven. ``settings`` tune how the time is spent
    (:class:`planner.optimise.technicians.settings.TechniciansSettings`).
    """
    t0 = time.monotonic()
    prep = prepare(problem)
    em = problem.emergency
    state = SolveState.at(prep, em.coverage_target, em.onsite_hours, settings)
    left = None if time_limit is None else max(time_limit - (time.monotonic() - t0), 0.0)
    outcome = solve_at(state, left, [])
    if outcome.status == Status.NO_PLAN:
        raise NoPlanWithinTimeLimit(time.monotonic() - t0, outcome.bound)
    return to_result(state, outcome, time.monotonic() - t0)


def technicians_frontier(
    problem: TechniciansProblem,
    coverage_targets: list[float],
    onsite_hours: list[float] | None = None,
    time_limit: float | None = None,
    settings: TechniciansSettings | None = None,
) -> list[TechniciansFrontierPoint]:
    """Cost against coverage: one solve per (on-site hours, coverage target), ``time_limit`` seconds each.

    The travel matrix and the prepared data are built once; targets run from the
    highest down so that each plan is a feasible start for the next. Each point's
    dispatch level is the plan's lowest (:func:`planner.optimise.technicians.evaluate`;
    1 where no station takes calls).
    """
    prep = prepare(problem)
    hours_list = [problem.emergency.onsite_hours] if onsite_hours is None else list(onsite_hours)
    points: list[TechniciansFrontierPoint] = []
    for onsite in hours_list:
        starts: list[Plan] = []
        for target in sorted(coverage_targets, reverse=True):
            state = SolveState.at(prep, target, onsite, settings)
            outcome = solve_at(state, time_limit, starts)
            res = to_result(state, outcome, 0.0)
            level = technicians = None
            if outcome.plan is not None:
                starts = [outcome.plan]
                evaluation = evaluate(at_promise(problem, target, onsite), res, prep.d)
                technicians = evaluation.technicians
                if problem.dispatch is not None:
                    lowest = evaluation.lowest_dispatch_level
                    level = 1.0 if lowest is None else lowest
            points.append(
                TechniciansFrontierPoint(
                    onsite_hours=onsite,
                    coverage_target=target,
                    status=Status.NO_PLAN if outcome.status == Status.NO_PLAN else res.status,
                    cost=res.objective,
                    bound=res.bound,
                    coverage=res.coverage,
                    dispatch_level=level,
                    technicians=technicians,
                    stations=tuple(s.id for s in res.stations),
                    reason=res.reason,
                )
            )
    points.sort(key=lambda p: (p.onsite_hours, p.coverage_target))
    return points
