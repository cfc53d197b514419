"""Road links derived from coordinates, and travel times over them."""

from __future__ import annotations

import math

import pytest

from planner.models.profiles import Region
from planner.models.technicians import TechniciansProblem
from planner.optimise.network import travel_matrix
from planner.roads import centre_of, great_circle_km, local_leg_hours, road_links, unreachable_sites
from planner.scenario import default_regions


def travel_hours(region: Region) -> dict[str, dict[str, float]]:
    """Hours from each station to each site it reaches, over the region's road links."""
    problem = TechniciansProblem.model_validate(
        {
            "service_hours_per_year": 8760,
            "travel_cost_per_hour": 0,
            "technician": {"annual_cost": 0, "productive_hours": 1},
            "emergency": {"onsite_hours": 1, "coverage_target": 0, "job_hours": 0},
            "sites": [
                {"id": s.id, "emergency_calls": 0, "planned_visits": 0, "planned_hours": 0}
                for s in region.sites
            ],
            "stations": [
                {"id": s.id, "fixed_cost": 0, "max_technicians": 1} for s in region.stations
            ],
            "edges": [{"from": e.from_, "to": e.to, "hours": e.hours} for e in road_links(region)],
        }
    )
    d = travel_matrix(problem, check=False)
    return {
        st.id: {s.id: d[j, i] for i, s in enumerate(problem.sites) if math.isfinite(d[j, i])}
        for j, st in enumerate(problem.stations)
    }


def cosine_law_km(lat1, lon1, lat2, lon2):
    """An independent formula: the spherical law of cosines."""
    p1, p2, dl = map(math.radians, (lat1, lat2, lon2 - lon1))
    return 6371.0088 * math.acos(
        math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ((31.23, 121.47), (39.90, 116.41)),
        ((28.23, 112.94), (43.83, 87.62)),
        ((29.65, 91.12), (22.54, 114.06)),
    ],
)
def test_great_circle_matches_the_law_of_cosines(a, b):
    assert great_circle_km(*a, *b) == pytest.approx(cosine_law_km(*a, *b), rel=1e-9)


def test_shanghai_beijing_distance():
    # Great-circle distance between the two city centres is about 1 067 km.
    assert great_circle_km(31.23, 121.47, 39.90, 116.41) == pytest.approx(1067, abs=5)


def test_rule_links_and_hours(tiny_regions):
    region = Region.model_validate(
        dict(
            tiny_regions["regions"][0],
            road_rule={"speed_kmh": 50, "detour_factor": 1.2, "max_link_km": 200},
        )
    )
    links = {(link.from_, link.to): link.hours for link in road_links(region)}
    km = great_circle_km(28.23, 112.94, 29.36, 113.13)  # Changsha - Yueyang, ~127 km
    assert links[("S-CS.centre", "S-YY.centre")] == pytest.approx(km * 1.2 / 50)
    assert links[("S-CS.centre", "D-CS")] == 0.0  # same city centre
    # local leg: mean distance 2R/3 of a disc of R = 25 km, detour 1.2, 30 km/h
    leg = (2 * 25 / 3) * 1.2 / 30
    assert links[("S-CS.centre", "S-CS")] == pytest.approx(leg)
    hours = travel_hours(region)
    assert hours["D-CS"] == pytest.approx({"S-CS": leg, "S-YY": km * 1.2 / 50 + leg})


def test_local_leg_follows_the_site_radius(tiny_regions):
    data = dict(
        tiny_regions["regions"][0],
        road_rule={"urban_radius_km": 30, "urban_speed_kmh": 40, "detour_factor": 1.5},
    )
    data["sites"] = [dict(data["sites"][0], urban_radius_km=12), data["sites"][1]]
    region = Region.model_validate(data)
    cs, yy = region.sites
    assert local_leg_hours(region, cs) == pytest.approx(8 * 1.5 / 40)
    assert local_leg_hours(region, yy) == pytest.approx(20 * 1.5 / 40)
    assert centre_of("S-CS") == "S-CS.centre"


def test_a_station_may_not_take_a_centre_junction_id(tiny_regions):
    data = dict(tiny_regions["regions"][0])
    data["stations"] = [dict(data["stations"][0], id="S-CS.centre")]
    with pytest.raises(ValueError, match="centre junctions"):
        Region.model_validate(data)


def test_far_site_connects_through_another(tiny_regions):
    data = dict(tiny_regions["regions"][0], road_rule={"max_link_km": 100})
    region = Region.model_validate(data)
    assert unreachable_sites(region) == ["S-YY"]  # 127 km, longer than one link
    data["sites"] = [
        *data["sites"][:1],
        dict(data["sites"][1], share=0.2),
        {"id": "S-MID", "city": "Miluo", "lat": 28.80, "lon": 113.08, "share": 0.05},
    ]
    region = Region.model_validate(data)
    assert unreachable_sites(region) == []
    hours = travel_hours(region)["D-CS"]
    via = great_circle_km(28.23, 112.94, 28.80, 113.08) + great_circle_km(
        28.80, 113.08, 29.36, 113.13
    )
    # Changsha → Miluo → Yueyang through the centres (not through Miluo's local leg)
    leg = (2 * 25 / 3) * 1.3 / 30
    assert hours["S-YY"] == pytest.approx(via * 1.3 / 60 + leg)


def test_listed_roads_are_used_as_given(tiny_regions):
    data = dict(
        tiny_regions["regions"][0],
        roads=[
            {"from": "D-CS", "to": "S-CS", "hours": 0.5},
            {"from": "S-CS", "to": "S-YY", "hours": 2.0},
        ],
    )
    hours = travel_hours(Region.model_validate(data))
    leg = (2 * 25 / 3) * 1.3 / 30  # listed roads end at the centres; the local leg is added
    assert hours["D-CS"] == pytest.approx({"S-CS": 0.5 + leg, "S-YY": 2.5 + leg})


def test_every_bundled_site_reaches_a_station():
    for region in default_regions().regions:
        assert unreachable_sites(region) == [], region.id


def test_no_bundled_site_is_served_in_zero_hours():
    for region in default_regions().regions:
        hours = travel_hours(region)
        for station, reached in hours.items():
            assert min(reached.values()) > 0.5, (region.id, station)
