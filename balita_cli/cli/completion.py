"""Shell completion that knows the newsroom: article slugs (most recent first), tags, sections,
authors and sources, their names matched whatever the case.

Completion runs on every <TAB>, so it stays light: on SQLite it reads the file with the standard
library's sqlite3 (read-only, no SQLAlchemy, no migrations); on PostgreSQL it uses one plain query.
Any failure yields no suggestions rather than an error in the middle of a command line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from balita_cli.config import load_settings

LIMIT = 50
ARTICLE_QUERY = (
    "SELECT slug, title FROM article WHERE deleted_at IS NULL AND slug LIKE ? ESCAPE '\\' "
    "ORDER BY updated_at DESC LIMIT ?"
)
TERM_QUERY = (
    "SELECT name, slug FROM {table} WHERE lower(name) LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\' "
    "ORDER BY slug LIMIT ?"
)


def _database_url(ctx: Any) -> str:
    root = ctx.find_root() if ctx is not None else None
    params = getattr(root, "params", {}) or {}
    return load_settings(params.get("db"), params.get("site")).require_database()


def _rows(ctx: Any, query: str, prefix: str) -> list[tuple[str, str]]:
    """Rows of a completion query (every ? but the last is the prefix pattern) on the read path."""
    from balita_cli.db import dbapi  # here: --help imports every command module
    from balita_cli.services.query import like_pattern

    pattern = like_pattern(prefix.lower()) + "%"
    params = [pattern] * (query.count("?") - 1) + [LIMIT]
    try:
        with dbapi.reading(_database_url(ctx)) as database:
            return [(str(a), str(b)) for a, b in database.rows(query, params)]
    except Exception:  # noqa: BLE001  (a completion must never break the shell)
        return []


def complete_article(ctx: Any, incomplete: str) -> Iterator[tuple[str, str]]:
    """Slugs of live articles, most recently changed first, with the title as help."""
    yield from _rows(ctx, ARTICLE_QUERY, incomplete)


def offered(incomplete: str, name: str, slug: str) -> str:
    """The value offered for a name matched whatever the case. Shells (and Typer before them)
    keep only values that begin with the text typed, and insert a value with a space as two
    words: so the slug when it begins so, else the name when it does and has no space, else the
    text as typed with the rest of the slug ("Man" → "Manila-bay"), which finds the same name."""
    if slug.startswith(incomplete):
        return slug
    if name.startswith(incomplete) and not any(char.isspace() for char in name):
        return name
    if slug.startswith(incomplete.lower()):
        return incomplete + slug[len(incomplete) :]
    return incomplete + name[len(incomplete) :]


def _terms(table: str) -> Any:
    def complete(ctx: Any, incomplete: str) -> Iterator[tuple[str, str]]:
        for name, slug in _rows(ctx, TERM_QUERY.format(table=table), incomplete):
            yield offered(incomplete, name, slug), name

    return complete


complete_tag = _terms("tag")
complete_section = _terms("section")
complete_author = _terms("author")
complete_source = _terms("source")


def complete_export_format(incomplete: str) -> Iterator[str]:
    from balita_cli.formats import FORMAT_NAMES  # here: --help imports every command module

    return (name for name in FORMAT_NAMES if name.startswith(incomplete))
