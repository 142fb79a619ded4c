"""What a command needs at run time: settings, the databases and the acting user, made lazily.

The root callback puts one ``AppState`` in ``ctx.obj``; commands take it from there (``app(ctx)``)
and hand it to whatever needs it. Reads go through a DB-API connection (``reading()``, no
SQLAlchemy); writes through a SQLModel session (``write()``), retried whole when the database is
busy.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

import typer

from balita_cli.config import Settings, load_settings
from balita_cli.errors import DatabaseError
from balita_cli.schema import check_text
from balita_cli.services import permissions

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from balita_cli.db.dbapi import Database
    from balita_cli.errors import BalitaError
    from balita_cli.services.permissions import Identity

ENV_USER = "BALITA_USER"
T = TypeVar("T")


@dataclass
class AppState:
    db_option: str | None = None
    site_option: str | None = None
    as_user: str | None = None
    quiet: bool = False
    _settings: Settings | None = None
    _engine: Engine | None = None
    _schema_checked: bool = False
    _identity: tuple[str, Identity] | None = None
    running: ClassVar[AppState | None] = None  # the command's state, for a refusal's explanation

    def __post_init__(self) -> None:
        AppState.running = self

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.db_option, self.site_option)
        return self._settings

    def reload(self, site_option: str) -> None:
        """Read the settings again from another balita.toml (after ``init`` wrote one)."""
        self.site_option, self._settings = site_option, None
        self.close()

    @property
    def who(self) -> str:
        """Who is acting. On PostgreSQL the database login, whatever the client says: only an admin
        may record changes under another name (--as, BALITA_USER, balita.toml), and --as from
        anyone else is refused. On SQLite: --as, then BALITA_USER, then balita.toml, then the OS user."""
        name = self.as_user or os.environ.get(ENV_USER) or self.settings.site.user
        if self.identity.enforced:
            name = self.identity.acting_as(name, explicit=self.as_user)
        if not name:
            try:
                name = getpass.getuser()
            except (OSError, KeyError):
                name = "unknown"

        return check_text("updated_by", name)

    @property
    def identity(self) -> Identity:
        """Who the database says is connected, and their role (asked once per database); on
        SQLite nobody is asked: roles are not enforced there."""
        url = self.settings.require_database()
        if self._identity is None or self._identity[0] != url:
            if permissions.enforced(url):
                with self.reading() as db:
                    self._identity = (url, permissions.identify(db))
            else:
                self._identity = (url, permissions.Identity("", None, enforced=False))
        return self._identity[1]

    @staticmethod
    def refusal(exc: BaseException) -> BalitaError | None:
        """A refusal by the database (privileges, row-level security, balita's triggers) as one
        line naming the connected user and role; None for any other error."""
        state = AppState.running
        return permissions.explain(exc, lambda: state.identity if state is not None else None)

    def engine(self, *, migrate: bool = True) -> Engine:
        if self._engine is None:
            from balita_cli.db.engine import create_db_engine  # here: --help imports every command module

            self._engine = create_db_engine(self.settings.require_database())
        if migrate and not self._schema_checked:
            from balita_cli.db.migrate import ensure_schema  # here: --help imports every command module

            ensure_schema(self._engine)
            self._schema_checked = True
        return self._engine

    @contextmanager
    def reading(self) -> Iterator[Database]:
        """A read-only snapshot of the database for one command (no SQLAlchemy on the way)."""
        from balita_cli.db import dbapi  # here: --help imports every command module
        from balita_cli.db.migrate import schema_is_current

        url = self.settings.require_database()
        if not self._schema_checked and not schema_is_current(url):
            missing = dbapi.sqlite_path(url)
            if missing is not None and not missing.exists():
                raise DatabaseError(f"no database at {missing}: run `balita init` to make one, or check --db")
            self.engine()  # upgrades the schema, then reads go on as usual
        self._schema_checked = True
        with dbapi.reading(url) as database:
            yield database

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        from balita_cli.db.engine import session_scope  # here: --help imports every command module

        with session_scope(self.engine(), write=write) as session:
            session.info["zone"] = self.settings.site.tz
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, retried whole if the database is busy."""
        from balita_cli.services.retry import retry_in_session  # here: --help imports every command module

        return retry_in_session(lambda: self.session(write=True), work)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._schema_checked = False


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def database_failure(exc: Exception) -> BalitaError | None:
    """Database errors that are the environment's fault, not a bug, as one-line messages:
    from SQLAlchemy (writes), sqlite3 or psycopg (reads)."""
    import sqlite3  # here: --help imports every command module

    if (refused := AppState.refusal(exc)) is not None:  # privileges, row-level security, triggers
        return refused
    from balita_cli.db.engine import timed_out  # here: --help imports every command module

    if (reason := timed_out(exc)) is not None:
        return DatabaseError(f"the database gave up: {reason}")
    module = type(exc).__module__
    if module.startswith("sqlalchemy"):
        from sqlalchemy.exc import DBAPIError  # here: --help imports every command module

        from balita_cli.db.engine import is_locked_error

        if is_locked_error(exc):
            return DatabaseError("the database stayed busy (locked by another writer); try again")
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            return DatabaseError(f"database error: {_first_line(exc.orig)}")
        return None
    if isinstance(exc, sqlite3.Error) or module.startswith("psycopg"):
        return DatabaseError(f"database error: {_first_line(exc)}")
    return None


def app(ctx: typer.Context) -> AppState:
    """The state the root callback made for this invocation."""
    found = ctx.find_root().obj
    if not isinstance(found, AppState):
        raise RuntimeError("balita state used outside a command")
    return found
