"""Counts for `balita stats`: by status, section, tag, author and language, and per day.

Each count is one GROUP BY over the same conditions `list` uses, so `stats` and
`list --format count` agree for the same filters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.services.query import ArticleFilter, Where, time_param, where_clause

GROUPS = {
    "by_status": ("article.status", ""),
    "by_language": ("article.language", ""),
    "by_section": ("section.name", "JOIN section ON section.id = article.section_id"),
    "by_tag": (
        "tag.name",
        "JOIN article_tag ON article_tag.article_id = article.id JOIN tag ON tag.id = article_tag.tag_id",
    ),
    "by_author": (
        "author.name",
        "JOIN article_author ON article_author.article_id = article.id "
        "JOIN author ON author.id = article_author.author_id",
    ),
}


@dataclass
class Stats:
    total: int
    groups: dict[str, dict[str, int]]
    per_day: list[tuple[date, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            **{name: self.groups[name] for name in ("by_status", "by_section", "by_tag", "by_author", "by_language")},
            "published_per_day": [{"date": day.isoformat(), "published": n} for day, n in self.per_day],
        }


def _grouped(db: Database, key: str, joins: str, where: Where) -> dict[str, int]:
    sql = (
        f"SELECT {key}, count(DISTINCT article.id) AS n FROM article {joins} WHERE {where.sql} "
        f"GROUP BY {key} ORDER BY n DESC, {key}"
    )
    return {str(name) if name is not None else "(none)": int(count) for name, count in db.rows(sql, where.params)}


def collect(db: Database, flt: ArticleFilter, *, days: int, zone: tzinfo, now: datetime) -> Stats:
    where = where_clause(db, flt)
    total = int(db.scalar(f"SELECT count(*) FROM article WHERE {where.sql}", where.params))
    groups = {name: _grouped(db, key, joins, where) for name, (key, joins) in GROUPS.items()}
    unsectioned = total - sum(groups["by_section"].values())
    if unsectioned:
        groups["by_section"]["(none)"] = unsectioned
    return Stats(total, groups, published_per_day(db, flt, days=days, zone=zone, now=now))


def published_per_day(
    db: Database, flt: ArticleFilter, *, days: int, zone: tzinfo, now: datetime
) -> list[tuple[date, int]]:
    """Articles published on each of the last ``days`` local days (zero days included)."""
    last_day = now.astimezone(zone).date()
    first_day = last_day - timedelta(days=max(days, 1) - 1)
    where = where_clause(db, flt)
    where.add("article.published_at >= ?", time_param(db, datetime.combine(first_day, time(), tzinfo=zone)))
    sql = f"SELECT article.published_at FROM article WHERE {where.sql}"
    counts = Counter(
        moment.astimezone(zone).date()
        for (value,) in db.rows(sql, where.params)
        if (moment := db.time(value)) is not None
    )
    return [
        (first_day + timedelta(days=n), counts.get(first_day + timedelta(days=n), 0))
        for n in range((last_day - first_day).days + 1)
    ]
