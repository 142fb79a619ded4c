"""What a digest carries, read from the database: the stories published in its window (each
with the other outlets that reported it: the desk's coverage, "Also reported by"), and the
corrections and retractions since the list's previous issue.

Only what readers can see goes in: published stories, as the site shows them. A story retracted
since is never among the stories: it is listed with its retraction notice instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from balita_cli.db.dbapi import Database
from balita_cli.records import Record, public_view, retraction_notice
from balita_cli.services import events, reading
from balita_cli.services.query import ArticleFilter, Window
from balita_cli.workflow import EventKind, Status

MAX_STORIES = 200  # a digest is read in one sitting; the rest is on the site
MAX_NOTICES = 200


@dataclass(frozen=True)
class Story:
    title: str
    url: str
    summary: str
    section: str
    authors: tuple[str, ...]
    published_at: datetime
    also_reported_by: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    kind: str  # "corrected" or "retracted"
    title: str
    url: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Digest:
    stories: tuple[Story, ...]
    notices: tuple[Notice, ...]

    @property
    def empty(self) -> bool:
        return not self.stories and not self.notices


@dataclass(frozen=True)
class Span:
    """The stories published in [since, until), the notices in [notices_since, until)."""

    since: datetime
    until: datetime
    notices_since: datetime
    section: str = ""
    language: str = ""


def read(db: Database, window: Span, base_url: str) -> Digest:
    return Digest(_stories(db, window, base_url), _notices(db, window, base_url))


def _stories(db: Database, window: Span, base_url: str) -> tuple[Story, ...]:
    wanted = ArticleFilter(
        statuses=[Status.PUBLISHED],
        sections=[window.section] if window.section else [],
        languages=[window.language] if window.language else [],
        since=window.since,
        until=window.until,
        date_field="published",
    )
    ids = reading.matching_ids(db, wanted, Window(sort="-published", limit=MAX_STORIES))
    stories = []
    for record in reading.records_for(db, ids, base_url):
        view = public_view(record)
        if view is None or view["status"] != Status.PUBLISHED.value:
            continue
        stories.append(_story(view))
    return tuple(stories)


def _story(view: Record) -> Story:
    outlets = dict.fromkeys(
        " ".join(str(entry.get("source_name") or "").split()) for entry in view.get("coverage") or []
    )
    outlets.pop("", None)
    return Story(
        title=str(view["title"]),
        url=str(view["url"]),
        summary=str(view.get("summary") or ""),
        section=str(view.get("section") or ""),
        authors=tuple(view.get("authors") or ()),
        published_at=datetime.fromisoformat(str(view["published_at"])),
        also_reported_by=tuple(outlets),
    )


def _notices(db: Database, window: Span, base_url: str) -> tuple[Notice, ...]:
    found = events.since(
        db,
        window.notices_since,
        until=window.until,
        kinds=(EventKind.CORRECTED, EventKind.RETRACTED),
        limit=MAX_NOTICES * 4,
    )
    now = {
        record["id"]: (view, terms)
        for record, terms in reading.records_with_terms(db, sorted({event.article_id for event in found}), base_url)
        if (view := public_view(record)) is not None
    }
    notices: list[Notice] = []
    retracted: set[int] = set()
    for event in found:
        current = now.get(event.article_id)
        if current is None:
            continue
        view, terms = current
        if window.section and window.section not in {slug for _name, slug in terms["section"]}:
            continue
        if window.language and view["language"] != window.language:
            continue
        if event.kind is EventKind.RETRACTED and view["status"] == Status.RETRACTED.value:
            if event.article_id in retracted:
                continue
            retracted.add(event.article_id)
            text = retraction_notice(view)
        elif event.kind is EventKind.CORRECTED and view["status"] != Status.RETRACTED.value:
            text = event.notice
        else:
            continue
        notices.append(Notice(event.kind.value, str(view["title"]), str(view["url"]), text, event.at))
    return tuple(notices[:MAX_NOTICES])
