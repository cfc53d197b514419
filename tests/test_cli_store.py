"""``planner scenario run --save``, ``list``, ``show`` and ``planner db upgrade`` on a store
chosen by ``--db`` or ``SERVICE_PLANNER_DB``; bad stores refused with exit 2, untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "tibet.toml"
    path.write_text(
        'kind = "scenario"\nname = "tibet"\nproducts = ["excavator"]\nonly_regions = ["tibet"]\n'
        "[simulation]\nreplications = 2\n",
        encoding="utf-8",
    )
    return path


def test_run_save_list_and_show(tmp_path, scenario):
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    for _ in range(2):
        done = invoke(
            "scenario",
            "run",
            str(scenario),
            "--save",
            "tibet plan",
            "--db",
            db,
            "--out",
            str(tmp_path / "r.txt"),
        )
        assert done.exit_code == 0, done.output
    assert "saved 'tibet plan' version 2" in done.stderr
    listed = json.loads(invoke("scenario", "list", "--db", db, "--format", "json").stdout)
    assert [(s["name"], s["versions"]) for s in listed["scenarios"]] == [("tibet plan", 2)]
    assert listed["store"] == str(tmp_path / "store.sqlite")
    shown = json.loads(
        invoke("scenario", "show", "tibet plan", "--db", db, "--format", "json").stdout
    )
    assert [v["version"] for v in shown["versions"]] == [1, 2]
    one = json.loads(
        invoke(
            "scenario", "show", "tibet plan", "--version", "1", "--db", db, "--format", "json"
        ).stdout
    )
    assert one["version"]["version"] == 1 and one["inputs"]["name"] == "tibet"
    assert one["result"]["regions"][0]["region"] == "tibet"
    # the environment variable chooses the store as --db does
    by_env = invoke("scenario", "list", "--format", "json", env={"SERVICE_PLANNER_DB": db})
    assert json.loads(by_env.stdout)["scenarios"] == listed["scenarios"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scenario", "show", "nope"), "no saved scenario named 'nope'"),
        (("scenario", "show", "tibet plan", "--version", "5"), "has no version 5"),
    ],
)
def test_unknown_names_and_versions_exit_2(tmp_path, scenario, args, message):
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    invoke(
        "scenario",
        "run",
        str(scenario),
        "--save",
        "tibet plan",
        "--db",
        db,
        "--out",
        str(tmp_path / "r.txt"),
    )
    done = invoke(*args, "--db", db)
    assert done.exit_code == 2 and message in done.stderr


def test_a_corrupt_store_is_refused_before_the_run_and_left_alone(tmp_path, scenario):
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"\x00garbage" * 100)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = invoke("scenario", "run", str(scenario), "--save", "x", "--db", f"sqlite:///{path}")
    assert done.exit_code == 2 and "not a scenario store" in done.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_db_upgrade_brings_an_older_store_up_to_date(tmp_path, scenario):
    path = tmp_path / "store.sqlite"
    db = f"sqlite:///{path}"
    invoke(
        "scenario",
        "run",
        str(scenario),
        "--save",
        "kept",
        "--db",
        db,
        "--out",
        str(tmp_path / "r.txt"),
    )
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.execute("ALTER TABLE versions DROP COLUMN summary")
    connection.commit()
    connection.close()
    refused = invoke("scenario", "list", "--db", db)
    assert refused.exit_code == 2 and "planner db upgrade" in refused.stderr
    done = invoke("db", "upgrade", "--db", db)
    assert done.exit_code == 0 and "from schema revision 0001 to 0002" in done.stdout
    listed = json.loads(invoke("scenario", "list", "--db", db, "--format", "json").stdout)
    assert listed["scenarios"][0]["latest"]["summary"]["cost"] > 0  # rebuilt from the result
    assert "nothing to do" in invoke("db", "upgrade", "--db", db).stdout
