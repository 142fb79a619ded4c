"""A second feed reader, to read our feeds as a reader we did not write would.

feedparser is balita's own dependency (its importer reads feeds with it), so a feed that only
feedparser understands proves little. fastfeedparser (Kagi's parser for its Small Web index,
lxml-based, maintained) is a separate implementation that real readers run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from tests.checkers import _tools

ReaderKind = Literal["rss", "atom", "json"]


def parse_with_second_reader(data: bytes | Path, kind: ReaderKind) -> list[tuple[str, str]]:
    """(title, link) of every entry as fastfeedparser reads the feed, in document order.

    Raises AssertionError when the reader sees a different kind of feed than `kind`, or fails.
    """
    fastfeedparser = _tools.python_module("fastfeedparser", "fastfeedparser")
    raw = data.read_bytes() if isinstance(data, Path) else data
    seen = _sniff(raw)
    if seen != kind:
        raise AssertionError(f"expected a {kind} feed, the document looks like {seen}")
    try:
        parsed: Any = fastfeedparser.parse(raw, include_content=False, include_media=False)
    except ValueError as error:  # fastfeedparser raises ValueError for what it cannot read
        raise AssertionError(f"fastfeedparser could not read the {kind} feed: {error}") from error
    return [(str(entry.get("title") or ""), str(entry.get("link") or "")) for entry in parsed.entries]


def _sniff(raw: bytes) -> str:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith((b"{", b"[")):
        return "json"
    if b"<rss" in head:
        return "rss"
    if b"<feed" in head or b":feed" in head:
        return "atom"
    return "unknown"
