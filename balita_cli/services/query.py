"""Finding articles: filters shared by list, search, export and stats; ranked full-text search.

Every query is bounded by LIMIT and eager-loads relations for the rows returned only, so the
work follows the rows asked for, not the size of the archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, literal_column, or_, select, text
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.elements import BindParameter, ColumnClause, ColumnElement

from balita_cli.db.fulltext import PG_CONFIG, PG_DOCUMENT
from balita_cli.errors import InvalidInput, UsageError
from balita_cli.models import Article, ArticleAuthor, ArticleTag, Author, Section, Status, Tag
from balita_cli.services.taxonomy import term_slug

DATE_FIELDS = {
    "published": Article.published_at,
    "updated": Article.updated_at,
    "created": Article.created_at,
    "scheduled": Article.scheduled_at,
    "expires": Article.expires_at,
}
SORT_KEYS = {
    **DATE_FIELDS,
    "title": Article.title,
    "id": Article.id,
    "slug": Article.slug,
    "status": Article.status,
}
HIGHLIGHT_START, HIGHLIGHT_END = "<mark>", "</mark>"


@dataclass
class ArticleFilter:
    """What `list`, `search`, `export` and `stats` can narrow by. Empty means no constraint."""

    statuses: Sequence[Status] = ()
    sections: Sequence[str] = ()
    tags: Sequence[str] = ()
    authors: Sequence[str] = ()
    languages: Sequence[str] = ()
    sources: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    date_field: str = "published"
    query: str | None = None
    ids: Sequence[int] = ()
    trash: bool = False


@dataclass
class Window:
    sort: str = "-updated"
    limit: int | None = None
    offset: int = 0


def _slug_condition(kind: type[Tag] | type[Section] | type[Author], names: Sequence[str]) -> Any:
    return kind.slug.in_([term_slug(kind, name) for name in names])  # type: ignore[attr-defined]


def _source_condition(source: str) -> ColumnElement[bool]:
    wanted = source.strip().lower()
    host = wanted.removeprefix("www.")
    url = func.lower(Article.source_url)
    return or_(
        func.lower(Article.source_name) == wanted,
        url.like(f"%://{host}/%"),
        url.like(f"%://{host}"),
        url.like(f"%://www.{host}/%"),
        url.like(f"%://www.{host}"),
    )


def search_terms(text_query: str) -> list[tuple[str, bool]]:
    """The words of a query, each with whether it ends in * (prefix search).

    Both databases read the same terms, all of which must match, so a query finds the same
    articles on SQLite and PostgreSQL.
    """
    terms = []
    for word in re.findall(r"[\w*'-]+", text_query, flags=re.UNICODE):
        core = word.strip("*'-")
        if core:
            terms.append((core, word.endswith("*")))
    if not terms:
        raise InvalidInput(f"search query {text_query!r} has no words to search for")
    return terms


def fts_match_query(text_query: str) -> str:
    """User words -> an FTS5 query of quoted terms (a trailing * keeps prefix search)."""
    return " ".join(
        '"' + core.replace('"', '""') + '"' + ("*" if prefix else "") for core, prefix in search_terms(text_query)
    )


def pg_tsquery_text(text_query: str) -> str:
    """User words -> a to_tsquery() text of quoted lexemes joined by & (``:*`` for prefixes)."""
    return " & ".join(
        "'" + core.replace("'", "''") + "'" + (":*" if prefix else "") for core, prefix in search_terms(text_query)
    )


def _text_condition(session: Session, text_query: str) -> ColumnElement[bool]:
    if _dialect(session) == "sqlite":
        matched = text("SELECT rowid FROM article_fts WHERE article_fts MATCH :fts").bindparams(
            fts=fts_match_query(text_query)
        )
        return Article.id.in_(matched.columns(literal_column("rowid")))  # type: ignore[no-any-return,union-attr]
    return _pg_match(text_query)


def _dialect(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def _check_filter_text(flt: ArticleFilter) -> None:
    """Filter words reach SQL as parameters; PostgreSQL refuses NUL in text, so say so first."""
    named = {"--section": flt.sections, "--tag": flt.tags, "--author": flt.authors, "--lang": flt.languages,
             "--source": flt.sources, "--query": [flt.query or ""]}  # fmt: skip
    for option, values in named.items():
        if any("\x00" in value for value in values):
            raise InvalidInput(f"{option} contains a NUL character")


def conditions(session: Session, flt: ArticleFilter) -> list[Any]:
    """The WHERE clauses for a filter; each a plain SQL condition on the article table."""
    _check_filter_text(flt)
    where: list[Any] = [
        Article.deleted_at.is_not(None) if flt.trash else Article.deleted_at.is_(None)  # type: ignore[union-attr]
    ]
    if flt.ids:
        where.append(Article.id.in_(list(flt.ids)))  # type: ignore[union-attr]
    if flt.statuses:
        where.append(Article.status.in_(list(flt.statuses)))  # type: ignore[attr-defined]
    if flt.languages:
        where.append(Article.language.in_([lang.strip() for lang in flt.languages]))  # type: ignore[attr-defined]
    if flt.sections:
        section_ids = select(Section.id).where(_slug_condition(Section, flt.sections))  # type: ignore[call-overload]
        where.append(Article.section_id.in_(section_ids))  # type: ignore[union-attr]
    for tag in flt.tags:  # every tag must match
        where.append(
            exists().where(
                ArticleTag.article_id == Article.id,  # type: ignore[arg-type]
                ArticleTag.tag_id == Tag.id,  # type: ignore[arg-type]
                Tag.slug == term_slug(Tag, tag),  # type: ignore[arg-type]
            )
        )
    if flt.authors:
        where.append(
            exists().where(
                ArticleAuthor.article_id == Article.id,  # type: ignore[arg-type]
                ArticleAuthor.author_id == Author.id,  # type: ignore[arg-type]
                _slug_condition(Author, flt.authors),
            )
        )
    if flt.sources:
        where.append(or_(*(_source_condition(source) for source in flt.sources)))
    column = date_column(flt.date_field)
    if flt.since is not None:
        where.append(column >= flt.since)
    if flt.until is not None:
        where.append(column < flt.until)
    if flt.query:
        where.append(_text_condition(session, flt.query))
    return where


def date_column(name: str) -> Any:
    try:
        return DATE_FIELDS[name]
    except KeyError:
        raise UsageError(f"unknown date field {name!r} (choose from {', '.join(DATE_FIELDS)})") from None


def order_by(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    key = sort.lstrip("-+")
    try:
        column = SORT_KEYS[key]
    except KeyError:
        raise UsageError(
            f"unknown sort key {key!r} (choose from {', '.join(SORT_KEYS)}; prefix - for newest first)"
        ) from None
    primary = column.desc().nulls_last() if descending else column.asc().nulls_last()  # type: ignore[union-attr]
    tiebreak = Article.id.desc() if descending else Article.id.asc()  # type: ignore[union-attr]
    return [primary, tiebreak]


def with_relations(statement: Select[Any]) -> Select[Any]:
    return statement.options(
        joinedload(Article.section),  # type: ignore[arg-type]
        selectinload(Article.tags),  # type: ignore[arg-type]
        selectinload(Article.author_links).joinedload(ArticleAuthor.author),  # type: ignore[arg-type]
        selectinload(Article.corrections),  # type: ignore[arg-type]
        selectinload(Article.old_slugs),  # type: ignore[arg-type]
    )


def _bounded(statement: Select[Any], window: Window) -> Select[Any]:
    if window.offset < 0:
        raise UsageError("--offset cannot be negative")
    if window.limit is not None:
        if window.limit < 0:
            raise UsageError("--limit cannot be negative")
        statement = statement.limit(window.limit)
    return statement.offset(window.offset) if window.offset else statement


def count_articles(session: Session, flt: ArticleFilter) -> int:
    statement = select(func.count()).select_from(Article).where(and_(*conditions(session, flt)))
    return int(session.execute(statement).scalar_one())


def stream_articles(
    session: Session, flt: ArticleFilter, sort: str = "-published", batch: int = 500
) -> Iterator[Article]:
    """Every matching article, loaded ``batch`` at a time so memory stays flat.

    Pages by primary key ranges: the ids are cheap to hold, the articles are not.
    """
    id_statement = select(Article.id).where(and_(*conditions(session, flt))).order_by(*order_by(sort))  # type: ignore[call-overload]
    ids = list(session.execute(id_statement).scalars())
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        rows = session.execute(with_relations(select(Article).where(Article.id.in_(chunk)))).unique()  # type: ignore[union-attr]
        by_id = {article.id: article for article in rows.scalars()}
        for article_id in chunk:
            if article_id in by_id:
                yield by_id[article_id]
        session.expunge_all()


@dataclass
class SearchHit:
    article: Article
    rank: float
    snippet: str


def search(session: Session, text_query: str, flt: ArticleFilter, window: Window) -> list[SearchHit]:
    """Ranked matches (best first) with a snippet where matched words sit in <mark>…</mark>."""
    flt = ArticleFilter(**{**flt.__dict__, "query": None})
    where = conditions(session, flt)
    if _dialect(session) == "sqlite":
        return _search_sqlite(session, text_query, where, window)
    return _search_postgres(session, text_query, where, window)


def _search_sqlite(session: Session, text_query: str, where: list[Any], window: Window) -> list[SearchHit]:
    # bm25 weights: a match in the title counts most, then the summary, then the body.
    ranked = text(
        "SELECT rowid AS article_id, bm25(article_fts, 10.0, 4.0, 1.0) AS rank, "
        f"snippet(article_fts, -1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 16) AS snippet "
        "FROM article_fts WHERE article_fts MATCH :fts"
    ).bindparams(fts=fts_match_query(text_query))
    hits = ranked.columns(literal_column("article_id"), literal_column("rank"), literal_column("snippet")).subquery(
        "hits"
    )
    statement = (
        select(Article, hits.c.rank, hits.c.snippet)
        .join(hits, hits.c.article_id == Article.id)
        .where(and_(*where))
        .order_by(hits.c.rank.asc(), Article.id.desc())  # type: ignore[union-attr]
    )
    rows = session.execute(with_relations(_bounded(statement, window))).unique().all()
    return [SearchHit(row[0], -float(row[1]), str(row[2] or "")) for row in rows]


def _pg_tsquery(text_query: str) -> Any:
    terms: BindParameter[str] = bindparam("pgq", pg_tsquery_text(text_query), unique=True)
    return func.to_tsquery(literal_column(f"'{PG_CONFIG}'::regconfig"), terms)


def _pg_match(text_query: str) -> ColumnElement[bool]:
    matched: ColumnElement[bool] = literal_column(PG_DOCUMENT).op("@@")(_pg_tsquery(text_query))
    return matched


def _search_postgres(session: Session, text_query: str, where: list[Any], window: Window) -> list[SearchHit]:
    tsquery = _pg_tsquery(text_query)
    rank = func.ts_rank_cd(literal_column(PG_DOCUMENT), tsquery)
    headline_text: ColumnClause[str] = literal_column(
        "coalesce(title, '') || ' — ' || left(coalesce(summary, '') || ' ' || coalesce(body, ''), 20000)"
    )
    options = (
        f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=30, MinWords=10, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    snippet = func.ts_headline(literal_column(f"'{PG_CONFIG}'::regconfig"), headline_text, tsquery, options)
    statement = (
        select(Article, rank, snippet)
        .where(and_(*where), _pg_match(text_query))
        .order_by(rank.desc(), Article.id.desc())  # type: ignore[union-attr]
    )
    rows = session.execute(with_relations(_bounded(statement, window))).unique().all()
    return [SearchHit(row[0], float(row[1]), str(row[2] or "")) for row in rows]
