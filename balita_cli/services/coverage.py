"""Related coverage: other outlets' versions of a story, kept with it ("Also reported by")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import InvalidInput
from balita_cli.models import Coverage
from balita_cli.schema import check_text, check_url
from balita_cli.timeutil import utcnow


def add_coverage(session: Session, article_id: int, entries: Iterable[Mapping[str, Any]]) -> int:
    """Entries the story does not carry yet (by their external id); returns how many were added."""
    rows: list[dict[str, Any]] = []
    for entry in entries:
        key = str(entry.get("external_id") or entry.get("url") or "")
        if not key:
            raise InvalidInput("a related coverage entry needs an external_id or a url")
        taken = session.execute(select(col(Coverage.id)).where(col(Coverage.external_id) == key)).scalar()
        if taken is not None or any(row["external_id"] == key for row in rows):
            continue
        rows.append({
            "article_id": article_id, "external_id": check_text("external_id", key),
            "source_name": check_text("source_name", str(entry.get("source_name") or "")),
            "url": check_url("source_url", str(entry.get("url") or "")),
            "title": check_text("title", str(entry.get("title") or "")),
            "published_at": entry.get("published_at"), "score": float(entry.get("score") or 0.0),
            "created_at": utcnow(),
        })  # fmt: skip
    if rows:
        session.execute(insert(Coverage), rows)
    return len(rows)
