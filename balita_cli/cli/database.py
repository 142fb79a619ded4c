"""db: schema upgrades and a look at the database's state."""

from __future__ import annotations

import typer

from balita_cli import console
from balita_cli.cli.state import state

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply pending schema migrations (they also run automatically on first use).

    Example: balita db upgrade
    """
    from balita_cli.db.engine import display_url
    from balita_cli.db.migrate import ensure_schema, head_revision, read_revision

    engine = state().engine(migrate=False)
    before = read_revision(engine)
    ensure_schema(engine)
    label = display_url(engine.url)
    if before == head_revision():
        console.info(f"{label} is up to date (revision {before})")
    else:
        console.info(f"{label} upgraded from {before or 'empty'} to {head_revision()}")


@app.command("status")
def status() -> None:
    """Print the database URL and its schema revision.

    Example: balita db status
    """
    from balita_cli.db.engine import display_url
    from balita_cli.db.migrate import head_revision, read_revision

    engine = state().engine(migrate=False)
    current = read_revision(engine)
    console.print_line(f"database\t{display_url(engine.url)}")
    console.print_line(f"revision\t{current or 'none'}")
    console.print_line(f"head\t{head_revision()}")
