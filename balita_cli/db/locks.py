"""One job at a time per database (a delivery run): a lock held for as long as the job runs and
let go by the operating system or the server the moment its process ends, however it ends, so a
run killed halfway never keeps the next one waiting.

SQLite: ``flock`` on a file beside the database (``balita.db.<job>.lock``). PostgreSQL: a
session advisory lock on a connection of its own, keyed by the schema and the job, so newsrooms
sharing a server never wait for each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from balita_cli.db.dbapi import postgres_conninfo, sqlite_path
from balita_cli.errors import DatabaseError


@contextmanager
def exclusive(url: str, job: str) -> Iterator[bool]:
    """Hold the ``job`` lock of this database for the block: True, or False at once when another
    process holds it (nothing is waited for)."""
    path = sqlite_path(url)
    if path is not None:
        with _file_lock(path.with_name(f"{path.name}.{job}.lock")) as held:
            yield held
        return
    with _advisory_lock(postgres_conninfo(url) or url, job) as held:
        yield held


@contextmanager
def _file_lock(path: os.PathLike[str]) -> Iterator[bool]:
    import fcntl

    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise DatabaseError(f"cannot open the lock {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)  # closing lets the lock go


@contextmanager
def _advisory_lock(conninfo: str, job: str) -> Iterator[bool]:
    import psycopg

    try:
        connection = psycopg.connect(conninfo, autocommit=True)
    except psycopg.Error as exc:
        from balita_cli.db.urls import redact

        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot take the {job} lock: {redact(reason, conninfo)}") from None
    try:
        row = connection.execute(
            "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.balita.' || %s))", (job,)
        ).fetchone()
        yield bool(row and row[0])
    finally:
        connection.close()  # the session's end lets the lock go
