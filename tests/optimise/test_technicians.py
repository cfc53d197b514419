"""Exact technician allocation against brute-force enumeration and hand-checked cases."""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.optimise.network import UnreachableSitesError
from planner.optimise.technicians import evaluate_plan, solve_technicians, technicians_frontier
from planner.optimise.technicians.bounds import aggregate_bounds, max_coverage
from planner.optimise.technicians.construction import fit_assign, heuristic_plan
from planner.optimise.technicians.cuts import staffing_cuts
from planner.optimise.technicians.formulation import Model, build, run_milp
from planner.optimise.technicians.improvement import group_search, station_groups
from planner.optimise.technicians.neighbourhoods import least_regret, round_relaxed
from planner.optimise.technicians.plans import min_staff, plan_from
from planner.optimise.technicians.prepared import Prepared, linear_costs, prepare
from planner.optimise.technicians.pricing import RestrictedMaster
from planner.optimise.technicians.settings import TechniciansSettings
from planner.optimise.technicians.state import SolveState


def _state(problem: TechniciansProblem, prep: Prepared, target: float | None = None, **tuning):
    """The solve state at the problem's promise (or ``target``), with ``tuning`` settings."""
    em = problem.emergency
    goal = em.coverage_target if target is None else target
    return SolveState.at(prep, goal, em.onsite_hours, TechniciansSettings(**tuning))


# --- independent reference -------------------------------------------------------------------


def _wait_ok(c: int, calls: float, service: float, dispatch: dict) -> bool:
    """P(W <= t) >= level by the direct-summation Erlang C formula."""
    lam = calls / service
    h = dispatch["mean_call_hours"]
    a = lam * h
    if not c > a:
        return False
    if h == 0:
        return True
    tail = a**c / math.factorial(c) * c / (c - a)
    cw = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return 1 - cw * math.exp(-(c / h - lam) * dispatch["within_hours"]) >= dispatch["service_level"]


def _shortest(doc: dict) -> dict[tuple[str, str], float]:
    """All-pairs shortest paths by Floyd-Warshall (last listing of a pair counts)."""
    if "travel_hours" in doc:
        return {(j, i): h for j, row in doc["travel_hours"].items() for i, h in row.items()}
    nodes = {s["id"] for s in doc["sites"]} | {s["id"] for s in doc["stations"]}
    w: dict[frozenset, float] = {}
    for e in doc["edges"]:
        nodes |= {e["from"], e["to"]}
        w[frozenset((e["from"], e["to"]))] = e["hours"]
    dist = {(a, b): (0.0 if a == b else math.inf) for a in nodes for b in nodes}
    for pair, h in w.items():
        a, b = (tuple(pair) * 2)[:2]
        dist[a, b] = dist[b, a] = min(dist[a, b], h) if a == b else h
    for k in nodes:
        for a in nodes:
            for b in nodes:
                dist[a, b] = min(dist[a, b], dist[a, k] + dist[k, b])
    return dist


def brute_force(
    doc: dict, plans: list | None = None, choices: list[list[int]] | None = None
) -> float | None:
    """Cheapest plan by enumerating every assignment and every staffing; None if none is feasible.

    With ``plans``, every feasible plan is appended to it as (open station ids, technicians).
    With ``choices``, site i may only go to the stations (positions) in ``choices[i]``.
    """
    sites, stations = doc["sites"], doc["stations"]
    dist = _shortest(doc)
    tech, em, disp = doc["technician"], doc["emergency"], doc.get("dispatch")
    service = doc["service_hours_per_year"]
    total = sum(s["emergency_calls"] for s in sites)
    best = None
    if choices is None:
        choices = [list(range(len(stations)))] * len(sites)
    for choice in itertools.product(*choices):
        opened = set(choice)
        if doc.get("max_open_stations") is not None and len(opened) > doc["max_open_stations"]:
            continue
        d = [dist.get((stations[j]["id"], s["id"]), math.inf) for s, j in zip(sites, choice)]
        if any(math.isinf(x) for x in d):
            continue
        covered = sum(s["emergency_calls"] for s, x in zip(sites, d) if x <= em["onsite_hours"])
        if total > 0 and covered < em["coverage_target"] * total - 1e-9:
            continue
        cost = 0.0
        staffing: dict[str, int] = {}
        for j in opened:
            mine = [(s, x) for s, x, jj in zip(sites, d, choice) if jj == j]
            work = sum(
                s["emergency_calls"] * (em["job_hours"] + 2 * x)
                + s["planned_visits"] * 2 * x
                + s["planned_hours"]
                for s, x in mine
            )
            calls = sum(s["emergency_calls"] for s, _ in mine)
            staff = None
            for n in range(stations[j]["max_technicians"] + 1):
                if work > n * tech["productive_hours"] + 1e-9:
                    continue
                if disp is not None and calls > 0:
                    c = math.floor(n * tech["productive_hours"] / service)
                    if not _wait_ok(c, calls, service, disp):
                        continue
                staff = n
                break
            if staff is None:
                cost = math.inf
                break
            staffing[stations[j]["id"]] = staff
            cost += stations[j]["fixed_cost"] + tech["annual_cost"] * staff
            cost += sum(
                doc["travel_cost_per_hour"] * 2 * x * (s["emergency_calls"] + s["planned_visits"])
                for s, x in mine
            )
        if cost < math.inf and plans is not None:
            plans.append((set(staffing), sum(staffing.values())))
        if cost < math.inf and (best is None or cost < best):
            best = cost
    return best


