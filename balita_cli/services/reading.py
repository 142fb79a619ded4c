"""The one read path: articles as records, for every command and the site.

``show``, ``list``, ``search``, ``export``, ``build``, backups and what a write prints afterwards
all come through here. Records are built from plain rows, a batch of ids at a time, so memory
stays flat and no ORM object is made: the SQL comes from ``services/query.py`` and runs on a
DB-API connection (``db/dbapi.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.db.fulltext import PG_CONFIG, PG_MATCHING_IDS, PG_QUERY, PG_RANKED_DOCUMENT, PG_RANKED_JOIN
from balita_cli.errors import InvalidInput, NotFound
from balita_cli.records import Record, Terms, build_record, correction_entry, iso
from balita_cli.schema import BY_NAME, COLUMNS, SNAPSHOT_FIELDS, Kind
from balita_cli.services.query import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    ArticleFilter,
    Window,
    fts_match_query,
    order_by,
    pg_tsquery_text,
    where_clause,
)

BATCH = 1000
# The record's columns, then the links its relations are read by: section_id and image_id.
_SELECT = ", ".join(f"article.{name}" for name in (*COLUMNS, "section_id", "image_id", "source_id"))
SECTION, IMAGE, SOURCE = -3, -2, -1
PHOTO_FIELDS = ("id", "sha256", "format", "width", "height", "size", "alt", "caption", "credit")
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
_TIMES = frozenset(name for name in COLUMNS if BY_NAME[name].kind is Kind.TIME)
_BOOLS = frozenset(name for name in COLUMNS if BY_NAME[name].kind is Kind.BOOL)


# ---------------------------------------------------------------- counting and ids


def count(db: Database, flt: ArticleFilter) -> int:
    where = where_clause(db, flt)
    return int(db.scalar(f"SELECT count(*) FROM article WHERE {where.sql}", where.params))


def matching_ids(db: Database, flt: ArticleFilter, window: Window) -> list[int]:
    where = where_clause(db, flt)
    bounds, params = window.sql()
    sql = f"SELECT article.id FROM article WHERE {where.sql} ORDER BY {order_by(window.sort)}{bounds}"
    return [int(row[0]) for row in db.rows(sql, [*where.params, *params])]


# ---------------------------------------------------------------- records


def stream_records(db: Database, flt: ArticleFilter, base_url: str, window: Window | None = None) -> Iterator[Record]:
    """Every matching article's record in the window's order, ``BATCH`` articles at a time."""
    for batch in id_batches(matching_ids(db, flt, window or Window(sort="-published"))):
        yield from records_for(db, batch, base_url)


def id_batches(ids: list[int]) -> list[list[int]]:
    """``ids`` in batches of ``BATCH``, in their order: what one read of records takes."""
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def records_for(db: Database, ids: Sequence[int], base_url: str, *, as_written: bool = False) -> list[Record]:
    """The records of these articles, in the order given (ids that no longer exist are left out).

    ``as_written`` keeps an empty summary empty instead of deriving one (revisions, the editor).
    """
    return [record for record, _terms in records_with_terms(db, ids, base_url, as_written=as_written)]


@dataclass(frozen=True)
class _Rows:
    """What the database holds for a batch of articles, before a record is made of it."""

    articles: dict[int, tuple[Any, ...]]
    related: dict[str, dict[int, list[Any]]]
    sections: dict[int, tuple[str, str]]
    photos: dict[int, dict[str, Any]]
    feeds: dict[int, str]


def _read_rows(db: Database, ids: Sequence[int]) -> _Rows:
    in_ids, params = db.in_list("article.id", list(ids))
    rows = {row[0]: row for row in db.rows(f"SELECT {_SELECT} FROM article WHERE {in_ids}", params)}
    return _Rows(
        rows,
        _relations(db, list(rows)),
        _sections(db, {row[SECTION] for row in rows.values() if row[SECTION] is not None}),
        _photos(db, {row[IMAGE] for row in rows.values() if row[IMAGE] is not None}),
        _source_feeds(db, {row[SOURCE] for row in rows.values() if row[SOURCE] is not None}),
    )


def records_with_terms(
    db: Database, ids: Sequence[int], base_url: str, *, as_written: bool = False
) -> list[tuple[Record, Terms]]:
    """Records and the (name, slug) of their section, tags and authors, for pages that link them."""
    if not ids:
        return []
    return _assemble(db, ids, _read_rows(db, ids), base_url, as_written=as_written)


def _assemble(
    db: Database, ids: Sequence[int], read: _Rows, base_url: str, *, as_written: bool
) -> list[tuple[Record, Terms]]:
    """The records of a batch read, in the order of ``ids`` (no query: ``db`` converts values)."""
    related = read.related
    found = []
    for article_id in ids:
        row = read.articles.get(article_id)
        if row is None:
            continue
        section = read.sections.get(row[SECTION])
        terms: Terms = {
            "section": [section] if section else [],
            "tag": related["tags"].get(article_id, []),
            "author": related["authors"].get(article_id, []),
        }
        record = build_record(
            _columns(db, row),
            base_url=base_url,
            section=section[0] if section else None,
            tags=[name for name, _slug in terms["tag"]],
            authors=[name for name, _slug in terms["author"]],
            aliases=related["aliases"].get(article_id, []),
            corrections=related["corrections"].get(article_id, []),
            photo=read.photos.get(row[IMAGE]),
            source_feed_url=read.feeds.get(row[SOURCE]),
            coverage=related["coverage"].get(article_id, []),
            as_written=as_written,
        )
        found.append((record, terms))
    return found


def record(db: Database, article_id: int, base_url: str) -> Record:
    found = records_for(db, [article_id], base_url)
    if not found:
        raise NotFound(f"no article {article_id}")
    return found[0]


def content(db: Database, article_id: int) -> dict[str, Any]:
    """What a revision keeps of an article: editor and workflow fields, the summary as written."""
    found = records_for(db, [article_id], "", as_written=True)
    if not found:
        raise NotFound(f"no article {article_id}")
    return {name: found[0][name] for name in SNAPSHOT_FIELDS}


def _columns(db: Database, row: tuple[Any, ...]) -> dict[str, Any]:
    values = dict(zip(COLUMNS, row, strict=False))
    for name in _TIMES:
        values[name] = iso(db.time(values[name]))
    for name in _BOOLS:
        values[name] = bool(values[name])
    return values


def _photos(db: Database, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    in_ids, params = db.in_list("id", sorted(ids))
    rows = db.rows(f"SELECT {', '.join(PHOTO_FIELDS)} FROM photo WHERE {in_ids}", params)
    photos = {}
    for row in rows:
        photo = dict(zip(PHOTO_FIELDS, row, strict=True))
        photo["media_type"] = MEDIA_TYPES.get(photo["format"], "application/octet-stream")
        photos[int(row[0])] = photo
    return photos


def _source_feeds(db: Database, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    in_ids, params = db.in_list("id", sorted(ids))
    return {int(row[0]): str(row[1]) for row in db.rows(f"SELECT id, url FROM source WHERE {in_ids}", params)}


def _sections(db: Database, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    in_ids, params = db.in_list("id", sorted(ids))
    rows = db.rows(f"SELECT id, name, slug FROM section WHERE {in_ids}", params)
    return {int(row[0]): (str(row[1]), str(row[2])) for row in rows}


_RELATIONS = {
    "tags": "SELECT article_tag.article_id, tag.name, tag.slug FROM article_tag "
    "JOIN tag ON tag.id = article_tag.tag_id WHERE {ids} ORDER BY tag.slug",
    "authors": "SELECT article_author.article_id, author.name, author.slug FROM article_author "
    "JOIN author ON author.id = article_author.author_id WHERE {ids} ORDER BY article_author.position",
    "aliases": "SELECT article_id, slug, NULL FROM article_slug WHERE {ids} ORDER BY id",
}


def _relations(db: Database, ids: list[int]) -> dict[str, dict[int, list[Any]]]:
    """Names of tags and authors (byline order), old slugs and notices for a batch of ids."""
    related: dict[str, dict[int, list[Any]]] = {}
    if not ids:
        return {name: {} for name in (*_RELATIONS, "corrections", "coverage")}
    in_ids, params = db.in_list("article_id", ids)
    for name, sql in _RELATIONS.items():
        grouped: dict[int, list[Any]] = defaultdict(list)
        for article_id, value, slug in db.rows(sql.format(ids=in_ids), params):
            grouped[article_id].append(value if name == "aliases" else (value, slug))
        related[name] = grouped
    notices: dict[int, list[Any]] = defaultdict(list)
    sql = f"SELECT article_id, kind, created_at, text FROM correction WHERE {in_ids} ORDER BY id"
    for article_id, kind, created_at, text in db.rows(sql, params):
        notices[article_id].append(correction_entry(kind, db.time(created_at), text))
    related["corrections"] = notices
    coverage: dict[int, list[Any]] = defaultdict(list)
    sql = (
        f"SELECT article_id, source_name, url, title, published_at, external_id FROM coverage WHERE {in_ids} "
        "ORDER BY published_at, id"
    )
    keys = ("source_name", "url", "title", "published_at", "external_id")
    for article_id, *values in db.rows(sql, params):
        entry = dict(zip(keys, values, strict=True))
        coverage[article_id].append({**entry, "published_at": iso(db.time(entry["published_at"]))})
    related["coverage"] = coverage
    return related


# ---------------------------------------------------------------- finding one article

_EXPLICIT_ID = re.compile(r"^(?:#|id:)(\d{1,18})$")
_EXPLICIT_SLUG = "slug:"


class InTrash(NotFound):
    """The article named is in the trash, not among the live ones."""


def find(db: Database, ref: str, *, trash: bool = False) -> int:
    """The id of an article named by ``#12``/``id:12``, its slug (or an old one), or a bare number.

    A bare number that is both an article's id and another article's slug ("2024" is a fine
    slug) is refused as ambiguous, naming both, rather than guessed. An article looked for among
    the live ones and found in the trash is refused saying so, and how to bring it back.
    """
    try:
        return _find(db, ref, trash=trash)
    except NotFound:
        trashed = None if trash else _in_trash(db, ref)
        if trashed is None:
            raise
        slug = db.scalar("SELECT slug FROM article WHERE id = ?", [trashed])
        raise InTrash(
            f"article {trashed} ({slug}) is in the trash: bring it back with balita restore {trashed} "
            f"(balita show {trashed} --trash shows it there)"
        ) from None


def _in_trash(db: Database, ref: str) -> int | None:
    try:
        return _find(db, ref, trash=True)
    except (NotFound, InvalidInput):
        return None


def _find(db: Database, ref: str, *, trash: bool) -> int:
    text = ref.strip()
    where = "deleted_at IS NOT NULL" if trash else "deleted_at IS NULL"
    place = " in the trash" if trash else ""
    explicit = _EXPLICIT_ID.match(text)
    if explicit:
        found = db.scalar(f"SELECT id FROM article WHERE id = ? AND {where}", [int(explicit.group(1))])
        if found is None:
            raise NotFound(f"no article with id {explicit.group(1)}{place}")
        return int(found)
    slug = text.removeprefix(_EXPLICIT_SLUG)
    by_slug = _by_slug(db, slug, where)
    if text.isdigit() and not text.startswith(_EXPLICIT_SLUG) and len(text) <= 18:
        by_id = db.scalar(f"SELECT id FROM article WHERE id = ? AND {where}", [int(text)])
        if by_id is not None and by_slug is not None and by_id != by_slug:
            raise InvalidInput(
                f"{text!r} is ambiguous: article id {text}, or article {by_slug} whose slug is {text!r}; "
                f"say #{text} for the id or slug:{text} for the slug"
            )
        if by_id is not None:
            return int(by_id)
    if by_slug is None:
        raise NotFound(f"no article {ref!r}{place}")
    return by_slug


def _by_slug(db: Database, slug: str, where: str) -> int | None:
    found = db.scalar(f"SELECT id FROM article WHERE slug = ? AND {where}", [slug])
    if found is None:
        found = db.scalar(
            f"SELECT article.id FROM article_slug JOIN article ON article.id = article_slug.article_id "
            f"WHERE article_slug.slug = ? AND article.{where}",
            [slug],
        )
    return int(found) if found is not None else None


def find_any(db: Database, ref: str) -> int:
    """A live article, or else one in the trash: its history is worth reading either way."""
    try:
        return find(db, ref)
    except NotFound:
        return find(db, ref, trash=True)


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class Hit:
    article_id: int
    rank: float
    snippet: str


SNIPPET_WORDS = 16
PG_HEADLINE_TEXT = "coalesce(title, '') || ' — ' || left(coalesce(summary, '') || ' ' || coalesce(body, ''), 20000)"
PG_HEADLINE_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=10, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def search(db: Database, text_query: str, flt: ArticleFilter, window: Window) -> list[Hit]:
    """Ranked matches (best first) with a snippet where matched words sit in <mark>…</mark>."""
    where = where_clause(db, flt.without_query())
    bounds, bound_params = window.sql()
    if db.is_sqlite:
        match = fts_match_query(text_query)
        # bm25 weights: a match in the title counts most, then the summary, then the body.
        sql = (
            "SELECT article.id, hits.rank FROM (SELECT rowid, bm25(article_fts, 10.0, 4.0, 1.0) AS rank "
            "FROM article_fts WHERE article_fts MATCH ?) AS hits JOIN article ON article.id = hits.rowid "
            f"WHERE {where.sql} ORDER BY hits.rank ASC, article.id DESC{bounds}"
        )
        ranked = [(int(i), -float(r)) for i, r in db.rows(sql, [match, *where.params, *bound_params])]
        snippets = _sqlite_snippets(db, match, [article_id for article_id, _ in ranked])
    else:
        terms = pg_tsquery_text(text_query)
        sql = (
            f"SELECT article.id, ts_rank_cd({PG_RANKED_DOCUMENT}, {PG_QUERY}) AS rank FROM article {PG_RANKED_JOIN} "
            f"WHERE {where.sql} AND article.id IN ({PG_MATCHING_IDS}) ORDER BY rank DESC, article.id DESC{bounds}"
        )
        params = [terms, *where.params, terms, terms, *bound_params]
        ranked = [(int(i), float(r)) for i, r in db.rows(sql, params)]
        snippets = _pg_snippets(db, terms, [article_id for article_id, _ in ranked])
    return [Hit(article_id, rank, snippets.get(article_id, "")) for article_id, rank in ranked]


def _sqlite_snippets(db: Database, match: str, ids: list[int]) -> dict[int, str]:
    """Snippets for the page of hits only: making one costs time in proportion to the text."""
    if not ids:
        return {}
    in_ids, params = db.in_list("rowid", ids)
    sql = (
        f"SELECT rowid, snippet(article_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', {SNIPPET_WORDS}) "
        f"FROM article_fts WHERE article_fts MATCH ? AND {in_ids}"
    )
    return {int(row[0]): str(row[1] or "") for row in db.rows(sql, [match, *params])}


def _pg_snippets(db: Database, terms: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}

    in_ids, params = db.in_list("id", ids)
    sql = (
        f"SELECT id, ts_headline(CAST('{PG_CONFIG}' AS regconfig), {PG_HEADLINE_TEXT}, {PG_QUERY}, ?) "
        f"FROM article WHERE {in_ids}"
    )
    return {int(row[0]): str(row[1] or "") for row in db.rows(sql, [terms, PG_HEADLINE_OPTIONS, *params])}


def hit_records(db: Database, hits: list[Hit], base_url: str) -> list[Record]:
    """The hits' records with ``rank`` and ``snippet`` added, best first."""
    by_id = {record["id"]: record for record in records_for(db, [hit.article_id for hit in hits], base_url)}
    return [
        {**by_id[hit.article_id], "rank": round(hit.rank, 4), "snippet": hit.snippet}
        for hit in hits
        if hit.article_id in by_id
    ]
