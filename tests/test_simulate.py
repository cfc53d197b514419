"""The Monte Carlo simulation against closed forms and independent event-driven references.

Every reference here is computed independently of the simulation's own code: published
check values, textbook formulas, or a small event-by-event model written in this file.
Seeds are fixed, so each statistical check is deterministic; each also asserts that its
confidence interval is narrow enough for the comparison to mean something.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np
import pytest
from scipy import stats

from planner.optimise import metric, queueing
from planner.simulate import (
    Estimate,
    Network,
    PartsModel,
    RegionModel,
    SimulationSettings,
    StationModel,
    estimate,
    fcfs_start_times,
    one_for_one_fill_times,
    simulate,
)

EBO_M2 = [2.000000, 1.135335, 0.541341, 0.218018, 0.075141, 0.022488, 0.005924]


def within(est: Estimate, value: float, widen: float = 1.0) -> bool:
    """Whether ``value`` lies in the interval, optionally widened about the mean."""
    half = max(est.hi - est.mean, est.mean - est.lo)
    return abs(est.mean - value) <= widen * half + 1e-12


def half_width(est: Estimate) -> float:
    return 0.5 * (est.hi - est.lo)


def one_station(
    servers: int,
    calls: float,
    *,
    travel: float = 0.5,
    job: float = 7.0,
    mean_call: float = 8.0,
    onsite: float = 4.5,
    dispatch: float = 4.0,
    call_parts: tuple[tuple[int, int], ...] = (),
    probability: tuple[float, ...] = (),
) -> RegionModel:
    st = StationModel("s1", servers, ("a",), np.array([calls]), np.array([travel]))
    return RegionModel(
        "north",
        (st,),
        job_hours=job,
        mean_call_hours=mean_call,
        onsite_hours=onsite,
        dispatch_within_hours=dispatch,
        call_parts=call_parts,
        call_part_probability=np.array(probability, dtype=float),
    )


def one_part(
    demand: list[float],
    stock: list[int],
    *,
    central: int | None = None,
    lead_days: float = 14.0,
    resupply_days: list[float] | None = None,
    essential: bool = True,
    per_machine: int = 1,
    installed: list[int] | None = None,
) -> PartsModel:
    n = len(demand)
    return PartsModel(
        parts=("pump",),
        depots=tuple(f"d{j}" for j in range(n)),
        demand=np.array([demand], dtype=float),
        depot_stock=np.array([stock]),
        central_stock=None if central is None else np.array([central]),
        lead_days=np.array([lead_days]),
        resupply_days=np.array(resupply_days if resupply_days is not None else [10.0] * n),
        essential=np.array([essential]),
        per_machine=np.array([per_machine]),
        installed=np.array(installed if installed is not None else [5] * n),
    )


# ------------------------------------------------------------------------------ calls


@pytest.mark.parametrize(("servers", "check"), [(2, 0.7532), (3, 0.9562)])
def test_erlang_c_dispatch_level(servers: int, check: float) -> None:
    region = one_station(servers, 1200.0)
    settings = SimulationSettings(years=200, replications=10, hold="exponential")
    res = simulate(Network((region,)), settings)
    closed = queueing.wait_probability(servers, 1200.0 / 8760.0, 8.0, 4.0)
    assert closed == pytest.approx(check, abs=5e-5)
    level = res.regions[0].dispatch_level
    assert half_width(level) < 0.01
    assert within(level, closed)
    assert res.regions[0].station_dispatch["s1"] == level
    assert res.regions[0].calls.mean == pytest.approx(1200.0, rel=0.01)


def test_travel_repair_hold_waits_less_than_erlang_c() -> None:
    """Round trip plus exponential repair (mean 8 h) varies less than an exponential hold."""
    region = one_station(2, 1200.0, travel=0.5, job=7.0, mean_call=8.0)
    res = simulate(Network((region,)), SimulationSettings(years=200, replications=10))
    closed = queueing.wait_probability(2, 1200.0 / 8760.0, 8.0, 4.0)
    level = res.regions[0].dispatch_level
    assert half_width(level) < 0.01
    assert level.lo > closed + 0.005


def test_mm1_wait_distribution_and_mean() -> None:
    lam, mean_hold, travel = 0.1, 6.0, 1.0  # calls an hour; rho = 0.6
    mu = 1.0 / mean_hold
    rho = lam / mu
    region = one_station(
        1, lam * 8760.0, travel=travel, mean_call=mean_hold, onsite=5.0, dispatch=3.0
    )
    res = simulate(
        Network((region,)), SimulationSettings(years=100, replications=10, hold="exponential")
    )
    est = res.regions[0]
    p_wait = lambda t: 1.0 - rho * math.exp(-(mu - lam) * t)
    assert half_width(est.dispatch_level) < 0.01
    assert within(est.dispatch_level, p_wait(3.0))
    assert within(est.coverage, p_wait(4.0))  # on site within 5 h: wait within 4 h
    assert within(est.within_24h, p_wait(23.0))
    mean_wait = rho / (mu - lam)  # 9 h
    assert half_width(est.mean_onsite_hours) < 0.3
    assert within(est.mean_onsite_hours, mean_wait + travel)


def reference_fcfs(arrivals: list[float], holds: list[float], servers: int) -> list[float]:
    """Event by event: arrivals and departures, a FIFO waiting line and idle servers."""
    events: list[tuple[float, int, int]] = [(t, 1, k) for k, t in enumerate(arrivals)]
    heapq.heapify(events)
    idle = servers
    line: deque[int] = deque()
    start = [math.inf] * len(arrivals)
    while events:
        now, kind, k = heapq.heappop(events)
        if kind == 1:  # arrival
            line.append(k)
        else:  # departure
            idle += 1
        while idle and line:
            j = line.popleft()
            idle -= 1
            start[j] = now
            heapq.heappush(events, (now + holds[j], 0, j))
    return start


@pytest.mark.parametrize("servers", [0, 1, 2, 3, 5])
def test_fcfs_start_times_match_event_reference(servers: int) -> None:
    rng = np.random.default_rng(servers)
    arrivals = np.cumsum(rng.exponential(1.0, 3000))
    holds = rng.exponential(0.8 * max(servers, 1), 3000)
    got = fcfs_start_times(arrivals, holds, servers)
    ref = reference_fcfs(arrivals.tolist(), holds.tolist(), servers)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8)
    assert np.all(got >= arrivals)


def test_travel_repair_hold_and_far_site() -> None:
    """A site farther than the promise is never covered; ample technicians never make it wait."""
    st = StationModel("s1", 8, ("near", "far"), np.array([300.0, 100.0]), np.array([1.0, 6.0]))
    region = RegionModel("r", (st,), 3.0, 8.0, onsite_hours=4.0, dispatch_within_hours=2.0)
    res = simulate(Network((region,)), SimulationSettings(years=20, replications=10))
    est = res.regions[0]
    assert within(est.coverage, 0.75)  # the far site's quarter of the calls never counts
    assert est.dispatch_level.mean > 0.999
    assert est.within_24h.mean > 0.999
    assert est.mean_onsite_hours.mean == pytest.approx(0.75 * 1.0 + 0.25 * 6.0, abs=0.02)
    far = StationModel("s2", 8, ("far",), np.array([100.0]), np.array([6.0]))
    alone = simulate(
        Network((RegionModel("r", (far,), 3.0, 8.0, 4.0, 2.0),)), SimulationSettings(5, 3)
    )
    assert alone.regions[0].coverage == Estimate(0.0, 0.0, 0.0)
    assert alone.regions[0].within_24h == Estimate(1.0, 1.0, 1.0)


def test_no_technicians_on_duty_serves_nobody() -> None:
    region = one_station(0, 500.0)
    res = simulate(Network((region,)), SimulationSettings(years=2, replications=3))
    est = res.regions[0]
    assert est.calls.mean > 0
    assert est.coverage.mean == 0.0 and est.dispatch_level.mean == 0.0
    assert est.within_24h.mean == 0.0
    assert est.mean_onsite_hours.mean == math.inf


def test_zero_calls() -> None:
    quiet = one_station(2, 0.0)
    empty = RegionModel("empty", (), 3.0, 8.0, 4.0, 2.0)
    res = simulate(Network((quiet, empty)), SimulationSettings(years=1, replications=4))
    for est in res.regions:
        assert est.calls == Estimate(0.0, 0.0, 0.0)
        assert math.isnan(est.coverage.mean) and math.isnan(est.first_visit_fix.mean)
    assert math.isnan(res.regions[0].station_dispatch["s1"].mean)
    assert res.regions[1].station_dispatch == {}
    assert res.events == 0 and res.depots == ()


def test_seeded_determinism() -> None:
    net = Network((one_station(2, 800.0),), one_part([30.0], [2], central=3))
    a = simulate(net, SimulationSettings(years=2, replications=5, seed=11))
    b = simulate(net, SimulationSettings(years=2, replications=5, seed=11))
    c = simulate(net, SimulationSettings(years=2, replications=5, seed=12))
    assert a.regions == b.regions and a.events == b.events
    assert a.depots[0].fill_rate == b.depots[0].fill_rate
    np.testing.assert_array_equal(a.depots[0].part_backorders, b.depots[0].part_backorders)
    assert a.regions[0].coverage != c.regions[0].coverage
    assert a.replications == 5 and a.years == 2 and a.seconds > 0


def test_estimate_student_t() -> None:
    e = estimate([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)
    assert e.mean == 2.0
    assert e.hi - e.mean == pytest.approx(half) and e.mean - e.lo == pytest.approx(half)
    assert estimate([0.4]) == Estimate(0.4, 0.4, 0.4)
    assert estimate([0.5, 0.5, 0.5]) == Estimate(0.5, 0.5, 0.5)
    assert estimate([1.0, math.nan, 3.0]).mean == 2.0


# ------------------------------------------------------------------------------ parts


def test_single_echelon_fill_rate_and_ebo() -> None:
    """Demand 73 a year and 10 days' resupply: pipeline Poisson(2) (Palm's theorem)."""
    np.testing.assert_allclose(metric.ebo(np.arange(7), 2.0), EBO_M2, atol=5e-7)
    for s, ebo_ref in enumerate(EBO_M2):
        parts = one_part([73.0], [s], resupply_days=[10.0])
        res = simulate(Network((), parts), SimulationSettings(years=200, replications=10))
        depot = res.depots[0]
        fill = float(stats.poisson.cdf(s - 1, 2.0))
        assert half_width(depot.fill_rate) < 0.01 + 1e-12
        assert within(depot.fill_rate, fill, widen=1.5)
        assert within(depot.backorders, ebo_ref, widen=1.5)
        assert half_width(depot.backorders) < 0.03
        assert depot.part_backorders[0] == pytest.approx(depot.backorders.mean)
        assert depot.part_fill_rate[0] == pytest.approx(depot.fill_rate.mean)


def exact_availability(stock: int, mean: float, machines: int, per_machine: int) -> float:
    """E[(1 - B / (N Z))^Z] with B = (X - s)^+, X ~ Poisson(mean)."""
    x = np.arange(0, 200)
    b = np.maximum(x - stock, 0)
    factor = np.clip(1.0 - b / (machines * per_machine), 0.0, 1.0) ** per_machine
    return float(np.sum(stats.poisson.pmf(x, mean) * factor))


@pytest.mark.parametrize(("stock", "machines", "per_machine"), [(1, 10, 1), (2, 2, 2), (0, 4, 3)])
def test_single_part_availability(stock: int, machines: int, per_machine: int) -> None:
    parts = one_part(
        [73.0], [stock], resupply_days=[10.0], per_machine=per_machine, installed=[machines]
    )
    res = simulate(Network((), parts), SimulationSettings(years=200, replications=10))
    avail = res.depots[0].availability
    assert avail is not None and half_width(avail) < 0.01
    exact = exact_availability(stock, 2.0, machines, per_machine)
    assert within(avail, exact)
    sherbrooke = metric.availability([metric.ebo(stock, 2.0)], machines, [per_machine])
    if per_machine == 1:  # E[1 - B/N] = 1 - EBO/N
        assert exact == pytest.approx(1.0 - float(metric.ebo(stock, 2.0)) / machines)
        assert exact == pytest.approx(sherbrooke)
    else:  # (1 - b/(NZ))^Z is convex in b: the formula on EBO under-states E[...] (Jensen)
        assert avail.lo > sherbrooke + 0.02


def test_availability_multiplies_independent_essential_parts() -> None:
    """Parts' streams are independent, so E[prod] = prod E; the non-essential one is left out."""
    parts = PartsModel(
        parts=("pump", "valve", "filter"),
        depots=("d0", "d1"),
        demand=np.array([[73.0, 0.0], [36.5, 10.0], [300.0, 20.0]]),
        depot_stock=np.array([[1, 0], [0, 1], [0, 0]]),
        central_stock=None,
        lead_days=np.array([1.0, 1.0, 1.0]),
        resupply_days=np.array([10.0, 20.0]),
        essential=np.array([True, True, False]),
        per_machine=np.array([1, 2, 4]),
        installed=np.array([4, 0]),
    )
    res = simulate(Network((), parts), SimulationSettings(years=200, replications=10))
    d0, d1 = res.depots
    exact = exact_availability(1, 2.0, 4, 1) * exact_availability(0, 1.0, 4, 2)
    assert d0.availability is not None and half_width(d0.availability) < 0.01
    assert within(d0.availability, exact)
    assert d1.availability is None  # no installed base
    # Per part: single echelon EBO(s; m R / 365) at each depot.
    means = np.array([[2.0, 0.0], [1.0, 10.0 * 20 / 365], [300 * 10 / 365, 20.0 * 20 / 365]])
    ebo = metric.ebo(np.array([[1, 0], [0, 1], [0, 0]]), means)
    np.testing.assert_allclose(d0.part_backorders, ebo[:, 0], rtol=0.05)
    np.testing.assert_allclose(d1.part_backorders[1:], ebo[1:, 1], rtol=0.1)
    assert d1.part_backorders[0] == 0.0 and math.isnan(d1.part_fill_rate[0])


