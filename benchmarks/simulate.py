"""Benchmark of the Monte Carlo simulation against a pure-Python event loop (run by hand).

    python benchmarks/simulate.py [--seed 7] [--peer-replications 1]

Builds a seeded synthetic network the size of the bundled one: 9 regions with 2-7 open
stations each (about 45), 5-15 technicians on duty per station, about 30 000 emergency
calls a year in all; 250 parts over 27 depots with about 150 000 units of demand a year
(lognormal spread over parts and depots), a central warehouse with stock, central lead
times of 2-90 days and depot resupply of 1-5 days; calls need one of 20 parts at one of
the region's three depots with probability 0.3 in all. Stock is each pipeline's mean
plus a safety margin.

Prints, for 1 replication x 1 year and 30 replications x 1 year: seconds, events and
events per second of ``planner.simulate.simulate``; then the same network run by a
plain heapq event loop (one event at a time: call arrivals and completions, part
demands, central and depot replenishments) and the ratio of events per second.
Targets: one simulated year <= 0.2 s, 30 replications <= 3 s.

``--bundled SCENARIO.toml`` (repeatable) adds the same two rows for the network a bundled
scenario's plan really runs: it is run once (stations, parts), and its stations, sites and
stock become the simulated network, as ``planner.scenario.run`` builds it.
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import math
import random
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.simulate import (
    Network,
    PartsModel,
    RegionModel,
    SimulationSettings,
    StationModel,
    simulate,
)


def build_network(seed: int) -> Network:
    rng = np.random.default_rng(seed)
    n_regions, n_parts, n_depots = 9, 250, 27
    stations_per_region = rng.integers(2, 8, n_regions)
    n_stations = int(stations_per_region.sum())
    station_calls = rng.lognormal(0.0, 0.5, n_stations)
    station_calls *= 30_000.0 / station_calls.sum()
    regions = []
    k = 0
    for r in range(n_regions):
        stations = []
        for _ in range(stations_per_region[r]):
            sites = int(rng.integers(5, 21))
            share = rng.dirichlet(np.ones(sites))
            stations.append(
                StationModel(
                    f"st{k}",
                    int(rng.integers(5, 16)),
                    tuple(f"st{k}-{s}" for s in range(sites)),
                    station_calls[k] * share,
                    rng.uniform(0.2, 5.0, sites),
                )
            )
            k += 1
        depots = rng.choice(n_depots, 3, replace=False)
        needs = tuple(
            (int(i), int(j))
            for i, j in zip(rng.choice(n_parts, 20), rng.choice(depots, 20), strict=True)
        )
        regions.append(
            RegionModel(
                f"region{r}",
                tuple(stations),
                job_hours=3.0,
                mean_call_hours=8.0,
                onsite_hours=4.0,
                dispatch_within_hours=2.0,
                call_parts=needs,
                call_part_probability=rng.dirichlet(np.ones(20)) * 0.3,
            )
        )
    demand = rng.lognormal(0.0, 1.0, (n_parts, 1)) * rng.lognormal(0.0, 1.0, (1, n_depots))
    demand *= 150_000.0 / demand.sum()
    lead = rng.uniform(2.0, 90.0, n_parts)
    resupply = rng.uniform(1.0, 5.0, n_depots)
    depot_mean = demand * resupply[None, :] / 365.0
    central_mean = demand.sum(axis=1) * lead / 365.0
    parts = PartsModel(
        parts=tuple(f"p{i}" for i in range(n_parts)),
        depots=tuple(f"d{j}" for j in range(n_depots)),
        demand=demand,
        depot_stock=np.ceil(depot_mean + np.sqrt(depot_mean)).astype(int),
        central_stock=np.floor(central_mean).astype(int),
        lead_days=lead,
        resupply_days=resupply,
        essential=rng.random(n_parts) < 0.3,
        per_machine=rng.integers(1, 4, n_parts),
        installed=rng.integers(200, 1500, n_depots),
    )
    return Network(tuple(regions), parts)


def peer(network: Network, years: float, seed: int) -> int:
    """One replication as a plain heapq event loop; returns the events processed."""
    rand = random.Random(seed)
    horizon_parts = years * 8760.0
    heap: list[tuple[float, int, int, int]] = []  # (time, seq, kind, index)
    seq = 0
    # Calls: one stream per site; state per station: idle technicians and a FIFO line.
    sites = []  # (station index, rate per hour, travel, region index)
    idle, lines, station_region = [], [], []
    for r, reg in enumerate(network.regions):
        for st in reg.stations:
            s = len(idle)
            idle.append(st.on_duty)
            lines.append(deque())
            station_region.append(r)
            for rate, travel in zip(st.calls_per_year, st.travel_hours, strict=True):
                sites.append((s, rate / reg.service_hours_per_year, float(travel), r))
    job = [reg.job_hours for reg in network.regions]
    for k, (_, rate, _, _) in enumerate(sites):
        if rate > 0:
            heapq.heappush(heap, (rand.expovariate(rate), seq, 0, k))
            seq += 1
    p = network.parts
    assert p is not None
    n_parts, n_depots = p.demand.shape
    on_hand = p.depot_stock.astype(int).tolist()
    central = p.central_stock.astype(int).tolist()
    backorders = [[0] * n_depots for _ in range(n_parts)]
    central_line: list[deque[int]] = [deque() for _ in range(n_parts)]
    lead = (p.lead_days * 24.0).tolist()
    resupply = (p.resupply_days * 24.0).tolist()
    streams = [(i, j, p.demand[i, j] / 8760.0) for i in range(n_parts) for j in range(n_depots)]
    for k, (_, _, rate) in enumerate(streams):
        if rate > 0:
            heapq.heappush(heap, (rand.expovariate(rate), seq, 2, k))
            seq += 1
    events = 0
    end = years * 8760.0
    while heap:
        now, _, kind, k = heapq.heappop(heap)
        if now > max(end, horizon_parts):
            break
        events += 1
        if kind == 0:  # call arrival at site k
            s, rate, travel, r = sites[k]
            heapq.heappush(heap, (now + rand.expovariate(rate), seq, 0, k))
            seq += 1
            if idle[s]:
                idle[s] -= 1
                hold = 2.0 * travel + rand.expovariate(1.0 / job[r])
                heapq.heappush(heap, (now + hold, seq, 1, s))
                seq += 1
            else:
                lines[s].append((now, travel))
        elif kind == 1:  # call completion at station k
            if lines[k]:
                _, travel = lines[k].popleft()
                hold = 2.0 * travel + rand.expovariate(1.0 / job[station_region[k]])
                heapq.heappush(heap, (now + hold, seq, 1, k))
                seq += 1
            else:
                idle[k] += 1
        elif kind == 2:  # part demand on stream k
            i, j, rate = streams[k]
            heapq.heappush(heap, (now + rand.expovariate(rate), seq, 2, k))
            heapq.heappush(heap, (now + lead[i], seq + 1, 3, i))
            seq += 2
            if on_hand[i][j] > 0:
                on_hand[i][j] -= 1
            else:
                backorders[i][j] += 1
            if central[i] > 0:
                central[i] -= 1
                heapq.heappush(heap, (now + resupply[j], seq, 4, i * n_depots + j))
                seq += 1
            else:
                central_line[i].append(j)
        elif kind == 3:  # a unit reaches the central warehouse
            if central_line[k]:
                j = central_line[k].popleft()
                heapq.heappush(heap, (now + resupply[j], seq, 4, k * n_depots + j))
                seq += 1
            else:
                central[k] += 1
        else:  # a unit reaches a depot
            i, j = divmod(k, n_depots)
            if backorders[i][j]:
                backorders[i][j] -= 1
            else:
                on_hand[i][j] += 1
    return events


def bundled_network(path: str) -> Network:
    """The simulated network of a scenario's own plan (its stations, sites and stock)."""
    from planner import actions
    from planner.models.spares import SparesProblem, SparesResult
    from planner.models.technicians import TechniciansProblem, TechniciansResult
    from planner.scenario import load_scenario, parts_predictions, run, simulation_network

    loaded = load_scenario(path)
    simulation = loaded.scenario.simulation.model_copy(update={"replications": 2})
    quick = loaded.scenario.model_copy(update={"simulation": simulation})
    result = run(dataclasses.replace(loaded, scenario=quick))
    problems = {
        r: TechniciansProblem.model_validate(t["problem"]) for r, t in result.technicians.items()
    }
    evaluations = {
        r: actions.evaluate_technicians(
            p, TechniciansResult.model_validate(result.technicians[r]["result"])
        )
        for r, p in problems.items()
    }
    parts_problem = SparesProblem.model_validate(result.parts["problem"])
    pred = parts_predictions(parts_problem, SparesResult.model_validate(result.parts["result"]))
    reports = {report.product: report for report in result.plans}
    return simulation_network(
        loaded, reports, problems, evaluations, parts_problem, pred, len(reports) > 1
    )


