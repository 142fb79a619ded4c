"""The site's pages that are not news: about, contacts, editorial standards, corrections policy,
privacy. A page has a title, a slug (its address, ``/<slug>/``), a summary, a Markdown body and
a ``role`` (what the site links it as); it is versioned like a story: every change is one
compare-and-set on ``version`` and stores the previous content in ``page_revision``, so pages have
history, diff and revert. On PostgreSQL only editors and admins write them (migration 0018)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.db.dbapi import Database
from balita_cli.errors import Aborted, Conflict, InvalidInput, NotFound
from balita_cli.models import Page, PageRevision
from balita_cli.records import Record, iso, page_url
from balita_cli.schema import check_text
from balita_cli.services import permissions
from balita_cli.services.documents import Document, edits, merge
from balita_cli.services.revisions import VersionEntry, diff_lines
from balita_cli.slugs import make_slug
from balita_cli.timeutil import utcnow

# What the site links a page as (its footer, the corrections notices, the structured data), in
# the footer's order; a role belongs to one page at most.
ROLES = ("about", "contacts", "standards", "corrections", "privacy")
ROLE_NAMES = {
    "about": "About us",
    "contacts": "Contacts",
    "standards": "Editorial standards",
    "corrections": "Corrections policy",
    "privacy": "Privacy",
}
# The fields an editor's document shows (the body follows the front matter).
DOCUMENT_FIELDS = ("title", "slug", "summary", "role")
CONTENT_FIELDS = (*DOCUMENT_FIELDS, "body")
PLACEHOLDER = "<!-- Write the page here, in Markdown. This line is not saved. -->"
# Addresses the site makes itself, at its root: a page's slug may not be one of them (a slug is
# one path segment of letters, digits and hyphens, so files such as feed.xml cannot collide).
RESERVED_SLUGS = frozenset(
    "articles sections tags authors page search pagefind photos media static assets feeds feed atom "
    "sitemap news-sitemap robots index 404 api admin balita well-known".split()
)
MAX_SLUG_LENGTH = 80


@dataclass(frozen=True)
class PageInput:
    title: str
    body: str = ""
    slug: str = ""
    summary: str = ""
    role: str = ""


# ---------------------------------------------------------------- checking what is written


def check_slug(slug: str) -> str:
    """A page's slug: made like an article's, and never one of the site's own addresses."""
    made = make_slug(slug.strip().strip("/"))
    if not made:
        raise InvalidInput(f"page slug {slug!r} has no letters or digits")
    if len(made) > MAX_SLUG_LENGTH:
        raise InvalidInput(f"page slug is longer than {MAX_SLUG_LENGTH} characters")
    if made in RESERVED_SLUGS:
        raise InvalidInput(f"/{made}/ is one of the site's own addresses; choose another slug for the page")
    return made


