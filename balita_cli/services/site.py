"""What the static site is made of, read from the database for the build (which only renders).

The build gets the public view of every article the site shows (``records.public_view``: the
retraction and privacy rules of every public output), newest first, with the (name, slug) of its
section, tags and authors for links, and the navigation: the sections that have something to show.
"""

from __future__ import annotations

from collections.abc import Iterator

from balita_cli.db.dbapi import Database
from balita_cli.records import SiteArticle, public_view
from balita_cli.services import reading
from balita_cli.services.query import ArticleFilter, Window, where_clause
from balita_cli.workflow import Status

# Only these reach readers; a retracted article keeps its URL to show its notice.
# Archived stories keep their page (links to them must not break) but leave the lists and feeds.
SITE_STATUSES = (Status.PUBLISHED, Status.RETRACTED, Status.ARCHIVED)
LISTED_STATUSES = (Status.PUBLISHED, Status.RETRACTED)


def site_articles(db: Database, base_url: str) -> Iterator[SiteArticle]:
    """Every article with a page, newest first, a batch at a time."""
    ids = reading.matching_ids(db, ArticleFilter(statuses=SITE_STATUSES), Window(sort="-published"))
    for start in range(0, len(ids), reading.BATCH):
        for record, terms in reading.records_with_terms(db, ids[start : start + reading.BATCH], base_url):
            view = public_view(record)
            if view is not None:
                yield SiteArticle(view, terms)


def navigation(db: Database) -> list[tuple[str, str]]:
    """(name, slug) of the sections that have listed articles, by name."""
    where = where_clause(db, ArticleFilter(statuses=LISTED_STATUSES))
    sql = (
        f"SELECT name, slug FROM section WHERE id IN (SELECT article.section_id FROM article WHERE {where.sql}) "
        "ORDER BY name"
    )
    return [(str(name), str(slug)) for name, slug in db.rows(sql, where.params)]
