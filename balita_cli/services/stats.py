"""Counts for `balita stats`: by status, section, tag, author and language, and per day.

Each count is one GROUP BY over the same conditions `list` uses, so `stats` and
`list --format count` agree for the same filters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.models import Article, ArticleAuthor, ArticleTag, Author, Section, Tag
from balita_cli.services.query import ArticleFilter, conditions


@dataclass
class Stats:
    total: int
    by_status: dict[str, int]
    by_section: dict[str, int]
    by_tag: dict[str, int]
    by_author: dict[str, int]
    by_language: dict[str, int]
    per_day: list[tuple[date, int]] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_status": self.by_status,
            "by_section": self.by_section,
            "by_tag": self.by_tag,
            "by_author": self.by_author,
            "by_language": self.by_language,
            "published_per_day": [{"date": day.isoformat(), "published": n} for day, n in self.per_day],
        }


def _grouped(session: Session, key: Any, where: list[Any], *joins: tuple[Any, Any]) -> dict[str, int]:
    statement = select(key, func.count(func.distinct(Article.id))).select_from(Article)
    for target, on in joins:
        statement = statement.join(target, on)
    statement = statement.where(and_(*where)).group_by(key).order_by(func.count(func.distinct(Article.id)).desc(), key)
    return {str(name) if name is not None else "(none)": int(count) for name, count in session.execute(statement)}


def collect(session: Session, flt: ArticleFilter, *, days: int, zone: tzinfo, now: datetime) -> Stats:
    where = conditions(session, flt)
    total = int(session.execute(select(func.count()).select_from(Article).where(and_(*where))).scalar_one())
    by_section = _grouped(session, Section.name, where, (Section, Section.id == Article.section_id))
    unsectioned = total - sum(by_section.values())
    if unsectioned:
        by_section["(none)"] = unsectioned
    return Stats(
        total=total,
        by_status=_grouped(session, Article.status, where),
        by_section=by_section,
        by_tag=_grouped(
            session,
            Tag.name,
            where,
            (ArticleTag, ArticleTag.article_id == Article.id),
            (Tag, Tag.id == ArticleTag.tag_id),
        ),
        by_author=_grouped(
            session,
            Author.name,
            where,
            (ArticleAuthor, ArticleAuthor.article_id == Article.id),
            (Author, Author.id == ArticleAuthor.author_id),
        ),
        by_language=_grouped(session, Article.language, where),
        per_day=published_per_day(session, flt, days=days, zone=zone, now=now),
    )


def published_per_day(
    session: Session, flt: ArticleFilter, *, days: int, zone: tzinfo, now: datetime
) -> list[tuple[date, int]]:
    """Articles published on each of the last ``days`` local days (zero days included)."""
    last_day = now.astimezone(zone).date()
    first_day = last_day - timedelta(days=max(days, 1) - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    published = col(Article.published_at)
    where = [*conditions(session, flt), published.is_not(None), published >= start]
    times = session.execute(select(published).where(and_(*where))).scalars()
    counts = Counter(moment.astimezone(zone).date() for moment in times if moment is not None)
    return [
        (first_day + timedelta(days=offset), counts.get(first_day + timedelta(days=offset), 0))
        for offset in range((last_day - first_day).days + 1)
    ]
