"""An article's editorial record: its versions, the content of any version, diffs and reverts.

A ``Revision`` row with version N is written by the change that produced version N: it says who
made that change, when and why, and holds the full content of version N-1. So the content of
version N is the next revision's snapshot, or the article itself when N is the current version.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from balita_cli.errors import Aborted, InvalidInput, NotFound
from balita_cli.models import Article, Revision
from balita_cli.services import articles
from balita_cli.services.articles import TEXT_FIELDS, ArticleChanges
from balita_cli.timeutil import iso

# What a revert brings back. Status, publication times and the retraction notice stay as they
# are: the workflow moves only through publish/unpublish/retract, never by a content revert.
REVERTED_TEXT = tuple(name for name in TEXT_FIELDS if name != "retraction_reason")
WORKFLOW_FIELDS = ("status", "published_at", "scheduled_at", "retraction_reason")


@dataclass(frozen=True)
class VersionEntry:
    version: int
    created_at: datetime | None
    changed_by: str
    note: str
    current: bool

    def record(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": iso(self.created_at),
            "changed_by": self.changed_by,
            "note": self.note,
            "current": self.current,
        }


def _revisions(session: Session, article_id: int) -> dict[int, Revision]:
    statement = select(Revision).where(Revision.article_id == article_id)  # type: ignore[arg-type]
    return {rev.version: rev for rev in session.execute(statement).scalars()}


def history(session: Session, article: Article) -> list[VersionEntry]:
    """Every version, newest first; version 1 is the creation."""
    stored = _revisions(session, article.id)  # type: ignore[arg-type]
    entries = []
    for version in range(article.version, 0, -1):
        rev = stored.get(version)
        if rev is not None:
            entry = VersionEntry(version, rev.created_at, rev.changed_by, rev.note, False)
        elif version == 1:
            creator = article.created_by or _author_of_first(stored)
            entry = VersionEntry(1, article.created_at, creator, "created", False)
        else:
            continue  # a gap (an import that started above 1): nothing recorded for it
        entries.append(entry)
    if entries and entries[0].version == article.version:
        top = entries[0]
        entries[0] = VersionEntry(top.version, top.created_at, top.changed_by, top.note, True)
    return entries


def _author_of_first(stored: dict[int, Revision]) -> str:
    """Who created the article: the last editor of version 1, kept in version 2's snapshot."""
    second = stored.get(2)
    return str(json.loads(second.snapshot).get("updated_by", "")) if second is not None else ""


def content(session: Session, article: Article, version: int) -> dict[str, Any]:
    """The article's editable content as it was at ``version``."""
    if version == article.version:
        return articles.snapshot(article)
    if not 1 <= version < article.version:
        raise NotFound(f"article {article.id} has versions 1 to {article.version}, not {version}")
    following = session.execute(
        select(Revision.snapshot).where(  # type: ignore[call-overload]
            Revision.article_id == article.id, Revision.version == version + 1
        )
    ).scalar()
    if following is None:
        raise NotFound(f"no content is recorded for version {version} of article {article.id}")
    data: dict[str, Any] = json.loads(following)
    return data


def _field_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for name in sorted(key for key in data if key not in {"body", "updated_by"}):
        value = data[name]
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"{name}: {'' if shown is None else shown}\n")
    return lines


def _body_lines(data: dict[str, Any]) -> list[str]:
    body = str(data.get("body") or "")
    return [line if line.endswith("\n") else line + "\n" for line in body.splitlines(keepends=True)]


def diff_lines(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> list[str]:
    """A unified diff of the fields (one ``name: value`` line each) and then the body."""
    fields = difflib.unified_diff(
        _field_lines(old), _field_lines(new), f"{old_label} fields", f"{new_label} fields", n=0
    )
    body = difflib.unified_diff(_body_lines(old), _body_lines(new), f"{old_label} body", f"{new_label} body")
    return [line.rstrip("\n") for line in (*fields, *body)]


def diff(session: Session, article: Article, old: int | None = None, new: int | None = None) -> list[str]:
    """Lines of the diff from version ``old`` to ``new`` (default: the previous to the current)."""
    new_version = article.version if new is None else new
    old_version = new_version - 1 if old is None else old
    if old_version < 1:
        raise InvalidInput(f"article {article.id} has only version {article.version}; nothing to compare")
    return diff_lines(
        content(session, article, old_version),
        content(session, article, new_version),
        f"version {old_version}",
        f"version {new_version}",
    )


def revert_changes(target: dict[str, Any], current: dict[str, Any]) -> ArticleChanges:
    """The changes that bring ``current`` content back to ``target``, workflow fields aside."""
    from datetime import datetime as dt

    values: dict[str, Any] = {
        name: target[name] for name in REVERTED_TEXT if name in target and target[name] != current.get(name)
    }
    if target.get("featured") is not None and target["featured"] != current.get("featured"):
        values["featured"] = bool(target["featured"])
    if "expires_at" in target and target["expires_at"] != current.get("expires_at"):
        values["expires_at"] = dt.fromisoformat(target["expires_at"]) if target["expires_at"] else None
    changes = ArticleChanges(values=values)
    if target.get("section") != current.get("section"):
        changes.section, changes.clear_section = target.get("section"), not target.get("section")
    if target.get("tags") is not None and target["tags"] != current.get("tags"):
        changes.tags = list(target["tags"])
    if target.get("authors") is not None and target["authors"] != current.get("authors"):
        changes.authors = list(target["authors"])
    if target.get("slug") and target["slug"] != current.get("slug"):
        changes.slug = target["slug"]
    return changes


def revert(
    session: Session,
    article_id: int,
    version: int,
    *,
    seen_version: int | None = None,
    who: str = "",
    note: str = "",
) -> Article:
    """Bring back version ``version``'s content as a new version (compare-and-set like any edit)."""
    article = articles.load(session, article_id)
    expected = article.version if seen_version is None else seen_version
    if version == article.version:
        raise Aborted(f"article {article_id} is at version {version} already; nothing to revert")
    changes = revert_changes(content(session, article, version), articles.snapshot(article))
    if changes.is_empty():
        raise Aborted(f"article {article_id} already has the content of version {version}")
    return articles.update(
        session, article_id, changes, seen_version=expected, who=who,
        note=note or f"reverted to version {version}",
    )  # fmt: skip
