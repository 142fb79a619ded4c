"""Creating, finding, changing and deleting articles.

Every change is one compare-and-set on the version column, done in SQL, and stores a revision
holding the article's previous content.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.models import (
    Article,
    ArticleAuthor,
    ArticleSlug,
    ArticleTag,
    Author,
    Revision,
    Section,
    Status,
    Tag,
)
from balita_cli.services import taxonomy
from balita_cli.services.query import with_relations
from balita_cli.slugs import make_slug, with_suffix
from balita_cli.timeutil import iso, utcnow

# Plain text columns an editor may change directly.
TEXT_FIELDS = (
    "title", "subtitle", "summary", "body", "language", "source_name", "source_url",
    "canonical_url", "image_url", "image_alt", "image_caption", "image_credit", "dateline",
    "editor_note", "retraction_reason",
)  # fmt: skip
TIME_FIELDS = ("published_at", "scheduled_at", "expires_at")
MAX_SLUG_ATTEMPTS = 50
MAX_TITLE_LENGTH = 1000


@dataclass
class ArticleDraft:
    """Everything needed to create an article; relations given by name."""

    title: str
    body: str = ""
    subtitle: str = ""
    summary: str = ""
    language: str = "en"
    slug: str | None = None
    section: str | None = None
    tags: Sequence[str] = ()
    authors: Sequence[str] = ()
    status: Status = Status.DRAFT
    source_name: str = ""
    source_url: str = ""
    canonical_url: str = ""
    image_url: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    dateline: str = ""
    editor_note: str = ""
    featured: bool = False
    external_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    scheduled_at: datetime | None = None
    expires_at: datetime | None = None
    aliases: Sequence[str] = ()


@dataclass
class ArticleChanges:
    """A partial update. ``None`` leaves a field alone; relations change only when given."""

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
            self.values or self.section or self.clear_section or self.tags is not None
            or self.add_tags or self.remove_tags or self.authors is not None or self.slug
        )  # fmt: skip


def clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("title cannot be empty")
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise InvalidInput(f"title is longer than {MAX_TITLE_LENGTH} characters")
    return cleaned


# Columns of bounded size (the rest are unbounded text).
COLUMN_LIMITS = {"dateline": 200, "source_name": 200, "updated_by": 200, "external_id": 500}


def check_text(name: str, value: str) -> str:
    """Text must be storable as-is: no NUL bytes (PostgreSQL refuses them), valid Unicode, and
    within its column's size (PostgreSQL refuses longer values rather than cutting them)."""
    limit = COLUMN_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{name} is not valid Unicode text") from None
    return value


def check_language(language: str) -> str:
    tag = language.strip()
    parts = tag.split("-")
    if (
        not tag
        or not parts[0].isalpha()
        or not 2 <= len(parts[0]) <= 8
        or len(tag) > 35
        or not all(part.isalnum() and 1 <= len(part) <= 8 for part in parts)
    ):
        raise InvalidInput(f"language {language!r} is not a BCP 47 tag like 'en' or 'fil'")
    return tag


# ---------------------------------------------------------------- finding


def resolve(session: Session, ref: str, *, trash: bool = False) -> Article:
    """An article by id, slug, or a slug it used to have."""
    article = _lookup(session, ref.strip())
    if article is None or (article.deleted_at is not None) != trash:
        where = " in the trash" if trash else ""
        raise NotFound(f"no article {ref!r}{where}")
    return article


def _lookup(session: Session, ref: str) -> Article | None:
    if ref.isdigit():
        found = session.get(Article, int(ref))
        if found is not None:
            return found
    article = session.execute(select(Article).where(Article.slug == ref)).scalars().first()  # type: ignore[arg-type]
    if article is not None:
        return article
    old = session.execute(select(ArticleSlug.article_id).where(ArticleSlug.slug == ref)).scalars().first()  # type: ignore[call-overload]
    return session.get(Article, old) if old is not None else None


