"""The scenario store on SQLite and on a real PostgreSQL server: versions, refusals that
leave the file byte-identical, migrations from every revision, and eight processes saving
at once.

PostgreSQL: ``PLANNER_TEST_POSTGRES`` is the SQLAlchemy URL of a server's admin database
(``.ci/run`` starts a throwaway cluster and sets it); each test gets a fresh database. With
``PLANNER_REQUIRE_POSTGRES=1`` (CI) a missing server fails instead of skipping.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner.scenario import load_scenario, run
from planner.store import StoreError, head_revision, open_store, upgrade
from planner.store.schema import Base

POSTGRES = os.environ.get("PLANNER_TEST_POSTGRES", "")
REQUIRE = os.environ.get("PLANNER_REQUIRE_POSTGRES") == "1"
SMALL = {
    "kind": "scenario",
    "name": "tibet",
    "products": ["excavator"],
    "only_regions": ["tibet"],
    "simulation": {"years": 1, "replications": 2, "seed": 3},
}


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(data=SMALL, source="tibet.toml"))


def fresh_postgres() -> tuple[str, str]:
    """A new empty database on the test server: (its URL, its name)."""
    if not POSTGRES:
        if REQUIRE:
            pytest.fail("PLANNER_TEST_POSTGRES is not set but PLANNER_REQUIRE_POSTGRES=1")
        pytest.skip("no PostgreSQL server (set PLANNER_TEST_POSTGRES)")
    name = f"planner_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return str(sa.engine.make_url(POSTGRES).set(database=name)), name


def drop_postgres(name: str) -> None:
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    address, name = fresh_postgres()
    yield address
    drop_postgres(name)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- versions


def test_saving_adds_versions_and_overwrites_nothing(url, result):
    with open_store(url) as store:
        first = store.save("tibet plan", SMALL, result)
        changed = {**SMALL, "description": "second"}
        second = store.save("tibet plan", changed, result)
        other = store.save("another", SMALL, result)
        assert (first.number, second.number, other.number) == (1, 2, 1)
        assert first.schema_revision == head_revision()
        assert [v.number for v in store.versions("tibet plan")] == [1, 2]
        assert store.load("tibet plan", 1).inputs == SMALL
        assert store.load("tibet plan").inputs == changed  # the latest by default
        assert store.load("tibet plan", 2).result == result
        assert store.load("tibet plan").info.summary["cost"] == pytest.approx(result.kpis.cost)
        names = {s.name: s.versions for s in store.names()}
        assert names == {"another": 1, "tibet plan": 2}
        assert first.created_at <= second.created_at <= other.created_at
        assert first.created_at.tzinfo is not None


def test_unknown_names_and_versions_are_refused_with_what_there_is(url, result):
    with open_store(url) as store:
        store.save("known", SMALL, result)
        with pytest.raises(StoreError, match=r"no saved scenario named 'nope' .*'known'"):
            store.load("nope")
        with pytest.raises(StoreError, match=r"'known' has no version 7 \(versions: 1\)"):
            store.load("known", 7)
        with pytest.raises(StoreError, match="no saved scenario named 'nope'"):
            store.versions("nope")
        with pytest.raises(StoreError, match="a name of 1 to 200 characters"):
            store.save("  ", SMALL, result)


def test_a_new_sqlite_store_is_in_wal_mode(tmp_path):
    path = tmp_path / "deep" / "er" / "store.sqlite"
    open_store(f"sqlite:///{path}").close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


# ---------------------------------------------------------------------------- refusals


def test_a_file_that_is_not_a_store_is_left_byte_identical(tmp_path):
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"quarterly notes, not a database\n" * 40)
    before = digest(junk)
    with pytest.raises(StoreError, match="not a scenario store"):
        open_store(f"sqlite:///{junk}")
    assert digest(junk) == before
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE parts (id TEXT)")
    connection.commit()
    connection.close()
    before = digest(other)
    with pytest.raises(StoreError, match=r"not a scenario store \(tables parts"):
        open_store(f"sqlite:///{other}")
    assert digest(other) == before
    with pytest.raises(StoreError, match="is a directory"):
        open_store(f"sqlite:///{tmp_path}")


def test_newer_and_older_stores_are_refused_untouched(tmp_path, result):
    path = tmp_path / "store.sqlite"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        store.save("kept", SMALL, result)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(StoreError, match=r"revision '9999' is newer than this planner knows"):
        open_store(url)
    with pytest.raises(StoreError, match="newer"):
        upgrade(url)
    assert digest(path) == before
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(StoreError, match=r"older than this planner's .*planner db upgrade"):
        open_store(url)
    assert digest(path) == before


def test_a_read_only_store_refuses_a_save_and_keeps_its_versions(tmp_path, result):
    path = tmp_path / "store.sqlite"
    with open_store(f"sqlite:///{path}") as store:
        store.save("kept", SMALL, result)
    before = digest(path)
    with open_store(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        with pytest.raises(StoreError, match="cannot write: attempt to write a readonly"):
            store.save("kept", SMALL, result)
        assert [v.number for v in store.versions("kept")] == [1]
    assert digest(path) == before


def test_an_unreachable_database_is_a_clear_error():
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:1/x: cannot open the store: .*refused"):
        open_store("postgresql+psycopg://planner:secret@127.0.0.1:1/x")
    with pytest.raises(StoreError) as caught:
        open_store("postgresql+psycopg://planner:secret@127.0.0.1:1/x")
    assert "secret" not in str(caught.value)
    with pytest.raises(StoreError, match="not a database URL"):
        open_store("no such thing")


# ---------------------------------------------------------------------------- migrations


def revisions() -> list[str | None]:
    from alembic.script import ScriptDirectory

    from planner.store import MIGRATIONS

    scripts = ScriptDirectory(str(MIGRATIONS))
    return [None, *reversed([s.revision for s in scripts.walk_revisions()])]


def upgrade_to(engine: sa.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from planner.store import MIGRATIONS

    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_of(engine: sa.Engine) -> dict:
    inspector = sa.inspect(engine)
    out = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        out[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]).split("(")[0], c["nullable"])
                for c in inspector.get_columns(table)
            ),
            "primary": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": sorted(
                tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
            ),
            "indexes": sorted(
                (tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)
            ),
            "foreign": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
        }
    return out


@pytest.mark.parametrize("start", revisions()[:-1])
def test_upgrading_from_every_revision_gives_the_fresh_schema(url, tmp_path, start, result):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(url)
    if start is not None:
        upgrade_to(engine, start)
        with engine.begin() as connection:  # a version saved under the old schema
            connection.exec_driver_sql("INSERT INTO scenarios (id, name) VALUES (1, 'old')")
            connection.execute(
                sa.text(
                    "INSERT INTO versions (id, scenario_id, number, created_at, "
                    "planner_version, schema_revision, inputs, result) VALUES "
                    "(1, 1, 1, :now, '0.0.1', :rev, '{}', :result)"
                ),
                {"now": "2026-01-01 00:00:00", "rev": start, "result": result.model_dump_json()},
            )
        engine.dispose()
        with pytest.raises(StoreError, match="planner db upgrade"):
            open_store(url)
        assert upgrade(url) == (start, head_revision())
    else:
        open_store(url).close()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    fresh = sa.create_engine(fresh_url)
    Base.metadata.create_all(fresh)
    if engine.dialect.name == "sqlite":
        assert schema_of(engine) == schema_of(fresh)
    with open_store(url) as store:
        if start is not None:
            old = store.load("old")
            assert old.result == result
            assert old.info.summary["cost"] == pytest.approx(result.kpis.cost)
    engine.dispose()
    fresh.dispose()


# ---------------------------------------------------------------------------- concurrency


def save_once(url: str, result_json: str, worker: int, barrier) -> int:
    from planner.models.scenario import ScenarioResult

    parsed = ScenarioResult.model_validate_json(result_json)
    with open_store(url) as store:
        barrier.wait()  # every process saves at the same moment
        return store.save("shared", {**SMALL, "description": f"worker {worker}"}, parsed).number


def test_eight_processes_saving_at_once_lose_nothing(url, result):
    open_store(url).close()  # created once; the workers open it as users would
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(8)
        with context.Pool(8) as pool:
            numbers = pool.starmap(
                save_once,
                [(url, result.model_dump_json(), k, barrier) for k in range(8)],
            )
    assert sorted(numbers) == list(range(1, 9))
    with open_store(url) as store:
        versions = store.versions("shared")
        assert [v.number for v in versions] == list(range(1, 9))
        workers = {store.load("shared", v.number).inputs["description"] for v in versions}
        assert workers == {f"worker {k}" for k in range(8)}
