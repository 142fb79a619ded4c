"""list and search: many articles at once, for people (a table) and scripts (json, csv, ids…)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli import options as o
from balita_cli.cli.output import ListFormat, write_records
from balita_cli.cli.state import state
from balita_cli.workflow import Status

SEARCH_FIELDS = ("id", "status", "published_at", "title", "snippet")


def display_cell(zone: Any) -> Any:
    """Times in the site zone with offset, lists joined: what a person reads in a table."""
    from balita_cli.records import flat_value
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
        return flat_value(value)

    return cell


def list_command(
    *,
    status: o.StatusOpt = None,
    section: o.SectionOpt = None,
    tag: o.TagOpt = None,
    author: o.AuthorOpt = None,
    lang: o.LangOpt = None,
    source: o.SourceOpt = None,
    since: o.SinceOpt = None,
    until: o.UntilOpt = None,
    date_field: o.DateFieldOpt = "published",
    query: o.QueryOpt = None,
    trash: o.TrashOpt = False,
    sort: o.SortOpt = "-updated",
    limit: o.LimitOpt = None,
    offset: o.OffsetOpt = 0,
    output_format: o.FormatOpt = ListFormat.TABLE,
    fields: o.FieldsOpt = None,
) -> None:
    """List articles, newest change first.

    Example: balita list --status published --section Politics --since "7 days ago" --format csv
    """
    from balita_cli.records import DEFAULT_LIST_FIELDS
    from balita_cli.services.query import count_articles
    from balita_cli.services.streaming import stream_records

    app_state = state()
    flt = o.build_filter(
        app_state, status=status, section=section, tag=tag, author=author, lang=lang, source=source,
        since=since, until=until, date_field=date_field, query=query, trash=trash,
    )  # fmt: skip
    defaults: tuple[str, ...] = DEFAULT_LIST_FIELDS
    if status == [Status.SCHEDULED]:
        defaults = tuple("scheduled_at" if name == "published_at" else name for name in defaults)
    chosen = o.parse_fields(fields, defaults)
    site = app_state.settings.site
    with app_state.session() as session:
        if output_format is ListFormat.COUNT:
            write_records([], output_format, chosen, count=count_articles(session, flt))
            return
        records = stream_records(session, flt, site.base_url, sort=sort, limit=limit, offset=offset)
        write_records(records, output_format, chosen, cell=display_cell(site.tz))


def search_command(
    words: Annotated[
        str, typer.Argument(help="Words to find; quote phrases; word* matches a prefix.", show_default=False)
    ],
    *,
    status: o.StatusOpt = None,
    section: o.SectionOpt = None,
    tag: o.TagOpt = None,
    author: o.AuthorOpt = None,
    lang: o.LangOpt = None,
    source: o.SourceOpt = None,
    since: o.SinceOpt = None,
    until: o.UntilOpt = None,
    date_field: o.DateFieldOpt = "published",
    limit: o.LimitOpt = 20,
    offset: o.OffsetOpt = 0,
    output_format: o.FormatOpt = ListFormat.TABLE,
    fields: o.FieldsOpt = None,
) -> None:
    """Full-text search over title, summary and body, best match first, with highlighted snippets.

    Example: balita search "West Philippine Sea" --lang en --limit 5
    """
    from balita_cli.records import article_record
    from balita_cli.services.query import Window, search

    app_state = state()
    flt = o.build_filter(
        app_state, status=status, section=section, tag=tag, author=author, lang=lang, source=source,
        since=since, until=until, date_field=date_field,
    )  # fmt: skip
    chosen = o.parse_fields(fields, SEARCH_FIELDS)
    site = app_state.settings.site
    with app_state.session() as session:
        hits = search(session, words, flt, Window(limit=limit, offset=offset))
        records = [
            {**article_record(hit.article, site.base_url), "rank": round(hit.rank, 4), "snippet": hit.snippet}
            for hit in hits
        ]
    if output_format is ListFormat.COUNT:
        write_records(records, output_format, chosen, count=len(records))
        return
    if output_format is ListFormat.TABLE and fields is None and console.stdout_is_terminal():
        show_hits(records, display_cell(site.tz))  # a person reads hits best as headline + snippet
        return
    write_records(records, output_format, chosen, cell=display_cell(site.tz))


def show_hits(records: list[dict[str, Any]], cell: Any) -> None:
    if not records:
        console.info("No matches.")
    for rank, record in enumerate(records, start=1):
        when = cell("published_at", record["published_at"]) or record["status"]
        console.print_hit(rank, record["title"], f"#{record['id']} · {record['status']} · {when}", record["snippet"])


def register(app: typer.Typer) -> None:
    app.command("list")(list_command)
    app.command("search")(search_command)
