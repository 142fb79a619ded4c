"""Bringing articles in from other systems: validate each record a reader yields, then write it.

Records are written in batches, each batch one transaction opened through the caller's session
factory; each record inside a savepoint, so a bad one is reported and skipped while the rest of
its batch is kept. Importing the same input twice creates nothing new: a record is matched on
its external id (``wxr:<guid>``, ``ghost:<id>``, ``feed:<guid>``, ``md:<path>``…), else on its
slug (see ``find_existing``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from balita_cli.errors import BalitaError, InvalidInput
from balita_cli.formats.readers.base import ImportRecord, ReadItem, Rejected, Skipped
from balita_cli.models import Article, ArticleSlug, Correction, Tag
from balita_cli.services import articles, taxonomy
from balita_cli.services.articles import ArticleChanges, ArticleDraft
from balita_cli.slugs import make_slug
from balita_cli.timeutil import utcnow
from balita_cli.workflow import Status

DEFAULT_BATCH_SIZE = 200
MAX_NAME_LENGTH = 200  # tags, sections and authors (models: name max_length)
# Column widths a record must fit before it is written (PostgreSQL enforces them, SQLite does not).
COLUMN_LIMITS = {"source_name": 200, "dateline": 200, "external_id": 500, "language": 35}
UPDATABLE_TEXT = tuple(name for name in articles.TEXT_FIELDS)
UPDATABLE_TIMES = ("published_at", "scheduled_at", "expires_at", "deleted_at")
DATED_STATUSES = frozenset({Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED})

SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Problem:
    origin: str
    message: str


@dataclass
class ImportSummary:
    """What an import did; ``as_dict`` is the stable shape printed by ``--format json``."""

    dry_run: bool = False
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": [{"origin": p.origin, "message": p.message} for p in self.problems],
            "warnings": [{"origin": p.origin, "message": p.message} for p in self.warnings],
        }


@dataclass(frozen=True)
class ImportSettings:
    language: str = "en"  # for records that do not say
    who: str = ""
    update: bool = False  # refresh articles that changed at the source
    dry_run: bool = False  # do everything, then roll back
    batch_size: int = DEFAULT_BATCH_SIZE


def run_import(
    items: Iterable[ReadItem],
    open_session: SessionFactory,
    settings: ImportSettings,
    *,
    on_item: Callable[[], None] | None = None,
) -> ImportSummary:
    """Write ``items`` batch by batch; a dry run uses one transaction and rolls it back."""
    summary = ImportSummary(dry_run=settings.dry_run)
    if settings.dry_run:
        with open_session() as session:
            for item in items:
                _handle(session, item, summary, settings)
                if on_item:
                    on_item()
            session.rollback()
        return summary
    for batch in _batches(items, settings.batch_size):
        with open_session() as session:
            for item in batch:
                _handle(session, item, summary, settings)
                if on_item:
                    on_item()
    return summary


def _batches(items: Iterable[ReadItem], size: int) -> Iterator[list[ReadItem]]:
    iterator = iter(items)
    while batch := list(islice(iterator, max(size, 1))):
        yield batch


def _handle(session: Session, item: ReadItem, summary: ImportSummary, settings: ImportSettings) -> None:
    if isinstance(item, Skipped):
        summary.skipped[item.kind] += 1
        return
    if isinstance(item, Rejected):
        summary.rejected += 1
        summary.problems.append(Problem(item.origin, item.reason))
        return
    try:
        with session.begin_nested():
            outcome = import_record(session, item, settings, summary.warnings)
    except BalitaError as exc:
        summary.rejected += 1
        summary.problems.append(Problem(item.origin, exc.message))
        return
    if outcome == "created":
        summary.created += 1
    elif outcome == "updated":
        summary.updated += 1
    else:
        summary.duplicates += 1


def import_record(session: Session, record: ImportRecord, settings: ImportSettings, warnings: list[Problem]) -> str:
    """Create, refresh or skip one record; returns "created", "updated" or "duplicate"."""
    validate(record)
    existing = find_existing(session, record)
    if existing is None:
        create(session, record, settings, warnings)
        return "created"
    if settings.update and refresh(session, existing, record, settings, warnings):
        return "updated"
    return "duplicate"


# ---------------------------------------------------------------- validating


def validate(record: ImportRecord) -> None:
    """Everything that would fail in the database is refused here, with a message a person can act on."""
    articles.clean_title(record.title)
    for name, limit in COLUMN_LIMITS.items():
        value = getattr(record, name) or ""
        if len(value) > limit:
            raise InvalidInput(f"{name} is longer than {limit} characters")
    for name in (*record.tags, *record.authors, *([record.section] if record.section else [])):
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"name {name[:40]!r}… is longer than {MAX_NAME_LENGTH} characters")
    if record.status is Status.SCHEDULED and record.scheduled_at is None:
        raise InvalidInput("scheduled, but the source gives no publication date")
    for correction in record.corrections:
        articles.check_text("correction", correction.text)


def source_slug(record: ImportRecord) -> str | None:
    """The source's slug when it has letters or digits (WordPress percent-encodes Unicode ones)."""
    if not record.slug:
        return None
    return make_slug(unquote(record.slug)) or None


