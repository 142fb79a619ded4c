"""Full-text search tables: SQLite FTS5 kept in step by triggers, PostgreSQL a GIN expression index.

Both live in the migrations (the triggers keep the index right whoever writes the row), and the
PostgreSQL document expression is defined here once so queries match the index exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# Bodies past this length are searched on their first part: tsvector holds at most 1 MB.
PG_BODY_PREFIX = 200_000
PG_CONFIG = "simple"
PG_DOCUMENT = (
    f"to_tsvector('{PG_CONFIG}'::regconfig, coalesce(title, '') || ' ' || coalesce(summary, '') "
    f"|| ' ' || left(coalesce(body, ''), {PG_BODY_PREFIX}))"
)

# The query side of PG_DOCUMENT, with the user's words as its one parameter.
PG_QUERY = f"to_tsquery(CAST('{PG_CONFIG}' AS regconfig), ?)"

_SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE article_fts USING fts5(
        title, summary, body, content='article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN
        INSERT INTO article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END""",
    """CREATE TRIGGER article_fts_update AFTER UPDATE OF title, summary, body ON article BEGIN
        INSERT INTO article_fts(article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS article_fts_update",
    "DROP TRIGGER IF EXISTS article_fts_delete",
    "DROP TRIGGER IF EXISTS article_fts_insert",
    "DROP TABLE IF EXISTS article_fts",
]


def create_fulltext(connection: Connection) -> None:
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_CREATE:
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        connection.execute(text(f"CREATE INDEX ix_article_fulltext ON article USING gin (({PG_DOCUMENT}))"))


def drop_fulltext(connection: Connection) -> None:
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_DROP:
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        connection.execute(text("DROP INDEX IF EXISTS ix_article_fulltext"))


def rebuild_sqlite_index(connection: Connection) -> None:
    from sqlalchemy import text

    connection.execute(text("INSERT INTO article_fts(article_fts) VALUES ('rebuild')"))
