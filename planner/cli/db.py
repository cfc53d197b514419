"""``planner db upgrade``: the scenario store's schema."""

from __future__ import annotations

import typer

from planner.cli.common import (
    DbOption,
    app,
    fail,
)

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
