"""Concrete pump trucks.

Particular to the family: the delivery line wears where the concrete turns,
so pipes are rotated every 5 000 m³ pumped (a quarter turn spreads the wear;
interval from the manufacturers' maintenance guidance, hours illustrative).
The pump crew does it with its routine care, so it is listed as the operator's
work: it takes no trip and no hours of the maker's technicians.
"""

from __future__ import annotations

from planner import hookimpl
from planner.models.plan import PlanItem
from planner.models.profiles import Performer, Tier, UsageMetric
from planner.products import PlanContext, ProductPlugin

PIPE_ROTATION_M3 = 5_000.0
PIPE_ROTATION_HOURS = 1.5


class ConcretePump(ProductPlugin):
    id = "concrete_pump"
    name = "Concrete pump truck"
    profile_resource = "concrete_pump.toml"

    def extra_items(self, ctx: PlanContext) -> dict[Tier, tuple[PlanItem, ...]]:
        if ctx.product.usage_metric != UsageMetric.M3_PUMPED:
            return {}
        rotations = sum(n * usage / PIPE_ROTATION_M3 for n, usage in ctx.segments())
        item = PlanItem(
            id="pipe-rotation",
            name="Delivery pipe rotation (every 5 000 m³)",
            occurrences_per_year=rotations,
            on_site=True,
            own_visit=False,
            labour_hours=PIPE_ROTATION_HOURS,
            cost_each=0.0,
            performer=Performer.OPERATOR,
        )
        return {Tier.PREVENTIVE: (item,)}


@hookimpl
def planner_add_products() -> list[type[ProductPlugin]]:
    return [ConcretePump]
