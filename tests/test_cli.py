"""The command line: exit codes, JSON shapes, messages without tracebacks, safe writes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_plugins_json_shape():
    result = invoke("plugins", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"products", "hooks"}
    for product in data["products"]:
        assert set(product) == {"id", "name", "plugin", "version"}
    assert {p["id"] for p in data["products"]} >= {"concrete_pump", "crawler_crane", "excavator"}
    assert {h["name"] for h in data["hooks"]} == {
        "planner_add_products",
        "planner_adjust_plan",
        "planner_scorecards",
        "planner_scenario_scorecards",
        "planner_export_formats",
    }


def test_plugins_table():
    result = invoke("plugins")
    assert result.exit_code == 0
    assert "concrete_pump" in result.stdout and "planner_add_products" in result.stdout


def test_validate_bundled_profiles_clean():
    from planner.profiles import bundled_path

    files = [
        str(bundled_path(n))
        for n in (
            "concrete_pump.toml",
            "crawler_crane.toml",
            "excavator.toml",
            "regions.toml",
            "strategy.toml",
        )
    ]
    result = invoke("validate", *files)
    assert result.exit_code == 0, result.output
    assert "5 file(s) valid" in result.stdout


def test_validate_reports_every_problem_and_exits_2(write_json, tiny_product, tiny_regions):
    tiny_product["repair_hours"] = -2
    tiny_regions["regions"][0]["installed_base"]["bulldozer"] = 1
    p = write_json("p.json", tiny_product)
    r = write_json("r.json", tiny_regions)
    result = invoke("validate", str(p), str(r))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"{p}: repair_hours: Input should be greater than 0 (got -2)" in lines
    assert any(
        line.startswith(f"{r}: regions[0].installed_base.bulldozer: unknown product")
        for line in lines
    )
    assert lines[-1] == "2 problem(s) in 2 file(s)"


def test_plan_json_shape(write_json, tiny_regions, tiny_strategy):
    r = write_json("r.json", tiny_regions)
    s = write_json("s.json", tiny_strategy)
    result = invoke(
        "plan", "concrete_pump", "--regions", str(r), "--strategy", str(s), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["product"] == "concrete_pump"
    region = data["regions"][0]
    assert region["region"] == "R1" and region["class"] == "growth"
    assert set(region["tiers"]) == {"emergency", "preventive", "value_added"}
    assert region["tiers"]["emergency"]["promises"]["onsite_hours"] == 8.0
    assert region["demand"]["emergency_calls"] > 0
    assert {s["id"] for s in region["demand"]["sites"]} == {"S-CS", "S-YY"}


def test_plan_bundled_defaults_for_every_product():
    for product in ("concrete_pump", "crawler_crane", "excavator"):
        result = invoke("plan", product, "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        classes = {r["class"] for r in data["regions"]}
        assert classes == {"core", "growth", "maintain", "remote"}


def test_plan_to_file_and_region_filter(tmp_path):
    out = tmp_path / "plan.json"
    result = invoke("plan", "excavator", "--region", "east", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [r["region"] for r in json.loads(out.read_text())["regions"]] == ["east"]


def test_plan_unknown_product_and_region():
    result = invoke("plan", "bulldozer")
    assert result.exit_code == 2
    assert "unknown product 'bulldozer'" in result.stderr
    result = invoke("plan", "excavator", "--region", "atlantis")
    assert result.exit_code == 2
    assert "unknown region(s) 'atlantis'" in result.stderr


def test_plan_with_a_bad_regions_file_keeps_the_previous_output(write_json, tiny_regions, tmp_path):
    out = tmp_path / "plan.json"
    out.write_text("previous plan\n", encoding="utf-8")
    tiny_regions["regions"][0]["market_class"] = "frontier"
    r = write_json("r.json", tiny_regions)
    result = invoke("plan", "concrete_pump", "--regions", str(r), "--out", str(out))
    assert result.exit_code == 2
    assert f"{r}: regions[0].market_class:" in result.stderr
    assert out.read_text() == "previous plan\n"


def test_plan_profile_of_another_product(write_json, tiny_product):
    p = write_json("p.json", tiny_product)  # a concrete_pump profile
    result = invoke("plan", "excavator", "--profile", str(p))
    assert result.exit_code == 2
    assert "is for product 'concrete_pump', not 'excavator'" in result.stderr


def test_wrong_kind_for_an_option(write_json, tiny_strategy):
    s = write_json("s.json", tiny_strategy)
    result = invoke("plan", "excavator", "--regions", str(s))
    assert result.exit_code == 2
    assert "this option takes a regions profile" in result.stderr


@pytest.mark.parametrize(
    "content", [b"", b"\xff\xfe\x00", b"kind: regions\nregions: !!python/name:os.system\n"]
)
def test_console_script_never_prints_a_traceback(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "planner.cli", "validate", str(path)],
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr


def test_plan_export_csv(tmp_path, write_json, tiny_regions):
    import csv

    out = tmp_path / "plan.csv"
    r = write_json("r.json", tiny_regions)
    result = invoke(
        "plan", "concrete_pump", "--regions", str(r), "--export", "csv", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    repair = next(
        row for row in rows if row["region"] == "R1" and row["item"] == "breakdown-repair"
    )
    assert repair["tier"] == "emergency" and float(repair["occurrences_per_year"]) > 0
    assert {row["tier"] for row in rows} == {"emergency", "preventive", "value_added"}


def test_plan_export_errors(tmp_path):
    result = invoke("plan", "excavator", "--export", "pdf", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and "unknown export format 'pdf'" in result.stderr
    result = invoke("plan", "excavator", "--export", "csv")
    assert result.exit_code == 2 and "needs --out" in result.stderr


def test_plugin_export_format_is_used(tmp_path):
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "regions_txt.py").write_text(
        "from planner import hookimpl\n"
        "from planner.products import ExportFormat\n"
        "def write(report, path):\n"
        "    path.write_text(','.join(r.plan.region for r in report.regions))\n"
        "@hookimpl\n"
        "def planner_export_formats():\n"
        "    return [ExportFormat('regions', '.txt', 'region ids', write)]\n",
        encoding="utf-8",
    )
    out = tmp_path / "regions.txt"
    result = invoke(
        "--plugins-dir",
        str(plugin_dir),
        "plan",
        "excavator",
        "--export",
        "regions",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().split(",")[0] == "east"


def test_validate_a_directory(tmp_path, tiny_product):
    from planner.profiles import bundled_path

    folder = bundled_path("regions.toml").parent
    result = invoke("validate", str(folder))
    assert result.exit_code == 0, result.output
    # three products, regions, strategy, the self-assessment and every bundled scenario
    expected = 6 + len(list((folder / "scenarios").glob("*.toml")))
    assert f"{expected} file(s) valid" in result.stdout
    (tmp_path / "notes.txt").write_text("not a profile")
    result = invoke("validate", str(tmp_path))
    assert result.exit_code == 2 and "no profile files" in result.stderr


def test_plan_table_columns_and_formats(write_json, tiny_regions, tiny_strategy):
    import re

    r = write_json("r.json", tiny_regions)
    s = write_json("s.json", tiny_strategy)
    result = invoke("plan", "concrete_pump", "--regions", str(r), "--strategy", str(s))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Concrete pump truck (concrete_pump) under tiny strategy"
    assert re.split(r"\s{2,}", lines[2]) == [
        "region",
        "class",
        "onsite h",
        "coverage",
        "inspections",
        "depth",
        "breadth",
        "calls/yr",
        "visits/yr",
        "labour h/yr",
        "cost CNY/yr",
    ]
    r1 = re.split(r"\s{2,}", lines[4])
    assert r1[:4] == ["R1", "growth", "8", "90%"]
    assert all(re.fullmatch(r"[\d,]+", cell) for cell in r1[7:])


def test_plugins_table_headings():
    lines = invoke("plugins").stdout.splitlines()
    assert lines[0].split() == ["product", "name", "plugin", "version"]
    assert lines[lines.index("") + 1].split() == ["hook", "plugins"]
