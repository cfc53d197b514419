"""``planner scenario compare`` and ``planner scenario export`` on real stores (SQLite, and
PostgreSQL when ``PLANNER_TEST_POSTGRES`` names a server): the
deltas against each saved result's own KPIs, the files a regional manager opens, and bad
names, regions and paths refused with exit 2 and no file damaged."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from planner.cli import app
from tests.test_store import drop_postgres, fresh_postgres

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


SCENARIO = (
    'kind = "scenario"\nname = "{name}"\nproducts = ["excavator"]\n'
    'only_regions = ["tibet", "xinjiang"]\n'
    "[overrides]\n"
    '"regions.tibet.technician.annual_cost" = {cost}\n'
    "[simulation]\nreplications = 2\n"
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory):
    """A store (a SQLite file, and a fresh PostgreSQL database) with 'today' (one version)
    and 'dear' (two versions; dearer technicians in Tibet from version 2)."""
    folder = tmp_path_factory.mktemp("store")
    name = None
    if request.param == "sqlite":
        db = f"sqlite:///{folder / 'store.sqlite'}"
    else:
        db, name = fresh_postgres()
    for scenario, cost in [("today", 120000.0), ("dear", 120000.0), ("dear", 400000.0)]:
        path = folder / f"{scenario}.toml"
        path.write_text(SCENARIO.format(name=scenario, cost=cost), encoding="utf-8")
        done = invoke(
            "scenario", "run", str(path), "--save", scenario, "--db", db, "--out", str(folder / "r")
        )
        assert done.exit_code == 0, done.output
    yield db
    if name is not None:
        drop_postgres(name)


def saved(db, name, version=None):
    args = ["scenario", "show", name, "--db", db, "--format", "json"]
    if version is None:
        version = json.loads(invoke(*args).stdout)["versions"][-1]["version"]
    return json.loads(invoke(*args, "--version", str(version)).stdout)["result"]


def test_compare_json_deltas_equal_the_saved_kpis_differences(store):
    done = invoke("scenario", "compare", "today", "dear", "--db", store, "--format", "json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["baseline"] == "today" and data["scenarios"] == ["today", "dear"]
    today, dear = saved(store, "today"), saved(store, "dear")
    for key, kpi in [
        ("total_cost", "cost"),
        ("coverage", "coverage"),
        ("availability", "availability"),
        ("technicians", "technicians"),
    ]:
        expected = dear["kpis"][kpi] - today["kpis"][kpi]
        assert data["deltas"]["dear"][key] == pytest.approx(expected, abs=1e-9)
        assert data["deltas"]["today"][key] == 0
    for region in ("tibet", "xinjiang"):
        t = next(r for r in today["regions"] if r["region"] == region)
        d = next(r for r in dear["regions"] if r["region"] == region)
        key = f"technicians@{region}"
        assert data["deltas"]["dear"][key] == d["technicians"] - t["technicians"]
    # dearer technicians in Tibet cost more
    assert data["deltas"]["dear"]["cost_technicians"] > 0


def test_compare_versions_and_baseline(store):
    done = invoke(
        "scenario", "compare", "dear@1", "dear@2", "--baseline", "dear@2", "--db", store,
        "--format", "json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["baseline"] == "dear@2"
    one, two = saved(store, "dear", 1), saved(store, "dear", 2)
    assert data["deltas"]["dear@1"]["total_cost"] == pytest.approx(
        one["kpis"]["cost"] - two["kpis"]["cost"]
    )
    assert data["deltas"]["dear@2"]["total_cost"] == 0


def test_compare_table_shows_values_and_signed_deltas(store):
    done = invoke("scenario", "compare", "today", "dear", "--db", store)
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "baseline: today"
    header = lines[2].split()
    assert header[:3] == ["metric", "region", "unit"] and "Δ" in header
    coverage = next(line for line in lines if line.startswith("coverage "))
    assert "%" in coverage and " pp" in coverage
    technicians = next(
        line for line in lines if line.startswith("technicians ") and "tibet" in line
    )
    assert technicians.split()[-1][0] in "+-"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "no saved scenario named 'nope'"),
        (("today", "dear@9"), "has no version 9"),
        (("today", "dear", "--baseline", "other"), "--baseline: 'other' is not one"),
        (("today", "today"), "given twice"),
    ],
)
def test_compare_bad_names_exit_2(store, args, message):
    done = invoke("scenario", "compare", *args, "--db", store)
    assert done.exit_code == 2 and message in done.stderr


def test_export_xlsx_whole_scenario(store, tmp_path):
    out = tmp_path / "plan.xlsx"
    done = invoke(
        "scenario", "export", "dear", "--format", "xlsx", "--out", str(out), "--db", store
    )
    assert done.exit_code == 0, done.output
    assert "version 2" in done.stderr
    book = load_workbook(io.BytesIO(out.read_bytes()), read_only=True)
    regions = saved(store, "dear")["regions"]
    assert book.sheetnames == ["summary", *(r["region"] for r in regions), "parts"]
    for region in regions:
        cells = {c for row in book[region["region"]].iter_rows(values_only=True) for c in row}
        assert set(region["stations"]) <= cells  # each open station is on its region's sheet
        assert region["technicians"] in cells  # and its technicians


def test_export_one_region_into_a_folder_under_a_safe_name(store, tmp_path):
    done = invoke(
        "scenario", "export", "today", "--region", "tibet", "--format", "csv",
        "--out", str(tmp_path), "--db", store,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    (written,) = tmp_path.iterdir()
    assert written.name == "today-v1-tibet.zip"  # the saved name, version and region
    members = zipfile.ZipFile(written).namelist()
    assert members and all(m.endswith(".csv") for m in members)
    assert not any("xinjiang" in m for m in members)


def test_export_json_of_an_earlier_version(store, tmp_path):
    out = tmp_path / "one.json"
    done = invoke(
        "scenario", "export", "dear", "--version", "1", "--format", "json", "--out", str(out),
        "--db", store,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    data = json.loads(out.read_text(encoding="utf-8"))
    one = saved(store, "dear", 1)
    assert json.dumps(data, ensure_ascii=False).count("tibet") > 0
    assert "version 1" in done.stderr and one["regions"]


def test_export_unknown_region_and_unwritable_path_exit_2_and_keep_the_old_file(store, tmp_path):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"an earlier export")
    before = hashlib.sha256(out.read_bytes()).hexdigest()
    done = invoke(
        "scenario", "export", "today", "--region", "mars", "--out", str(out), "--db", store
    )
    assert done.exit_code == 2 and "--region: region 'mars' is not in scenario" in done.stderr
    assert "tibet" in done.stderr
    missing = tmp_path / "no" / "such" / "folder" / "plan.xlsx"
    done = invoke("scenario", "export", "today", "--out", str(missing), "--db", store)
    assert done.exit_code == 2 and str(missing) in done.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_export_unknown_scenario_exit_2(store, tmp_path):
    done = invoke("scenario", "export", "nope", "--out", str(tmp_path / "x.xlsx"), "--db", store)
    assert done.exit_code == 2 and "no saved scenario named 'nope'" in done.stderr
