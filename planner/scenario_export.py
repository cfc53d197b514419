"""A scenario's result as files: an Excel workbook, a zip of CSV tables, or JSON.

:func:`scenario_tables` builds every table once, as typed rows under :class:`planner.views.Table`
specs: the summary (the scenario, its KPIs with units, the cost by component, the status of
every solve), each region's stations, sites served, preventive schedule and promises, and the
parts stock and availability. :func:`export_scenario` renders them:

- ``xlsx``: a ``summary`` sheet, one sheet per region, a ``parts`` sheet; each sheet holds its
  tables one under another, each under its title and a header of labels;
- ``csv``: a zip with one CSV per table (``summary-kpis.csv``, ``east-stations.csv``,
  ``parts-stock.csv``, ...), headers labelled;
- ``json``: ``{"scenario", "region", "summary", "regions", "parts"}``, each table a list of
  records keyed by field name.

With a ``region``, only that region's sheet or tables, and of the parts only the central
warehouse and that region's depots. Sheet and file names come from region ids and scenario
names, which users choose: :func:`sheet_name` and :func:`file_name` make them safe and unique.
:func:`write_export` writes atomically (:func:`planner.export.write_atomic`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from planner.allocation import XLSX_FORMATS
from planner.export import write_atomic
from planner.models.scenario import ScenarioResult
from planner.optimise.technicians import PlanEvaluation
from planner.views import (
    COSTS,
    REGIONS,
    SITES,
    STATIONS,
    Kind,
    Table,
    cost_rows,
    region_rows,
    site_rows,
    station_fields,
    station_rows,
)

__all__ = [
    "AVAILABILITY",
    "FORMATS",
    "INFO",
    "KPIS",
    "PREVENTIVE",
    "SCENARIO_PROMISES",
    "SOLVES",
    "STOCK",
    "AvailabilityRow",
    "ExportFormatName",
    "ExportTable",
    "InfoRow",
    "KpiRow",
    "PreventiveRow",
    "ScenarioPromiseRow",
    "ScenarioTables",
    "SolveRow",
    "StockRow",
    "export_file_name",
    "export_scenario",
    "file_name",
    "scenario_tables",
    "sheet_name",
    "write_export",
]

ExportFormatName = Literal["xlsx", "csv", "json"]
FORMATS: dict[str, str] = {"xlsx": ".xlsx", "csv": ".zip", "json": ".json"}
"""Each format and the suffix of its file (CSV tables come zipped)."""

CENTRAL = "central"
"""The parts problem's location id of the central warehouse."""


# ------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class InfoRow:
    """One fact about the scenario."""

    item: str
    value: str


@dataclass(frozen=True)
class KpiRow:
    """One of the scenario's figures and its unit."""

    kpi: str
    value: float
    unit: str


@dataclass(frozen=True)
class SolveRow:
    """How one optimiser run ended: a region's station problem, or the parts problem."""

    problem: str = ""
    region: str = ""
    status: str = ""
    gap: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class PreventiveRow:
    """One item of a product's preventive tier in a region."""

    product: str
    item: str
    performer: str
    occurrences_per_year: float
    labour_hours: float
    annual_labour_hours: float


@dataclass(frozen=True)
class ScenarioPromiseRow:
    """What a product's plan promises in a region."""

    product: str
    reply_hours: float
    onsite_hours: float
    repair_hours: float
    coverage_target: float
    dispatch_within_hours: float
    dispatch_level: float
    availability_target: float


@dataclass(frozen=True)
class StockRow:
    """The stock of one part at one location (the central warehouse or a depot)."""

    part: str
    location: str
    quantity: int
    unit_cost: float | None
    value: float | None


@dataclass(frozen=True)
class AvailabilityRow:
    """A depot's parts availability against its target."""

    depot: str
    machines: int | None
    target: float | None
    availability: float
    met: bool | None


