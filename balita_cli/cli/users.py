"""user add/list/role/disable, and whoami: who may do what in the newsroom (PostgreSQL)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.options import ListFormat, ShowFormat, ShowFormatOpt
from balita_cli.cli.output import display_cell, write_json, write_line, write_records
from balita_cli.cli.state import app as state_of
from balita_cli.db.urls import display_url
from balita_cli.errors import InvalidInput, UsageError
from balita_cli.services.permissions import Role

app = typer.Typer(no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The database login.", show_default=False)]
RoleArg = Annotated[
    Role, typer.Argument(metavar="ROLE", help="contributor, author, editor or admin.", show_default=False)
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    *,
    role: Annotated[Role, typer.Option("--role", help="contributor, author, editor or admin.")],
    email: Annotated[
        str, typer.Option("--email", metavar="ADDRESS", help="Ties the login to a byline author with this address.")
    ] = "",
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file", metavar="PATH", help="Read the password from a file's first line; - reads stdin."
        ),
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No password: the login uses peer or certificate authentication.")
    ] = False,
) -> None:
    """Create a login for a member of the newsroom and give it a role (admins only).

    The password is asked for on a terminal, or read with --password-file; it is hashed
    (SCRAM-SHA-256) before it leaves this machine.

    Example: balita user add ana --role contributor --email ana@balita.example.ph --password-file ana.pw
    """
    from balita_cli.services import permissions, users  # here: --help imports every command module

    if no_password and password_file is not None:
        raise UsageError("give --password-file or --no-password, not both")
    state = state_of(ctx)
    if not state.identity.enforced:
        raise InvalidInput(users.NOT_ON_SQLITE)
    permissions.check(state.identity, permissions.Action.USERS)  # before asking for a password
    password = None if no_password else read_password(users.check_name(name), password_file)
    created = state.write(lambda session: users.add(session, name, role, password=password, email=email))
    how = "a new login" if created else "an existing login, its password unchanged"
    console.info(f"{name} is {role.with_article} here ({how})")


def read_password(name: str, path: Path | None) -> str:
    """From the file's first line, or asked twice on a terminal; never echoed."""
    from balita_cli.services.users import check_password  # here: --help imports every command module

    if path is not None:
        try:
            data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise InvalidInput(f"password file {path} is not UTF-8 text") from None
        except OSError as exc:
            raise InvalidInput(f"cannot read password file {path}: {exc.strerror or exc}") from None
        lines = text.splitlines()
        return check_password(lines[0] if lines else "")
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for a password on: give --password-file PATH, or --no-password")

    first = getpass.getpass(f"Password for {name}: ")
    if getpass.getpass("Again: ") != first:
        raise InvalidInput("the two passwords differ; nothing was changed")
    return check_password(first)


@app.command("list")
def list_users(ctx: typer.Context, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """List the newsroom's users: name, role, e-mail and when they last changed something.

    Example: balita user list --format json
    """
    from balita_cli.services import users  # here: --help imports every command module

    state = state_of(ctx)
    with state.reading() as db:
        found = users.users(db)
    if output_format is ShowFormat.JSON:
        write_json(found)
        return
    site = state.settings.site
    write_records(found, ListFormat.TABLE, users.USER_FIELDS, site, cell=display_cell(site.tz))


@app.command("role")
def change_role(ctx: typer.Context, name: NameArg, role: RoleArg) -> None:
    """Give a user another role (a disabled user comes back with it).

    Example: balita user role ana author
    """
    from balita_cli.services import users  # here: --help imports every command module

    state_of(ctx).write(lambda session: users.change_role(session, name, role))
    console.info(f"{name} is {role.with_article} now")


@app.command("disable")
def disable(ctx: typer.Context, name: NameArg) -> None:
    """Take a user's role away: they can no longer read or change anything in this newsroom.

    The login itself is kept (it may serve other databases); `balita user role` brings them back.

    Example: balita user disable ana
    """
    from balita_cli.services import users  # here: --help imports every command module

    state_of(ctx).write(lambda session: users.disable(session, name))
    console.info(f"{name} is disabled: no role in this newsroom any more")


def whoami(ctx: typer.Context, *, output_format: ShowFormatOpt = ShowFormat.TEXT) -> None:
    """Print who you are connected as, and your role in this newsroom.

    On SQLite roles are not enforced: the database file's permissions are the boundary.

    Example: balita whoami --format json
    """
    state = state_of(ctx)
    identity = state.identity
    found = {
        "user": identity.user if identity.enforced else state.who,
        "role": identity.role.value if identity.role else None,
        "enforced": identity.enforced,
        "database": display_url(state.settings.require_database()),
    }
    if output_format is ShowFormat.JSON:
        write_json(found)
        return
    write_line(f"user\t{found['user']}")
    write_line(f"role\t{found['role'] or ('none here' if identity.enforced else 'not enforced on SQLite')}")
    write_line(f"database\t{found['database']}")
    if not identity.enforced:
        console.info("Roles are not enforced on SQLite: the database file's permissions are the boundary")


def register(typer_app: typer.Typer) -> None:
    typer_app.add_typer(app, name="user", help="Newsroom users and their roles (PostgreSQL): add, list, role, disable.")
    typer_app.command("whoami")(whoami)
