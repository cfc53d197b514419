"""Product classes: what a product plugin provides.

A product plugin returns subclasses of :class:`ProductPlugin` from the
``planner_add_products`` hook. A class declares its ``id`` (the product id of
its profile), a display ``name`` and where its profile file lies; it turns a
:class:`PlanContext` (built by :func:`plan_context`, the one place that builds
it) into a tiered :class:`~planner.models.plan.ServicePlan`.

The base class builds the three tiers from the profile by the rules below;
a product family overrides :meth:`ProductPlugin.extra_items` (or any of the
``*_items`` methods) for what is particular to it.

Rules of the base class (all per year, over the region's installed base ``N``,
customer segment ``s`` with share ``w_s`` and usage ``u_s = annual_usage × usage_factor_s``):

- **Emergency**: breakdown calls ``Σ_s N w_s × breakdowns(u_s)`` (breakdowns
  scale linearly with usage), each taking the product's mean repair hours on
  site and, on average, ``part failures ÷ calls`` units of each part. A part's
  rate counts all its fitted units together: per machine-year at nominal usage
  (scaled by ``u_s / annual_usage``) or per usage unit (times ``u_s``).
- **Preventive**: the levels with ``min_depth ≤ posture depth``. A level falls due
  ``12 / every_months`` or ``u_s / every_usage`` times a machine-year (calendar,
  usage, or whichever comes first, by the posture's policy; a level with only
  one kind of interval uses that one). Levels are nested and listed from the
  most frequent to the most thorough: at each service only the highest level
  due is done (on a tie in frequency, the later-listed one), so with due
  frequencies ``f_1 ≥ f_2 ≥ …`` level ``k`` is done ``f_k − f_{k+1}`` times and the machine is visited ``f_1`` times.
  Each visit adds the posture's information-collection hours. Key accounts get
  the posture's relationship visits.
- **Value-added**: the offers with ``min_breadth ≤ posture breadth``, taken up
  by ``uptake × N`` machines a year.

Costs use the region's technician cost per productive hour plus parts at unit
cost plus an offer's own cost.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

# ExportFormat lives beside the exporters in planner.export; it stays importable from
# here for plugins written against ``from planner.products import ExportFormat``.
from planner.export import ExportFormat  # noqa: F401 - re-exported
from planner.models.plan import PlanItem, ServicePlan, TierPlan
from planner.models.profiles import (
    InspectionPolicy,
    PartUse,
    Posture,
    PreventiveLevel,
    ProductProfile,
    Region,
    Segment,
    StrategicRole,
    Strategy,
    Tier,
)
from planner.strategy import derive_posture

#: Labour hours of a key-account relationship visit (illustrative).
KEY_ACCOUNT_VISIT_HOURS = 2.0


@dataclass(frozen=True)
class PlanContext:
    """Everything a product class needs to plan one region."""

    product: ProductProfile
    region: Region
    strategy: Strategy
    posture: Posture
    role: StrategicRole

    @property
    def installed_base(self) -> int:
        return self.region.installed_base.get(self.product.id, 0)

    @property
    def labour_rate(self) -> float:
        """CNY per technician hour in the region."""
        terms = self.region.technician
        return terms.annual_cost / terms.productive_hours

    def segments(self) -> list[tuple[float, float]]:
        """(machines, usage units a machine-year) per customer segment."""
        n = self.installed_base
        return [
            (n * c.share, self.product.annual_usage * c.usage_factor) for c in self.region.customers
        ]

    def parts_cost(self, parts: tuple[PartUse, ...]) -> float:
        return sum(self.product.part(use.part).unit_cost * use.quantity for use in parts)


def plan_context(product: ProductProfile, region: Region, strategy: Strategy) -> PlanContext:
    """The context a product class plans ``product`` in ``region`` with: the strategy chain's
    posture and the product's strategic role. The one place a :class:`PlanContext` is built."""
    return PlanContext(
        product=product,
        region=region,
        strategy=strategy,
        posture=derive_posture(strategy, region, product),
        role=strategy.role_of(product),
    )


