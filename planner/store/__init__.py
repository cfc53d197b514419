"""The scenario store: saved runs, by name and version (SQLAlchemy 2 and Alembic).

:func:`open_store` opens the store at a SQLAlchemy URL: ``--db URL`` on every command, or
``SERVICE_PLANNER_DB``, or else SQLite in the user's data directory (platformdirs).
PostgreSQL URLs (``postgresql+psycopg://...``) need the ``postgres`` extra.

- **Versions**: :meth:`Store.save` adds the next version of a name, with the scenario's
  inputs, the result, the time (UTC), the planner's version and the schema revision;
  nothing is ever overwritten.
- **Concurrency**: on SQLite the store is created in WAL mode, every connection waits
  up to :data:`BUSY_TIMEOUT_S` for a lock, and writes take the lock at their start
  (``BEGIN IMMEDIATE``), so that concurrent saves queue instead of failing; on PostgreSQL
  each save is one transaction, and a save that loses the race for a version number
  retries with the next one.
- **Refusals** (:class:`StoreError`, the file untouched): a file that is not a SQLite
  database, a database without the store's tables, a store whose schema revision is newer
  than this code knows, or older (the message says ``planner db upgrade``, which
  :func:`upgrade` does).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from planner import __version__
from planner.errors import PlannerError
from planner.models.scenario import ScenarioResult
from planner.store.schema import ScenarioRow, VersionRow

ENV = "SERVICE_PLANNER_DB"
APP_NAME = "service-planner"
FILE_NAME = "scenarios.sqlite"
BUSY_TIMEOUT_S = 60.0
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).with_name("migrations")
SUMMARY_KEYS = (
    "cost",
    "coverage",
    "dispatch_level",
    "fill_rate",
    "availability",
    "technicians",
    "stations",
    "investment",
)

__all__ = [
    "ENV",
    "SavedVersion",
    "ScenarioSummary",
    "Store",
    "StoreError",
    "VersionInfo",
    "default_url",
    "head_revision",
    "open_store",
    "upgrade",
]


class StoreError(PlannerError):
    """A store that cannot be opened, read or written; the message says which and why."""


@dataclass(frozen=True)
class VersionInfo:
    name: str
    number: int
    created_at: datetime
    planner_version: str
    schema_revision: str
    summary: dict[str, Any]

    def to_jsonable(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.number,
            "created_at": self.created_at.isoformat(),
            "planner_version": self.planner_version,
            "schema_revision": self.schema_revision,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class ScenarioSummary:
    name: str
    versions: int
    latest: VersionInfo

    def to_jsonable(self) -> dict[str, Any]:
        return {"name": self.name, "versions": self.versions, "latest": self.latest.to_jsonable()}


@dataclass(frozen=True)
class SavedVersion:
    info: VersionInfo
    inputs: dict[str, Any]
    result: ScenarioResult


def default_url() -> str:
    """``SERVICE_PLANNER_DB``, or SQLite in the user's data directory."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen:
        return chosen
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir(APP_NAME, appauthor=False)) / FILE_NAME}"


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return _scripts().get_current_head() or ""