def reference_two_echelon(
    times: list[float],
    depots: list[int],
    depot_stock: list[int],
    resupply: list[float],
    central_stock: int,
    lead: float,
) -> list[float]:
    """Event by event: one-for-one orders, FIFO backorder queues at central and at depots."""
    on_hand = list(depot_stock)
    central = central_stock
    depot_line: list[deque[int]] = [deque() for _ in depot_stock]
    central_line: deque[int] = deque()  # depots waiting for a central unit, oldest first
    filled = [math.nan] * len(times)
    events: list[tuple[float, int, int, int]] = []  # (time, seq, kind, who)
    seq = 0
    for k, t in enumerate(times):
        events.append((t, seq, 0, k))  # 0: demand k
        seq += 1
    heapq.heapify(events)
    while events:
        now, _, kind, who = heapq.heappop(events)
        if kind == 0:
            j = depots[who]
            if on_hand[j] > 0:
                on_hand[j] -= 1
                filled[who] = now
            else:
                depot_line[j].append(who)
            heapq.heappush(events, (now + lead, seq, 1, 0))  # central's supplier order
            seq += 1
            if central > 0:
                central -= 1
                heapq.heappush(events, (now + resupply[j], seq, 2, j))
                seq += 1
            else:
                central_line.append(j)
        elif kind == 1:  # a unit reaches the central warehouse
            if central_line:
                j = central_line.popleft()
                heapq.heappush(events, (now + resupply[j], seq, 2, j))
                seq += 1
            else:
                central += 1
        else:  # a unit reaches depot who
            j = who
            if depot_line[j]:
                filled[depot_line[j].popleft()] = now
            else:
                on_hand[j] += 1
    return filled


