"""Records for exports, streamed from plain rows in batches: flat memory and no ORM objects.

An export touches every matching article once and needs only names from its relations, so it
reads the article table and the relation tables with plain SELECTs, a batch of ids at a time,
and builds each record through ``records.build_record`` — the same function ``article_record``
uses, so the output is identical to what the ORM path gives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import UsageError
from balita_cli.models import Article, ArticleAuthor, ArticleSlug, ArticleTag, Author, Correction, Section, Tag
from balita_cli.records import build_record, correction_entry
from balita_cli.services.query import ArticleFilter, conditions, order_by

BATCH = 1000


def stream_records(
    session: Session,
    flt: ArticleFilter,
    base_url: str,
    *,
    sort: str = "-published",
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[dict[str, Any]]:
    """Every matching article's record, in ``sort`` order, read ``BATCH`` articles at a time."""
    if offset < 0:
        raise UsageError("--offset cannot be negative")
    if limit is not None and limit < 0:
        raise UsageError("--limit cannot be negative")
    table = Article.__table__  # type: ignore[attr-defined]
    id_query = select(table.c.id).where(and_(*conditions(session, flt))).order_by(*order_by(sort))
    if limit is not None:
        id_query = id_query.limit(limit)
    ids: list[int] = list(session.execute(id_query.offset(offset) if offset else id_query).scalars())
    section_table = Section.__table__  # type: ignore[attr-defined]
    sections: dict[int, str] = {row.id: row.name for row in session.execute(select(section_table))}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = {row["id"]: row for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings()}
        related = _relations(session, chunk)
        for article_id in chunk:
            row = rows.get(article_id)
            if row is None:
                continue  # deleted between the two reads
            yield build_record(
                row,
                base_url=base_url,
                section=sections.get(row["section_id"]),
                **{name: values.get(article_id, []) for name, values in related.items()},
            )


def _relations(session: Session, chunk: Sequence[int]) -> dict[str, dict[int, list[Any]]]:
    """Names of tags and authors (byline order), old slugs and corrections for a batch of ids."""
    queries = {
        "tags": select(col(ArticleTag.article_id), col(Tag.name))
        .join(Tag, col(Tag.id) == col(ArticleTag.tag_id))
        .where(col(ArticleTag.article_id).in_(chunk))
        .order_by(col(Tag.slug)),
        "authors": select(col(ArticleAuthor.article_id), col(Author.name))
        .join(Author, col(Author.id) == col(ArticleAuthor.author_id))
        .where(col(ArticleAuthor.article_id).in_(chunk))
        .order_by(col(ArticleAuthor.position)),
        "aliases": select(col(ArticleSlug.article_id), col(ArticleSlug.slug))
        .where(col(ArticleSlug.article_id).in_(chunk))
        .order_by(col(ArticleSlug.id)),
    }
    related: dict[str, dict[int, list[Any]]] = {}
    for name, query in queries.items():
        grouped: dict[int, list[Any]] = defaultdict(list)
        for article_id, value in session.execute(query):
            grouped[article_id].append(value)
        related[name] = grouped
    corrections: dict[int, list[Any]] = defaultdict(list)
    notices = (
        select(col(Correction.article_id), col(Correction.kind), col(Correction.created_at), col(Correction.text))
        .where(col(Correction.article_id).in_(chunk))
        .order_by(col(Correction.id))
    )
    for article_id, kind, created_at, text in session.execute(notices):
        corrections[article_id].append(correction_entry(kind, created_at, text))
    related["corrections"] = corrections
    return related
