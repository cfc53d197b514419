"""The strategy chain (一品一案): corporate strategy → region → customers → product → posture.

:func:`derive_posture` is a pure, deterministic function. It reads, in order:

1. **Corporate strategy for the product**: its role (core, growth, mature,
   harvest) and the company-wide targets (coverage, dispatch level, fill rate).
2. **The region's market class** (core, growth, maintain, remote) fixes the
   emergency promises from the industry's distance ladder (2 / 4 / 8 / 24 / 48 h):
   see :data:`EMERGENCY_BY_CLASS`. Key regions (core, growth) get the three
   things the method gives them: more staff (:data:`STAFFING_EMPHASIS`),
   customer-information collection on every preventive visit
   (:data:`INFO_COLLECTION_HOURS`) and parts-supply priority
   (:data:`PARTS_PRIORITY`), which sets the depot's parts availability target
   (the strategy's, less :data:`AVAILABILITY_RELIEF`: key regions highest) and its
   fill-rate target (:data:`FILL_RATE_RELIEF`).
3. **Its customers**: a fleet that is mostly rental runs on usage-based
   inspections, since hours pile up faster than months; otherwise inspections
   fall due by calendar or usage, whichever comes first. Key accounts get a
   relationship visit a year per key customer; a region whose base is mostly key accounts, or a
   core region, is offered substitute equipment during long repairs.
4. **The product's role** sets how broad and deep the preventive and
   value-added tiers go: strategic products (core, growth) get more
   (:data:`ROLE_SCORE`), harvest products less.
5. **Remote regions get a documented baseline**: depth 1 and breadth 1 whatever
   the role, the loosest promises of the ladder and the baseline fill rate.

Finally every value the region fixes in its ``overrides`` block replaces the
derived one. Nothing here depends on a plugin; plugins receive the posture.
"""

from __future__ import annotations

from typing import Any

from planner.models.profiles import (
    EmergencyPosture,
    InspectionPolicy,
    MarketClass,
    Posture,
    PostureOverride,
    PreventivePosture,
    ProductProfile,
    Region,
    Segment,
    StrategicRole,
    Strategy,
    ValueAddedPosture,
)

#: Emergency promises by market class, hours:
#: (reply, on site, repair, dispatch within).
#: On-site hours follow the regional promise ladder of Chinese industrial service
#: (2 / 4 / 8 / 24 / 48 h by distance class); repair follows "general fault 24 h,
#: serious 48 h"; replies stay well inside the 24 h reply promise. Remote
#: repair (72 h) and the dispatch times are illustrative.
EMERGENCY_BY_CLASS: dict[MarketClass, tuple[float, float, float, float]] = {
    MarketClass.CORE: (1.0, 4.0, 24.0, 1.0),
    MarketClass.GROWTH: (2.0, 8.0, 24.0, 2.0),
    MarketClass.MAINTAIN: (4.0, 24.0, 48.0, 4.0),
    MarketClass.REMOTE: (8.0, 48.0, 72.0, 8.0),
}

#: How far below the company target a class's coverage and dispatch levels sit
#: (illustrative): the ladder already loosens the promise, so the share is only
#: relaxed where a dense network would not pay.
TARGET_RELIEF: dict[MarketClass, float] = {
    MarketClass.CORE: 0.0,
    MarketClass.GROWTH: 0.0,
    MarketClass.MAINTAIN: 0.05,
    MarketClass.REMOTE: 0.10,
}

#: Region score and role score add up to the preventive depth and value-added
#: breadth (1 baseline, 2 extended, 3 full), clamped to 1..3.
REGION_SCORE: dict[MarketClass, int] = {
    MarketClass.CORE: 1,
    MarketClass.GROWTH: 1,
    MarketClass.MAINTAIN: 0,
    MarketClass.REMOTE: 0,
}
ROLE_SCORE: dict[StrategicRole, int] = {
    StrategicRole.CORE: 1,
    StrategicRole.GROWTH: 1,
    StrategicRole.MATURE: 0,
    StrategicRole.HARVEST: -1,
}

#: Extra hours per preventive visit spent collecting usage and purchase-intention
#: information (key regions only; hours illustrative).
INFO_COLLECTION_HOURS: dict[MarketClass, float] = {
    MarketClass.CORE: 0.5,
    MarketClass.GROWTH: 0.5,
    MarketClass.MAINTAIN: 0.0,
    MarketClass.REMOTE: 0.0,
}

