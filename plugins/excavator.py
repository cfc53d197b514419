"""Excavators.

Particular to the family: a new machine gets a first service at 250 engine
hours (manufacturers' schedules) before the regular intervals; the share of
the installed base that is new each year is illustrative.
"""

from __future__ import annotations

from planner import hookimpl
from planner.models.plan import PlanItem
from planner.models.profiles import Tier
from planner.products import PlanContext, ProductPlugin

NEW_MACHINE_SHARE = 0.15
FIRST_SERVICE_HOURS = 3.0


class Excavator(ProductPlugin):
    id = "excavator"
    name = "Hydraulic excavator"
    profile_resource = "excavator.toml"

    def extra_items(self, ctx: PlanContext) -> dict[Tier, tuple[PlanItem, ...]]:
        item = PlanItem(
            id="first-250h-service",
            name="First service at 250 engine hours (new machines)",
            occurrences_per_year=ctx.installed_base * NEW_MACHINE_SHARE,
            on_site=True,
            labour_hours=FIRST_SERVICE_HOURS,
            cost_each=FIRST_SERVICE_HOURS * ctx.labour_rate,
        )
        return {Tier.PREVENTIVE: (item,)}


@hookimpl
def planner_add_products() -> list[type[ProductPlugin]]:
    return [Excavator]
