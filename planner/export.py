"""Export formats of plan reports (:class:`ExportFormat`) and the built-in ones, JSON and CSV.

Registered as a built-in plugin through ``planner_export_formats``, the same
hook third-party formats use. Files are written atomically: to a temporary
file beside the target, then renamed, so a failed export never leaves a
half-written file or destroys the previous one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.hookspecs import hookimpl
from planner.models.report import PlanReport

CSV_COLUMNS = (
    "product",
    "region",
    "class",
    "tier",
    "item",
    "name",
    "on_site",
    "own_visit",
    "occurrences_per_year",
    "labour_hours",
    "annual_labour_hours",
    "cost_each",
    "annual_cost",
    "promised_hours",
)


@dataclass(frozen=True)
class ExportFormat:
    """An export format: ``write(report, path)`` writes a plan report to ``path``.

    Plugins return these from ``planner_export_formats``; the formats are
    registered by ``name`` (see :class:`planner.plugins.Register`).
    """

    name: str
    suffix: str
    description: str
    write: Callable[..., None]


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8 if a string) to ``path`` so that readers see the old file or
    the whole new one."""
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report_json(report: PlanReport) -> str:
    return json.dumps(report.to_jsonable(), indent=2, ensure_ascii=False) + "\n"


def report_csv(report: PlanReport) -> str:
    """One row per plan item, every region and tier."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rp in report.regions:
        plan = rp.plan
        for tier in plan.tiers():
            for item in tier.items:
                writer.writerow(
                    (
                        report.product,
                        plan.region,
                        plan.market_class.value,
                        tier.tier.value,
                        item.id,
                        item.name,
                        item.on_site,
                        item.own_visit,
                        f"{item.occurrences_per_year:.6g}",
                        f"{item.labour_hours:.6g}",
                        f"{item.annual_labour_hours:.6g}",
                        f"{item.cost_each:.2f}",
                        f"{item.annual_cost:.2f}",
                        "" if item.promised_hours is None else f"{item.promised_hours:g}",
                    )
                )
    return buffer.getvalue()


def _writer(render):
    def write(report: PlanReport, path: Path) -> None:
        write_atomic(Path(path), render(report))

    return write


@hookimpl
def planner_export_formats() -> list[ExportFormat]:
    return [
        ExportFormat("json", ".json", "the plan report as JSON", _writer(report_json)),
        ExportFormat("csv", ".csv", "one row per plan item", _writer(report_csv)),
    ]
