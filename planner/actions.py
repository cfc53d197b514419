"""One function per user action: what the command line and the app both call.

The command line and the app read their inputs, call these, and render what they return
(the rows of :mod:`planner.views`); they know nothing of the optimisers. The actions:

- :func:`plan`: a product's plan in every region (or some), from bundled or given profiles;
- :func:`build_technicians_problems`, :func:`build_spares_problem`: the optimisers'
  ``technicians/v1`` and ``spares/v2`` problems of a plan;
- :func:`read_technicians_problem`, :func:`read_spares_problem`: an interchange file,
  validated (:class:`InterchangeError`, one line per problem);
- :func:`optimise_technicians` (its phases to a ``log`` callback, if given),
  :func:`sweep_frontier`, :func:`optimise_spares`, :func:`availability_curve` (the least
  investment at each of several availability targets, each proven or bounded);
- :func:`evaluate_technicians`, :func:`allocation`, :func:`allocation_workbook`: a plan
  checked against its problem, as tables and as a workbook.

The solvers' errors the callers handle are re-exported: :class:`UnreachableSitesError` (no
station reaches some sites: bad input) and :class:`NoPlanWithinTimeLimit` (no plan and no
proof of infeasibility within the time limit). The solvers are imported when first used,
so that the command line starts quickly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from planner.errors import InputError
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.models.report import PlanReport
from planner.models.spares import SparesProblem, SparesResult
from planner.models.status import Status
from planner.models.technicians import (
    TechniciansFrontierPoint,
    TechniciansProblem,
    TechniciansResult,
)
from planner.plugins import PluginHost
from planner.profiles import ProfileError, load_product, load_regions, load_strategy
from planner.scenario import default_regions, default_strategy, plan_product, product_profile

if TYPE_CHECKING:
    from planner.allocation import AllocationTables
    from planner.optimise.network import UnreachableSitesError
    from planner.optimise.technicians import NoPlanWithinTimeLimit, PlanEvaluation

__all__ = [
    "PHASE_LOGGER",
    "AvailabilityPoint",
    "InterchangeError",
    "Log",
    "NoPlanWithinTimeLimit",
    "PlannedProduct",
    "UnreachableSitesError",
    "allocation",
    "allocation_workbook",
    "availability_curve",
    "build_spares_problem",
    "build_technicians_problems",
    "evaluate_technicians",
    "machine_weighted",
    "optimise_spares",
    "optimise_technicians",
    "plan",
    "read_spares_problem",
    "read_technicians_problem",
    "sweep_frontier",
]

Log = Callable[[str], None]
"""Receives one message per solver phase (plans found, bounds), as it happens."""

PHASE_LOGGER = "planner.optimise.technicians"
"""The logger the technicians solver reports its phases to (at INFO)."""


def __getattr__(name: str) -> Any:
    """The solvers' errors, re-exported without importing the solvers at start-up."""
    if name == "NoPlanWithinTimeLimit":
        from planner.optimise.technicians import NoPlanWithinTimeLimit

        return NoPlanWithinTimeLimit
    if name == "UnreachableSitesError":
        from planner.optimise.network import UnreachableSitesError

        return UnreachableSitesError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class InterchangeError(ProfileError):
    """An interchange file (a problem) that does not validate: one
    ``file: field.path: message (got value)`` line per problem in ``problems``."""


# ---------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlannedProduct:
    """A product's plan (``report``) and the profiles it was made from."""

    report: PlanReport
    product: ProductProfile
    regions: RegionSet
    strategy: Strategy


