"""Retry a whole write transaction when the database says "busy", so no user ever sees it.

SQLite writers already wait up to the busy timeout (BEGIN IMMEDIATE), but a few paths return
SQLITE_BUSY without waiting (WAL recovery, a checkpoint, changing the journal mode). PostgreSQL
can refuse a transaction with a serialization failure or a deadlock. Both are safe to retry from
the start: the failed transaction was rolled back, and an edit's compare-and-set is re-checked.
An edit conflict (``Conflict``) is never retried: that is a decision for the editor.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from balita_cli.db.engine import is_locked_error

T = TypeVar("T")
S = TypeVar("S")

ATTEMPTS = 6
FIRST_DELAY = 0.05
MAX_DELAY = 2.0
# PostgreSQL SQLSTATEs meaning "run the transaction again": serialization failure, deadlock.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_transient(exc: BaseException) -> bool:
    """A failure that a fresh attempt of the same transaction can get past."""
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return is_locked_error(exc) or sqlstate in RETRYABLE_SQLSTATES


def backoff(attempt: int, *, first: float = FIRST_DELAY, ceiling: float = MAX_DELAY) -> float:
    """Full jitter: a random wait up to an exponentially growing cap, so writers spread out."""
    return random.uniform(0, min(ceiling, first * 2**attempt))  # noqa: S311  (not for secrets)


def retry_write(
    work: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``work`` (which opens, uses and commits its own session) until it stops being busy.

    ``work`` must be the whole transaction: retrying half of one would repeat committed effects.
    """
    for attempt in range(attempts - 1):
        try:
            return work()
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            sleep(backoff(attempt))
    return work()


def retry_in_session(
    open_session: Callable[[], AbstractContextManager[S]],
    work: Callable[[S], T],
    *,
    attempts: int = ATTEMPTS,
) -> T:
    """Open a write session, run ``work`` in it and commit, the whole of it retried when busy."""

    def attempt() -> T:
        with open_session() as session:
            return work(session)

    return retry_write(attempt, attempts=attempts)
