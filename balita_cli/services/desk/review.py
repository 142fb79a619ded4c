"""The desk's review queue: what came in from the sources, and accepting or rejecting it.

``balita review`` lists the stories the sources brought since the desk last looked (the review
mark, a ``setting`` row written with plain SQL so a look needs no ORM), by source, each with the
other outlets filed as its related coverage. ``review accept`` moves stories into the newsroom's
drafts (or publishes them); ``review reject`` puts them in the trash, where their guids keep the
next fetch from bringing them back. A story readers can already see (or will, on schedule) is not
the queue's to reject: taking it down is ``unpublish`` or ``retract``, which say so on the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidTransition, UsageError
from balita_cli.services.desk.poll_state import get_setting, set_setting
from balita_cli.services.query import time_param
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

REVIEW_MARK = "desk.last_review"


@dataclass(frozen=True)
class Waiting:
    id: int
    title: str
    status: str
    slug: str
    created_at: datetime | None
    published_at: datetime | None
    source: str
    outlets: int  # the story's own outlet and those filed as related coverage
    also: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "status": self.status,
            "title": self.title,
            "slug": self.slug,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "outlets": self.outlets,
            "also_reported_by": list(self.also),
        }


def last_review(db: Database) -> datetime | None:
    value = get_setting(db, REVIEW_MARK)
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def review_queue(
    db: Database, *, since: datetime | None, waiting_only: bool, source_ids: Sequence[int] = (), limit: int = 500
) -> list[Waiting]:
    """Stories from sources that came in after ``since`` (``waiting_only``: those still in
    review, whenever they came), by source (the source with the newest story first), newest first."""
    conditions, params = ["article.deleted_at IS NULL"], []
    if since is not None:
        conditions.append("article.created_at > ?")
        params.append(time_param(db, since))
    if waiting_only:
        conditions.append("article.status = ?")
        params.append("review")
    if source_ids:
        in_ids, id_params = db.in_list("article.source_id", list(source_ids))
        conditions.append(in_ids)
        params += id_params
    rows = db.rows(
        "SELECT article.id, article.title, article.status, article.slug, article.created_at, article.published_at, "
        f"source.name FROM article JOIN source ON source.id = article.source_id WHERE {' AND '.join(conditions)} "
        "ORDER BY article.created_at DESC, article.id DESC LIMIT ?",
        [*params, limit],
    )
    also = _also(db, [int(row[0]) for row in rows])
    found = [
        Waiting(
            int(i),
            str(t),
            str(st),
            str(sl),
            db.time(c),
            db.time(p),
            str(n),
            1 + len(also.get(int(i), ())),
            tuple(also.get(int(i), ())),
        )
        for i, t, st, sl, c, p, n in rows
    ]
    first_seen = {name: rank for rank, name in reversed(list(enumerate(w.source for w in found)))}
    return sorted(found, key=lambda waiting: first_seen[waiting.source])  # stable: newest first within


def _also(db: Database, ids: list[int]) -> dict[int, list[str]]:
    """The other outlets each story's coverage names (its own outlet's repeats left out)."""
    if not ids:
        return {}
    in_ids, params = db.in_list("coverage.article_id", ids)
    grouped: dict[int, list[str]] = {}
    sql = (
        "SELECT coverage.article_id, coverage.source_name FROM coverage "
        "JOIN article ON article.id = coverage.article_id "
        f"WHERE {in_ids} AND lower(coverage.source_name) <> lower(article.source_name) ORDER BY coverage.id"
    )
    for article_id, name in db.rows(sql, params):
        names = grouped.setdefault(int(article_id), [])
        if name not in names:
            names.append(str(name))
    return grouped


def mark_reviewed(db: Database, now: datetime) -> None:
    set_setting(db, REVIEW_MARK, now.astimezone(UTC).isoformat(), now)


def accept(session: Session, refs: Sequence[str], *, section: str | None, publish: bool, who: str) -> list[int]:
    """Take stories out of the queue: into the newsroom's drafts, or published with ``publish``;
    into ``section`` when given. All of them, or none."""
    # here: SQLAlchemy only for writes (the queue is read with the DB-API)
    from balita_cli.services import articles, publishing
    from balita_cli.services.articles import ArticleChanges

    ids = list(dict.fromkeys(articles.resolve(session, ref) for ref in refs))
    for article_id in ids:
        if section is not None:
            articles.update(
                session,
                article_id,
                ArticleChanges(section=section, clear_section=not section.strip()),
                who=who,
                note="accepted at review: section",
            )
        status = Status(articles.current(session, article_id)["status"])
        if publish:
            publishing.publish(session, article_id, who=who)
        elif status is Status.REVIEW:
            publishing.change_status(session, article_id, Status.DRAFT, who=who, note="accepted at review")
        elif status is not Status.DRAFT and section is None:
            raise UsageError(f"article {article_id} is {status.value}, not waiting for review")
    return ids


def reject(session: Session, refs: Sequence[str], *, note: str, who: str) -> list[int]:
    """Move stories to the trash, with a note in their history. Their guids stay known, so the
    next fetch does not bring them back."""
    from balita_cli.services import articles  # here: SQLAlchemy only for writes

    text = f"rejected at review: {note.strip()}" if note.strip() else "rejected at review"
    ids = list(dict.fromkeys(articles.resolve(session, ref) for ref in refs))
    for article_id in ids:
        refuse_if_out(article_id, str(articles.current(session, article_id)["status"]))
        articles.trash(session, article_id, who=who, note=text[:1000])
    return ids


# What takes down a story that is out, or on its way out, instead of rejecting it.
TAKING_DOWN = {
    "published": "take it down with balita unpublish {id} (back to draft) or balita retract {id} REASON "
    "(withdrawn with a public notice)",
    "scheduled": "balita unpublish {id} drops its schedule",
    "archived": "balita delete {id} moves it to the trash, asking first",
    "retracted": "balita delete {id} moves it to the trash, asking first",
}


def refuse_if_out(article_id: int, status: str) -> None:
    """Reject only what has not gone out: a story readers see is taken down on the record."""
    if status in TAKING_DOWN:
        how = TAKING_DOWN[status].format(id=article_id)
        raise InvalidTransition(f"article {article_id} is {status}, not waiting for review; {how}")
