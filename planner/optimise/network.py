"""Travel times from candidate stations to sites for ``technicians/v1`` problems.

All times are in hours. The result is a matrix ``d[station, site]`` in the
problem's order of stations and sites, ``inf`` where a station cannot reach a site.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from planner.models.technicians import TechniciansProblem

__all__ = ["UnreachableSitesError", "road_graph", "travel_matrix", "unreachable_sites"]


class UnreachableSitesError(ValueError):
    """Some sites cannot be reached from any candidate station; ``site_ids`` names them."""

    def __init__(self, site_ids: list[str]) -> None:
        self.site_ids = list(site_ids)
        shown = ", ".join(repr(s) for s in self.site_ids[:10])
        more = f" and {len(self.site_ids) - 10} more" if len(self.site_ids) > 10 else ""
        super().__init__(f"no station reaches site(s) {shown}{more}")


def road_graph(problem: TechniciansProblem) -> nx.Graph:
    """The undirected road graph of ``problem.edges`` (edge attribute ``hours``).

    Where the same pair of nodes is listed more than once the last listing counts.
    """
    graph = nx.Graph()
    graph.add_nodes_from(s.id for s in problem.sites)
    graph.add_nodes_from(s.id for s in problem.stations)
    for edge in problem.edges or ():
        graph.add_edge(edge.from_, edge.to, hours=edge.hours)
    return graph


def travel_matrix(problem: TechniciansProblem, *, check: bool = True) -> np.ndarray:
    """Shortest travel hours ``d[j, i]`` from station ``j`` to site ``i`` (``inf`` if unreachable).

    With ``edges``: one Dijkstra per candidate station over the road graph (scipy's
    compiled ``csgraph.dijkstra`` with ``indices=`` the stations, on the same graph
    :func:`road_graph` builds: the last listing of a pair counts, 0-hour links kept).
    With ``travel_hours``: the matrix as given, pairs left out unreachable.
    Raises :class:`UnreachableSitesError` when ``check`` and some site has no station.
    """
    site_index = {s.id: i for i, s in enumerate(problem.sites)}
    d = np.full((len(problem.stations), len(problem.sites)), math.inf)
    if problem.travel_hours is not None:
        for j, station in enumerate(problem.stations):
            for site_id, hours in problem.travel_hours.get(station.id, {}).items():
                d[j, site_index[site_id]] = hours
    else:
        d = _dijkstra_from_stations(problem)
    if check:
        missing = unreachable_sites(problem, d)
        if missing:
            raise UnreachableSitesError(missing)
    return d


def _dijkstra_from_stations(problem: TechniciansProblem) -> np.ndarray:
    nodes: dict[str, int] = {}
    for item in (*problem.sites, *problem.stations):
        nodes.setdefault(item.id, len(nodes))
    links: dict[tuple[int, int], float] = {}
    for edge in problem.edges or ():
        a = nodes.setdefault(edge.from_, len(nodes))
        b = nodes.setdefault(edge.to, len(nodes))
        if a != b:
            links[(min(a, b), max(a, b))] = edge.hours  # the last listing counts
    size = len(nodes)
    if links:
        (rows, cols), hours = zip(*links.keys(), strict=True), list(links.values())
        graph = csr_array((np.asarray(hours, dtype=float), (rows, cols)), shape=(size, size))
    else:
        graph = csr_array((size, size), dtype=float)
    stations = [nodes[s.id] for s in problem.stations]
    sites = [nodes[s.id] for s in problem.sites]
    dist = dijkstra(graph, directed=False, indices=stations)
    return np.asarray(dist, dtype=float).reshape(len(stations), size)[:, sites]


def unreachable_sites(problem: TechniciansProblem, d: np.ndarray) -> list[str]:
    """Ids of the sites that no station reaches in the travel matrix ``d``."""
    reached = np.isfinite(d).any(axis=0)
    return [site.id for site, ok in zip(problem.sites, reached, strict=True) if not ok]