def _scripts() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def _config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _shown(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"--db: not a database URL (got {url!r})") from None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:")  # sqlite:///file:PATH?mode=ro&uri=true
    return None if database in ("", ":memory:") else Path(database)


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"--db: not a database URL (got {url!r})") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # transactions are begun by the "begin" hook below, not by the driver
            dbapi_connection.isolation_level = None
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            write = connection.info.pop("write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StoreError(f"{_shown(url)}: cannot use this database: {exc}") from None


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


class Store:
    """A scenario store at a SQLAlchemy URL (opened by :func:`open_store`)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine

    @property
    def location(self) -> str:
        """Where the store is, for people: the file, or the URL without its password."""
        path = _sqlite_path(self.url)
        return str(path) if path is not None else _shown(self.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection.info["write"] = True
                with connection.begin():
                    yield connection
        except OperationalError as exc:
            raise StoreError(f"{self.location}: cannot write: {_reason(exc)}") from None

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection, connection.begin():
                yield connection
        except OperationalError as exc:
            raise StoreError(f"{self.location}: cannot read: {_reason(exc)}") from None

    # ------------------------------------------------------------------ writes

    def save(self, name: str, inputs: dict[str, Any], result: ScenarioResult) -> VersionInfo:
        """Add the next version of ``name`` (creating the name), in one transaction."""
        name = name.strip()
        if not name or len(name) > 200:
            raise StoreError(f"--save: a name of 1 to 200 characters (got {name!r})")
        data = result.model_dump_json()
        kpis = result.kpis.model_dump(mode="json")
        summary = json.dumps({key: kpis.get(key) for key in SUMMARY_KEYS})
        inputs_json = json.dumps(inputs, ensure_ascii=False, sort_keys=True)
        revision = head_revision()
        for attempt in range(20):
            try:
                with self._writing() as connection:
                    scenario_id = connection.scalar(
                        select(ScenarioRow.id).where(ScenarioRow.name == name)
                    )
                    if scenario_id is None:
                        scenario_id = connection.execute(
                            insert(ScenarioRow).values(name=name).returning(ScenarioRow.id)
                        ).scalar_one()
                    number = 1 + (
                        connection.scalar(
                            select(func.max(VersionRow.number)).where(
                                VersionRow.scenario_id == scenario_id
                            )
                        )
                        or 0
                    )
                    created = datetime.now(UTC)
                    connection.execute(
                        insert(VersionRow).values(
                            scenario_id=scenario_id,
                            number=number,
                            created_at=created,
                            planner_version=__version__,
                            schema_revision=revision,
                            inputs=inputs_json,
                            result=data,
                            summary=summary,
                        )
                    )
                return VersionInfo(
                    name, number, created, __version__, revision, json.loads(summary)
                )
            except IntegrityError:
                # another save took this name or number first (PostgreSQL): the next one
                time.sleep(0.01 * (attempt + 1))
        raise StoreError(f"{self.location}: could not save {name!r}: too many concurrent saves")

    # ------------------------------------------------------------------ reads

    def names(self) -> list[ScenarioSummary]:
        """Every saved scenario, by name, with its number of versions and its latest."""
        with self._reading() as connection:
            rows = connection.execute(
                select(ScenarioRow.name, VersionRow)
                .join(VersionRow, VersionRow.scenario_id == ScenarioRow.id)
                .order_by(ScenarioRow.name, VersionRow.number)
            ).all()
        out: dict[str, list[VersionInfo]] = {}
        for row in rows:
            out.setdefault(row.name, []).append(_info(row.name, row))
        return [ScenarioSummary(n, len(v), v[-1]) for n, v in out.items()]

    def versions(self, name: str) -> list[VersionInfo]:
        """Every version of ``name``, oldest first; :class:`StoreError` for an unknown name."""
        with self._reading() as connection:
            rows = connection.execute(
                select(VersionRow)
                .join(ScenarioRow, VersionRow.scenario_id == ScenarioRow.id)
                .where(ScenarioRow.name == name)
                .order_by(VersionRow.number)
            ).all()
        if not rows:
            raise StoreError(self._unknown(name))
        return [_info(name, row) for row in rows]

    def load(self, name: str, version: int | None = None) -> SavedVersion:
        """A saved version (the latest by default)."""
        with self._reading() as connection:
            query = (
                select(VersionRow)
                .join(ScenarioRow, VersionRow.scenario_id == ScenarioRow.id)
                .where(ScenarioRow.name == name)
            )
            if version is None:
                query = query.order_by(VersionRow.number.desc()).limit(1)
            else:
                query = query.where(VersionRow.number == version)
            row = connection.execute(query).first()
        if row is None:
            if version is None:
                raise StoreError(self._unknown(name))
            known = [v.number for v in self.versions(name)]
            raise StoreError(
                f"--version: {name!r} has no version {version} "
                f"(versions: {', '.join(map(str, known))})"
            )
        return SavedVersion(
            _info(name, row),
            json.loads(row.inputs),
            ScenarioResult.model_validate_json(row.result),
        )

    def _unknown(self, name: str) -> str:
        known = [s.name for s in self.names()]
        listed = ", ".join(map(repr, known[:20])) if known else "none saved yet"
        return f"no saved scenario named {name!r} in {self.location} (saved: {listed})"


def _reason(exc: OperationalError) -> str:
    return " ".join(str(exc.orig).split()) or type(exc.orig).__name__


def _info(name: str, row: Any) -> VersionInfo:
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no zone: the store writes UTC
        created = created.replace(tzinfo=UTC)
    return VersionInfo(
        name,
        row.number,
        created,
        row.planner_version,
        row.schema_revision,
        json.loads(row.summary or "{}"),
    )


def _check_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database, before anything opens it."""
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a store")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a scenario store (not a SQLite database); left as it is")


