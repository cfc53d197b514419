"""The one status every optimiser, result and frontier point reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["RESULT_STATUSES", "ResultStatus", "Status"]


class Status(StrEnum):
    """How a solve ended. The values are what the interchange files and tables show.

    * ``optimal``: a plan, proven optimal (its cost within the optimality gap of a proven
      lower bound);
    * ``feasible``: a plan keeping every promise, with the best proven lower bound;
    * ``infeasible``: proven that no plan keeps every promise (the reason says why);
    * ``unknown``: no plan within the time limit, and infeasibility not proven. The
      result formats have no such status (``infeasible`` needs a proof), so solvers
      raise instead of writing a result; frontier points and solver phases report it.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_PLAN = "unknown"

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)


RESULT_STATUSES = (Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE)
"""The statuses a result file (``technicians-result/v1``, ``spares-result/v1``) may hold."""


def _result_status(status: Status) -> Status:
    if status not in RESULT_STATUSES:
        raise ValueError(
            "a result holds status optimal, feasible or infeasible"
            f" (got {status.value!r}: no plan is not a result)"
        )
    return status


ResultStatus = Annotated[Status, AfterValidator(_result_status)]
"""A :class:`Status` field of a result model: one of :data:`RESULT_STATUSES`."""
