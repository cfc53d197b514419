"""``planner scenario``: the bundled list, a run on the tiny profiles, its JSON, its file,
and the exit codes of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.scenario import bundled_scenarios

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def tiny_scenario(tmp_path, tiny_product, tiny_regions, tiny_strategy):
    folder = tmp_path / "profiles"
    folder.mkdir()
    for name, data in (
        ("pump.json", tiny_product),
        ("regions.json", tiny_regions),
        ("strategy.json", tiny_strategy),
    ):
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    path = tmp_path / "tiny.toml"
    path.write_text(
        'kind = "scenario"\nname = "tiny"\nproducts = ["concrete_pump"]\n'
        'regions = "profiles/regions.json"\nstrategy = "profiles/strategy.json"\n'
        '[profiles]\nconcrete_pump = "profiles/pump.json"\n'
        "[simulation]\nreplications = 4\nyears = 1\n"
        # the tiny region two needs more than its station's 4 technicians round the clock
        '[overrides]\n"regions.R2.stations.D-LS.max_technicians" = 12\n',
        encoding="utf-8",
    )
    return path


def test_examples_lists_every_bundled_scenario_as_name_and_path():
    result = invoke("scenario", "examples", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed == bundled_scenarios()
    assert all(set(entry) == {"name", "path"} for entry in listed)
    assert all(Path(entry["path"]).is_file() for entry in listed)
    table = invoke("scenario", "examples")
    assert all(entry["name"] in table.stdout for entry in listed)


def test_run_writes_the_result_json_to_a_file(tiny_scenario, tmp_path, tiny_regions):
    out = tmp_path / "result.json"
    result = invoke("scenario", "run", str(tiny_scenario), "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = json.loads(out.read_text())
    assert data["scenario"]["name"] == "tiny"
    assert [r["region"] for r in data["regions"]] == [r["id"] for r in tiny_regions["regions"]]
    assert set(data["kpis"]) >= {"cost", "coverage", "dispatch_level", "fill_rate", "availability"}
    assert data["simulation"]["replications"] == 4


def test_run_prints_tables_without_a_progress_bar_when_piped(tiny_scenario):
    done = subprocess.run(
        [sys.executable, "-m", "planner.cli", "scenario", "run", str(tiny_scenario)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "scenario: tiny" in done.stdout and "simulation check" in done.stdout
    assert "coverage" in done.stdout and "availability" in done.stdout
    assert "\r" not in done.stderr and "━" not in done.stderr  # no progress bar


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ('kind = "scenario"\nname = "t"\nproducts = ["nope"]\n', 2, "products[0]: unknown"),
        ("kind = [", 2, "invalid TOML"),
        (
            (
                'kind = "scenario"\nname = "t"\nproducts = ["excavator"]\n'
                'only_regions = ["east"]\n'
                "[targets.classes.core]\ncoverage = 0.99\nonsite_hours = 1.0\n"
            ),
            3,
            "the largest coverage any plan reaches within 1 h is",
        ),
    ],
)
def test_bad_input_exits_with_a_message_and_writes_nothing(tmp_path, text, code, message):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "result.json"
    result = invoke("scenario", "run", str(path), "--out", str(out))
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not out.exists()
