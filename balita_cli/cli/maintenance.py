"""db backup, db restore and db check, added to the ``db`` command group."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.output import confirm_or_abort, write_json
from balita_cli.cli.state import app


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


PathArg = Annotated[Path, typer.Argument(help="Backup file.", show_default=False)]


def backup(ctx: typer.Context, path: PathArg) -> None:
    """Take a consistent copy of the database while others keep writing.

    SQLite: the online backup API (one file, checked). PostgreSQL: pg_dump's custom format,
    or a JSONL export of every article when pg_dump is not installed.

    Example: balita db backup backups/balita-$(date +%F).db
    """
    from balita_cli.services import maintenance  # here: --help imports every command module

    result = maintenance.backup(app(ctx).engine(), path)
    console.info(f"Backup written to {result.path} ({result.method})")


def restore(
    ctx: typer.Context,
    path: PathArg,
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database's content with a backup made by `balita db backup`.

    The backup is checked first (a balita database, healthy, a schema this version knows).
    On SQLite the replaced database is kept next to it as <name>.before-restore-<time>, one copy per restore.

    Example: balita db restore backups/balita-2026-11-30.db --yes
    """
    from balita_cli.db.engine import display_url  # here: --help imports every command module
    from balita_cli.services import maintenance

    app_state = app(ctx)
    engine = app_state.engine(migrate=False)
    confirm_or_abort(f"Replace everything in {display_url(engine.url)} with {path}?", yes)
    engine.dispose()  # our own pooled connections must not hold the old pages
    previous = maintenance.restore(engine, path)
    if previous is not None:
        console.info(f"The previous database is kept in {previous}")
    console.info(f"Restored {display_url(engine.url)} from {path}")


def check(
    ctx: typer.Context,
    *,
    output_format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text for people, json for scripts.")
    ] = CheckFormat.TEXT,
) -> None:
    """Check the database: integrity, schema revision, CHECK constraints, orphan rows, full-text index.

    Exits 1 and lists the problems when the database is not healthy.

    Example: balita db check --format json
    """
    from balita_cli.services import maintenance  # here: --help imports every command module

    findings = maintenance.check(app(ctx).engine(migrate=False))
    problems = maintenance.problems(findings)
    if output_format is CheckFormat.JSON:
        write_json(
            {
                "ok": not problems,
                "checks": [finding.record() for finding in findings],
                "problems": [f"{finding.name}: {finding.detail}" for finding in problems],
            }
        )
    else:
        for finding in findings:
            console.print_line(f"{'ok' if finding.ok else 'FAIL'}\t{finding.name}\t{finding.detail}")
    if problems:
        for finding in problems:
            console.error(f"{finding.name}: {finding.detail}")
        raise typer.Exit(1)


def register(db_app: typer.Typer) -> None:
    """backup, restore and check join `balita db`."""
    db_app.command("backup")(backup)
    db_app.command("restore")(restore)
    db_app.command("check")(check)
