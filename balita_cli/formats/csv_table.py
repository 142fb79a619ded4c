"""CSV: one row per article, every record field a column; safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.formats.base import Record
from balita_cli.records import RECORD_FIELDS, flat_value, spreadsheet_safe


class CsvWriter:
    name = "csv"
    extension = ".csv"
    media_type = "text/csv"
    public = False
    tree = False

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        fields = options.get("fields") or RECORD_FIELDS
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(fields)
        count = 0
        for record in records:
            writer.writerow([spreadsheet_safe(flat_value(record.get(name))) for name in fields])
            count += 1
        return count


WRITER = CsvWriter()
