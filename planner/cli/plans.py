"""``planner plugins``, ``planner validate`` and ``planner plan``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from planner import actions, views
from planner.cli.common import (
    EXIT_INPUT,
    EXIT_PLUGIN,
    OutputFormat,
    app,
    emit,
    fail,
    host,
    print_rows,
    registered_products,
    scorecards_text,
    warn_problems,
)
from planner.errors import InputError, PlannerError
from planner.models.report import PlanReport
from planner.plugins import PluginError
from planner.profiles import ProfileError, expand_paths, validate_files

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
