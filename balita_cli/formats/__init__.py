"""Export formats, one module each, found by name.

Writer modules import their heavy libraries (lxml, markdown-it, nh3) inside ``write``, so the
registry is cheap to load for ``balita --help``.

    from balita_cli.formats import get_writer
    get_writer("rss").write(records, stream, site)
"""

from __future__ import annotations

from importlib import import_module

from balita_cli.errors import UsageError
from balita_cli.formats.base import (
    IndexedWriter,
    Record,
    StreamWriter,
    TreeWriter,
    Writer,
    is_public,
    public_only,
)
from balita_cli.workflow import PUBLIC_STATUSES

# name -> module under balita_cli.formats exposing WRITER
_MODULES = {
    "json": "json_document",
    "jsonl": "jsonl",
    "csv": "csv_table",
    "rss": "rss",
    "atom": "atom",
    "jsonfeed": "jsonfeed",
    "ninjs": "ninjs",
    "sitemap": "sitemap",
    "news-sitemap": "news_sitemap",
    "markdown": "markdown",
    "wxr": "wxr",
}


def _load(name: str) -> Writer:
    module = import_module(f"balita_cli.formats.{_MODULES[name]}")
    writer: Writer = module.WRITER
    return writer


WRITERS: dict[str, Writer] = {name: _load(name) for name in _MODULES}
FORMAT_NAMES = tuple(WRITERS)


def get_writer(name: str) -> Writer:
    try:
        return WRITERS[name.lower()]
    except KeyError:
        known = ", ".join(FORMAT_NAMES)
        raise UsageError(f"unknown export format {name!r} (choose from {known})") from None


def get_stream_writer(name: str) -> StreamWriter:
    """A writer of one document to a text stream (every format but the tree ones)."""
    writer = get_writer(name)
    if writer.tree:
        raise UsageError(f"{name} writes a directory tree, not one stream")
    return writer  # type: ignore[return-value]


__all__ = [
    "FORMAT_NAMES",
    "IndexedWriter",
    "PUBLIC_STATUSES",
    "WRITERS",
    "Record",
    "StreamWriter",
    "TreeWriter",
    "Writer",
    "get_stream_writer",
    "get_writer",
    "is_public",
    "public_only",
]
