"""Scenario files (``kind = "scenario"``): read, checked and made ready to run.

:func:`load_scenario` reads a file (or its data), loads the profiles it names, checks them
and applies its overrides (by dotted path) and targets (per market class), giving a
:class:`LoadedScenario`; :func:`bundled_scenarios` lists the bundled files. Bad input
raises :class:`ScenarioError` (one ``file: field: message (got value)`` line each); a
target no plan meets raises :class:`InfeasibleTarget`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from planner.models.assessment import SelfAssessment
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.models.scenario import Scenario
from planner.plugins import PluginHost, load_plugins
from planner.profiles import (
    ProfileError,
    bundled_path,
    format_validation_error,
    load_product,
    load_profile,
    load_regions,
    load_strategy,
    read_document,
)
from planner.scenario.product import default_regions, default_strategy, product_profile

SCENARIO_DIR = "scenarios"


class ScenarioError(ProfileError):
    """A scenario that cannot be run: one ``file: field: message (got value)`` line each."""


class InfeasibleTarget(ScenarioError):
    """A target no plan meets; the message says what is reachable."""


@dataclass(frozen=True)
class LoadedScenario:
    """A checked scenario and the profiles it runs on, overrides and targets applied."""

    scenario: Scenario
    source: str
    products: dict[str, ProductProfile]
    regions: RegionSet
    strategy: Strategy
    self_assessment: SelfAssessment | None = None
    host: PluginHost | None = field(default=None, compare=False)


def bundled_scenarios() -> list[dict[str, str]]:
    """The bundled scenarios: ``{name, path}`` each, by file name."""
    folder = bundled_path(SCENARIO_DIR)
    out = []
    for path in sorted(folder.glob("*.toml")):
        scenario = _validate(Scenario, str(path), read_document(path))
        out.append({"name": scenario.name, "path": str(path)})
    return out


def _validate(model: type[BaseModel], source: str, data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(source, exc)) from None


def _near(source: str, base: Path | None, name: str, where: str) -> Path:
    path = Path(name)
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise ScenarioError([f"{source}: {where}: no such file (got {name!r})"])
    return path


def load_scenario(
    path: str | Path | None = None,
    *,
    data: Mapping[str, Any] | None = None,
    source: str | None = None,
    host: PluginHost | None = None,
) -> LoadedScenario:
    """A scenario file (or its ``data``, named ``source``), checked, with its profiles loaded
    and its overrides and targets applied. Raises :class:`ScenarioError` (one line per
    problem: ``file: field: message (got value)``)."""
    if path is not None:
        path = Path(path)
        raw = read_document(path)
        source = str(path)
        base: Path | None = path.parent
    else:
        if data is None:
            raise ValueError("give a path or the scenario's data")
        raw = dict(data)
        source = source or "scenario"
        base = None
    if raw.get("kind") != "scenario":
        raise ScenarioError(
            [f'{source}: kind: a scenario file says kind = "scenario" (got {raw.get("kind")!r})']
        )
    scenario: Scenario = _validate(Scenario, source, raw)
    host = host or load_plugins()
    known = set(host.products())
    products: dict[str, ProductProfile] = {}
    for k, product_id in enumerate(scenario.products):
        if product_id in scenario.profiles:
            file = _near(source, base, scenario.profiles[product_id], f"profiles.{product_id}")
            profile = load_product(file)
            if profile.id != product_id:
                raise ScenarioError(
                    [
                        (
                            f"{source}: profiles.{product_id}: the file is for product "
                            f"{profile.id!r} (got {str(file)!r})"
                        )
                    ]
                )
        elif product_id in known:
            profile = product_profile(host, product_id)
        else:
            raise ScenarioError(
                [
                    (
                        f"{source}: products[{k}]: unknown product (got {product_id!r}; "
                        f"known: {', '.join(sorted(known))})"
                    )
                ]
            )
        products[product_id] = profile
    regions = (
        load_regions(_near(source, base, scenario.regions, "regions"))
        if scenario.regions
        else default_regions()
    )
    strategy = (
        load_strategy(_near(source, base, scenario.strategy, "strategy"))
        if scenario.strategy
        else default_strategy()
    )
    assessment_file = (
        _near(source, base, scenario.self_assessment, "self_assessment")
        if scenario.self_assessment
        else bundled_path("self_assessment.toml")
    )
    assessment = None
    if assessment_file.is_file():
        loaded = load_profile(assessment_file)
        assessment = loaded if isinstance(loaded, SelfAssessment) else None
    region_ids = {r.id for r in regions.regions}
    for k, region_id in enumerate(scenario.only_regions or ()):
        if region_id not in region_ids:
            raise ScenarioError(
                [
                    (
                        f"{source}: only_regions[{k}]: unknown region (got {region_id!r}; "
                        f"regions: {', '.join(sorted(region_ids))})"
                    )
                ]
            )
    products, regions, strategy = _apply_overrides(source, scenario, products, regions, strategy)
    regions, strategy = _apply_targets(source, scenario, regions, strategy)
    return LoadedScenario(scenario, source, products, regions, strategy, assessment, host)


def _set_path(document: Any, parts: list[str], value: Any, key: str, source: str) -> None:
    """Set ``value`` at ``parts`` in ``document``; list items are found by their id."""
    node = document
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            found = [item for item in node if isinstance(item, dict) and item.get("id") == part]
            if not found:
                ids = [item.get("id") for item in node if isinstance(item, dict)]
                raise ScenarioError(
                    [
                        (
                            f"{source}: overrides.{key}: no item with id {part!r} "
                            f"(ids: {', '.join(map(str, ids))})"
                        )
                    ]
                )
            if last:
                raise ScenarioError(
                    [f"{source}: overrides.{key}: names a whole item; name one of its fields"]
                )
            node = found[0]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                [f"{source}: overrides.{key}: {part!r} is inside a value, not a table"]
            )
        if last:
            node[part] = value
        else:
            if part not in node or node[part] is None:
                node[part] = {}
            node = node[part]


def _apply_overrides(
    source: str,
    scenario: Scenario,
    products: dict[str, ProductProfile],
    regions: RegionSet,
    strategy: Strategy,
) -> tuple[dict[str, ProductProfile], RegionSet, Strategy]:
    docs: dict[str, Any] = {
        "products": {pid: p.model_dump(mode="json", by_alias=True) for pid, p in products.items()},
        "regions": regions.model_dump(mode="json", by_alias=True),
        "strategy": strategy.model_dump(mode="json", by_alias=True),
    }
    for key, value in scenario.overrides.items():
        head, *rest = key.split(".")
        if head == "products":
            if not rest or rest[0] not in docs["products"]:
                got = rest[0] if rest else ""
                raise ScenarioError(
                    [
                        (
                            f"{source}: overrides.{key}: not a product of the scenario (got "
                            f"{got!r}; products: {', '.join(docs['products'])})"
                        )
                    ]
                )
            target, parts = docs["products"][rest[0]], rest[1:]
        elif head == "regions":
            target, parts = docs["regions"]["regions"], rest
        else:
            target, parts = docs["strategy"], rest
        if not parts:
            raise ScenarioError([f"{source}: overrides.{key}: names no field"])
        _set_path(target, parts, value, key, source)
        # check each change at once, so that the message names the override that broke it
        model = {"products": ProductProfile, "regions": RegionSet, "strategy": Strategy}[head]
        doc = docs["products"][rest[0]] if head == "products" else docs[head]
        try:
            model.model_validate(doc)
        except ValidationError as exc:
            lines = format_validation_error(f"{source}: overrides.{key}", exc)
            raise ScenarioError(
                [line if "(got " in line else f"{line} (got {value!r})" for line in lines]
            ) from None
    return (
        {pid: ProductProfile.model_validate(d) for pid, d in docs["products"].items()},
        RegionSet.model_validate(docs["regions"]),
        Strategy.model_validate(docs["strategy"]),
    )


def _apply_targets(
    source: str, scenario: Scenario, regions: RegionSet, strategy: Strategy
) -> tuple[RegionSet, Strategy]:
    targets = scenario.targets
    changed = []
    for region in regions.regions:
        overrides = region.overrides.model_dump(exclude_none=True)
        emergency = overrides.setdefault("emergency", {})
        chosen = targets.classes.get(region.market_class)
        if chosen is not None:
            if chosen.coverage is not None:
                emergency["coverage_target"] = chosen.coverage
            if chosen.onsite_hours is not None:
                emergency["onsite_hours"] = chosen.onsite_hours
            if chosen.availability is not None:
                overrides["availability_target"] = chosen.availability
        if targets.dispatch_level is not None:
            emergency["dispatch_service_level"] = targets.dispatch_level
        changed.append(region.model_copy(update={"overrides": type(region.overrides)(**overrides)}))
    budget = strategy.budget.model_dump()
    budget.update(targets.budget.model_dump(exclude_none=True))
    strategy = strategy.model_copy(update={"budget": type(strategy.budget)(**budget)})
    return regions.model_copy(update={"regions": tuple(changed)}), strategy


__all__ = [
    "SCENARIO_DIR",
    "InfeasibleTarget",
    "LoadedScenario",
    "ScenarioError",
    "bundled_scenarios",
    "load_scenario",
]
