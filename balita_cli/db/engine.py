"""Create the engine for a URL: SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import Session

from balita_cli.db.urls import display_url as without_secret
from balita_cli.db.urls import redact
from balita_cli.errors import DatabaseError

BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "balita_write"
# On PostgreSQL no balita session waits without end for a lock another login holds (a stray
# LOCK TABLE or advisory lock), nor runs a statement without end; the URL's own ``options``
# (``?options=-c lock_timeout=2min``) come after these and win.
POSTGRES_TIMEOUTS = "-c lock_timeout=30s -c statement_timeout=15min"
LOCK_NOT_AVAILABLE, QUERY_CANCELED = "55P03", "57014"


def display_url(url: str | URL) -> str:
    """The URL without its password, safe to print."""
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    return without_secret(text)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE can be issued for writes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A read transaction upgraded to a write in WAL mode fails with "database is locked"
        # whatever the busy timeout; writers take the lock up front instead.
        immediate = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {without_secret(url)!r}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            create_private_file(parsed.database)
            engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine)
        else:
            options = f"{POSTGRES_TIMEOUTS} {parsed.query.get('options') or ''}".strip()
            engine = create_engine(parsed, pool_pre_ping=True, connect_args={"options": options})
    except (ImportError, ArgumentError) as exc:
        raise DatabaseError(f"cannot use database {display_url(parsed)}: {exc}") from None
    return engine


def create_private_file(database: str | None) -> None:
    """A new SQLite database is created readable and writable by its owner only (0600) before
    SQLite opens it; SQLite gives its -wal and -shm files the same mode. Roles are not enforced
    on SQLite, so the file's permissions are the boundary. An existing file keeps its mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        handle = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:  # it exists, or its folder does not: SQLite opens it or says why not
        return
    os.close(handle)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def connection_error(engine: Engine, exc: BaseException) -> DatabaseError:
    first_line = str(getattr(exc, "orig", exc)).strip().splitlines()
    reason = redact(first_line[0], engine.url.render_as_string(hide_password=False)) if first_line else ""
    sqlstate = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    if sqlstate in {"42501", "3F000"}:  # insufficient privilege; no schema this login may use
        reason += (
            " (the schema is upgraded by the login that owns its tables)"
            if "must be owner" in reason
            else " (this login has no role in this newsroom, or the URL names no schema it may use; "
            "an admin gives roles with balita user add)"
        )
    return DatabaseError(f"cannot open database {display_url(engine.url)}: {reason or type(exc).__name__}")


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any exception."""
    bind = engine.execution_options(**{WRITE_OPTION: write})
    session = Session(bind=bind, expire_on_commit=False, autoflush=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_locked_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError | SADatabaseError) and (
        "database is locked" in text or "database is busy" in text
    )


def timed_out(exc: BaseException) -> str | None:
    """Why PostgreSQL gave up on a statement of ours for waiting or running too long, or None."""
    sqlstate = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    if sqlstate == LOCK_NOT_AVAILABLE:
        return (
            "another session held a lock this needs for longer than lock_timeout allows (30 s unless "
            "the database URL's options say otherwise); try again, or find the holder in pg_locks"
        )
    if sqlstate == QUERY_CANCELED:
        return "a statement ran longer than statement_timeout allows (15 min unless the database URL's options say)"
    return None
