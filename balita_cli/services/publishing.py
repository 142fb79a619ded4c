"""Status changes: submit for review, publish now or later, unpublish, archive, and the cron
job's due run.

``publish --at`` a time already past would publish at once, dated then: a mistyped year breaks an
embargo without a word. So a past time is refused unless the caller says it is meant (``backdate``).

A story that leads with a photo of the media library goes out only when that photo has alt
text: ``publish`` (now or scheduled) refuses, naming the photo, unless forced. The due run never
refuses: a story scheduled before the rule, or forced, or whose photo lost its alt text since,
is published on time and reported in ``DueRun.missing_alt`` for the cron mail to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import InvalidInput, InvalidTransition
from balita_cli.models import Article, Photo
from balita_cli.services import articles
from balita_cli.services.articles import ArticleChanges
from balita_cli.timeutil import human, relative_words, utcnow
from balita_cli.workflow import Status, check_transition


def change_status(
    session: Session,
    article_id: int,
    target: Status,
    *,
    who: str = "",
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> int:
    before = articles.current(session, article_id)
    status = Status(before["status"])
    check_transition(status, target)
    return articles.update(
        session,
        article_id,
        ArticleChanges(values={"status": target, **(extra or {})}),
        seen_version=before["version"],
        who=who,
        note=note or f"status {status.value} → {target.value}",
    )


class MissingAltText(InvalidInput):
    """The article's lead photo has no alt text, so readers of screen readers would get nothing."""


def photo_without_alt(session: Session, article_id: int) -> int | None:
    """The id of the article's library photo when that photo has no alt text, else None."""
    row = session.execute(
        select(col(Photo.id), col(Photo.alt))
        .join(Article, col(Article.image_id) == col(Photo.id))
        .where(col(Article.id) == article_id)
    ).first()
    if row is None or str(row[1] or "").strip():
        return None
    return cast(int, row[0])


def require_alt(session: Session, article_id: int, *, action: str = "cannot be published", hint: str = "") -> None:
    """Refuse, naming the photo and the fix, when the article's lead photo has no alt text."""
    photo_id = photo_without_alt(session, article_id)
    if photo_id is not None:
        raise MissingAltText(
            f"article {article_id} {action}: its photo {photo_id} has no alt text; "
            f'add it with: balita media edit {photo_id} --alt "…"{hint}'
        )


LIVE = frozenset({Status.PUBLISHED, Status.SCHEDULED})


class PastTime(InvalidInput):
    """``publish --at`` a time that has gone by, without saying it is meant."""


def publish(
    session: Session,
    article_id: int,
    *,
    at: datetime | None = None,
    who: str = "",
    force: bool = False,
    backdate: bool = False,
) -> int:
    """Publish now, or schedule for ``at`` when it lies in the future; a past ``at`` publishes
    now dated then, and only with ``backdate``. Refused when the lead photo has no alt text,
    unless ``force``."""
    now = utcnow()
    if at is not None and at < now and not backdate:
        shown = human(at, session.info["zone"]) if "zone" in session.info else at.isoformat()
        raise PastTime(
            f"--at {shown} is in the past ({relative_words(at, now=now)}): leave out --at to publish now, "
            "or add --backdate to publish it dated then on purpose"
        )
    before = articles.current(session, article_id)
    status = Status(before["status"])
    if not force:
        doing = "scheduled" if at is not None and at > now else "published"
        require_alt(session, article_id, action=f"cannot be {doing}", hint=" (or publish --force)")
    if at is not None and at > now:
        if status is Status.SCHEDULED:
            return articles.update(
                session,
                article_id,
                ArticleChanges(values={"scheduled_at": at}),
                seen_version=before["version"],
                who=who,
                note="rescheduled",
            )
        return change_status(session, article_id, Status.SCHEDULED, who=who, extra={"scheduled_at": at})
    # Republishing from the archive keeps the original date; a first publication stamps it.
    kept = before["published_at"] if status is Status.ARCHIVED and before["published_at"] else None
    published_at = datetime.fromisoformat(kept) if kept else (at or now)
    return change_status(
        session,
        article_id,
        Status.PUBLISHED,
        who=who,
        extra={"published_at": published_at, "scheduled_at": None},
    )


def submit(session: Session, article_id: int, *, who: str = "") -> int:
    """A draft goes to review, for an editor to take further: what a contributor does with a
    story of their own once it is written."""
    status = Status(articles.current(session, article_id)["status"])
    if status is Status.REVIEW:
        raise InvalidTransition(f"article {article_id} is already in review")
    if status is not Status.DRAFT:
        raise InvalidTransition(f"article {article_id} is {status.value}; only drafts are submitted for review")
    return change_status(session, article_id, Status.REVIEW, who=who, note="submitted for review")


def unpublish(session: Session, article_id: int, *, who: str = "") -> int:
    """Back to draft: from published (taken off the site) or scheduled (the schedule is dropped)."""
    status = articles.current(session, article_id)["status"]
    if status not in {Status.PUBLISHED.value, Status.SCHEDULED.value}:
        raise InvalidInput(f"article {article_id} is {status}, not published or scheduled")
    return change_status(session, article_id, Status.DRAFT, who=who, extra={"scheduled_at": None})


def archive(session: Session, article_id: int, *, who: str = "") -> int:
    return change_status(session, article_id, Status.ARCHIVED, who=who)


@dataclass
class DueRun:
    published: list[int] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    missing_alt: list[tuple[int, int]] = field(default_factory=list)  # (article, photo) published anyway


def _due(session: Session, status: Status, column: Any, moment: datetime) -> list[tuple[int, Any]]:
    """Articles of ``status`` whose ``column`` time has come, locked for this run.

    On PostgreSQL, rows another due run has locked are skipped rather than waited for: that run
    is publishing them, and this one would only find them done and fail its compare-and-set.
    """
    statement = (
        select(col(Article.id), column)
        .where(col(Article.status) == status, column <= moment, col(Article.deleted_at).is_(None))
        .order_by(column, col(Article.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return [(int(row[0]), row[1]) for row in session.execute(statement)]


def run_due(session: Session, *, now: datetime | None = None, who: str = "") -> DueRun:
    """Publish scheduled articles whose time has come; archive published ones past expiry."""
    moment = now or utcnow()
    run = DueRun()
    for article_id, scheduled_at in _due(session, Status.SCHEDULED, col(Article.scheduled_at), moment):
        change_status(
            session,
            article_id,
            Status.PUBLISHED,
            who=who,
            note="published on schedule",
            extra={"published_at": scheduled_at, "scheduled_at": None},
        )
        run.published.append(article_id)
        photo_id = photo_without_alt(session, article_id)
        if photo_id is not None:  # never stuck: the schedule is kept, and the desk is told
            run.missing_alt.append((article_id, photo_id))
    for article_id, _expires in _due(session, Status.PUBLISHED, col(Article.expires_at), moment):
        change_status(session, article_id, Status.ARCHIVED, who=who, note="expired")
        run.expired.append(article_id)
    return run