def load(session: Session, article_id: int) -> Article:
    """An article with every relation loaded, ready to turn into a record."""
    statement = with_relations(select(Article).where(Article.id == article_id)).execution_options(  # type: ignore[arg-type]
        populate_existing=True
    )
    article = session.execute(statement).unique().scalars().first()
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article  # type: ignore[no-any-return]


def resolve_loaded(session: Session, ref: str, *, trash: bool = False) -> Article:
    return load(session, resolve(session, ref, trash=trash).id)  # type: ignore[arg-type]


# ---------------------------------------------------------------- slugs


def _slug_taken(session: Session, slug: str, article_id: int | None) -> bool:
    owner = session.execute(select(Article.id).where(Article.slug == slug)).scalars().first()  # type: ignore[call-overload]
    if owner is not None and owner != article_id:
        return True
    old_owner = session.execute(select(ArticleSlug.article_id).where(ArticleSlug.slug == slug)).scalars().first()  # type: ignore[call-overload]
    return old_owner is not None and old_owner != article_id


def base_slug(text: str) -> str:
    return make_slug(text) or "article"


def free_slug(session: Session, base: str, article_id: int | None = None) -> str:
    """The first of ``base``, ``base-2``, ``base-3``… not used now or before by another article."""
    for number in range(1, MAX_SLUG_ATTEMPTS + 1):
        candidate = with_suffix(base, number)
        if not _slug_taken(session, candidate, article_id):
            return candidate
    # Past 50 namesakes, jump to a number nobody has used rather than probing one by one.
    highest = session.execute(select(func.max(Article.id))).scalar() or 0
    return with_suffix(base, highest + MAX_SLUG_ATTEMPTS + 1)


def requested_slug(slug: str) -> str:
    cleaned = make_slug(slug)
    if not cleaned:
        raise InvalidInput(f"slug {slug!r} has no letters or digits")
    return cleaned


# ---------------------------------------------------------------- creating


def create(session: Session, draft: ArticleDraft, *, who: str = "", reload: bool = True) -> Article:
    """Insert an article; ``reload=False`` skips loading relations (bulk imports don't need them)."""
    now = utcnow()
    title = clean_title(check_text("title", draft.title))
    for name in (*TEXT_FIELDS, "external_id"):
        if getattr(draft, name, None) is not None:
            check_text(name, str(getattr(draft, name)))
    base = requested_slug(draft.slug) if draft.slug else base_slug(title)
    article = Article(
        slug=base,
        title=title,
        subtitle=draft.subtitle,
        summary=draft.summary,
        body=draft.body,
        language=check_language(draft.language),
        status=draft.status,
        created_at=draft.created_at or now,
        updated_at=draft.updated_at or draft.created_at or now,
        published_at=draft.published_at,
        scheduled_at=draft.scheduled_at,
        expires_at=draft.expires_at,
        source_name=draft.source_name,
        source_url=draft.source_url,
        canonical_url=draft.canonical_url,
        image_url=draft.image_url,
        image_alt=draft.image_alt,
        image_caption=draft.image_caption,
        image_credit=draft.image_credit,
        dateline=draft.dateline,
        editor_note=draft.editor_note,
        featured=draft.featured,
        external_id=draft.external_id,
        updated_by=who,
        created_by=who,
    )
    _check_times(article)
    if draft.section:
        article.section_id = taxonomy.get_or_create(session, Section, draft.section).id
    _insert_with_free_slug(session, article, base)
    _set_tags(session, article.id, draft.tags, fresh=True)  # type: ignore[arg-type]
    _set_authors(session, article.id, draft.authors, fresh=True)  # type: ignore[arg-type]
    for alias in draft.aliases:
        _keep_old_slug(session, article.id, requested_slug(alias))  # type: ignore[arg-type]
    return load(session, article.id) if reload else article  # type: ignore[arg-type]