INFO = Table(InfoRow, {"item": "item", "value": "value"})
KPIS = Table(KpiRow, {"kpi": "KPI", "value": "value", "unit": "unit"})
SOLVES = Table(
    SolveRow,
    {
        "problem": "problem",
        "region": "region",
        "status": "status",
        "gap": "gap",
        "reason": "reason",
    },
)
PREVENTIVE = Table(
    PreventiveRow,
    {
        "product": "product",
        "item": "item",
        "performer": "by",
        "occurrences_per_year": "per year",
        "labour_hours": "hours each",
        "annual_labour_hours": "hours / yr",
    },
    kinds={
        "occurrences_per_year": Kind.COUNT,
        "labour_hours": Kind.HOURS,
        "annual_labour_hours": Kind.HOURS,
    },
)
SCENARIO_PROMISES = Table(
    ScenarioPromiseRow,
    {
        "product": "product",
        "reply_hours": "reply h",
        "onsite_hours": "on-site h",
        "repair_hours": "repair h",
        "coverage_target": "coverage target",
        "dispatch_within_hours": "dispatch within h",
        "dispatch_level": "dispatch level target",
        "availability_target": "parts availability target",
    },
    kinds={
        "reply_hours": Kind.HOURS,
        "onsite_hours": Kind.HOURS,
        "repair_hours": Kind.HOURS,
        "coverage_target": Kind.LEVEL,
        "dispatch_level": Kind.LEVEL,
        "availability_target": Kind.LEVEL,
    },
)
STOCK = Table(
    StockRow,
    {
        "part": "part",
        "location": "location",
        "quantity": "quantity",
        "unit_cost": "unit cost",
        "value": "value",
    },
    kinds={"unit_cost": Kind.MONEY, "value": Kind.MONEY},
)
AVAILABILITY = Table(
    AvailabilityRow,
    {
        "depot": "depot",
        "machines": "machines",
        "target": "target",
        "availability": "availability",
        "met": "met",
    },
    kinds={"target": Kind.LEVEL, "availability": Kind.LEVEL},
)


