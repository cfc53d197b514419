"""A scenario's parts problem: every product's parts in one ``spares/v2`` problem.

A scenario of several products keeps each product's parts apart: a part serves only its
own product's machines, so each depot appears once per product (``<depot>/<product>``,
parts ``<product>/<part>``; :func:`depot_key`, :func:`part_key`) with that product's
installed base, and Sherbrooke's availability is each product's own. The central
warehouse is shared. The split is exact: no stock of one product's part can serve
another's machines.

:func:`portfolio_spares_problem` builds the one problem, :func:`parts_policy` the parts
policy with the scenario's fill-rate floors, :func:`targets_met` says whether a result
meets every depot's availability target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.models.scenario import Scenario
from planner.models.spares import SparesProblem, SparesResult
from planner.models.status import Status


def depot_key(depot: str, product: str, portfolio: bool) -> str:
    """The parts problem's depot id of one product at a depot."""
    return f"{depot}/{product}" if portfolio else depot


def part_key(part: str, product: str, portfolio: bool) -> str:
    """The parts problem's id of one product's part."""
    return f"{product}/{part}" if portfolio else part


def portfolio_spares_problem(problems: Mapping[str, SparesProblem], name: str) -> SparesProblem:
    """One ``spares/v2`` problem holding every product's parts (one problem: itself).

    Each product's depots and parts are renamed (:func:`depot_key`, :func:`part_key`);
    the central warehouse is shared; each depot keeps its own targets.
    """
    if len(problems) == 1:
        return next(iter(problems.values()))
    depots: list[dict[str, Any]] = []
    installed: dict[str, int] = {}
    parts: list[dict[str, Any]] = []
    targets: dict[str, float] = {}
    fill: set[float] = set()
    central = None
    for product, problem in problems.items():
        data = problem.model_dump(mode="json", exclude_none=True)
        central = data.get("central", central)
        for depot in data["depots"]:
            depots.append({**depot, "id": depot_key(depot["id"], product, True)})
        for depot, n in (data.get("installed_base") or {}).items():
            installed[depot_key(depot, product, True)] = n
        for part in data["parts"]:
            demand = {depot_key(d, product, True): m for d, m in part["demand"].items()}
            parts.append({**part, "id": part_key(part["id"], product, True), "demand": demand})
        goal = data["objective"]
        if "target_availability" in goal:
            value = goal["target_availability"]
            if isinstance(value, dict):
                for depot, a in value.items():
                    targets[depot_key(depot, product, True)] = a
            else:
                for depot in data["depots"]:
                    targets[depot_key(depot["id"], product, True)] = value
        elif "target_fill_rate" in goal:
            fill.add(goal["target_fill_rate"])
        else:
            raise ValueError("a portfolio's parts problem takes availability or fill-rate targets")
    if targets and fill:
        raise ValueError("the products' parts problems mix availability and fill-rate targets")
    objective = {"target_availability": targets} if targets else {"target_fill_rate": max(fill)}
    return SparesProblem.model_validate(
        {
            "format": "spares/v2",
            "name": name,
            "objective": objective,
            "central": central,
            "depots": depots,
            "installed_base": installed,
            "parts": parts,
        }
    )


def parts_policy(scenario: Scenario) -> dict[Any, Any]:
    """The parts policy by criticality, with the scenario's fill-rate floors in place."""
    from dataclasses import replace

    from planner.problems import CRITICALITY_POLICY

    floors = scenario.targets.part_floors
    return {
        level: replace(rule, min_fill_rate=floors[level]) if level in floors else rule
        for level, rule in CRITICALITY_POLICY.items()
    }


def targets_met(problem: SparesProblem, result: SparesResult) -> bool:
    """Whether ``result`` meets every depot's availability target (or, without one, is not
    infeasible)."""
    target = problem.objective.target_availability
    if target is None or not result.availability:
        return result.status != Status.INFEASIBLE
    wanted = target if isinstance(target, dict) else dict.fromkeys(result.availability, target)
    return all(result.availability.get(d, 0.0) >= a - 1e-9 for d, a in wanted.items())


__all__ = [
    "depot_key",
    "part_key",
    "parts_policy",
    "portfolio_spares_problem",
    "targets_met",
]
