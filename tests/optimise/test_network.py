"""Travel matrices from road graphs and from given matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planner.models.technicians import TechniciansProblem
from planner.optimise.network import (
    UnreachableSitesError,
    road_graph,
    travel_matrix,
    unreachable_sites,
)


def _doc(**over: object) -> dict:
    doc = {
        "format": "technicians/v1",
        "service_hours_per_year": 8760.0,
        "travel_cost_per_hour": 1.0,
        "technician": {"annual_cost": 1.0, "productive_hours": 1000.0},
        "emergency": {"onsite_hours": 1.0, "coverage_target": 0.0, "job_hours": 0.0},
        "sites": [
            {"id": s, "emergency_calls": 1.0, "planned_visits": 0.0, "planned_hours": 0.0}
            for s in ("A", "B", "C")
        ],
        "stations": [{"id": d, "fixed_cost": 0.0, "max_technicians": 1} for d in ("D1", "D2")],
    }
    doc.update(over)
    return doc


def test_shortest_paths_through_junctions() -> None:
    edges = [
        {"from": "D1", "to": "J1", "hours": 1.0},
        {"from": "J1", "to": "A", "hours": 0.5},
        {"from": "J1", "to": "B", "hours": 2.0},
        {"from": "A", "to": "B", "hours": 1.0},
        {"from": "D2", "to": "C", "hours": 0.0},
        {"from": "C", "to": "B", "hours": 4.0},
    ]
    problem = TechniciansProblem.model_validate(_doc(edges=edges))
    d = travel_matrix(problem)
    # hand-computed: D1-A 1.5, D1-B min(3, 2.5) = 2.5, D1-C 2.5 + 4; D2-C 0, D2-B 4, D2-A 5
    np.testing.assert_allclose(d, [[1.5, 2.5, 6.5], [5.0, 4.0, 0.0]])


def test_last_listing_of_a_pair_counts() -> None:
    edges = [
        {"from": "D1", "to": "A", "hours": 1.0},
        {"from": "A", "to": "D1", "hours": 7.0},
        {"from": "A", "to": "B", "hours": 1.0},
        {"from": "B", "to": "C", "hours": 1.0},
        {"from": "C", "to": "D2", "hours": 2.0},
        {"from": "C", "to": "D2", "hours": 3.0},
    ]
    problem = TechniciansProblem.model_validate(_doc(edges=edges))
    d = travel_matrix(problem)
    assert d[0, 0] == 7.0  # D1-A direct 7 (not 1); via D2 is 3 + 2 + ... longer
    assert d[1, 2] == 3.0
    assert road_graph(problem)["D1"]["A"]["hours"] == 7.0


def test_given_matrix_and_missing_pairs() -> None:
    th = {"D1": {"A": 1.0, "B": 2.0}, "D2": {"C": 0.5}}
    problem = TechniciansProblem.model_validate(_doc(travel_hours=th))
    d = travel_matrix(problem)
    assert d[0, 0] == 1.0 and d[0, 1] == 2.0 and math.isinf(d[0, 2])
    assert math.isinf(d[1, 0]) and d[1, 2] == 0.5


def test_unreachable_sites_are_named() -> None:
    th = {"D1": {"A": 1.0}, "D2": {}}
    problem = TechniciansProblem.model_validate(_doc(travel_hours=th))
    with pytest.raises(UnreachableSitesError) as info:
        travel_matrix(problem)
    assert info.value.site_ids == ["B", "C"]
    assert "'B'" in str(info.value) and isinstance(info.value, ValueError)
    d = travel_matrix(problem, check=False)
    assert unreachable_sites(problem, d) == ["B", "C"]


def test_disconnected_graph() -> None:
    edges = [{"from": "D1", "to": "A", "hours": 1.0}, {"from": "B", "to": "C", "hours": 1.0}]
    problem = TechniciansProblem.model_validate(_doc(edges=edges))
    with pytest.raises(UnreachableSitesError, match="'B', 'C'"):
        travel_matrix(problem)


def test_travel_matrix_matches_networkx_on_random_graphs():
    """The compiled Dijkstra against networkx's, with junctions, 0-hour and repeated edges."""
    import math
    import random

    import networkx as nx

    from planner.models.technicians import TechniciansProblem
    from planner.optimise.network import travel_matrix

    rng = random.Random(11)
    for _ in range(40):
        n_sites, n_stations, n_junctions = rng.randint(1, 8), rng.randint(1, 4), rng.randint(0, 4)
        sites = [f"s{i}" for i in range(n_sites)]
        stations = [f"d{j}" for j in range(n_stations)]
        nodes = sites + stations + [f"x{k}" for k in range(n_junctions)]
        edges = [
            {
                "from": rng.choice(nodes),
                "to": rng.choice(nodes),
                "hours": rng.choice([0.0, rng.uniform(0, 5)]),
            }
            for _ in range(rng.randint(0, 20))
        ]
        problem = TechniciansProblem.model_validate(
            {
                "service_hours_per_year": 8760,
                "travel_cost_per_hour": 0,
                "technician": {"annual_cost": 0, "productive_hours": 1},
                "emergency": {"onsite_hours": 1, "coverage_target": 0, "job_hours": 0},
                "sites": [
                    {"id": s, "emergency_calls": 0, "planned_visits": 0, "planned_hours": 0}
                    for s in sites
                ],
                "stations": [{"id": s, "fixed_cost": 0, "max_technicians": 1} for s in stations],
                "edges": edges,
            }
        )
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        for e in edges:  # the last listing of a pair counts
            if e["from"] != e["to"]:
                graph.add_edge(e["from"], e["to"], hours=e["hours"])
        d = travel_matrix(problem, check=False)
        for j, station in enumerate(stations):
            lengths = nx.single_source_dijkstra_path_length(graph, station, weight="hours")
            for i, site in enumerate(sites):
                want = lengths.get(site, math.inf)
                assert (
                    d[j, i] == pytest.approx(want) if math.isfinite(want) else math.isinf(d[j, i])
                )