@dataclass(frozen=True)
class ExportTable:
    """One table of an export: ``name`` (a key: ``stations``), ``title`` (a heading),
    the ``rows`` under ``table``'s labels, the columns ``fields``."""

    name: str
    title: str
    table: Table
    rows: tuple[Any, ...]
    fields: tuple[str, ...]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by field name (the JSON export's)."""
        return [{f: _plain(getattr(row, f)) for f in self.fields} for row in self.rows]

    def header(self) -> list[str]:
        return [self.table.labels[f] for f in self.fields]

    def values(self) -> list[list[Any]]:
        return [[_plain(getattr(row, f)) for f in self.fields] for row in self.rows]


@dataclass(frozen=True)
class ScenarioTables:
    """Every table of an export: the ``summary``'s, each region's (by region id, in the
    result's order) and the ``parts``'."""

    scenario: str
    region: str | None
    summary: tuple[ExportTable, ...]
    regions: dict[str, tuple[ExportTable, ...]]
    parts: tuple[ExportTable, ...]


def _plain(value: Any) -> Any:
    """A cell's value: numbers, text, booleans and None as they are; enums as their value."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return str(value)


def _table(name: str, title: str, table: Table, rows: Iterable[Any], fields=None) -> ExportTable:
    return ExportTable(name, title, table, tuple(rows), tuple(fields or table.fields))


# ------------------------------------------------------------------------------- tables


def _check_region(result: ScenarioResult, region: str | None) -> None:
    known = [o.region for o in result.regions]
    if region is not None and region not in known:
        raise ValueError(
            f"region {region!r} is not in scenario {result.scenario.name!r} "
            f"(known: {', '.join(known)})"
        )


def _region_depots(result: ScenarioResult, region: str) -> list[tuple[str, str, int]]:
    """(product, parts-problem depot id, machines) of the region's products."""
    from planner.scenario import depot_key

    portfolio = len(result.plans) > 1
    return [
        (
            report.product,
            depot_key(rp.demand.depot, report.product, portfolio),
            rp.plan.installed_base,
        )
        for report in result.plans
        for rp in report.regions
        if rp.plan.region == region
    ]


def _summary(result: ScenarioResult) -> tuple[ExportTable, ...]:
    sc, k = result.scenario, result.kpis
    info = [
        InfoRow("scenario", sc.name),
        InfoRow("description", sc.description),
        InfoRow("products", ", ".join(sc.products)),
        InfoRow("regions", ", ".join(o.region for o in result.regions)),
        InfoRow("source", result.source),
    ]
    kpis = [
        KpiRow("total cost", k.cost, "CNY/yr"),
        KpiRow("coverage", k.coverage, "share of emergency calls within the on-site promise"),
        KpiRow("dispatch level", k.dispatch_level, "share of calls finding a free technician"),
        KpiRow("fill rate", k.fill_rate, "share of unplanned part demand filled at the depot"),
        KpiRow("availability", k.availability, "share of machines not down for want of a part"),
        KpiRow("technicians", k.technicians, "technicians"),
        KpiRow("stations", k.stations, "stations"),
        KpiRow("stock units", k.stock_units, "units"),
        KpiRow("stock value", k.investment, "CNY"),
    ]
    solves = [
        SolveRow(
            problem=str(t["problem"].get("name", "")),
            region=rid,
            status=str(t["result"].get("status", "")),
            gap=t["result"].get("gap"),
            reason=str(t["result"].get("reason") or ""),
        )
        for rid, t in result.technicians.items()
    ]
    parts = result.parts.get("result", {})
    solves.append(
        SolveRow(
            problem=str(result.parts.get("problem", {}).get("name", "parts")),
            region="all",
            status=str(parts.get("status", "")),
            gap=parts.get("gap"),
            reason=str(parts.get("reason") or ""),
        )
    )
    return (
        _table("scenario", "scenario", INFO, info),
        _table("kpis", "KPIs", KPIS, kpis),
        _table("costs", "cost by component", COSTS, cost_rows(result)),
        _table("solves", "status of the solves", SOLVES, solves),
    )


def _region(result: ScenarioResult, region: str) -> tuple[ExportTable, ...]:
    overview = [row for row in region_rows(result) if row.region == region]
    data = result.allocations.get(region)
    evaluation = None if data is None else PlanEvaluation.model_validate(data)
    problem = result.technicians.get(region, {}).get("problem", {})
    stations = () if evaluation is None else station_rows(evaluation)
    sites = () if evaluation is None else site_rows(evaluation)
    preventive = []
    promises = []
    for report in result.plans:
        for rp in report.regions:
            plan = rp.plan
            if plan.region != region:
                continue
            preventive.extend(
                PreventiveRow(
                    product=report.product,
                    item=item.name,
                    performer=item.performer.value,
                    occurrences_per_year=item.occurrences_per_year,
                    labour_hours=item.labour_hours,
                    annual_labour_hours=item.annual_labour_hours,
                )
                for item in plan.preventive.items
            )
            e = plan.posture.emergency
            promises.append(
                ScenarioPromiseRow(
                    product=report.product,
                    reply_hours=e.reply_hours,
                    onsite_hours=e.onsite_hours,
                    repair_hours=e.repair_hours,
                    coverage_target=e.coverage_target,
                    dispatch_within_hours=e.dispatch_within_hours,
                    dispatch_level=e.dispatch_service_level,
                    availability_target=plan.posture.availability_target,
                )
            )
    return (
        _table("region", "region", REGIONS, overview),
        _table(
            "stations",
            "stations",
            STATIONS,
            stations,
            station_fields(problem.get("dispatch") is not None),
        ),
        _table("sites", "sites served", SITES, sites),
        _table("preventive", "preventive schedule", PREVENTIVE, preventive),
        _table("promises", "promises", SCENARIO_PROMISES, promises),
    )


def _parts(result: ScenarioResult, region: str | None) -> tuple[ExportTable, ...]:
    problem = result.parts.get("problem", {})
    solved = result.parts.get("result", {})
    costs = {p["id"]: p.get("unit_cost") for p in problem.get("parts", [])}
    machines = problem.get("installed_base") or {}
    targets = (problem.get("objective") or {}).get("target_availability")
    depots = None if region is None else {d for _, d, _ in _region_depots(result, region)}
    stock = []
    for line in solved.get("stock", []):
        if depots is not None and line["location"] != CENTRAL and line["location"] not in depots:
            continue
        cost = costs.get(line["part"])
        stock.append(
            StockRow(
                part=line["part"],
                location=line["location"],
                quantity=int(line["quantity"]),
                unit_cost=cost,
                value=None if cost is None else cost * line["quantity"],
            )
        )
    availability = []
    for depot, value in (solved.get("availability") or {}).items():
        if depots is not None and depot not in depots:
            continue
        target = targets.get(depot) if isinstance(targets, dict) else targets
        availability.append(
            AvailabilityRow(
                depot=depot,
                machines=machines.get(depot),
                target=target,
                availability=value,
                met=None if target is None else value >= target - 1e-12,
            )
        )
    return (
        _table("stock", "stock per part and location", STOCK, stock),
        _table("availability", "parts availability per depot", AVAILABILITY, availability),
    )


def scenario_tables(result: ScenarioResult, region: str | None = None) -> ScenarioTables:
    """Every table of ``result`` (only ``region``'s with a region; ValueError naming the
    known regions if it has no such region)."""
    _check_region(result, region)
    regions = [o.region for o in result.regions if region is None or o.region == region]
    return ScenarioTables(
        scenario=result.scenario.name,
        region=region,
        summary=_summary(result),
        regions={rid: _region(result, rid) for rid in regions},
        parts=_parts(result, region),
    )


# ------------------------------------------------------------------------------- names

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED_FILES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
SHEET_MAX = 31
FILE_MAX = 100


def sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as an Excel sheet name: none of ``[]:*?/\\``, no leading or trailing
    apostrophe, at most 31 characters, unlike (ignoring case) every name in ``taken``
    (and Excel's reserved ``History``), which it is added to."""
    used = {t.casefold() for t in taken} | {"history"}
    base = _SHEET_FORBIDDEN.sub("_", name).strip().strip("'")[:SHEET_MAX].strip().strip("'")
    base = base or "sheet"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f"~{n}"
        candidate = base[: SHEET_MAX - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


def file_name(name: str, taken: set[str], suffix: str = "") -> str:
    """``name`` + ``suffix`` as a safe file name: letters, digits, ``.``, ``_`` and ``-``
    only, no leading dot or ``..``, no device name, at most 100 characters, unlike
    (ignoring case) every name in ``taken``, which it is added to."""
    stem = _FILE_UNSAFE.sub("_", name)
    stem = re.sub(r"\.{2,}", ".", stem).strip("._-")
    if not stem or stem.split(".", 1)[0].upper() in _RESERVED_FILES:
        stem = f"_{stem}"
    stem = stem[: FILE_MAX - len(suffix)]
    used = {t.casefold() for t in taken}
    candidate, n = stem + suffix, 2
    while candidate.casefold() in used:
        mark = f"-{n}"
        candidate = stem[: FILE_MAX - len(suffix) - len(mark)] + mark + suffix
        n += 1
    taken.add(candidate)
    return candidate


def export_file_name(
    result: ScenarioResult,
    fmt: ExportFormatName,
    region: str | None = None,
    name: str | None = None,
) -> str:
    """A safe file name for the export: ``name`` (the name it was saved under, say; the
    scenario's own name by default), the region if one, and the format's suffix (``.zip``
    for CSV)."""
    _check_format(fmt)
    stem = result.scenario.name if name is None else name
    return file_name(stem if region is None else f"{stem}-{region}", set(), FORMATS[fmt])


# ------------------------------------------------------------------------------- render


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def export_scenario(
    result: ScenarioResult, fmt: ExportFormatName, region: str | None = None
) -> bytes:
    """``result`` (or one ``region`` of it) as an ``xlsx`` workbook, a zip of ``csv`` tables
    or ``json``. ValueError for an unknown format or region."""
    _check_format(fmt)
    tables = scenario_tables(result, region)
    if fmt == "xlsx":
        return _xlsx(tables)
    if fmt == "csv":
        return _zip(tables)
    return (json.dumps(_json(tables), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_export(
    result: ScenarioResult, fmt: ExportFormatName, path: str | Path, region: str | None = None
) -> Path:
    """Write :func:`export_scenario` to ``path`` atomically: the old file or the whole new
    one, never half of it. ValueError before anything is written for a bad format or region;
    an OSError (of the original kind) saying which file could not be written and why."""
    path = Path(path)
    data = export_scenario(result, fmt, region)
    try:
        write_atomic(path, data)
    except OSError as error:
        why = error.strerror or str(error)
        raise type(error)(error.errno, f"cannot write the {fmt} export to {path}: {why}") from error
    return path


def _json(tables: ScenarioTables) -> dict[str, Any]:
    def group(items: Sequence[ExportTable]) -> dict[str, list[dict[str, Any]]]:
        return {t.name: t.records() for t in items}

    return {
        "scenario": tables.scenario,
        "region": tables.region,
        "summary": group(tables.summary),
        "regions": {rid: group(items) for rid, items in tables.regions.items()},
        "parts": group(tables.parts),
    }


def _csv(table: ExportTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header())
    writer.writerows(["" if v is None else v for v in line] for line in table.values())
    return buffer.getvalue()


def _zip(tables: ScenarioTables) -> bytes:
    taken: set[str] = set()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        groups = [("summary", tables.summary), *tables.regions.items(), ("parts", tables.parts)]
        for prefix, items in groups:
            for table in items:
                name = file_name(f"{prefix}-{table.name}", taken, ".csv")
                archive.writestr(name, _csv(table))
    return buffer.getvalue()


def _xlsx(tables: ScenarioTables) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    taken: set[str] = {"summary", "parts"}
    summary = book.active
    summary.title = "summary"
    _sections(summary, tables.summary)
    for rid, items in tables.regions.items():
        _sections(book.create_sheet(sheet_name(rid, taken)), items)
    _sections(book.create_sheet("parts"), tables.parts)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sections(sheet: Any, items: Sequence[ExportTable]) -> None:
    """Each table under its bold title and its header of labels, a blank row between."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths: dict[int, int] = {}
    row = 1
    for table in items:
        sheet.cell(row=row, column=1, value=table.title).font = bold
        row += 1
        for col, label in enumerate(table.header(), start=1):
            sheet.cell(row=row, column=col, value=label).font = bold
            widths[col] = max(widths.get(col, 12), min(len(label) + 2, 40))
        row += 1
        formats = {
            col: XLSX_FORMATS[table.table.kinds[f]]
            for col, f in enumerate(table.fields, start=1)
            if table.table.kinds.get(f) in XLSX_FORMATS
        }
        for line in table.values():
            for col, value in enumerate(line, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=row, column=col, value=value)
                if col in formats:
                    cell.number_format = formats[col]
            row += 1
        row += 1
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = width
