"""``balita hooks deliver`` and ``balita partner deliver``: every due delivery tried once, again
and again until none is due, one run at a time per database. A try POSTs or PUTs to a URL, writes
a file into a folder, or puts an object in a bucket.

A try is made outside any transaction (a receiver may take seconds) and its outcome written in a
transaction of its own right after, so a run killed at any point loses nothing: what it sent but
did not record is sent again by the next run, with the same ``webhook-id`` (at least once, never
lost). A destination that does not answer, or asks to slow down (429, 502, 503, 504), is left
alone for the rest of the run, its other stories waiting without using up their tries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balita_cli.config import Settings
from balita_cli.db import locks
from balita_cli.db.dbapi import Database
from balita_cli.errors import BalitaError
from balita_cli.services import events
from balita_cli.services.delivery import destinations, documents, queue, signatures
from balita_cli.services.delivery.destinations import HOOK, Destination
from balita_cli.services.delivery.documents import Parcel
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.buckets import Bucket
    from balita_cli.net import Answer, Sender

Reader = Callable[[], AbstractContextManager[Database]]
Writer = Callable[[Callable[["Session"], Any]], Any]

BATCH = 100  # deliveries read at once
MAX_ANSWER_BYTES = 64 * 1024  # of a receiver's answer: read, never kept beyond the log's excerpt
SLOW_DOWN = frozenset({429, 502, 503, 504})


@dataclass
class RunReport:
    busy: bool = False  # another run holds the lock: nothing was done
    delivered: int = 0
    retrying: int = 0  # tries that failed and will be made again
    dead: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    rested: list[str] = field(default_factory=list)
    waiting: int = 0
    next_at: datetime | None = None

    def summary(self, zone: Any) -> dict[str, Any]:
        return {
            "busy": self.busy,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "dead": self.dead,
            "disabled": self.disabled,
            "rested": self.rested,
            "waiting": self.waiting,
            "next_attempt_at": self.next_at.astimezone(zone).isoformat() if self.next_at else None,
        }


@dataclass(frozen=True)
class Ready:
    """A due delivery with all it needs to be tried."""

    due: queue.Due
    destination: Destination
    event: events.Event
    parcel: Parcel


def deliver(reader: Reader, writer: Writer, settings: Settings, kind: str) -> RunReport:
    """Try every due delivery of ``kind`` (hooks or partners) until none is due."""
    rules = queue.delivery_settings(settings)
    report = RunReport()
    with locks.exclusive(settings.require_database(), f"deliver-{kind}") as mine:
        if not mine:
            report.busy = True
            return report
        senders: dict[bool, Sender] = {}
        buckets: dict[str, Bucket] = {}
        resting: dict[int, str] = {}
        try:
            while batch := _ready(reader, settings, kind, list(resting)):
                for ready in batch:
                    if ready.destination.id in resting:
                        continue
                    outcome = _try(ready, senders, buckets, settings, rules)
                    state = writer(partial(queue.record, item=ready.due, outcome=outcome, settings=rules))
                    _count(report, ready, outcome, state, resting)
        finally:
            for sender in senders.values():
                sender.close()
        with reader() as db:
            report.waiting, report.next_at = queue.waiting(db, kind)
    report.rested = sorted(set(resting.values()))
    return report


def _ready(reader: Reader, settings: Settings, kind: str, resting: list[int]) -> list[Ready]:
    with reader() as db:
        due = queue.due(db, utcnow(), kind, limit=BATCH, resting=resting)
        found = events.of_ids(db, [item.event_id for item in due])
        places = destinations.by_ids(db, list({item.destination_id for item in due}))
        ready = []
        for item in due:
            event, destination = found[item.event_id], places[item.destination_id]
            if kind == HOOK:
                parcel = documents.webhook(event, settings.site)
            else:
                parcel = documents.for_partner(db, event, settings.site)
            ready.append(Ready(item, destination, event, parcel))
        return ready


def _count(report: RunReport, ready: Ready, outcome: queue.Outcome, state: str, resting: dict[int, str]) -> None:
    label = ready.destination.label
    if outcome.delivered:
        report.delivered += 1
    elif state == queue.DEAD:
        report.dead.append(f"{ready.event.public_id} to {label}: {outcome.error}")
    else:
        report.retrying += 1
    if outcome.gone:
        report.disabled.append(label)
    if outcome.rest or outcome.gone:
        resting[ready.destination.id] = label


# ---------------------------------------------------------------- one try


def message_id(event: events.Event, destination: Destination) -> str:
    """The same for every try of one event to one destination (a receiver drops what it has seen)."""
    return f"msg_{event.uid}_{destination.id}"


def _try(
    ready: Ready,
    senders: dict[bool, Sender],
    buckets: dict[str, Bucket],
    settings: Settings,
    rules: queue.DeliverySettings,
) -> queue.Outcome:
    destination = ready.destination
    if destination.is_folder:
        return _to_folder(Path(destination.target), ready.parcel)
    if destination.is_bucket:
        return _to_bucket(destination.target, ready.parcel, buckets, settings)
    from balita_cli.net import SendError

    http = senders.get(destination.allow_private)
    if http is None:
        http = senders[destination.allow_private] = _sender(settings, rules, allow_private=destination.allow_private)
    body = ready.parcel.body
    headers = {"Content-Type": ready.parcel.media_type}
    if destination.secret:
        sent_at = int(time.time())  # the receiver's clock judges it: never balita's --clock
        headers.update(signatures.headers(destination.secret, message_id(ready.event, destination), sent_at, body))
    method, url = "POST", destination.target
    if destination.kind != HOOK:
        method, url = "PUT", _put_url(destination, ready.parcel)
    try:
        answer = http.send(method, url, body, headers)
    except SendError as exc:
        return queue.Outcome(delivered=False, error=exc.reason, rest=True)
    return _judged(answer)


def _sender(settings: Settings, rules: queue.DeliverySettings, *, allow_private: bool) -> Sender:
    from balita_cli.net import FetchPolicy, sender
    from balita_cli.services.desk.intake import user_agent

    policy = FetchPolicy(
        deadline=rules.timeout,
        max_bytes=MAX_ANSWER_BYTES,
        max_redirects=0,
        allow_private=allow_private,
        user_agent=user_agent(settings.site),
    )
    return sender(policy)


def _put_url(destination: Destination, parcel: Parcel) -> str:
    """A partner's URL ending in ``/`` is a folder: each file goes under its own name."""
    return destination.target + parcel.name if destination.target.endswith("/") else destination.target


