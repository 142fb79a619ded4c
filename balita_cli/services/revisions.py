"""An article's editorial record: its versions, the content of any version, diffs and reverts.

A ``revision`` row with version N is written by the change that produced version N: it says who
made that change, when and why, and holds the full content of version N-1. So the content of
version N is the next revision's snapshot, or the article itself when N is the current version.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.errors import Aborted, InvalidInput, NotFound
from balita_cli.records import iso
from balita_cli.schema import BY_NAME, EDITOR_FIELDS, Kind
from balita_cli.services import articles, reading
from balita_cli.services.articles import ArticleChanges


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


def _revisions(db: Database, article_id: int) -> dict[int, tuple[Any, str, str, str]]:
    rows = db.rows(
        "SELECT version, created_at, changed_by, note, snapshot FROM revision WHERE article_id = ?", [article_id]
    )
    return {int(version): (created, by, note, snapshot) for version, created, by, note, snapshot in rows}


def history(db: Database, article_id: int) -> list[VersionEntry]:
    """Every version, newest first; version 1 is the creation."""
    row = db.rows("SELECT version, created_at, created_by FROM article WHERE id = ?", [article_id])
    if not row:
        raise NotFound(f"no article {article_id}")
    current, created_at, created_by = row[0]
    stored = _revisions(db, article_id)
    entries = []
    for version in range(int(current), 0, -1):
        if version in stored:
            when, by, note, _snapshot = stored[version]
            entries.append(VersionEntry(version, db.time(when), by, note, version == current))
        elif version == 1:
            creator = created_by or _author_of_first(stored)
            entries.append(VersionEntry(1, db.time(created_at), creator, "created", current == 1))
    return entries


def _author_of_first(stored: dict[int, tuple[Any, str, str, str]]) -> str:
    """Who created the article: the last editor of version 1, kept in version 2's snapshot."""
    second = stored.get(2)
    return str(json.loads(second[3]).get("updated_by", "")) if second is not None else ""


def content(db: Database, article_id: int, version: int) -> dict[str, Any]:
    """The article's content as it was at ``version``."""
    current = int(db.scalar("SELECT version FROM article WHERE id = ?", [article_id]) or 0)
    if version == current:
        return reading.content(db, article_id)
    if not 1 <= version < current:
        raise NotFound(f"article {article_id} has versions 1 to {current}, not {version}")
    following = db.scalar(
        "SELECT snapshot FROM revision WHERE article_id = ? AND version = ?", [article_id, version + 1]
    )
    if following is None:
        raise NotFound(f"no content is recorded for version {version} of article {article_id}")
    data: dict[str, Any] = json.loads(following)
    return data


def _shown(name: str, value: Any) -> str:
    if name == "photo" and isinstance(value, dict):  # the library's photo: its id, and what readers see
        caption = " ".join(str(value.get("caption") or "").split())
        return f"#{value.get('id')}" + (f' "{caption}"' if caption else "")
    if name == "corrections" and isinstance(value, list):
        return " | ".join(f"{item.get('kind', 'correction')}: {item.get('text', '')}" for item in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _field_lines(data: dict[str, Any]) -> list[str]:
    return [f"{name}: {_shown(name, data[name])}\n" for name in sorted(data) if name not in {"body", "updated_by"}]


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


def diff(db: Database, article_id: int, old: int | None = None, new: int | None = None) -> list[str]:
    """Lines of the diff from version ``old`` to ``new`` (default: the previous to the current)."""
    current = int(db.scalar("SELECT version FROM article WHERE id = ?", [article_id]) or 0)
    new_version = current if new is None else new
    old_version = new_version - 1 if old is None else old
    if old_version < 1:
        raise InvalidInput(f"article {article_id} has only version {current}; nothing to compare")
    return diff_lines(
        content(db, article_id, old_version),
        content(db, article_id, new_version),
        f"version {old_version}",
        f"version {new_version}",
    )


def revert_changes(target: dict[str, Any], current: dict[str, Any]) -> ArticleChanges:
    """The changes that bring ``current`` content back to ``target``: the editor's fields only
    (status, publication times and notices move only through their own commands)."""
    changes = ArticleChanges()
    for name in EDITOR_FIELDS:
        if name not in target or target[name] == current.get(name):
            continue
        value = target[name]
        if name == "section":
            changes.section, changes.clear_section = value, not value
        elif name in {"tags", "authors"}:
            setattr(changes, name, list(value or []))
        elif name == "slug":
            changes.slug = value
        elif BY_NAME[name].kind is Kind.TIME:
            changes.values[name] = datetime.fromisoformat(value) if value else None
        else:
            changes.values[name] = value
    return changes


def revert(
    session: Any, article_id: int, version: int, *, seen_version: int | None = None, who: str = "", note: str = ""
) -> int:
    """Bring back version ``version``'s content as a new version (compare-and-set like any edit)."""
    db = Database.of_session(session)
    current = reading.content(db, article_id)
    now = int(db.scalar("SELECT version FROM article WHERE id = ?", [article_id]))
    if version == now:
        raise Aborted(f"article {article_id} is at version {version} already; nothing to revert")
    changes = revert_changes(content(db, article_id, version), current)
    if changes.is_empty():
        raise Aborted(f"article {article_id} already has the content of version {version}")
    return articles.update(
        session, article_id, changes, seen_version=seen_version, who=who, note=note or f"reverted to version {version}"
    )