# --- instance generator ----------------------------------------------------------------------


@st.composite
def tiny_problems(draw: st.DrawFn) -> dict:
    n_sites = draw(st.integers(1, 4))
    n_st = draw(st.integers(1, 3))
    hours = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0])
    sites = [
        {
            "id": f"S{i}",
            "emergency_calls": draw(st.sampled_from([0.0, 10.0, 40.0, 150.0, 400.0])),
            "planned_visits": draw(st.sampled_from([0.0, 4.0, 12.0])),
            "planned_hours": draw(st.sampled_from([0.0, 50.0, 300.0])),
        }
        for i in range(n_sites)
    ]
    stations = [
        {
            "id": f"D{j}",
            "fixed_cost": draw(st.sampled_from([0.0, 50_000.0, 200_000.0])),
            "max_technicians": draw(st.integers(0, 12)),
        }
        for j in range(n_st)
    ]
    doc = {
        "format": "technicians/v1",
        "service_hours_per_year": draw(st.sampled_from([2000.0, 4380.0, 8760.0])),
        "travel_cost_per_hour": draw(st.sampled_from([0.0, 60.0])),
        "technician": {
            "annual_cost": draw(st.sampled_from([0.0, 90_000.0])),
            "productive_hours": draw(st.sampled_from([800.0, 1600.0])),
        },
        "emergency": {
            "onsite_hours": draw(hours),
            "coverage_target": draw(st.sampled_from([0.0, 0.5, 0.8, 1.0])),
            "job_hours": draw(st.sampled_from([0.0, 6.0])),
        },
        "sites": sites,
        "stations": stations,
    }
    if draw(st.booleans()):
        doc["dispatch"] = {
            "within_hours": draw(st.sampled_from([0.0, 2.0])),
            "service_level": draw(st.sampled_from([0.5, 0.8, 0.95])),
            "mean_call_hours": draw(st.sampled_from([0.0, 4.0, 8.0])),
        }
    if draw(st.booleans()):
        doc["max_open_stations"] = draw(st.integers(1, n_st))
    if draw(st.booleans()):
        doc["travel_hours"] = {
            s["id"]: {t["id"]: draw(hours) for t in sites if draw(st.integers(0, 9)) > 0}
            for s in stations
        }
    else:
        nodes = [s["id"] for s in sites] + [s["id"] for s in stations] + ["J0", "J1"]
        hubs = [s["id"] for s in stations] + ["J0"]
        doc["edges"] = [{"from": "J0", "to": stations[0]["id"], "hours": draw(hours)}]
        doc["edges"] += [
            {"from": s["id"], "to": draw(st.sampled_from(hubs)), "hours": draw(hours)}
            for s in sites
        ]
        doc["edges"] += [
            {
                "from": draw(st.sampled_from(nodes)),
                "to": draw(st.sampled_from(nodes)),
                "hours": draw(hours),
            }
            for _ in range(draw(st.integers(0, 6)))
        ]
    return doc


def _check_against_reference(
    doc: dict, tuning: TechniciansSettings | None = None
) -> TechniciansResult | None:
    problem = TechniciansProblem.model_validate(doc)
    try:
        result = solve_technicians(problem, settings=tuning)
    except UnreachableSitesError:
        assert _unreachable(doc)
        return None
    expected = brute_force(doc)
    if expected is None:
        assert result.status == "infeasible", result
        assert result.reason
    else:
        assert result.status == "optimal", result
        assert result.objective == pytest.approx(expected, rel=1e-7, abs=1e-6)
        assert evaluate_plan(problem, result) == pytest.approx(result.objective, rel=1e-9, abs=1e-6)
        assert result.bound <= result.objective + 1e-6
    return result


