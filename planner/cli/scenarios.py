"""``planner scenario examples|run|list|show|compare|export``."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from planner import views
from planner.cli.common import (
    EXIT_INFEASIBLE,
    DbOption,
    FormatOption,
    OutputFormat,
    app,
    emit,
    fail,
    host,
    number,
    open_store_or_fail,
    print_rows,
    scorecards_text,
    share,
    store_call,
    table,
    warn_problems,
)
from planner.errors import InputError
from planner.plugins import PluginError
from planner.profiles import ProfileError

# ---------------------------------------------------------------------------- scenario

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
            f"coverage {share(k.coverage)}  dispatch level {share(k.dispatch_level)}  "
            f"fill rate {share(k.fill_rate)}  availability {share(k.availability)}  "
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


@scenario_app.command("list")
def scenario_list(output: FormatOption = OutputFormat.table, db: DbOption = None) -> None:
    """The saved scenarios: name, versions, the latest version's time and headline figures."""
    with open_store_or_fail(db) as store:
        found = store_call(store.names)
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
            share(s.latest.summary.get("coverage")),
            share(s.latest.summary.get("availability")),
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
        versions = store_call(store.versions, name)
        saved = store_call(store.load, name, version) if version is not None else None
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
                share(v.summary.get("coverage")),
                share(v.summary.get("availability")),
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


# ---------------------------------------------------------------------------- compare


def resolve_saved(spec: str, names: set[str]) -> tuple[str, int | None]:
    """``spec`` as (name, version): a saved name as it is (its latest version), or
    ``NAME@N`` for version N of NAME."""
    if spec in names:
        return spec, None
    found = re.fullmatch(r"(.+)@(\d+)", spec)
    if found and found.group(1) in names:
        return found.group(1), int(found.group(2))
    return spec, None


def comparison_table(comparison: Any) -> str:
    """One line per metric (and region): each scenario's value, then each other scenario's
    change from the baseline."""
    from planner.compare import comparison_grid

    header, rows = comparison_grid(comparison)
    return f"baseline: {comparison.baseline}\n\n" + table(rows, header)


@scenario_app.command("compare")
def scenario_compare(
    names: Annotated[
        list[str],
        typer.Argument(help="Saved scenarios: NAME (its latest version) or NAME@N (version N)."),
    ],
    baseline: Annotated[
        str | None,
        typer.Option(help="Compare with this one (one of NAMES; default: the first)."),
    ] = None,
    output: FormatOption = OutputFormat.table,
    out: Annotated[
        Path | None, typer.Option(help="Write the comparison here instead of printing it.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Saved scenarios side by side, each figure with its change from the baseline.

    Cost by component, margin, service and parts levels, technicians and stock per region.
    """
    from planner.compare import compare

    if baseline is not None and baseline not in names:
        fail(f"--baseline: {baseline!r} is not one of the compared scenarios ({', '.join(names)})")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        fail(f"NAMES: each scenario once ({', '.join(map(repr, twice))} given twice)")
    with open_store_or_fail(db) as store:
        saved_names = {s.name for s in store_call(store.names)}
        results = []
        for spec in names:
            name, version = resolve_saved(spec, saved_names)
            results.append((spec, store_call(store.load, name, version).result))
    comparison = compare(results, baseline)
    if output == OutputFormat.json:
        text = json.dumps(comparison.to_jsonable(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = comparison_table(comparison)
    emit(text, out)


# ---------------------------------------------------------------------------- export


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


@scenario_app.command("export")
def scenario_export(
    name: Annotated[str, typer.Argument(help="A saved scenario's name.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="Export this version (default: the latest).")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Export this region only (default: the whole scenario).")
    ] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", help="xlsx (a workbook), csv (a zip of tables) or json."),
    ] = ExportFormat.xlsx,
    out: Annotated[
        Path | None,
        typer.Option(
            help="The file to write, or a folder to write it in under a safe name (default: "
            "the current folder)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Export a saved scenario, or one region of it, as XLSX, a zip of CSV tables or JSON.

    A summary; per region its stations, technicians, sites with travel times, preventive
    schedule and promises; the parts stock and availability per depot.
    """
    from planner.scenario_export import export_file_name, write_export

    with open_store_or_fail(db) as store:
        saved = store_call(store.load, name, version)
    result = saved.result
    target = out if out is not None else Path.cwd()
    if target.is_dir():
        target = target / export_file_name(
            result, fmt.value, region, f"{name}-v{saved.info.number}"
        )
    try:
        path = write_export(result, fmt.value, target, region)
    except ValueError as exc:  # the only one: a region the scenario does not have
        fail(f"--region: {exc}")
    except OSError as exc:
        fail(exc.strerror or str(exc))
    what = "the whole scenario" if region is None else f"region {region}"
    typer.echo(f"wrote {path} ({what} of {name!r} version {saved.info.number})", err=True)
