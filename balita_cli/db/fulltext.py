"""Full-text search: SQLite FTS5, and on PostgreSQL a GIN index over the ``article_search`` table,
both kept in step by triggers whoever writes (migrations 0003 and 0007).

On PostgreSQL a bulk load may fill the documents after its rows (``SEARCH_LATER``,
``catch_up``), and a search computes the waiting ones on the spot (``PG_MATCHING_IDS``), so it is
right either way. Both fold accents ("paranaque" finds Parañaque) and search the first
SEARCHED_BODY characters of a body, as a snippet costs in proportion to the text it is cut from.
Version 2 is what migrations 0001 and 0002 made (kept for their downgrades); version 3 is now."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SEARCHED_BODY = 100_000
PG_CONFIG = "balita_search"
PG_DOCUMENT = (
    f"to_tsvector('{PG_CONFIG}'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, '') "
    f"|| ' ' || left(coalesce(body, ''), {SEARCHED_BODY}))"
)
# The query side of PG_DOCUMENT, with the user's words as its one parameter.
PG_QUERY = f"to_tsquery(CAST('{PG_CONFIG}' AS regconfig), ?)"
CURRENT = 3
# The ids of the articles a PG_QUERY (given twice) matches: from the index, but for the articles
# waiting for their documents, whose document is made here.
PG_MATCHING_IDS = (
    f"SELECT article_id FROM article_search WHERE document @@ {PG_QUERY} "
    "AND article_id NOT IN (SELECT article_id FROM article_search_waiting) "
    "UNION ALL SELECT waiting.article_id FROM article_search_waiting AS waiting "
    f"JOIN article AS waiting_article ON waiting_article.id = waiting.article_id WHERE {PG_DOCUMENT} @@ {PG_QUERY}"
)
# An article's document, for ranking: the stored one, or made here while it waits.
PG_RANKED_DOCUMENT = f"coalesce(article_search.document, {PG_DOCUMENT})"
PG_RANKED_JOIN = "LEFT JOIN article_search ON article_search.article_id = article.id"
# Set in a transaction, its articles wait for their documents (a bulk load's: see catch_up).
SEARCH_LATER = "SELECT set_config('balita.search_later', 'on', true)"

_V2_PG_DOCUMENT = (
    "to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, '') "
    "|| ' ' || left(coalesce(body, ''), 200000))"
)


def _sqlite_statements(version: int) -> list[str]:
    body = f"substr(new.body, 1, {SEARCHED_BODY})" if version >= 3 else "new.body"
    old_body = body.replace("new.", "old.")
    content = "article_fts_source" if version >= 3 else "article"
    view = (
        [
            f"CREATE VIEW article_fts_source AS SELECT id, title, summary, substr(body, 1, {SEARCHED_BODY}) AS body "
            "FROM article"
        ]
        if version >= 3
        else []
    )
    return [
        *view,
        f"""CREATE VIRTUAL TABLE article_fts USING fts5(
            title, summary, body, content='{content}', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
            INSERT INTO article_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, {body});
        END""",
        f"""CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, {old_body});
        END""",
        f"""CREATE TRIGGER article_fts_update AFTER UPDATE OF title, summary, body ON article BEGIN
            INSERT INTO article_fts(article_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, {old_body});
            INSERT INTO article_fts(rowid, title, summary, body) VALUES (new.id, new.title, new.summary, {body});
        END""",
    ]


_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS article_fts_update",
    "DROP TRIGGER IF EXISTS article_fts_delete",
    "DROP TRIGGER IF EXISTS article_fts_insert",
    "DROP TABLE IF EXISTS article_fts",
    "DROP VIEW IF EXISTS article_fts_source",
]
_PG_CONFIGURATION = [
    # unaccent is a trusted extension: a database owner may create it (PostgreSQL 13 and later).
    "CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public",
    f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = pg_catalog.simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, pg_catalog.simple",
]


def create_fulltext(connection: Connection, *, version: int = CURRENT) -> None:
    from sqlalchemy import text  # here: SQLAlchemy only for writes

    if connection.dialect.name == "sqlite":
        for statement in _sqlite_statements(version):
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        document = PG_DOCUMENT if version >= 3 else _V2_PG_DOCUMENT
        if version >= 3:
            for statement in _PG_CONFIGURATION:
                connection.execute(text(statement))
        connection.execute(text(f"CREATE INDEX ix_article_fulltext ON article USING gin (({document}))"))


def drop_fulltext(connection: Connection, *, version: int = CURRENT) -> None:
    from sqlalchemy import text  # here: SQLAlchemy only for writes

    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_DROP:
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS ix_article_fulltext"))
        if version >= 3:
            connection.execute(text(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}"))


@contextmanager
def sqlite_article_copied(connection: Connection, *, version: int = CURRENT) -> Iterator[None]:
    """Around a batch copy of ``article`` on SQLite (a migration adding a constraint): its
    full-text triggers go with the old table, and the view over it would stop the copy from
    taking its name, so both are dropped first and made again on the copy. The index itself
    stays: its rows are the articles' ids, which the copy keeps."""
    from sqlalchemy import text

    for statement in _SQLITE_DROP:
        if not statement.startswith("DROP TABLE"):
            connection.execute(text(statement))
    yield
    for statement in _sqlite_statements(version):
        if not statement.startswith("CREATE VIRTUAL TABLE"):
            connection.execute(text(statement))


def rebuild_sqlite_index(connection: Connection) -> None:
    from sqlalchemy import text  # here: SQLAlchemy only for writes

    connection.execute(text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))


def search_state(connection: Connection) -> tuple[bool | None, int, int, int]:
    """PostgreSQL: whether the GIN index is valid (None: missing), the articles with a search
    document, those waiting for one, and those with neither (which only a fault leaves)."""
    from sqlalchemy import text  # here: SQLAlchemy only for writes

    valid = connection.execute(
        text("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('ix_article_search_document')")
    ).scalar()
    if not valid:  # before migration 0007 too: then the tables are not there to count
        return valid, 0, 0, 0
    indexed, waiting, neither = connection.execute(
        text(
            "SELECT (SELECT count(*) FROM article_search), (SELECT count(*) FROM article_search_waiting), "
            "(SELECT count(*) FROM article WHERE NOT EXISTS (SELECT FROM article_search WHERE article_id = article.id) "
            "AND NOT EXISTS (SELECT FROM article_search_waiting WHERE article_id = article.id))"
        )
    ).one()
    return True, int(indexed), int(waiting), int(neither)


def catch_up(connection: Connection, most: int | None = None) -> int:
    """Make the documents of the articles waiting for them, or of ``most`` of them, that no other
    connection is making (PostgreSQL); how many were made."""
    from sqlalchemy import text  # here: SQLAlchemy only for writes

    return int(connection.execute(text("SELECT balita_search_catch_up(:most)"), {"most": most}).scalar_one())