def _unreachable(doc: dict) -> bool:
    dist = _shortest(doc)
    return any(
        all(math.isinf(dist.get((t["id"], s["id"]), math.inf)) for t in doc["stations"])
        for s in doc["sites"]
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_matches_brute_force(doc: dict) -> None:
    _check_against_reference(doc)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("dispatch", [False, True])
def test_group_search_with_every_open_station_in_one_group_finds_the_optimum(
    seed: int, dispatch: bool
) -> None:
    """When one group holds every open station of a start plan that opens them all, the
    group search reassigns every site among every station: it must end at the optimum of
    the brute force, from any such start."""
    rng = np.random.default_rng(seed)
    n_sites, n_st = int(rng.integers(6, 9)), 3
    for attempt in range(20):  # the first few sites and stations of a medium instance
        doc = _medium_doc(1000 * seed + attempt, dispatch)
        doc["sites"] = doc["sites"][:n_sites]
        doc["stations"] = doc["stations"][:n_st]
        keep = {s["id"] for s in doc["sites"]}
        doc["travel_hours"] = {
            j: {i: h for i, h in row.items() if i in keep}
            for j, row in doc["travel_hours"].items()
            if j in {s["id"] for s in doc["stations"]}
        }
        expected = brute_force(doc)
        if expected is not None:
            break
    if expected is None:
        pytest.skip("no plan keeps every promise")
    problem = TechniciansProblem.model_validate(doc)
    prep = prepare(problem)
    start = None
    for _ in range(2000):  # a feasible start opening every station
        assign = rng.integers(0, n_st, n_sites)
        if len(np.unique(assign)) == n_st:
            start = plan_from(_state(problem, prep), assign)
            if start is not None:
                break
    if start is None:
        pytest.skip("no random start opens every station")
    state = _state(problem, prep, group_size=n_st)
    plan = group_search(state, start, time.monotonic() + 60)
    assert plan.cost == pytest.approx(expected, rel=1e-6)
    again = plan_from(_state(problem, prep), plan.assign)
    assert again is not None and again.cost == pytest.approx(plan.cost, rel=1e-9)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dispatch", [False, True])
def test_fitting_sites_to_stations_keeps_their_limits(seed: int, dispatch: bool) -> None:
    """The greedy fill, redone here by a loop over sites: sites by falling regret (second
    cheapest open station less the cheapest), each to its cheapest open station with room
    for its hours at the most technicians and its calls at the top on-duty level. With
    room to spare everywhere, every site gets its cheapest station."""
    _, problem, prep, _, _ = _medium_prepared(seed, dispatch, feasible=False)
    m, n_sites = len(problem.stations), len(problem.sites)
    rng = np.random.default_rng(seed)
    open_ = np.sort(rng.choice(m, size=int(rng.integers(1, m + 1)), replace=False))
    cmat = linear_costs(prep)
    hours = problem.technician.productive_hours
    work = {(int(j), int(i)): w for i, j, w in zip(prep.pi, prep.pj, prep.pw, strict=True)}
    room_w = {int(j): problem.stations[j].max_technicians * hours for j in open_}
    room_c = {
        int(j): (prep.levels[j][-1] if len(prep.levels[j]) else 0.0) if dispatch else math.inf
        for j in open_
    }
    order = []
    for i in range(n_sites):
        costs = sorted(cmat[j, i] for j in open_)
        regret = costs[1] - costs[0] if len(costs) > 1 else 0.0
        order.append((-regret if math.isfinite(regret) else -math.inf, i))
    expected: list[int] | None = [-1] * n_sites
    for _, i in sorted(order):
        fits = [
            (cmat[j, i], int(j))
            for j in open_
            if (int(j), i) in work
            and work[int(j), i] <= room_w[int(j)] * (1 + 1e-9)
            and prep.calls[i] <= room_c[int(j)] * (1 + 1e-9)
        ]
        if not fits:
            expected = None
            break
        j = min(fits)[1]
        expected[i] = j
        room_w[j] -= work[j, i]
        room_c[j] -= prep.calls[i]
    got = fit_assign(prep, open_, cmat)
    if expected is None:
        assert got is None
        return
    assert got is not None and got.tolist() == expected
    nearest = open_[np.argmin(cmat[open_], axis=0)]
    if min_staff(prep, nearest) is not None:  # room everywhere
        assert got.tolist() == nearest.tolist()
    else:
        assert min_staff(prep, got) is not None


@pytest.mark.parametrize("seed", range(6))
def test_station_groups_join_the_stations_sites_would_go_to_next(seed: int) -> None:
    """Each group is a station and the open stations most sites of the two would go to
    next (either way), counted here by a loop over sites."""
    _, problem, prep, _, _ = _medium_prepared(seed, False, feasible=False)
    m, n_sites = len(problem.stations), len(problem.sites)
    rng = np.random.default_rng(seed)
    cmat = np.full((m, n_sites), np.inf)
    cmat[prep.pj, prep.pi] = rng.uniform(0, 100, len(prep.pi))
    assign = np.array([rng.choice(prep.pj[prep.pi == i]) for i in range(n_sites)])
    open_ = sorted(set(assign.tolist()))
    groups = station_groups(assign, cmat, 3)
    assert len(groups) == len(open_)
    shared = {(a, b): 0 for a in open_ for b in open_}
    for i in range(n_sites):
        others = [(cmat[j, i], j) for j in open_ if j != assign[i] and np.isfinite(cmat[j, i])]
        if others:
            nxt = min(others)[1]
            shared[assign[i], nxt] += 1
            shared[nxt, assign[i]] += 1
    for j, group in zip(open_, groups, strict=True):
        assert j in group and len(group) <= 3 and set(group.tolist()) <= set(open_)
        chosen = [k for k in group.tolist() if k != j]
        rest = [shared[j, k] for k in open_ if k != j and k not in chosen]
        assert all(shared[j, k] > 0 for k in chosen)
        if chosen and rest:
            assert min(shared[j, k] for k in chosen) >= max(rest)
        if len(chosen) < 2:
            assert all(r == 0 for r in rest)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(), st.sampled_from(["enumerate", "no-good cuts"]))
def test_every_phase_matches_brute_force(doc: dict, search: str) -> None:
    """Column generation from a few pairs, Lagrangian fixing, the cardinality cap and the
    search by station sets (enumeration, or phase R with no-good cuts) on every instance."""
    tuning = TechniciansSettings(
        full_lp_pairs=0,
        cg_start_pairs=0,
        relax_phase_pairs=0,
        enum_sets=0 if search == "no-good cuts" else TechniciansSettings().enum_sets,
    )
    _check_against_reference(doc, tuning)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_large_instance_route_keeps_bound_and_plan_honest(doc: dict) -> None:
    """The route for large instances (interior point first LP, the LP neighbourhood MILP
    after the first pricing round and after the LP, no phase R) on every instance: the plan
    is feasible at the cost it reports, never cheaper than the optimum, and the bound
    never above it; optimal only at the optimum."""
    problem = TechniciansProblem.model_validate(doc)
    tuning = TechniciansSettings(full_lp_pairs=0, cg_start_pairs=0, ipm_rows=0, phase_r_pairs=0)
    try:
        result = solve_technicians(problem, time_limit=30.0, settings=tuning)
    except UnreachableSitesError:
        assert _unreachable(doc)
        return
    expected = brute_force(doc)
    if expected is None:
        assert result.status == "infeasible", result
        return
    assert result.status in ("optimal", "feasible"), result
    assert evaluate_plan(problem, result) == pytest.approx(result.objective, rel=1e-9, abs=1e-6)
    assert result.objective >= expected - 1e-6 * max(1.0, abs(expected))
    assert result.bound <= expected + 1e-6 * max(1.0, abs(expected))
    if result.status == "optimal":
        assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)


