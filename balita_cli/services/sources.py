"""The outlets the desk follows: their feeds, what they send in, and the state of polling them.

A source is added once (``balita source add "GMA News" https://…/rss``) with what its stories
get: a section, a language, tags, how many words of the outlet's text are kept (the excerpt
policy), whether they wait for review, go in as drafts or are published at once, and how often
the feed is polled. ``balita fetch`` keeps the rest up to date: the feed's ETag and
Last-Modified (a conditional GET costs nothing when nothing changed), when it was last fetched
and last brought something new, its last error, and when it is due again (later after
failures: ``balita_cli.net.next_attempt_delay``).

Reads (``find``, ``all_sources``, ``due``, ``listing``) run on the DB-API read path; creating,
changing and removing a source are write-session services. The poll state is written with
plain SQL (``record_polls``), inside the fetch's write session when stories came in, and
otherwise on a short connection of its own (``writing``): a run in which every outlet answered
"304 Not Modified" never loads SQLAlchemy, so it costs little more than ``balita list``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.records import iso
from balita_cli.schema import (
    MAX_NAME_LENGTH,
    check_language,
    check_name,
    check_names,
    check_url,
    strip_controls,
)
from balita_cli.services.query import time_param
from balita_cli.text.excerpt import DEFAULT_MAX_WORDS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.models import Source

PUBLISH_POLICIES = ("review", "draft", "auto")
DEFAULT_EVERY_MINUTES = 15
MIN_EVERY_MINUTES = 5  # politeness: no outlet is polled more often, whatever a source says
MAX_EVERY_MINUTES = 7 * 24 * 60
MIN_EXCERPT_WORDS, MAX_EXCERPT_WORDS = 10, 1000
WEEK = timedelta(days=7)

COLUMNS = (
    "id", "name", "slug", "url", "section", "language", "tags", "excerpt_words", "full_text", "publish",
    "every_minutes", "allow_private", "paused", "etag", "last_modified", "last_fetch_at", "last_success_at",
    "last_new_at", "last_error", "failures", "next_due_at", "created_at",
)  # fmt: skip
_TIMES = ("last_fetch_at", "last_success_at", "last_new_at", "next_due_at", "created_at")
_BOOLS = ("full_text", "allow_private", "paused")
_EVERY = re.compile(r"^\s*(\d{1,7})\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)?\s*$", re.I)
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}

SourceRecord = dict[str, Any]


# ---------------------------------------------------------------- values


def parse_every(text: str) -> int:
    """Minutes between polls from ``15m``, ``2h``, ``1d`` or a bare number of minutes."""
    found = _EVERY.match(str(text))
    if found is None:
        raise InvalidInput(f"cannot read interval {str(text)[:40]!r}: use minutes, hours or days, e.g. 15m, 2h, 1d")
    minutes = int(found.group(1)) * _UNIT_MINUTES[(found.group(2) or "m")[0].lower()]
    if not MIN_EVERY_MINUTES <= minutes <= MAX_EVERY_MINUTES:
        raise InvalidInput(
            f"a feed is polled every {MIN_EVERY_MINUTES} minutes at most and every 7 days at least, "
            f"not {str(text).strip()[:40]!r}"
        )
    return minutes


def format_every(minutes: int) -> str:
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def check_excerpt_words(words: int) -> int:
    if not MIN_EXCERPT_WORDS <= words <= MAX_EXCERPT_WORDS:
        raise InvalidInput(
            f"an excerpt keeps {MIN_EXCERPT_WORDS} to {MAX_EXCERPT_WORDS} words, not {words:,} "
            "(--full-text keeps the whole story, for outlets that allow it)"
        )
    return words


def check_publish(policy: str) -> str:
    value = policy.strip().lower()
    if value not in PUBLISH_POLICIES:
        raise InvalidInput(f"--publish is one of {', '.join(PUBLISH_POLICIES)}, not {policy[:40]!r}")
    return value


def check_feed_url(url: str, *, allow_private: bool) -> str:
    """An http(s) feed address without credentials; a private or loopback address only with
    ``allow_private`` (names are checked when fetched: they may resolve anywhere)."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    from balita_cli.net.addresses import a_kind, refusal

    checked = check_url("url", url)
    if not checked:
        raise InvalidInput("a source needs its feed's URL")
    parts = urlsplit(checked)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("a feed URL with a user name or password is not supported")
    host = (parts.hostname or "").strip("[]")
    literal = "127.0.0.1" if host.lower() in {"localhost", "localhost.localdomain"} else host
    try:
        kind = refusal(ip_address(literal), allow_private=allow_private)
    except ValueError:  # a name: judged when it is resolved, at every fetch
        kind = None
    if kind is not None:
        hint = " (add --allow-private for a feed on your own network)" if kind in {"loopback", "private"} else ""
        raise InvalidInput(f"{host} is {a_kind(kind)}: balita does not fetch from it{hint}")
    return checked


def _slug(name: str) -> str:
    from balita_cli.slugs import make_slug

    slug = make_slug(name)
    if not slug:
        raise InvalidInput(f"source name {name!r} has no letters or digits")
    return slug[:MAX_NAME_LENGTH]


