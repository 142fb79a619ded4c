"""What every export format is: a small object with a name, an extension and one write method.

Writers receive records (``records.article_record`` dicts) and a stream or a directory, never a
session, so ``export`` and the static site build call them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from balita_cli.config import Site
from balita_cli.workflow import PUBLIC_STATUSES

Record = dict[str, Any]
# Statuses a reader outside the newsroom may see; drafts, review and scheduled never leave it.
# Never part of any public output, whatever the format.
PRIVATE_FIELDS = frozenset({"editor_note", "updated_by"})


@runtime_checkable
class StreamWriter(Protocol):
    """Writes one document to a text stream and returns how many articles it holds."""

    name: str
    extension: str
    media_type: str
    public: bool
    tree: bool

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int: ...


@runtime_checkable
class TreeWriter(Protocol):
    """Writes a tree of files under a directory (markdown) and returns how many articles."""

    name: str
    extension: str
    media_type: str
    public: bool
    tree: bool

    def write(self, records: Iterable[Record], stream: Path, site: Site, **options: Any) -> int: ...


Writer = StreamWriter | TreeWriter


def is_public(record: Record) -> bool:
    """A record a public format may show: a published (or archived/retracted), untrashed article."""
    return record.get("status") in PUBLIC_STATUSES and not record.get("deleted_at")


def public_only(records: Iterable[Record]) -> Iterator[Record]:
    """The public records, with the private fields removed, as a second line of defence."""
    for record in records:
        if is_public(record):
            yield {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}


def is_retracted(record: Record) -> bool:
    return record.get("status") == "retracted"


@runtime_checkable
class IndexedWriter(Protocol):
    """A stream writer that can also split into several files plus an index (sitemaps)."""

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> int: ...


def article_guid(record: Record, site: Site) -> str:
    """A permanent id (RFC 4151 tag URI) that survives a change of slug or domain path."""
    from urllib.parse import urlsplit

    host = urlsplit(site.base_url).hostname or "localhost"
    created = (record.get("created_at") or record.get("published_at") or "2000-01-01")[:10]
    return f"tag:{host},{created}:article:{record['id']}"


def categories(record: Record) -> list[str]:
    """The section first, then the tags, without repeats."""
    names = [record["section"]] if record.get("section") else []
    names += [tag for tag in record.get("tags") or [] if tag not in names]
    return names


def feed_url(site: Site, options: dict[str, Any], default_path: str) -> str:
    """Where the feed itself lives (for rel="self"): ``feed_url=`` or a path under the site."""
    url = options.get("feed_url")
    return str(url) if url else f"{site.base_url.rstrip('/')}/{default_path}"
