"""The outlets the desk follows: the source list (add, edit, pause, remove) and reading it.

A source says what its stories get (section, language, tags, excerpt length, review or publish,
poll interval); ``balita fetch`` keeps the rest of its row (``services/desk/poll_state.py``).
Settings are checked in ``services/desk/source_settings.py``. Reads run on the DB-API read path;
creating, changing and removing a source are write-session services."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.records import iso
from balita_cli.services.desk.source_settings import DEFAULT_EVERY_MINUTES, SourceRecord, SourceSettings, format_every
from balita_cli.services.query import time_param
from balita_cli.slugs import make_slug
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.models import Source

WEEK = timedelta(days=7)

COLUMNS = tuple(
    "id name slug url section language tags title_suffix credit excerpt_words full_text publish every_minutes "
    "allow_private keep_photos paused etag last_modified last_fetch_at last_success_at last_new_at last_error "
    "failures next_due_at created_at".split()
)
_TIMES = ("last_fetch_at", "last_success_at", "last_new_at", "next_due_at", "created_at")
_BOOLS = ("full_text", "allow_private", "keep_photos", "paused")


# ---------------------------------------------------------------- reading


_SELECT = f"SELECT {', '.join(COLUMNS)} FROM source"


def _record(db: Database, row: Sequence[Any]) -> SourceRecord:
    record = dict(zip(COLUMNS, row, strict=True))
    for name in _TIMES:
        record[name] = iso(db.time(record[name]))
    for name in _BOOLS:
        record[name] = bool(record[name])
    try:
        tags = _json_loads(record["tags"]) if record["tags"] not in (None, "", "[]") else []
    except ValueError:
        tags = []
    record["tags"] = [str(tag) for tag in tags] if isinstance(tags, list) else []
    record["every"] = format_every(int(record["every_minutes"]))
    return record


def _json_loads(text: str) -> Any:
    return json.loads(text)


def all_sources(db: Database) -> list[SourceRecord]:
    return [_record(db, row) for row in db.rows(f"{_SELECT} ORDER BY slug")]


def find(db: Database, ref: str) -> SourceRecord:
    """A source by ``#id``, slug or name (case-insensitive)."""
    text = " ".join(str(ref).split())
    if text.startswith("#") and text[1:].isdigit() and len(text) < 19:
        rows = db.rows(f"{_SELECT} WHERE id = ?", [int(text[1:])])
    else:
        rows = db.rows(f"{_SELECT} WHERE slug = ? OR lower(name) = ? ORDER BY id", [make_slug(text), text.lower()])
    if not rows:
        raise NotFound(f"no source {text[:80]!r} (balita source list shows them)")
    return _record(db, rows[0])


def find_many(db: Database, refs: Sequence[str]) -> list[SourceRecord]:
    """Each named source once, in the order named."""
    found: dict[int, SourceRecord] = {}
    for ref in refs:
        source = find(db, ref)
        found.setdefault(source["id"], source)
    return list(found.values())


def due(db: Database, now: datetime) -> list[SourceRecord]:
    """Sources not paused whose next poll is due (never polled: due at once), longest waiting first."""
    rows = db.rows(
        f"{_SELECT} WHERE paused = ? AND (next_due_at IS NULL OR next_due_at <= ?) ORDER BY next_due_at, id",
        [False, time_param(db, now)],
    )
    return [_record(db, row) for row in rows]


def next_due(db: Database) -> SourceRecord | None:
    """The source polled next, for a run that found nothing due."""
    rows = db.rows(f"{_SELECT} WHERE paused = ? ORDER BY next_due_at, id LIMIT 1", [False])
    return _record(db, rows[0]) if rows else None


def listing(db: Database, now: datetime) -> list[SourceRecord]:
    """Every source with what it brought in during the last seven days: ``stories_week`` (stories
    made from it) and ``related_week`` (its versions filed as related coverage)."""
    since = time_param(db, now - WEEK)
    stories = dict(
        db.rows(
            "SELECT source_id, count(*) FROM article WHERE source_id IS NOT NULL AND created_at >= ? "
            "GROUP BY source_id",
            [since],
        )
    )
    related = dict(
        db.rows("SELECT source_name, count(*) FROM coverage WHERE created_at >= ? GROUP BY source_name", [since])
    )
    found = all_sources(db)
    for source in found:
        source["stories_week"] = int(stories.get(source["id"], 0))
        source["related_week"] = int(related.get(source["credit"] or source["name"], 0))
    return found


