"""The simulation's model and result dataclasses, and its time constants.

What is simulated (:class:`Network`: :class:`RegionModel` with its :class:`StationModel`
stations, and :class:`PartsModel`), how (:class:`SimulationSettings`) and what comes back
(:class:`SimulationResult`: :class:`RegionEstimates` and :class:`DepotEstimates`, each
measure an :class:`Estimate`). See :mod:`planner.simulate` for the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class StationModel:
    """One open station: its technicians on duty at any time and the sites it serves."""

    id: str
    on_duty: int
    site_ids: tuple[str, ...]
    calls_per_year: np.ndarray  # (sites,) emergency calls a year per site served
    travel_hours: np.ndarray  # (sites,) one-way travel from the station, hours


@dataclass(frozen=True)
class RegionModel:
    """One region's emergency service, as the technicians problem and its plan say."""

    region: str
    stations: tuple[StationModel, ...]
    job_hours: float  # mean on-site repair per call, hours (exponential)
    mean_call_hours: float  # the dispatch model's mean hold per call (repair + round trip)
    onsite_hours: float  # the on-site promise, hours
    dispatch_within_hours: float  # the dispatch promise: wait for a technician at most this
    service_hours_per_year: float = HOURS_PER_YEAR  # calls arrive over these hours a year
    # The part a call needs: call_parts[k] = (part index, depot index) into PartsModel,
    # with probability call_part_probability[k]; the rest of the probability (1 - sum) is a
    # call that needs no part. Empty: no call needs a part.
    call_parts: tuple[tuple[int, int], ...] = ()
    call_part_probability: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class PartsModel:
    """The parts plan: one-for-one stock at a central warehouse and depots (METRIC's system)."""

    parts: tuple[str, ...]
    depots: tuple[str, ...]
    demand: np.ndarray  # (parts, depots) units a year, Poisson
    depot_stock: np.ndarray  # (parts, depots) whole units
    central_stock: np.ndarray | None  # (parts,) whole units; None: no central warehouse
    lead_days: np.ndarray  # (parts,) central resupply lead time (days)
    resupply_days: np.ndarray  # (depots,) depot resupply from central (days)
    essential: np.ndarray  # (parts,) bool: a missing unit stops the machine
    per_machine: np.ndarray  # (parts,) int, units per machine (Z)
    installed: np.ndarray  # (depots,) int, machines the depot serves (N)


@dataclass(frozen=True)
class Network:
    """What is simulated: every region's service, and the parts plan (if any)."""

    regions: tuple[RegionModel, ...]
    parts: PartsModel | None = None


@dataclass(frozen=True)
class SimulationSettings:
    years: float = 1.0
    replications: int = 30
    seed: int = 2027
    # "travel_repair": a call holds its technician for the round trip plus an exponential
    # repair of mean job_hours; "exponential": for an exponential time of mean
    # mean_call_hours (the dispatch model's M/M/c assumption).
    hold: Literal["travel_repair", "exponential"] = "travel_repair"
    # Calls start arriving this many service hours before the measured window, so the
    # queues are past their empty start when it opens.
    call_warmup_hours: float = 1000.0


@dataclass(frozen=True)
class Estimate:
    """Mean over replications and its 95 % confidence interval (Student t)."""

    mean: float
    lo: float
    hi: float


@dataclass(frozen=True)
class RegionEstimates:
    region: str
    calls: Estimate  # calls a year
    coverage: Estimate  # on site (wait + travel) within onsite_hours
    dispatch_level: Estimate  # waited at most dispatch_within_hours for a technician
    within_24h: Estimate  # on site within 24 h
    first_visit_fix: Estimate  # needed no part, or its part was on hand at the depot
    promise_and_fixed: Estimate  # within onsite_hours and fixed on the first visit
    mean_onsite_hours: Estimate
    station_dispatch: dict[str, Estimate]  # per station


@dataclass(frozen=True)
class DepotEstimates:
    depot: str
    fill_rate: Estimate  # share of demands filled from stock on hand at once
    availability: Estimate | None  # None without installed base or essential demand
    backorders: Estimate  # time-average units on backorder (all parts)
    part_backorders: np.ndarray  # (parts,) mean time-average backorders
    part_fill_rate: np.ndarray  # (parts,) mean fill rate (nan without demand)


@dataclass(frozen=True)
class SimulationResult:
    regions: tuple[RegionEstimates, ...]
    depots: tuple[DepotEstimates, ...]
    replications: int
    years: float
    events: int  # events simulated over all replications
    seconds: float
