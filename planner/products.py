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
customer segment ``s`` with share ``w_s`` and usage ``u_s = annual_usage × usage_factor_s``;
``W`` is the product's warranty share, the machines sold in the last
``warranty_months``, ``min(1, new_machine_share × warranty_months / 12)``, and
``C = W × capture.in_warranty + (1 − W) × capture.after_warranty`` the share of the
base whose maker-performed scheduled services the maker's network does):

- **Emergency**: breakdown calls ``Σ_s N w_s × breakdowns(u_s)`` (breakdowns
  scale linearly with usage), all answered by the maker's network (its promise holds
  for every machine), each taking the product's mean repair hours on site and, on
  average, ``supplied failures ÷ calls`` units of each part, where a part's supplied
  failures are its failures times its ``supply_share`` (wear parts and consumables are
  also bought elsewhere). A part's rate counts all its fitted units together: per
  machine-year at nominal usage (scaled by ``u_s / annual_usage``) or per usage unit
  (times ``u_s``). A share ``W`` of the repairs is inside warranty (free to the
  customer, the maker's warranty cost); the others are charged at the product's
  labour price and parts at cost times the markup.
- **Preventive**: the schedule's items with ``min_depth ≤ posture depth``, split into
  *levels* and *add-ons*. A level or add-on falls due ``12 / every_months`` or
  ``u_s / every_usage`` times a machine-year (calendar, usage, or whichever comes
  first, by the posture's policy; an item with one kind of interval uses that one).
  Levels are nested and listed from the most frequent to the most thorough: at each
  service only the highest level due is done (on a tie in frequency, the later-listed
  one), so with due frequencies ``f_1 ≥ f_2 ≥ …`` level ``k`` is done ``f_k − f_{k+1}``
  times. Add-ons are done as often as they fall due and never displace a level.
  ``performer`` says who does each: the operator's and dealers' work is listed (with
  its occurrences) but costs the maker nothing and loads no technician; the maker's
  work is done on the captured share ``C`` of the machines, ``W × in_warranty ÷ C`` of
  it inside warranty (free) and the rest charged. Each maker level visit adds the
  posture's information-collection hours. A maker add-on is done during the maker's
  level visits when those are at least as many as the add-on's occurrences (no trip
  of its own, its own hours only); otherwise each is a trip of its own.
  The *first service* of new machines (``N × new_machine_share × in_warranty`` a year,
  free) is a trip of its own unless a maker level falls due at the same usage; then
  it is done on that visit and adds its hours. Key accounts get the posture's
  relationship visits per key-account *customer* (the region's customer count for
  the product), not per machine.
- **Value-added**: the offers with ``min_breadth ≤ posture breadth``, taken up
  by ``uptake × N`` machines a year, each charged its price.

Costs use the region's technician cost per productive hour plus parts at unit
cost plus an offer's own cost; the tiers' economics (cost, warranty cost, revenue,
margin) follow from each item's cost, warranty share and price
(:class:`~planner.models.plan.Economics`).
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
    Performer,
    Posture,
    PreventiveKind,
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
#: Key-account machines per customer assumed where a region gives no customer count
#: for the product (illustrative; the plan notes the assumption).
MACHINES_PER_KEY_CUSTOMER = 10


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

    @property
    def warranty_share(self) -> float:
        """Share of the installed base inside warranty (:attr:`ProductProfile.warranty_share`)."""
        return self.product.warranty_share

    @property
    def capture_share(self) -> float:
        """Share of the base whose maker-performed scheduled services the maker does."""
        return self.product.capture_share

    @property
    def captured_warranty_share(self) -> float:
        """Of the maker's scheduled services, the share done inside warranty."""
        c = self.capture_share
        return self.warranty_share * self.product.capture.in_warranty / c if c > 0 else 0.0

    def price(self, labour_hours: float, parts: tuple[PartUse, ...] = ()) -> float:
        """What the maker charges outside warranty for the labour and parts, CNY."""
        pricing = self.product.pricing
        return (
            labour_hours * pricing.labour_per_hour + self.parts_cost(parts) * pricing.parts_markup
        )

    def key_account_customers(self) -> tuple[float, bool]:
        """Key-account customers owning the product in the region, and whether the count
        is assumed: the region's count for the product, or else one customer per
        :data:`MACHINES_PER_KEY_CUSTOMER` key-account machines (an expected count, so
        that the plan stays linear in the installed base)."""
        count = self.region.customer_count(Segment.KEY_ACCOUNT, self.product.id)
        if count is not None:
            return count, False
        machines = self.installed_base * self.region.segment_share(Segment.KEY_ACCOUNT)
        if machines <= 0:
            return 0, False
        return machines / MACHINES_PER_KEY_CUSTOMER, True


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
            installed_base=ctx.installed_base,
            notes=self.notes(ctx),
        )

    def notes(self, ctx: PlanContext) -> tuple[str, ...]:
        """What the plan assumed where the profiles were silent."""
        count, assumed = ctx.key_account_customers()
        if assumed and ctx.posture.preventive.key_account_visits_per_year > 0:
            note = (
                f"key-account customers of {ctx.product.id} in {ctx.region.id} not given: "
                f"assumed {count:.1f} (one per {MACHINES_PER_KEY_CUSTOMER} key-account machines)"
            )
            return (note,)
        return ()

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
                failures = part.supply_share * sum(
                    n * self.part_rate(product, part.id, u) for n, u in ctx.segments()
                )
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
                warranty_share=ctx.warranty_share,
                price_each=ctx.price(product.repair_hours, used),
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
        offered = [lv for lv in ctx.product.preventive if lv.min_depth <= posture.depth]
        levels = [lv for lv in offered if lv.kind == PreventiveKind.LEVEL]
        add_ons = [lv for lv in offered if lv.kind == PreventiveKind.ADD_ON]
        done = {lv.id: 0.0 for lv in offered}  # occurrences over the whole base
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
            for lv in add_ons:
                done[lv.id] += n * self.level_frequency(lv, posture.policy, usage)

        captured = ctx.capture_share
        level_visits = captured * sum(
            done[lv.id] for lv in levels if lv.performer == Performer.MAKER
        )
        items = [self._level_item(ctx, lv, done[lv.id], own_visit=True) for lv in levels]
        for lv in add_ons:
            rides = lv.performer != Performer.MAKER or captured * done[lv.id] <= level_visits
            items.append(self._level_item(ctx, lv, done[lv.id], own_visit=not rides))
        first = self.first_service_item(ctx, levels)
        if first is not None:
            items.append(first)
        visits = ctx.key_account_customers()[0] * posture.key_account_visits_per_year
        if visits > 0:
            items.append(
                PlanItem(
                    id="key-account-visit",
                    name="Key-account relationship visit (per key customer)",
                    occurrences_per_year=visits,
                    on_site=True,
                    labour_hours=KEY_ACCOUNT_VISIT_HOURS,
                    cost_each=KEY_ACCOUNT_VISIT_HOURS * ctx.labour_rate,
                )
            )
        return tuple(items)

    def _level_item(
        self, ctx: PlanContext, lv: PreventiveLevel, done: float, *, own_visit: bool
    ) -> PlanItem:
        """The plan line of a level or add-on done ``done`` times a year over the base."""
        prefix = "inspection" if lv.kind == PreventiveKind.LEVEL else "add-on"
        if lv.performer != Performer.MAKER:
            return PlanItem(
                id=f"{prefix}-{lv.id}",
                name=lv.name,
                occurrences_per_year=done,
                on_site=True,
                own_visit=own_visit,
                labour_hours=lv.labour_hours,
                parts=lv.parts,
                cost_each=0.0,
                performer=lv.performer,
            )
        hours = lv.labour_hours + (
            ctx.posture.preventive.info_collection_hours if own_visit else 0.0
        )
        return PlanItem(
            id=f"{prefix}-{lv.id}",
            name=lv.name,
            occurrences_per_year=done * ctx.capture_share,
            on_site=True,
            own_visit=own_visit,
            labour_hours=hours,
            parts=lv.parts,
            cost_each=hours * ctx.labour_rate + ctx.parts_cost(lv.parts),
            warranty_share=ctx.captured_warranty_share,
            price_each=ctx.price(hours, lv.parts),
        )

    def first_service_item(
        self, ctx: PlanContext, levels: list[PreventiveLevel]
    ) -> PlanItem | None:
        """The first service of the year's new machines, inside warranty (free)."""
        first = ctx.product.first_service
        if first is None:
            return None
        coincides = any(
            lv.performer == Performer.MAKER and lv.every_usage == first.at_usage for lv in levels
        )
        machines = (
            ctx.installed_base * ctx.product.new_machine_share * ctx.product.capture.in_warranty
        )
        hours = first.labour_hours + (
            0.0 if coincides else ctx.posture.preventive.info_collection_hours
        )
        return PlanItem(
            id="first-service",
            name=first.name,
            occurrences_per_year=machines,
            on_site=True,
            own_visit=not coincides,
            labour_hours=hours,
            parts=first.parts,
            cost_each=hours * ctx.labour_rate + ctx.parts_cost(first.parts),
            warranty_share=1.0,
        )

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
                price_each=offer.price,
            )
            for offer in ctx.product.value_added
            if offer.min_breadth <= breadth
        )
