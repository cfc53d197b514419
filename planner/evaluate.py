"""Built-in scorecards of a plan report.

Registered as a built-in plugin through ``planner_scorecards``:

- *Service budget*: the product's annual plan cost (all tiers, all regions: only
  the work the maker's network does), of it the warranty cost the maker pays, the
  revenue outside warranty and from value-added offers, the margin, and the cost
  and the net cost (cost minus revenue, at least 0) as shares of the strategy's service
  budget, which covers every product (so no target per product).
- *Promises*: the longest reply promise against the 24 h reply standard, and
  the lowest coverage target of the key regions (core, growth) against the
  company target; other classes are relieved by design.
- *Workload*: technician-years the plan's labour needs at each region's
  productive hours (no target; the technician optimiser sizes the staff).
"""

from __future__ import annotations

from planner.hookspecs import hookimpl
from planner.models.profiles import MarketClass, Strategy
from planner.models.report import PlanReport, Scorecard, ScoreLine

#: Reply to a service request within 24 h (service standard).
REPLY_STANDARD_HOURS = 24.0
KEY_CLASSES = (MarketClass.CORE, MarketClass.GROWTH)


@hookimpl
def planner_scorecards(report: PlanReport, strategy: Strategy) -> list[Scorecard]:
    if not report.regions:
        return []
    money = report.economics
    cost = money.cost
    net = max(0.0, money.cost - money.revenue)
    hours = sum(t.annual_labour_hours for rp in report.regions for t in rp.plan.tiers())
    replies = [rp.plan.posture.emergency.reply_hours for rp in report.regions]
    key_coverage = [
        rp.plan.posture.emergency.coverage_target
        for rp in report.regions
        if rp.plan.market_class in KEY_CLASSES
    ]
    return [
        Scorecard(
            name="Service budget",
            lines=(
                ScoreLine(metric="annual plan cost", value=cost, unit="CNY"),
                ScoreLine(metric="warranty cost", value=money.warranty_cost, unit="CNY"),
                ScoreLine(metric="revenue", value=money.revenue, unit="CNY"),
                ScoreLine(metric="margin", value=money.margin, unit="CNY"),
                ScoreLine(
                    metric="share of the service budget",
                    value=cost / strategy.budget.service
                    if strategy.budget.service
                    else float("inf"),
                    unit="share",
                ),
                ScoreLine(
                    metric="net cost, share of the service budget",
                    value=net / strategy.budget.service
                    if strategy.budget.service
                    else float("inf"),
                    unit="share",
                ),
            ),
        ),
        Scorecard(
            name="Promises",
            lines=(
                ScoreLine(
                    metric="longest reply promise",
                    value=max(replies),
                    target=REPLY_STANDARD_HOURS,
                    unit="h",
                    higher_is_better=False,
                ),
                *(
                    [
                        ScoreLine(
                            metric="lowest coverage target, key regions",
                            value=min(key_coverage),
                            target=strategy.targets.coverage,
                            unit="share",
                        )
                    ]
                    if key_coverage
                    else []
                ),
            ),
        ),
        Scorecard(
            name="Workload",
            lines=(ScoreLine(metric="labour", value=hours, unit="h/yr"),),
        ),
    ]