def _insert_with_free_slug(session: Session, article: Article, base: str) -> None:
    """Unique constraint + retry: two writers racing for one slug both succeed, with -2 for one."""
    for _attempt in range(MAX_SLUG_ATTEMPTS):
        article.slug = free_slug(session, base)
        try:
            with session.begin_nested():
                session.add(article)
                session.flush()
            return
        except IntegrityError as exc:
            if "external_id" in str(exc.orig):
                raise Conflict(f"an article with external id {article.external_id!r} exists") from None
            # Another writer took the slug between our check and insert: probe again.
    raise Conflict(f"could not find a free slug for {base!r}")


def _check_times(article: Article) -> None:
    if article.status is Status.SCHEDULED and article.scheduled_at is None:
        raise InvalidInput("a scheduled article needs a time (--at)")
    if article.expires_at and article.published_at and article.expires_at <= article.published_at:
        raise InvalidInput("expiry time must be after the publication time")


# ---------------------------------------------------------------- relations


def _set_tags(session: Session, article_id: int, names: Sequence[str], *, fresh: bool = False) -> None:
    if not fresh:
        session.execute(delete(ArticleTag).where(ArticleTag.article_id == article_id))  # type: ignore[arg-type]
    seen: set[int] = set()
    for name in names:
        tag = taxonomy.get_or_create(session, Tag, name)
        if tag.id not in seen:
            seen.add(tag.id)  # type: ignore[arg-type]
            session.add(ArticleTag(article_id=article_id, tag_id=tag.id))  # type: ignore[arg-type]
    session.flush()


def _current_tag_names(session: Session, article_id: int) -> list[str]:
    rows = session.execute(
        select(Tag.name).join(ArticleTag, ArticleTag.tag_id == Tag.id).where(ArticleTag.article_id == article_id)  # type: ignore[call-overload]
    )
    return [str(name) for name in rows.scalars()]


def _set_authors(session: Session, article_id: int, names: Sequence[str], *, fresh: bool = False) -> None:
    if not fresh:
        session.execute(delete(ArticleAuthor).where(ArticleAuthor.article_id == article_id))  # type: ignore[arg-type]
    position = 0
    seen: set[int] = set()
    for name in names:
        author = taxonomy.get_or_create(session, Author, name)
        if author.id in seen:
            continue
        seen.add(author.id)  # type: ignore[arg-type]
        session.add(ArticleAuthor(article_id=article_id, author_id=author.id, position=position))  # type: ignore[arg-type]
        position += 1
    session.flush()


def _keep_old_slug(session: Session, article_id: int, slug: str) -> None:
    existing = session.execute(select(ArticleSlug).where(ArticleSlug.slug == slug)).scalars().first()  # type: ignore[arg-type]
    if existing is None:
        session.add(ArticleSlug(article_id=article_id, slug=slug))
    elif existing.article_id != article_id:
        raise Conflict(f"slug {slug!r} used to belong to article {existing.article_id}")


# ---------------------------------------------------------------- changing


def snapshot(article: Article) -> dict[str, Any]:
    """The article's editable content, as stored in a revision."""
    data: dict[str, Any] = {name: getattr(article, name) for name in TEXT_FIELDS}
    data.update({name: iso(getattr(article, name)) for name in TIME_FIELDS})
    data.update(
        slug=article.slug,
        status=article.status.value,
        featured=article.featured,
        section=article.section.name if article.section else None,
        tags=[tag.name for tag in article.tags],
        authors=[author.name for author in article.authors],
    )
    return data


