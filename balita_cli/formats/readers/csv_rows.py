"""balita's own CSV export read back: one ``article_record`` per row, flattened as
``records.flat_value`` does (lists joined with "; ", corrections as "date: text")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import ReadItem, ReadOptions, Rejected
from balita_cli.formats.readers.jsonl import record_from_dict
from balita_cli.records import spreadsheet_unsafe

LIST_FIELDS = ("tags", "authors", "aliases")
_SEPARATOR = "; "


def _unquoted(cell: str) -> str:
    return spreadsheet_unsafe(cell)


def _corrections(cell: str) -> list[dict[str, Any]]:
    """``2026-01-02T03:04:05+00:00: text`` items; the ISO date holds no ": ", the first one splits."""
    found = []
    for part in cell.split(_SEPARATOR) if cell else []:
        when, sep, text = part.partition(": ")
        found.append({"created_at": when, "text": text} if sep else {"created_at": None, "text": part})
    return found


def row_to_dict(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {key: _unquoted(value or "") for key, value in row.items() if key}
    for name in LIST_FIELDS:
        if name in data:
            data[name] = [item for item in data[name].split(_SEPARATOR) if item.strip()]
    if "corrections" in data:
        data["corrections"] = _corrections(data["corrections"])
    return data


class CsvReader:
    name = "csv"
    description = "balita CSV export (one article per row)"

    def estimate(self, path: str) -> int | None:
        return None

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = Path(path)
        try:
            text = source.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path}: not valid UTF-8 (byte {exc.start})") from None
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