class ProductPlugin:
    """Base class of product classes. Subclasses set ``id``, ``name`` and the profile location.

    ``profile_package`` and ``profile_resource`` name the bundled profile file
    (read with :mod:`importlib.resources`, so it works from a wheel); a class may
    instead override :meth:`profile_path`.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[str] = "0"
    profile_package: ClassVar[str] = "service_planner_profiles"
    profile_resource: ClassVar[str] = ""

    @classmethod
    def profile_path(cls) -> Path:
        """Where this product's default profile file lies."""
        resource = importlib.resources.files(cls.profile_package).joinpath(cls.profile_resource)
        return Path(str(resource))

    # ------------------------------------------------------------------ planning

    def build_plan(self, ctx: PlanContext) -> ServicePlan:
        """The tiered plan for one region. Subclasses rarely need to override this."""
        extra = self.extra_items(ctx)
        emergency = TierPlan(
            tier=Tier.EMERGENCY,
            items=(*self.emergency_items(ctx), *extra.get(Tier.EMERGENCY, ())),
            promises=self.emergency_promises(ctx),
        )
        preventive = TierPlan(
            tier=Tier.PREVENTIVE,
            items=(*self.preventive_items(ctx), *extra.get(Tier.PREVENTIVE, ())),
            promises={
                "policy": ctx.posture.preventive.policy.value,
                "depth": ctx.posture.preventive.depth,
                "info_collection_hours": ctx.posture.preventive.info_collection_hours,
            },
        )
        value_added = TierPlan(
            tier=Tier.VALUE_ADDED,
            items=(*self.value_added_items(ctx), *extra.get(Tier.VALUE_ADDED, ())),
            promises={"breadth": ctx.posture.value_added.breadth},
        )
        return ServicePlan(
            product=ctx.product.id,
            region=ctx.region.id,
            market_class=ctx.region.market_class,
            role=ctx.role,
            posture=ctx.posture,
            emergency=emergency,
            preventive=preventive,
            value_added=value_added,
        )

    def extra_items(self, ctx: PlanContext) -> dict[Tier, tuple[PlanItem, ...]]:
        """Items particular to the product family, by tier. None by default."""
        return {}

    def emergency_promises(self, ctx: PlanContext) -> dict[str, float | bool | str]:
        e = ctx.posture.emergency
        return {
            "reply_hours": e.reply_hours,
            "onsite_hours": e.onsite_hours,
            "repair_hours": e.repair_hours,
            "coverage_target": e.coverage_target,
            "dispatch_within_hours": e.dispatch_within_hours,
            "dispatch_service_level": e.dispatch_service_level,
            "substitute_equipment": e.substitute_equipment,
        }

    def emergency_items(self, ctx: PlanContext) -> tuple[PlanItem, ...]:
        product = ctx.product
        calls = sum(n * product.breakdowns_per_year(u) for n, u in ctx.segments())
        parts: list[PartUse] = []
        if calls > 0:
            for part in product.parts:
                failures = sum(n * self.part_rate(product, part.id, u) for n, u in ctx.segments())
                if failures > 0:
                    parts.append(PartUse(part=part.id, quantity=failures / calls))
        used = tuple(parts)
        return (
            PlanItem(
                id="breakdown-repair",
                name="Breakdown repair on site",
                occurrences_per_year=calls,
                on_site=True,
                labour_hours=product.repair_hours,
                parts=used,
                cost_each=product.repair_hours * ctx.labour_rate + ctx.parts_cost(used),
                promised_hours=ctx.posture.emergency.onsite_hours,
            ),
        )

    @staticmethod
    def part_rate(product: ProductProfile, part_id: str, usage: float) -> float:
        """Unplanned replacements of a part (all fitted units) per machine-year at ``usage``."""
        part = product.part(part_id)
        if part.failures_per_usage_unit is not None:
            return part.failures_per_usage_unit * usage
        assert part.failures_per_machine_year is not None
        return part.failures_per_machine_year * usage / product.annual_usage

    def level_frequency(
        self, level: PreventiveLevel, policy: InspectionPolicy, usage: float
    ) -> float:
        """Times a machine-year the level falls due at ``usage`` under ``policy``."""
        by_calendar = 12.0 / level.every_months if level.every_months is not None else None
        by_usage = usage / level.every_usage if level.every_usage is not None else None
        if by_calendar is None:
            assert by_usage is not None
            return by_usage
        if by_usage is None:
            return by_calendar
        if policy == InspectionPolicy.CALENDAR:
            return by_calendar
        if policy == InspectionPolicy.USAGE:
            return by_usage
        return max(by_calendar, by_usage)

    def preventive_items(self, ctx: PlanContext) -> tuple[PlanItem, ...]:
        posture = ctx.posture.preventive
        levels = [lv for lv in ctx.product.preventive if lv.min_depth <= posture.depth]
        done = {lv.id: 0.0 for lv in levels}
        for n, usage in ctx.segments():
            due = sorted(
                (
                    (self.level_frequency(lv, posture.policy, usage), k)
                    for k, lv in enumerate(levels)
                ),
                reverse=True,
            )
            for rank, (freq, k) in enumerate(due):
                following = due[rank + 1][0] if rank + 1 < len(due) else 0.0
                done[levels[k].id] += n * (freq - following)
        items = []
        for lv in levels:
            hours = lv.labour_hours + posture.info_collection_hours
            items.append(
                PlanItem(
                    id=f"inspection-{lv.id}",
                    name=lv.name,
                    occurrences_per_year=done[lv.id],
                    on_site=True,
                    labour_hours=hours,
                    parts=lv.parts,
                    cost_each=hours * ctx.labour_rate + ctx.parts_cost(lv.parts),
                )
            )
        key_visits = (
            ctx.installed_base
            * ctx.region.segment_share(Segment.KEY_ACCOUNT)
            * posture.key_account_visits_per_year
        )
        if key_visits > 0:
            items.append(
                PlanItem(
                    id="key-account-visit",
                    name="Key-account relationship visit",
                    occurrences_per_year=key_visits,
                    on_site=True,
                    labour_hours=KEY_ACCOUNT_VISIT_HOURS,
                    cost_each=KEY_ACCOUNT_VISIT_HOURS * ctx.labour_rate,
                )
            )
        return tuple(items)

    def value_added_items(self, ctx: PlanContext) -> tuple[PlanItem, ...]:
        breadth = ctx.posture.value_added.breadth
        return tuple(
            PlanItem(
                id=f"offer-{offer.id}",
                name=offer.name,
                occurrences_per_year=ctx.installed_base * offer.uptake,
                on_site=offer.on_site,
                labour_hours=offer.labour_hours,
                cost_each=offer.labour_hours * ctx.labour_rate + offer.cost,
            )
            for offer in ctx.product.value_added
            if offer.min_breadth <= breadth
        )