@pytest.mark.parametrize(("central", "stock"), [(0, [0, 1, 2]), (2, [1, 0, 3]), (5, [2, 2, 0])])
def test_two_echelon_fill_times_match_event_reference(central: int, stock: list[int]) -> None:
    rng = np.random.default_rng(central)
    n = 4000
    times = np.cumsum(rng.exponential(24.0 * 365 / 110, n))
    depots = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    resupply = [48.0, 96.0, 24.0]
    got = one_for_one_fill_times(times, depots, stock, resupply, central, 14 * 24.0)
    ref = reference_two_echelon(times.tolist(), depots.tolist(), stock, resupply, central, 336.0)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)
    single = one_for_one_fill_times(times, depots, stock, resupply, None, 0.0)
    big = reference_two_echelon(times.tolist(), depots.tolist(), stock, resupply, n, 1.0)
    np.testing.assert_allclose(single, big, rtol=0, atol=1e-9)


def test_two_echelon_exact_not_metric() -> None:
    """LINDO's example: 2 outlets at 0.1 a day, resupply 2 days, central 14 days, (S0, Si) = (2, 1).

    The simulated outlet backorders agree with the exact model (0.529530), not METRIC
    (0.440461): METRIC treats an outlet's pipeline as Poisson and under-states its variance.
    """
    parts = one_part([36.5, 36.5], [1, 1], central=2, lead_days=14.0, resupply_days=[2.0, 2.0])
    res = simulate(Network((), parts), SimulationSettings(years=200, replications=10))
    total = sum(d.backorders.mean for d in res.depots)
    half = sum(half_width(d.backorders) for d in res.depots)  # conservative for the sum
    shares = np.array([0.5, 0.5])
    exact = metric.exact_two_echelon_ebo(2, [1, 1], 2.8, [0.2, 0.2], shares).sum()
    metric_ebo = metric.metric_two_echelon_ebo(2, [1, 1], 2.8, [0.2, 0.2], shares).sum()
    assert exact == pytest.approx(0.529530, abs=1e-6)
    assert metric_ebo == pytest.approx(0.440461, abs=1e-6)
    assert half < 0.03
    assert abs(total - exact) <= half
    assert total - metric_ebo > 2 * half


