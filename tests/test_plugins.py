"""Plugin discovery, the facade's failure handling and the product contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from planner import hookimpl
from planner.errors import InputError
from planner.export import ExportFormat
from planner.models.profiles import ProductProfile, RegionSet, Strategy
from planner.plugins import BLOCK_ENV, BUILTIN_PLUGINS, PluginError, Register, load_plugins
from planner.products import ProductPlugin
from planner.scenario import plan_product
from planner.testing import parametrize_with_checks, product_checks

BUILTIN_PRODUCTS = {"concrete_pump", "crawler_crane", "excavator"}


def registered_products():
    return [e.cls for _, e in sorted(load_plugins(entry_points=False).products().items())]


@parametrize_with_checks(registered_products())
def test_product_contract(check):
    check()


def test_builtins_are_an_explicit_tuple_and_listed():
    host = load_plugins(entry_points=False)
    assert set(host.products()) == BUILTIN_PRODUCTS
    assert "service_planner_plugins.concrete_pump" in BUILTIN_PLUGINS
    hooks = {h["name"]: h["plugins"] for h in host.hooks()}
    assert hooks["planner_add_products"] == ["concrete_pump", "crawler_crane", "excavator"]
    assert hooks["planner_export_formats"] == ["export"]


def test_unknown_product_is_an_input_error():
    with pytest.raises(InputError, match="unknown product 'bulldozer'.*concrete_pump"):
        load_plugins(entry_points=False).product("bulldozer")


class Misspelt:
    @hookimpl
    def planner_add_product(self):  # missing the final s
        return []


def test_misspelt_hook_fails_at_start_up_naming_the_plugin():
    with pytest.raises(PluginError, match="plugin 'typo'.*planner_add_product"):
        load_plugins(entry_points=False, extra=[("typo", Misspelt())])


class WrongArgument:
    @hookimpl
    def planner_adjust_plan(self, plan, colour):
        return None


def test_hook_with_unknown_argument_fails_at_start_up():
    with pytest.raises(PluginError, match="plugin 'wrongarg'"):
        load_plugins(entry_points=False, extra=[("wrongarg", WrongArgument())])


class DuplicatePump(ProductPlugin):
    id = "concrete_pump"
    name = "Another pump"


class Duplicate:
    @hookimpl
    def planner_add_products(self):
        return [DuplicatePump]


def test_duplicate_product_ids_name_both():
    host = load_plugins(entry_points=False, extra=[("dupe", Duplicate())])
    with pytest.raises(PluginError) as info:
        host.products()
    message = str(info.value)
    assert "'concrete_pump'" in message and "'dupe'" in message and "ConcretePump" in message
    assert "DuplicatePump" in message


class DuplicateCsv:
    @hookimpl
    def planner_export_formats(self):
        return [ExportFormat("csv", ".csv", "another csv", lambda report, path: None)]


def test_duplicate_export_formats_name_both_plugins():
    host = load_plugins(entry_points=False, extra=[("csv2", DuplicateCsv())])
    with pytest.raises(
        PluginError,
        match="export format 'csv' is declared twice: by plugin 'export' and by plugin 'csv2'",
    ):
        host.export_formats()


def test_products_and_export_formats_share_one_register():
    host = load_plugins(entry_points=False)
    products, formats = host.products(), host.export_formats()
    assert isinstance(products, Register) and isinstance(formats, Register)
    assert list(formats) == ["json", "csv"]
    plugin, fmt = host.export_format("csv")
    assert (plugin, fmt.name, fmt.suffix) == ("export", "csv", ".csv")
    assert formats["csv"] == host.export_format("csv")
    with pytest.raises(
        InputError,
        match=r"unknown export format 'pdf' \(registered export formats: csv, json\)",
    ):
        host.export_format("pdf")


def test_register_refuses_a_second_owner_and_lists_known_ids():
    register = Register("widget")
    register.add("a", 1, owner="plugin 'one'")
    register.add("b", 2, owner="plugin 'two'")
    with pytest.raises(
        PluginError, match="widget 'a' is declared twice: by plugin 'one' and by plugin 'three'"
    ):
        register.add("a", 3, owner="plugin 'three'")
    assert dict(register) == {"a": 1, "b": 2} and register.lookup("b") == 2
    with pytest.raises(InputError, match=r"unknown widget 'c' \(registered widgets: a, b\)"):
        register.lookup("c")
    with pytest.raises(InputError, match=r"registered widgets: none"):
        Register("widget").lookup("c")


def test_export_format_is_still_importable_from_products():
    from planner import products

    assert products.ExportFormat is ExportFormat


class NotAProduct:
    @hookimpl
    def planner_add_products(self):
        return [dict]


def test_non_product_class_is_rejected():
    host = load_plugins(entry_points=False, extra=[("odd", NotAProduct())])
    with pytest.raises(PluginError, match="plugin 'odd'.*not a subclass"):
        host.products()


class Broken:
    @hookimpl
    def planner_add_products(self):
        raise RuntimeError("database down")

    @hookimpl
    def planner_adjust_plan(self, plan):
        raise ValueError("cannot adjust")

    @hookimpl
    def planner_scorecards(self, report):
        raise KeyError("nope")


class Noting:
    @hookimpl
    def planner_adjust_plan(self, plan, region):
        return plan.model_copy(update={"notes": (*plan.notes, f"checked {region.id}")})


def test_failing_plugin_is_reported_and_the_others_still_run(
    tiny_product, tiny_regions, tiny_strategy
):
    host = load_plugins(entry_points=False, extra=[("broken", Broken()), ("noting", Noting())])
    assert set(host.products()) == BUILTIN_PRODUCTS
    report = plan_product(
        host,
        ProductProfile.model_validate(tiny_product),
        RegionSet.model_validate(tiny_regions),
        Strategy.model_validate(tiny_strategy),
    )
    assert [rp.plan.notes for rp in report.regions] == [("checked R1",), ("checked R2",)]
    assert {card.name for card in report.scorecards} >= {"Service budget"}
    failed_hooks = [p for p in report.problems if p.startswith("plugin 'broken'")]
    assert any("planner_add_products" in p and "database down" in p for p in failed_hooks)
    assert sum("planner_adjust_plan" in p for p in failed_hooks) == 2  # once per region
    assert any("planner_scorecards" in p for p in failed_hooks)


class Exploding(ProductPlugin):
    id = "concrete_pump"
    name = "Exploding pump"
    profile_resource = "concrete_pump.toml"

    def build_plan(self, ctx):
        raise ZeroDivisionError("bad maths")


def test_product_class_failure_names_the_plugin(tiny_product, tiny_regions, tiny_strategy):
    class Only:
        @hookimpl
        def planner_add_products(self):
            return [Exploding]

    host = load_plugins(entry_points=False)
    host.pm.unregister(name="concrete_pump")
    host.pm.register(Only(), name="exploding")
    with pytest.raises(
        PluginError,
        match="plugin 'exploding' failed to plan product 'concrete_pump' in region 'R1'.*bad maths",
    ):
        plan_product(
            host,
            ProductProfile.model_validate(tiny_product),
            RegionSet.model_validate(tiny_regions),
            Strategy.model_validate(tiny_strategy),
        )


# ------------------------------------------------------------------ third-party plugins, for real

MIXER_MODULE = '''
"""A truck-mounted concrete mixer, as a third-party plugin."""
from planner import hookimpl
from planner.products import ProductPlugin


class MixerTruck(ProductPlugin):
    id = "mixer_truck"
    name = "Truck-mounted concrete mixer"
    profile_package = "mixer_plugin"
    profile_resource = "mixer_truck.json"


@hookimpl
def planner_add_products():
    return [MixerTruck]
'''


@pytest.fixture
def third_party(tmp_path, tiny_product, tiny_regions):
    """An installed distribution with real entry-point metadata, found through sys.path."""
    site = tmp_path / "site"
    package = site / "mixer_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(MIXER_MODULE, encoding="utf-8")
    profile = dict(tiny_product, id="mixer_truck", name="Mixer 12 m³", usage_metric="engine_hours")
    (package / "mixer_truck.json").write_text(json.dumps(profile), encoding="utf-8")
    info = site / "mixer_plugin-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mixer-plugin\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[service_planner]\nmixer = mixer_plugin\n", encoding="utf-8"
    )
    broken = site / "broken_plugin-0.1.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (broken / "entry_points.txt").write_text("[service_planner]\nbroken = no_such_module_here\n")
    for region in tiny_regions["regions"]:
        region["installed_base"]["mixer_truck"] = 6
    regions = tmp_path / "regions.json"
    regions.write_text(json.dumps(tiny_regions), encoding="utf-8")
    return site, regions


def run_cli(*args, env_extra=None, cwd=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "planner.cli", *args],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_third_party_plugin_is_listed_and_used(third_party):
    site, regions = third_party
    env = {"PYTHONPATH": str(site)}
    listed = run_cli("plugins", "--format", "json", env_extra=env)
    assert listed.returncode == 0, listed.stderr
    products = {p["id"]: p for p in json.loads(listed.stdout)["products"]}
    assert products["mixer_truck"] == {
        "id": "mixer_truck",
        "name": "Truck-mounted concrete mixer",
        "plugin": "mixer",
        "version": "1.2.3",
    }
    assert BUILTIN_PRODUCTS <= set(products)
    # the plugin that cannot be imported is reported by name; the others still load
    assert "plugin 'broken'" in listed.stderr and "no_such_module_here" in listed.stderr

    planned = run_cli(
        "plan", "mixer_truck", "--regions", str(regions), "--format", "json", env_extra=env
    )
    assert planned.returncode == 0, planned.stderr
    data = json.loads(planned.stdout)
    assert data["product"] == "mixer_truck"
    assert [r["region"] for r in data["regions"]] == ["R1", "R2"]
    # 6 machines, mixed usage in R1 (factors 1 and 2): 3·2 + 3·4 breakdowns.
    assert data["regions"][0]["demand"]["emergency_calls"] == pytest.approx(18.0)

    blocked = run_cli("plugins", "--format", "json", env_extra={**env, BLOCK_ENV: "mixer"})
    assert "mixer_truck" not in {p["id"] for p in json.loads(blocked.stdout)["products"]}


def test_contract_check_runs_on_a_third_party_class(
    third_party, monkeypatch, tiny_regions, tiny_strategy
):
    site, regions = third_party
    monkeypatch.syspath_prepend(str(site))
    import importlib

    module = importlib.import_module("mixer_plugin")
    checks = product_checks(
        module.MixerTruck,
        RegionSet.model_validate(json.loads(regions.read_text())),
        Strategy.model_validate(tiny_strategy),
    )
    for _name, check in checks:
        check()


def test_plugins_directory(tmp_path, tiny_regions):
    plugin_dir = tmp_path / "oneoff"
    plugin_dir.mkdir()
    (plugin_dir / "stamp.py").write_text(
        textwrap.dedent(
            """
            from planner import hookimpl

            @hookimpl
            def planner_adjust_plan(plan):
                return plan.model_copy(update={"notes": ("stamped",)})
            """
        ),
        encoding="utf-8",
    )
    (plugin_dir / "crash.py").write_text(
        "raise ImportError('half-written plugin')\n", encoding="utf-8"
    )
    regions = tmp_path / "regions.json"
    regions.write_text(json.dumps(tiny_regions), encoding="utf-8")
    result = run_cli(
        "--plugins-dir",
        str(plugin_dir),
        "plan",
        "concrete_pump",
        "--regions",
        str(regions),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert all(r["notes"] == ["stamped"] for r in json.loads(result.stdout)["regions"])
    assert "plugin 'crash'" in result.stderr and "half-written plugin" in result.stderr
    result = run_cli("--plugins-dir", str(tmp_path / "missing"), "plugins")
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
