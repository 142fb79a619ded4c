"""JSON Lines: one record per line, the record's fields (or those asked for) in schema order.

``balita import jsonl`` reads this back. ``list --format jsonl`` writes through here too, so the
two print the same bytes for the same articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.base import Capabilities, Writer
from balita_cli.formats.streaming import json_line
from balita_cli.records import Record


def projected(records: Iterable[Record], fields: Iterable[str] | None) -> Iterable[Record]:
    """Only the fields asked for, in that order; every field when none are."""
    if not fields:
        return records
    names = tuple(fields)
    return ({name: record.get(name) for name in names} for record in records)


def _batches(lines: Iterable[bytes], size: int) -> Iterable[list[bytes]]:
    iterator = iter(lines)
    while batch := list(islice(iterator, size)):
        yield batch


class JsonLinesWriter(Writer):
    name = "jsonl"
    description = "one record per line; `balita import jsonl` reads it"
    extension = ".jsonl"
    media_type = "application/jsonl"
    capabilities = Capabilities(json_lines=True)

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        for record in projected(records, options.get("fields")):
            stream.write(json_line(record))
            count += 1
        return count

    def write_lines(self, lines: Iterable[bytes], stream: IO[bytes]) -> int:
        """Records the database already wrote as UTF-8 JSON lines (services/json_lines.py), a
        hundred a write: much larger writes make each allocate fresh memory, which costs more than
        the few extra calls."""
        count = 0
        for batch in _batches(lines, 100):
            stream.write(b"".join(batch))
            count += len(batch)
        return count


WRITER = JsonLinesWriter()
