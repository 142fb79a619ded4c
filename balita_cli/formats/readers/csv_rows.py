"""balita's own CSV export read back: one record per row, cells as ``formats/csv_table.py`` writes
them (lists and notices as JSON arrays, a formula-looking cell behind a leading ')."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions, Rejected
from balita_cli.formats.readers.jsonl import record_from_dict
from balita_cli.records import spreadsheet_unsafe
from balita_cli.schema import BY_NAME, Kind

JSON_KINDS = frozenset({Kind.NAMES, Kind.SLUGS, Kind.NOTICES, Kind.COVERAGE, Kind.PHOTO})


def _cell(name: str, cell: str) -> Any:
    spec = BY_NAME.get(name)
    if spec is not None and spec.kind in JSON_KINDS:
        if not cell:
            return None if spec.kind is Kind.PHOTO else []
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            raise InvalidInput(f"{name} is not JSON: {cell[:40]!r}") from None
    if cell == "":
        return None
    return spreadsheet_unsafe(cell)


def row_to_dict(row: dict[str | None, Any]) -> dict[str, Any]:
    return {key: _cell(key, value or "") for key, value in row.items() if key and isinstance(value, str)}


class CsvReader(Reader):
    name = "csv"
    description = "balita CSV export (one article per row)"

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = self.existing_file(path)
        text = self.read_text(source)
        csv.field_size_limit(sys.maxsize)  # a long body is one cell; our exports write them whole
        rows = csv.DictReader(io.StringIO(text, newline=""))
        if not rows.fieldnames or "title" not in rows.fieldnames:
            raise InvalidInput(f"{path}: no header row with a 'title' column")
        for row in rows:
            origin = f"{source.name}: line {rows.line_num}"
            try:
                yield record_from_dict(row_to_dict(row), origin)
            except InvalidInput as exc:
                yield Rejected(origin, exc.message)


READER = CsvReader()
