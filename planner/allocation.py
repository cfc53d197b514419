"""A technicians plan as the tables a regional manager reads, and their Excel export.

:func:`allocation_tables` recomputes, from the problem and a ``technicians-result/v1``
plan, what each open station carries (technicians, on-duty staff, workload, calls,
dispatch level, costs) and where each site is served from (travel, whether within the
on-site promise). :func:`allocation_xlsx` turns them into a workbook with a summary, a
stations sheet and a sites sheet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.models.technicians import TechniciansProblem, TechniciansResult
from planner.optimise.network import travel_matrix
from planner.optimise.queueing import wait_probability
from planner.optimise.technicians import on_duty, site_travel_cost, site_workload

__all__ = [
    "AllocationTables",
    "allocation_tables",
    "allocation_xlsx",
    "frontier_rows",
    "parse_numbers",
]


@dataclass(frozen=True)
class AllocationTables:
    """``summary``: (label, value) lines; ``stations`` and ``sites``: one dict per row, the
    same keys in every row (the column headers)."""

    summary: list[tuple[str, Any]]
    stations: list[dict[str, Any]]
    sites: list[dict[str, Any]]


def allocation_tables(
    problem: TechniciansProblem, result: TechniciansResult, d: np.ndarray | None = None
) -> AllocationTables:
    """The plan of ``result`` as station and site tables (empty for an infeasible result).

    Costs are a year's, in the problem's currency: a station's fixed cost, its technicians,
    and the travel to its sites (there and back, per emergency call and planned visit).
    """
    status_lines: list[tuple[str, Any]] = [("problem", problem.name), ("status", result.status)]
    if result.status == "infeasible" or result.objective is None:
        return AllocationTables(status_lines + [("reason", result.reason)], [], [])
    if d is None:
        d = travel_matrix(problem)
    site_pos = {s.id: i for i, s in enumerate(problem.sites)}
    st_pos = {s.id: j for j, s in enumerate(problem.stations)}
    tech, em, dp = problem.technician, problem.emergency, problem.dispatch
    service = problem.service_hours_per_year
    rate = problem.travel_cost_per_hour
    stations: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    for plan in result.stations:
        j = st_pos[plan.id]
        station = problem.stations[j]
        work = calls = travel_cost = 0.0
        for sid in plan.sites:
            i = site_pos[sid]
            s = problem.sites[i]
            hours = float(d[j, i])
            site_work = site_workload(
                s.emergency_calls, s.planned_visits, s.planned_hours, hours, em.job_hours
            )
            site_travel = site_travel_cost(s.emergency_calls, s.planned_visits, hours, rate)
            work += site_work
            calls += s.emergency_calls
            travel_cost += site_travel
            sites.append(
                {
                    "site": sid,
                    "station": plan.id,
                    "travel hours": hours,
                    "within promise": hours <= em.onsite_hours,
                    "emergency calls / yr": s.emergency_calls,
                    "planned visits / yr": s.planned_visits,
                    "planned hours / yr": s.planned_hours,
                    "workload hours / yr": site_work,
                    "travel cost / yr": site_travel,
                }
            )
        capacity = plan.technicians * tech.productive_hours
        row: dict[str, Any] = {
            "station": plan.id,
            "technicians": plan.technicians,
            "max technicians": station.max_technicians,
        }
        if dp is not None:
            staff = on_duty(plan.technicians, tech.productive_hours, service)
            row["on duty"] = staff
            row["dispatch level"] = (
                wait_probability(staff, calls / service, dp.mean_call_hours, dp.within_hours)
                if calls > 0
                else None
            )
        row.update(
            {
                "sites": len(plan.sites),
                "emergency calls / yr": calls,
                "workload hours / yr": work,
                "technician hours / yr": capacity,
                "utilisation": work / capacity if capacity > 0 else None,
                "fixed cost / yr": station.fixed_cost,
                "technician cost / yr": tech.annual_cost * plan.technicians,
                "travel cost / yr": travel_cost,
            }
        )
        row["total cost / yr"] = (
            row["fixed cost / yr"] + row["technician cost / yr"] + row["travel cost / yr"]
        )
        stations.append(row)
    sites.sort(key=lambda r: site_pos[r["site"]])
    total_calls = sum(s.emergency_calls for s in problem.sites)
    summary = status_lines + [
        ("annual cost", result.objective),
        ("proven lower bound", result.bound),
        ("gap", result.gap),
        ("stations open", len(result.stations)),
        ("technicians", sum(p.technicians for p in result.stations)),
        ("on-site promise (h)", em.onsite_hours),
        ("coverage target", em.coverage_target),
        ("coverage reached", result.coverage),
        ("emergency calls / yr", total_calls),
    ]
    if dp is not None:
        levels = [r["dispatch level"] for r in stations if r["dispatch level"] is not None]
        summary += [
            ("dispatch service level target", dp.service_level),
            ("lowest dispatch level", min(levels) if levels else None),
        ]
    summary.append(("solve seconds", result.solve_seconds))
    return AllocationTables(summary, stations, sites)


def allocation_xlsx(tables: AllocationTables) -> bytes:
    """The tables as an Excel workbook: sheets ``summary``, ``stations`` and ``sites``."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    summary = book.active
    summary.title = "summary"
    for label, value in tables.summary:
        summary.append([label, value])
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 22
    for name, rows in (("stations", tables.stations), ("sites", tables.sites)):
        sheet = book.create_sheet(name)
        if not rows:
            continue
        header = list(rows[0])
        sheet.append(header)
        for row in rows:
            sheet.append([row[key] for key in header])
        sheet.freeze_panes = "A2"
        for col, key in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(col)].width = max(12, len(key) + 2)
        money = [col for col, key in enumerate(header, start=1) if "cost" in key]
        hours = [col for col, key in enumerate(header, start=1) if "hours" in key]
        shares = [col for col, key in enumerate(header, start=1) if key in ("utilisation",)]
        for line in sheet.iter_rows(min_row=2):
            for col in money:
                line[col - 1].number_format = "#,##0"
            for col in hours:
                line[col - 1].number_format = "#,##0.0"
            for col in shares:
                line[col - 1].number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def frontier_rows(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Frontier points (``FrontierPoint`` as dicts) as table rows, the same keys in each."""
    return [
        {
            "on-site promise (h)": p["onsite_hours"],
            "coverage target": p["coverage_target"],
            "status": p["status"],
            "annual cost": p["cost"],
            "proven bound": p["bound"],
            "coverage reached": p["coverage"],
            "dispatch level": p["dispatch_level"],
            "technicians": p["technicians"],
            "stations": len(p["stations"]),
            "reason": p["reason"] or "",
        }
        for p in points
    ]


def parse_numbers(label: str, text: str, low: float, high: float) -> tuple[float, ...]:
    """Comma-separated numbers in [low, high], sorted and without repeats; raises ValueError
    naming ``label`` and the offending value."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{label}: {part!r} is not a number") from None
        if not low <= value <= high:
            raise ValueError(f"{label}: {value:g} is outside [{low:g}, {high:g}]")
        values.append(value)
    if not values:
        raise ValueError(f"{label}: give at least one value")
    return tuple(sorted(set(values)))