def _medium_doc(seed: int, dispatch: bool) -> dict:
    """A random instance with a few dozen sites: more pairs than the tiny ones, so that
    column generation prices in many rounds."""
    rng = np.random.default_rng(seed)
    n_sites, n_st = int(rng.integers(20, 41)), int(rng.integers(4, 9))
    site_xy, st_xy = rng.uniform(0, 240, (n_sites, 2)), rng.uniform(0, 240, (n_st, 2))
    hours = np.linalg.norm(st_xy[:, None] - site_xy[None], axis=2) / 60.0
    doc: dict = {
        "format": "technicians/v1",
        "service_hours_per_year": 8760.0,
        "travel_cost_per_hour": 60.0,
        "technician": {"annual_cost": 90_000.0, "productive_hours": 1600.0},
        "emergency": {
            "onsite_hours": float(rng.choice([1.5, 2.5, 4.0])),
            "coverage_target": float(rng.choice([0.0, 0.5, 0.8])),
            "job_hours": 6.0,
        },
        "sites": [
            {
                "id": f"S{i}",
                "emergency_calls": float(rng.choice([0.0, 5.0, 20.0, 60.0, 150.0])),
                "planned_visits": float(rng.integers(0, 20)),
                "planned_hours": float(rng.choice([0.0, 40.0, 200.0])),
            }
            for i in range(n_sites)
        ],
        "stations": [
            {
                "id": f"D{j}",
                "fixed_cost": float(rng.choice([50_000.0, 200_000.0, 400_000.0])),
                "max_technicians": int(rng.integers(8, 40)),
            }
            for j in range(n_st)
        ],
        "travel_hours": {
            f"D{j}": {f"S{i}": float(hours[j, i]) for i in range(n_sites)} for j in range(n_st)
        },
    }
    if dispatch:
        doc["dispatch"] = {"within_hours": 2.0, "service_level": 0.8, "mean_call_hours": 8.0}
    return doc


def _medium_prepared(seed: int, dispatch: bool, *, feasible: bool = True) -> tuple:
    """(document, problem, prepared data, coverage target, covered pairs) of a medium
    instance; with ``feasible``, the test is skipped when no plan can keep the promises."""
    doc = _medium_doc(seed, dispatch)
    problem = TechniciansProblem.model_validate(doc)
    prep = prepare(problem)
    target, covered = problem.emergency.coverage_target, prep.pd <= problem.emergency.onsite_hours
    if feasible and prep.infeasible is not None:
        pytest.skip(prep.infeasible)
    if feasible and max_coverage(prep, covered)[1] < target:
        pytest.skip("coverage target out of reach")
    return doc, problem, prep, target, covered


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dispatch", [False, True])
def test_column_generation_reaches_the_lp_over_every_pair(seed: int, dispatch: bool) -> None:
    """Column generation from one pair per site (smoothed pricing, Lagrangian bounds) ends
    at the value of the LP over every pair, which scipy's HiGHS solves in one go; every
    Lagrangian bound on the way is at most that value."""
    _, problem, prep, _, _ = _medium_prepared(seed, dispatch)
    # the LP alone (cuts: tests below), by column generation from one pair per site
    state = _state(problem, prep, full_lp_pairs=0, cg_start_pairs=1, cut_rounds=0)
    state = replace(state, aggregate=aggregate_bounds(state, time.monotonic() + 60))
    start = heuristic_plan(state, time.monotonic() + 30, [])
    assert start is not None
    model = build(state, np.arange(len(prep.pi)), np.arange(len(problem.stations)))
    rows = LinearConstraint(model.a, model.row_lower, model.row_upper)
    # no integrality: the LP relaxation
    full = milp(model.cost, constraints=rows, bounds=Bounds(model.lower, model.upper))
    assert full.status == 0, full.message
    master = RestrictedMaster(state, start)
    lp = master.solve(time.monotonic() + 120)
    seen = master.lagrangian_bounds
    assert lp is not None
    tol = 1e-6 * max(1.0, abs(full.fun))
    assert lp.bound == pytest.approx(full.fun, abs=tol)
    assert max(seen) <= full.fun + tol
    assert len(seen) > 1  # it did price


def _station_columns(model: Model, prep: Prepared, j: int) -> np.ndarray:
    """Mask of the model's columns that belong to station j (its pairs, y, n and z)."""
    mine = np.zeros(model.num_col, dtype=bool)
    mine[model.x0 + np.nonzero(prep.pj[model.pairs] == j)[0]] = True
    q = int(np.nonzero(model.stations == j)[0][0])
    mine[[model.y0 + q, model.n0 + q]] = True
    mine[model.z0 + np.nonzero(model.z_station == j)[0]] = True
    return mine