def test_first_visit_fix_pasta() -> None:
    """Calls needing (pump, d0) with probability p find it on hand with the fill rate."""
    p = 0.4
    region = one_station(6, 2000.0, call_parts=((0, 0),), probability=(p,))
    parts = one_part([73.0], [2], resupply_days=[10.0])
    res = simulate(Network((region,), parts), SimulationSettings(years=50, replications=10))
    est = res.regions[0]
    fill = float(stats.poisson.cdf(1, 2.0))
    assert half_width(est.first_visit_fix) < 0.01
    assert within(est.first_visit_fix, 1 - p + p * fill)
    assert est.promise_and_fixed.mean <= min(est.coverage.mean, est.first_visit_fix.mean)
    plain = simulate(Network((one_station(6, 2000.0),)), SimulationSettings(2, 3))
    assert plain.regions[0].first_visit_fix == Estimate(1.0, 1.0, 1.0)
    assert plain.regions[0].promise_and_fixed == plain.regions[0].coverage


def test_events_are_counted() -> None:
    region = one_station(3, 1000.0)
    res = simulate(Network((region,)), SimulationSettings(years=10, replications=2))
    # Arrivals (warm-up included) and completions: about twice the calls.
    assert 1.8 * 20 * 1000 < res.events < 2.4 * 20 * 1000


def test_demand_splits_over_depots_by_rate() -> None:
    """With no stock every demand waits its resupply: backorders = m_j R_j / 365 per depot."""
    demand = [120.0, 0.0, 60.0, 30.0, 0.0, 7.5]
    resupply = [10.0, 10.0, 20.0, 5.0, 1.0, 40.0]
    parts = one_part(demand, [0] * 6, central=1_000, lead_days=1.0, resupply_days=resupply)
    res = simulate(Network((), parts), SimulationSettings(years=100, replications=5))
    for d, m, r in zip(res.depots, demand, resupply, strict=True):
        assert d.backorders.mean == pytest.approx(m * r / 365.0, rel=0.03, abs=1e-12)
        if m == 0:
            assert math.isnan(d.fill_rate.mean) and math.isnan(d.part_fill_rate[0])
        else:
            assert d.fill_rate == Estimate(0.0, 0.0, 0.0)