def update(
    session: Session,
    article_id: int,
    changes: ArticleChanges,
    *,
    seen_version: int | None = None,
    who: str = "",
    note: str = "",
) -> Article:
    """Apply ``changes`` if the article is still at ``seen_version`` (default: as read now)."""
    before = load(session, article_id)
    expected = before.version if seen_version is None else seen_version
    values = _validated_values(changes.values)
    if "title" in values:
        values["title"] = clean_title(values["title"])
    now = utcnow()
    # Taken before the UPDATE: the ORM refreshes `before` in place when the statement runs.
    # Who left it in that state rides along, so the history can name version 1's author too.
    previous = json.dumps({**snapshot(before), "updated_by": before.updated_by}, ensure_ascii=False)
    result = session.execute(
        update_statement(article_id, expected).values(**values, version=expected + 1, updated_at=now, updated_by=who)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise conflict_error(session, article_id, expected)
    session.add(
        Revision(
            article_id=article_id,
            version=expected + 1,
            created_at=now,
            changed_by=who,
            note=note,
            snapshot=previous,
        )
    )
    _apply_relations(session, before, changes)
    article = load(session, article_id)
    _check_times(article)
    return article


def update_statement(article_id: int, expected: int) -> Any:
    """The compare-and-set: only the version the editor started from may be replaced."""
    return sql_update(Article).where(Article.id == article_id, Article.version == expected)  # type: ignore[arg-type]


def conflict_error(session: Session, article_id: int, expected: int) -> Conflict | NotFound:
    row = session.execute(
        select(Article.version, Article.updated_by, Article.updated_at).where(Article.id == article_id)  # type: ignore[call-overload]
    ).first()
    if row is None:
        return NotFound(f"article {article_id} no longer exists")
    who = row.updated_by or "someone"
    return Conflict(
        f"article {article_id} was changed by {who} at {iso(row.updated_at)} "
        f"(now version {row.version}, you started from version {expected}); nothing was saved"
    )


def _validated_values(values: dict[str, Any]) -> dict[str, Any]:
    allowed = set(TEXT_FIELDS) | set(TIME_FIELDS) | {"featured", "status", "external_id", "deleted_at"}
    unknown = set(values) - allowed
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}")
    for name, value in values.items():
        if isinstance(value, str):
            check_text(name, value)
    if "language" in values:
        values["language"] = check_language(values["language"])
    return dict(values)


def _apply_relations(session: Session, before: Article, changes: ArticleChanges) -> None:
    article_id: int = before.id  # type: ignore[assignment]
    if changes.clear_section:
        session.execute(sql_update(Article).where(Article.id == article_id).values(section_id=None))  # type: ignore[arg-type]
    elif changes.section:
        section = taxonomy.get_or_create(session, Section, changes.section)
        session.execute(sql_update(Article).where(Article.id == article_id).values(section_id=section.id))  # type: ignore[arg-type]
    if changes.tags is not None or changes.add_tags or changes.remove_tags:
        names = list(changes.tags) if changes.tags is not None else _current_tag_names(session, article_id)
        removed = {taxonomy.term_slug(Tag, name) for name in changes.remove_tags}
        names = [n for n in [*names, *changes.add_tags] if taxonomy.term_slug(Tag, n) not in removed]
        _set_tags(session, article_id, names)
    if changes.authors is not None:
        _set_authors(session, article_id, changes.authors)
    if changes.slug:
        rename_slug(session, before, requested_slug(changes.slug))


def rename_slug(session: Session, article: Article, new_slug: str) -> None:
    if new_slug == article.slug:
        return
    if _slug_taken(session, new_slug, article.id):
        raise Conflict(f"slug {new_slug!r} is taken by another article")
    session.execute(delete(ArticleSlug).where(ArticleSlug.slug == new_slug))  # type: ignore[arg-type]
    _keep_old_slug(session, article.id, article.slug)  # type: ignore[arg-type]
    session.execute(sql_update(Article).where(Article.id == article.id).values(slug=new_slug))  # type: ignore[arg-type]
    session.flush()


def trash(session: Session, article_id: int, *, who: str = "", note: str = "moved to trash") -> Article:
    return update(session, article_id, ArticleChanges(values={"deleted_at": utcnow()}), who=who, note=note)


def restore(session: Session, article_id: int, *, who: str = "") -> Article:
    return update(session, article_id, ArticleChanges(values={"deleted_at": None}), who=who, note="restored from trash")


def purge(session: Session, article_id: int) -> None:
    session.execute(delete(Article).where(Article.id == article_id))  # type: ignore[arg-type]
