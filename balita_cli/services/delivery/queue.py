"""The delivery queue: which deliveries are due, what a try did to one, the log, and replays.

A delivery is made by the database with its event (``db/outbox.py``) and is ``pending`` until a
try succeeds (``delivered``) or the last allowed try fails (``dead``). A story's events go to a
destination in the story's order: a delivery is due only when no earlier event of the same story
is still pending for that destination (a dead one no longer holds the others back). After a
failure the next try waits, doubling from ``first_retry`` up to ``longest_wait``, less a random
part of up to half (so receivers that failed together are not tried again together), and never
less than the receiver's Retry-After.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from balita_cli.config import Settings, numbers_of
from balita_cli.db.dbapi import Database
from balita_cli.errors import NotFound
from balita_cli.services import events, permissions
from balita_cli.services.delivery import destinations
from balita_cli.services.query import time_param
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
STATES = (PENDING, DELIVERED, DEAD)
MAX_ERROR = 500


@dataclass(frozen=True)
class DeliverySettings:
    """``[delivery]`` in balita.toml: how webhooks and partners are tried."""

    attempts: int = 15  # tries before a delivery is dead: about two days with the waits below
    first_retry: float = 30.0  # seconds before the second try; doubled after each failure…
    longest_wait: float = 12 * 3600.0  # …up to this
    timeout: float = 15.0  # seconds for one request, everything included


_LIMITS: dict[str, tuple[type, float, float]] = {
    "attempts": (int, 1, 100),
    "first_retry": (float, 0, 86400),
    "longest_wait": (float, 0, 7 * 86400),
    "timeout": (float, 1, 120),
}


def delivery_settings(settings: Settings) -> DeliverySettings:
    return DeliverySettings(**numbers_of(settings, "delivery", _LIMITS))


def retry_delay(
    attempts: int, settings: DeliverySettings, retry_after: float | None, chance: Callable[[], float] = random.random
) -> float:
    """Seconds before the next try after ``attempts`` tries (the receiver's Retry-After, when it
    sent one, counts as long as it is within ``longest_wait``)."""
    longest = settings.longest_wait
    backoff = min(settings.first_retry * 2.0 ** min(max(attempts - 1, 0), 32), longest)
    delay = backoff / 2 + chance() * backoff / 2
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, longest))
    return delay


# ---------------------------------------------------------------- due


@dataclass(frozen=True)
class Due:
    id: int
    destination_id: int
    event_id: int
    attempts: int


def due(db: Database, now: datetime, kind: str, *, limit: int, resting: Sequence[int] = ()) -> list[Due]:
    """Deliveries to try now, oldest event first: for each story and destination, only its
    first pending one, and none for a destination that is disabled or ``resting`` in this run."""
    conditions = ["d.state = ?", "d.next_attempt_at <= ?", "t.kind = ?", "t.disabled_at IS NULL"]
    params: list[Any] = [PENDING, time_param(db, now), kind]
    if resting:
        clause, values = db.in_list("d.destination_id", list(resting))
        conditions.append(f"NOT ({clause})")
        params += values
    rows = db.rows(
        "SELECT d.id, d.destination_id, d.event_id, d.attempts FROM delivery AS d "
        "JOIN destination AS t ON t.id = d.destination_id "
        f"WHERE {' AND '.join(conditions)} AND NOT EXISTS (SELECT 1 FROM delivery AS p "
        "WHERE p.destination_id = d.destination_id AND p.article_id = d.article_id AND p.state = ? AND p.seq < d.seq) "
        "ORDER BY d.event_id, d.id LIMIT ?",
        [*params, PENDING, limit],
    )
    return [Due(int(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]


@dataclass(frozen=True)
class Outcome:
    """What one try came to."""

    delivered: bool
    status: int | None = None  # the receiver's answer, when there was one
    error: str = ""
    retry_after: float | None = None
    gone: bool = False  # 410 Gone: the receiver wants nothing more; the destination is disabled
    rest: bool = False  # no answer, or one asking to slow down: leave the destination for this run


def record(
    session: Session, item: Due, outcome: Outcome, settings: DeliverySettings, now: datetime | None = None
) -> str:
    """Write what the try did; returns the delivery's state after it. Nothing is written when the
    delivery changed meanwhile (removed, or replayed): its next run tries it again."""
    from sqlalchemy import update
    from sqlmodel import col

    from balita_cli.models import Delivery
    from balita_cli.models import Destination as Row

    moment = now or utcnow()
    tries = item.attempts + 1
    values: dict[str, Any] = {
        "attempts": tries,
        "last_attempt_at": moment,
        "last_status": outcome.status,
        "last_error": outcome.error[:MAX_ERROR],
    }
    if outcome.delivered:
        state = DELIVERED
        values.update(state=state, delivered_at=moment, last_error="")
    elif outcome.gone or tries >= settings.attempts:
        state = DEAD
        values.update(state=state)
    else:
        state = PENDING
        delay = retry_delay(tries, settings, outcome.retry_after)
        values.update(next_attempt_at=moment + timedelta(seconds=delay))
    session.execute(
        update(Delivery)
        .where(col(Delivery.id) == item.id, col(Delivery.state) == PENDING, col(Delivery.attempts) == item.attempts)
        .values(**values)
    )
    if outcome.gone:
        reason = f"the receiver answered {outcome.status} Gone: it wants no more deliveries"
        session.execute(
            update(Row).where(col(Row.id) == item.destination_id).values(disabled_at=moment, disabled_reason=reason)
        )
    return state


def waiting(db: Database, kind: str) -> tuple[int, datetime | None]:
    """Pending deliveries of enabled destinations, and when the next of them is due."""
    row = db.rows(
        "SELECT count(*), min(d.next_attempt_at) FROM delivery AS d JOIN destination AS t ON t.id = d.destination_id "
        "WHERE d.state = ? AND t.kind = ? AND t.disabled_at IS NULL",
        [PENDING, kind],
    )[0]
    return int(row[0]), db.time(row[1])


# ---------------------------------------------------------------- the log


@dataclass(frozen=True)
class Entry:
    id: int
    destination: str
    event: events.Event
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status: int | None
    last_error: str

    def as_dict(self, zone: Any) -> dict[str, Any]:
        def local(moment: datetime | None) -> str | None:
            return moment.astimezone(zone).isoformat() if moment else None

        event = self.event
        return {
            "delivery": self.id,
            "destination": self.destination,
            "event": event.public_id,
            "event_number": event.id,
            "kind": event.kind.value,
            "article": event.article_id,
            "seq": event.seq,
            "title": event.title,
            "state": self.state,
            "attempts": self.attempts,
            "next_attempt_at": local(self.next_attempt_at) if self.state == PENDING else None,
            "last_attempt_at": local(self.last_attempt_at),
            "delivered_at": local(self.delivered_at),
            "last_status": self.last_status,
            "last_error": self.last_error,
        }


def log(
    db: Database,
    kind: str,
    *,
    destination: str | None = None,
    state: str | None = None,
    event: str | None = None,
    limit: int = 50,
) -> list[Entry]:
    """Deliveries, newest event first: of one destination, in one state, of one event."""
    conditions: list[str] = ["t.kind = ?"]
    params: list[Any] = [kind]
    if destination is not None:
        conditions.append("t.id = ?")
        params.append(destinations.find(db, kind, destination).id)
    if state is not None:
        conditions.append("d.state = ?")
        params.append(state)
    if event is not None:
        conditions.append("d.event_id = ?")
        params.append(events.find(db, event).id)
    rows = db.rows(
        "SELECT d.id, t.id, t.name, d.event_id, d.state, d.attempts, d.next_attempt_at, d.last_attempt_at, "
        "d.delivered_at, d.last_status, d.last_error FROM delivery AS d JOIN destination AS t "
        f"ON t.id = d.destination_id WHERE {' AND '.join(conditions)} ORDER BY d.event_id DESC, d.id DESC LIMIT ?",
        [*params, limit],
    )
    found = events.of_ids(db, [int(row[3]) for row in rows])
    return [_entry(db, row, found) for row in rows]


def _entry(db: Database, row: Sequence[Any], found: dict[int, events.Event]) -> Entry:
    number, destination_id, name, event_id, state, attempts, next_at, last_at, delivered_at, status, error = row
    return Entry(
        id=int(number),
        destination=str(name or f"#{destination_id}"),
        event=found[int(event_id)],
        state=str(state),
        attempts=int(attempts),
        next_attempt_at=db.time(next_at),
        last_attempt_at=db.time(last_at),
        delivered_at=db.time(delivered_at),
        last_status=status,
        last_error=str(error),
    )


# ---------------------------------------------------------------- replay


def replay(session: Session, kind: str, event_ref: str, destination_ref: str | None = None) -> list[str]:
    """Send an event again, with its id (receivers that kept it drop it), to one destination or
    to every enabled one that takes its kind; returns their names."""
    from sqlalchemy import insert, select, update
    from sqlmodel import col

    from balita_cli.models import Delivery

    permissions.require(session, permissions.Action.HOOKS)
    db = Database.of_session(session)
    event = events.find(db, event_ref)
    if destination_ref is not None:
        chosen = [destinations.find(db, kind, destination_ref)]
    else:
        chosen = [d for d in destinations.listing(db, kind) if event.kind in d.events and d.disabled_at is None]
    if not chosen:
        raise NotFound(f"no {'webhook' if kind == destinations.HOOK else 'partner'} takes {event.kind.value} events")
    now = utcnow()
    fresh = {"state": PENDING, "attempts": 0, "next_attempt_at": now, "last_error": ""}
    for destination in chosen:
        exists = session.execute(
            select(col(Delivery.id)).where(
                col(Delivery.destination_id) == destination.id, col(Delivery.event_id) == event.id
            )
        ).scalar()
        if exists is None:
            where = {"destination_id": destination.id, "event_id": event.id, "article_id": event.article_id}
            session.execute(insert(Delivery).values(**where, seq=event.seq, **fresh))
        else:
            session.execute(update(Delivery).where(col(Delivery.id) == exists).values(**fresh))
    return [destination.label for destination in chosen]
