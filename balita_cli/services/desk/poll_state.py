"""What ``balita fetch`` remembers of each source's feed, written with plain SQL.

After every poll: the feed's validators (so the next request is conditional), when it was
fetched and last brought something, its last error and failures, and when it is due again
(``next_poll``: its interval, later after each failure). ``record_polls`` writes inside the
fetch's write session when stories came in, and otherwise on a short connection of its own, so a
run where every outlet answered 304 never loads SQLAlchemy."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from balita_cli.db import dbapi
from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput
from balita_cli.schema import strip_controls
from balita_cli.services.query import time_param

if TYPE_CHECKING:
    from balita_cli.net import Fetched, FetchError
    from balita_cli.services.desk.source_settings import SourceRecord


@dataclass(frozen=True)
class Poll:
    """What one fetch of a source's feed left to remember."""

    source_id: int
    at: datetime
    ok: bool
    next_due_at: datetime
    failures: int
    error: str = ""
    etag: str | None = None  # None: keep what is stored
    last_modified: str | None = None
    brought_new: bool = False


def next_poll(
    source: SourceRecord, answer: Fetched | FetchError, now: datetime, *, error: str | None, brought_new: bool = False
) -> Poll:
    """What one fetch of a source's feed leaves to remember, and when it is due again.

    ``error``: why the fetch failed (None: it did not); the source is then tried again after a
    back-off, never sooner than its interval or the server's Retry-After.
    """
    from balita_cli.net import FetchError, next_attempt_delay  # here: the network code only for a fetch

    every = timedelta(minutes=int(source["every_minutes"]))
    if error is not None:
        failures = int(source["failures"]) + 1
        retry_after = answer.retry_after if isinstance(answer, FetchError) else None
        wait = max(every, timedelta(seconds=next_attempt_delay(failures, retry_after)))
        return Poll(int(source["id"]), now, False, now + wait, failures, error)
    assert not isinstance(answer, FetchError)
    return Poll(
        int(source["id"]),
        now,
        True,
        now + every,
        0,
        etag=answer.validators.etag or "",
        last_modified=answer.validators.last_modified or "",
        brought_new=brought_new,
    )


def execute(db: Database, sql: str, params: Sequence[Any] = ()) -> None:
    """A statement that returns no rows, on the DB-API connection (``?`` placeholders)."""
    cursor = db.connection.cursor()
    try:
        cursor.execute(sql if db.is_sqlite else sql.replace("?", "%s"), tuple(params))
    finally:
        cursor.close()


def record_polls(db: Database, polls: Sequence[Poll]) -> None:
    for poll in polls:
        at = time_param(db, poll.at)
        assignments = ["last_fetch_at = ?", "last_error = ?", "failures = ?", "next_due_at = ?"]
        params: list[Any] = [at, strip_controls(poll.error)[:1000], poll.failures, time_param(db, poll.next_due_at)]
        if poll.ok:
            assignments.append("last_success_at = ?")
            params.append(at)
        if poll.brought_new:
            assignments.append("last_new_at = ?")
            params.append(at)
        for column, value in (("etag", poll.etag), ("last_modified", poll.last_modified)):
            if value is not None:
                assignments.append(f"{column} = ?")
                params.append(value)
        execute(db, f"UPDATE source SET {', '.join(assignments)} WHERE id = ?", [*params, poll.source_id])


@contextmanager
def writing(url: str) -> Iterator[Database]:
    """A short write transaction on a plain DB-API connection, for the few small statements of a
    run that brought nothing new (the poll state, the review mark): committed at the end, rolled
    back on any error. SQLite waits for the write lock as the write sessions do."""
    path = dbapi.sqlite_path(url)
    if path is not None:
        try:
            connection: Any = sqlite3.connect(path, timeout=dbapi.BUSY_TIMEOUT_S, isolation_level=None)
            connection.execute("PRAGMA synchronous = NORMAL")  # as the write sessions (db/engine.py)
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise InvalidInput(f"cannot write to the database {path}: {exc}") from None
        database = Database(connection, "sqlite")
    else:
        database = dbapi.connect(url)
        database.connection.read_only = False
    try:
        yield database
    except BaseException:
        _end(database, "ROLLBACK")
        raise
    else:
        _end(database, "COMMIT")
    finally:
        database.connection.close()


def _end(database: Database, verb: str) -> None:
    if database.is_sqlite:
        execute(database, verb)
    elif verb == "COMMIT":
        database.connection.commit()
    else:
        database.connection.rollback()


def set_setting(db: Database, key: str, value: str, now: datetime) -> None:
    execute(
        db,
        "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        [key, value, time_param(db, now)],
    )


def get_setting(db: Database, key: str) -> str | None:
    found = db.scalar("SELECT value FROM setting WHERE key = ?", [key])
    return None if found is None else str(found)
