"""Shell completion that knows the newsroom: article slugs (most recent first), tags, sections, authors.

Completion runs on every <TAB>, so it stays light: on SQLite it reads the file with the standard
library's sqlite3 (read-only, no SQLAlchemy, no migrations); on PostgreSQL it uses one plain query.
Any failure yields no suggestions rather than an error in the middle of a command line.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from balita_cli.workflow import Status

LIMIT = 50
ARTICLE_QUERY = (
    "SELECT slug, title FROM article WHERE deleted_at IS NULL AND slug LIKE :prefix "
    "ORDER BY updated_at DESC LIMIT :limit"
)
TERM_QUERY = (
    "SELECT name, slug FROM {table} WHERE lower(name) LIKE :prefix OR slug LIKE :prefix ORDER BY slug LIMIT :limit"
)


def _database_url(ctx: Any) -> str:
    from balita_cli.config import load_settings

    root = ctx.find_root() if ctx is not None else None
    params = getattr(root, "params", {}) or {}
    return load_settings(params.get("db"), params.get("site")).database_url


def _rows(ctx: Any, query: str, prefix: str) -> list[tuple[str, str]]:
    values = {"prefix": prefix.lower().replace("%", r"\%") + "%", "limit": LIMIT}
    try:
        url = _database_url(ctx)
        if url.startswith("sqlite:///"):
            return _sqlite_rows(Path(url.removeprefix("sqlite:///")), query, values)
        return _sqlalchemy_rows(url, query, values)
    except Exception:  # noqa: BLE001  (a completion must never break the shell)
        return []


def _sqlite_rows(path: Path, query: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
    try:
        return [(str(a), str(b)) for a, b in connection.execute(query, values)]
    finally:
        connection.close()


def _sqlalchemy_rows(url: str, query: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [(str(a), str(b)) for a, b in connection.execute(text(query), values)]
    finally:
        engine.dispose()


def complete_article(ctx: Any, incomplete: str) -> Iterator[tuple[str, str]]:
    """Slugs of live articles, most recently changed first, with the title as help."""
    yield from _rows(ctx, ARTICLE_QUERY, incomplete)


def _terms(table: str) -> Any:
    def complete(ctx: Any, incomplete: str) -> Iterator[tuple[str, str]]:
        # Slugs complete cleanly in every shell (no spaces to quote) and resolve like names.
        for name, slug in _rows(ctx, TERM_QUERY.format(table=table), incomplete):
            yield slug, name

    return complete


complete_tag = _terms("tag")
complete_section = _terms("section")
complete_author = _terms("author")


def complete_status(incomplete: str) -> Iterator[str]:
    return (status.value for status in Status if status.value.startswith(incomplete))


def complete_export_format(incomplete: str) -> Iterator[str]:
    from balita_cli.formats import FORMAT_NAMES

    return (name for name in FORMAT_NAMES if name.startswith(incomplete))