def check_role(role: str) -> str:
    role = role.strip().lower()
    if role and role not in ROLES:
        raise InvalidInput(f"page role must be one of {', '.join(ROLES)} (or empty), not {role!r}")
    return role


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The columns these values are stored as, each checked."""
    found: dict[str, Any] = {}
    for name, value in values.items():
        text = "" if value is None else str(value)
        if name == "title":
            found[name] = check_text("title", " ".join(text.split()))
            if not found[name]:
                raise InvalidInput("a page's title cannot be empty")
        elif name == "slug":
            found[name] = check_slug(text)
        elif name == "summary":
            found[name] = check_text("summary", text.strip())
        elif name == "body":
            found[name] = check_text("body", text, prose=True)
        elif name == "role":
            found[name] = check_role(text)
        else:
            raise InvalidInput(f"pages have no field {name!r}")
    return found


def _taken(session: Session, page_id: int | None, values: Mapping[str, Any]) -> None:
    """Refuse a slug or a role another page has."""
    for name in ("slug", "role"):
        value = values.get(name)
        if not value:
            continue
        column = col(Page.slug) if name == "slug" else col(Page.role)
        other = session.execute(select(col(Page.id)).where(column == value, col(Page.id) != (page_id or 0))).first()
        if other is not None:
            raise Conflict(f"page {other[0]} already has the {name} {value!r}")


# ---------------------------------------------------------------- writing


def create(session: Session, data: PageInput, *, who: str = "") -> int:
    permissions.require(session, permissions.Action.PAGES)
    values = checked(
        {
            "title": data.title,
            "slug": data.slug or data.title,
            "summary": data.summary,
            "body": data.body,
            "role": data.role,
        }
    )
    _taken(session, None, values)
    now = utcnow()
    row = {**values, "version": 1, "created_at": now, "updated_at": now, "created_by": who, "updated_by": who}
    result = session.execute(insert(Page).values(**row).returning(col(Page.id)))
    page_id: Any = result.scalar_one()
    return int(page_id)


def update(
    session: Session,
    page_id: int,
    values: Mapping[str, Any],
    *,
    seen_version: int | None = None,
    who: str = "",
    note: str = "",
) -> int:
    """Apply ``values`` if the page is still at ``seen_version`` (default: as read now); the
    previous content is kept as a revision. Returns the new version."""
    permissions.require(session, permissions.Action.PAGES)
    db = Database.of_session(session)
    before = record(db, page_id, "")
    expected = before["version"] if seen_version is None else seen_version
    changed = {name: value for name, value in checked(values).items() if value != before[name]}
    if not changed:
        raise Aborted(f"nothing changed; page {page_id} was not saved")
    _taken(session, page_id, changed)
    now = utcnow()
    previous = json.dumps({**content_of(before), "updated_by": before["updated_by"]}, ensure_ascii=False)
    statement = sql_update(Page).where(col(Page.id) == page_id, col(Page.version) == expected)
    result = session.execute(statement.values(**changed, version=expected + 1, updated_at=now, updated_by=who))
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(
            f"page {page_id} changed since version {expected} (it is at version {before['version']}); "
            "nothing was saved: look at it again and retry"
        )
    session.execute(
        insert(PageRevision).values(
            page_id=page_id, version=expected + 1, created_at=now, changed_by=who, note=note, snapshot=previous
        )
    )
    return expected + 1


def delete(session: Session, page_id: int) -> None:
    """Remove a page for good, with its revisions (the site stops linking it). The revisions go
    by the foreign key's cascade: on PostgreSQL no editor may delete a revision by hand."""
    permissions.require(session, permissions.Action.PAGES)
    session.execute(sql_delete(Page).where(col(Page.id) == page_id))


def ensure(session: Session, data: PageInput, *, who: str = "") -> int | None:
    """Create the page for ``data.role`` unless a page has that role or that slug already (what
    ``init`` does: an editor's page is never replaced). Returns the new page's id, or None."""
    slug = check_slug(data.slug or data.title)
    found = session.execute(
        select(col(Page.id)).where((col(Page.role) == data.role) | (col(Page.slug) == slug))
    ).first()
    return None if found is not None else create(session, data, who=who)


# ---------------------------------------------------------------- reading

_COLUMNS = "id, slug, title, summary, body, role, version, created_at, updated_at, created_by, updated_by"


def _record(db: Database, row: tuple[Any, ...], base_url: str) -> Record:
    found = dict(zip(_COLUMNS.split(", "), row, strict=True))
    for name in ("created_at", "updated_at"):
        found[name] = iso(db.time(found[name]))
    found["url"] = page_url(base_url, found["slug"]) if base_url else ""
    return found


def record(db: Database, page_id: int, base_url: str) -> Record:
    rows = db.rows(f"SELECT {_COLUMNS} FROM page WHERE id = ?", [page_id])
    if not rows:
        raise NotFound(f"no page {page_id}")
    return _record(db, rows[0], base_url)


def records(db: Database, base_url: str) -> list[Record]:
    """Every page: those with a role in the footer's order, then the others by title."""
    found = [_record(db, row, base_url) for row in db.rows(f"SELECT {_COLUMNS} FROM page ORDER BY id")]
    rank = {role: place for place, role in enumerate(ROLES)}
    return sorted(found, key=lambda page: (rank.get(page["role"], len(ROLES)), page["title"].casefold(), page["id"]))