# ---------------------------------------------------------------- changing


def _row(session: Session, ref: str) -> Source:
    from balita_cli.models import Source  # here: SQLAlchemy only for writes (reads use the DB-API)

    source_id = find(Database.of_session(session), ref)["id"]
    found = session.get(Source, source_id)
    if found is None:  # pragma: no cover (read in this very transaction)
        raise NotFound(f"no source {ref!r}")
    return found


def _name_taken(session: Session, slug: str, source_id: int | None) -> None:
    from sqlalchemy import select  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlmodel import col

    from balita_cli.models import Source

    owner = session.execute(select(col(Source.id), col(Source.name)).where(col(Source.slug) == slug)).first()
    if owner is not None and owner.id != source_id:
        raise Conflict(f"there is a source called {owner.name!r} already")


def add(session: Session, settings: SourceSettings) -> Source:
    """A new source, due at once."""
    from balita_cli.models import Source  # here: SQLAlchemy only for writes (reads use the DB-API)
    from balita_cli.text.excerpt import DEFAULT_MAX_WORDS

    if settings.name is None or settings.url is None:
        raise InvalidInput("a source needs a name and its feed's URL")
    defaults = SourceSettings(
        excerpt_words=DEFAULT_MAX_WORDS,
        full_text=False,
        publish="review",
        every=f"{DEFAULT_EVERY_MINUTES}m",
        allow_private=False,
    )
    values = {**defaults.checked(), **settings.checked()}
    _name_taken(session, values["slug"], None)
    source = Source(**values, created_at=utcnow())
    session.add(source)
    session.flush()
    return source


def edit(session: Session, ref: str, settings: SourceSettings) -> Source:
    """Change what was given. A new URL starts over: no validators, no failures, due at once."""
    source = _row(session, ref)
    values = settings.checked(find(Database.of_session(session), f"#{source.id}"))
    if not values:
        raise InvalidInput("nothing to change: give the settings to change (see balita source edit --help)")
    if "slug" in values:
        _name_taken(session, values["slug"], source.id)
    if "url" in values and values["url"] != source.url:
        values.update(etag="", last_modified="", failures=0, last_error="", next_due_at=None)
    for name, value in values.items():
        setattr(source, name, value)
    session.flush()
    return source


def set_paused(session: Session, refs: Sequence[str], paused: bool) -> list[Source]:
    """Pause (no more polling) or resume (due at once) the sources named."""
    changed = []
    for ref in refs:
        source = _row(session, ref)
        source.paused = paused
        if not paused:
            source.next_due_at = None
        changed.append(source)
    session.flush()
    return changed


def remove(session: Session, ref: str) -> tuple[str, int]:
    """Delete a source; its stories stay, still credited to it by name. Returns (name, stories)."""
    from sqlalchemy import func, select, update  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlmodel import col

    from balita_cli.models import Article

    source = _row(session, ref)
    name = source.name
    count = session.execute(select(func.count()).where(col(Article.source_id) == source.id)).scalar() or 0
    session.execute(update(Article).where(col(Article.source_id) == source.id).values(source_id=None))
    session.delete(source)
    session.flush()
    return name, int(count)


def link_articles(session: Session, source_id: int, external_ids: Sequence[str]) -> int:
    """Mark articles imported from a source's feed (``import feed --source-name``) as its stories."""
    from sqlalchemy import update  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlmodel import col

    from balita_cli.models import Article

    linked = 0
    for start in range(0, len(external_ids), 500):
        batch = list(external_ids[start : start + 500])
        result = session.execute(
            update(Article)
            .where(col(Article.external_id).in_(batch), col(Article.source_id).is_(None))
            .values(source_id=source_id)
        )
        linked += int(getattr(result, "rowcount", 0) or 0)
    return linked
