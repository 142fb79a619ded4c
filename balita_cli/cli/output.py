"""Records for scripts (json, jsonl, csv, ids, count) and tables for people.

json, jsonl and csv go through the export writers (``formats/``), so a record is the same bytes
in ``list``, ``search``, ``show`` and ``export``. Everything streams: a long listing never has to
fit in memory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from balita_cli import console
from balita_cli.cli.options import ListFormat
from balita_cli.errors import Aborted, UsageError
from balita_cli.timeutil import human, relative_words, utcnow

if TYPE_CHECKING:
    from balita_cli.config import Site
    from balita_cli.records import Record

Cell = Callable[[str, Any], str]


def write_line(text: str) -> None:
    """One line of data on stdout, exactly as given (Rich would expand tabs)."""
    sys.stdout.write(text + "\n")


def write_json(data: Any) -> None:
    from balita_cli.formats.streaming import json_text  # here: --help imports every command module

    sys.stdout.write(json_text(data) + "\n")


def plain(value: Any) -> str:
    """A value as one cell of text for a person: lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(
            f"{item.get('created_at')}: {item.get('text')}" if isinstance(item, dict) else str(item) for item in value
        )
    return str(value)


def write_records(
    records: Iterable[Record],
    fmt: ListFormat,
    fields: Sequence[str] | None,
    site: Site,
    *,
    table_fields: Sequence[str] = (),
    cell: Cell = lambda _name, value: plain(value),
) -> None:
    """Records in the chosen format; ``fields`` None means every field (table: ``table_fields``)."""
    if fmt in {ListFormat.JSON, ListFormat.JSONL, ListFormat.CSV}:
        write_machine(records, fmt, fields, site)
    elif fmt is ListFormat.IDS:
        # One line, space-separated, as WP-CLI does: `balita publish $(balita list --format ids)`.
        ids = [str(record["id"]) for record in records]
        sys.stdout.write(" ".join(ids) + "\n" if ids else "")
    elif fmt is ListFormat.COUNT:
        write_line(str(sum(1 for _ in records)))
    else:
        columns = list(fields or table_fields)
        rows = [[cell(name, record.get(name)) for name in columns] for record in records]
        if console.stdout_is_terminal():
            with console.paged():
                console.print_table(columns, rows)
        else:
            write_plain(columns, rows)


def write_machine(records: Iterable[Record], fmt: ListFormat, fields: Sequence[str] | None, site: Site) -> None:
    from balita_cli.formats import get_writer  # here: --help imports every command module
    from balita_cli.formats.jsonl import projected
    from balita_cli.formats.streaming import write_json_array

    if fmt is ListFormat.JSON:
        write_json_array(sys.stdout, projected(records, fields))
    else:
        get_writer(fmt.value).write(records, sys.stdout, site, fields=fields)


def write_plain(columns: list[str], rows: list[list[str]]) -> None:
    """The table's rows without markup: tab-separated with a header, one article a line."""
    sys.stdout.write("\t".join(columns) + "\n")
    for row in rows:
        sys.stdout.write("\t".join(console.plain_text(" ".join(value.split())) for value in row) + "\n")


def display_cell(zone: tzinfo) -> Cell:
    """Times in the site zone with offset, lists joined: what a person reads in a table."""
    now = utcnow()

    def cell(name: str, value: Any) -> str:
        if name.endswith("_at") and isinstance(value, str) and value:
            moment = datetime.fromisoformat(value)
            if name in {"scheduled_at", "expires_at"}:
                # What a scheduling editor wants to know is how long until it goes out.
                return f"{human(moment, zone)} ({relative_words(moment, now=now)})"
            return human(moment, zone)
        if name == "rank" and isinstance(value, float):
            return f"{value:.2f}"
        return plain(value)

    return cell


def confirm_or_abort(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("refusing to change data without confirmation: add --yes")
    if not console.confirm(question):
        raise Aborted("cancelled; nothing was changed")