def _check_revision(store: Store, connection: Connection, *, allow_older: bool) -> str | None:
    """The store's revision, refusing a database that is not a store or is newer/older."""
    tables = set(inspect(connection).get_table_names())
    revision = _revision(connection)
    head = head_revision()
    if revision is None:
        if tables:
            raise StoreError(
                f"{store.location}: not a scenario store (tables {', '.join(sorted(tables))} "
                "but no schema revision); left as it is"
            )
        return None
    known = {script.revision for script in _scripts().walk_revisions()}
    if revision not in known:
        raise StoreError(
            f"{store.location}: the store's schema revision {revision!r} is newer than this "
            f"planner knows (newest {head!r}); upgrade the planner; the store is left as it is"
        )
    if revision != head and not allow_older:
        raise StoreError(
            f"{store.location}: the store's schema revision {revision!r} is older than this "
            f"planner's ({head!r}); run `planner db upgrade` (with the same --db) first"
        )
    return revision


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """The store at ``url`` (default :func:`default_url`), created if new and ``create``.

    Raises :class:`StoreError` for a URL that cannot be used or reached, a file that is not
    a store, or a schema revision other than this code's (nothing is changed then).
    """
    return _open(url or default_url(), create=create, allow_older=False)


def upgrade(url: str | None = None) -> tuple[str | None, str]:
    """Upgrade the store at ``url`` to this code's schema; returns (from, to) revisions."""
    store = _open(url or default_url(), create=False, allow_older=True)
    try:
        with store.engine.connect() as connection:
            before = _revision(connection)
        _migrate(store)
        return before, head_revision()
    finally:
        store.close()


def _migrate(store: Store) -> None:
    from alembic import command

    try:
        with store.engine.connect() as connection:
            connection.info["write"] = True
            with connection.begin():
                command.upgrade(_config(connection), "head")
    except OperationalError as exc:
        raise StoreError(f"{store.location}: cannot write: {_reason(exc)}") from None


def _open(url: str, *, create: bool, allow_older: bool) -> Store:
    path = _sqlite_path(url)
    if path is not None:
        _check_file(path)
        if not path.exists():
            if not create:
                raise StoreError(f"{path}: no store here")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path.parent}: cannot create: {exc.strerror or exc}") from None
    store = Store(url, _engine(url))
    try:
        with store.engine.connect() as connection:
            revision = _check_revision(store, connection, allow_older=allow_older)
    except StoreError:
        store.close()
        raise
    except (OperationalError, SQLAlchemyError) as exc:
        store.close()
        message = _reason(exc) if isinstance(exc, OperationalError) else " ".join(str(exc).split())
        raise StoreError(f"{store.location}: cannot open the store: {message}") from None
    if revision is None:
        if not create:
            store.close()
            raise StoreError(f"{store.location}: no store here")
        if path is not None:  # outside any transaction, on the driver's connection
            raw = store.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
        _migrate(store)
    return store
