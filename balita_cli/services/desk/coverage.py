"""Related coverage: other outlets' versions of a story, kept with it ("Also reported by").

The desk files an entry as related coverage of a story when their titles and leads read as
one story (``balita_cli.text.similarity``); imports bring coverage along with a story. ``list
--clusters`` shows which stories the most outlets are reporting.

``add_coverage`` writes (a session); ``clusters`` reads (the DB-API path, no SQLAlchemy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from balita_cli.errors import InvalidInput
from balita_cli.schema import check_text, check_url
from balita_cli.services import reading
from balita_cli.services.query import where_clause
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from balita_cli.db.dbapi import Database
    from balita_cli.records import Record
    from balita_cli.services.query import ArticleFilter, Window


def add_coverage(session: Session, article_id: int, entries: Iterable[Mapping[str, Any]]) -> int:
    """Entries the story does not carry yet (by their external id); returns how many were added."""
    from sqlalchemy import insert, select  # here: SQLAlchemy only for writes (reads use the DB-API)
    from sqlmodel import col

    from balita_cli.models import Coverage

    rows: list[dict[str, Any]] = []
    for entry in entries:
        key = str(entry.get("external_id") or entry.get("url") or "")
        if not key:
            raise InvalidInput("a related coverage entry needs an external_id or a url")
        taken = session.execute(select(col(Coverage.id)).where(col(Coverage.external_id) == key)).scalar()
        if taken is not None or any(row["external_id"] == key for row in rows):
            continue
        rows.append(
            {
                "article_id": article_id,
                "external_id": check_text("external_id", key),
                "source_name": check_text("source_name", str(entry.get("source_name") or "")),
                "url": check_url("source_url", str(entry.get("url") or "")),
                "title": check_text("title", str(entry.get("title") or "")),
                "published_at": entry.get("published_at"),
                "score": float(entry.get("score") or 0.0),
                "created_at": utcnow(),
            }
        )
    if rows:
        session.execute(insert(Coverage), rows)
    return len(rows)


def outlet_names(record: Mapping[str, Any]) -> list[str]:
    """The other outlets a story's related coverage names, each once, in the order filed (the
    story's own outlet, whose repeats of the story are noted with it too, left out)."""
    own = str(record.get("source_name") or "").casefold()
    names = (str(item.get("source_name") or "") for item in record.get("coverage") or [])
    return list(dict.fromkeys(name for name in names if name and name.casefold() != own))


def clusters(db: Database, flt: ArticleFilter, window: Window, base_url: str) -> list[Record]:
    """Stories matching ``flt`` that other outlets reported too, the most outlets first (then the
    newest), each record with ``outlets`` (the story's own outlet counts) and
    ``also_reported_by`` (the other outlets' names)."""
    where = where_clause(db, flt)
    bounds, bound_params = window.sql()
    sql = (
        "SELECT article.id, count(DISTINCT coverage.source_name) AS related FROM article "
        "JOIN coverage ON coverage.article_id = article.id "
        "AND lower(coverage.source_name) <> lower(article.source_name) "
        f"WHERE {where.sql} "
        "GROUP BY article.id ORDER BY related DESC, max(article.created_at) DESC, article.id DESC" + bounds
    )
    counts = {int(row[0]): int(row[1]) for row in db.rows(sql, [*where.params, *bound_params])}
    found = []
    for record in reading.records_for(db, list(counts), base_url):
        names = outlet_names(record)
        found.append({**record, "outlets": 1 + counts[record["id"]], "also_reported_by": ", ".join(names)})
    return found
