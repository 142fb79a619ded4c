"""Status changes: publish now or later, unpublish, archive, and the cron job's due run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from balita_cli.errors import InvalidInput
from balita_cli.models import Article, Status, check_transition
from balita_cli.services import articles
from balita_cli.services.articles import ArticleChanges
from balita_cli.timeutil import utcnow


def change_status(
    session: Session,
    article: Article,
    target: Status,
    *,
    who: str = "",
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> Article:
    check_transition(article.status, target)
    values: dict[str, Any] = {"status": target, **(extra or {})}
    return articles.update(
        session,
        article.id,  # type: ignore[arg-type]
        ArticleChanges(values=values),
        seen_version=article.version,
        who=who,
        note=note or f"status {article.status.value} → {target.value}",
    )


def publish(session: Session, article: Article, *, at: datetime | None = None, who: str = "") -> Article:
    """Publish now, or schedule for ``at`` when it lies in the future."""
    now = utcnow()
    if at is not None and at > now:
        if article.status is Status.SCHEDULED:
            return articles.update(
                session, article.id, ArticleChanges(values={"scheduled_at": at}),  # type: ignore[arg-type]
                seen_version=article.version, who=who, note="rescheduled",
            )  # fmt: skip
        return change_status(session, article, Status.SCHEDULED, who=who, extra={"scheduled_at": at})
    when = at or now
    # Republishing from the archive keeps the original date; a first publication stamps it.
    published_at = article.published_at if article.status is Status.ARCHIVED and article.published_at else when
    return change_status(
        session, article, Status.PUBLISHED, who=who,
        extra={"published_at": published_at, "scheduled_at": None},
    )  # fmt: skip


def unpublish(session: Session, article: Article, *, who: str = "") -> Article:
    """Back to draft: from published (taken off the site) or scheduled (the schedule is dropped)."""
    if article.status not in {Status.PUBLISHED, Status.SCHEDULED}:
        raise InvalidInput(f"article {article.id} is {article.status.value}, not published or scheduled")
    return change_status(session, article, Status.DRAFT, who=who, extra={"scheduled_at": None})


def archive(session: Session, article: Article, *, who: str = "") -> Article:
    return change_status(session, article, Status.ARCHIVED, who=who)


@dataclass
class DueRun:
    published: list[Article] = field(default_factory=list)
    expired: list[Article] = field(default_factory=list)


def run_due(session: Session, *, now: datetime | None = None, who: str = "") -> DueRun:
    """Publish scheduled articles whose time has come; archive published ones past expiry."""
    moment = now or utcnow()
    run = DueRun()
    live = Article.deleted_at.is_(None)  # type: ignore[union-attr]
    due = select(Article).where(
        and_(Article.status == Status.SCHEDULED, Article.scheduled_at <= moment, live)  # type: ignore[arg-type,operator]
    )
    for article in list(session.execute(due.order_by(Article.scheduled_at)).scalars()):  # type: ignore[arg-type]
        run.published.append(
            change_status(
                session,
                article,
                Status.PUBLISHED,
                who=who,
                note="published on schedule",
                extra={"published_at": article.scheduled_at, "scheduled_at": None},
            )  # fmt: skip
        )
    expired = select(Article).where(
        and_(Article.status == Status.PUBLISHED, Article.expires_at <= moment, live)  # type: ignore[arg-type,operator]
    )
    for article in list(session.execute(expired.order_by(Article.expires_at)).scalars()):  # type: ignore[arg-type]
        run.expired.append(change_status(session, article, Status.ARCHIVED, who=who, note="expired"))
    return run
