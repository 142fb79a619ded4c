"""Public notices kept with an article: dated corrections, and the retraction of a story.

Both bump the article's version through ``articles.update`` (compare-and-set, with a revision),
then add a ``Correction`` row in the same transaction, so the notice and the version move together.
Public outputs read them from the record's ``corrections`` and ``retraction_reason``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import InvalidInput
from balita_cli.models import Correction
from balita_cli.schema import check_text
from balita_cli.services import articles, permissions
from balita_cli.services.articles import ArticleChanges
from balita_cli.timeutil import utcnow
from balita_cli.workflow import Status, check_transition

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
    stored = session.execute(select(col(Correction.kind), col(Correction.text)).where(
        col(Correction.article_id) == article_id))  # fmt: skip
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
        rows.append({"article_id": article_id, "kind": kind, "text": text,
                     "created_at": notice.get("created_at") or utcnow()})  # fmt: skip
    if rows:
        session.execute(insert(Correction), rows)
    return len(rows)


def correct(session: Session, article_id: int, text: str, *, seen_version: int | None = None, who: str = "") -> int:
    """Append a dated correction notice; the article gets a new version recording it."""
    notice = clean_notice("correction", text)
    permissions.require(session, permissions.Action.CORRECT, article_id)
    version = articles.update(
        session, article_id, ArticleChanges(), seen_version=seen_version, who=who, note=f"correction: {notice}"
    )
    add_notices(session, article_id, [{"kind": CORRECTION, "text": notice}])
    return version


def retract(session: Session, article_id: int, reason: str, *, seen_version: int | None = None, who: str = "") -> int:
    """Take a published story down with a public notice; the workflow refuses other statuses."""
    notice = clean_notice("retraction reason", reason)
    check_transition(Status(articles.current(session, article_id)["status"]), Status.RETRACTED)
    version = articles.update(
        session, article_id,
        ArticleChanges(values={"status": Status.RETRACTED, "retraction_reason": notice}),
        seen_version=seen_version, who=who, note=f"retracted: {notice}",
    )  # fmt: skip
    add_notices(session, article_id, [{"kind": RETRACTION, "text": notice}])
    return version
