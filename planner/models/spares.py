"""Spare-parts stocking problem and result (interchange formats ``spares/v1`` and ``spares/v2``).

See the format description: a central warehouse (optional) resupplies regional
depots one-for-one; demand is Poisson in units a year; times are in days; costs and
budgets are in the plan's currency. ``spares/v2`` is a superset of ``spares/v1``: a
v1 file is read with the v2 defaults (every part weighs 1, uses the central lead
time, has no floor, is essential and fitted once per machine; no installed base)
and gives the same result. The v2 fields are refused in a v1 file.
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


Availability = Annotated[
    float,
    Field(gt=0.0, lt=1.0, allow_inf_nan=False, description="Availability target, in (0, 1)."),
]


class Objective(BaseModel):
    """Exactly one of a budget (minimise weighted backorders), a fill-rate target or an
    availability target (both minimise investment)."""

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

    target_availability: Availability | dict[str, Availability] | None = Field(
        default=None,
        description="(v2) Sherbrooke availability to reach at every depot with an installed "
        "base, or a map {depot id: target} (a depot left out has none); minimise investment.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Objective:
        given = [
            name
            for name in ("budget", "target_fill_rate", "target_availability")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "objective must have exactly one of 'budget', 'target_fill_rate' or "
                f"'target_availability' (got {given or 'none'})"
            )
        return self

    @property
    def kind(self) -> str:
        """'budget', 'fill' or 'availability'."""
        if self.budget is not None:
            return "budget"
        return "fill" if self.target_fill_rate is not None else "availability"


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
    lead_time_days: float | None = Field(
        default=None,
        ge=0.0,
        le=36500.0,
        allow_inf_nan=False,
        description="(v2) The part's own central resupply lead time (days); default the "
        "central warehouse's.",
    )
    weight: float | None = Field(
        default=None,
        ge=0.0,
        le=1e6,
        allow_inf_nan=False,
        description="(v2) Weight of the part's backorders and fill (default 1).",
    )
    quantity_per_machine: int | None = Field(
        default=None, ge=1, le=100_000, description="(v2) Units fitted per machine, Z (default 1)."
    )
    essential: bool | None = Field(
        default=None,
        description="(v2) Whether a missing unit stops the machine (counts in availability; "
        "default true).",
    )
    min_fill_rate: float | None = Field(
        default=None,
        ge=0.0,
        lt=1.0,
        allow_inf_nan=False,
        description="(v2) Fill-rate floor at every depot that demands the part, in [0, 1) "
        "(default 0).",
    )

    @property
    def v2_fields(self) -> list[str]:
        """The v2 fields this part sets."""
        return [
            name
            for name in (
                "lead_time_days",
                "weight",
                "quantity_per_machine",
                "essential",
                "min_fill_rate",
            )
            if getattr(self, name) is not None
        ]


class SparesProblem(Interchange):
    """A ``spares/v1`` or ``spares/v2`` problem: stock levels for parts at a central
    warehouse and depots."""

    format: Literal["spares/v1", "spares/v2"] = Field(
        description="Format tag, 'spares/v1' or 'spares/v2'."
    )
    name: str = Field(default="", max_length=500, description="Free-text instance name.")
    objective: Objective = Field(description="Budget or fill-rate target.")
    central: Central | None = Field(
        default=None, description="Central warehouse; null for a single echelon."
    )
    depots: list[Depot] = Field(min_length=1, description="Regional depots (unique ids).")
    installed_base: dict[str, Annotated[int, Field(ge=0, le=100_000_000)]] | None = Field(
        default=None,
        description="(v2) Machines served per depot id (whole numbers >= 0), for availability.",
    )
    parts: list[Part] = Field(default_factory=list, description="Parts (unique ids).")

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise to JSON text; ``central`` is written as null for a single echelon."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["central"] = data.get("central")
        order = ("format", "name", "objective", "central", "depots", "installed_base", "parts")
        return json.dumps(
            {key: data[key] for key in order if key in data}, indent=indent, ensure_ascii=False
        )

    @property
    def is_v2(self) -> bool:
        return self.format == "spares/v2"

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
            if not self.is_v2 and part.v2_fields:
                raise ValueError(
                    f"parts[{i}].{part.v2_fields[0]}: a spares/v2 field in a spares/v1 file "
                    f"(part {part.id!r}; write format 'spares/v2')"
                )
        if self.installed_base is not None:
            if not self.is_v2:
                raise ValueError(
                    "installed_base: a spares/v2 field in a spares/v1 file (write format 'spares/v2')"
                )
            for depot in self.installed_base:
                if depot not in depot_ids:
                    raise ValueError(
                        f"installed_base.{depot}: not a depot of the problem (got {depot!r})"
                    )
        target = self.objective.target_availability
        if target is not None:
            if not self.is_v2:
                raise ValueError(
                    "objective.target_availability: a spares/v2 objective in a spares/v1 file "
                    "(write format 'spares/v2')"
                )
            base = self.installed_base
            if not base or not any(n > 0 for n in base.values()):
                raise ValueError(
                    "objective.target_availability: needs an installed_base with machines "
                    f"at some depot (got installed_base {base!r})"
                )
            if isinstance(target, dict):
                for depot in target:
                    if depot not in depot_ids:
                        raise ValueError(
                            f"objective.target_availability.{depot}: not a depot of the "
                            f"problem (got {depot!r})"
                        )
                    if base.get(depot, 0) <= 0:
                        raise ValueError(
                            f"objective.target_availability.{depot}: the depot has no "
                            f"installed base (got installed_base {base.get(depot)!r})"
                        )
        return self

    def availability_targets(self) -> dict[str, float]:
        """The availability target of each depot that has one (v2 availability objective)."""
        target = self.objective.target_availability
        if target is None:
            return {}
        if isinstance(target, dict):
            return dict(target)
        base = self.installed_base or {}
        return {d.id: float(target) for d in self.depots if base.get(d.id, 0) > 0}


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
    availability: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        default=None,
        description="Sherbrooke availability per depot with an installed base (probability).",
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
        description="Proven lower bound on the objective (weighted backorders in units for "
        "a budget, investment in currency for a fill-rate or availability target).",
    )
    weighted_backorders: float | None = Field(
        default=None, ge=0.0, description="(v2) Weighted total depot backorders (units)."
    )
    availability: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] | None = Field(
        default=None,
        description="(v2) Sherbrooke availability per depot with an installed base (probability).",
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
