"""Scenario files: validation, overrides by dotted path, targets, pooled stations, one parts
problem. Every expectation is traced to the profiles by hand or to an independent solve."""

from __future__ import annotations

import json

import pytest

from planner import actions
from planner.models.status import Status
from planner.plugins import load_plugins
from planner.problems import pooled_technicians_problem, spares_problem, technicians_problem
from planner.profiles import ProfileError
from planner.scenario import (
    bundled_scenarios,
    default_regions,
    default_strategy,
    load_scenario,
    plan_product,
    portfolio_spares_problem,
    product_profile,
)
from planner.strategy import derive_posture


@pytest.fixture(scope="module")
def host():
    return load_plugins(entry_points=False)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'kind = "scenario"\nname = "t"\nproducts = ["excavator"]\n'


# ---------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('kind = "scenario"\nname = "t"\nproducts = ["nope"]\n', "products[0]: unknown product"),
        ('kind = "scenario"\nname = "t"\nproducts = []\n', "products: "),
        (BASE + "only_regions = ['mars']\n", "only_regions[0]: unknown region (got 'mars'"),
        (BASE + "[targets.budget]\nservice = -1.0\n", "targets.budget.service"),
        (BASE + "[targets.classes.core]\ncoverage = 1.5\n", "targets.classes.core.coverage"),
        (BASE + "[targets.classes.capital]\ncoverage = 0.5\n", "targets.classes.capital"),
        (BASE + "[simulation]\nreplications = 1\n", "simulation.replications"),
        (BASE + "[solver]\nspares_seconds = 0\n", "solver.spares_seconds"),
        (BASE + "colour = 'red'\n", "colour: unknown field"),
        (BASE + '[overrides]\n"fleet.size" = 3\n', "overrides.fleet.size: a path starts with"),
        (
            BASE + '[overrides]\n"regions.mars.technician.annual_cost" = 3\n',
            "overrides.regions.mars.technician.annual_cost: no item with id 'mars'",
        ),
        (
            BASE + '[overrides]\n"regions.east.technician.annual_cost" = -3\n',
            "overrides.regions.east.technician.annual_cost: regions[0].technician.annual_cost",
        ),
        (
            BASE + '[overrides]\n"products.crawler_crane.annual_usage" = 3\n',
            "not a product of the scenario (got 'crawler_crane'",
        ),
        (
            BASE + '[overrides]\n"strategy.targets.colour" = 3\n',
            "overrides.strategy.targets.colour: targets.colour: unknown field",
        ),
        (BASE + 'regions = "missing.toml"\n', "regions: no such file (got 'missing.toml')"),
        ("", "file is empty"),
        ('kind = "regions"\nname = "x"\n', 'kind: a scenario file says kind = "scenario"'),
    ],
)
def test_a_bad_scenario_names_file_field_and_value(tmp_path, host, text, expected):
    path = write(tmp_path, "s.toml", text)
    with pytest.raises(ProfileError) as caught:
        load_scenario(path, host=host)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert expected in message, message


def test_yaml_with_python_tags_is_refused_unrun(tmp_path, host):
    path = write(
        tmp_path,
        "s.yaml",
        "kind: scenario\nname: t\nproducts: [excavator]\n"
        "description: !!python/object/apply:os.system ['echo hacked > hacked.txt']\n",
    )
    with pytest.raises(ProfileError, match="unsafe YAML"):
        load_scenario(path, host=host)
    assert not (tmp_path / "hacked.txt").exists()


def test_json_and_yaml_scenarios_read_like_toml(tmp_path, host):
    data = {"kind": "scenario", "name": "t", "products": ["excavator"]}
    from_json = load_scenario(write(tmp_path, "s.json", json.dumps(data)), host=host)
    from_yaml = load_scenario(
        write(tmp_path, "s.yaml", "kind: scenario\nname: t\nproducts: [excavator]\n"), host=host
    )
    assert from_json.scenario == from_yaml.scenario


# ---------------------------------------------------------------------------- overrides


def test_overrides_change_the_named_values_only(tmp_path, host):
    path = write(
        tmp_path,
        "s.toml",
        BASE
        + "[overrides]\n"
        + '"regions.east.technician.annual_cost" = 123456.0\n'
        + '"regions.east.stations.D-shanghai.fixed_cost" = 1.0\n'
        + '"products.excavator.annual_usage" = 1000.0\n'
        + '"strategy.targets.coverage" = 0.8\n',
    )
    loaded = load_scenario(path, host=host)
    before = default_regions()
    east = loaded.regions.region("east")
    assert east.technician.annual_cost == 123456.0
    assert next(s for s in east.stations if s.id == "D-shanghai").fixed_cost == 1.0
    others = [s for s in east.stations if s.id != "D-shanghai"]
    assert others == [s for s in before.region("east").stations if s.id != "D-shanghai"]
    assert loaded.regions.region("south") == before.region("south")
    assert loaded.products["excavator"].annual_usage == 1000.0
    assert loaded.strategy.targets.coverage == 0.8
    assert loaded.strategy.targets.fill_rate == default_strategy().targets.fill_rate


