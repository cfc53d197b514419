"""The contract every product class must keep, as small named checks.

Like scikit-learn's estimator checks (``check_estimator``,
``parametrize_with_checks``), the contract is a set of public functions
``check_*(product, regions=None, strategy=None)``, each asserting one rule
over every region (the bundled regions and strategy by default).
:func:`product_checks` yields them for one product class as ``(name, check)``
with ``check()`` taking no arguments; :func:`parametrize_with_checks` turns
them into one test per product and check, with readable ids
(``concrete_pump-check_demand_sums``). Service Planner's own test-suite runs
them over every registered product; a plugin package runs them over its own::

    from planner.testing import parametrize_with_checks
    from service_planner_mixer import MixerTruck

    @parametrize_with_checks([MixerTruck])
    def test_contract(check):
        check()

:func:`check_product` runs every check in turn. A failing check raises
``AssertionError`` with a message naming the product, region and rule.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from planner.demand import demand_of
from planner.models.plan import ServicePlan
from planner.models.profiles import ProductProfile, Region, RegionSet, Strategy, Tier
from planner.products import ProductPlugin, plan_context
from planner.profiles import load_product
from planner.strategy import derive_posture

if TYPE_CHECKING:
    import pytest

#: Machines assumed where a region has none of the product, so every rule is exercised.
NOMINAL_BASE = 100

Product = type[ProductPlugin]


def _plan(cls: Product, product: ProductProfile, region: Region, strategy: Strategy) -> ServicePlan:
    return cls().build_plan(plan_context(product, region, strategy))


def _defaults(regions: RegionSet | None, strategy: Strategy | None) -> tuple[RegionSet, Strategy]:
    from planner.scenario import default_regions, default_strategy

    return regions or default_regions(), strategy or default_strategy()


def _cases(cls: Product, regions: RegionSet) -> Iterator[tuple[ProductProfile, Region, str]]:
    """``(profile, region, where)`` for every region, each with some machines.

    A region without the product still exercises the rules with a nominal base.
    """
    product = load_product(cls.profile_path())
    for region in regions.regions:
        where = f"product {cls.id!r} in region {region.id!r}"
        if region.installed_base.get(cls.id, 0) == 0:
            region = region.model_copy(
                update={"installed_base": {**region.installed_base, cls.id: NOMINAL_BASE}}
            )
        yield product, region, where


# ---------------------------------------------------------------- the class and its profile


def check_declares_id_and_name(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """The class declares a non-empty ``id`` and ``name``."""
    assert isinstance(getattr(cls, "id", None), str) and cls.id, f"{cls.__qualname__}: no id"
    assert isinstance(getattr(cls, "name", None), str) and cls.name, f"{cls.__qualname__}: no name"


def check_profile_is_its_own(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """The class's profile file loads and is the profile of the class's product id."""
    product = load_product(cls.profile_path())
    assert product.id == cls.id, f"{cls.id}: profile {cls.profile_path()} is for {product.id!r}"


# ---------------------------------------------------------------- the plan of each region


def check_plan_is_labelled(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Each region's plan names the product and the region it is for."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        assert plan.product == cls.id and plan.region == region.id, f"{where}: plan mislabelled"


def check_plan_carries_posture(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Each region's plan carries the posture the strategy chain derives."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        assert plan.posture == derive_posture(strategy, region, product), (
            f"{where}: the plan must carry the strategy chain's posture"
        )


def check_three_tiers(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Each plan has the tiers emergency, preventive, value-added, in this order."""
    want = [Tier.EMERGENCY, Tier.PREVENTIVE, Tier.VALUE_ADDED]
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        got = [t.tier for t in _plan(cls, product, region, strategy).tiers()]
        assert got == want, f"{where}: tiers {got}, expected {want}"


