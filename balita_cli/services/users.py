r"""Newsroom users on PostgreSQL: one login role each, a member of one of the four group roles that
migration 0004 made (see ``services/permissions.py`` for what each may do).

The database's own admin-only functions do the work, so an admin needs no CREATEROLE and touches
only this newsroom's logins. A password leaves this process only as a SCRAM-SHA-256 verifier, as
with psql's ``\password``. A user's e-mail address ties the login to the bylines they own;
disabling takes the newsroom's role away and keeps the login, which may serve other databases."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from balita_cli.db.dbapi import Database
from balita_cli.errors import BalitaError, Conflict, InvalidInput, NotFound
from balita_cli.records import iso
from balita_cli.schema import MAX_EMAIL_LENGTH
from balita_cli.services import permissions
from balita_cli.services.permissions import Action, Role

NAME = re.compile(r"[a-z_][a-z0-9_.-]{0,62}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1000
USER_KEY = "user:"
NOT_ON_SQLITE = (
    "users and roles are PostgreSQL's: on SQLite nothing is enforced and the database file's permissions "
    "decide who can change it (docs/operations.md: when to move a shared desk to PostgreSQL)"
)
USER_FIELDS = ("name", "role", "email", "last_change_at")
# SQLSTATEs the user functions raise, and what they mean here.
ERRORS: dict[str, type[BalitaError]] = {"22023": InvalidInput, "42710": Conflict, "42704": NotFound}


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or name.startswith("pg_"):
        shown = name[:70].encode("ascii", "backslashreplace").decode()
        raise InvalidInput(
            f"{shown!r} is not a user name balita accepts: lower-case letters, digits, _ . and -, "
            "starting with a letter or _, at most 63 characters, not pg_…"
        )
    return name


def check_email(email: str) -> str:
    cleaned = email.strip()
    if cleaned and (
        len(cleaned) > MAX_EMAIL_LENGTH or cleaned.count("@") != 1 or any(c.isspace() or ord(c) < 32 for c in cleaned)
    ):
        raise InvalidInput(f"{cleaned[:60]!r} is not an e-mail address")
    return cleaned


def check_password(password: str) -> str:
    if "\x00" in password:
        raise InvalidInput("a password cannot hold a NUL character")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password may have at most {MAX_PASSWORD} characters")
    return password


def _postgres(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        raise InvalidInput(NOT_ON_SQLITE)


def _call(session: Session, sql: str, **params: Any) -> Any:
    """One of the database's user functions; its refusals become balita's errors."""
    try:
        return session.execute(text(sql), params).scalar()
    except DBAPIError as exc:
        error = ERRORS.get(str(getattr(exc.orig, "sqlstate", "")))
        if error is None:
            raise
        primary = getattr(getattr(exc.orig, "diag", None), "message_primary", None) or str(exc.orig)
        raise error(str(primary).strip().splitlines()[0]) from None


def verifier(session: Session, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for this password, made by libpq on this
    side of the connection (SASLprep, salt, 4096 iterations): the password never leaves."""
    pgconn = session.connection().connection.driver_connection.pgconn  # type: ignore[union-attr]
    made: bytes = pgconn.encrypt_password(check_password(password).encode(), name.encode(), b"scram-sha-256")
    return made.decode("ascii")


def add(session: Session, name: str, role: Role, *, password: str | None = None, email: str = "") -> bool:
    """Create the login (with a password, or none for peer or certificate authentication) and
    give it ``role``; an existing login (not a superuser, not yet a user here) is given the role
    and keeps its password. True when a new login was made."""
    _postgres(session)
    permissions.require(session, Action.USERS)
    secret = verifier(session, check_name(name), password) if password is not None else None
    outcome = _call(
        session,
        "SELECT balita_user_add(:name, :role, :secret, :email)",
        name=name,
        role=role.value,
        secret=secret,
        email=check_email(email),
    )
    return bool(outcome == "created")


def change_role(session: Session, name: str, role: Role) -> None:
    """Give a user of this newsroom another role (a disabled one comes back with it)."""
    _postgres(session)
    permissions.require(session, Action.USERS)
    _call(session, "SELECT balita_user_role(:name, :role)", name=check_name(name), role=role.value)


def disable(session: Session, name: str) -> None:
    """Take the user's role away: from now on they can neither read nor change this newsroom."""
    _postgres(session)
    permissions.require(session, Action.USERS)
    _call(session, "SELECT balita_user_disable(:name)", name=check_name(name))


USERS_SQL = """
    SELECT u.rolname, balita_role_of(u.rolname), coalesce(s.value, '')
    FROM pg_roles u LEFT JOIN setting s ON s.key = 'user:' || u.rolname
    WHERE u.rolcanlogin AND balita_is_user(u.rolname)
    ORDER BY u.rolname
"""


def users(db: Database) -> list[dict[str, Any]]:
    """Every user of this newsroom: name, role ("disabled" when it was taken away), e-mail, and
    when they last changed something (a revision they made, or a story they created)."""
    if db.is_sqlite:
        raise InvalidInput(NOT_ON_SQLITE)
    rows = db.rows(USERS_SQL)
    names = [str(row[0]) for row in rows]
    last: dict[str, Any] = {}
    if names:
        where, params = db.in_list("who", names)
        changes = db.rows(
            "SELECT who, max(at) FROM (SELECT changed_by AS who, created_at AS at FROM revision UNION ALL "
            f"SELECT created_by, created_at FROM article) AS changes WHERE {where} GROUP BY who",
            params,
        )
        last = {str(who): db.time(at) for who, at in changes}
    return [
        {"name": name, "role": role or "disabled", "email": email, "last_change_at": iso(last.get(name))}
        for name, role, email in rows
    ]


def group_roles(connection: Any, schema: str) -> list[str]:
    """The group roles migration 0004 made for the newsroom in ``schema`` (a SQLAlchemy
    connection; none when the migration never ran there). Roles belong to the server, not the
    schema: whoever drops a newsroom's schema drops these too."""
    function = f'"{schema.replace(chr(34), chr(34) * 2)}".balita_group'
    if connection.execute(text("SELECT to_regprocedure(:name)"), {"name": f"{function}(text)"}).scalar() is None:
        return []
    found = connection.execute(
        text(f"SELECT {function}(role) FROM unnest(CAST(:roles AS text[])) AS role"),
        {"roles": [role.value for role in Role]},
    )
    return [str(name) for name in found.scalars()]
