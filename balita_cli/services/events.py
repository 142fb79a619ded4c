"""The outbox, read: what happened to the stories readers see, in the order it happened.

Events are recorded by the database itself (``db/outbox.py``), in the transaction of each change,
whoever made it; this module only reads them. ``since`` answers "what was published, corrected
or retracted since T" (a newsletter, a partner feed, a person catching up); ``find`` one event by
number or public id (``evt_…``); ``payload`` is what a webhook receiver gets.

An event's ``at`` is the time of the change by balita's clock (the story's ``updated_at``), so
events of one story are in ``seq`` order and their times never go back; across stories, a reader
that must miss nothing keeps what it has seen (as deliveries do) rather than a last time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import DatabaseError, InvalidInput, NotFound
from balita_cli.records import article_url
from balita_cli.services.query import time_param
from balita_cli.workflow import EventKind

PUBLIC_PREFIX = "evt_"
COLUMNS = (
    "id, uid, article_id, seq, kind, at, version, status, slug, title, language, published_at, article_created_at, "
    "notice, actor"
)
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Event:
    id: int
    uid: str
    article_id: int
    seq: int  # the story's own count of its events, from 1
    kind: EventKind
    at: datetime
    version: int  # of the story, as the change left it
    status: str
    slug: str
    title: str
    language: str
    published_at: datetime | None
    article_created_at: datetime
    notice: str  # a correction's text, a retraction's reason
    actor: str  # who made the change (the newsroom's, never sent out)

    @property
    def public_id(self) -> str:
        return f"{PUBLIC_PREFIX}{self.uid}"

    def as_dict(self, zone: tzinfo) -> dict[str, Any]:
        """For ``balita events --format json``: every column, times in the site's zone."""
        return {
            "id": self.id,
            "event": self.public_id,
            "kind": self.kind.value,
            "at": self.at.astimezone(zone).isoformat(),
            "article": self.article_id,
            "seq": self.seq,
            "version": self.version,
            "status": self.status,
            "slug": self.slug,
            "title": self.title,
            "language": self.language,
            "published_at": self.published_at.astimezone(zone).isoformat() if self.published_at else None,
            "notice": self.notice,
            "by": self.actor,
        }


def _event(db: Database, row: Sequence[Any]) -> Event:
    number, uid, article_id, seq, kind, at, version, status, slug, title, language, published, created = row[:13]
    notice, actor = row[13:]
    return Event(
        id=int(number),
        uid=str(uid),
        article_id=int(article_id),
        seq=int(seq),
        kind=EventKind(kind),
        at=_known(db.time(at)),
        version=int(version),
        status=str(status),
        slug=str(slug),
        title=str(title),
        language=str(language),
        published_at=db.time(published),
        article_created_at=_known(db.time(created)),
        notice=str(notice),
        actor=str(actor),
    )


def _known(moment: datetime | None) -> datetime:
    if moment is None:
        raise DatabaseError("an event without a time: the event table is damaged")
    return moment


def since(
    db: Database,
    moment: datetime | None = None,
    *,
    until: datetime | None = None,
    kinds: Iterable[EventKind] = (),
    articles: Sequence[int] = (),
    after_id: int | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> list[Event]:
    """Events at or after ``moment`` (and before ``until``), of these kinds and stories (all when
    none are given), oldest first (by time, then number)."""
    conditions: list[str] = []
    params: list[Any] = []
    if moment is not None:
        conditions.append("at >= ?")
        params.append(time_param(db, moment))
    if until is not None:
        conditions.append("at < ?")
        params.append(time_param(db, until))
    wanted = [EventKind(kind).value for kind in kinds]
    if wanted:
        clause, values = db.in_list("kind", wanted)
        conditions.append(clause)
        params += values
    if articles:
        clause, values = db.in_list("article_id", list(articles))
        conditions.append(clause)
        params += values
    if after_id is not None:
        conditions.append("id > ?")
        params.append(after_id)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    bound = "LIMIT ?" if limit is not None else ""
    rows = db.rows(
        f"SELECT {COLUMNS} FROM event {where} ORDER BY at, id {bound}", [*params, *([limit] if limit else [])]
    )
    return [_event(db, row) for row in rows]


def find(db: Database, ref: str) -> Event:
    """An event by its number (12, #12) or its public id (evt_…)."""
    text = ref.strip().removeprefix("#")
    if text.startswith(PUBLIC_PREFIX):
        rows = db.rows(f"SELECT {COLUMNS} FROM event WHERE uid = ?", [text.removeprefix(PUBLIC_PREFIX)[:64]])
    elif text.isdigit() and len(text) < 19:
        rows = db.rows(f"SELECT {COLUMNS} FROM event WHERE id = ?", [int(text)])
    else:
        raise InvalidInput(f"not an event: {ref[:80]!r} (give its number, or its id evt_…)")
    if not rows:
        raise NotFound(f"no event {ref[:80]}")
    return _event(db, rows[0])


def of_ids(db: Database, ids: Sequence[int]) -> dict[int, Event]:
    if not ids:
        return {}
    clause, params = db.in_list("id", list(ids))
    return {int(row[0]): _event(db, row) for row in db.rows(f"SELECT {COLUMNS} FROM event WHERE {clause}", params)}


def event_type(kind: EventKind) -> str:
    """The Standard Webhooks ``type``: ``article.published``…"""
    return f"article.{kind.value}"


def payload(event: Event, base_url: str, zone: tzinfo) -> dict[str, Any]:
    """What a webhook receiver gets: the Standard Webhooks envelope (type, timestamp, data), the
    story as the change left it, never who made the change."""
    local = event.published_at.astimezone(zone).isoformat() if event.published_at else None
    return {
        "type": event_type(event.kind),
        "timestamp": event.at.astimezone(zone).isoformat(),
        "data": {
            "id": event.public_id,
            "kind": event.kind.value,
            "sequence": event.seq,
            "article": {
                "id": event.article_id,
                "slug": event.slug,
                "url": article_url(base_url, event.slug),
                "title": event.title,
                "language": event.language,
                "status": event.status,
                "version": event.version,
                "published_at": local,
            },
            "notice": event.notice,
        },
    }
