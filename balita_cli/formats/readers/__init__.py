"""Import formats, one module each, found by name.

Reader modules import their parsers (defusedxml, feedparser, frontmatter, nh3) inside ``read``,
so the registry is cheap to load.

    from balita_cli.formats.readers import get_reader
    for item in get_reader("wxr").read("export.xml", ReadOptions()):
        ...
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from balita_cli.formats.readers.base import Reader

# name -> module under balita_cli.formats.readers exposing READER
_MODULES = {
    "wxr": "wxr",
    "ghost": "ghost",
    "markdown": "markdown",
    "feed": "feed",
    "jsonl": "jsonl",
    "csv": "csv_rows",
}
READER_NAMES = tuple(_MODULES)
# What people type for the static-site generators the markdown reader reads.
ALIASES = {
    "hugo": "markdown",
    "jekyll": "markdown",
    "zola": "markdown",
    "md": "markdown",
    "wordpress": "wxr",
    "rss": "feed",
    "atom": "feed",
}


def get_reader(name: str) -> Reader:
    key = ALIASES.get(name.lower(), name.lower())
    module_name = _MODULES.get(key)
    if module_name is None:
        raise UsageError(
            f"unknown import format {name!r} (choose from {', '.join(READER_NAMES)}; "
            "markdown reads Hugo, Jekyll and Zola trees)"
        )
    reader: Reader = import_module(f"balita_cli.formats.readers.{module_name}").READER
    return reader


__all__ = ["ALIASES", "READER_NAMES", "get_reader"]
