"""Typed table rows for the command line, the app and the exports; human labels applied last.

Every table the planner shows is built by one function, as frozen dataclass rows whose fields
say what they hold (``workload_hours``, ``annual_cost``). Each table has one :class:`Table`
spec: the label of every field, in column order, and the kind of number each numeric field
holds. Only renderers read the specs; nothing reads a value back by its label.

Import every name from here (``from planner.views import PLAN``, ``views.plan_rows``); they live
in:

- :mod:`planner.views.tables` — :class:`Kind` and :class:`Table`, the spec every table shares;
- :mod:`planner.views.catalogue` — products and hooks (``PRODUCTS``, ``HOOKS``);
- :mod:`planner.views.plans` — a plan's regions, economics, tiers and scorecards (``PLAN``,
  ``ECONOMICS``, ``PROMISES``, ``TIER_ITEMS``, ``SCORES``);
- :mod:`planner.views.allocation` — stations, sites and a technicians result's summary
  (``STATIONS``, ``SITES``, ``SUMMARY``, :func:`station_fields`);
- :mod:`planner.views.frontier` — the cost / coverage frontier (``FRONTIER``) and
  :func:`parse_numbers`, which reads a frontier sweep's number lists;
- :mod:`planner.views.scenario` — a scenario's costs, regions and check (``COSTS``,
  ``REGIONS``, ``CHECK``);
- here — :data:`TABLES`, every table by name.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.views.allocation import DISPATCH_FIELDS as DISPATCH_FIELDS
from planner.views.allocation import (
    SITES,
    STATIONS,
    SUMMARY,
    AllocationSummary,
    SiteRow,
    StationRow,
    allocation_summary,
    site_rows,
    station_fields,
    station_rows,
)
from planner.views.catalogue import HOOKS, PRODUCTS, HookRow, ProductRow, hook_rows, product_rows
from planner.views.frontier import FRONTIER, FrontierRow, frontier_rows, parse_numbers
from planner.views.plans import (
    ECONOMICS,
    PLAN,
    PROMISES,
    SCORES,
    TIER_ITEMS,
    EconomicsRow,
    PlanRow,
    PromiseRow,
    ScoreRow,
    TierItemRow,
    economics_rows,
    plan_rows,
    promise_rows,
    score_rows,
    tier_item_rows,
)
from planner.views.scenario import (
    CHECK,
    COSTS,
    REGIONS,
    CheckViewRow,
    CostRow,
    RegionRow,
    check_rows,
    cost_rows,
    region_rows,
)
from planner.views.tables import Kind, Table

__all__ = [
    "CHECK",
    "COSTS",
    "ECONOMICS",
    "FRONTIER",
    "HOOKS",
    "PLAN",
    "PRODUCTS",
    "PROMISES",
    "REGIONS",
    "SCORES",
    "SITES",
    "STATIONS",
    "SUMMARY",
    "TABLES",
    "TIER_ITEMS",
    "AllocationSummary",
    "CheckViewRow",
    "CostRow",
    "EconomicsRow",
    "FrontierRow",
    "HookRow",
    "Kind",
    "PlanRow",
    "ProductRow",
    "PromiseRow",
    "RegionRow",
    "ScoreRow",
    "SiteRow",
    "StationRow",
    "Table",
    "TierItemRow",
    "allocation_summary",
    "check_rows",
    "cost_rows",
    "economics_rows",
    "frontier_rows",
    "hook_rows",
    "parse_numbers",
    "plan_rows",
    "product_rows",
    "promise_rows",
    "region_rows",
    "score_rows",
    "site_rows",
    "station_fields",
    "station_rows",
    "tier_item_rows",
]


TABLES: Mapping[str, Table] = {
    "products": PRODUCTS,
    "hooks": HOOKS,
    "plan": PLAN,
    "promises": PROMISES,
    "tier_items": TIER_ITEMS,
    "scores": SCORES,
    "stations": STATIONS,
    "sites": SITES,
    "summary": SUMMARY,
    "frontier": FRONTIER,
    "costs": COSTS,
    "regions": REGIONS,
    "check": CHECK,
}
"""Every table, by name."""
