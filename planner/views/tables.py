"""The table spec every view shares: :class:`Kind`, what a numeric column holds, and
:class:`Table`, the label of every field of a row type, in column order.

Each table has one :class:`Table` spec: the label of every field, in column order, and the kind
of number each numeric field holds. Only renderers read the specs: the app's dataframes, the
command line's table printer, and the exports (the allocation workbook, the frontier CSV).
Nothing reads a value back by its label.

The command line prints the frontier under narrower headings (:attr:`Table.terminal`) than its
CSV file and the app use; both sets of headings are older than these specs and users read
them, so both stay.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Kind", "Table"]


class Kind(StrEnum):
    """What a numeric column holds, so that each renderer can format it its own way."""

    MONEY = "money"
    """Currency units: thousands separators, whole units."""
    HOURS = "hours"
    """Hours: to a tenth."""
    COUNT = "count"
    """Events a year (calls, visits): to a tenth in the app."""
    SHARE = "share"
    """A ratio of two quantities (utilisation, a coverage target): in percent."""
    LEVEL = "level"
    """A probability or a share of calls reached: in percent in the app; the workbook keeps
    its full precision, to be read against the target."""


@dataclass(frozen=True)
class Table:
    """A table's columns: ``labels`` maps every field of ``row``, in field order, to its
    human label; ``kinds`` says what each numeric field holds; ``terminal`` (frontier only)
    maps the fields the command line prints to its narrower headings."""

    row: type
    labels: Mapping[str, str]
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    terminal: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = tuple(f.name for f in dataclasses.fields(self.row))
        if tuple(self.labels) != names:
            raise ValueError(
                f"{self.row.__name__}: labels must name every field in order "
                f"(fields {names}, labels {tuple(self.labels)})"
            )
        for mapping in (self.kinds, self.terminal):
            unknown = set(mapping) - set(names)
            if unknown:
                raise ValueError(f"{self.row.__name__}: no field(s) {sorted(unknown)}")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def records(self, rows: Iterable[Any], fields: Sequence[str] | None = None) -> list[dict]:
        """``rows`` as dicts keyed by label, with ``fields`` (default all) in table order."""
        shown = self.fields if fields is None else tuple(f for f in self.fields if f in fields)
        return [{self.labels[f]: getattr(row, f) for f in shown} for row in rows]
