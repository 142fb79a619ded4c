"""Import formats, one module each, found by name.

Reader modules import their parsers (defusedxml, feedparser, frontmatter, nh3) inside ``read``,
so the registry is cheap to load.

    from balita_cli.formats.readers import get_reader
    for item in get_reader("wxr").read("export.xml", ReadOptions()):
        ...
"""

from __future__ import annotations

from importlib import import_module

from balita_cli.errors import UsageError
from balita_cli.formats.readers.base import (
    ImportCorrection,
    ImportRecord,
    Reader,
    ReadItem,
    ReadOptions,
    Rejected,
    Skipped,
)

# name -> module under balita_cli.formats.readers exposing READER
_MODULES = {
    "wxr": "wxr",
    "ghost": "ghost",
    "markdown": "markdown",
    "feed": "feed",
    "jsonl": "jsonl",
    "csv": "csv_rows",
}


def _load(name: str) -> Reader:
    module = import_module(f"balita_cli.formats.readers.{_MODULES[name]}")
    reader: Reader = module.READER
    return reader


READERS: dict[str, Reader] = {name: _load(name) for name in _MODULES}
READER_NAMES = tuple(READERS)


def get_reader(name: str) -> Reader:
    try:
        return READERS[name.lower()]
    except KeyError:
        raise UsageError(f"unknown import format {name!r} (choose from {', '.join(READER_NAMES)})") from None


__all__ = [
    "READERS",
    "READER_NAMES",
    "ImportCorrection",
    "ImportRecord",
    "ReadItem",
    "ReadOptions",
    "Reader",
    "Rejected",
    "Skipped",
    "get_reader",
]
