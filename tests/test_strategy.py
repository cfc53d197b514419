"""The strategy chain: its documented rules, checked over every class and role."""

from __future__ import annotations

import itertools

import pytest

from planner.models.profiles import (
    MarketClass,
    PostureOverride,
    ProductProfile,
    Region,
    StrategicRole,
    Strategy,
)
from planner.strategy import apply_overrides, derive_posture

CLASSES = list(MarketClass)
ROLES = list(StrategicRole)
RANK = {MarketClass.CORE: 0, MarketClass.GROWTH: 1, MarketClass.MAINTAIN: 2, MarketClass.REMOTE: 3}


def posture(tiny_product, tiny_regions, tiny_strategy, cls, role, **region_changes):
    region = dict(tiny_regions["regions"][0], market_class=cls.value, **region_changes)
    strategy = dict(tiny_strategy, products={"concrete_pump": {"role": role.value}})
    return derive_posture(
        Strategy.model_validate(strategy),
        Region.model_validate(region),
        ProductProfile.model_validate(tiny_product),
    )


def test_emergency_ladder_loosens_with_remoteness(tiny_product, tiny_regions, tiny_strategy):
    by_class = {
        c: posture(tiny_product, tiny_regions, tiny_strategy, c, StrategicRole.CORE)
        for c in CLASSES
    }
    ordered = sorted(CLASSES, key=RANK.get)
    for near, far in itertools.pairwise(ordered):
        a, b = by_class[near].emergency, by_class[far].emergency
        assert a.onsite_hours <= b.onsite_hours and a.reply_hours <= b.reply_hours
        assert a.coverage_target >= b.coverage_target
        assert by_class[near].parts_priority <= by_class[far].parts_priority
    assert [by_class[c].emergency.onsite_hours for c in ordered] == [4, 8, 24, 48]
    assert all(p.emergency.reply_hours <= 24 for p in by_class.values())  # 24 h reply standard


def test_key_regions_and_strategic_products_get_more(tiny_product, tiny_regions, tiny_strategy):
    grid = {
        (c, r): posture(tiny_product, tiny_regions, tiny_strategy, c, r)
        for c in CLASSES
        for r in ROLES
    }
    for (c, r), p in grid.items():
        if c == MarketClass.REMOTE:
            assert (p.preventive.depth, p.value_added.breadth) == (1, 1)
        for c2 in CLASSES:  # a key region never gets less than a non-key one
            if c in (MarketClass.CORE, MarketClass.GROWTH) and c2 not in (
                MarketClass.CORE,
                MarketClass.GROWTH,
            ):
                other = grid[(c2, r)]
                assert p.preventive.depth >= other.preventive.depth
                assert p.value_added.breadth >= other.value_added.breadth
                assert p.preventive.info_collection_hours > other.preventive.info_collection_hours
                assert p.staffing_emphasis >= other.staffing_emphasis
        for r2 in ROLES:  # a strategic product never gets less than a mature or harvest one
            if r in (StrategicRole.CORE, StrategicRole.GROWTH) and r2 in (
                StrategicRole.MATURE,
                StrategicRole.HARVEST,
            ):
                assert p.preventive.depth >= grid[(c, r2)].preventive.depth
    assert grid[(MarketClass.CORE, StrategicRole.CORE)].preventive.depth == 3
    assert grid[(MarketClass.MAINTAIN, StrategicRole.HARVEST)].preventive.depth == 1
    assert grid[(MarketClass.MAINTAIN, StrategicRole.MATURE)].preventive.depth == 1
    assert grid[(MarketClass.GROWTH, StrategicRole.MATURE)].preventive.depth == 2


def test_customers_drive_policy_and_substitutes(tiny_product, tiny_regions, tiny_strategy):
    owner = [{"segment": "owner_operator", "share": 1.0}]
    p = posture(
        tiny_product,
        tiny_regions,
        tiny_strategy,
        MarketClass.GROWTH,
        StrategicRole.CORE,
        customers=owner,
    )
    assert p.preventive.policy == "whichever_first"
    assert p.preventive.key_account_visits_per_year == 0
    assert p.emergency.substitute_equipment is False
    rental = [{"segment": "rental_fleet", "share": 0.4}, {"segment": "key_account", "share": 0.6}]
    p = posture(
        tiny_product,
        tiny_regions,
        tiny_strategy,
        MarketClass.GROWTH,
        StrategicRole.CORE,
        customers=rental,
    )
    assert p.preventive.policy == "usage"
    assert p.preventive.key_account_visits_per_year == 1.0
    assert p.emergency.substitute_equipment is True


def test_product_role_defaults_to_the_profile(tiny_product, tiny_regions, tiny_strategy):
    strategy = Strategy.model_validate(dict(tiny_strategy, products={}))
    product = ProductProfile.model_validate(dict(tiny_product, strategic_role="harvest"))
    assert strategy.role_of(product) == StrategicRole.HARVEST


def test_every_override_replaces_the_derived_value(tiny_product, tiny_regions, tiny_strategy):
    base = posture(tiny_product, tiny_regions, tiny_strategy, MarketClass.CORE, StrategicRole.CORE)
    override = PostureOverride.model_validate(
        {
            "emergency": {
                "reply_hours": 3.0,
                "onsite_hours": 10.0,
                "repair_hours": 30.0,
                "coverage_target": 0.5,
                "dispatch_within_hours": 5.0,
                "dispatch_service_level": 0.6,
                "substitute_equipment": False,
            },
            "preventive": {
                "policy": "calendar",
                "depth": 1,
                "info_collection_hours": 2.0,
                "key_account_visits_per_year": 4.0,
            },
            "value_added": {"breadth": 2},
            "parts_priority": 3,
            "fill_rate_target": 0.99,
            "availability_target": 0.9,
            "staffing_emphasis": 0.8,
        }
    )
    changed = apply_overrides(base, override)
    assert changed.model_dump(mode="json") == {
        "emergency": {
            "reply_hours": 3.0,
            "onsite_hours": 10.0,
            "repair_hours": 30.0,
            "coverage_target": 0.5,
            "dispatch_within_hours": 5.0,
            "dispatch_service_level": 0.6,
            "substitute_equipment": False,
        },
        "preventive": {
            "policy": "calendar",
            "depth": 1,
            "info_collection_hours": 2.0,
            "key_account_visits_per_year": 4.0,
        },
        "value_added": {"breadth": 2},
        "parts_priority": 3,
        "fill_rate_target": 0.99,
        "availability_target": 0.9,
        "staffing_emphasis": 0.8,
    }
    assert apply_overrides(base, PostureOverride()) == base


def test_chain_is_deterministic(tiny_product, tiny_regions, tiny_strategy):
    a = posture(tiny_product, tiny_regions, tiny_strategy, MarketClass.GROWTH, StrategicRole.GROWTH)
    b = posture(tiny_product, tiny_regions, tiny_strategy, MarketClass.GROWTH, StrategicRole.GROWTH)
    assert a == b


@pytest.mark.parametrize("cls", CLASSES)
def test_targets_follow_the_strategy(tiny_product, tiny_regions, tiny_strategy, cls):
    low = dict(tiny_strategy, targets=dict(tiny_strategy["targets"], coverage=0.5))
    a = posture(tiny_product, tiny_regions, tiny_strategy, cls, StrategicRole.CORE)
    b = posture(tiny_product, tiny_regions, low, cls, StrategicRole.CORE)
    assert b.emergency.coverage_target == pytest.approx(a.emergency.coverage_target - 0.4)
