"""list and search: many articles at once, for people (a table) and scripts (json, csv, ids…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

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
from balita_cli.cli.output import Cell, display_cell, write_records
from balita_cli.cli.params import options
from balita_cli.cli.state import AppState, app
from balita_cli.schema import DEFAULT_LIST_FIELDS
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.services.query import Window

SEARCH_FIELDS = ("id", "status", "published_at", "title", "snippet")
SEARCH_EXTRA = ("rank", "snippet")


def table_fields(statuses: tuple[Status, ...]) -> tuple[str, ...]:
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
    from balita_cli.services import reading  # here: --help imports every command module
    from balita_cli.services.query import Window

    state = app(ctx)
    site = state.settings.site
    if clusters:  # the desk's view: which stories many outlets are covering (cli/desk.py)
        return list_clusters(state, filters, Window(sort, limit, offset), output_format, fields)
    flt, window, chosen = filters.resolve(site.tz), Window(sort, limit, offset), parse_fields(fields, ())
    with state.reading() as db:
        if output_format is ListFormat.COUNT:
            console.print_line(
                str(reading.count(db, flt) if not (limit or offset) else len(reading.matching_ids(db, flt, window)))
            )
            return
        records = reading.stream_records(db, flt, site.base_url, window)
        write_records(
            records,
            output_format,
            chosen or None,
            site,
            table_fields=table_fields(tuple(flt.statuses)),
            cell=display_cell(site.tz),
        )


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
    from balita_cli.services import reading  # here: --help imports every command module
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


# ---------------------------------------------------------------- list --clusters

CLUSTER_FIELDS = ("id", "status", "published_at", "outlets", "title", "also_reported_by")
CLUSTER_EXTRA = ("outlets", "also_reported_by")


def list_clusters(
    state: AppState, filters: Filters, window: Window, output_format: ListFormat, fields: str | None
) -> None:
    """``list --clusters``: the stories most outlets report, with who else reports them."""
    from balita_cli.services.desk import coverage  # here: --help imports every command module

    site = state.settings.site
    chosen = parse_fields(fields, (), extra=CLUSTER_EXTRA)
    with state.reading() as db:
        records = coverage.clusters(db, filters.resolve(site.tz), window, site.base_url)
    write_records(records, output_format, chosen or None, site, table_fields=CLUSTER_FIELDS, cell=display_cell(site.tz))


def register(typer_app: typer.Typer) -> None:
    typer_app.command("list")(list_command)
    typer_app.command("search")(search_command)
