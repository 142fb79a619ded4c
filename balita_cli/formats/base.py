"""What every export format is: a small object that says what it can do and writes records.

A writer declares its capabilities (a stream or a directory tree, public or not, how many
articles one file holds, which options it reads) so that ``services/exporting.py`` and the site
build treat every format the same way, with no special case by name. Writers receive records
(``records.build_record`` dicts) and a stream or a directory, never a session.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from balita_cli.config import Site
from balita_cli.records import Record, public_view


class Target(StrEnum):
    STREAM = "stream"  # one document, to stdout or a file
    TREE = "tree"  # files under a directory (the Hugo tree)


@dataclass(frozen=True)
class Capabilities:
    target: Target = Target.STREAM
    public: bool = False  # published articles only, with public fields only
    max_items: int | None = None  # what one file holds (sitemaps: 50,000 URLs)
    splits: bool = False  # past max_items, numbered files and an index in a directory
    window: timedelta | None = None  # only articles published this recently (Google News)
    options: tuple[str, ...] = ()  # export options it reads (--ninjs-version, --lines)
    json_lines: bool = False  # takes records already serialised as JSON lines (write_lines)


class Writer:
    """Base of every export format; subclasses set the attributes and override ``write``."""

    name: str = ""
    description: str = ""  # what it is, for the docs' table of formats
    extension: str = ""
    media_type: str = "application/octet-stream"
    capabilities: Capabilities = Capabilities()

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        """Write one document of ``records`` to ``stream``; returns how many articles it holds."""
        raise NotImplementedError

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> list[str]:
        """Write files under ``directory`` (tree formats, or a stream format past its capacity);
        returns the paths written, relative to ``directory``."""
        raise NotImplementedError(f"{self.name} writes one document, not a directory")

    def render(self, records: Iterable[Record], site: Site, **options: Any) -> bytes:
        """One document in memory (the site build puts it in its output tree)."""
        buffer = io.StringIO()
        self.write(records, buffer, site, **options)
        return buffer.getvalue().encode("utf-8")

    @property
    def public(self) -> bool:
        return self.capabilities.public

    @property
    def tree(self) -> bool:
        return self.capabilities.target is Target.TREE


def public_records(records: Iterable[Record]) -> Iterator[Record]:
    """What a public format may show: ``records.public_view`` of each record that has one."""
    for record in records:
        view = public_view(record)
        if view is not None:
            yield view


def is_retracted(record: Record) -> bool:
    return record.get("status") == "retracted"


def article_guid(record: Record, site: Site) -> str:
    """A permanent id (RFC 4151 tag URI) that survives a change of slug or domain path."""
    host = urlsplit(site.base_url).hostname or "localhost"
    created = (record.get("created_at") or record.get("published_at") or "2000-01-01")[:10]
    return f"tag:{host},{created}:article:{record['id']}"


def categories(record: Record) -> list[str]:
    """The section first, then the tags, without repeats."""
    names = [record["section"]] if record.get("section") else []
    names += [tag for tag in record.get("tags") or [] if tag not in names]
    return names


def hubs(options: dict[str, Any]) -> list[str]:
    """The WebSub hubs a feed names (``hubs=``: the site's ``[websub] hub``), each a web URL."""
    from balita_cli.formats.links import web_url

    return [url for hub in options.get("hubs") or () if (url := web_url(hub))]


def feed_url(site: Site, options: dict[str, Any], default_path: str) -> str:
    """Where the feed itself lives (for rel="self"): ``feed_url=`` or a path under the site."""
    url = options.get("feed_url")
    return str(url) if url else f"{site.base_url.rstrip('/')}/{default_path}"
