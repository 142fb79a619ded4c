"""Plain DB-API connections for reading: the standard library's sqlite3, or psycopg. No SQLAlchemy.

Read commands run queries that take milliseconds, and would otherwise wait far longer for
SQLAlchemy, SQLModel and pydantic to load. Reads build their SQL in ``services/query.py`` and run
it here; writes keep SQLModel sessions and Alembic migrations (``db/engine.py``). A write session
can hand its connection to the read code (``Database.of_session``), so what a command prints after
a change is read in the same transaction, by the same code."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from balita_cli.db.urls import display_url, redact
from balita_cli.errors import DatabaseError

BUSY_TIMEOUT_S = 30.0
SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql+psycopg://", "postgresql://", "postgres://")


@dataclass
class Database:
    """A DB-API connection and its dialect; SQL is written with ``?`` placeholders."""

    connection: Any
    dialect: str  # "sqlite" or "postgresql"

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def _native(self, sql: str) -> str:
        # psycopg takes %s; balita's SQL text holds no literal % or ? of its own.
        return sql if self.is_sqlite else sql.replace("%", "%%").replace("?", "%s")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._native(sql), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 1000) -> Iterator[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(self._native(sql), tuple(params))
            while batch := cursor.fetchmany(size):
                yield from batch
        finally:
            cursor.close()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def time(self, value: Any) -> datetime | None:
        """A stored time as aware UTC: SQLite keeps naive UTC text, PostgreSQL timestamptz."""
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment: datetime = value
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (…)``: one parameter per value on SQLite, one array on PostgreSQL."""
        if self.is_sqlite:
            return f"{column} IN ({', '.join('?' * len(values))})", list(values)
        return f"{column} = ANY(?)", [list(values)]

    @classmethod
    def of_session(cls, session: Any) -> Database:
        """The read side of a write session: same connection, same transaction."""
        connection = session.connection()
        return cls(connection.connection.driver_connection, connection.dialect.name)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///…`` URL, or None for any other database."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    return Path(url.removeprefix(SQLITE_PREFIX).split("?", 1)[0])


def postgres_conninfo(url: str) -> str | None:
    """A libpq URI from balita's URL (``postgresql+psycopg://`` is SQLAlchemy's spelling)."""
    for prefix in POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return None


def connect(url: str) -> Database:
    path = sqlite_path(url)
    if path is not None:
        return Database(_sqlite(path), "sqlite")
    conninfo = postgres_conninfo(url)
    if conninfo is None:
        raise DatabaseError(f"not a database balita can read: {url.split(':', 1)[0]}")
    return Database(_postgres(conninfo), "postgresql")


def _sqlite(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise DatabaseError(f"no database at {path}")
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA query_only = 1")  # the read side never writes, whatever a bug asks
        connection.execute("BEGIN")  # one snapshot for everything the command reads
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot open database {path}: {exc}") from None
    return connection


def _postgres(conninfo: str) -> Any:
    try:
        import psycopg  # here: psycopg only for a PostgreSQL URL
    except ImportError:
        raise DatabaseError('PostgreSQL needs the psycopg driver: pip install "balita[postgres]"') from None
    try:
        connection = psycopg.connect(conninfo, autocommit=False)
        connection.read_only = True
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot open database {display_url(conninfo)}: {redact(reason, conninfo)}") from None
    return connection


@contextmanager
def reading(url: str) -> Iterator[Database]:
    """A read-only connection for one command; closed (and its snapshot released) at the end."""
    database = connect(url)
    try:
        yield database
    finally:
        try:
            database.connection.rollback()
        finally:
            database.connection.close()
