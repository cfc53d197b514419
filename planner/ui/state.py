"""The app's state and its cached calls into the core, keyed on primitives.

A run's inputs and outputs live in ``st.session_state`` as JSON strings: ``runs`` maps an
effective scenario's ``Scenario.model_dump_json()`` to its ``ScenarioResult`` JSON, and
``current`` names the scenario last run. Re-running the same inputs, or visiting another
page, reads the stored result instead of computing it again. The derived figures each page
needs (allocations, frontiers) are cached with ``st.cache_data`` on the JSON of their
problem, never on live models; parsing a stored result is cached once per JSON string.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import streamlit as st

from planner import actions, views
from planner.compare import Comparison, compare
from planner.models.scenario import Scenario, ScenarioResult
from planner.models.spares import SparesProblem
from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.plugins import PluginHost, load_plugins
from planner.profiles import read_document
from planner.scenario import LoadedScenario, bundled_scenarios, load_scenario, run
from planner.scenario_export import export_scenario
from planner.store import Store, StoreError, default_url, open_store

if TYPE_CHECKING:
    from planner.allocation import AllocationTables

#: How many runs a session keeps (the oldest goes first).
KEPT_RUNS = 8


def init() -> None:
    """The session's run store, initialised once."""
    st.session_state.setdefault("runs", {})
    st.session_state.setdefault("current", None)


# ---------------------------------------------------------------------------- plugins


@st.cache_resource(show_spinner=False)
def host() -> PluginHost:
    """The plugin host, built once per process (read only after start-up)."""
    return load_plugins()


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, Any]:
    """``products`` and ``hooks`` as rows of :mod:`planner.views`; the plugins' ``problems``."""
    plugins = host()
    return {
        "products": views.product_rows(plugins.products()),
        "hooks": views.hook_rows(plugins.hooks()),
        "problems": list(plugins.problems),
    }


# ---------------------------------------------------------------------------- scenarios


@st.cache_data(show_spinner=False)
def bundled() -> list[dict[str, str]]:
    """The bundled scenarios, ``{name, path}`` each."""
    return bundled_scenarios()


FILE_FIELDS = ("regions", "strategy", "self_assessment")


@st.cache_data(show_spinner=False)
def bundled_document(path: str) -> dict[str, Any]:
    """A bundled scenario file's fields, its file references made absolute (so that it
    loads from its data alone, wherever the app runs)."""
    base = Path(path).parent
    data = read_document(Path(path))

    def near(name: str) -> str:
        return name if Path(name).is_absolute() else str(base / name)

    for key in FILE_FIELDS:
        if isinstance(data.get(key), str):
            data[key] = near(data[key])
    if isinstance(data.get("profiles"), dict):
        data["profiles"] = {
            k: near(v) if isinstance(v, str) else v for k, v in data["profiles"].items()
        }
    return data


@dataclass(frozen=True)
class _Upload:
    """An uploaded file as :func:`planner.profiles.read_document` reads a path: its name,
    its suffix and its bytes, held in memory (nothing is written to disk)."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix

    def read_bytes(self) -> bytes:
        return self.data

    def __str__(self) -> str:
        return self.name


@st.cache_data(show_spinner=False, max_entries=16)
def uploaded_document(name: str, data: bytes) -> dict[str, Any]:
    """An uploaded TOML, YAML or JSON scenario's fields, parsed by the core's reader; raises
    :class:`planner.profiles.ProfileError` (one line per problem)."""
    return read_document(_Upload(name, data))  # type: ignore[arg-type]


def load(document: dict[str, Any], source: str) -> LoadedScenario:
    """A scenario's fields, checked and loaded (raises ``ScenarioError``/``ProfileError``)."""
    return load_scenario(data=document, source=source, host=host())


# ---------------------------------------------------------------------------- runs


def stored(scenario_json: str) -> str | None:
    """The stored result JSON of an effective scenario, if it has run in this session."""
    return st.session_state["runs"].get(scenario_json)


def run_and_store(loaded: LoadedScenario, progress: Callable[[str, float], None]) -> str:
    """Run ``loaded`` (unless it has run already) and make it the current scenario; returns
    its key, the scenario's JSON."""
    key = loaded.scenario.model_dump_json()
    runs: dict[str, str] = st.session_state["runs"]
    if key not in runs:
        result = run(loaded, progress=progress)
        runs[key] = result.model_dump_json()
        while len(runs) > KEPT_RUNS:
            runs.pop(next(iter(runs)))
    st.session_state["current"] = key
    return key


@st.cache_resource(show_spinner=False, max_entries=16)
def parse_result(result_json: str) -> ScenarioResult:
    """A stored result as its (frozen) model, parsed once per JSON string."""
    return ScenarioResult.model_validate_json(result_json)


