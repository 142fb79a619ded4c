"""What the static site is made of, read from the database for the build (which only renders).

The build gets the public view of every article the site shows (``records.public_view``: the
retraction and privacy rules of every public output), newest first, with the (name, slug) of its
section, tags and authors for links; a light index of the same articles (no body) from which it
finds related stories and the previous and next story of a section before the first page is
rendered; and the navigation: the sections that have something to show, in the order
``balita.toml`` gives.

The preview (``balita serve``) reads drafts, stories in review and scheduled stories as well:
``site_articles(..., preview=True)`` gives them with the private fields left out, marked
``preview``, never through the build of ``public/``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.records import Record, SiteArticle, public_view
from balita_cli.services import reading
from balita_cli.services.query import ArticleFilter, Window, where_clause
from balita_cli.workflow import Status

# Only these reach readers; a retracted article keeps its URL to show its notice.
# Archived stories keep their page (links to them must not break) but leave the lists and feeds.
SITE_STATUSES = (Status.PUBLISHED, Status.RETRACTED, Status.ARCHIVED)
LISTED_STATUSES = (Status.PUBLISHED, Status.RETRACTED)
# What the preview shows besides: every story an editor is still working on.
PREVIEW_STATUSES = (*SITE_STATUSES, Status.DRAFT, Status.REVIEW, Status.SCHEDULED)
PREVIEW_LISTED = (*LISTED_STATUSES, Status.DRAFT, Status.REVIEW, Status.SCHEDULED)


def _statuses(preview: bool) -> tuple[Status, ...]:
    return PREVIEW_STATUSES if preview else SITE_STATUSES


def preview_view(record: Record) -> Record | None:
    """A story as the preview shows it: the public view when it is public, else the story with
    its private fields left out and ``preview`` set (drafts, review, scheduled)."""
    from balita_cli.schema import PRIVATE_FIELDS

    if record.get("deleted_at"):
        return None
    view = public_view(record)
    if view is not None:
        return view
    return {**{key: value for key, value in record.items() if key not in PRIVATE_FIELDS}, "preview": True}


def site_articles(db: Database, base_url: str, *, preview: bool = False) -> Iterator[SiteArticle]:
    """Every article with a page, newest first, a batch at a time."""
    ids = reading.matching_ids(db, ArticleFilter(statuses=_statuses(preview)), Window(sort="-published"))
    make_view = preview_view if preview else public_view
    for start in range(0, len(ids), reading.BATCH):
        for record, terms in reading.records_with_terms(db, ids[start : start + reading.BATCH], base_url):
            view = make_view(record)
            if view is not None:
                yield SiteArticle(view, terms)


def site_index(db: Database, *, preview: bool = False) -> list[dict[str, Any]]:
    """The same articles as ``site_articles``, newest first, light: ``id``, ``slug``, ``title``,
    ``published_at`` (ISO), ``section`` (its slug, or ""), ``tags`` (slugs) and ``listed`` (it is
    on list pages). One query for the articles and one for their tags."""
    flt = ArticleFilter(statuses=_statuses(preview))
    where = where_clause(db, flt)
    sql = (
        "SELECT article.id, article.slug, article.title, article.published_at, article.status, "
        "coalesce(section.slug, '') FROM article LEFT JOIN section ON section.id = article.section_id "
        f"WHERE {where.sql}"
    )
    rows = db.rows(sql, where.params)
    tags: dict[int, list[str]] = {}
    tag_sql = (
        "SELECT article_tag.article_id, tag.slug FROM article_tag JOIN tag ON tag.id = article_tag.tag_id "
        f"JOIN article ON article.id = article_tag.article_id WHERE {where.sql} ORDER BY tag.slug"
    )
    for article_id, slug in db.rows(tag_sql, where.params):
        tags.setdefault(int(article_id), []).append(str(slug))
    listed = {str(status) for status in (PREVIEW_LISTED if preview else LISTED_STATUSES)}
    entries = []
    for article_id, slug, title, published_at, status, section in rows:
        moment = db.time(published_at)
        entries.append(
            {
                "id": int(article_id),
                "slug": str(slug),
                "title": str(title),
                "published_at": moment.isoformat() if moment is not None else None,
                "section": str(section),
                "tags": tuple(tags.get(int(article_id), ())),
                "listed": str(status) in listed,
            }
        )
    # Newest first, as site_articles; stories not yet published (in the preview) lead.
    entries.sort(key=lambda entry: (entry["published_at"] or "9999", entry["id"]), reverse=True)
    return entries


def navigation(db: Database, order: Sequence[str] = (), *, preview: bool = False) -> list[tuple[str, str]]:
    """(name, slug) of the sections that have listed articles: those ``order`` names first, in its
    order (matched by name or slug, case-insensitively), then the rest by name."""
    statuses = PREVIEW_LISTED if preview else LISTED_STATUSES
    where = where_clause(db, ArticleFilter(statuses=statuses))
    sql = (
        f"SELECT name, slug FROM section WHERE id IN (SELECT article.section_id FROM article WHERE {where.sql}) "
        "ORDER BY name"
    )
    found = [(str(name), str(slug)) for name, slug in db.rows(sql, where.params)]
    rank = {name.strip().casefold(): position for position, name in enumerate(order)}
    unranked = len(rank)

    def place(item: tuple[str, str]) -> tuple[int, str]:
        name, slug = item
        return min(rank.get(name.casefold(), unranked), rank.get(slug.casefold(), unranked)), name.casefold()

    return sorted(found, key=place)


def data_version(db: Database) -> str:
    """A fingerprint of everything the site shows: it changes when an article, its terms, notices,
    photo or coverage change (the preview polls it to know when to rebuild)."""
    parts = (
        "SELECT count(*), max(updated_at), coalesce(sum(version), 0), max(id) FROM article",
        "SELECT count(*), coalesce(sum(length(name) + length(slug)), 0) FROM section",
        "SELECT count(*), coalesce(sum(length(name) + length(slug)), 0) FROM tag",
        "SELECT count(*), coalesce(sum(length(name) + length(slug)), 0) FROM author",
        "SELECT count(*), coalesce(sum(article_id * 7 + tag_id), 0) FROM article_tag",
        "SELECT count(*), coalesce(sum(article_id * 7 + author_id * 3 + position), 0) FROM article_author",
        "SELECT count(*), max(id) FROM correction",
        "SELECT count(*), coalesce(sum(length(alt) + length(caption) + length(credit)), 0), max(id) FROM photo",
        "SELECT count(*), max(id) FROM coverage",
    )
    return "|".join(str(db.rows(sql, [])[0]) for sql in parts)
