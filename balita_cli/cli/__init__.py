"""The ``balita`` command: one small Typer sub-app per module, composed here."""

from __future__ import annotations

import errno
import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from balita_cli import __version__, console
from balita_cli.cli import (
    articles,
    build,
    corrections,
    database,
    deploy,
    desk,
    events,
    export,
    history,
    hooks,
    importing,
    listing,
    maintenance,
    media,
    newsletter,
    pages,
    partners,
    publishing,
    serve,
    site,
    sources,
    stats,
    taxonomy,
    tick,
    users,
)
from balita_cli.cli.state import AppState, database_failure
from balita_cli.errors import BalitaError
from balita_cli.timeutil import parse_when, set_clock


class BalitaGroup(TyperGroup):
    """Turns BalitaError (and database outages) into ``error: …`` on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BalitaError as exc:
            console.error(exc.message)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            quiet_stdout()  # the reader stopped reading (`balita list | head`): nothing is wrong
            raise typer.Exit(0) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else " (standard output)" if exc.errno == errno.ENOSPC else ""
            console.error(f"cannot go on: {exc.strerror or exc}{where}")
            raise typer.Exit(1) from None
        except Exception as exc:  # noqa: BLE001  (re-raised unless it is a database outage)
            failure = database_failure(exc)
            if failure is None:
                raise
            console.error(failure.message)
            raise typer.Exit(failure.exit_code) from None


app = typer.Typer(
    name="balita",
    cls=BalitaGroup,
    help="Write, tag, schedule, publish and export news articles from the terminal.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"balita {__version__}")  # noqa: T201  (no console import on this path)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    *,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="BALITA_DATABASE_URL",
            help="SQLite file path, sqlite:///path or postgresql://user@host/db.",
            show_envvar=True,
        ),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option("--site", envvar="BALITA_SITE", help="Path to balita.toml or its directory.", show_envvar=True),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Name recorded as the author of changes (default: BALITA_USER, balita.toml, OS user); "
            "on PostgreSQL changes are recorded under the database login, and only an admin may use --as.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no messages, only data and errors.")] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colours (NO_COLOR is honoured too).")] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Print long lists straight out, not through $BALITA_PAGER or $PAGER.")
    ] = False,
    clock: Annotated[
        str | None,
        typer.Option(
            "--clock",
            envvar="BALITA_CLOCK",
            help="Use this time as now (site time zone), as Hugo's --clock does: reproducible output and tests.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """balita: a command-line newsroom. Run `balita init --demo` to start with sample articles."""
    console.configure(no_color=no_color, quiet=quiet, no_pager=no_pager)
    state = AppState(db_option=db, site_option=site, as_user=as_user, quiet=quiet)
    ctx.obj = state
    ctx.call_on_close(state.close)
    set_clock(None)
    if clock:
        set_clock(parse_when(clock, state.settings.site.tz))


def _register() -> None:
    """Compose the command modules; each adds its commands in `--help` order."""
    for module in (
        site,
        articles,
        listing,
        publishing,
        corrections,
        history,
        taxonomy,
        media,
        stats,
        export,
        importing,
        desk,
        sources,
        pages,
        build,
        deploy,
        tick,
        serve,
        events,
        hooks,
        partners,
        newsletter,
        users,
    ):
        module.register(app)
    maintenance.register(database.app)
    app.add_typer(database.app, name="db", help="Database upgrade, checks, backups and restores.")


_register()


def quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    try:
        app(prog_name="balita")
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
        except OSError as exc:
            quiet_stdout()
            console.error(f"cannot write to standard output: {exc.strerror or exc}")
            raise SystemExit(1) from None
