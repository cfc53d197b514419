"""The driver: :func:`simulate` runs the replications and turns their tallies into estimates.

Per replication it draws each station's calls (arrival, site, hold, the part a call
needs), then the parts' demand streams (:mod:`planner.simulate.parts`), looks up which
calls are fixed on the first visit, and queues each station's calls
(:mod:`planner.simulate.queues`). See :mod:`planner.simulate` for the model.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.simulate.estimates import estimate, nanmean
from planner.simulate.models import (
    HOURS_PER_YEAR,
    DepotEstimates,
    Network,
    RegionEstimates,
    SimulationResult,
    SimulationSettings,
    StationModel,
)
from planner.simulate.parts import (
    PartsPlan,
    PartsRun,
    draw_parts,
    on_hand,
    parts_measures,
    prepare_parts,
)
from planner.simulate.queues import fcfs_start_times


@dataclass(frozen=True)
class _StationPlan:
    region: int
    station: StationModel
    rate: float  # calls per service hour
    cum: NDArray[np.float64]  # cumulative site rates
    travel: NDArray[np.float64]


def _station_plans(network: Network) -> list[_StationPlan]:
    out = []
    for r, reg in enumerate(network.regions):
        if reg.service_hours_per_year <= 0:
            raise ValueError(f"region {reg.region}: service_hours_per_year must be positive")
        for st in reg.stations:
            calls = np.asarray(st.calls_per_year, dtype=float).ravel()
            travel = np.asarray(st.travel_hours, dtype=float).ravel()
            if calls.size != len(st.site_ids) or travel.size != len(st.site_ids):
                raise ValueError(f"station {st.id}: one rate and one travel time per site")
            if np.any(calls < 0) or np.any(travel < 0) or st.on_duty < 0:
                raise ValueError(f"station {st.id}: negative calls, travel or on_duty")
            cum = np.cumsum(calls / reg.service_hours_per_year)
            out.append(_StationPlan(r, st, float(cum[-1]) if cum.size else 0.0, cum, travel))
    return out


def _call_parts(network: Network) -> list[tuple[NDArray[np.float64], NDArray[np.int64]]]:
    """Per region: cumulative probabilities of the call parts and their group index."""
    out = []
    parts = network.parts
    for reg in network.regions:
        prob = np.asarray(reg.call_part_probability, dtype=float).ravel()
        if prob.size != len(reg.call_parts):
            raise ValueError(f"region {reg.region}: one probability per call part")
        if np.any(prob < 0) or prob.sum() > 1.0 + 1e-9:
            raise ValueError(f"region {reg.region}: call part probabilities must sum to <= 1")
        groups = np.zeros(prob.size, dtype=np.int64)
        if prob.size and parts is not None:
            n_parts, n_depots = np.asarray(parts.demand).shape
            for k, (i, j) in enumerate(reg.call_parts):
                if not (0 <= i < n_parts and 0 <= j < n_depots):
                    raise ValueError(f"region {reg.region}: call part {(i, j)} out of range")
                groups[k] = i * n_depots + j
        out.append((np.cumsum(prob), groups))
    return out


def _fixed_flags(
    network: Network,
    stations: list[_StationPlan],
    drawn: list[tuple[NDArray, NDArray, NDArray, NDArray, float]],
    call_parts: list[tuple[NDArray[np.float64], NDArray[np.int64]]],
    run: PartsRun | None,
    plan: PartsPlan | None,
) -> list[NDArray[np.bool_]]:
    """Per station, whether each of its window's calls is fixed on the first visit.

    Looked up per region (all its stations' calls at once) and per part the calls need.
    """
    out = [np.ones(int(np.count_nonzero(d[0] >= 0.0)), dtype=bool) for d in drawn]
    if run is None or plan is None:
        return out
    for r, reg in enumerate(network.regions):
        cum, groups = call_parts[r]
        members = [s for s, sp in enumerate(stations) if sp.region == r]
        if not cum.size or not members:
            continue
        arrivals = np.concatenate([drawn[s][0] for s in members])
        need = np.concatenate([drawn[s][3] for s in members])
        inside = arrivals >= 0.0
        k = np.searchsorted(cum, need[inside], side="right")
        at = arrivals[inside] * (HOURS_PER_YEAR / reg.service_hours_per_year)
        fixed = np.ones(k.size, dtype=bool)
        needs = k < cum.size
        order = np.argsort(k[needs], kind="stable")
        which = np.flatnonzero(needs)[order]
        kinds, first = np.unique(k[which], return_index=True)
        bounds = np.append(first, which.size)
        for kk, a, b in zip(kinds.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            sel = which[a:b]
            fixed[sel] = on_hand(run, plan, int(groups[kk]), at[sel])
        sizes = np.cumsum([out[s].size for s in members])[:-1]
        for s, part in zip(members, np.split(fixed, sizes), strict=True):
            out[s] = part
    return out


def simulate(
    network: Network,
    # a frozen dataclass (ruff only sees that when it is defined in the same module)
    settings: SimulationSettings = SimulationSettings(),  # noqa: B008
) -> SimulationResult:
    """Simulate the network's calls and parts over ``settings``; see :mod:`planner.simulate`."""
    clock = time.perf_counter()
    reps = int(settings.replications)
    if reps < 1:
        raise ValueError("replications must be at least 1")
    if not settings.years > 0:
        raise ValueError("years must be positive")
    if settings.hold not in ("travel_repair", "exponential"):
        raise ValueError(f"unknown hold model {settings.hold!r}")
    years = float(settings.years)
    warm = float(settings.call_warmup_hours)
    stations = _station_plans(network)
    call_parts = _call_parts(network)
    parts_plan = None if network.parts is None else prepare_parts(network.parts)
    parts_horizon = years * HOURS_PER_YEAR
    n_regions = len(network.regions)
    n_st = len(stations)
    # Per replication and station: calls, covered, dispatched, within 24 h, hours to site,
    # fixed, promise and fixed.
    tallies = np.zeros((reps, n_st, 7))
    if parts_plan is not None:
        n_groups = parts_plan.n_parts * parts_plan.n_depots
        demands = np.zeros((reps, n_groups))
        at_once = np.zeros((reps, n_groups))
        bo_area = np.zeros((reps, n_groups))
        avail = np.zeros((reps, parts_plan.n_depots))
    events = 0
    for rep, seq in enumerate(np.random.SeedSequence(settings.seed).spawn(reps)):
        rng = np.random.default_rng(seq)
        drawn = []
        for sp in stations:
            reg = network.regions[sp.region]
            horizon = years * reg.service_hours_per_year
            n = int(rng.poisson(sp.rate * (horizon + warm))) if sp.rate > 0 else 0
            arrivals = np.sort(rng.random(n)) * (horizon + warm) - warm
            site = np.searchsorted(sp.cum, rng.random(n) * sp.rate, side="right")
            np.minimum(site, sp.cum.size - 1, out=site)
            travel = sp.travel[site]
            if settings.hold == "exponential":
                hold = rng.standard_exponential(n) * reg.mean_call_hours
            else:
                hold = 2.0 * travel + rng.standard_exponential(n) * reg.job_hours
            need = rng.random(n)
            drawn.append((arrivals, travel, hold, need, horizon))
        run = None
        if parts_plan is not None:
            run = draw_parts(rng, parts_plan, parts_horizon)
            events += run.events
            d, a, b, av = parts_measures(run, parts_plan, parts_horizon)
            demands[rep], at_once[rep], bo_area[rep], avail[rep] = d, a, b, av
        fixed_of = _fixed_flags(network, stations, drawn, call_parts, run, parts_plan)
        for s, (sp, (arrivals, travel, hold, _, horizon)) in enumerate(
            zip(stations, drawn, strict=True)
        ):
            reg = network.regions[sp.region]
            start = fcfs_start_times(arrivals, hold, sp.station.on_duty)
            done = start + hold
            events += arrivals.size + int(np.count_nonzero(done <= horizon))
            inside = arrivals >= 0.0
            wait = (start - arrivals)[inside]
            onsite = wait + travel[inside]
            fixed = fixed_of[s]
            covered = onsite <= reg.onsite_hours
            tallies[rep, s] = (
                wait.size,
                np.count_nonzero(covered),
                np.count_nonzero(wait <= reg.dispatch_within_hours),
                np.count_nonzero(onsite <= 24.0),
                onsite.sum() if wait.size else 0.0,
                np.count_nonzero(fixed),
                np.count_nonzero(covered & fixed),
            )

    def share(num: NDArray, den: NDArray) -> NDArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), math.nan)

    regions = []
    region_of = np.array([sp.region for sp in stations], dtype=np.int64)
    for r in range(n_regions):
        reg = network.regions[r]
        tr = tallies[:, region_of == r, :].sum(axis=1)
        calls = tr[:, 0]
        per_station = {}
        for s in np.flatnonzero(region_of == r):
            per_station[stations[s].station.id] = estimate(
                share(tallies[:, s, 2], tallies[:, s, 0])
            )
        regions.append(
            RegionEstimates(
                region=reg.region,
                calls=estimate(calls / years),
                coverage=estimate(share(tr[:, 1], calls)),
                dispatch_level=estimate(share(tr[:, 2], calls)),
                within_24h=estimate(share(tr[:, 3], calls)),
                first_visit_fix=estimate(share(tr[:, 5], calls)),
                promise_and_fixed=estimate(share(tr[:, 6], calls)),
                mean_onsite_hours=estimate(share(tr[:, 4], calls)),
                station_dispatch=per_station,
            )
        )
    depots = []
    if parts_plan is not None and network.parts is not None:
        P, D = parts_plan.n_parts, parts_plan.n_depots
        dem = demands.reshape(reps, P, D)
        once = at_once.reshape(reps, P, D)
        bo = bo_area.reshape(reps, P, D) / parts_horizon
        with np.errstate(invalid="ignore"):
            part_fill = np.where(dem > 0, once / np.where(dem > 0, dem, 1.0), math.nan)
        for j, name in enumerate(network.parts.depots):
            depots.append(
                DepotEstimates(
                    depot=name,
                    fill_rate=estimate(share(once[:, :, j].sum(axis=1), dem[:, :, j].sum(axis=1))),
                    availability=estimate(avail[:, j]) if parts_plan.has_availability[j] else None,
                    backorders=estimate(bo[:, :, j].sum(axis=1)),
                    part_backorders=bo[:, :, j].mean(axis=0),
                    part_fill_rate=nanmean(part_fill[:, :, j]),
                )
            )
    return SimulationResult(
        regions=tuple(regions),
        depots=tuple(depots),
        replications=reps,
        years=years,
        events=int(events),
        seconds=time.perf_counter() - clock,
    )
