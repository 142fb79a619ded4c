"""Public notices kept with an article: dated corrections, and the retraction of a story.

Both bump the article's version through ``articles.update`` (compare-and-set, with a revision),
then add a ``Correction`` row in the same transaction, so the notice and the version move together.
Public outputs read them from the record's ``corrections`` and ``retraction_reason``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from balita_cli.services import articles, permissions
from balita_cli.services.articles import ArticleChanges
from balita_cli.services.notices import CORRECTION, RETRACTION, add_notices, clean_notice
from balita_cli.workflow import Status, check_transition


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
        session,
        article_id,
        ArticleChanges(values={"status": Status.RETRACTED, "retraction_reason": notice}),
        seen_version=seen_version,
        who=who,
        note=f"retracted: {notice}",
    )
    add_notices(session, article_id, [{"kind": RETRACTION, "text": notice}])
    return version
