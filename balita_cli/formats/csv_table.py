"""CSV: one row per article, a column per record field; safe to open in a spreadsheet.

A cell holds text as it is; a list (tags, authors, aliases) or the corrections hold a JSON array,
so a tag "Trade; Industry" or a correction with a semicolon comes back whole. A cell that would
start a spreadsheet formula gets a leading ' (``records.spreadsheet_safe``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.base import Writer
from balita_cli.formats.streaming import json_line
from balita_cli.records import Record, spreadsheet_safe
from balita_cli.schema import RECORD_FIELDS

# Control characters other than newline and tab never reach a CSV a person may open or `cat`
# (none can be stored now; this is for what older versions let in).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json_line(value).rstrip("\n")
    return spreadsheet_safe(_CONTROL.sub("\ufffd", str(value)))


def write_rows(records: Iterable[Record], stream: IO[str], fields: Sequence[str]) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for record in records:
        writer.writerow([cell(record.get(name)) for name in fields])
        count += 1
    return count


class CsvWriter(Writer):
    name = "csv"
    description = "every record field a column"
    extension = ".csv"
    media_type = "text/csv"

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        return write_rows(records, stream, tuple(options.get("fields") or RECORD_FIELDS))


WRITER = CsvWriter()
