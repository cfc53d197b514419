"""Spare-parts stocking problem and result (interchange format ``spares/v1``).

See the format description: a central warehouse (optional) resupplies regional
depots one-for-one; demand is Poisson in units a year; times are in days; costs and
budgets are in the plan's currency.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planner.models.interchange import Interchange
from planner.models.status import ResultStatus, Status

__all__ = [
    "Central",
    "Depot",
    "Objective",
    "Part",
    "SparesFrontierPoint",
    "SparesProblem",
    "SparesResult",
    "StockLine",
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)

Rate = Annotated[
    float, Field(ge=0.0, allow_inf_nan=False, description="Demand rate (units a year).")
]


class Objective(BaseModel):
    """Exactly one of a budget (minimise backorders) or a fill-rate target (minimise cost)."""

    model_config = _FROZEN

    budget: float | None = Field(
        default=None,
        ge=0.0,
        allow_inf_nan=False,
        description="Maximum investment in stock (currency); minimise total depot backorders.",
    )
    target_fill_rate: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        description="Demand-weighted depot fill rate to reach (probability, in (0, 1)); "
        "minimise investment.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Objective:
        if (self.budget is None) == (self.target_fill_rate is None):
            raise ValueError("objective must have exactly one of 'budget' or 'target_fill_rate'")
        return self


class Central(BaseModel):
    """The central warehouse that resupplies every depot."""

    model_config = _FROZEN

    lead_time_days: float = Field(
        ge=0.0,
        le=36500.0,
        allow_inf_nan=False,
        description="Central resupply (repair or purchase) lead time (days).",
    )


class Depot(BaseModel):
    """A regional depot that serves demand and is resupplied from the central warehouse."""

    model_config = _FROZEN

    id: str = Field(min_length=1, max_length=200, description="Depot identifier (unique).")
    resupply_days: float = Field(
        ge=0.0,
        le=36500.0,
        allow_inf_nan=False,
        description="Order-and-ship time from the central warehouse (or supplier) (days).",
    )


class Part(BaseModel):
    """A stocked part: its unit cost and its demand per depot."""

    model_config = _FROZEN

    id: str = Field(min_length=1, max_length=200, description="Part identifier (unique).")
    unit_cost: float = Field(
        ge=0.0, allow_inf_nan=False, description="Cost of one unit of stock (currency)."
    )
    demand: dict[str, Rate] = Field(
        default_factory=dict,
        description="Poisson demand rate per depot id (units a year, >= 0); "
        "a depot left out has no demand.",
    )


class SparesProblem(Interchange):
    """A ``spares/v1`` problem: stock levels for parts at a central warehouse and depots."""

    format: Literal["spares/v1"] = Field(description="Format tag, always 'spares/v1'.")
    name: str = Field(default="", max_length=500, description="Free-text instance name.")
    objective: Objective = Field(description="Budget or fill-rate target.")
    central: Central | None = Field(
        default=None, description="Central warehouse; null for a single echelon."
    )
    depots: list[Depot] = Field(min_length=1, description="Regional depots (unique ids).")
    parts: list[Part] = Field(default_factory=list, description="Parts (unique ids).")

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise to JSON text; ``central`` is written as null for a single echelon."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["central"] = data.get("central")
        order = ("format", "name", "objective", "central", "depots", "parts")
        return json.dumps({key: data[key] for key in order}, indent=indent, ensure_ascii=False)

    @model_validator(mode="after")
    def _references(self) -> SparesProblem:
        depot_ids: set[str] = set()
        for j, depot in enumerate(self.depots):
            if depot.id in depot_ids:
                raise ValueError(f"depots[{j}].id: duplicate depot id (got {depot.id!r})")
            depot_ids.add(depot.id)
        part_ids: set[str] = set()
        for i, part in enumerate(self.parts):
            if part.id in part_ids:
                raise ValueError(f"parts[{i}].id: duplicate part id (got {part.id!r})")
            part_ids.add(part.id)
            for depot in part.demand:
                if depot not in depot_ids:
                    raise ValueError(
                        f"parts[{i}].demand: depot {depot!r} is not in depots (got {depot!r})"
                    )
        return self


class StockLine(BaseModel):
    """Stock of one part at one location."""

    model_config = _FROZEN

    part: str = Field(min_length=1, description="Part id.")
    location: str = Field(min_length=1, description="'central' or a depot id.")
    quantity: int = Field(ge=0, description="Units of stock (units).")


class SparesFrontierPoint(BaseModel):
    """One efficient (investment, backorders) point of the stocking frontier."""

    model_config = _FROZEN

    investment: float = Field(ge=0.0, description="Investment in stock (currency).")
    backorders: float = Field(ge=0.0, description="Total expected depot backorders (units).")
    fill_rate: float = Field(
        ge=0.0, le=1.0, description="Demand-weighted depot fill rate (probability)."
    )
    availability: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Installed-base-weighted Sherbrooke availability (probability), "
        "when an installed base is given.",
    )


class SparesResult(Interchange):
    """A ``spares-result/v1`` result."""

    format: Literal["spares-result/v1"] = Field(
        default="spares-result/v1", description="Format tag, always 'spares-result/v1'."
    )
    status: ResultStatus = Field(
        description="'optimal' when proven, 'feasible' otherwise, 'infeasible' with a reason."
    )
    backorders: float = Field(ge=0.0, description="Total expected depot backorders (units).")
    investment: float = Field(ge=0.0, description="Investment in stock (currency).")
    fill_rate: float = Field(
        ge=0.0, le=1.0, description="Demand-weighted depot fill rate (probability)."
    )
    stock: list[StockLine] = Field(
        default_factory=list, description="Stock per part and location; zeros left out."
    )
    reason: str | None = Field(default=None, description="Why the problem is infeasible.")
    bound: float | None = Field(
        default=None,
        description="Proven lower bound on the objective (backorders in units for a "
        "budget, investment in currency for a fill-rate target).",
    )
    availability: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Installed-base-weighted Sherbrooke availability (probability).",
    )
    vari_metric_backorders: float | None = Field(
        default=None, ge=0.0, description="Total depot EBO under VARI-METRIC (units)."
    )
    exact_backorders: float | None = Field(
        default=None, ge=0.0, description="Total depot EBO under the exact model (units)."
    )
    frontier: list[SparesFrontierPoint] | None = Field(
        default=None, description="Efficient frontier points for charts."
    )

    @model_validator(mode="after")
    def _reason_when_infeasible(self) -> SparesResult:
        if self.status == Status.INFEASIBLE and not self.reason:
            raise ValueError("reason: an infeasible result must give a reason")
        return self
