"""The state of one solve: the prepared problem, the promise it is solved at, its settings and
the station-level bounds found for it. Frozen; the driver makes a new one when the bounds
are known, so no phase changes what another reads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.optimise.technicians.prepared import Prepared
from planner.optimise.technicians.settings import DEFAULT_SETTINGS, TechniciansSettings

__all__ = ["Aggregate", "SolveState"]


@dataclass(frozen=True)
class Aggregate:
    """Bounds every plan obeys (at a given coverage target), used as cuts in every model.

    ``open``: fewest stations serving sites; ``staff``: fewest technicians in total;
    ``spend``: least fixed plus technician cost. They come from the station-level
    relaxation in :func:`aggregate_bounds`.
    """

    open: int
    staff: float
    spend: float


@dataclass(frozen=True)
class SolveState:
    """One solve at a coverage ``target`` and on-site promise ``onsite`` (hours).

    ``covered`` marks the prepared pairs within the promise; ``aggregate`` holds the
    station-level bounds (:func:`planner.optimise.technicians.bounds.aggregate_bounds`)
    once they are known: every model built with this state then carries them as rows.
    """

    prep: Prepared
    target: float
    onsite: float
    covered: np.ndarray
    settings: TechniciansSettings = DEFAULT_SETTINGS
    aggregate: Aggregate | None = None

    @classmethod
    def at(
        cls,
        prep: Prepared,
        target: float,
        onsite: float,
        settings: TechniciansSettings | None = None,
    ) -> SolveState:
        chosen = DEFAULT_SETTINGS if settings is None else settings
        return cls(prep, target, onsite, prep.pd <= onsite, chosen)
