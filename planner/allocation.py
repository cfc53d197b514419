"""A technicians plan as the tables a regional manager reads, and their Excel export.

:func:`allocation_tables` formats the one evaluation of a ``technicians-result/v1`` plan
(:func:`planner.optimise.technicians.evaluate`: what each open station carries, where each
site is served from) as the summary, station and site rows of :mod:`planner.views`; it
computes nothing itself. :func:`allocation_xlsx` writes them as a workbook with a summary, a
stations sheet and a sites sheet, under the labels of :data:`planner.views.STATIONS` and
:data:`planner.views.SITES`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.optimise.technicians import evaluate
from planner.views import (
    SITES,
    STATIONS,
    AllocationSummary,
    Kind,
    SiteRow,
    StationRow,
    Table,
    allocation_summary,
    site_rows,
    station_fields,
    station_rows,
)

__all__ = ["AllocationTables", "allocation_tables", "allocation_xlsx"]

XLSX_FORMATS = {Kind.MONEY: "#,##0", Kind.HOURS: "#,##0.0", Kind.SHARE: "0.0%"}
"""Number formats of the workbook's columns by kind; other columns stay General."""


@dataclass(frozen=True)
class AllocationTables:
    """``summary`` of the result; ``stations`` and ``sites``, one row each (empty without a
    plan); ``station_fields``: the station columns shown (see :func:`station_fields`)."""

    summary: AllocationSummary
    stations: tuple[StationRow, ...]
    sites: tuple[SiteRow, ...]
    station_fields: tuple[str, ...]


def allocation_tables(
    problem: TechniciansProblem, result: TechniciansResult, d: np.ndarray | None = None
) -> AllocationTables:
    """The plan of ``result`` as summary, station and site tables (``d``: the problem's travel
    matrix, built if not given).

    Costs are a year's, in the problem's currency: a station's fixed cost, its technicians,
    and the travel to its sites (there and back, per emergency call and planned visit).
    """
    evaluation = evaluate(problem, result, d)
    return AllocationTables(
        summary=allocation_summary(problem, result, evaluation),
        stations=station_rows(evaluation),
        sites=site_rows(evaluation),
        station_fields=station_fields(problem.dispatch is not None),
    )


def allocation_xlsx(tables: AllocationTables) -> bytes:
    """The tables as an Excel workbook: sheets ``summary``, ``stations`` and ``sites``."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "summary"
    for label, value in tables.summary.lines():
        summary.append([label, value])
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 22
    _sheet(book.create_sheet("stations"), STATIONS, tables.stations, tables.station_fields)
    _sheet(book.create_sheet("sites"), SITES, tables.sites, SITES.fields)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(sheet: Any, table: Table, rows: Sequence[Any], fields: Sequence[str]) -> None:
    """``rows`` under a header of labels, the header frozen, numbers formatted by kind."""
    from openpyxl.utils import get_column_letter

    if not rows:
        return
    sheet.append([table.labels[f] for f in fields])
    for row in rows:
        sheet.append([getattr(row, f) for f in fields])
    sheet.freeze_panes = "A2"
    for col, name in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = max(12, len(table.labels[name]) + 2)
    formats = [
        (col, XLSX_FORMATS[table.kinds[name]])
        for col, name in enumerate(fields)
        if table.kinds.get(name) in XLSX_FORMATS
    ]
    for line in sheet.iter_rows(min_row=2):
        for col, number_format in formats:
            line[col].number_format = number_format