def _judged(answer: Answer) -> queue.Outcome:
    if answer.ok:
        return queue.Outcome(delivered=True, status=answer.status)
    said = f"the receiver answered {answer.status}" + (f": {answer.excerpt}" if answer.excerpt else "")
    if 300 <= answer.status < 400:
        said = f"the receiver redirected ({answer.status}); redirects are not followed: give the final URL"
    return queue.Outcome(
        delivered=False,
        status=answer.status,
        error=said,
        retry_after=answer.retry_after,
        gone=answer.status == 410,
        rest=answer.status in SLOW_DOWN,
    )


def _to_folder(folder: Path, parcel: Parcel) -> queue.Outcome:
    from balita_cli.files import atomic_write_bytes

    try:
        atomic_write_bytes(folder / parcel.name, parcel.body)
    except BalitaError as exc:  # the folder cannot be written: the next run tries again
        return queue.Outcome(delivered=False, error=exc.message, rest=True)
    return queue.Outcome(delivered=True)


def _to_bucket(target: str, parcel: Parcel, buckets: dict[str, Bucket], settings: Settings) -> queue.Outcome:
    """The file as an object under the partner's prefix, the same key on every try (a second
    try overwrites the first with the same bytes)."""
    from balita_cli.buckets import Bucket, BucketUrl

    try:
        bucket = buckets.get(target)
        if bucket is None:
            bucket = buckets[target] = Bucket(BucketUrl.parse(target), settings.s3)
        bucket.write(parcel.name, parcel.body, content_type=parcel.media_type)
    except BalitaError as exc:  # unreachable, refused, no credentials: the next run tries again
        return queue.Outcome(delivered=False, error=exc.message, rest=True)
    return queue.Outcome(delivered=True)
