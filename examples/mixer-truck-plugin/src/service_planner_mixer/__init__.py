"""Truck-mounted concrete mixers for Service Planner.

The drum's blades wear with every cubic metre mixed; the mixer is serviced
on the truck chassis' calendar and on drum hours, whichever comes first,
which the base class already handles from the profile. What is particular
to mixers is the drum wash-out inspection done during every regular visit.
"""

from __future__ import annotations

from planner import hookimpl
from planner.models.plan import PlanItem
from planner.models.profiles import Tier
from planner.products import PlanContext, ProductPlugin

DRUM_CHECK_HOURS = 0.5


class MixerTruck(ProductPlugin):
    id = "mixer_truck"
    name = "Truck-mounted concrete mixer"
    version = "0.1.0"
    profile_package = "service_planner_mixer"
    profile_resource = "mixer_truck.toml"

    def extra_items(self, ctx: PlanContext) -> dict[Tier, tuple[PlanItem, ...]]:
        visits_per_machine = 12.0  # one drum check at each monthly service
        item = PlanItem(
            id="drum-check",
            name="Drum blade and wash-out check",
            occurrences_per_year=ctx.installed_base * visits_per_machine,
            on_site=True,
            own_visit=False,  # done during the regular visit: hours, no extra trip
            labour_hours=DRUM_CHECK_HOURS,
            cost_each=DRUM_CHECK_HOURS * ctx.labour_rate,
        )
        return {Tier.PREVENTIVE: (item,)}


@hookimpl
def planner_add_products() -> list[type[ProductPlugin]]:
    return [MixerTruck]
