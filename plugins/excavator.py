"""Excavators.

Nothing particular to plan beyond the base class: the first 250 h service of new
machines is in the profile (``first_service``), counted once, and the 250 h care
is the operator's (``performer``), so no trip is counted twice.
"""

from __future__ import annotations

from planner import hookimpl
from planner.products import ProductPlugin


class Excavator(ProductPlugin):
    id = "excavator"
    name = "Hydraulic excavator"
    profile_resource = "excavator.toml"


@hookimpl
def planner_add_products() -> list[type[ProductPlugin]]:
    return [Excavator]