def test_targets_per_market_class_reach_every_region_of_the_class(tmp_path, host):
    path = write(
        tmp_path,
        "s.toml",
        BASE
        + "[targets]\ndispatch_level = 0.7\n"
        + "[targets.classes.core]\ncoverage = 0.8\nonsite_hours = 6.0\navailability = 0.99\n"
        + "[targets.budget]\nspares = 5.0\n",
    )
    loaded = load_scenario(path, host=host)
    product = loaded.products["excavator"]
    for region in loaded.regions.regions:
        posture = derive_posture(loaded.strategy, region, product)
        base = derive_posture(default_strategy(), default_regions().region(region.id), product)
        assert posture.emergency.dispatch_service_level == 0.7
        if region.market_class == "core":
            assert posture.emergency.coverage_target == 0.8
            assert posture.emergency.onsite_hours == 6.0
            assert posture.availability_target == 0.99
        else:
            assert posture.emergency.coverage_target == base.emergency.coverage_target
            assert posture.emergency.onsite_hours == base.emergency.onsite_hours
            assert posture.availability_target == base.availability_target
    assert loaded.strategy.budget.spares == 5.0
    assert loaded.strategy.budget.service == default_strategy().budget.service


def test_every_bundled_scenario_loads_and_they_differ(host):
    found = bundled_scenarios()
    assert len(found) >= 4
    loaded = [load_scenario(s["path"], host=host) for s in found]
    assert len({s.scenario.name for s in loaded}) == len(loaded)
    single = [s for s in loaded if len(s.scenario.products) == 1]
    assert len({s.scenario.products for s in single}) == 1 and len(single) >= 3
    assert len({s.scenario.targets.model_dump_json() for s in single}) == len(single)
    assert any(len(s.scenario.products) == 3 for s in loaded)


# ---------------------------------------------------------------------------- pooling


def test_a_pooled_station_problem_adds_the_products_up(host):
    regions, strategy = default_regions(), default_strategy()
    east = regions.region("east")
    pairs = []
    for product_id in ("concrete_pump", "excavator"):
        report = plan_product(host, product_profile(host, product_id), regions, strategy, ["east"])
        pairs.append((report.regions[0].plan, report.regions[0].demand))
    pooled = pooled_technicians_problem(pairs, east)
    alone = [technicians_problem(plan, demand, east) for plan, demand in pairs]
    for k, site in enumerate(pooled.sites):
        assert site.id == alone[0].sites[k].id == alone[1].sites[k].id
        for name in ("emergency_calls", "planned_visits", "planned_hours"):
            expected = sum(getattr(a.sites[k], name) for a in alone)
            assert getattr(site, name) == pytest.approx(expected)
    calls = [d.emergency_calls for _, d in pairs]
    hours = [d.emergency_hours for _, d in pairs]
    assert pooled.emergency.job_hours == pytest.approx(sum(hours) / sum(calls))
    # the same region, the same posture: the promises are the region's
    assert pooled.emergency == alone[0].emergency.model_copy(
        update={"job_hours": pooled.emergency.job_hours}
    )
    assert pooled.stations == alone[0].stations and pooled.edges == alone[0].edges


def test_pooled_technicians_cost_no_more_than_separate_networks(host):
    """Pooling is a relaxation of running a network per product: never dearer."""
    regions, strategy = default_regions(), default_strategy()
    region = regions.region("northeast")
    pairs = []
    for product_id in ("crawler_crane", "excavator"):
        report = plan_product(
            host, product_profile(host, product_id), regions, strategy, ["northeast"]
        )
        pairs.append((report.regions[0].plan, report.regions[0].demand))
    pooled = actions.optimise_technicians(pooled_technicians_problem(pairs, region))
    separate = [
        actions.optimise_technicians(technicians_problem(plan, demand, region))
        for plan, demand in pairs
    ]
    assert pooled.status == Status.OPTIMAL and all(s.status == Status.OPTIMAL for s in separate)
    assert pooled.objective <= sum(s.objective for s in separate) + 1e-6


def test_one_parts_problem_holds_every_products_parts_and_decomposes_exactly(host):
    regions, strategy = default_regions(), default_strategy()
    problems = {}
    for product_id in ("crawler_crane", "excavator"):
        profile = product_profile(host, product_id)
        report = plan_product(host, profile, regions, strategy)
        problems[product_id] = spares_problem(profile, report, regions, strategy)
    merged = portfolio_spares_problem(problems, "portfolio")
    assert len(merged.parts) == sum(len(p.parts) for p in problems.values())
    assert {p.id for p in merged.parts} == {
        f"{pid}/{part.id}" for pid, problem in problems.items() for part in problem.parts
    }
    assert sum(merged.installed_base.values()) == sum(
        sum(p.installed_base.values()) for p in problems.values()
    )
    whole = actions.optimise_spares(merged, time_limit=60)
    alone = [actions.optimise_spares(p, time_limit=60) for p in problems.values()]
    assert whole.status == Status.OPTIMAL and all(a.status == Status.OPTIMAL for a in alone)
    # a part serves only its own product's machines: the optimum is the products' sum
    assert whole.investment == pytest.approx(sum(a.investment for a in alone), rel=1e-9)
    # (several stock plans may share the optimum: each meets its own depot's target)
    for depot, target in merged.objective.target_availability.items():
        assert whole.availability[depot] >= target - 1e-12
    assert len(whole.availability) == sum(len(a.availability) for a in alone)
