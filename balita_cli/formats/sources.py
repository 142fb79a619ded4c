"""The kinds of source the desk follows, found by name, as the import formats are.

A source type reads what a source's URL answered with into a ``Feed`` of plain entries (title,
link, text, time, guid: ``feed_parsing.Entry``), whatever the type; the desk makes them stories
and files them (``services/desk``). Each type is a module exposing ``SOURCE_TYPE``; a body goes
to the first type that ``reads`` it, else to the first type, whose error then says why it is not
a source. The registry holds each type's description, so help text needs none of the parsers.

    from balita_cli.formats.sources import read_source
    feed = read_source(body, media_type="application/rss+xml", address=url)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from balita_cli.formats.readers.feed_parsing import Feed

# name -> (module exposing SOURCE_TYPE, what it reads): the order bodies are offered in
_TYPES = {
    "feed": ("balita_cli.formats.readers.feed_parsing", "RSS 2.0, Atom or JSON Feed 1.0/1.1"),
}
SOURCE_TYPE_NAMES = tuple(_TYPES)
DESCRIPTIONS = {name: description for name, (_module, description) in _TYPES.items()}


class SourceType(Protocol):
    name: str

    def reads(self, body: bytes, media_type: str) -> bool:
        """Whether ``body`` is this type's (a cheap look at its first bytes)."""
        ...

    def read(self, body: bytes, media_type: str, address: str) -> Feed:
        """The entries of ``body``; InvalidInput, one line, when it cannot be read."""
        ...


def source_type(name: str) -> SourceType:
    source: SourceType = import_module(_TYPES[name][0]).SOURCE_TYPE
    return source


def read_source(body: bytes, *, media_type: str = "", address: str = "") -> Feed:
    """``body`` read by the first source type that reads it (else by the first type, which says
    why it cannot)."""
    types = [source_type(name) for name in SOURCE_TYPE_NAMES]
    reader = next((kind for kind in types if kind.reads(body, media_type)), types[0])
    return reader.read(body, media_type, address)
