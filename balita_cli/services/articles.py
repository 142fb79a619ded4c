"""Creating, changing and deleting articles: every writer (new, edit, import, revert…) comes here.

Every change is one compare-and-set on the version column, done in SQL, and stores a revision
holding the article's previous content, read through the same read path as every command.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from urllib.parse import unquote

from sqlalchemy import delete, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.db.dbapi import Database
from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.models import Article, ArticleAuthor, ArticleSlug, ArticleTag, Author, Photo, Revision, Section, Tag
from balita_cli.records import Record, word_count
from balita_cli.schema import (
    BY_NAME,
    CHECKS,
    COLUMNS,
    EDITOR_FIELDS,
    ArticleInput,
    Check,
    Kind,
    check_text,
    check_value,
)
from balita_cli.services import permissions, reading, taxonomy
from balita_cli.services.desk.coverage import add_coverage
from balita_cli.services.notices import add_notices
from balita_cli.slugs import make_slug, term_slug, with_suffix
from balita_cli.timeutil import human, utcnow
from balita_cli.workflow import Status, publication_time

MAX_SLUG_ATTEMPTS = 50
# What an edit may change: the editor's fields, and the workflow's through its own commands.
CHANGEABLE = frozenset(
    {*EDITOR_FIELDS, "status", "published_at", "scheduled_at", "retraction_reason", "deleted_at", "external_id"}
)
RELATIONS = frozenset({"section", "tags", "authors", "aliases", "corrections", "slug"})


@dataclass
class ArticleChanges:
    """A partial update. Values by field name; relations change only when given."""

    values: dict[str, Any] = field(default_factory=dict)
    section: str | None = None
    clear_section: bool = False
    tags: Sequence[str] | None = None
    add_tags: Sequence[str] = ()
    remove_tags: Sequence[str] = ()
    authors: Sequence[str] | None = None
    slug: str | None = None

    def is_empty(self) -> bool:
        return not (
            self.values
            or self.section
            or self.clear_section
            or self.tags is not None
            or self.add_tags
            or self.remove_tags
            or self.authors is not None
            or self.slug
        )


def clean_title(title: str) -> str:
    cleaned = " ".join(str(title).split())
    if not cleaned:
        raise InvalidInput("title cannot be empty")
    return check_text("title", cleaned)


# Text columns hold "" for nothing; the external id holds NULL (it is unique when present).
TEXT_KINDS = frozenset({Kind.TEXT, Kind.PROSE, Kind.URL, Kind.SLUG, Kind.LANGUAGE})


def _column_check(name: str) -> Check:
    check = CHECKS[name]
    if name == "external_id":
        return lambda value: check(value) or None
    if name == "title":
        return lambda value: "" if value is None else clean_title(value)
    if BY_NAME[name].kind in TEXT_KINDS:
        return lambda value: "" if value is None else check(value)
    return check


# The check of each input value stored in the article's own row, made once.
COLUMN_CHECKS: dict[str, Check] = {name: _column_check(name) for name in COLUMNS if name not in RELATIONS}


def column_values(values: dict[str, Any]) -> dict[str, Any]:
    """Input values for the article table's columns, each checked by its field's kind."""
    checked = {name: COLUMN_CHECKS[name](value) for name, value in values.items() if name in COLUMN_CHECKS}
    if checked.get("status") is not None:
        checked["status"] = Status(checked["status"])
    if "body" in checked:
        checked["word_count"] = word_count(checked["body"])
    return checked


def photo_id(session: Session, value: Any) -> int | None:
    """The media library's photo named by an id, a sha256, or a record's ``photo`` object."""
    if value in (None, "", {}):
        return None
    if isinstance(value, dict):
        value = value.get("sha256") or value.get("id")
    text = str(value).strip().removeprefix("#")
    column = col(Photo.id) if text.isdigit() and len(text) < 19 else col(Photo.sha256)
    found = session.execute(select(col(Photo.id)).where(column == (int(text) if column is col(Photo.id) else text)))
    photo = found.scalar()
    if photo is None:
        raise InvalidInput(f"no photo {text[:64]!r} in the media library (balita media list shows them)")
    return int(photo)


# ---------------------------------------------------------------- finding


def resolve(session: Session, ref: str, *, trash: bool = False) -> int:
    """An article by ``#id``, slug, old slug or bare number (see ``reading.find``)."""
    return reading.find(Database.of_session(session), ref, trash=trash)


