"""Streaming XML with lxml's incremental writer: the envelope opens once, items follow one by one.

lxml escapes every text and attribute; ``text`` strips what XML 1.0 cannot hold.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import format_datetime
from typing import IO, Any

from lxml import etree

from balita_cli.formats.html import clean_text


class TextSink:
    """Lets lxml, which writes bytes, write into a text stream (stdout, an atomic file)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> None:
        self.stream.write(self.decoder.decode(data))

    def flush(self) -> None:
        self.stream.write(self.decoder.decode(b"", final=True))


@contextmanager
def xml_document(stream: IO[str]) -> Iterator[Any]:
    """An lxml ``xmlfile`` context with the XML declaration written."""
    sink = TextSink(stream)
    with etree.xmlfile(sink, encoding="utf-8") as document:
        document.write_declaration()
        yield document
    sink.flush()
    stream.write("\n")


def sub(parent: Any, tag: str, value: Any = None, **attributes: str) -> Any:
    """A child element holding ``value`` as text (XML-safe); attributes likewise."""
    element = etree.SubElement(parent, tag, {k: clean_text(v) for k, v in attributes.items()})
    if value is not None:
        element.text = clean_text(str(value))
    return element


def element(tag: str, nsmap: dict[str | None, str] | None = None) -> Any:
    return etree.Element(tag, nsmap=nsmap)


def rfc822(iso_time: str | None) -> str | None:
    """ISO 8601 (as records hold times) to the RFC 822 form RSS wants."""
    if not iso_time:
        return None
    return format_datetime(datetime.fromisoformat(iso_time))
