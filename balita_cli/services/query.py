"""Finding articles: the filters `list`, `search`, `export`, `stats` and the site share, as SQL.

Every condition is plain SQL over the article table with ``?`` parameters (``db/dbapi.py`` runs
it on sqlite3 or psycopg); user text only ever travels as a parameter. Both databases read the
same search words, all of which must match, so a query finds the same articles on each.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from balita_cli.db.dbapi import Database
from balita_cli.db.fulltext import PG_MATCHING_IDS
from balita_cli.errors import InvalidInput, UsageError
from balita_cli.slugs import term_slug
from balita_cli.workflow import Status

DATE_COLUMNS = {
    "published": "published_at",
    "updated": "updated_at",
    "created": "created_at",
    "scheduled": "scheduled_at",
    "expires": "expires_at",
}
SORT_COLUMNS = {**DATE_COLUMNS, "title": "title", "id": "id", "slug": "slug", "status": "status"}
HIGHLIGHT_START, HIGHLIGHT_END = "<mark>", "</mark>"
# Far above any archive, far below what a 64-bit integer column or parameter holds.
MAX_COUNT = 2**53
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
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

    def __post_init__(self) -> None:
        if self.date_field not in DATE_COLUMNS:
            raise UsageError(f"unknown date field {self.date_field!r} (choose from {', '.join(DATE_COLUMNS)})")
        named = {
            "--section": self.sections,
            "--tag": self.tags,
            "--author": self.authors,
            "--lang": self.languages,
            "--source": self.sources,
            "--query": [self.query or ""],
        }
        for option, values in named.items():
            if any(unicodedata.category(char) in {"Cc", "Cs"} for value in values for char in value):
                raise InvalidInput(f"{option} contains a control character")

    def without_query(self) -> ArticleFilter:
        return replace(self, query=None)


@dataclass(frozen=True)
class Window:
    """Which rows of the ordered result: ``sort`` is a key, ``-key`` for descending."""

    sort: str = "-updated"
    limit: int | None = None
    offset: int = 0

    def __post_init__(self) -> None:
        for option, value in (("--limit", self.limit), ("--offset", self.offset)):
            if value is not None and value < 0:
                raise UsageError(f"{option} cannot be negative")
            if value is not None and value > MAX_COUNT:
                raise UsageError(f"{option} {value} is too large")
        order_by(self.sort)

    def sql(self) -> tuple[str, list[Any]]:
        if self.limit is None and not self.offset:
            return "", []
        return " LIMIT ? OFFSET ?", [MAX_COUNT if self.limit is None else self.limit, self.offset]


@dataclass
class Where:
    """A WHERE clause being built: SQL conditions joined by AND, and their parameters in order."""

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, condition: str, *params: Any) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def like_pattern(text: str) -> str:
    """Text matched literally inside LIKE: its own % and _ are not wildcards."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def _source_condition(where: Where, source: str) -> None:
    wanted = source.strip().lower()
    host = like_pattern(wanted.removeprefix("www."))
    patterns = [f"%://{host}/%", f"%://{host}", f"%://www.{host}/%", f"%://www.{host}"]
    likes = " OR ".join("lower(article.source_url) LIKE ? ESCAPE '\\'" for _ in patterns)
    where.add(f"(lower(article.source_name) = ? OR {likes})", wanted, *patterns)


def _term_condition(where: Where, kind: str, names: Sequence[str]) -> None:
    slugs = [term_slug(kind, name) for name in names]
    marks = ", ".join("?" * len(slugs))
    if kind == "section":
        where.add(f"article.section_id IN (SELECT id FROM section WHERE slug IN ({marks}))", *slugs)
        return
    link, column = ("article_tag", "tag_id") if kind == "tag" else ("article_author", "author_id")
    where.add(
        f"EXISTS (SELECT 1 FROM {link} JOIN {kind} ON {kind}.id = {link}.{column} "
        f"WHERE {link}.article_id = article.id AND {kind}.slug IN ({marks}))",
        *slugs,
    )


def where_clause(db: Database, flt: ArticleFilter) -> Where:
    """The conditions of a filter on the ``article`` table."""
    where = Where()
    where.add("article.deleted_at IS NOT NULL" if flt.trash else "article.deleted_at IS NULL")
    if flt.ids:
        sql, params = db.in_list("article.id", list(flt.ids))
        where.add(sql, *params)
    if flt.statuses:
        where.add(f"article.status IN ({', '.join('?' * len(flt.statuses))})", *(s.value for s in flt.statuses))
    if flt.languages:
        languages = [lang.strip() for lang in flt.languages]
        where.add(f"article.language IN ({', '.join('?' * len(languages))})", *languages)
    if flt.sections:
        _term_condition(where, "section", flt.sections)
    for tag in flt.tags:  # every tag must match
        _term_condition(where, "tag", [tag])
    if flt.authors:
        _term_condition(where, "author", flt.authors)
    if flt.sources:
        group = Where()
        for source in flt.sources:
            _source_condition(group, source)
        where.add("(" + " OR ".join(group.conditions) + ")", *group.params)
    column = "article." + DATE_COLUMNS[flt.date_field]
    if flt.since is not None:
        where.add(f"{column} >= ?", time_param(db, flt.since))
    if flt.until is not None:
        where.add(f"{column} < ?", time_param(db, flt.until))
    if flt.query:
        _text_condition(db, where, flt.query)
    return where


def time_param(db: Database, moment: datetime) -> Any:
    """Times as each database stores them: naive UTC text on SQLite (SQLAlchemy's format)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if db.is_sqlite else moment


def order_by(sort: str) -> str:
    descending = sort.startswith("-")
    key = sort.lstrip("-+")
    try:
        column = SORT_COLUMNS[key]
    except KeyError:
        raise UsageError(
            f"unknown sort key {key!r} (choose from {', '.join(SORT_COLUMNS)}; prefix - for newest first)"
        ) from None
    direction = "DESC" if descending else "ASC"
    return f"article.{column} {direction} NULLS LAST, article.id {direction}"


# ---------------------------------------------------------------- full-text search


def search_terms(text_query: str) -> list[tuple[str, bool]]:
    """The words of a query, each with whether it ends in * (prefix search).

    Decomposed input ("Paran̈aque" typed as n + combining tilde) is composed first, so it finds
    what the same word typed precomposed finds.
    """
    composed = unicodedata.normalize("NFC", text_query)
    terms = []
    for word in re.findall(r"[\w*'-]+", composed, flags=re.UNICODE):
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
        "'" + core.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if prefix else "")
        for core, prefix in search_terms(text_query)
    )


def _text_condition(db: Database, where: Where, text_query: str) -> None:
    if db.is_sqlite:
        where.add(
            "article.id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?)", fts_match_query(text_query)
        )
    else:
        terms = pg_tsquery_text(text_query)
        where.add(f"article.id IN ({PG_MATCHING_IDS})", terms, terms)
