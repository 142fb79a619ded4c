"""Tags, sections and authors: name + slug, unique by slug (so "Manila" and "manila" are one)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.models import Article, ArticleAuthor, ArticleTag, Author, Section, Tag
from balita_cli.slugs import make_slug

Term = TypeVar("Term", Tag, Section, Author)
TermKind = type[Tag] | type[Section] | type[Author]

KIND_NAMES: dict[type, str] = {Tag: "tag", Section: "section", Author: "author"}


def kind_name(kind: type) -> str:
    return KIND_NAMES[kind]


MAX_NAME_LENGTH = 200  # the name and slug columns' size


def term_slug(kind: type, name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"{kind_name(kind)} name cannot be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{kind_name(kind)} name is longer than {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidInput(f"{kind_name(kind)} name contains a control character")
    slug = make_slug(cleaned)
    if not slug:
        raise InvalidInput(f"{kind_name(kind)} name {name!r} has no letters or digits to make a slug")
    # Ghost's convention: an internal tag "#x" keeps its hash in the slug so it stays distinct.
    if kind is Tag and cleaned.startswith("#"):
        slug = f"hash-{slug}"
    return slug


def find(session: Session, kind: type[Term], name_or_slug: str) -> Term | None:
    """By slug (case-insensitive, via the name's slug) or by numeric id."""
    if name_or_slug.isdigit():
        by_id = session.get(kind, int(name_or_slug))
        if by_id is not None:
            return by_id
    slug = term_slug(kind, name_or_slug)
    return session.execute(select(kind).where(kind.slug == slug)).scalars().first()  # type: ignore[arg-type]


def get(session: Session, kind: type[Term], name_or_slug: str) -> Term:
    term = find(session, kind, name_or_slug)
    if term is None:
        raise NotFound(f"no {kind_name(kind)} {name_or_slug!r}")
    return term


KNOWN_TERMS = "balita_known_terms"


def forget_known_terms(session: Session) -> None:
    """Drop the lookup cache after renames, merges or deletes of terms."""
    session.info.pop(KNOWN_TERMS, None)


def get_or_create(session: Session, kind: type[Term], name: str) -> Term:
    """Race-free: insert under a savepoint and fall back to the row another writer created."""
    slug = term_slug(kind, name)
    known: dict[tuple[type, str], Any] = session.info.setdefault(KNOWN_TERMS, {})
    if (kind, slug) in known:
        return known[(kind, slug)]  # type: ignore[no-any-return]
    existing = session.execute(select(kind).where(kind.slug == slug)).scalars().first()  # type: ignore[arg-type]
    if existing is not None:
        # Only rows already in the database are remembered: one created under a savepoint
        # that later rolls back must not be handed out again.
        known[(kind, slug)] = existing
        return existing
    term = kind(name=" ".join(name.split()), slug=slug)
    try:
        with session.begin_nested():
            session.add(term)
            session.flush()
    except IntegrityError:
        return session.execute(select(kind).where(kind.slug == slug)).scalars().one()  # type: ignore[arg-type]
    return term


def create(session: Session, kind: type[Term], name: str, **extra: str) -> Term:
    slug = term_slug(kind, name)
    if session.execute(select(kind).where(kind.slug == slug)).scalars().first() is not None:  # type: ignore[arg-type]
        raise Conflict(f"{kind_name(kind)} {name!r} already exists (slug {slug})")
    term = kind(name=" ".join(name.split()), slug=slug, **extra)  # type: ignore[arg-type]
    try:
        with session.begin_nested():
            session.add(term)
            session.flush()
    except IntegrityError:
        raise Conflict(f"{kind_name(kind)} {name!r} already exists (slug {slug})") from None
    return term


def _link_table(kind: type) -> tuple[type[ArticleTag] | type[ArticleAuthor] | None, str]:
    if kind is Tag:
        return ArticleTag, "tag_id"
    if kind is Author:
        return ArticleAuthor, "author_id"
    return None, "section_id"


def usage_counts(session: Session, kind: type[Term]) -> list[tuple[Term, int]]:
    """Every term with the number of articles (trash excluded) using it, by name."""
    link, column = _link_table(kind)
    live = Article.deleted_at.is_(None)  # type: ignore[union-attr]
    if link is None:
        count = (
            select(func.count(Article.id)).where(Article.section_id == kind.id, live).scalar_subquery()  # type: ignore[arg-type]
        )
    else:
        link_column = getattr(link, column)
        count = (
            select(func.count())
            .select_from(link)
            .join(Article, Article.id == link.article_id)  # type: ignore[arg-type]
            .where(link_column == kind.id, live)
            .scalar_subquery()
        )
    rows = session.execute(select(kind, count).order_by(kind.slug)).all()
    return [(row[0], int(row[1])) for row in rows]


def rename(session: Session, kind: type[Term], name_or_slug: str, new_name: str) -> Term:
    forget_known_terms(session)
    term = get(session, kind, name_or_slug)
    new_slug = term_slug(kind, new_name)
    clash = session.execute(select(kind).where(kind.slug == new_slug, kind.id != term.id)).scalars().first()  # type: ignore[arg-type]
    if clash is not None:
        raise Conflict(f"{kind_name(kind)} {clash.name!r} already has slug {new_slug}; use merge to combine them")
    term.name = " ".join(new_name.split())
    term.slug = new_slug
    session.add(term)
    session.flush()
    return term


def merge(session: Session, kind: type[Term], sources: Sequence[str], target_name: str) -> tuple[Term, int]:
    """Move every article from ``sources`` onto ``target`` and delete the sources."""
    forget_known_terms(session)
    target = get_or_create(session, kind, target_name)
    moved = 0
    for name in sources:
        source = get(session, kind, name)
        if source.id == target.id:
            continue
        moved += _move_links(session, kind, source.id, target.id)  # type: ignore[arg-type]
        session.delete(source)
    session.flush()
    return target, moved


def _move_links(session: Session, kind: type, source_id: int, target_id: int) -> int:
    link, column = _link_table(kind)
    if link is None:
        result = session.execute(
            update(Article).where(Article.section_id == source_id).values(section_id=target_id)  # type: ignore[arg-type]
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
    link_column = getattr(link, column)
    already = select(link.article_id).where(link_column == target_id).scalar_subquery()  # type: ignore[call-overload]
    # Articles that carry both keep one link; the rest are repointed.
    session.execute(delete(link).where(link_column == source_id, link.article_id.in_(already)))  # type: ignore[attr-defined]
    result = session.execute(update(link).where(link_column == source_id).values({column: target_id}))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def remove(session: Session, kind: type[Term], name_or_slug: str) -> tuple[Term, int]:
    """Delete a term; its links go with it (sections are cleared from their articles)."""
    forget_known_terms(session)
    term = get(session, kind, name_or_slug)
    counts = {t.id: n for t, n in usage_counts(session, kind)}
    session.delete(term)
    session.flush()
    return term, counts.get(term.id, 0)