def _station_configurations(model: Model, prep: Prepared, j: int):
    """Every integer setting of station j's columns (open, every subset of its sites, every
    staffing and every on-duty level) that keeps the model's rows on station j alone."""
    mine = _station_columns(model, prep, j)
    a = model.a.tocsr()
    local = np.array(
        [mine[a.indices[a.indptr[r] : a.indptr[r + 1]]].all() for r in range(model.num_row)]
    )
    a_local = a[local]
    lo, hi = model.row_lower[local], model.row_upper[local]
    xs = model.x0 + np.nonzero(prep.pj[model.pairs] == j)[0]
    q = int(np.nonzero(model.stations == j)[0][0])
    zs = model.z0 + np.nonzero(model.z_station == j)[0]
    for subset in itertools.product([0.0, 1.0], repeat=len(xs)):
        for n in range(int(prep.cap[j]) + 1):
            for level in range(len(zs) + 1):
                v = np.zeros(model.num_col)
                v[xs] = subset
                v[model.y0 + q] = 1.0
                v[model.n0 + q] = n
                v[zs[:level]] = 1.0
                row = a_local @ v
                if (row >= lo - 1e-9).all() and (row <= hi + 1e-9).all():
                    yield v


@given(doc=tiny_problems(), seed=st.integers(0, 2**16))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_staffing_cuts_hold_for_every_station_setting(doc: dict, seed: int) -> None:
    """Every cut separated from random fractional points holds for every integer setting of
    its station that the model's own rows on that station allow (closed stations: all 0),
    and is broken by the point it was separated from."""
    problem = TechniciansProblem.model_validate(doc)
    try:
        prep = prepare(problem)
    except UnreachableSitesError:
        return
    if not len(prep.pi):
        return
    stations = np.arange(len(problem.stations))
    model = build(_state(problem, prep, target=0.0), np.arange(len(prep.pi)), stations)
    rng = np.random.default_rng(seed)
    settings_of = {j: list(_station_configurations(model, prep, j)) for j in stations}
    cols = model.x0 + np.arange(len(model.pairs))
    for _ in range(20):
        v = np.zeros(model.num_col)
        y = rng.uniform(0, 1, len(stations))
        v[model.y0 : model.y0 + len(stations)] = y
        v[model.n0 : model.n0 + len(stations)] = rng.uniform(0, 1, len(stations)) * prep.cap * y
        v[cols] = rng.uniform(0, 1, len(cols)) * y[prep.pj[model.pairs]]
        for j in stations:
            zs = model.z0 + np.nonzero(model.z_station == j)[0]
            v[zs] = np.sort(rng.uniform(0, y[j], len(zs)))[::-1]
        for idx, val in staffing_cuts(prep, model, model.pairs, cols, v):
            assert val @ v[idx] > 0  # the point breaks it
            owner = _station_columns(model, prep, int(prep.pj[model.pairs[idx[0]]]))
            assert owner[idx].all()  # one station's columns only
            j = int(prep.pj[model.pairs[idx[0]]])
            for setting in settings_of[j]:
                assert val @ setting[idx] <= 1e-7 * max(1.0, np.abs(val).sum())


def test_cuts_raise_the_lp_bound_and_keep_it_below_the_optimum() -> None:
    """Column generation with cuts ends between the LP over every pair and the proven
    optimum; on some instances strictly above the LP."""
    raised = 0
    for seed in range(8):
        _, problem, prep, target, covered = _medium_prepared(seed, True, feasible=False)
        if prep.infeasible is not None or max_coverage(prep, covered)[1] < target:
            continue
        state = _state(problem, prep, full_lp_pairs=0, cg_start_pairs=1)
        state = replace(state, aggregate=aggregate_bounds(state, time.monotonic() + 60))
        start = heuristic_plan(state, time.monotonic() + 30, [])
        model = build(state, np.arange(len(prep.pi)), np.arange(len(problem.stations)))
        rows = LinearConstraint(model.a, model.row_lower, model.row_upper)
        full = milp(model.cost, constraints=rows, bounds=Bounds(model.lower, model.upper))
        exact = milp(
            model.cost,
            constraints=rows,
            bounds=Bounds(model.lower, model.upper),
            integrality=model.integer.astype(int),
        )
        assert full.status == 0 and exact.status == 0, (full.message, exact.message)
        lp = RestrictedMaster(state, start).solve(time.monotonic() + 120)
        assert lp is not None
        tol = 1e-6 * max(1.0, abs(exact.fun))
        assert full.fun - tol <= lp.bound <= exact.fun + tol
        raised += lp.bound > full.fun + tol
    assert raised >= 2


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dispatch", [False, True])
def test_rounding_a_relaxed_plan_finds_the_cheapest_plan_it_allows(
    seed: int, dispatch: bool
) -> None:
    """From the optimum with continuous assignments (stations, staffing and dispatch levels
    integer), rounding keeps each whole site at its station and sends the split ones to
    open stations: at the least cost the brute force finds over exactly those plans."""
    doc, problem, prep, _, _ = _medium_prepared(seed, dispatch)
    m = len(problem.stations)
    model = build(_state(problem, prep), np.arange(len(prep.pi)), np.arange(m))
    status, values, _ = run_milp(prep, model, None, 60, relax_x=True)
    assert status == "optimal" and values is not None
    x = values[model.x0 : model.x0 + len(model.pairs)]
    open_ = [int(j) for j in np.nonzero(values[model.y0 : model.y0 + m] > 0.5)[0]]
    whole = {int(prep.pi[k]): int(prep.pj[k]) for k in model.pairs[x > 1 - 1e-6]}
    choices = [[whole[i]] if i in whole else open_ for i in range(len(problem.sites))]
    assert math.prod(len(c) for c in choices) <= 100_000  # few sites are split
    expected = brute_force(doc, choices=choices)
    plan = round_relaxed(_state(problem, prep), model, values, 60.0)
    if expected is None:
        assert plan is None
    else:
        assert plan is not None
        assert plan.cost == pytest.approx(expected, rel=1e-6)
        assert plan.cost >= float(model.cost @ values) * (1 - 1e-6)  # the relaxation bounds it