def language_of(record: ImportRecord, default: str) -> str:
    return articles.check_language((record.language or default).replace("_", "-"))


# ---------------------------------------------------------------- matching


def find_existing(session: Session, record: ImportRecord) -> Article | None:
    """The article this record was imported as before, if any.

    By external id first. Otherwise by slug, but only an article that came from the same
    place: one with no external id (or the same one), and — when the record has an external id —
    the same title. Another story that merely shares the slug is not a match; the new one gets
    ``-2`` as ``new`` would give it.
    """
    if record.external_id:
        found = session.execute(select(Article).where(Article.external_id == record.external_id)).scalars().first()  # type: ignore[arg-type]
        if found is not None:
            return found
    slug = source_slug(record)
    if slug is None:
        return None
    candidate: Article | None = session.execute(select(Article).where(Article.slug == slug)).scalars().first()  # type: ignore[arg-type]
    if candidate is None or candidate.external_id not in (None, record.external_id):
        return None
    if record.external_id and _folded(candidate.title) != _folded(record.title):
        return None
    return candidate


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()


# ---------------------------------------------------------------- writing


def _published_at(record: ImportRecord) -> Any:
    """A published article always has a publication time: the source's, else its creation time."""
    if record.status in DATED_STATUSES and record.published_at is None:
        return record.created_at or utcnow()
    return record.published_at


def create(session: Session, record: ImportRecord, settings: ImportSettings, warnings: list[Problem]) -> Article:
    draft = ArticleDraft(
        title=record.title,
        body=record.body,
        subtitle=record.subtitle,
        summary=record.summary,
        language=language_of(record, settings.language),
        slug=source_slug(record),
        section=record.section,
        tags=record.tags,
        authors=record.authors,
        status=record.status,
        source_name=record.source_name,
        source_url=record.source_url,
        canonical_url=record.canonical_url,
        image_url=record.image_url,
        image_alt=record.image_alt,
        image_caption=record.image_caption,
        image_credit=record.image_credit,
        dateline=record.dateline,
        editor_note=record.editor_note,
        featured=record.featured,
        external_id=record.external_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        published_at=_published_at(record),
        scheduled_at=record.scheduled_at,
        expires_at=record.expires_at,
    )
    article = articles.create(session, draft, who=settings.who, reload=False)
    article_id: int = article.id  # type: ignore[assignment]
    extra = {"retraction_reason": record.retraction_reason, "deleted_at": record.deleted_at}
    extra = {name: value for name, value in extra.items() if value}
    if extra:
        session.execute(sql_update(Article).where(Article.id == article_id).values(**extra))  # type: ignore[arg-type]
    add_corrections(session, article_id, record)
    add_aliases(session, article_id, record, warnings)
    return article


