"""The product contract itself: named checks, readable ids, and each check catching its fault."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest
from service_planner_plugins.concrete_pump import ConcretePump

from planner.models.plan import PlanItem
from planner.models.profiles import PartUse, RegionSet, Strategy, Tier
from planner.testing import (
    CHECKS,
    check_product,
    check_three_tiers,
    parametrize_with_checks,
    product_checks,
)

CHECK_NAMES = [
    "check_declares_id_and_name",
    "check_profile_is_its_own",
    "check_plan_is_labelled",
    "check_plan_carries_posture",
    "check_three_tiers",
    "check_item_ids_unique",
    "check_figures_finite",
    "check_parts_known",
    "check_emergency_promises",
    "check_plan_deterministic",
    "check_demand_sums",
    "check_calls_where_machines",
    "check_demand_linear",
    "check_items_planned",
    "check_economics_add_up",
]


@pytest.fixture
def data(tiny_regions, tiny_strategy):
    return RegionSet.model_validate(tiny_regions), Strategy.model_validate(tiny_strategy)


def test_product_checks_yields_every_named_check(data):
    checks = list(product_checks(ConcretePump, *data))
    assert [name for name, _ in checks] == CHECK_NAMES
    assert [check.__name__ for check in CHECKS] == CHECK_NAMES
    for _name, check in checks:
        check()


def test_parametrize_with_checks_ids_name_product_and_check(data):
    mark = parametrize_with_checks([ConcretePump], *data)
    assert mark.mark.name == "parametrize"
    argnames, params = mark.mark.args
    assert argnames == "check"
    assert [p.id for p in params] == [f"concrete_pump-{name}" for name in CHECK_NAMES]
    assert "concrete_pump-check_demand_sums" in [p.id for p in params]


# ------------------------------------------------------------------ faulty products


def item(**update):
    fields = {
        "id": "extra",
        "name": "Extra",
        "occurrences_per_year": 1.0,
        "on_site": True,
        "labour_hours": 1.0,
        "cost_each": 10.0,
    }
    return PlanItem.model_construct(**{**fields, **update})


class NoName(ConcretePump):
    name = ""


class OthersProfile(ConcretePump):
    profile_resource = "excavator.toml"


class Mislabelled(ConcretePump):
    def build_plan(self, ctx):
        return super().build_plan(ctx).model_copy(update={"region": "elsewhere"})


class OwnPosture(ConcretePump):
    def build_plan(self, ctx):
        plan = super().build_plan(ctx)
        emergency = plan.posture.emergency.model_copy(update={"reply_hours": 999.0})
        return plan.model_copy(
            update={"posture": plan.posture.model_copy(update={"emergency": emergency})}
        )


class SwappedTiers(ConcretePump):
    def build_plan(self, ctx):
        plan = super().build_plan(ctx)
        return plan.model_copy(
            update={
                "emergency": plan.emergency.model_copy(update={"tier": Tier.PREVENTIVE}),
                "preventive": plan.preventive.model_copy(update={"tier": Tier.EMERGENCY}),
            }
        )


class RepeatedItem(ConcretePump):
    def extra_items(self, ctx):
        repeated = item(id="breakdown-repair", occurrences_per_year=0.1 * ctx.installed_base)
        return {Tier.EMERGENCY: (repeated,)}


class NegativeCost(ConcretePump):
    def extra_items(self, ctx):
        return {Tier.VALUE_ADDED: (item(cost_each=-1.0),)}


class InfiniteHours(ConcretePump):
    def extra_items(self, ctx):
        return {Tier.VALUE_ADDED: (item(labour_hours=math.inf, on_site=False),)}


class UnknownPart(ConcretePump):
    def extra_items(self, ctx):
        return {Tier.PREVENTIVE: (item(parts=(PartUse(part="no-such-part", quantity=1.0),)),)}


class NoCoverage(ConcretePump):
    def emergency_promises(self, ctx):
        promises = super().emergency_promises(ctx)
        del promises["coverage_target"]
        return promises


class Drifting(ConcretePump):
    counter = itertools.count()

    def extra_items(self, ctx):
        n = float(next(self.counter))
        return {Tier.VALUE_ADDED: (item(occurrences_per_year=n, on_site=False),)}


class NoBreakdowns(ConcretePump):
    def emergency_items(self, ctx):
        return ()


class FixedWorkload(ConcretePump):
    def extra_items(self, ctx):
        return {Tier.PREVENTIVE: (item(occurrences_per_year=5.0),)}


class NeverDone(ConcretePump):
    def extra_items(self, ctx):
        return {Tier.PREVENTIVE: (item(occurrences_per_year=0.0),)}


class NoBase(ConcretePump):
    def build_plan(self, ctx):
        return super().build_plan(ctx).model_copy(update={"installed_base": 0})


FAULTS = [
    (NoName, "check_declares_id_and_name", "NoName: no name"),
    (OthersProfile, "check_profile_is_its_own", "is for 'excavator'"),
    (Mislabelled, "check_plan_is_labelled", "plan mislabelled"),
    (OwnPosture, "check_plan_carries_posture", "strategy chain's posture"),
    (SwappedTiers, "check_three_tiers", "in region 'R1': tiers"),
    (RepeatedItem, "check_item_ids_unique", "repeated item ids"),
    (NegativeCost, "check_figures_finite", "extra: -1.0"),
    (InfiniteHours, "check_figures_finite", "extra: inf"),
    (UnknownPart, "check_parts_known", "uses unknown part no-such-part"),
    (NoCoverage, "check_emergency_promises", "emergency promise coverage_target missing"),
    (Drifting, "check_plan_deterministic", "plan not deterministic"),
    (NoBreakdowns, "check_calls_where_machines", "machines in the field but no calls"),
    (FixedWorkload, "check_demand_linear", "with 0× the installed base"),
    (NeverDone, "check_items_planned", "item 'extra' is planned 0 times"),
    (NoBase, "check_economics_add_up", "installed base 0 is not the region's"),
]


@pytest.mark.parametrize(
    ("cls", "failing", "message"), FAULTS, ids=[f"{c.__name__}-{f}" for c, f, _ in FAULTS]
)
def test_each_check_catches_its_fault(data, cls, failing, message):
    checks = dict(product_checks(cls, *data))
    with pytest.raises(AssertionError, match=message):
        checks[failing]()
    with pytest.raises(AssertionError):
        check_product(cls, *data)


def test_a_fault_fails_only_its_own_checks(data):
    """Checks are independent: a repeated item id breaks that check, not the others."""
    failed = []
    for name, check in product_checks(RepeatedItem, *data):
        try:
            check()
        except AssertionError:
            failed.append(name)
    assert failed == ["check_item_ids_unique"]


def test_checks_default_to_the_bundled_regions_and_strategy():
    names = [name for name, _ in product_checks(ConcretePump)]
    assert names == CHECK_NAMES
    dict(product_checks(ConcretePump))["check_plan_is_labelled"]()


def test_a_check_runs_on_its_own(data):
    check_three_tiers(ConcretePump, *data)
    check_three_tiers(ConcretePump)
    with pytest.raises(AssertionError, match="tiers"):
        check_three_tiers(SwappedTiers, *data)


def test_the_plugin_guide_lists_every_check():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text("utf-8")
    assert re.findall(r"^\| `(check_\w+)` \|", guide, re.MULTILINE) == CHECK_NAMES
