"""The bundled plans as a service manager reads them (run by hand, prints tables).

    python benchmarks/plausibility.py [--region east]

For each bundled product in ``--region`` (every region with ``--region all``): machines,
the maker's preventive visits a machine-year, the least planned item, the sites' shortest
travel from any candidate station, and the economics (cost, of it warranty, revenue,
margin). Then each product's spares/v2 problem solved as the planner emits it: status,
seconds, the parts' distinct lead times, how many machine-stopping parts are stocked
nowhere, and the largest central stock against the part's lead-time demand at the
central warehouse (demand over all depots during the part's own lead time). These are the
figures a review of the plans checks (../shared/domain, "Plausibility").
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from planner import actions
from planner.optimise.network import travel_matrix
from planner.plugins import load_plugins

PRODUCTS = ("concrete_pump", "crawler_crane", "excavator")


def plans(host, region: str) -> None:
    header = (
        f"{'product':<15}{'region':<11}{'machines':>9}{'visits/mach-yr':>15}"
        f"{'least item (per yr)':>36}{'min travel h':>13}{'cost M':>9}{'warranty M':>11}"
        f"{'revenue M':>10}{'margin M':>10}"
    )
    print(header)
    print("-" * len(header))
    for pid in PRODUCTS:
        planned = actions.plan(host, pid)
        problems = actions.build_technicians_problems(planned)
        for rp in planned.report.regions:
            p = rp.plan
            if region != "all" and p.region != region:
                continue
            items = [i for t in p.tiers() for i in t.items]
            least = min(items, key=lambda i: i.occurrences_per_year)
            d = travel_matrix(problems[p.region])
            shortest = float(np.where(np.isfinite(d), d, math.inf).min())
            e = p.economics
            print(
                f"{pid:<15}{p.region:<11}{p.installed_base:>9,}"
                f"{p.preventive_visits_per_machine:>15.2f}"
                f"{f'{least.id} ({least.occurrences_per_year:,.1f})':>36}{shortest:>13.2f}"
                f"{e.cost / 1e6:>9.1f}{e.warranty_cost / 1e6:>11.1f}{e.revenue / 1e6:>10.1f}"
                f"{e.margin / 1e6:>10.1f}"
            )


def parts(host) -> None:
    header = (
        f"{'product':<15}{'parts':>6}{'status':>9}{'seconds':>9}{'lead times (d)':>26}"
        f"{'essential unstocked':>21}{'max central/LT demand':>23}"
    )
    print(header)
    print("-" * len(header))
    for pid in PRODUCTS:
        planned = actions.plan(host, pid)
        problem = actions.build_spares_problem(planned)
        t = time.perf_counter()
        result = actions.optimise_spares(problem)
        seconds = time.perf_counter() - t
        held: dict[str, int] = {}
        central: dict[str, int] = {}
        for line in result.stock:
            held[line.part] = held.get(line.part, 0) + line.quantity
            if line.location == "central":
                central[line.part] = line.quantity
        leads = sorted({p.lead_time_days for p in problem.parts if p.lead_time_days})
        unstocked = [p.id for p in problem.parts if p.essential and not held.get(p.id)]
        central_lead = problem.central.lead_time_days if problem.central else 0.0
        ratio = 0.0
        for p in problem.parts:
            lead = p.lead_time_days if p.lead_time_days is not None else central_lead
            lt_demand = sum(p.demand.values()) * lead / 365.0
            if central.get(p.id) and lt_demand > 0:
                ratio = max(ratio, central[p.id] / lt_demand)
        shown = ", ".join(f"{x:g}" for x in leads)
        print(
            f"{pid:<15}{len(problem.parts):>6}{result.status.value:>9}{seconds:>9.2f}"
            f"{shown[:25]:>26}{len(unstocked):>21}{ratio:>23.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="east", help="a region id, or 'all'")
    args = parser.parse_args()
    host = load_plugins(entry_points=False)
    plans(host, args.region)
    print()
    parts(host)


if __name__ == "__main__":
    main()