@pytest.mark.parametrize("seed", range(6))
def test_sites_of_least_regret_come_from_every_open_station(seed: int) -> None:
    """Each open station gives its ``count // stations`` whole sites whose move to another
    open station adds least travel and workload cost, ranked here by a loop over sites."""
    doc, problem, prep, _, _ = _medium_prepared(seed, False, feasible=False)
    m, n_sites = len(problem.stations), len(problem.sites)
    rng = np.random.default_rng(seed)
    open_ = np.sort(rng.choice(m, size=min(m, 3), replace=False))
    model = build(_state(problem, prep), np.arange(len(prep.pi)), np.arange(m))
    values = np.zeros(model.num_col)
    values[model.y0 + open_] = 1.0
    hourly = doc["technician"]["annual_cost"] / doc["technician"]["productive_hours"]
    cost: dict[tuple[int, int], float] = {}
    for k in range(len(prep.pi)):
        cost[int(prep.pi[k]), int(prep.pj[k])] = prep.pcost[k] + hourly * prep.pw[k]
    own: dict[int, int] = {}
    for i in range(n_sites):
        mine = [j for j in open_ if (i, int(j)) in cost]
        if mine and i % 5:  # every fifth site stays split
            own[i] = int(rng.choice(mine))
            values[model.x0 + np.nonzero((prep.pi == i) & (prep.pj == own[i]))[0]] = 1.0
    chosen = set(least_regret(prep, model, values, 6).tolist())
    for j in open_:
        regret = {
            i: min(
                (cost[i, int(o)] for o in open_ if o != j and (i, int(o)) in cost), default=math.inf
            )
            - cost[i, j]
            for i, jj in own.items()
            if jj == j
        }
        ranked = sorted(r for r in regret.values() if r < math.inf)
        mine = {i for i in chosen if own.get(i) == j}
        assert len(mine) == min(2, len(ranked))
        if mine:
            assert max(regret[i] for i in mine) <= ranked[len(mine) - 1] + 1e-9
    assert chosen <= set(own)


