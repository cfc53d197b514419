"""The contract every product class must keep, as a reusable check.

Like scikit-learn's estimator checks, :func:`check_product` runs the same
assertions over any product class. Service Planner's own test-suite runs it
over every registered product; a plugin package calls it in its own tests::

    from planner.testing import check_product

    def test_contract():
        check_product(MixerTruck)

It raises ``AssertionError`` with a message naming the product, region and
rule that failed.
"""

from __future__ import annotations

import math

from planner.demand import demand_of
from planner.models.plan import ServicePlan
from planner.models.profiles import ProductProfile, RegionSet, Strategy, Tier
from planner.products import ProductPlugin, plan_context
from planner.profiles import load_product
from planner.strategy import derive_posture

#: Machines assumed where a region has none of the product, so every rule is exercised.
NOMINAL_BASE = 100


def _plan(cls: type[ProductPlugin], product: ProductProfile, region, strategy) -> ServicePlan:
    return cls().build_plan(plan_context(product, region, strategy))


def check_product(
    cls: type[ProductPlugin],
    regions: RegionSet | None = None,
    strategy: Strategy | None = None,
) -> None:
    """Assert the product contract of ``cls`` over every region (bundled data by default)."""
    from planner.scenario import default_regions, default_strategy

    regions = regions or default_regions()
    strategy = strategy or default_strategy()
    assert isinstance(cls.id, str) and cls.id, f"{cls.__qualname__}: no id"
    assert isinstance(cls.name, str) and cls.name, f"{cls.__qualname__}: no name"
    product = load_product(cls.profile_path())
    assert product.id == cls.id, f"{cls.id}: profile {cls.profile_path()} is for {product.id!r}"
    part_ids = {p.id for p in product.parts}

    for region in regions.regions:
        where = f"product {cls.id!r} in region {region.id!r}"
        if region.installed_base.get(cls.id, 0) == 0:
            # A region without the product still exercises the rules with a nominal base.
            region = region.model_copy(
                update={"installed_base": {**region.installed_base, cls.id: NOMINAL_BASE}}
            )
        plan = _plan(cls, product, region, strategy)
        assert plan.product == cls.id and plan.region == region.id, f"{where}: plan mislabelled"
        assert plan.posture == derive_posture(strategy, region, product), (
            f"{where}: the plan must carry the strategy chain's posture"
        )
        assert [t.tier for t in plan.tiers()] == [Tier.EMERGENCY, Tier.PREVENTIVE, Tier.VALUE_ADDED]
        for tier in plan.tiers():
            ids = [item.id for item in tier.items]
            assert len(ids) == len(set(ids)), f"{where}: repeated item ids in {tier.tier}: {ids}"
            for item in tier.items:
                for value in (item.occurrences_per_year, item.labour_hours, item.cost_each):
                    assert math.isfinite(value) and value >= 0, f"{where}: {item.id}: {value}"
                for use in item.parts:
                    assert use.part in part_ids, f"{where}: {item.id} uses unknown part {use.part}"
        for key in ("reply_hours", "onsite_hours", "coverage_target"):
            assert key in plan.emergency.promises, f"{where}: emergency promise {key} missing"
        assert plan == _plan(cls, product, region, strategy), f"{where}: plan not deterministic"

        demand = demand_of(plan, region)
        for total, field in (
            (demand.emergency_calls, "emergency_calls"),
            (demand.planned_visits, "planned_visits"),
            (demand.planned_hours, "planned_hours"),
        ):
            spread = sum(getattr(s, field) for s in demand.sites)
            assert math.isclose(spread, total, rel_tol=1e-9, abs_tol=1e-9), (
                f"{where}: sites' {field} add up to {spread}, region total {total}"
            )
        if region.installed_base.get(cls.id, 0) > 0 and product.breakdowns_per_year() > 0:
            assert demand.emergency_calls > 0, f"{where}: machines in the field but no calls"

        # Demand is linear in the installed base: none without machines, double with twice as many.
        base = region.installed_base.get(cls.id, 0)
        for factor in (0, 2):
            scaled = region.model_copy(
                update={"installed_base": {**region.installed_base, cls.id: base * factor}}
            )
            d = demand_of(_plan(cls, product, scaled, strategy), scaled)
            for field in ("emergency_calls", "planned_visits", "planned_hours", "remote_hours"):
                got, want = getattr(d, field), getattr(demand, field) * factor
                assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (
                    f"{where}: {field} is {got} with {factor}× the installed base, expected {want}"
                )
