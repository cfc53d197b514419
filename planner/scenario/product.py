"""One product's planning chain: profiles → posture → plugin plan → demand → report.

:func:`plan_product` plans one product in every region (or a few) with its scorecards;
:func:`product_profile` is a registered product's default profile, checked to be that
product's; :func:`default_regions` and :func:`default_strategy` are the bundled ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.demand import demand_of
from planner.errors import InputError
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.models.report import PlanReport, RegionPlan
from planner.plugins import PluginError, PluginHost
from planner.profiles import bundled_path, load_product, load_regions, load_strategy


def default_regions() -> RegionSet:
    return load_regions(bundled_path("regions.toml"))


def default_strategy() -> Strategy:
    return load_strategy(bundled_path("strategy.toml"))


def product_profile(host: PluginHost, product_id: str) -> ProductProfile:
    """The default profile of a registered product, checked to be that product's."""
    entry = host.product(product_id)
    profile = load_product(entry.cls.profile_path())
    if profile.id != product_id:
        raise PluginError(
            f"plugin {entry.plugin!r}: profile {entry.cls.profile_path()} is for product "
            f"{profile.id!r}, not {product_id!r}"
        )
    return profile


def plan_product(
    host: PluginHost,
    product: ProductProfile,
    regions: RegionSet,
    strategy: Strategy,
    only: Sequence[str] | None = None,
) -> PlanReport:
    """The product's plan and demand in every region (or those in ``only``), with scorecards."""
    chosen = list(regions.regions)
    if only:
        known = {r.id for r in chosen}
        unknown = [r for r in only if r not in known]
        if unknown:
            raise InputError(
                f"unknown region(s) {', '.join(map(repr, unknown))} "
                f"(regions: {', '.join(sorted(known))})"
            )
        chosen = [r for r in chosen if r.id in set(only)]
    region_plans = []
    for region in chosen:
        plan = host.plan_for(product, region, strategy)
        region_plans.append(RegionPlan(plan=plan, demand=demand_of(plan, region)))
    name = host.product(product.id).name
    report = PlanReport(
        product=product.id, product_name=name, strategy=strategy.name, regions=tuple(region_plans)
    )
    cards = host.scorecards(report, strategy)
    return report.model_copy(update={"scorecards": tuple(cards), "problems": tuple(host.problems)})


__all__ = [
    "default_regions",
    "default_strategy",
    "plan_product",
    "product_profile",
]