@pytest.mark.parametrize("seed", range(24))
@pytest.mark.parametrize("dispatch", [False, True])
def test_rounding_sends_split_sites_to_their_cheapest_open_stations(
    seed: int, dispatch: bool
) -> None:
    """Rounding a made-up relaxed plan, with up to five sites split between two to four open
    stations and up to two whole sites free to move, gives the cheapest plan the brute force
    finds among those keeping the other whole sites in place (or none when none keeps every
    promise)."""
    doc, problem, prep, _, _ = _medium_prepared(seed, dispatch, feasible=False)
    m, n_sites = len(problem.stations), len(problem.sites)
    rng = np.random.default_rng(100 + seed)
    open_ = np.sort(rng.choice(m, size=int(rng.integers(2, min(m, 4) + 1)), replace=False))
    model = build(_state(problem, prep), np.arange(len(prep.pi)), np.arange(m))
    values = np.zeros(model.num_col)
    values[model.y0 + open_] = 1.0
    split = set(rng.choice(n_sites, size=int(rng.integers(1, 6)), replace=False).tolist())
    movers = np.sort(rng.choice(n_sites, size=int(rng.integers(0, 3)), replace=False))
    choices: list[list[int]] = []
    for i in range(n_sites):
        mine = np.nonzero((prep.pi == i) & np.isin(prep.pj, open_))[0]
        if i in split or not len(mine):
            for k in mine:
                values[model.x0 + k] = 1.0 / len(mine)
        else:
            k = int(rng.choice(mine))
            values[model.x0 + k] = 1.0
        whole = i not in split and len(mine)
        choices.append([int(prep.pj[k])] if whole and i not in movers else [int(j) for j in open_])
    expected = brute_force(doc, choices=choices)
    plan = round_relaxed(_state(problem, prep), model, values, 60.0, movers)
    if expected is None:
        assert plan is None
    else:
        assert plan is not None
        assert plan.cost == pytest.approx(expected, rel=1e-6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_station_level_bounds_hold_for_the_optimum(doc: dict) -> None:
    """The aggregate cuts (fewest stations, technicians, fixed plus technician cost) hold for
    every feasible plan the brute force finds."""
    problem = TechniciansProblem.model_validate(doc)
    if _unreachable(doc):
        return
    plans: list = []
    brute_force(doc, plans)
    prep = prepare(problem)
    if not plans or prep.infeasible is not None:
        return
    agg = aggregate_bounds(_state(problem, prep), time.monotonic() + 60)
    assert agg is not None
    fixed = {s["id"]: s["fixed_cost"] for s in doc["stations"]}
    for open_, staff in plans:
        assert agg.open <= len(open_)
        assert agg.staff <= staff + 1e-9
        spend = sum(fixed[j] for j in open_) + doc["technician"]["annual_cost"] * staff
        assert agg.spend <= spend * (1 + 1e-9) + 1e-9


# --- hand-checked cases ----------------------------------------------------------------------


def _base(**over: object) -> dict:
    doc = {
        "format": "technicians/v1",
        "service_hours_per_year": 8760.0,
        "travel_cost_per_hour": 0.0,
        "technician": {"annual_cost": 100.0, "productive_hours": 1000.0},
        "emergency": {"onsite_hours": 1.0, "coverage_target": 0.0, "job_hours": 0.0},
        "sites": [
            {"id": "A", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 500.0}
        ],
        "stations": [{"id": "D1", "fixed_cost": 1000.0, "max_technicians": 10}],
        "travel_hours": {"D1": {"A": 2.0}},
    }
    doc.update(over)
    return doc


def test_workload_rounds_technicians_up() -> None:
    doc = _base(
        sites=[{"id": "A", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 2500.0}]
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.status == "optimal"
    assert result.stations[0].technicians == 3
    assert result.objective == pytest.approx(1000 + 300)


def test_workload_includes_round_trips() -> None:
    # 10 calls x (job 1 h + 2 x 2 h) + 5 visits x 4 h + 0 = 70 h -> 1 technician of 60 h is not enough
    doc = _base(
        technician={"annual_cost": 100.0, "productive_hours": 60.0},
        emergency={"onsite_hours": 1.0, "coverage_target": 0.0, "job_hours": 1.0},
        sites=[{"id": "A", "emergency_calls": 10.0, "planned_visits": 5.0, "planned_hours": 0.0}],
        travel_cost_per_hour=3.0,
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.stations[0].technicians == 2
    assert result.objective == pytest.approx(1000 + 200 + 3.0 * 2 * 2.0 * 15)


def test_coverage_forces_the_nearer_station() -> None:
    doc = _base(
        sites=[{"id": "A", "emergency_calls": 10.0, "planned_visits": 0.0, "planned_hours": 0.0}],
        stations=[
            {"id": "FAR", "fixed_cost": 10.0, "max_technicians": 5},
            {"id": "NEAR", "fixed_cost": 500.0, "max_technicians": 5},
        ],
        travel_hours={"FAR": {"A": 3.0}, "NEAR": {"A": 0.5}},
    )
    free = solve_technicians(TechniciansProblem.model_validate(doc))
    assert [s.id for s in free.stations] == ["FAR"]
    doc["emergency"] = {"onsite_hours": 1.0, "coverage_target": 0.9, "job_hours": 0.0}
    held = solve_technicians(TechniciansProblem.model_validate(doc))
    assert [s.id for s in held.stations] == ["NEAR"]
    assert held.coverage == 1.0


def test_coverage_out_of_reach_is_infeasible_with_the_best_share() -> None:
    doc = _base(
        emergency={"onsite_hours": 1.0, "coverage_target": 0.9, "job_hours": 0.0},
        sites=[
            {"id": "A", "emergency_calls": 30.0, "planned_visits": 0.0, "planned_hours": 0.0},
            {"id": "B", "emergency_calls": 70.0, "planned_visits": 0.0, "planned_hours": 0.0},
        ],
        travel_hours={"D1": {"A": 0.5, "B": 2.0}},
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.status == "infeasible"
    assert "0.3" in result.reason


def test_max_open_stations_limits_coverage() -> None:
    doc = _base(
        emergency={"onsite_hours": 1.0, "coverage_target": 0.9, "job_hours": 0.0},
        sites=[
            {"id": "A", "emergency_calls": 40.0, "planned_visits": 0.0, "planned_hours": 0.0},
            {"id": "B", "emergency_calls": 60.0, "planned_visits": 0.0, "planned_hours": 0.0},
        ],
        stations=[
            {"id": "D1", "fixed_cost": 0.0, "max_technicians": 10},
            {"id": "D2", "fixed_cost": 0.0, "max_technicians": 10},
        ],
        travel_hours={"D1": {"A": 0.5, "B": 2.0}, "D2": {"A": 2.0, "B": 0.5}},
        max_open_stations=1,
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.status == "infeasible"
    assert "0.6" in result.reason
    doc["max_open_stations"] = 2
    assert solve_technicians(TechniciansProblem.model_validate(doc)).status == "optimal"


def test_dispatch_staffing_matches_the_erlang_check_values() -> None:
    # 1200 calls a year, 8 h per call, 24/7: c = 2 gives P(W <= 4 h) 0.7532, c = 3 gives 0.9562.
    # 1752 productive hours = 0.2 of 8760, so c on duty needs 5 c employed.
    doc = _base(
        technician={"annual_cost": 100.0, "productive_hours": 1752.0},
        sites=[{"id": "A", "emergency_calls": 1200.0, "planned_visits": 0.0, "planned_hours": 0.0}],
        dispatch={"within_hours": 4.0, "service_level": 0.75, "mean_call_hours": 8.0},
        stations=[{"id": "D1", "fixed_cost": 0.0, "max_technicians": 30}],
    )
    assert solve_technicians(TechniciansProblem.model_validate(doc)).stations[0].technicians == 10
    doc["dispatch"] = {"within_hours": 4.0, "service_level": 0.95, "mean_call_hours": 8.0}
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.stations[0].technicians == 15
    assert result.dispatch_levels == {"D1": 3}
    doc["dispatch"] = {"within_hours": 4.0, "service_level": 0.96, "mean_call_hours": 8.0}
    assert solve_technicians(TechniciansProblem.model_validate(doc)).stations[0].technicians == 20
    doc["stations"] = [{"id": "D1", "fixed_cost": 0.0, "max_technicians": 19}]
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.status == "infeasible"
    assert "'A'" in result.reason


def test_a_station_without_calls_needs_no_dispatch_staff() -> None:
    doc = _base(
        sites=[{"id": "A", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 10.0}],
        dispatch={"within_hours": 1.0, "service_level": 0.9, "mean_call_hours": 8.0},
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.stations[0].technicians == 1
    assert result.dispatch_levels == {"D1": 0}


def test_total_workload_beyond_all_capacity_is_infeasible() -> None:
    doc = _base(
        sites=[
            {"id": "A", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 600.0},
            {"id": "B", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 600.0},
        ],
        stations=[{"id": "D1", "fixed_cost": 0.0, "max_technicians": 1}],
        travel_hours={"D1": {"A": 1.0, "B": 1.0}},
    )
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.status == "infeasible"
    assert "workload" in result.reason or "D1" in result.reason


def test_unreachable_site_is_an_error_naming_it() -> None:
    doc = _base(
        sites=[
            {"id": "A", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 1.0},
            {"id": "LOST", "emergency_calls": 0.0, "planned_visits": 0.0, "planned_hours": 1.0},
        ],
    )
    with pytest.raises(UnreachableSitesError, match="LOST"):
        solve_technicians(TechniciansProblem.model_validate(doc))


def test_junctions_and_last_listed_edge() -> None:
    doc = _base(travel_hours=None)
    del doc["travel_hours"]
    doc["travel_cost_per_hour"] = 1.0
    doc["sites"] = [
        {"id": "A", "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0}
    ]
    doc["edges"] = [
        {"from": "D1", "to": "J", "hours": 1.0},
        {"from": "J", "to": "A", "hours": 5.0},
        {"from": "A", "to": "J", "hours": 0.5},
    ]
    result = solve_technicians(TechniciansProblem.model_validate(doc))
    assert result.objective == pytest.approx(1000 + 100 + 2 * 1.5)


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(), st.sampled_from([0.0, 0.3, 0.6, 0.9]))
def test_raising_the_coverage_target_never_lowers_cost(doc: dict, low: float) -> None:
    problem = TechniciansProblem.model_validate(doc)
    try:
        points = technicians_frontier(problem, [low, min(1.0, low + 0.1), 1.0])
    except UnreachableSitesError:
        return
    costs = [p.cost for p in points]
    for a, b in itertools.pairwise(costs):
        if a is None:
            assert b is None
        elif b is not None:
            assert b >= a - 1e-6 * max(1.0, abs(a))
    for p in points:
        expected = brute_force(
            {**doc, "emergency": {**doc["emergency"], "coverage_target": p.coverage_target}}
        )
        assert (p.cost is None) == (expected is None)
        if expected is not None:
            assert p.status == "optimal" and p.cost == pytest.approx(expected, rel=1e-7, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(), st.sampled_from([0.0, 30_000.0]), st.integers(0, 8))
def test_adding_a_station_never_raises_cost(doc: dict, fixed: float, cap: int) -> None:
    try:
        before = solve_technicians(TechniciansProblem.model_validate(doc))
    except UnreachableSitesError:
        return
    extra = {"id": "NEW", "fixed_cost": fixed, "max_technicians": cap}
    doc2 = {**doc, "stations": [*doc["stations"], extra]}
    if "travel_hours" in doc:
        doc2["travel_hours"] = {
            **doc["travel_hours"],
            "NEW": {s["id"]: 0.5 for s in doc["sites"][::2]},
        }
    else:
        doc2["edges"] = [*doc["edges"], {"from": "NEW", "to": doc["sites"][0]["id"], "hours": 0.25}]
    after = solve_technicians(TechniciansProblem.model_validate(doc2))
    if before.status == "optimal":
        assert after.status == "optimal"
        assert after.objective <= before.objective + 1e-6 * max(1.0, before.objective)


def test_frontier_reuses_plans_and_is_monotone() -> None:
    doc = _base(
        emergency={"onsite_hours": 1.0, "coverage_target": 0.0, "job_hours": 0.0},
        sites=[
            {"id": "A", "emergency_calls": 40.0, "planned_visits": 0.0, "planned_hours": 0.0},
            {"id": "B", "emergency_calls": 60.0, "planned_visits": 0.0, "planned_hours": 0.0},
        ],
        stations=[
            {"id": "D1", "fixed_cost": 100.0, "max_technicians": 10},
            {"id": "D2", "fixed_cost": 100.0, "max_technicians": 10},
        ],
        travel_hours={"D1": {"A": 0.5, "B": 2.0}, "D2": {"A": 2.0, "B": 0.5}},
        travel_cost_per_hour=1.0,
    )
    points = technicians_frontier(
        TechniciansProblem.model_validate(doc), [0.0, 0.5, 1.0], onsite_hours=[1.0, 3.0]
    )
    assert [(p.onsite_hours, p.coverage_target) for p in points] == [
        (1.0, 0.0),
        (1.0, 0.5),
        (1.0, 1.0),
        (3.0, 0.0),
        (3.0, 0.5),
        (3.0, 1.0),
    ]
    assert all(p.status == "optimal" for p in points)
    one = {p.coverage_target: p for p in points if p.onsite_hours == 1.0}
    assert len(one[0.0].stations) == 1 and len(one[1.0].stations) == 2
    assert one[1.0].coverage == 1.0
    assert all(len(p.stations) == 1 for p in points if p.onsite_hours == 3.0)