def check_item_ids_unique(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """No tier of a plan repeats an item id."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        for tier in _plan(cls, product, region, strategy).tiers():
            ids = [item.id for item in tier.items]
            assert len(ids) == len(set(ids)), f"{where}: repeated item ids in {tier.tier}: {ids}"


def check_figures_finite(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Every item's occurrences, labour hours and cost are finite and not negative."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        for tier in _plan(cls, product, region, strategy).tiers():
            for item in tier.items:
                for value in (item.occurrences_per_year, item.labour_hours, item.cost_each):
                    assert math.isfinite(value) and value >= 0, f"{where}: {item.id}: {value}"


def check_parts_known(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Items use only parts from the product's parts list."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        part_ids = {p.id for p in product.parts}
        for tier in _plan(cls, product, region, strategy).tiers():
            for item in tier.items:
                for use in item.parts:
                    assert use.part in part_ids, f"{where}: {item.id} uses unknown part {use.part}"


def check_emergency_promises(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """The emergency tier promises reply and on-site hours and a coverage target."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        for key in ("reply_hours", "onsite_hours", "coverage_target"):
            assert key in plan.emergency.promises, f"{where}: emergency promise {key} missing"


def check_plan_deterministic(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Planning the same region twice gives the same plan."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        assert plan == _plan(cls, product, region, strategy), f"{where}: plan not deterministic"


# ---------------------------------------------------------------- the demand a plan implies


def check_demand_sums(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """The sites' calls, visits and hours add up to the region's totals."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        demand = demand_of(_plan(cls, product, region, strategy), region)
        for total, field in (
            (demand.emergency_calls, "emergency_calls"),
            (demand.planned_visits, "planned_visits"),
            (demand.planned_hours, "planned_hours"),
        ):
            spread = sum(getattr(s, field) for s in demand.sites)
            assert math.isclose(spread, total, rel_tol=1e-9, abs_tol=1e-9), (
                f"{where}: sites' {field} add up to {spread}, region total {total}"
            )


def check_calls_where_machines(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """A region with machines in the field of a product that breaks down gets calls."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        if region.installed_base.get(cls.id, 0) > 0 and product.breakdowns_per_year() > 0:
            demand = demand_of(_plan(cls, product, region, strategy), region)
            assert demand.emergency_calls > 0, f"{where}: machines in the field but no calls"


def check_demand_linear(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Demand is linear in the installed base: none without machines, double with twice as
    many (and as many more customers: key-account visits go by customer)."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        demand = demand_of(_plan(cls, product, region, strategy), region)
        base = region.installed_base.get(cls.id, 0)
        for factor in (0, 2):
            scaled = _scaled(region, cls.id, base, factor)
            d = demand_of(_plan(cls, product, scaled, strategy), scaled)
            for field in ("emergency_calls", "planned_visits", "planned_hours", "remote_hours"):
                got, want = getattr(d, field), getattr(demand, field) * factor
                assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), (
                    f"{where}: {field} is {got} with {factor}× the installed base, expected {want}"
                )


def _scaled(region: Region, product_id: str, base: int, factor: int) -> Region:
    """``region`` with ``factor`` times ``base`` machines of the product and its customers."""
    customers = tuple(
        c.model_copy(
            update={
                "customers": {
                    **c.customers,
                    **(
                        {product_id: c.customers[product_id] * factor}
                        if product_id in c.customers
                        else {}
                    ),
                }
            }
        )
        for c in region.customers
    )
    return region.model_copy(
        update={
            "installed_base": {**region.installed_base, product_id: base * factor},
            "customers": customers,
        }
    )


def check_items_planned(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Where there are machines, every item a plan lists happens some times a year (an
    item planned 0 times is a rule that displaced it)."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        for tier in plan.tiers():
            for item in tier.items:
                assert item.occurrences_per_year > 0, (
                    f"{where}: {tier.tier.value} item {item.id!r} is planned 0 times a year"
                )


def check_economics_add_up(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> None:
    """Each tier's and the plan's economics add up: margin is revenue minus cost, the
    warranty cost is part of the cost, the plan's figures are the tiers' sums."""
    regions, strategy = _defaults(regions, strategy)
    for product, region, where in _cases(cls, regions):
        plan = _plan(cls, product, region, strategy)
        tiers = [t.economics for t in plan.tiers()]
        total = plan.economics
        for name, e in [*zip((t.tier.value for t in plan.tiers()), tiers, strict=True)]:
            assert math.isclose(e.margin, e.revenue - e.cost, rel_tol=1e-9, abs_tol=1e-6), (
                f"{where}: {name} margin {e.margin} is not revenue {e.revenue} minus cost {e.cost}"
            )
            assert -1e-6 <= e.warranty_cost <= e.cost + 1e-6, (
                f"{where}: {name} warranty cost {e.warranty_cost} is outside 0..cost {e.cost}"
            )
        for field in ("cost", "warranty_cost", "revenue", "margin"):
            parts = sum(getattr(e, field) for e in tiers)
            assert math.isclose(getattr(total, field), parts, rel_tol=1e-9, abs_tol=1e-6), (
                f"{where}: the plan's {field} {getattr(total, field)} is not its tiers' sum {parts}"
            )
        assert plan.installed_base == region.installed_base.get(cls.id, 0), (
            f"{where}: the plan's installed base {plan.installed_base} is not the region's"
        )


#: Every check of the contract, in the order :func:`product_checks` yields them.
CHECKS: tuple[Callable[..., None], ...] = (
    check_declares_id_and_name,
    check_profile_is_its_own,
    check_plan_is_labelled,
    check_plan_carries_posture,
    check_three_tiers,
    check_item_ids_unique,
    check_figures_finite,
    check_parts_known,
    check_emergency_promises,
    check_plan_deterministic,
    check_demand_sums,
    check_calls_where_machines,
    check_demand_linear,
    check_items_planned,
    check_economics_add_up,
)


# ---------------------------------------------------------------- running the checks


def product_checks(
    cls: Product, regions: RegionSet | None = None, strategy: Strategy | None = None
) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(check_name, check)`` for every check of the contract, bound to ``cls``.

    ``check()`` takes no arguments and raises ``AssertionError`` if ``cls``
    breaks the rule in any of ``regions`` under ``strategy`` (the bundled
    ones by default, read once here).
    """
    regions, strategy = _defaults(regions, strategy)
    for check in CHECKS:
        yield check.__name__, functools.partial(check, cls, regions, strategy)


def _product_id(cls: Any) -> str:
    declared = getattr(cls, "id", None)
    return declared if isinstance(declared, str) and declared else cls.__qualname__


def parametrize_with_checks(
    products: Iterable[Product],
    regions: RegionSet | None = None,
    strategy: Strategy | None = None,
) -> pytest.MarkDecorator:
    """A ``pytest.mark.parametrize`` of ``check`` over every product and check of the contract.

    Test ids are ``<product_id>-<check_name>``; the test calls ``check()``::

        @parametrize_with_checks([MixerTruck])
        def test_contract(check):
            check()
    """
    import pytest

    regions, strategy = _defaults(regions, strategy)
    params = [
        pytest.param(check, id=f"{_product_id(cls)}-{name}")
        for cls in products
        for name, check in product_checks(cls, regions, strategy)
    ]
    return pytest.mark.parametrize("check", params)


def check_product(
    cls: Product,
    regions: RegionSet | None = None,
    strategy: Strategy | None = None,
) -> None:
    """Assert the whole product contract of ``cls`` over every region (bundled data by default)."""
    for _name, check in product_checks(cls, regions, strategy):
        check()