def current() -> ScenarioResult | None:
    """The result of the scenario last run in this session, if any."""
    init()
    key = st.session_state["current"]
    result_json = st.session_state["runs"].get(key) if key else None
    return parse_result(result_json) if result_json else None


def current_scenario() -> Scenario | None:
    key = st.session_state.get("current")
    return Scenario.model_validate_json(key) if key else None


# ---------------------------------------------------------------------------- derived


@st.cache_data(show_spinner=False, max_entries=32)
def allocation(problem_json: str, result_json: str) -> tuple[AllocationTables, bytes]:
    """The allocation tables of a region's station plan, and the workbook's bytes."""
    tables = actions.allocation(
        TechniciansProblem.model_validate_json(problem_json),
        TechniciansResult.model_validate_json(result_json),
    )
    return tables, actions.allocation_workbook(tables)


@st.cache_data(show_spinner="Sweeping cost against coverage…", max_entries=16)
def frontier(
    problem_json: str,
    coverage_targets: tuple[float, ...],
    onsite_hours: tuple[float, ...],
    time_limit: float,
) -> list[views.FrontierRow]:
    """Cost against coverage, one proven (or bounded) point per target and on-site promise."""
    points = actions.sweep_frontier(
        TechniciansProblem.model_validate_json(problem_json),
        coverage_targets,
        onsite_hours,
        time_limit=time_limit,
    )
    return views.frontier_rows(points)


@st.cache_data(show_spinner="Tracing investment against availability…", max_entries=16)
def parts_curve(
    problem_json: str, targets: tuple[float, ...], time_limit: float
) -> list[dict[str, Any]]:
    """The least investment at each availability target (every depot with machines), each
    point ``optimal`` (proven), ``feasible`` (with its proven ``bound``) or ``infeasible``:
    ``target``, ``status``, ``investment`` and ``bound`` (CNY), ``availability``
    (machine-weighted), ``fill_rate``, ``reason``."""
    problem = SparesProblem.model_validate_json(problem_json)
    points = actions.availability_curve(problem, targets, time_limit=time_limit)
    return [dict(dataclasses.asdict(p), status=str(p.status)) for p in points]


# ---------------------------------------------------------------------------- store


@st.cache_resource(show_spinner=False, max_entries=4)
def _store_at(url: str) -> Store:
    """The store at ``url``, opened once per process (a failure is not cached)."""
    return open_store(url)


def store() -> Store:
    """The scenario store (``SERVICE_PLANNER_DB``, else SQLite in the user's data
    directory); raises :class:`planner.store.StoreError`."""
    return _store_at(default_url())


def store_or_error() -> Store | None:
    """The store, or None after an ``st.error`` saying why it cannot be opened; its
    location is shown under the page's title."""
    try:
        opened = store()
    except StoreError as exc:
        st.error(f"The scenario store cannot be used: {exc}")
        return None
    st.caption(f"Scenario store: `{opened.location}`")
    return opened


def save(name: str, result_key: str) -> Any:
    """Save the session's run ``result_key`` (an effective scenario's JSON) under ``name``:
    the scenario's JSON as the inputs; returns the :class:`planner.store.VersionInfo`."""
    result = parse_result(st.session_state["runs"][result_key])
    return store().save(name, json.loads(result_key), result)


@st.cache_data(show_spinner="Loading a saved scenario…", max_entries=32)
def _saved_json(url: str, name: str, version: int) -> tuple[dict[str, Any], str]:
    saved = _store_at(url).load(name, version)
    return saved.inputs, saved.result.model_dump_json()


def load_saved(name: str, version: int) -> tuple[dict[str, Any], ScenarioResult]:
    """A saved version's inputs and result (versions never change: cached per version)."""
    inputs, result_json = _saved_json(default_url(), name, version)
    return inputs, parse_result(result_json)


def compare_saved(chosen: tuple[tuple[str, str, int], ...], baseline: str) -> Comparison:
    """Saved versions ``(label, name, version)`` compared with the one labelled ``baseline``."""
    results = [(label, load_saved(name, version)[1]) for label, name, version in chosen]
    return compare(results, baseline)


@st.cache_data(show_spinner="Preparing the export…", max_entries=64)
def _export(url: str, name: str, version: int, region: str | None, fmt: str) -> bytes:
    _inputs, result_json = _saved_json(url, name, version)
    return export_scenario(parse_result(result_json), fmt, region)  # type: ignore[arg-type]


def export_bytes(name: str, version: int, region: str | None, fmt: str) -> bytes:
    """A saved version (or one region of it) exported as ``xlsx``, ``csv`` (a zip) or
    ``json`` (versions never change: cached per version, region and format)."""
    return _export(default_url(), name, version, region, fmt)