def current(session: Session, article_id: int) -> Record:
    """The article as it is now in this transaction (summary as written)."""
    found = reading.records_for(Database.of_session(session), [article_id], "", as_written=True)
    if not found:
        raise NotFound(f"no article {article_id}")
    return found[0]


# ---------------------------------------------------------------- slugs


def _slug_taken(session: Session, slug: str, article_id: int | None) -> bool:
    owner = session.execute(select(col(Article.id)).where(col(Article.slug) == slug)).scalar()
    if owner is not None and owner != article_id:
        return True
    old_owner = session.execute(select(col(ArticleSlug.article_id)).where(col(ArticleSlug.slug) == slug)).scalar()
    return old_owner is not None and old_owner != article_id


def free_slug(session: Session, base: str, article_id: int | None = None) -> str:
    """The first of ``base``, ``base-2``, ``base-3``… not used now or before by another article."""
    for number in range(1, MAX_SLUG_ATTEMPTS + 1):
        candidate = with_suffix(base, number)
        if not _slug_taken(session, candidate, article_id):
            return candidate
    # Past 50 namesakes, jump to a number nobody has used rather than probing one by one.
    highest = session.execute(select(func.max(col(Article.id)))).scalar() or 0
    return with_suffix(base, highest + MAX_SLUG_ATTEMPTS + 1)


def requested_slug(slug: str) -> str:
    cleaned = make_slug(check_text("slug", str(slug)))
    if not cleaned:
        raise InvalidInput(f"slug {slug!r} has no letters or digits")
    return cleaned


# ---------------------------------------------------------------- creating


def create(session: Session, data: ArticleInput, *, who: str = "") -> int:
    """Insert an article with everything it was given, relations, notices and trash included.

    ``new`` and every importer come through here, so a created article is version 1 with the
    same checks whoever made it.
    """
    values, base = creation_values(session, data, who=who)
    if data.get("section"):
        values["section_id"] = taxonomy.get_or_create(session, Section, data["section"]).id
    values["image_id"] = photo_id(session, data.get("photo"))
    article_id = _insert_with_free_slug(session, values, base)
    _set_tags(session, article_id, data.get("tags") or (), fresh=True)
    _set_authors(session, article_id, data.get("authors") or (), fresh=True)
    keep_aliases(session, article_id, data)
    add_notices(session, article_id, data.get("corrections") or ())

    add_coverage(session, article_id, data.get("coverage") or ())
    return article_id


def creation_values(session: Session, data: ArticleInput, *, who: str = "") -> tuple[dict[str, Any], str]:
    """A new article's column values from ``data``, checked (the connected role may create it),
    and the slug it asks for before a free one is found: what ``create`` inserts, and what a bulk
    import inserts many at a time (``services/importing/bulk.py``)."""
    values, base = new_values(data, who=who)
    permissions.require(session, permissions.creating(values), own=True)
    return values, base


def new_values(data: ArticleInput, *, who: str = "") -> tuple[dict[str, Any], str]:
    """``creation_values`` less the role's check: no database (an import's reading thread)."""
    now = utcnow()
    values = column_values(data.values)
    if "title" not in values:
        raise InvalidInput("title cannot be empty")
    status = values["status"] = values.get("status") or Status.DRAFT
    values["created_at"] = values.get("created_at") or now
    values["published_at"] = publication_time(status, values.get("published_at"), values["created_at"])
    values["updated_at"] = values.get("updated_at") or _last_written(values)
    values.update(version=1, updated_by=check_text("updated_by", who), created_by=who)
    values["language"] = values.get("language") or "en"
    _check_times(values)
    base = requested_slug(data["slug"]) if data.get("slug") else make_slug(values["title"]) or "article"
    return values, base


