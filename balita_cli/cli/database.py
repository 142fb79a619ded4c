"""db: schema upgrades and a look at the database's state."""

from __future__ import annotations

import typer

from balita_cli import console
from balita_cli.cli.state import app as state_of
from balita_cli.db.urls import display_url

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply pending schema migrations (they also run automatically on first use).

    Example: balita db upgrade
    """
    # here: --help imports every command module
    from balita_cli.db.migrate import ensure_schema, head_revision, read_revision

    engine = state_of(ctx).engine(migrate=False)
    before = read_revision(engine)
    ensure_schema(engine)
    label = display_url(state_of(ctx).settings.database_url)
    if before == head_revision():
        console.info(f"{label} is up to date (revision {before})")
    else:
        console.info(f"{label} upgraded from {before or 'empty'} to {head_revision()}")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Print the database URL and its schema revision.

    Example: balita db status
    """
    from balita_cli.db.migrate import head_revision, read_revision  # here: --help imports every command module

    engine = state_of(ctx).engine(migrate=False)
    current = read_revision(engine)
    console.print_line(f"database\t{display_url(state_of(ctx).settings.database_url)}")
    console.print_line(f"revision\t{current or 'none'}")
    console.print_line(f"head\t{head_revision()}")
