"""Crawler cranes.

Particular to the family: hoisting machinery is special equipment in China and
must pass a periodic statutory inspection; the service network prepares the
crane and attends the inspector once a year (hours illustrative) on the cranes
whose service it has captured, during the annual thorough examination (no trip
of its own).
"""

from __future__ import annotations

from planner import hookimpl
from planner.models.plan import PlanItem
from planner.models.profiles import Tier
from planner.products import PlanContext, ProductPlugin

STATUTORY_INSPECTIONS_PER_YEAR = 1.0
STATUTORY_INSPECTION_HOURS = 6.0


class CrawlerCrane(ProductPlugin):
    id = "crawler_crane"
    name = "Crawler crane"
    profile_resource = "crawler_crane.toml"

    def extra_items(self, ctx: PlanContext) -> dict[Tier, tuple[PlanItem, ...]]:
        item = PlanItem(
            id="statutory-inspection",
            name="Attend the periodic statutory inspection of hoisting machinery",
            occurrences_per_year=ctx.installed_base
            * STATUTORY_INSPECTIONS_PER_YEAR
            * ctx.capture_share,
            on_site=True,
            own_visit=False,
            labour_hours=STATUTORY_INSPECTION_HOURS,
            cost_each=STATUTORY_INSPECTION_HOURS * ctx.labour_rate,
            warranty_share=ctx.captured_warranty_share,
            price_each=ctx.price(STATUTORY_INSPECTION_HOURS),
        )
        return {Tier.PREVENTIVE: (item,)}


@hookimpl
def planner_add_products() -> list[type[ProductPlugin]]:
    return [CrawlerCrane]