@dataclass(frozen=True)
class SourceSettings:
    """What ``source add`` and ``source edit`` set; None leaves a value as it is (edit)."""

    name: str | None = None
    url: str | None = None
    section: str | None = None
    language: str | None = None
    tags: Sequence[str] | None = None
    excerpt_words: int | None = None
    full_text: bool | None = None
    publish: str | None = None
    every: str | None = None
    allow_private: bool | None = None

    def checked(self, current: SourceRecord | None = None) -> dict[str, Any]:
        """Column values for the settings given, each checked."""
        values: dict[str, Any] = {}
        if self.name is not None:
            values["name"] = check_name("source", self.name)
            if re.fullmatch(r"#\d+", values["name"]):
                raise InvalidInput(f"{values['name']!r} reads as a source id: give the outlet's name")
            values["slug"] = _slug(values["name"])
        allow_private = self.allow_private if self.allow_private is not None else bool(
            current and current["allow_private"])  # fmt: skip
        url = self.url
        if url is None and current is not None and self.allow_private is False:
            url = str(current["url"])  # still allowed without --allow-private?
        if url is not None:
            values["url"] = check_feed_url(url, allow_private=allow_private)
        if self.allow_private is not None:
            values["allow_private"] = self.allow_private
        if self.section is not None:
            values["section"] = check_name("section", self.section) if self.section.strip() else ""
        if self.language is not None:
            values["language"] = check_language(self.language) if self.language.strip() else ""
        if self.tags is not None:
            values["tags"] = json.dumps(check_names("tags", list(self.tags)), ensure_ascii=False)
        if self.excerpt_words is not None:
            values["excerpt_words"] = check_excerpt_words(self.excerpt_words)
        if self.full_text is not None:
            values["full_text"] = self.full_text
        if self.publish is not None:
            values["publish"] = check_publish(self.publish)
        if self.every is not None:
            values["every_minutes"] = parse_every(self.every)
        return values


# ---------------------------------------------------------------- reading


_SELECT = f"SELECT {', '.join(COLUMNS)} FROM source"


def _record(db: Database, row: Sequence[Any]) -> SourceRecord:
    record = dict(zip(COLUMNS, row, strict=True))
    for name in _TIMES:
        record[name] = iso(db.time(record[name]))
    for name in _BOOLS:
        record[name] = bool(record[name])
    try:
        tags = json.loads(record["tags"] or "[]")
    except ValueError:
        tags = []
    record["tags"] = [str(tag) for tag in tags] if isinstance(tags, list) else []
    record["every"] = format_every(int(record["every_minutes"]))
    return record


def all_sources(db: Database) -> list[SourceRecord]:
    return [_record(db, row) for row in db.rows(f"{_SELECT} ORDER BY slug")]


def find(db: Database, ref: str) -> SourceRecord:
    """A source by ``#id``, slug or name (case-insensitive)."""
    text = " ".join(str(ref).split())
    if text.startswith("#") and text[1:].isdigit() and len(text) < 19:
        rows = db.rows(f"{_SELECT} WHERE id = ?", [int(text[1:])])
    else:
        from balita_cli.slugs import make_slug

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
    stories = dict(db.rows("SELECT source_id, count(*) FROM article WHERE source_id IS NOT NULL AND created_at >= ? "
                           "GROUP BY source_id", [since]))  # fmt: skip
    related = dict(db.rows("SELECT source_name, count(*) FROM coverage WHERE created_at >= ? GROUP BY source_name",
                           [since]))  # fmt: skip
    found = all_sources(db)
    for source in found:
        source["stories_week"] = int(stories.get(source["id"], 0))
        source["related_week"] = int(related.get(source["name"], 0))
    return found


# ---------------------------------------------------------------- changing


def _row(session: Session, ref: str) -> Source:
    from balita_cli.models import Source

    source_id = find(Database.of_session(session), ref)["id"]
    found = session.get(Source, source_id)
    if found is None:  # pragma: no cover (read in this very transaction)
        raise NotFound(f"no source {ref!r}")
    return found


def _name_taken(session: Session, slug: str, source_id: int | None) -> None:
    from sqlalchemy import select
    from sqlmodel import col

    from balita_cli.models import Source

    owner = session.execute(select(col(Source.id), col(Source.name)).where(col(Source.slug) == slug)).first()
    if owner is not None and owner.id != source_id:
        raise Conflict(f"there is a source called {owner.name!r} already")


def add(session: Session, settings: SourceSettings) -> Source:
    """A new source, due at once."""
    from balita_cli.models import Source
    from balita_cli.timeutil import utcnow

    if settings.name is None or settings.url is None:
        raise InvalidInput("a source needs a name and its feed's URL")
    defaults = SourceSettings(excerpt_words=DEFAULT_MAX_WORDS, full_text=False, publish="review",
                              every=f"{DEFAULT_EVERY_MINUTES}m", allow_private=False)  # fmt: skip
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
    from sqlalchemy import func, select, update
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
    from sqlalchemy import update
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


# ---------------------------------------------------------------- the poll state


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
    from balita_cli.db import dbapi

    path = dbapi.sqlite_path(url)
    if path is not None:
        import sqlite3

        try:
            connection: Any = sqlite3.connect(path, timeout=dbapi.BUSY_TIMEOUT_S, isolation_level=None)
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