def _insert_with_free_slug(session: Session, values: dict[str, Any], base: str) -> int:
    """Unique constraint + retry: two writers racing for one slug both succeed, with -2 for one."""
    for _attempt in range(MAX_SLUG_ATTEMPTS):
        slug = free_slug(session, base)
        try:
            with session.begin_nested():
                statement = insert(Article).values(**values, slug=slug).returning(col(Article.id))
                return cast(int, session.execute(statement).scalar_one())
        except IntegrityError as exc:
            reason = str(exc.orig)
            if "external_id" in reason:
                raise Conflict(f"an article with external id {values.get('external_id')!r} exists") from None
            if "slug" not in reason:
                raise
            # Another writer took the slug between our check and insert: probe again.
    raise Conflict(f"could not find a free slug for {base!r}")


def _last_written(values: dict[str, Any]) -> datetime:
    """When a new story was last changed, when its record does not say: a story imported or fetched
    with its date was not updated by being copied here, so it is its publication time."""
    published: datetime | None = values.get("published_at")
    created: datetime = values["created_at"]
    return published if published is not None and published <= created else created


def _check_times(values: dict[str, Any]) -> None:
    if values.get("status") is Status.SCHEDULED and values.get("scheduled_at") is None:
        raise InvalidInput("a scheduled article needs a time (--at)")
    expires, published = values.get("expires_at"), values.get("published_at")
    if expires and published and expires <= published:
        raise InvalidInput("expiry time must be after the publication time")


# ---------------------------------------------------------------- relations


def _set_tags(session: Session, article_id: int, names: Sequence[str], *, fresh: bool = False) -> None:
    check_value("tags", list(names))
    if not fresh:
        session.execute(delete(ArticleTag).where(col(ArticleTag.article_id) == article_id))
    ids = dict.fromkeys(taxonomy.get_or_create(session, Tag, name).id for name in names)
    if ids:
        session.execute(insert(ArticleTag), [{"article_id": article_id, "tag_id": tag_id} for tag_id in ids])


def _set_authors(session: Session, article_id: int, names: Sequence[str], *, fresh: bool = False) -> None:
    check_value("authors", list(names))
    if not fresh:
        session.execute(delete(ArticleAuthor).where(col(ArticleAuthor.article_id) == article_id))
    ids = dict.fromkeys(taxonomy.get_or_create(session, Author, name).id for name in names)
    rows = [{"article_id": article_id, "author_id": author_id, "position": n} for n, author_id in enumerate(ids)]
    if rows:
        session.execute(insert(ArticleAuthor), rows)


def keep_old_slug(session: Session, article_id: int, slug: str) -> bool:
    """Keep ``slug`` resolving to the article; False when it is the article's own slug already."""
    owner = session.execute(select(col(ArticleSlug.article_id)).where(col(ArticleSlug.slug) == slug)).scalar()
    if owner == article_id:
        return False
    if owner is not None:
        raise Conflict(f"slug {slug!r} used to belong to article {owner}")
    taken = session.execute(select(col(Article.id)).where(col(Article.slug) == slug)).scalar()
    if taken == article_id:
        return False
    if taken is not None:
        raise Conflict(f"slug {slug!r} belongs to article {taken}")
    session.execute(insert(ArticleSlug).values(article_id=article_id, slug=slug))
    return True


def keep_aliases(session: Session, article_id: int, data: ArticleInput) -> None:
    """Old slugs the input brings; one another article holds is left out, with a note."""
    for alias in data.get("aliases") or ():
        slug = make_slug(unquote(str(alias)))
        if not slug:
            continue
        try:
            with session.begin_nested():
                keep_old_slug(session, article_id, slug)
        except Conflict as exc:
            data.notes.append(f"alias {slug!r} not kept: {exc.message}")


# ---------------------------------------------------------------- changing


