"""Tags, sections and authors: name + slug, unique by slug (so "Manila" and "manila" are one).

A term is named by its name or slug; ``#12`` (or ``id:12``) names it by id. A bare number is a
name: year tags ("2024") are common, and a number that silently meant an id once deleted the
wrong tag.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from balita_cli.errors import Conflict, NotFound
from balita_cli.models import Article, ArticleAuthor, ArticleTag, Author, Section, Tag
from balita_cli.schema import MAX_EMAIL_LENGTH, check_name, check_text
from balita_cli.services import permissions
from balita_cli.slugs import term_slug

Term = TypeVar("Term", Tag, Section, Author)
KINDS: dict[str, type[Tag] | type[Section] | type[Author]] = {"tag": Tag, "section": Section, "author": Author}
NAMES: dict[type, str] = {Tag: "tag", Section: "section", Author: "author"}
_EXPLICIT_ID = re.compile(r"^(?:#|id:)(\d{1,18})$")
KNOWN_TERMS = "balita_known_terms"


def _id(term: Tag | Section | Author) -> int:
    """The id of a term read from the database (always set there)."""
    assert term.id is not None
    return term.id


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def kind_name(kind: type) -> str:
    return NAMES[kind]


def find(session: Session, kind: type[Term], ref: str) -> Term | None:
    """By ``#id``, or by name or slug (case-insensitive, through the name's slug)."""
    explicit = _EXPLICIT_ID.match(ref.strip())
    if explicit:
        return session.get(kind, int(explicit.group(1)))
    slug = term_slug(kind_name(kind), ref)
    return session.execute(select(kind).where(col(kind.slug) == slug)).scalars().first()


def get(session: Session, kind: type[Term], ref: str) -> Term:
    term = find(session, kind, ref)
    if term is not None:
        return term
    hint = ""
    if ref.strip().isdigit() and len(ref.strip()) <= 18:
        by_id = session.get(kind, int(ref.strip()))
        if by_id is not None:
            hint = f"; did you mean #{by_id.id} ({by_id.name})?"
    raise NotFound(f"no {kind_name(kind)} {ref!r}{hint}")


def forget_known_terms(session: Session) -> None:
    """Drop the lookup cache after renames, merges or deletes of terms."""
    session.info.pop(KNOWN_TERMS, None)


def get_or_create(session: Session, kind: type[Term], name: str) -> Term:
    """Race-free: insert under a savepoint and fall back to the row another writer created."""
    slug = term_slug(kind_name(kind), name)
    known: dict[tuple[type, str], Any] = session.info.setdefault(KNOWN_TERMS, {})
    if (kind, slug) in known:
        return cast(Term, known[(kind, slug)])
    existing = session.execute(select(kind).where(col(kind.slug) == slug)).scalars().first()
    if existing is not None:
        # Only rows already in the database are remembered: one created under a savepoint
        # that later rolls back must not be handed out again.
        known[(kind, slug)] = existing
        return existing
    term = kind(name=check_name(kind_name(kind), name), slug=slug)
    try:
        with session.begin_nested():
            session.add(term)
            session.flush()
    except IntegrityError:
        return session.execute(select(kind).where(col(kind.slug) == slug)).scalars().one()
    return term


# Sizes of the terms' other columns (models: max_length), checked on both databases alike.
EXTRA_LIMITS = {"email": MAX_EMAIL_LENGTH, "bio": 5000, "description": 5000}


def create(session: Session, kind: type[Term], name: str, **extra: str) -> Term:
    permissions.require(session, permissions.Action.TERMS)
    slug = term_slug(kind_name(kind), name)
    for field_name, value in extra.items():
        check_text(field_name, value, limit=EXTRA_LIMITS.get(field_name), prose=field_name != "email")
    if session.execute(select(kind).where(col(kind.slug) == slug)).scalars().first() is not None:
        raise Conflict(f"{kind_name(kind)} {name!r} already exists (slug {slug})")
    term = kind(name=check_name(kind_name(kind), name), slug=slug)
    for field_name, value in extra.items():
        setattr(term, field_name, value)
    try:
        with session.begin_nested():
            session.add(term)
            session.flush()
    except IntegrityError:
        raise Conflict(f"{kind_name(kind)} {name!r} already exists (slug {slug})") from None
    return term


def _link(kind: type) -> tuple[type[ArticleTag] | type[ArticleAuthor] | None, str]:
    if kind is Tag:
        return ArticleTag, "tag_id"
    if kind is Author:
        return ArticleAuthor, "author_id"
    return None, "section_id"


def articles_using(session: Session, kind: type[Term], term_id: int) -> int:
    """How many live articles carry the term."""
    link, column = _link(kind)
    live = col(Article.deleted_at).is_(None)
    if link is None:
        statement = select(func.count()).select_from(Article).where(col(Article.section_id) == term_id, live)
    else:
        statement = (
            select(func.count())
            .select_from(link)
            .join(Article, col(Article.id) == col(link.article_id))
            .where(getattr(link, column) == term_id, live)
        )
    return int(session.execute(statement).scalar_one())


def rename(session: Session, kind: type[Term], ref: str, new_name: str) -> Term:
    permissions.require(session, permissions.Action.TERMS)
    forget_known_terms(session)
    term = get(session, kind, ref)
    new_slug = term_slug(kind_name(kind), new_name)
    clash = session.execute(select(kind).where(col(kind.slug) == new_slug, col(kind.id) != term.id)).scalars().first()
    if clash is not None:
        raise Conflict(f"{kind_name(kind)} {clash.name!r} already has slug {new_slug}; use merge to combine them")
    term.name = check_name(kind_name(kind), new_name)
    term.slug = new_slug
    session.add(term)
    session.flush()
    return term


def merge(session: Session, kind: type[Term], sources: Sequence[str], target_name: str) -> tuple[Term, int]:
    """Move every article from ``sources`` onto ``target`` and delete the sources."""
    permissions.require(session, permissions.Action.TERMS)
    forget_known_terms(session)
    target = get_or_create(session, kind, target_name)
    moved = 0
    for ref in sources:
        source = get(session, kind, ref)
        if source.id == target.id:
            continue
        moved += _move_links(session, kind, _id(source), _id(target))
        session.delete(source)
    session.flush()
    return target, moved


def _move_links(session: Session, kind: type, source_id: int, target_id: int) -> int:
    link, column = _link(kind)
    if link is None:
        result = session.execute(
            update(Article).where(col(Article.section_id) == source_id).values(section_id=target_id)
        )
        return _rowcount(result)
    link_column = getattr(link, column)
    already = select(col(link.article_id)).where(link_column == target_id).scalar_subquery()
    # Articles that carry both keep one link; the rest are repointed.
    session.execute(delete(link).where(link_column == source_id, col(link.article_id).in_(already)))
    result = session.execute(update(link).where(link_column == source_id).values({column: target_id}))
    return _rowcount(result)


def remove(session: Session, kind: type[Term], ref: str) -> tuple[Term, int]:
    """Delete a term; its links go with it (sections are cleared from their articles)."""
    permissions.require(session, permissions.Action.TERMS)
    forget_known_terms(session)
    term = get(session, kind, ref)
    used = articles_using(session, kind, _id(term))
    session.delete(term)
    session.flush()
    return term, used