def find(db: Database, ref: str) -> int:
    """A page by id or slug (``/about/`` too)."""
    text = ref.strip()
    if text.isdigit():
        found = db.scalar("SELECT id FROM page WHERE id = ?", [int(text)])
    else:
        found = db.scalar("SELECT id FROM page WHERE slug = ?", [text.strip("/")])
    if found is None:
        raise NotFound(f"no page {ref!r} (balita page list shows them)")
    return int(found)


def content_of(page: Mapping[str, Any]) -> dict[str, Any]:
    return {name: page[name] for name in CONTENT_FIELDS}


# ---------------------------------------------------------------- versions


def history(db: Database, page_id: int) -> list[VersionEntry]:
    """Every version, newest first; version 1 is the creation."""
    page = record(db, page_id, "")
    stored = {
        int(version): (when, by, note)
        for version, when, by, note in db.rows(
            "SELECT version, created_at, changed_by, note FROM page_revision WHERE page_id = ?", [page_id]
        )
    }
    entries = []
    for version in range(int(page["version"]), 0, -1):
        current = version == page["version"]
        if version in stored:
            when, by, note = stored[version]
            entries.append(VersionEntry(version, db.time(when), by, note, current))
        elif version == 1:
            created = datetime.fromisoformat(page["created_at"]) if page["created_at"] else None
            entries.append(VersionEntry(1, created, page["created_by"], "created", current))
    return entries


def content_at(db: Database, page_id: int, version: int) -> dict[str, Any]:
    """The page's content as it was at ``version``."""
    page = record(db, page_id, "")
    if version == page["version"]:
        return content_of(page)
    if not 1 <= version < page["version"]:
        raise NotFound(f"page {page_id} has versions 1 to {page['version']}, not {version}")
    following = db.scalar(
        "SELECT snapshot FROM page_revision WHERE page_id = ? AND version = ?", [page_id, version + 1]
    )
    if following is None:
        raise NotFound(f"no content is recorded for version {version} of page {page_id}")
    return {name: json.loads(following).get(name, "") for name in CONTENT_FIELDS}


def diff(db: Database, page_id: int, old: int | None = None, new: int | None = None) -> list[str]:
    """Lines of the diff from version ``old`` to ``new`` (default: the previous to the current)."""
    current = int(record(db, page_id, "")["version"])
    new_version = current if new is None else new
    old_version = new_version - 1 if old is None else old
    if old_version < 1:
        raise InvalidInput(f"page {page_id} has only version {current}; nothing to compare")
    return diff_lines(
        content_at(db, page_id, old_version),
        content_at(db, page_id, new_version),
        f"version {old_version}",
        f"version {new_version}",
    )


def revert(
    session: Session, page_id: int, version: int, *, seen_version: int | None = None, who: str = "", note: str = ""
) -> int:
    """Bring back version ``version``'s content as a new version."""
    db = Database.of_session(session)
    page = record(db, page_id, "")
    if version == page["version"]:
        raise Aborted(f"page {page_id} is at version {version} already; nothing to revert")
    target = content_at(db, page_id, version)
    changes = {name: value for name, value in target.items() if value != page[name]}
    if not changes:
        raise Aborted(f"page {page_id} already has the content of version {version}")
    return update(
        session, page_id, changes, seen_version=seen_version, who=who, note=note or f"reverted to version {version}"
    )


def apply_document(session: Session, page_id: int, document: Document, *, who: str = "", note: str = "") -> int:
    """Save an edited document over the version it was made from, merged three ways when the
    page has moved on since (as a story's document is). Returns the new version."""
    db = Database.of_session(session)
    page = record(db, page_id, "")
    now = int(page["version"])
    base_version = document.base_version or now
    base = content_of(page) if base_version == now else content_at(db, page_id, base_version)
    mine = edits(base, str(base["body"]), document)
    if base_version != now:
        current = content_of(page)
        theirs = edits(base, str(base["body"]), Document(current, str(current["body"]), None))
        mine = merge(mine, theirs, current)
    mine = {name: value for name, value in mine.items() if value != page[name]}
    if not mine:
        raise Aborted("nothing changed; the page was not saved")
    return update(session, page_id, mine, seen_version=now, who=who, note=note)
