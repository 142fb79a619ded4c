"""Export formats, one module each, found by name.

The registry loads no writer until one is asked for, so ``balita --help`` can list the names.

    from balita_cli.formats import get_writer
    get_writer("rss").write(records, stream, site)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from balita_cli.formats.base import Writer

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
FORMAT_NAMES = tuple(_MODULES)


def get_writer(name: str) -> Writer:
    module_name = _MODULES.get(name.lower())
    if module_name is None:
        known = ", ".join(FORMAT_NAMES)
        raise UsageError(f"unknown export format {name!r} (choose from {known})")
    writer: Writer = import_module(f"balita_cli.formats.{module_name}").WRITER
    return writer


__all__ = ["FORMAT_NAMES", "get_writer"]
