"""What every import format is: a small object with a name and one ``read`` method.

A reader turns a file (or a tree, or a URL) into a stream of plain items: an ``ImportRecord``
for each article, ``Skipped`` for things that are not articles (pages, menu items,
attachments), ``Rejected`` for input it cannot read. Readers never touch the database; the
importing service validates and writes what they yield.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Protocol, runtime_checkable

from balita_cli.errors import InvalidInput
from balita_cli.workflow import Status


@dataclass
class ImportCorrection:
    text: str
    created_at: datetime | None = None
    kind: str = "correction"


@dataclass
class ImportRecord:
    """One article as read from the source: the fields of ``ArticleDraft`` plus where it came from."""

    title: str
    origin: str  # file and position, for error messages: "export.xml: item 12"
    external_id: str | None = None
    body: str = ""
    subtitle: str = ""
    summary: str = ""
    language: str | None = None  # None: the site's default
    slug: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    status: Status = Status.DRAFT
    source_name: str = ""
    source_url: str = ""
    canonical_url: str = ""
    image_url: str = ""
    image_alt: str = ""
    image_caption: str = ""
    image_credit: str = ""
    dateline: str = ""
    editor_note: str = ""
    featured: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    published_at: datetime | None = None
    scheduled_at: datetime | None = None
    expires_at: datetime | None = None
    deleted_at: datetime | None = None
    retraction_reason: str = ""
    aliases: list[str] = field(default_factory=list)
    corrections: list[ImportCorrection] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """Something in the source that is deliberately not imported (a page, a menu item…)."""

    kind: str
    origin: str


@dataclass(frozen=True)
class Rejected:
    """Input the reader could not turn into a record; reported and skipped."""

    origin: str
    reason: str


ReadItem = ImportRecord | Skipped | Rejected


@dataclass(frozen=True)
class ReadOptions:
    """What a reader needs to know about the site it imports into."""

    zone: tzinfo = UTC
    source_name: str | None = None  # feed: overrides the name taken from the feed's host


@runtime_checkable
class Reader(Protocol):
    name: str
    description: str

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]: ...

    def estimate(self, path: str) -> int | None:
        """A cheap guess at the number of items, for a progress bar; None when unknown."""
        ...


# ---------------------------------------------------------------- helpers shared by readers

_OFFSET_WITHOUT_COLON = re.compile(r"\s*([+-]\d{2})(\d{2})$")


def parse_time(value: object, zone: tzinfo) -> datetime | None:
    """A source's date: a datetime/date from YAML/TOML, ISO 8601, RFC 822, or "2013-05-06 02:12:52 +0200".

    Naive values are read in ``zone``; the result is aware UTC. Raises InvalidInput when unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        parsed = _parse_text_time(str(value).strip())
    if not 1900 <= parsed.year <= 9998:
        raise InvalidInput(f"date {value!r} is out of range")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _parse_text_time(text: str) -> datetime:
    iso_text = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text.replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(iso_text)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"cannot read date {text!r}") from None


def sanitize_html(html: str) -> str:
    """Untrusted HTML made safe to store and publish: scripts, handlers and javascript: URLs go."""
    import nh3

    return str(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


def text_list(value: object) -> list[str]:
    """A front-matter or JSON value that should be a list of names: a string, a list, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]
