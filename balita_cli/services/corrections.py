"""Public notices kept with an article: dated corrections, and the retraction of a story.

Both bump the article's version through ``articles.update`` (compare-and-set, with a revision),
then add a ``Correction`` row in the same transaction, so the notice and the version move together.
Public outputs read them from the record's ``corrections`` and ``retraction_reason``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from balita_cli.errors import InvalidInput
from balita_cli.models import Article, Correction, Status, check_transition
from balita_cli.services import articles
from balita_cli.services.articles import ArticleChanges, check_text
from balita_cli.timeutil import utcnow

MAX_NOTICE_LENGTH = 5000
CORRECTION = "correction"
RETRACTION = "retraction"


def clean_notice(label: str, text: str) -> str:
    """A notice is shown to readers: it must say something, and not a book."""
    cleaned = check_text(label, text).strip()
    if not cleaned:
        raise InvalidInput(f"{label} cannot be empty")
    if len(cleaned) > MAX_NOTICE_LENGTH:
        raise InvalidInput(f"{label} is longer than {MAX_NOTICE_LENGTH} characters")
    return cleaned


def _add_notice(session: Session, article_id: int, kind: str, text: str) -> None:
    session.add(Correction(article_id=article_id, created_at=utcnow(), kind=kind, text=text))
    session.flush()


def correct(session: Session, article_id: int, text: str, *, seen_version: int | None = None, who: str = "") -> Article:
    """Append a dated correction notice; the article gets a new version recording it."""
    notice = clean_notice("correction", text)
    articles.update(
        session, article_id, ArticleChanges(), seen_version=seen_version, who=who,
        note=f"correction: {notice}",
    )  # fmt: skip
    _add_notice(session, article_id, CORRECTION, notice)
    return articles.load(session, article_id)


def retract(
    session: Session,
    article_id: int,
    reason: str,
    *,
    seen_version: int | None = None,
    who: str = "",
) -> Article:
    """Take a published story down with a public notice; the workflow refuses other statuses."""
    notice = clean_notice("retraction reason", reason)
    article = articles.load(session, article_id)
    check_transition(article.status, Status.RETRACTED)
    articles.update(
        session, article_id,
        ArticleChanges(values={"status": Status.RETRACTED, "retraction_reason": notice}),
        seen_version=seen_version, who=who, note=f"retracted: {notice}",
    )  # fmt: skip
    _add_notice(session, article_id, RETRACTION, notice)
    return articles.load(session, article_id)
