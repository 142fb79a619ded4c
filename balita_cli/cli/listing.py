"""list and search: many articles at once, for people (a table) and scripts (json, csv, ids…)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.options import (
    FILTERS,
    FILTERS_WITHOUT_TEXT,
    FieldsOpt,
    Filters,
    LimitOpt,
    ListFormat,
    ListFormatOpt,
    OffsetOpt,
    SortOpt,
    parse_fields,
)
from balita_cli.cli.output import Cell, plain, write_records
from balita_cli.cli.params import options
from balita_cli.cli.state import app
from balita_cli.workflow import Status

SEARCH_FIELDS = ("id", "status", "published_at", "title", "snippet")
SEARCH_EXTRA = ("rank", "snippet")


def display_cell(zone: tzinfo) -> Cell:
    """Times in the site zone with offset, lists joined: what a person reads in a table."""
    from balita_cli.timeutil import human, relative_words, utcnow

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


def table_fields(statuses: tuple[Status, ...]) -> tuple[str, ...]:
    from balita_cli.schema import DEFAULT_LIST_FIELDS

    if statuses == (Status.SCHEDULED,):  # when it goes out matters more than when it went out
        return tuple("scheduled_at" if name == "published_at" else name for name in DEFAULT_LIST_FIELDS)
    return DEFAULT_LIST_FIELDS


@options(FILTERS)
def list_command(
    ctx: typer.Context,
    *,
    filters: Filters,
    sort: SortOpt = "-updated",
    limit: LimitOpt = None,
    offset: OffsetOpt = 0,
    output_format: ListFormatOpt = ListFormat.TABLE,
    fields: FieldsOpt = None,
    clusters: Annotated[
        bool, typer.Option("--clusters", help="Only stories other outlets also report, the most outlets first.")
    ] = False,
) -> None:
    """List articles, newest change first.

    Example: balita list --status published --section Politics --since "7 days ago" --format csv
    """
    from balita_cli.services import reading
    from balita_cli.services.query import Window

    state = app(ctx)
    site = state.settings.site
    if clusters:  # the desk's view: which stories many outlets are covering (cli/desk.py)
        from balita_cli.cli.desk import list_clusters

        return list_clusters(state, filters, Window(sort, limit, offset), output_format, fields)
    flt, window, chosen = filters.resolve(site.tz), Window(sort, limit, offset), parse_fields(fields, ())
    with state.reading() as db:
        if output_format is ListFormat.COUNT:
            console.print_line(str(reading.count(db, flt) if not (limit or offset) else len(
                reading.matching_ids(db, flt, window))))  # fmt: skip
            return
        records = reading.stream_records(db, flt, site.base_url, window)
        write_records(records, output_format, chosen or None, site, table_fields=table_fields(tuple(flt.statuses)),
                      cell=display_cell(site.tz))  # fmt: skip


@options(FILTERS_WITHOUT_TEXT)
def search_command(
    ctx: typer.Context,
    words: Annotated[
        str,
        typer.Argument(
            metavar="WORDS", help="Words to find; quote phrases; word* matches a prefix.", show_default=False
        ),
    ],
    *,
    filters: Filters,
    limit: LimitOpt = 20,
    offset: OffsetOpt = 0,
    output_format: ListFormatOpt = ListFormat.TABLE,
    fields: FieldsOpt = None,
) -> None:
    """Full-text search over title, summary and body, best match first, with highlighted snippets.

    Example: balita search "West Philippine Sea" --lang en --limit 5
    """
    from balita_cli.services import reading
    from balita_cli.services.query import Window

    state = app(ctx)
    site = state.settings.site
    chosen = parse_fields(fields, (), extra=SEARCH_EXTRA)
    with state.reading() as db:
        hits = reading.search(db, words, filters.resolve(site.tz), Window("-updated", limit, offset))
        records = reading.hit_records(db, hits, site.base_url)
    if output_format is ListFormat.TABLE and not chosen and console.stdout_is_terminal():
        with console.paged():
            show_hits(records, display_cell(site.tz))  # a person reads hits best as headline + snippet
        return
    write_records(records, output_format, chosen or None, site, table_fields=SEARCH_FIELDS, cell=display_cell(site.tz))


def show_hits(records: list[dict[str, Any]], cell: Cell) -> None:
    if not records:
        console.info("No matches.")
    for rank, record in enumerate(records, start=1):
        when = cell("published_at", record["published_at"]) or record["status"]
        console.print_hit(rank, record["title"], f"#{record['id']} · {record['status']} · {when}", record["snippet"])


def register(typer_app: typer.Typer) -> None:
    typer_app.command("list")(list_command)
    typer_app.command("search")(search_command)
