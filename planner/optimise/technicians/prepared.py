"""Prepared data: everything about a problem that does not depend on the coverage target or
the on-site hours (travel, usable pairs with their costs and workloads, dispatch levels),
and the per-pair helpers every phase uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from planner.models.technicians import (
    TechniciansProblem,
)
from planner.optimise.network import travel_matrix
from planner.optimise.queueing import max_rate
from planner.optimise.technicians.evaluation import (
    on_duty,
    site_travel_cost,
    site_workload,
)
from planner.optimise.technicians.settings import FEAS_TOL


@dataclass(frozen=True)
class Prepared:
    """A problem as arrays over its usable pairs (station j serves site i), sorted by site
    and then station. Frozen: every phase of every solve reads it, none writes it."""

    problem: TechniciansProblem
    d: np.ndarray  # (stations, sites) hours
    calls: np.ndarray  # (sites,) emergency calls a year
    fixed: np.ndarray  # (stations,)
    cap: np.ndarray  # (stations,) max technicians
    pi: np.ndarray  # pair -> site
    pj: np.ndarray  # pair -> station
    pd: np.ndarray  # pair travel hours
    pcost: np.ndarray  # pair travel cost a year
    pw: np.ndarray  # pair workload hours a year
    # per station: L_c (calls a year), c = 1..
    levels: list[np.ndarray] = field(default_factory=list)
    nmin: list[int] = field(default_factory=list)  # nmin[c] technicians for c on duty
    infeasible: str | None = None  # reason found while preparing


def prepare(problem: TechniciansProblem) -> Prepared:
    """Travel matrix, usable pairs with their costs and workloads, and the dispatch levels."""
    d = travel_matrix(problem)
    sites, stations = problem.sites, problem.stations
    calls = np.array([s.emergency_calls for s in sites])
    visits = np.array([s.planned_visits for s in sites])
    planned = np.array([s.planned_hours for s in sites])
    fixed = np.array([s.fixed_cost for s in stations])
    cap = np.array([s.max_technicians for s in stations], dtype=np.int64)
    hours_h = problem.technician.productive_hours
    service = problem.service_hours_per_year
    job = problem.emergency.job_hours

    pj, pi = np.nonzero(np.isfinite(d))
    pd = d[pj, pi]
    pw = site_workload(calls[pi], visits[pi], planned[pi], pd, job)
    pcost = site_travel_cost(calls[pi], visits[pi], pd, problem.travel_cost_per_hour)
    keep = pw <= cap[pj] * hours_h * (1 + FEAS_TOL)

    nmin = [0]
    lam_calls: list[float] = [0.0]  # S * lam(c)
    dispatch = problem.dispatch
    if dispatch is not None:
        top = int(cap.max())
        c_max = on_duty(top, hours_h, service)
        n = 0
        for c in range(1, c_max + 1):
            while on_duty(n, hours_h, service) < c:
                n += 1
            nmin.append(n)
            rate = max_rate(
                c, dispatch.mean_call_hours, dispatch.within_hours, dispatch.service_level
            )
            lam_calls.append(rate * service)
            if lam_calls[-1] >= calls.sum():  # no station ever needs more on duty
                break
        station_cmax = np.array(
            [min(on_duty(int(u), hours_h, service), len(nmin) - 1) for u in cap]
        )
        best_calls = np.array(lam_calls)[station_cmax]
        keep &= calls[pi] <= best_calls[pj]
    pi, pj, pd, pw, pcost = pi[keep], pj[keep], pd[keep], pw[keep], pcost[keep]
    order = np.lexsort((pj, pi))
    pi, pj, pd, pw, pcost = pi[order], pj[order], pd[order], pw[order], pcost[order]

    levels: list[np.ndarray] = []
    if dispatch is not None:
        reach = np.bincount(pj, weights=calls[pi], minlength=len(stations))
        for j in range(len(stations)):
            c_max = int(station_cmax[j])
            lv: list[float] = []
            for c in range(1, c_max + 1):
                lv.append(min(lam_calls[c], reach[j]))
                if lam_calls[c] >= reach[j]:
                    break
            levels.append(np.array(lv) if reach[j] > 0 else np.zeros(0))
    prep = Prepared(problem, d, calls, fixed, cap, pi, pj, pd, pcost, pw, levels, nmin)
    return replace(prep, infeasible=precheck_structure(prep))


def precheck_structure(prep: Prepared) -> str | None:
    """Infeasibility that does not depend on the coverage promise."""
    problem = prep.problem
    n_sites = len(problem.sites)
    counts = np.bincount(prep.pi, minlength=n_sites)
    lonely = [problem.sites[i].id for i in np.nonzero(counts == 0)[0]]
    if lonely:
        return (
            "no station can serve site(s) "
            + ", ".join(repr(s) for s in lonely[:10])
            + ": the site's workload or emergency calls exceed what any reaching station can take"
            + " at its maximum staff"
        )
    if problem.max_open_stations == 0:
        return "max_open_stations is 0 but there are sites to serve"
    hours_h = problem.technician.productive_hours
    min_work = np.full(n_sites, np.inf)
    np.minimum.at(min_work, prep.pi, prep.pw)
    capacity = float(prep.cap.sum()) * hours_h
    if min_work.sum() > capacity * (1 + FEAS_TOL):
        return (
            f"total workload is at least {min_work.sum():.6g} h a year but all stations together"
            f" have only {capacity:.6g} productive hours"
        )
    forced = counts[prep.pi] == 1
    for j, station in enumerate(problem.stations):
        mine = forced & (prep.pj == j)
        if not mine.any():
            continue
        work = float(prep.pw[mine].sum())
        if work > prep.cap[j] * hours_h * (1 + FEAS_TOL):
            return (
                f"station {station.id!r} alone can serve sites with {work:.6g} h of work a year, more than"
                f" its {int(prep.cap[j])} technicians work ({prep.cap[j] * hours_h:.6g} h)"
            )
        if problem.dispatch is not None:
            must = float(prep.calls[prep.pi[mine]].sum())
            most = float(prep.levels[j][-1]) if len(prep.levels[j]) else 0.0
            if must > most * (1 + FEAS_TOL):
                return (
                    f"station {station.id!r} must take {must:.6g} emergency calls a year but meets the dispatch"
                    f" level for at most {most:.6g} even with all {int(prep.cap[j])} technicians"
                )
    return None


def staff_for(work: np.ndarray, productive_hours: float) -> np.ndarray:
    """Fewest technicians whose hours cover ``work`` hours: ceil(work / H), forgiving float noise."""
    n = np.ceil(work / productive_hours)
    return np.where((n >= 1) & ((n - 1) * productive_hours * (1 + FEAS_TOL) >= work), n - 1, n)


def pair_index(prep: Prepared, assign: np.ndarray) -> np.ndarray | None:
    n_st = len(prep.problem.stations)
    key = prep.pi * n_st + prep.pj
    want = np.arange(len(assign)) * n_st + assign
    pos = np.searchsorted(key, want)
    if (pos >= len(key)).any() or (key[np.minimum(pos, len(key) - 1)] != want).any():
        return None
    return pos


def pair_linear_costs(prep: Prepared) -> np.ndarray:
    """Per pair: travel cost + workload hours at the technicians' hourly cost."""
    technician = prep.problem.technician
    return prep.pcost + technician.annual_cost / technician.productive_hours * prep.pw


def pair_matrix(prep: Prepared, per_pair: np.ndarray) -> np.ndarray:
    """A value given per pair as a (stations, sites) matrix; inf for unusable pairs."""
    problem = prep.problem
    out = np.full((len(problem.stations), len(problem.sites)), np.inf)
    out[prep.pj, prep.pi] = per_pair
    return out


def linear_costs(prep: Prepared) -> np.ndarray:
    """(stations, sites) travel cost + technician cost per workload hour; inf for unusable pairs."""
    return pair_matrix(prep, pair_linear_costs(prep))


def least_per_site(prep: Prepared, pairs: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Of ``pairs``, each site's ``k`` of least ``key`` (one value per pair given), sorted
    by site and then by key (ties in the given order)."""
    order = pairs[np.lexsort((key, prep.pi[pairs]))]
    first = np.searchsorted(prep.pi[order], np.arange(len(prep.problem.sites)))
    return order[(np.arange(len(order)) - first[prep.pi[order]]) < k]
