"""What every ``planner`` command shares: the Typer app, exit codes, options, output.

The ``planner`` command line.

Exit codes: 0 success; 1 a plugin failed; 2 bad input (a message names the
file, the field and the value; never a traceback); 3 an optimisation problem
is infeasible (its result file is still written); 4 the time limit passed
before any plan was found, infeasibility unproven (no result file: the format
has no status for it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from planner.export import write_atomic
from planner.plugins import PluginError, PluginHost, ProductEntry, load_plugins

EXIT_PLUGIN = 1
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_NO_PLAN_IN_TIME = 4

STARTED = time.monotonic()
"""When the command line started (this module was imported): ``--verbose`` times the
solver's phases from it."""

app = typer.Typer(
    name="planner",
    help="Service Planner: one product, one plan (一品一案) for heavy-equipment after-sales service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class _State:
    plugins_dir: Path | None = None


STATE = _State()


@app.callback()
def _main(
    plugins_dir: Annotated[
        Path | None,
        typer.Option(help="Also load every *.py plugin in this directory."),
    ] = None,
) -> None:
    STATE.plugins_dir = plugins_dir


def fail(lines: str | list[str], code: int = EXIT_INPUT) -> NoReturn:
    for line in [lines] if isinstance(lines, str) else lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def host() -> PluginHost:
    try:
        loaded = load_plugins(plugins_dir=STATE.plugins_dir)
    except PluginError as exc:
        fail(str(exc), EXIT_PLUGIN)
    warn_problems(loaded)
    return loaded


def registered_products(loaded: PluginHost) -> dict[str, ProductEntry]:
    try:
        return loaded.products()
    except PluginError as exc:
        fail(str(exc), EXIT_PLUGIN)


def warn_problems(loaded: PluginHost) -> None:
    for problem in loaded.problems:
        typer.echo(f"warning: {problem}", err=True)
    loaded.problems.clear()


def emit(text: str | bytes, out: Path | None) -> None:
    """Print ``text`` (a string) or write it to ``out`` atomically, failing with exit 2."""
    if out is None:
        assert isinstance(text, str)
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        write_atomic(out, text)
    except OSError as exc:
        fail(f"{out}: cannot write: {exc.strerror or exc}")
    typer.echo(f"wrote {out}", err=True)


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"


def print_rows(
    rows: Sequence[Any], headings: Mapping[str, str], formats: Mapping[str, str] | None = None
) -> str:
    """Typed rows (:mod:`planner.views`) as a terminal table: one column per field of
    ``headings`` (field -> heading), each value formatted with its ``formats`` spec; None
    shows as nothing."""
    spec = formats or {}
    shown = lambda v, f: "" if v is None else format(v, spec.get(f, ""))
    return table(
        [[shown(getattr(r, f), f) for f in headings] for r in rows], list(headings.values())
    )


def log_phase(message: str) -> None:
    """A solver phase to stderr, after the milliseconds since the command started."""
    typer.echo(f"{1000 * (time.monotonic() - STARTED):8.0f} ms  {message}", err=True)


def number(value: float) -> str:
    """A figure for a terminal: whole units with separators from 10,000 up, else 4 digits."""
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.4g}"


def scorecards_text(cards: Sequence[Any]) -> str:
    """Scorecards as indented lines: metric, value, unit, target, met or not."""
    text = ""
    for card in cards:
        text += f"\n{card.name} ({card.source})\n"
        for line in card.lines:
            target = "" if line.target is None else f"  target {number(line.target)}"
            mark = {True: "  ok", False: "  NOT MET", None: ""}[line.met]
            text += f"  {line.metric}: {number(line.value)} {line.unit}{target}{mark}\n"
    return text


def share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.2f} %"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json")]

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store's SQLAlchemy URL (default: $SERVICE_PLANNER_DB, else SQLite in the "
        "user's data directory).",
    ),
]


def open_store_or_fail(db: str | None) -> Any:
    from planner.store import StoreError, open_store

    try:
        return open_store(db)
    except StoreError as exc:
        fail(str(exc))


def store_call(method: Callable[..., Any], *args: Any) -> Any:
    from planner.store import StoreError

    try:
        return method(*args)
    except StoreError as exc:
        fail(str(exc))