def update(
    session: Session,
    article_id: int,
    changes: ArticleChanges,
    *,
    seen_version: int | None = None,
    who: str = "",
    note: str = "",
) -> int:
    """Apply ``changes`` if the article is still at ``seen_version`` (default: as read now).

    Returns the new version.
    """
    before = current(session, article_id)
    expected = before["version"] if seen_version is None else seen_version
    unknown = set(changes.values) - CHANGEABLE
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    values = column_values(changes.values)
    permissions.require(session, permissions.changing(before, values), article_id)
    now = utcnow()
    previous = json.dumps(
        {**reading.content(Database.of_session(session), article_id), "updated_by": before["updated_by"]},
        ensure_ascii=False,
    )
    statement = sql_update(Article).where(col(Article.id) == article_id, col(Article.version) == expected)
    result = session.execute(statement.values(**values, version=expected + 1, updated_at=now, updated_by=who))
    if getattr(result, "rowcount", 0) != 1:
        raise conflict_error(session, article_id, expected)
    session.add(
        Revision(
            article_id=article_id, version=expected + 1, created_at=now, changed_by=who, note=note, snapshot=previous
        )
    )
    _apply_relations(session, article_id, before, changes)
    session.flush()
    _check_times(_times_of(session, article_id))
    return expected + 1


def _times_of(session: Session, article_id: int) -> dict[str, Any]:
    row = session.execute(
        select(
            col(Article.status), col(Article.scheduled_at), col(Article.published_at), col(Article.expires_at)
        ).where(col(Article.id) == article_id)
    ).one()
    return dict(zip(("status", "scheduled_at", "published_at", "expires_at"), row, strict=True))


def conflict_error(session: Session, article_id: int, expected: int) -> Conflict | NotFound:
    row = session.execute(
        select(col(Article.version), col(Article.updated_by), col(Article.updated_at)).where(
            col(Article.id) == article_id
        )
    ).first()
    if row is None:
        return NotFound(f"article {article_id} no longer exists")
    zone = session.info.get("zone")
    when = human(row.updated_at, zone) if zone is not None else row.updated_at.isoformat(timespec="seconds")
    return Conflict(
        f"article {article_id} was changed by {row.updated_by or 'someone'} at {when} "
        f"(now version {row.version}, you started from version {expected}); nothing was saved"
    )


def _apply_relations(session: Session, article_id: int, before: Record, changes: ArticleChanges) -> None:
    if "photo" in changes.values:
        image_id = photo_id(session, changes.values["photo"])
        session.execute(sql_update(Article).where(col(Article.id) == article_id).values(image_id=image_id))
    if changes.clear_section or changes.section:
        section_id = taxonomy.get_or_create(session, Section, changes.section).id if changes.section else None
        session.execute(sql_update(Article).where(col(Article.id) == article_id).values(section_id=section_id))
    if changes.tags is not None or changes.add_tags or changes.remove_tags:
        names = list(changes.tags) if changes.tags is not None else list(before["tags"])
        removed = {term_slug("tag", name) for name in changes.remove_tags}
        _set_tags(session, article_id, [n for n in [*names, *changes.add_tags] if term_slug("tag", n) not in removed])
    if changes.authors is not None:
        _set_authors(session, article_id, changes.authors)
    if changes.slug:
        rename_slug(session, article_id, before["slug"], requested_slug(changes.slug))


def rename_slug(session: Session, article_id: int, old_slug: str, new_slug: str) -> None:
    if new_slug == old_slug:
        return
    if _slug_taken(session, new_slug, article_id):
        raise Conflict(f"slug {new_slug!r} is taken by another article")
    session.execute(delete(ArticleSlug).where(col(ArticleSlug.slug) == new_slug))
    session.execute(sql_update(Article).where(col(Article.id) == article_id).values(slug=new_slug))
    keep_old_slug(session, article_id, old_slug)


def trash(session: Session, article_id: int, *, who: str = "", note: str = "moved to trash") -> int:
    return update(session, article_id, ArticleChanges(values={"deleted_at": utcnow()}), who=who, note=note)


def restore(session: Session, article_id: int, *, who: str = "") -> int:
    return update(session, article_id, ArticleChanges(values={"deleted_at": None}), who=who, note="restored from trash")


def purge(session: Session, article_id: int) -> None:
    permissions.require(session, permissions.Action.PURGE)
    session.execute(delete(Article).where(col(Article.id) == article_id))