#: Staffing above the workload minimum (key regions get more staff; illustrative).
STAFFING_EMPHASIS: dict[MarketClass, float] = {
    MarketClass.CORE: 1.2,
    MarketClass.GROWTH: 1.1,
    MarketClass.MAINTAIN: 1.0,
    MarketClass.REMOTE: 1.0,
}

#: Parts-supply priority (1 first) and how far the depot fill-rate target sits
#: below the company's (illustrative; parts below 85 % fill are a serious problem,
#: so no class drops more than five points).
PARTS_PRIORITY: dict[MarketClass, int] = {
    MarketClass.CORE: 1,
    MarketClass.GROWTH: 2,
    MarketClass.MAINTAIN: 3,
    MarketClass.REMOTE: 3,
}
FILL_RATE_RELIEF: dict[int, float] = {1: 0.0, 2: 0.02, 3: 0.05}
#: How far a priority's parts availability target sits below the company's
#: (illustrative): key regions are served first, so their depots aim highest.
AVAILABILITY_RELIEF: dict[int, float] = {1: 0.0, 2: 0.001, 3: 0.003}

#: Customer thresholds (illustrative).
RENTAL_USAGE_POLICY_SHARE = 0.4
KEY_ACCOUNT_SUBSTITUTE_SHARE = 0.3
#: Visit key users once a year (service standard).
KEY_ACCOUNT_VISITS = 1.0


def _clamp(value: int, low: int = 1, high: int = 3) -> int:
    return max(low, min(high, value))


def derive_posture(strategy: Strategy, region: Region, product: ProductProfile) -> Posture:
    """The service posture of ``product`` in ``region`` under ``strategy``.

    Deterministic and documented in the module docstring; the region's
    overrides are applied last.
    """
    role = strategy.role_of(product)
    cls = region.market_class
    targets = strategy.targets
    reply, onsite, repair, dispatch_within = EMERGENCY_BY_CLASS[cls]
    relief = TARGET_RELIEF[cls]

    key_share = region.segment_share(Segment.KEY_ACCOUNT)
    rental_share = region.segment_share(Segment.RENTAL_FLEET)

    emergency = EmergencyPosture(
        reply_hours=reply,
        onsite_hours=onsite,
        repair_hours=repair,
        coverage_target=max(0.0, targets.coverage - relief),
        dispatch_within_hours=dispatch_within,
        dispatch_service_level=max(0.5, targets.dispatch_service_level - relief),
        substitute_equipment=cls == MarketClass.CORE or key_share >= KEY_ACCOUNT_SUBSTITUTE_SHARE,
    )

    if cls == MarketClass.REMOTE:
        depth = breadth = 1
    else:
        depth = breadth = _clamp(1 + REGION_SCORE[cls] + ROLE_SCORE[role])
    policy = (
        InspectionPolicy.USAGE
        if rental_share >= RENTAL_USAGE_POLICY_SHARE
        else InspectionPolicy.WHICHEVER_FIRST
    )
    preventive = PreventivePosture(
        policy=policy,
        depth=depth,
        info_collection_hours=INFO_COLLECTION_HOURS[cls],
        key_account_visits_per_year=KEY_ACCOUNT_VISITS if key_share > 0 else 0.0,
    )
    priority = PARTS_PRIORITY[cls]
    posture = Posture(
        emergency=emergency,
        preventive=preventive,
        value_added=ValueAddedPosture(breadth=breadth),
        parts_priority=priority,
        fill_rate_target=max(0.5, targets.fill_rate - FILL_RATE_RELIEF[priority]),
        availability_target=max(0.5, targets.availability - AVAILABILITY_RELIEF[priority]),
        staffing_emphasis=STAFFING_EMPHASIS[cls],
    )
    return apply_overrides(posture, region.overrides)


def apply_overrides(posture: Posture, overrides: PostureOverride) -> Posture:
    """``posture`` with every value set in ``overrides`` put in its place."""
    data: dict[str, Any] = posture.model_dump()
    fixed = overrides.model_dump(exclude_none=True)
    for key, value in fixed.items():
        if isinstance(value, dict):
            data[key].update(value)
        else:
            data[key] = value
    return Posture.model_validate(data)
