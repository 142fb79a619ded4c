"""Writing records for scripts (json, jsonl, csv, ids, count) and tables for people.

Machine formats use the standard library only: no markup, no wrapping, stable keys.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Any, TextIO

from balita_cli import console
from balita_cli.records import flat_value, spreadsheet_safe


class ListFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    IDS = "ids"
    COUNT = "count"


class ShowFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def write_line(text: str) -> None:
    """One line of data on stdout, exactly as given (Rich would expand tabs)."""
    sys.stdout.write(text + "\n")


def write_json(data: Any, stream: TextIO | None = None) -> None:
    target = stream or sys.stdout
    json.dump(data, target, ensure_ascii=False, indent=2)
    target.write("\n")


def write_jsonl(records: Iterable[dict[str, Any]], stream: TextIO | None = None) -> None:
    target = stream or sys.stdout
    for record in records:
        target.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_csv(records: Iterable[dict[str, Any]], fields: Sequence[str], stream: TextIO | None = None) -> None:
    writer = csv.writer(stream or sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([spreadsheet_safe(flat_value(record.get(name))) for name in fields])


def write_records(
    records: Iterable[dict[str, Any]],
    fmt: ListFormat,
    fields: Sequence[str],
    *,
    count: int | None = None,
    cell: Callable[[str, Any], str] = lambda _name, value: flat_value(value),
) -> None:
    """Render rows in the chosen format; ``cell`` turns a value into table text for people.

    JSON Lines, CSV and ids are written as the records arrive, so a long listing never has to
    fit in memory.
    """
    if fmt is ListFormat.COUNT:
        sys.stdout.write(f"{count if count is not None else len(list(records))}\n")
    elif fmt is ListFormat.IDS:
        # One line, space-separated, as WP-CLI does: `balita publish $(balita list --format ids)`.
        ids = [str(record["id"]) for record in records]
        sys.stdout.write(" ".join(ids) + "\n" if ids else "")
    elif fmt is ListFormat.JSON:
        write_json([{name: record.get(name) for name in fields} for record in records])
    elif fmt is ListFormat.JSONL:
        write_jsonl({name: record.get(name) for name in fields} for record in records)
    elif fmt is ListFormat.CSV:
        write_csv(records, fields)
    else:
        rows = [[cell(name, record.get(name)) for name in fields] for record in records]
        if console.stdout_is_terminal():
            console.print_table(list(fields), rows)
        else:
            write_plain(list(fields), rows)


def write_plain(columns: list[str], rows: list[list[str]]) -> None:
    """The table's rows without markup: tab-separated with a header, one article a line."""
    sys.stdout.write("\t".join(columns) + "\n")
    for row in rows:
        sys.stdout.write("\t".join(" ".join(value.split()) for value in row) + "\n")
