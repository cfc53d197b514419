"""Road links of a region: as listed, or derived from coordinates by the region's road rule.

The rule (:class:`planner.models.profiles.RoadRule`): every pair of nodes
(demand sites and candidate stations) whose great-circle distance is at most
``max_link_km`` gets a link of ``distance × detour_factor / speed_kmh``
hours. Shortest paths over these links give travel times, so cities further
apart than one link connect through others. Travel times over these links are
computed where the optimiser needs them
(:func:`planner.optimise.network.travel_matrix`).

Local travel. A site's coordinates are its city centre, but its machines work on
the outskirts, in quarries and on building sites around it. So the links above
(derived or listed) end at the site's *centre*, a junction named
``<site id>.centre``, and a *local leg* joins the centre to the site: with the
machines spread evenly over a disc of radius ``R`` (the site's
``urban_radius_km``, else the road rule's) their mean distance from the centre is
``2R/3``, driven at the rule's ``urban_speed_kmh`` with its detour factor, so the
leg takes ``(2R/3) × detour_factor / urban_speed_kmh`` hours (0.72 h with the
defaults R = 25 km, 1.3 and 30 km/h). Every site is therefore reached in more than
zero hours, also from a station in the same city.
"""

from __future__ import annotations

import math
from itertools import combinations

import networkx as nx

from planner.models.profiles import DemandSite, Region, RoadLink

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def local_leg_hours(region: Region, site: DemandSite) -> float:
    """Hours from a site's city centre to its machines (the module's local-travel rule)."""
    rule = region.road_rule
    radius = site.urban_radius_km if site.urban_radius_km is not None else rule.urban_radius_km
    return (2.0 * radius / 3.0) * rule.detour_factor / rule.urban_speed_kmh


def centre_of(site_id: str) -> str:
    """The junction at a site's city centre, where its road links end."""
    return f"{site_id}.centre"


def road_links(region: Region) -> list[RoadLink]:
    """The region's road links (its own list, or those its road rule derives), ending at
    the sites' centres, and each site's local leg."""
    centre = {s.id: centre_of(s.id) for s in region.sites}
    if region.roads is not None:
        links = [
            RoadLink(
                from_=centre.get(link.from_, link.from_),
                to=centre.get(link.to, link.to),
                hours=link.hours,
            )
            for link in region.roads
        ]
    else:
        rule = region.road_rule
        nodes = [(centre[s.id], s.lat, s.lon) for s in region.sites] + [
            (s.id, s.lat, s.lon) for s in region.stations
        ]
        links = []
        for (a, lat1, lon1), (b, lat2, lon2) in combinations(nodes, 2):
            km = great_circle_km(lat1, lon1, lat2, lon2)
            if km <= rule.max_link_km:
                links.append(
                    RoadLink(from_=a, to=b, hours=km * rule.detour_factor / rule.speed_kmh)
                )
    links += [
        RoadLink(from_=centre[s.id], to=s.id, hours=local_leg_hours(region, s))
        for s in region.sites
    ]
    return links


def unreachable_sites(region: Region) -> list[str]:
    """Sites that no candidate station reaches over the region's roads."""
    graph = nx.Graph()
    graph.add_nodes_from(s.id for s in region.sites)
    graph.add_nodes_from(s.id for s in region.stations)
    graph.add_nodes_from(centre_of(s.id) for s in region.sites)
    graph.add_edges_from((link.from_, link.to) for link in road_links(region))
    reached = set().union(*(nx.node_connected_component(graph, s.id) for s in region.stations))
    return [s.id for s in region.sites if s.id not in reached]
