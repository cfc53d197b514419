"""Road links of a region: as listed, or derived from coordinates by the region's road rule.

The rule (:class:`planner.models.profiles.RoadRule`): every pair of nodes
(demand sites and candidate stations) whose great-circle distance is at most
``max_link_km`` gets a link of ``distance × detour_factor / speed_kmh``
hours. Shortest paths over these links give travel times, so cities further
apart than one link connect through others. Two nodes in the same city (a
site and its station) are joined by a 0-hour link. Travel times over these
links are computed where the optimiser needs them
(:func:`planner.optimise.network.travel_matrix`).
"""

from __future__ import annotations

import math
from itertools import combinations

import networkx as nx

from planner.models.profiles import Region, RoadLink

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_links(region: Region) -> list[RoadLink]:
    """The region's road links: its own list, or those its road rule derives."""
    if region.roads is not None:
        return list(region.roads)
    rule = region.road_rule
    nodes = [(s.id, s.lat, s.lon) for s in region.sites] + [
        (s.id, s.lat, s.lon) for s in region.stations
    ]
    links = []
    for (a, lat1, lon1), (b, lat2, lon2) in combinations(nodes, 2):
        km = great_circle_km(lat1, lon1, lat2, lon2)
        if km <= rule.max_link_km:
            links.append(RoadLink(from_=a, to=b, hours=km * rule.detour_factor / rule.speed_kmh))
    return links


def unreachable_sites(region: Region) -> list[str]:
    """Sites that no candidate station reaches over the region's roads."""
    graph = nx.Graph()
    graph.add_nodes_from(s.id for s in region.sites)
    graph.add_nodes_from(s.id for s in region.stations)
    graph.add_edges_from((link.from_, link.to) for link in road_links(region))
    reached = set().union(*(nx.node_connected_component(graph, s.id) for s in region.stations))
    return [s.id for s in region.sites if s.id not in reached]
