"""The ``planner`` command line.

Exit codes: 0 success; 1 a plugin failed; 2 bad input (a message names the
file, the field and the value; never a traceback); 3 an optimisation problem
is infeasible (its result file is still written); 4 the time limit passed
before any plan was found, infeasibility unproven (no result file: the format
has no status for it).
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from planner import actions, views
from planner.errors import InputError, PlannerError
from planner.export import write_atomic
from planner.models.report import PlanReport
from planner.models.status import Status
from planner.plugins import PluginError, PluginHost, ProductEntry, load_plugins
from planner.profiles import ProfileError, expand_paths, validate_files

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


# ---------------------------------------------------------------------------- plugins


@app.command("plugins")
def plugins_command(
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
) -> None:
    """List the product plugins and the hooks each plugin implements."""
    loaded = host()
    products = registered_products(loaded)
    warn_problems(loaded)
    rows = views.product_rows(products)
    hooks = loaded.hooks()
    if format == OutputFormat.json:
        products_json = [dataclasses.asdict(r) for r in rows]
        typer.echo(
            json.dumps({"products": products_json, "hooks": hooks}, indent=2, ensure_ascii=False)
        )
        return
    typer.echo(print_rows(rows, views.PRODUCTS.labels))
    typer.echo(print_rows(views.hook_rows(hooks), views.HOOKS.labels))


# ---------------------------------------------------------------------------- validate


@app.command("validate")
def validate_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Profile files (TOML, YAML or JSON) or directories of them."),
    ],
) -> None:
    """Check profile files: every problem as `file: field.path: message (got value)`."""
    loaded = host()
    files = expand_paths(paths)
    if not files:
        fail(f"no profile files (.toml, .yaml, .yml, .json) in {', '.join(map(str, paths))}")
    problems = validate_files(files, registered_products(loaded))
    if problems:
        for line in problems:
            typer.echo(line, err=True)
        typer.echo(f"{len(problems)} problem(s) in {len(files)} file(s)", err=True)
        raise typer.Exit(EXIT_INPUT)
    typer.echo(f"{len(files)} file(s) valid")


# ---------------------------------------------------------------------------- plan


PLAN_FORMATS = {
    "onsite_hours": "g",
    "coverage_target": ".0%",
    "emergency_calls": ",.0f",
    "planned_visits": ",.0f",
    "labour_hours": ",.0f",
    "annual_cost": ",.0f",
}


ECONOMICS_FORMATS = {
    "installed_base": ",d",
    "preventive_visits_per_machine": ".2f",
    "cost": ",.0f",
    "warranty_cost": ",.0f",
    "revenue": ",.0f",
    "margin": ",.0f",
}


def plan_table(report: PlanReport) -> str:
    head = f"{report.product_name} ({report.product}) under {report.strategy}\n\n"
    body = print_rows(views.plan_rows(report), views.PLAN.labels, PLAN_FORMATS)
    body += "\nEconomics (the maker's work; warranty cost is part of the cost)\n"
    body += print_rows(views.economics_rows(report), views.ECONOMICS.labels, ECONOMICS_FORMATS)
    cards = ""
    cards += scorecards_text(report.scorecards)
    return head + body + cards


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


def emit_problems(
    planned: actions.PlannedProduct,
    technicians_path: str | None,
    spares_path: Path | None,
    spares_budget: float | None,
    spares_fill_rate: bool = False,
) -> list[tuple[Path, str]]:
    """The optimisation problems to write, as (path, JSON text); nothing is written here."""
    files: list[tuple[Path, str]] = []
    if technicians_path is not None:
        planned_regions = len(planned.report.regions)
        if "{region}" not in technicians_path and planned_regions > 1:
            raise InputError(
                f"--emit-technicians: {planned_regions} regions are planned, so the path "
                f"must contain {{region}} (got {technicians_path!r})"
            )
        for region, problem in actions.build_technicians_problems(planned).items():
            path = Path(technicians_path.replace("{region}", region))
            files.append((path, problem.to_json() + "\n"))
    if spares_path is not None:
        problem = actions.build_spares_problem(
            planned,
            budget=spares_budget,
            objective="fill_rate" if spares_fill_rate else "availability",
        )
        files.append((spares_path, problem.to_json() + "\n"))
    return files


@app.command("plan")
def plan_command(
    product: Annotated[str, typer.Argument(help="Product id, as `planner plugins` lists.")],
    regions: Annotated[
        Path | None, typer.Option(help="Regions profile (bundled set by default).")
    ] = None,
    strategy: Annotated[
        Path | None, typer.Option(help="Strategy profile (bundled by default).")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option(help="Product profile to use instead of the plugin's own.")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Plan only this region (repeatable).")
    ] = None,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table or json")
    ] = OutputFormat.table,
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the terminal.")
    ] = None,
    export: Annotated[
        str | None,
        typer.Option(
            help="Write --out with a registered export format (json, csv, or a plugin's)."
        ),
    ] = None,
    emit_technicians: Annotated[
        str | None,
        typer.Option(
            help="Write each region's technicians/v1 problem; the path must contain {region} "
            "unless one region is planned.",
        ),
    ] = None,
    emit_spares: Annotated[
        Path | None,
        typer.Option(
            help="Write the spares/v2 problem of the planned regions (availability targets "
            "per depot from the strategy chain)."
        ),
    ] = None,
    spares_budget: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="With --emit-spares: a budget objective instead of the availability targets.",
        ),
    ] = None,
    spares_fill_rate: Annotated[
        bool,
        typer.Option(
            "--spares-fill-rate",
            help="With --emit-spares: the strategy's fill-rate target instead of availability.",
        ),
    ] = False,
) -> None:
    """The product's tiered service plan in every region, with the demand it implies."""
    loaded = host()
    exporter = None
    if export is not None:
        try:
            formats = loaded.export_formats()
        except PluginError as exc:
            fail(str(exc), EXIT_PLUGIN)
        if export not in formats:
            fail(
                f"--export: unknown export format {export!r} (formats: {', '.join(sorted(formats))})"
            )
        if out is None:
            fail(f"--export {export} needs --out FILE")
        exporter = formats[export]
    try:
        planned = actions.plan(
            loaded, product, profile=profile, regions=regions, strategy=strategy, only=region
        )
        emitted = emit_problems(
            planned, emit_technicians, emit_spares, spares_budget, spares_fill_rate
        )
    except ProfileError as exc:
        fail(exc.problems)
    except PluginError as exc:
        fail(str(exc), EXIT_PLUGIN)
    except PlannerError as exc:
        fail(str(exc))
    warn_problems(loaded)
    report = planned.report
    for path, text in emitted:
        emit(text, path)
    if exporter is not None:
        plugin, fmt = exporter
        try:
            fmt.write(report, out)
        except OSError as exc:
            fail(f"{out}: cannot write: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a plugin's writer
            fail(
                f"plugin {plugin!r} failed to export {fmt.name}: {type(exc).__name__}: {exc}",
                EXIT_PLUGIN,
            )
        typer.echo(f"wrote {out} ({fmt.name})", err=True)
    elif format == OutputFormat.json:
        emit(json.dumps(report.to_jsonable(), indent=2, ensure_ascii=False) + "\n", out)
    else:
        emit(plan_table(report), out)


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


# ---------------------------------------------------------------------------- scenario

FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json")]

scenario_app = typer.Typer(
    help="Scenarios: plans, stations, parts, a simulation check and scorecards in one run.",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("examples")
def scenario_examples(output: FormatOption = OutputFormat.table) -> None:
    """List the bundled scenarios (name and file)."""
    from planner.scenario import bundled_scenarios

    found = bundled_scenarios()
    if output == OutputFormat.json:
        typer.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    typer.echo(table([[s["name"], s["path"]] for s in found], ["name", "path"]), nl=False)


def _share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.2f} %"


def scenario_table(result: Any) -> str:
    """The scenario's KPIs, costs, regions and check as terminal tables."""
    k = result.kpis
    lines = [
        f"scenario: {result.scenario.name}",
        f"products: {', '.join(result.scenario.products)}",
        "",
        (
            f"annual cost {k.cost:,.0f} CNY  revenue {k.costs.revenue:,.0f}  "
            f"margin {k.costs.margin:,.0f}  parts stock {k.investment:,.0f} CNY"
        ),
        (
            f"coverage {_share(k.coverage)}  dispatch level {_share(k.dispatch_level)}  "
            f"fill rate {_share(k.fill_rate)}  availability {_share(k.availability)}  "
            f"technicians {k.technicians}  stations {k.stations}  stock units {k.stock_units}"
        ),
        "",
    ]
    text = "\n".join(lines) + "\n"
    text += print_rows(views.cost_rows(result), views.COSTS.labels, {"amount": ",.0f"})
    text += "\n"
    regions = views.REGIONS
    formats = {f: ".4f" for f, kind in regions.kinds.items() if kind in (views.Kind.LEVEL,)} | {
        "cost": ",.0f",
        "investment": ",.0f",
        "onsite_hours": "g",
    }
    text += print_rows(views.region_rows(result), regions.labels, formats)
    text += "\nsimulation check (predicted vs simulated, 95 % interval):\n"
    check = views.CHECK
    shown = {f: label for f, label in check.labels.items() if f != "note"}
    text += print_rows(
        views.check_rows(result),
        shown,
        dict.fromkeys(("predicted", "simulated", "lo", "hi"), ".4f"),
    )
    notes = sorted({c.note for c in result.check if not c.agrees and c.note})
    for note in notes:
        text += f"  where they differ: {note}\n"
    text += scorecards_text(result.scorecards)
    text += "\ntimings: " + "  ".join(f"{n} {s:.2f} s" for n, s in result.timings.items())
    return text + "\n"


@scenario_app.command("run")
def scenario_run(
    file: Annotated[Path, typer.Argument(help="A scenario file (TOML, YAML or JSON).")],
    output: FormatOption = OutputFormat.table,
    out: Annotated[
        Path | None, typer.Option(help="Write the result here instead of printing it.")
    ] = None,
    save: Annotated[
        str | None, typer.Option(help="Save the run in the store under this name (a new version).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Run a scenario end to end: plans, stations, parts, simulation check, scorecards."""
    from planner.scenario import InfeasibleTarget, ScenarioError, load_scenario, run

    store = open_store_or_fail(db) if save is not None else None
    loaded_host = host()
    try:
        loaded = load_scenario(file, host=loaded_host)
    except ProfileError as exc:
        fail(exc.problems)
    try:
        if sys.stderr.isatty():
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("scenario", total=1.0)

                def step(message: str, share: float) -> None:
                    bar.update(task, completed=share, description=message)

                result = run(loaded, progress=step)
        else:
            result = run(loaded)
    except InfeasibleTarget as exc:
        fail(exc.problems, EXIT_INFEASIBLE)
    except ScenarioError as exc:
        fail(exc.problems)
    except (InputError, PluginError) as exc:
        fail(str(exc))
    warn_problems(loaded_host)
    if store is not None and save is not None:
        from planner.store import StoreError

        try:
            with store:
                saved = store.save(save, loaded.scenario.model_dump(mode="json"), result)
        except StoreError as exc:
            fail(str(exc))
        typer.echo(f"saved {saved.name!r} version {saved.number} in {store.location}", err=True)
    if output == OutputFormat.json:
        text = json.dumps(result.to_jsonable(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = scenario_table(result)
    emit(text, out)


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


@scenario_app.command("list")
def scenario_list(output: FormatOption = OutputFormat.table, db: DbOption = None) -> None:
    """The saved scenarios: name, versions, the latest version's time and headline figures."""
    with open_store_or_fail(db) as store:
        found = _store_call(store.names)
        location = store.location
    if output == OutputFormat.json:
        data = {"store": location, "scenarios": [s.to_jsonable() for s in found]}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    typer.echo(f"store: {location}")
    rows = [
        [
            s.name,
            str(s.versions),
            s.latest.created_at.strftime("%Y-%m-%d %H:%M"),
            number(s.latest.summary.get("cost") or 0.0),
            _share(s.latest.summary.get("coverage")),
            _share(s.latest.summary.get("availability")),
        ]
        for s in found
    ]
    header = ["name", "versions", "latest (UTC)", "cost CNY/yr", "coverage", "availability"]
    typer.echo(table(rows, header), nl=False)


@scenario_app.command("show")
def scenario_show(
    name: Annotated[str, typer.Argument(help="A saved scenario's name.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="Show this version (default: list them).")
    ] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List a saved scenario's versions, or show one version's result."""
    with open_store_or_fail(db) as store:
        versions = _store_call(store.versions, name)
        saved = _store_call(store.load, name, version) if version is not None else None
    if saved is None:
        if output == OutputFormat.json:
            data = {"name": name, "versions": [v.to_jsonable() for v in versions]}
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        rows = [
            [
                str(v.number),
                v.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                v.planner_version,
                v.schema_revision,
                number(v.summary.get("cost") or 0.0),
                _share(v.summary.get("coverage")),
                _share(v.summary.get("availability")),
            ]
            for v in versions
        ]
        header = [
            "version",
            "created (UTC)",
            "planner",
            "schema",
            "cost CNY/yr",
            "coverage",
            "availability",
        ]
        typer.echo(f"{name}: {len(versions)} version(s)")
        typer.echo(table(rows, header), nl=False)
        return
    if output == OutputFormat.json:
        data = {
            "name": name,
            "versions": [v.to_jsonable() for v in versions],
            "version": saved.info.to_jsonable(),
            "inputs": saved.inputs,
            "result": saved.result.to_jsonable(),
        }
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"{name} version {saved.info.number}, saved {saved.info.created_at:%Y-%m-%d %H:%M} UTC"
    )
    typer.echo(scenario_table(saved.result), nl=False)


def _store_call(method: Callable[..., Any], *args: Any) -> Any:
    from planner.store import StoreError

    try:
        return method(*args)
    except StoreError as exc:
        fail(str(exc))


db_app = typer.Typer(help="The scenario store.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Upgrade the store's schema to this planner's (saved versions are kept)."""
    from planner.store import StoreError, upgrade

    try:
        before, after = upgrade(db)
    except StoreError as exc:
        fail(str(exc))
    if before == after:
        typer.echo(f"the store is at schema revision {after}: nothing to do")
    else:
        typer.echo(f"upgraded the store from schema revision {before} to {after}")


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
