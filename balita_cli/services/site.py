"""What the static site is made of, read from the database for the build (which only renders).

``site_snapshot`` reads every article the site shows without its body, each with a ``stamp``
that moves whenever anything its pages show changes, and a ``digest`` of them all: equal to the
last build's, nothing changed. ``SiteSnapshot.records(ids)`` then reads in full only the
articles whose pages must be made again, in the same database snapshot. ``preview=True`` (for
``balita serve``) adds drafts, stories in review and scheduled stories, private fields left out."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import orjson

from balita_cli.db.dbapi import Database
from balita_cli.errors import InvalidInput
from balita_cli.records import Record, SiteArticle, Terms, article_url, iso, public_view
from balita_cli.schema import PRIVATE_FIELDS, check_language
from balita_cli.services import pages as site_pages
from balita_cli.services import reading
from balita_cli.services.query import ArticleFilter, where_clause
from balita_cli.slugs import is_alias, is_slug
from balita_cli.workflow import Status

# Only these reach readers; a retracted article keeps its URL to show its notice.
# Archived stories keep their page (links to them must not break) but leave the lists and feeds.
SITE_STATUSES = (Status.PUBLISHED, Status.RETRACTED, Status.ARCHIVED)
LISTED_STATUSES = (Status.PUBLISHED, Status.RETRACTED)
# What the preview shows besides: every story an editor is still working on.
PREVIEW_STATUSES = (*SITE_STATUSES, Status.DRAFT, Status.REVIEW, Status.SCHEDULED)

# What says whether anything an article's page shows may have changed, read from indexes alone:
# its ``updated_at`` moves with its ``version`` (every edit, publish, unpublish, correction, trash
# and restore); its section, photo and source can change without it (a section merged away, a
# feed's stories linked to their source). The links to tags and authors change only with an
# article's version or with the terms themselves (a merge or a deletion), which are read whole.
_CHANGES = (
    ("article.id || ':' || article.status || ':' || article.updated_at", "article.status IN ({statuses})"),
    ("article.id || ':' || article.section_id", "article.section_id IS NOT NULL"),
    ("article.id || ':' || article.image_id", "article.image_id IS NOT NULL"),
    ("article.id || ':' || article.source_id", "article.source_id IS NOT NULL"),
)
# The light row of an article: everything a page shows of it except its body and summary.
ARTICLE_COLUMNS = (
    *"id slug title status published_at updated_at version language".split(),
    *"section_id image_id source_id featured canonical_url".split(),
)
_ID, _SLUG, _TITLE, _STATUS, _PUBLISHED, _UPDATED, _VERSION, _LANGUAGE = range(8)
_SECTION, _IMAGE, _SOURCE, _FEATURED, _CANONICAL = range(8, 13)
# The links of articles to their tags and authors (read when the build builds).
_LINKS = {
    "tag_links": "SELECT article_id, tag_id FROM article_tag ORDER BY article_id, tag_id",
    "author_links": "SELECT article_id, author_id, position FROM article_author "
    "ORDER BY article_id, position, author_id",
}
# Around the articles: the terms, photos and sources (small tables, read whole), and stamps of
# each article's notices and coverage (filed without a new version).
_AROUND = {
    "sections": "SELECT id, name, slug FROM section ORDER BY id",
    "tags": "SELECT id, name, slug FROM tag ORDER BY id",
    "authors": "SELECT id, name, slug FROM author ORDER BY id",
    "photos": f"SELECT {', '.join(reading.PHOTO_FIELDS)} FROM photo ORDER BY id",
    "sources": "SELECT id, url FROM source ORDER BY id",
    "aliases": "SELECT article_id, slug FROM article_slug ORDER BY id",
    "notices": "SELECT article_id, count(*), max(id) FROM correction GROUP BY article_id ORDER BY article_id",
    "coverage": "SELECT article_id, count(*), max(id) FROM coverage GROUP BY article_id ORDER BY article_id",
}


def _statuses(preview: bool) -> tuple[Status, ...]:
    return PREVIEW_STATUSES if preview else SITE_STATUSES


def preview_view(record: Record) -> Record | None:
    """A story as the preview shows it: the public view when it is public, else the story with
    its private fields left out and ``preview`` set (drafts, review, scheduled)."""
    if record.get("deleted_at"):
        return None
    view = public_view(record)
    if view is not None:
        return view
    return {**{key: value for key, value in record.items() if key not in PRIVATE_FIELDS}, "preview": True}


def _hash(value: Any, size: int = 16) -> str:
    return hashlib.blake2b(orjson.dumps(value, default=str), digest_size=size).hexdigest()


def _repeatable(db: Database) -> None:
    """On PostgreSQL, every query of the build sees one snapshot (SQLite's read is one already)."""
    if db.is_sqlite:
        return
    import psycopg  # here: psycopg only on PostgreSQL

    connection = db.connection
    if connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ


def _concat(db: Database, value: str, where: str) -> str:
    """One string of ``value`` over the rows ``where`` holds, made by the database (an index
    holds what it reads): ten thousand articles cost a few milliseconds, not ten thousand rows."""
    if db.is_sqlite:
        sql = f"SELECT count(*), group_concat({value}, ',') FROM article WHERE {where}"
    else:
        sql = f"SELECT count(*), string_agg({value}, ',' ORDER BY article.id) FROM article WHERE {where}"
    count, text = db.rows(sql)[0]
    return f"{count}:{text or ''}"


class SiteSnapshot:
    """What the site shows, as read once: ``digest`` says whether anything changed, ``articles``
    are the light articles (newest first), ``records(ids)`` reads chosen ones in full."""

    def __init__(
        self, db: Database, base_url: str, *, preview: bool = False, source: str = "", order: Sequence[str] = ()
    ) -> None:
        _repeatable(db)
        self.db = db
        self.base_url = base_url
        self.preview = preview
        self.order = [name.strip() for name in order if name.strip()]
        self.planted: dict[str, None] = {}  # what the build left out (see ``usable``), in order, once each
        # Which database the site was built from (a hash: the manifest is published with the site).
        self.identity = _hash(["balita-site-source", source], 16)
        self.where = where_clause(db, ArticleFilter(statuses=_statuses(preview)))
        statuses = ", ".join(f"'{status.value}'" for status in _statuses(preview))
        changes = [_concat(db, value, where.format(statuses=statuses)) for value, where in _CHANGES]
        self.around = {name: db.rows(sql) for name, sql in _AROUND.items()}
        self.page_records = site_pages.records(db, base_url)
        self.digest = _hash([db.dialect, preview, base_url, changes, self.around, self.page_records], 32)

    @cached_property
    def rows(self) -> list[tuple[Any, ...]]:
        """The light rows of the articles, newest first (``order_by('-published')``: the undated
        last, the newest id first among equals), sorted here rather than by the database."""
        columns = ", ".join(f"article.{name}" for name in ARTICLE_COLUMNS)
        rows = self.db.rows(f"SELECT {columns} FROM article WHERE {self.where.sql}", self.where.params)
        rows.sort(key=lambda row: (row[_PUBLISHED] is not None, row[_PUBLISHED] or "", row[_ID]), reverse=True)
        return rows

    @cached_property
    def articles(self) -> list[SiteArticle]:
        """Every article with a page, newest first, light (no body, no summary), each with its
        ``stamp``."""
        db, around = self.db, {**self.around, **{name: self.db.rows(sql) for name, sql in _LINKS.items()}}
        sections = {int(i): (str(name), str(slug)) for i, name, slug in around["sections"]}
        tag_names = {int(i): (str(name), str(slug)) for i, name, slug in around["tags"]}
        author_names = {int(i): (str(name), str(slug)) for i, name, slug in around["authors"]}
        photos = {int(row[0]): row for row in around["photos"]}
        sources = {int(i): str(url) for i, url in around["sources"]}
        # Each article's tags by slug (as records list them): the links are taken tag by tag.
        by_tag: dict[int, list[int]] = defaultdict(list)
        for article_id, tag_id in around["tag_links"]:
            by_tag[tag_id].append(article_id)
        tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for tag_id in sorted(by_tag.keys() & tag_names.keys(), key=lambda tag: tag_names[tag][1]):
            pair = tag_names[tag_id]
            for article_id in by_tag[tag_id]:
                tags[article_id].append(pair)
        authors: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for article_id, author_id, _position in around["author_links"]:  # in byline order
            if author_id in author_names:
                authors[article_id].append(author_names[author_id])
        aliases: dict[int, list[str]] = defaultdict(list)
        for article_id, slug in around["aliases"]:
            aliases[article_id].append(str(slug))
        notices = {row[0]: row for row in around["notices"]}
        coverage = {row[0]: row for row in around["coverage"]}
        time, dumps, blake2b = db.time, orjson.dumps, hashlib.blake2b
        no_tags: list[tuple[str, str]] = []
        found = []
        for row in self.rows:
            article_id = row[_ID]
            section = sections.get(row[_SECTION])
            tagged = tags.get(article_id, no_tags)
            byline = authors.get(article_id, no_tags)
            photo_row = photos.get(row[_IMAGE])
            feed = sources.get(row[_SOURCE])
            old = aliases.get(article_id, [])
            seen = (
                row,
                section,
                tagged,
                byline,
                photo_row,
                feed,
                old,
                notices.get(article_id),
                coverage.get(article_id),
            )
            stamp = blake2b(dumps(seen, default=str), digest_size=16).hexdigest()
            status = str(row[_STATUS])
            photo = None
            if photo_row is not None and status != "retracted":  # a retraction shows no photo
                photo = dict(zip(reading.PHOTO_FIELDS, photo_row, strict=True))
                photo["media_type"] = reading.MEDIA_TYPES.get(photo["format"], "application/octet-stream")
            slug = str(row[_SLUG])
            record = {
                "id": article_id,
                "slug": slug,
                "url": article_url(self.base_url, slug),
                "title": str(row[_TITLE]),
                "status": status,
                "language": str(row[_LANGUAGE] or ""),
                "published_at": iso(time(row[_PUBLISHED])),
                "updated_at": iso(time(row[_UPDATED])),
                "version": row[_VERSION],
                "featured": bool(row[_FEATURED]),
                "section": section[0] if section else None,
                "tags": [name for name, _slug in tagged],
                "authors": [name for name, _slug in byline],
                "aliases": old,
                "photo": photo,
                "source_feed_url": feed,
                "canonical_url": str(row[_CANONICAL] or ""),
                "stamp": stamp,
            }
            terms: Terms = {"section": [section] if section else [], "tag": tagged, "author": byline}
            if self._usable(record, terms):
                found.append(SiteArticle(record, terms))
        return found

    def _usable(self, record: Record, terms: Terms) -> bool:
        for problem in usable(record, terms):
            self.planted[problem] = None
        return is_slug(str(record["slug"]))

    def sections(self) -> list[tuple[str, str]]:
        """(name, slug) of the sections that have listed articles: those ``order`` names first, in
        its order (matched by name or slug, case-insensitively), then the rest by name."""
        found = {a.terms["section"][0] for a in self.articles if a.listed and a.terms["section"]}
        rank = {name.casefold(): position for position, name in enumerate(self.order)}
        unranked = len(rank)

        def place(item: tuple[str, str]) -> tuple[int, str, str]:
            name, slug = item
            return min(rank.get(name.casefold(), unranked), rank.get(slug.casefold(), unranked)), name.casefold(), name

        return sorted(found, key=place)

    def pages(self) -> list[Record]:
        """The site's pages (about, contacts, the policies), in the footer's order."""
        return self.page_records

    def records(self, ids: Sequence[int]) -> list[SiteArticle]:
        """The full views (body and all) of these articles, in the order given."""
        make_view = preview_view if self.preview else public_view
        found = []
        for batch in reading.id_batches(list(ids)):
            for record, terms in reading.records_with_terms(self.db, batch, self.base_url):
                view = make_view(record)
                if view is not None and self._usable(view, terms):
                    found.append(SiteArticle(view, terms))
        return found


def usable(record: Record, terms: Terms) -> list[str]:
    """Leave out, in place, what the build cannot use safely and say so, naming the story: a
    term or old address that is no slug or safe path (``..``, ``a/b``, ``.hidden``, ``/static/``),
    a language that is no BCP 47 tag (the site's is used). A story whose own slug is not one is
    left out whole. One contributor's value never stops the build; the database refuses such
    values from migration 0020 on, but rows written before may hold them."""
    story = f"story {record['id']} ({str(record['slug'])[:60]!r})"
    problems = []
    if not is_slug(str(record["slug"])):
        problems.append(f"{story} left out of the site: its slug is not one balita makes")
    for kind, pairs in terms.items():
        bad = [(name, slug) for name, slug in pairs if not is_slug(slug)]
        problems += [
            f"{story}: {kind} {name[:60]!r} left out: its slug {slug[:60]!r} is not one balita makes"
            for name, slug in bad
        ]
        terms[kind] = [pair for pair in pairs if pair not in bad]
    record["section"] = terms["section"][0][0] if terms["section"] else None
    record["tags"] = [name for name, _slug in terms["tag"]]
    record["authors"] = [name for name, _slug in terms["author"]]
    aliases = [str(alias) for alias in record.get("aliases") or []]
    problems += [
        f"{story}: old address {alias[:60]!r} left out: not a slug or a safe path"
        for alias in aliases
        if not is_alias(alias)
    ]
    record["aliases"] = [alias for alias in aliases if is_alias(alias)]
    language = str(record.get("language") or "")
    try:
        if language and check_language(language) != language:
            raise InvalidInput(language)
    except InvalidInput:
        problems.append(f"{story}: language {language[:40]!r} is not a BCP 47 tag; the site's is used")
        record["language"] = ""
    return problems


def site_snapshot(
    db: Database, base_url: str, *, preview: bool = False, source: str = "", order: Sequence[str] = ()
) -> SiteSnapshot:
    """What the site shows, read once (``source`` names the database, ``order`` the sections)."""
    return SiteSnapshot(db, base_url, preview=preview, source=source, order=order)


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
        "SELECT count(*), coalesce(sum(version), 0), max(updated_at), max(id) FROM page",
    )
    return "|".join(str(db.rows(sql, [])[0]) for sql in parts)
