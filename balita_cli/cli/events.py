"""``balita events``: the outbox, read: what happened to the stories readers see, in order."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.delivery import FormatOpt, TableFormat, write_records
from balita_cli.cli.output import write_plain
from balita_cli.cli.state import app


def events_command(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="WHEN", help="At or after this time (site zone): 2026-12-01, '3 hours ago'."),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="WHEN", help="Before this time.")] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="KINDS",
            help="Only these kinds (published, corrected…; commas or repeated).",
            show_default=False,
        ),
    ] = None,
    article: Annotated[str | None, typer.Option("--article", metavar="ID|SLUG", help="Only this story's.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1_000_000, help="At most this many.")] = 100,
    output_format: FormatOpt = TableFormat.TABLE,
) -> None:
    """List events, oldest first: each story published, updated, corrected, retracted,
    unpublished, archived, deleted or restored, as webhooks and partners get them.

    Example: balita events --since yesterday --kind published,corrected,retracted --format jsonl
    """
    from balita_cli.services import events
    from balita_cli.services.delivery.destinations import event_kinds
    from balita_cli.timeutil import parse_when

    state = app(ctx)
    zone = state.settings.site.tz
    wanted = event_kinds(kinds, ())
    with state.reading() as db:
        stories = [_story(db, article)] if article else []
        found = events.since(
            db,
            parse_when(since, zone) if since else None,
            until=parse_when(until, zone) if until else None,
            kinds=wanted,
            articles=stories,
            limit=limit,
        )
    records = [event.as_dict(zone) for event in found]
    if output_format is not TableFormat.TABLE:
        write_records(records, output_format)
        return
    columns = ["id", "at", "kind", "article", "seq", "title"]
    rows = [
        [str(r["id"]), r["at"][:16].replace("T", " "), r["kind"], str(r["article"]), str(r["seq"]), r["title"]]
        for r in records
    ]
    if not console.stdout_is_terminal():
        write_plain(columns, rows)
    elif not rows:
        console.info("No events: nothing readers can see has changed in that time")
    else:
        console.print_table(columns, rows)


def _story(db: Any, ref: str) -> int:
    """A story by id or slug, or by its number alone once it is deleted for good (its events stay)."""
    from balita_cli.errors import NotFound
    from balita_cli.services import reading

    try:
        return reading.find_any(db, ref)
    except NotFound:
        number = ref.strip().removeprefix("#")
        if number.isdigit() and len(number) < 19:
            return int(number)
        raise


def register(typer_app: typer.Typer) -> None:
    typer_app.command("events")(events_command)
