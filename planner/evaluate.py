"""Built-in scorecards of a plan report.

Registered as a built-in plugin through ``planner_scorecards``:

- *Service budget*: the plan's annual cost (all tiers, all regions) against the
  strategy's service budget.
- *Promises*: the longest reply promise against the 24 h reply standard, and
  the lowest coverage target against the company target.
- *Workload*: technician-years the plan's labour needs at each region's
  productive hours (no target; the technician optimiser sizes the staff).
"""

from __future__ import annotations

from planner.hookspecs import hookimpl
from planner.models.profiles import Strategy
from planner.models.report import PlanReport, Scorecard, ScoreLine

#: Reply to a service request within 24 h (service standard).
REPLY_STANDARD_HOURS = 24.0


@hookimpl
def planner_scorecards(report: PlanReport, strategy: Strategy) -> list[Scorecard]:
    if not report.regions:
        return []
    cost = sum(t.annual_cost for rp in report.regions for t in rp.plan.tiers())
    hours = sum(t.annual_labour_hours for rp in report.regions for t in rp.plan.tiers())
    replies = [rp.plan.posture.emergency.reply_hours for rp in report.regions]
    coverage = [rp.plan.posture.emergency.coverage_target for rp in report.regions]
    return [
        Scorecard(
            name="Service budget",
            lines=(
                ScoreLine(
                    metric="annual plan cost", value=cost, target=strategy.budget.service,
                    unit="CNY", higher_is_better=False,
                ),
            ),
        ),
        Scorecard(
            name="Promises",
            lines=(
                ScoreLine(
                    metric="longest reply promise", value=max(replies),
                    target=REPLY_STANDARD_HOURS, unit="h", higher_is_better=False,
                ),
                ScoreLine(
                    metric="lowest coverage target", value=min(coverage),
                    target=strategy.targets.coverage, unit="share",
                ),
            ),
        ),
        Scorecard(
            name="Workload",
            lines=(ScoreLine(metric="labour", value=hours, unit="h/yr"),),
        ),
    ]
