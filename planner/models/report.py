"""A product's plan across regions, with demand and scorecards."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from planner.models.plan import Demand, Economics, ServicePlan, TierPlan
from planner.models.profiles import Frozen, Id


class ScoreLine(Frozen):
    """One measured value against its target."""

    metric: str
    value: float
    target: float | None = None
    unit: str = ""
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        if self.higher_is_better:
            return self.value >= self.target - 1e-12
        return self.value <= self.target + 1e-12


class Scorecard(Frozen):
    """A named group of score lines, added by a plugin."""

    name: str = Field(min_length=1)
    source: str = Field(default="", description="the plugin that added it")
    lines: tuple[ScoreLine, ...] = ()


class RegionPlan(Frozen):
    """One region's plan and the demand it implies."""

    plan: ServicePlan
    demand: Demand


class PlanReport(Frozen):
    """What ``planner plan PRODUCT`` produces."""

    product: Id
    product_name: str
    strategy: str
    regions: tuple[RegionPlan, ...]
    scorecards: tuple[Scorecard, ...] = ()
    problems: tuple[str, ...] = Field(
        default=(), description="plugins that failed while the report was made, by name"
    )

    @property
    def economics(self) -> Economics:
        """The product's economics over every region."""
        return Economics.total([rp.plan.economics for rp in self.regions])

    def to_jsonable(self) -> dict[str, Any]:
        """The plan in the CLI's JSON shape."""
        return {
            "product": self.product,
            "product_name": self.product_name,
            "strategy": self.strategy,
            "installed_base": sum(rp.plan.installed_base for rp in self.regions),
            "economics": self.economics.model_dump(mode="json"),
            "regions": [
                {
                    "region": rp.plan.region,
                    "class": rp.plan.market_class.value,
                    "role": rp.plan.role.value,
                    "posture": rp.plan.posture.model_dump(mode="json"),
                    "installed_base": rp.plan.installed_base,
                    "preventive_visits_per_machine": rp.plan.preventive_visits_per_machine,
                    "economics": rp.plan.economics.model_dump(mode="json"),
                    "tiers": {t.tier.value: _tier_json(t) for t in rp.plan.tiers()},
                    "demand": rp.demand.model_dump(mode="json"),
                    "notes": list(rp.plan.notes),
                }
                for rp in self.regions
            ],
            "scorecards": [
                {
                    "name": card.name,
                    "source": card.source,
                    "lines": [
                        {**line.model_dump(mode="json"), "met": line.met} for line in card.lines
                    ],
                }
                for card in self.scorecards
            ],
            "problems": list(self.problems),
        }


def _tier_json(tier: TierPlan) -> dict[str, Any]:
    return {
        "promises": dict(tier.promises),
        "annual_labour_hours": tier.annual_labour_hours,
        "annual_cost": tier.annual_cost,
        "economics": tier.economics.model_dump(mode="json"),
        "items": [
            {
                **item.model_dump(mode="json"),
                "annual_labour_hours": item.annual_labour_hours,
                "annual_cost": item.annual_cost,
                "annual_warranty_cost": item.annual_warranty_cost,
                "annual_revenue": item.annual_revenue,
            }
            for item in tier.items
        ],
    }
