"""The public notices kept with an article (dated corrections, the retraction of a story): their
checks, and their rows, added in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import InvalidInput
from balita_cli.models import Correction
from balita_cli.schema import check_text
from balita_cli.timeutil import utcnow

CORRECTION = "correction"
RETRACTION = "retraction"
KINDS = (CORRECTION, RETRACTION)


def clean_notice(label: str, text: str) -> str:
    """A notice is shown to readers: it must say something, and not a book."""
    cleaned = check_text("corrections", str(text), prose=True).strip()
    if not cleaned:
        raise InvalidInput(f"{label} cannot be empty")
    return cleaned


def add_notices(session: Session, article_id: int, notices: Iterable[Mapping[str, Any]]) -> int:
    """Notices the article does not carry yet (same kind and text), each dated as given or now."""
    stored = session.execute(
        select(col(Correction.kind), col(Correction.text)).where(col(Correction.article_id) == article_id)
    )
    have = {(str(kind), str(text)) for kind, text in stored}
    rows = []
    for notice in notices:
        kind = str(notice.get("kind") or CORRECTION)
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind of notice {kind[:40]!r} (choose from {', '.join(KINDS)})")
        text = clean_notice(kind, notice.get("text") or "")
        if (kind, text) in have:
            continue
        have.add((kind, text))
        rows.append(
            {"article_id": article_id, "kind": kind, "text": text, "created_at": notice.get("created_at") or utcnow()}
        )
    if rows:
        session.execute(insert(Correction), rows)
    return len(rows)