def plan(
    host: PluginHost,
    product_id: str,
    *,
    profile: Path | None = None,
    regions: Path | None = None,
    strategy: Path | None = None,
    only: Sequence[str] | None = None,
) -> PlannedProduct:
    """The product's plan and demand in every region (or those in ``only``), with scorecards.

    ``profile``, ``regions`` and ``strategy`` are profile files; without them, the product's
    own profile and the bundled regions and strategy. Raises ``ProfileError`` (bad files),
    ``InputError`` (a profile of another product, an unknown region) or ``PluginError``.
    """
    product = load_product(profile) if profile else product_profile(host, product_id)
    if product.id != product_id:
        raise InputError(
            f"{profile}: id: the profile is for product {product.id!r}, not {product_id!r}"
        )
    region_set = load_regions(regions) if regions else default_regions()
    strategy_model = load_strategy(strategy) if strategy else default_strategy()
    report = plan_product(host, product, region_set, strategy_model, only=only)
    return PlannedProduct(report, product, region_set, strategy_model)


def build_technicians_problems(planned: PlannedProduct) -> dict[str, TechniciansProblem]:
    """Each planned region's ``technicians/v1`` problem, by region id, in the plan's order."""
    from planner.problems import technicians_problem

    return {
        rp.plan.region: technicians_problem(
            rp.plan, rp.demand, planned.regions.region(rp.plan.region)
        )
        for rp in planned.report.regions
    }


def build_spares_problem(
    planned: PlannedProduct,
    *,
    budget: float | None = None,
    objective: Literal["availability", "fill_rate"] = "availability",
) -> SparesProblem:
    """The ``spares/v2`` problem of the planned regions: the strategy chain's availability
    target per depot (or the strategy's fill-rate target), or a budget objective if
    ``budget`` is given."""
    from planner.problems import spares_problem

    return spares_problem(
        planned.product,
        planned.report,
        planned.regions,
        planned.strategy,
        budget=budget,
        objective=objective,
    )


# ---------------------------------------------------------------------------- files


def _read(model: type, name: str, data: str | bytes) -> Any:
    from pydantic import ValidationError

    from planner.profiles import format_validation_error

    try:
        return model.from_json(data)
    except ValidationError as exc:
        raise InterchangeError(format_validation_error(name, exc)) from None


def read_technicians_problem(name: str, data: str | bytes) -> TechniciansProblem:
    """A ``technicians/v1`` document named ``name`` (a file name), validated."""
    return _read(TechniciansProblem, name, data)


def read_spares_problem(name: str, data: str | bytes) -> SparesProblem:
    """A ``spares/v1`` or ``spares/v2`` document named ``name`` (a file name), validated."""
    return _read(SparesProblem, name, data)


# ---------------------------------------------------------------------------- optimise


class _Phases(logging.Handler):
    """Passes the records of one thread (the solving one) to a callback, as messages."""

    def __init__(self, log: Log) -> None:
        super().__init__(logging.INFO)
        self.log = log
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        # before the handler's lock is taken: other threads' solves pass straight by
        return record.thread == self.thread and bool(super().filter(record))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.log(record.getMessage())
        except Exception:  # noqa: BLE001 - a failing callback must not stop the solve
            self.handleError(record)


@contextmanager
def _phases_to(log: Log | None) -> Iterator[None]:
    """While in the block, the solver's phase messages (INFO and up) go to ``log``."""
    if log is None:
        yield
        return
    logger = logging.getLogger(PHASE_LOGGER)
    handler = _Phases(log)
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def optimise_technicians(
    problem: TechniciansProblem, *, time_limit: float | None = None, log: Log | None = None
) -> TechniciansResult:
    """Which stations to open, how many technicians each, which sites each serves.

    ``log``, if given, receives the solve's phase messages as they happen. Raises
    :class:`UnreachableSitesError` or :class:`NoPlanWithinTimeLimit`.
    """
    from planner.optimise.technicians import solve_technicians

    with _phases_to(log):
        return solve_technicians(problem, time_limit=time_limit)


def sweep_frontier(
    problem: TechniciansProblem,
    coverage_targets: Sequence[float],
    onsite_hours: Sequence[float] | None = None,
    *,
    time_limit: float | None = None,
    log: Log | None = None,
) -> list[TechniciansFrontierPoint]:
    """Cost against coverage: one solve per on-site promise (the problem's by default) and
    coverage target, ``time_limit`` seconds each. Raises :class:`UnreachableSitesError`."""
    from planner.optimise.technicians import technicians_frontier

    hours = None if onsite_hours is None else list(onsite_hours)
    with _phases_to(log):
        return technicians_frontier(problem, list(coverage_targets), hours, time_limit=time_limit)


