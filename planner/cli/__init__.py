"""The ``planner`` command line: one module per command group, all on one Typer app.

- :mod:`planner.cli.common`: the app, exit codes, shared options and output helpers;
- :mod:`planner.cli.plans`: ``plugins``, ``validate`` and ``plan``;
- :mod:`planner.cli.optimise`: ``optimise technicians|frontier|spares``;
- :mod:`planner.cli.scenarios`: ``scenario examples|run|list|show|compare|export``;
- :mod:`planner.cli.db`: ``db upgrade``.

Exit codes: 0 success; 1 a plugin failed; 2 bad input (a message names the file, the
field and the value; never a traceback); 3 infeasible; 4 no plan within the time limit.
"""

from __future__ import annotations

import sys

import typer

from planner.cli import db, optimise, plans, scenarios  # noqa: F401  (they register commands)
from planner.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