def timed_rows(label: str, net: Network, seed: int) -> list[tuple[str, float, int]]:
    """Best of three runs of 1 and of 30 replications of one year."""
    simulate(net, SimulationSettings(years=0.1, replications=1))  # warm imports and caches
    rows = []
    for reps in (1, 30):
        best = math.inf
        for _ in range(3):
            res = simulate(net, SimulationSettings(years=1.0, replications=reps, seed=seed))
            best = min(best, res.seconds)
        rows.append((f"{label} {reps} x 1 year", best, res.events))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--peer-replications", type=int, default=1)
    parser.add_argument("--bundled", action="append", default=[], metavar="SCENARIO")
    args = parser.parse_args()
    net = build_network(args.seed)
    n_st = sum(len(r.stations) for r in net.regions)
    calls = sum(float(np.sum(s.calls_per_year)) for r in net.regions for s in r.stations)
    assert net.parts is not None
    print(
        f"network: {len(net.regions)} regions, {n_st} stations, {calls:,.0f} calls a year, "
        f"{len(net.parts.parts)} parts x {len(net.parts.depots)} depots, "
        f"{net.parts.demand.sum():,.0f} units a year"
    )
    rows = timed_rows("simulate", net, args.seed)
    for path in args.bundled:
        bundled = bundled_network(path)
        calls = sum(float(np.sum(st.calls_per_year)) for r in bundled.regions for st in r.stations)
        assert bundled.parts is not None
        print(
            f"{Path(path).stem}: {sum(len(r.stations) for r in bundled.regions)} stations, "
            f"{calls:,.0f} calls a year, {len(bundled.parts.parts)} parts x "
            f"{len(bundled.parts.depots)} depots, {bundled.parts.demand.sum():,.0f} units a year"
        )
        rows.extend(timed_rows(Path(path).stem, bundled, args.seed))
    t0 = time.perf_counter()
    ev = sum(peer(net, 1.0, args.seed + r) for r in range(args.peer_replications))
    rows.append((f"heapq peer {args.peer_replications} x 1 year", time.perf_counter() - t0, ev))
    print(f"{'run':<36}{'seconds':>10}{'events':>14}{'events/s':>14}")
    for name, sec, events in rows:
        print(f"{name:<36}{sec:>10.3f}{events:>14,}{events / sec:>14,.0f}")
    peer_rate = rows[-1][2] / rows[-1][1]
    for name, sec, events in rows[:-1]:
        print(f"{name}: {events / sec / peer_rate:.1f}x the peer's events per second")


if __name__ == "__main__":
    main()
