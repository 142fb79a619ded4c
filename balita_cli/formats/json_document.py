"""One JSON document: the site metadata and an ``articles`` array, written record by record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.base import Writer
from balita_cli.formats.jsonl import projected
from balita_cli.formats.streaming import write_json_object
from balita_cli.records import Record

SCHEMA_VERSION = 1


def site_metadata(site: Site) -> dict[str, Any]:
    return {
        "name": site.name,
        "base_url": site.base_url,
        "description": site.description,
        "language": site.language,
        "timezone": site.timezone,
        "publisher": site.publisher.name,
        "contact": site.publisher.email,
    }


class JsonWriter(Writer):
    name = "json"
    description = "the site and an `articles` array, in one JSON document"
    extension = ".json"
    media_type = "application/json"

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        head = {"balita_export": SCHEMA_VERSION, "site": site_metadata(site)}
        return write_json_object(stream, head, "articles", projected(records, options.get("fields")))


WRITER = JsonWriter()