def add_corrections(session: Session, article_id: int, record: ImportRecord) -> int:
    """The record's corrections the article does not carry yet (same kind and text)."""
    if not record.corrections:
        return 0
    have = {
        (kind, text)
        for kind, text in session.execute(
            select(Correction.kind, Correction.text).where(Correction.article_id == article_id)  # type: ignore[call-overload]
        )
    }
    added = 0
    for correction in record.corrections:
        if (correction.kind, correction.text) in have:
            continue
        session.add(
            Correction(
                article_id=article_id,
                created_at=correction.created_at or utcnow(),
                kind=correction.kind[:20],
                text=correction.text,
            )
        )
        have.add((correction.kind, correction.text))
        added += 1
    session.flush()
    return added


def add_aliases(session: Session, article_id: int, record: ImportRecord, warnings: list[Problem]) -> int:
    """Old slugs (Hugo ``aliases``, our own ``aliases``) keep resolving; one taken elsewhere is reported."""
    if not record.aliases:
        return 0
    added = 0
    current = session.execute(select(Article.slug).where(Article.id == article_id)).scalar_one()  # type: ignore[call-overload]
    for alias in record.aliases:
        slug = make_slug(unquote(alias))
        if not slug or slug == current:
            continue
        owner = session.execute(select(ArticleSlug.article_id).where(ArticleSlug.slug == slug)).scalars().first()  # type: ignore[call-overload]
        taken = session.execute(select(Article.id).where(Article.slug == slug)).scalars().first()  # type: ignore[call-overload]
        if owner == article_id:
            continue
        if owner is not None or taken is not None:
            warnings.append(Problem(record.origin, f"alias {slug!r} belongs to another article; not kept"))
            continue
        session.add(ArticleSlug(article_id=article_id, slug=slug))
        added += 1
    session.flush()
    return added


def refresh(
    session: Session, existing: Article, record: ImportRecord, settings: ImportSettings, warnings: list[Problem]
) -> bool:
    """``--update``: bring an imported article in line with its source; False when nothing differs."""
    article = articles.load(session, existing.id)  # type: ignore[arg-type]
    article_id: int = article.id  # type: ignore[assignment]
    changes = changes_for(article, record, settings)
    added = add_corrections(session, article_id, record) + add_aliases(session, article_id, record, warnings)
    if changes.is_empty():
        return added > 0
    articles.update(session, article_id, changes, who=settings.who, note=f"imported from {record.origin}")
    return True


def changes_for(article: Article, record: ImportRecord, settings: ImportSettings) -> ArticleChanges:
    wanted: dict[str, Any] = {name: getattr(record, name) for name in UPDATABLE_TEXT}
    wanted["title"] = articles.clean_title(record.title)
    wanted["language"] = language_of(record, settings.language)
    wanted.update({name: getattr(record, name) for name in UPDATABLE_TIMES})
    wanted.update(published_at=_published_at(record), featured=record.featured, status=record.status)
    if record.external_id and article.external_id is None:
        wanted["external_id"] = record.external_id
    values = {name: value for name, value in wanted.items() if getattr(article, name) != value}
    changes = ArticleChanges(values=values)
    current_section = article.section.name if article.section else None
    if _slugs([record.section] if record.section else []) != _slugs([current_section] if current_section else []):
        changes.section, changes.clear_section = record.section, record.section is None
    if _tag_slugs(record.tags) != _tag_slugs([tag.name for tag in article.tags]):
        changes.tags = list(record.tags)
    if _slugs(record.authors) != _slugs([author.name for author in article.authors]):
        changes.authors = list(record.authors)
    return changes


def _slugs(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(make_slug(name) for name in names))


def _tag_slugs(names: Iterable[str]) -> set[str]:
    """Tags compare as ``taxonomy.term_slug`` stores them: "#internal" stays apart from "internal"."""
    return {taxonomy.term_slug(Tag, name) for name in names}
