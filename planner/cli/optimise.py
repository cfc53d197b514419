"""``planner optimise technicians|frontier|spares``: solve an interchange file."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import actions, views
from planner.cli.common import (
    EXIT_INFEASIBLE,
    EXIT_NO_PLAN_IN_TIME,
    app,
    emit,
    fail,
    log_phase,
    print_rows,
)
from planner.export import write_atomic
from planner.models.status import Status

# ---------------------------------------------------------------------------- optimise

optimise_app = typer.Typer(
    help="Solve a technicians/v1 or spares/v1 / spares/v2 problem file.", no_args_is_help=True
)
app.add_typer(optimise_app, name="optimise")


def read_problem(read: Callable[[str, bytes], Any], path: Path) -> Any:
    """Read and validate an interchange file with ``read`` (an action), or fail with one
    line per problem (exit 2)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    try:
        return read(str(path), raw)
    except actions.InterchangeError as exc:
        fail(exc.problems)


def write_result(result, out: Path) -> None:
    try:
        write_atomic(out, result.to_json() + "\n")
    except OSError as exc:
        fail(f"{out}: cannot write: {exc.strerror or exc}")


TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit", min=0.0, help="Seconds; past it the best plan is returned with its bound."
    ),
]


@optimise_app.command("technicians")
def optimise_technicians(
    file: Annotated[Path, typer.Argument(help="A technicians/v1 problem (JSON).")],
    out: Annotated[Path, typer.Option(help="Where to write the technicians-result/v1 JSON.")],
    time_limit: TimeLimit = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Log the solve's phases (plans found, bounds) to stderr."
        ),
    ] = False,
    xlsx: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Also write the allocation plan as an Excel workbook (summary, stations, sites).",
        ),
    ] = None,
) -> None:
    """Which stations to open, how many technicians each, which sites each serves."""
    problem = read_problem(actions.read_technicians_problem, file)
    try:
        result = actions.optimise_technicians(
            problem, time_limit=time_limit, log=log_phase if verbose else None
        )
    except actions.UnreachableSitesError as exc:
        fail(f"{file}: sites: {exc}")
    except actions.NoPlanWithinTimeLimit as exc:
        fail(f"{file}: {exc}; {out} not written", EXIT_NO_PLAN_IN_TIME)
    write_result(result, out)
    if xlsx is not None:
        emit(actions.allocation_workbook(actions.allocation(problem, result)), xlsx)
    typer.echo(f"status: {result.status}")
    if result.status == Status.INFEASIBLE:
        typer.echo(f"reason: {result.reason}")
        typer.echo(f"wrote {out}", err=True)
        raise typer.Exit(EXIT_INFEASIBLE)
    technicians = sum(s.technicians for s in result.stations)
    typer.echo(
        f"annual cost: {result.objective:,.2f}  (bound {result.bound:,.2f})\n"
        f"stations open: {len(result.stations)}  technicians: {technicians}"
    )
    typer.echo(f"wrote {out}", err=True)


FRONTIER_FORMATS = {
    "onsite_hours": "g",
    "coverage_target": "g",
    "annual_cost": ",.2f",
    "bound": ",.2f",
    "coverage": ".4f",
    "technicians": "d",
}


@optimise_app.command("frontier")
def optimise_frontier(
    file: Annotated[Path, typer.Argument(help="A technicians/v1 problem (JSON).")],
    targets: Annotated[
        str, typer.Option(help="Coverage targets in [0, 1], comma-separated.")
    ] = "0.6,0.7,0.8,0.9,0.95,1.0",
    hours: Annotated[
        str | None,
        typer.Option(help="On-site promises in hours, comma-separated (the problem's by default)."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", min=0.0, help="Seconds per point; past it, the plan and bound."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the points: .csv as a table, else JSON.")
    ] = None,
) -> None:
    """Cost against coverage: one solve per coverage target and on-site promise."""
    import csv
    import io

    problem = read_problem(actions.read_technicians_problem, file)
    try:
        target_list = views.parse_numbers("--targets", targets, 0.0, 1.0)
        hour_list = (
            (problem.emergency.onsite_hours,)
            if hours is None
            else views.parse_numbers("--hours", hours, 0.0, math.inf)
        )
    except ValueError as exc:
        fail(str(exc))
    try:
        points = actions.sweep_frontier(problem, target_list, hour_list, time_limit=time_limit)
    except actions.UnreachableSitesError as exc:
        fail(f"{file}: sites: {exc}")
    rows = views.frontier_rows(points)
    typer.echo(print_rows(rows, views.FRONTIER.terminal, FRONTIER_FORMATS), nl=False)
    if out is not None:
        if out.suffix.lower() == ".csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(
                buffer, fieldnames=list(views.FRONTIER.labels.values()), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(views.FRONTIER.records(rows))
            text = buffer.getvalue()
        else:
            dumped = [p.model_dump(mode="json") for p in points]
            text = json.dumps(dumped, indent=2, ensure_ascii=False) + "\n"
        emit(text, out)


@optimise_app.command("spares")
def optimise_spares(
    file: Annotated[Path, typer.Argument(help="A spares/v1 or spares/v2 problem (JSON).")],
    out: Annotated[Path, typer.Option(help="Where to write the spares-result/v1 JSON.")],
    time_limit: TimeLimit = None,
    evaluate: Annotated[
        bool,
        typer.Option(help="Also report the plan's VARI-METRIC and exact two-echelon backorders."),
    ] = False,
    frontier: Annotated[
        int,
        typer.Option(min=0, help="Add up to this many efficient (investment, backorders) points."),
    ] = 0,
) -> None:
    """How many of each part to stock centrally and at each depot."""
    problem = read_problem(actions.read_spares_problem, file)
    result = actions.optimise_spares(
        problem, time_limit=time_limit, evaluate=evaluate, frontier=frontier
    )
    write_result(result, out)
    typer.echo(f"status: {result.status}")
    if result.status == Status.INFEASIBLE:
        typer.echo(f"reason: {result.reason}")
        typer.echo(f"wrote {out}", err=True)
        raise typer.Exit(EXIT_INFEASIBLE)
    typer.echo(
        f"investment: {result.investment:,.2f}  backorders: {result.backorders:.6g}  "
        f"fill rate: {result.fill_rate:.4%}"
    )
    typer.echo(f"wrote {out}", err=True)