def optimise_spares(
    problem: SparesProblem,
    *,
    time_limit: float | None = None,
    evaluate: bool = False,
    frontier: int = 0,
) -> SparesResult:
    """How many of each part to stock centrally and at each depot.

    ``evaluate`` adds the plan's VARI-METRIC and exact two-echelon backorders; ``frontier``
    adds up to that many efficient (investment, backorders) points to a feasible result.
    """
    from planner.optimise.spares import solve_spares, spares_frontier

    result = solve_spares(problem, time_limit=time_limit, evaluate=evaluate)
    if frontier and result.status != Status.INFEASIBLE:
        points = spares_frontier(problem, max_points=frontier)
        result = result.model_copy(update={"frontier": points})
    return result


def machine_weighted(availability: dict[str, float], installed: dict[str, int]) -> float | None:
    """Depot availabilities weighted by each depot's machines (None without machines)."""
    weights = {d: installed.get(d, 0) for d in availability}
    total = sum(weights.values())
    return sum(a * weights[d] for d, a in availability.items()) / total if total else None


@dataclass(frozen=True)
class AvailabilityPoint:
    """The least stock investment meeting one availability target at every depot."""

    target: float
    status: Status
    investment: float | None = None  # CNY, the plan's
    bound: float | None = None  # CNY, the proven lower bound (the investment when optimal)
    availability: float | None = None  # machine-weighted, the plan's
    fill_rate: float | None = None
    reason: str | None = None  # why the target is out of reach


def availability_curve(
    problem: SparesProblem, targets: Sequence[float], *, time_limit: float | None = None
) -> list[AvailabilityPoint]:
    """Investment against availability: for each target, the least investment whose stock
    gives every depot with machines at least that availability (and meets the floors),
    ``time_limit`` seconds each; each point ``optimal`` (proven), ``feasible`` with its
    proven ``bound``, or ``infeasible`` with the reason."""
    if not problem.installed_base:
        raise InputError(f"{problem.name or 'the parts problem'}: installed_base: none given")
    installed = dict(problem.installed_base)
    points = []
    for target in sorted(set(targets)):
        asked = problem.model_copy(
            update={
                "format": "spares/v2",
                "objective": problem.objective.model_validate({"target_availability": target}),
            }
        )
        result = optimise_spares(asked, time_limit=time_limit)
        if result.status == Status.INFEASIBLE:
            points.append(AvailabilityPoint(target, result.status, reason=result.reason))
            continue
        bound = result.investment if result.status == Status.OPTIMAL else result.bound
        points.append(
            AvailabilityPoint(
                target,
                result.status,
                investment=result.investment,
                bound=bound,
                availability=machine_weighted(result.availability or {}, installed),
                fill_rate=result.fill_rate,
            )
        )
    return points


# ---------------------------------------------------------------------------- evaluate


def evaluate_technicians(problem: TechniciansProblem, result: TechniciansResult) -> PlanEvaluation:
    """The one evaluation of ``result``'s plan: per-station load, per-site service, totals,
    lowest dispatch level and every promise it breaks."""
    from planner.optimise.technicians import evaluate

    return evaluate(problem, result)


def allocation(problem: TechniciansProblem, result: TechniciansResult) -> AllocationTables:
    """``result``'s plan as summary, station and site tables (rows of :mod:`planner.views`)."""
    from planner.allocation import allocation_tables

    return allocation_tables(problem, result)


def allocation_workbook(tables: AllocationTables) -> bytes:
    """The allocation tables as an Excel workbook (sheets summary, stations, sites)."""
    from planner.allocation import allocation_xlsx

    return allocation_xlsx(tables)
