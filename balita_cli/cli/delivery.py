"""What ``balita hooks`` and ``balita partner`` share: the secret's roads in, listing
destinations, a delivery run, the log and replays (the two groups differ only by kind)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.output import write_json, write_line, write_plain
from balita_cli.cli.state import AppState, app

if TYPE_CHECKING:
    from balita_cli.services.delivery.destinations import Destination

SECRET_ENV = "BALITA_WEBHOOK_SECRET"
NAMES = {"hook": "webhook", "partner": "partner"}


class TableFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="table for people; json, jsonl for scripts.")]
EventsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--events",
        metavar="KINDS",
        help="Event kinds, comma-separated: published, updated, corrected, retracted, unpublished, archived, "
        "deleted, restored, or all.",
        show_default=False,
    ),
]
SecretFileOpt = Annotated[
    str | None,
    typer.Option(
        "--secret-file",
        metavar="FILE",
        help=f"The whsec_ signing secret, read from FILE (- for standard input; else ${SECRET_ENV}; "
        "else one is made and printed once).",
        show_default=False,
    ),
]
PrivateOpt = Annotated[bool, typer.Option("--allow-private", help="Allow a receiver on a private or loopback address.")]


def secret(path: str | None) -> str | None:
    from balita_cli.services.delivery.destinations import read_secret

    return read_secret(path, os.environ.get(SECRET_ENV))


def show_made_secret(made: str, given: str | None) -> None:
    """A secret balita made is printed once, on stdout, for the receiver's side."""
    if given is None and made:
        write_line(made)
        console.info("The signing secret above is shown only now: give it to the receiver")


def listing(ctx: typer.Context, kind: str, output_format: TableFormat) -> None:
    from balita_cli.services.delivery import destinations

    state = app(ctx)
    _may_manage(state)
    with state.reading() as db:
        found = destinations.listing(db, kind)
        counts = destinations.counts(db, kind)
    records = [_record(destination, counts.get(destination.id, {}), state) for destination in found]
    if output_format is not TableFormat.TABLE:
        write_records(records, output_format)
        return
    columns = ["id", "name", "to", "events", "state", "pending", "delivered", "dead"]
    if kind == "hook":
        columns.remove("name")
    rows = [[_cell(record[column]) for column in columns] for record in records]
    if not console.stdout_is_terminal():
        write_plain(columns, rows)
    elif not rows:
        console.info(f"No {NAMES[kind]}s yet: balita {'hooks add URL' if kind == 'hook' else 'partner add NAME'}")
    else:
        console.print_table(columns, rows)


def _record(destination: Destination, counts: dict[str, int], state: AppState) -> dict[str, Any]:
    zone = state.settings.site.tz
    disabled = destination.disabled_at
    record: dict[str, Any] = {
        "id": destination.id,
        "name": destination.name,
        "to": destination.target,
        "format": destination.format,
        "events": [kind.value for kind in destination.events],
        "state": f"disabled: {destination.disabled_reason}" if disabled else "enabled",
        "signed": bool(destination.secret),
        "allow_private": destination.allow_private,
        "created_at": destination.created_at.astimezone(zone).isoformat(),
        "pending": counts.get("pending", 0),
        "delivered": counts.get("delivered", 0),
        "dead": counts.get("dead", 0),
    }
    if destination.kind == "partner":
        record["embargo_trusted"] = destination.embargo_trusted
    return record


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def write_records(records: Sequence[dict[str, Any]], output_format: TableFormat) -> None:
    if output_format is TableFormat.JSON:
        write_json(list(records))
        return
    from balita_cli.formats.streaming import json_line

    for record in records:
        sys.stdout.write(json_line(record))


def _may_manage(state: AppState) -> None:
    """Webhooks and partners are an editor's: refused up front on PostgreSQL (the tables refuse too)."""
    from balita_cli.services import permissions

    permissions.check(state.identity, permissions.Action.HOOKS)


def remove(ctx: typer.Context, kind: str, ref: str) -> None:
    from balita_cli.services.delivery import destinations

    found, waiting = app(ctx).write(lambda session: destinations.remove(session, kind, ref))
    left = f"; {console.counted(waiting, 'delivery')} still waiting dropped" if waiting else ""
    console.info(f"Removed {NAMES[kind]} {found.label} ({found.target}){left}")


def enable(ctx: typer.Context, kind: str, ref: str) -> None:
    from balita_cli.services.delivery import destinations

    found = app(ctx).write(lambda session: destinations.set_enabled(session, kind, ref, enabled=True))
    console.info(f"Enabled {NAMES[kind]} {found.label}: its waiting deliveries go with the next run")


def deliver(ctx: typer.Context, kind: str, output_format: TableFormat) -> None:
    from balita_cli.services.delivery import run

    state = app(ctx)
    _may_manage(state)
    report = run.deliver(state.reading, state.write, state.settings, kind)
    if report.busy:
        console.info(f"Another {NAMES[kind]} delivery run is going on: nothing to do here")
    if output_format is not TableFormat.TABLE:
        write_json(report.summary(state.settings.site.tz))
    else:
        _tell(report, kind, state)
    if report.dead or report.disabled:
        raise typer.Exit(1)


def _tell(report: Any, kind: str, state: AppState) -> None:
    from balita_cli.timeutil import human

    if report.busy:
        return
    for line in report.dead:
        console.warn(f"gave up: {line}")
    for label in report.disabled:
        console.warn(f"{NAMES[kind]} {label} answered 410 Gone and is disabled (balita {_group(kind)} enable {label})")
    for label in report.rested:
        console.warn(
            f"{NAMES[kind]} {label} did not answer or asked to slow down: its deliveries wait for the next run"
        )
    later = f"; next try {human(report.next_at, state.settings.site.tz)}" if report.next_at and report.waiting else ""
    console.info(
        f"Delivered {report.delivered}, {report.retrying} to try again, {len(report.dead)} given up; "
        f"{report.waiting} waiting{later}"
    )


def _group(kind: str) -> str:
    return "hooks" if kind == "hook" else "partner"


def log(
    ctx: typer.Context,
    kind: str,
    *,
    destination: str | None,
    state_name: str | None,
    event: str | None,
    limit: int,
    output_format: TableFormat,
) -> None:
    from balita_cli.errors import UsageError
    from balita_cli.services.delivery import queue

    if state_name is not None and state_name not in queue.STATES:
        raise UsageError(f"--state is one of {', '.join(queue.STATES)}, not {state_name[:40]!r}")
    state = app(ctx)
    _may_manage(state)
    with state.reading() as db:
        entries = queue.log(db, kind, destination=destination, state=state_name, event=event, limit=limit)
    zone = state.settings.site.tz
    records = [entry.as_dict(zone) for entry in entries]
    if output_format is not TableFormat.TABLE:
        write_records(records, output_format)
        return
    columns = ["event", "kind", "article", "seq", "destination", "state", "attempts", "last status", "last error"]
    keys = ["event", "kind", "article", "seq", "destination", "state", "attempts", "last_status", "last_error"]
    rows = [[_cell(record[key]) for key in keys] for record in records]
    if not console.stdout_is_terminal():
        write_plain(columns, rows)
    elif not rows:
        console.info("No deliveries yet")
    else:
        console.print_table(columns, rows)


def replay(ctx: typer.Context, kind: str, event: str, destination: str | None) -> None:
    from balita_cli.services.delivery import queue

    names = app(ctx).write(lambda session: queue.replay(session, kind, event, destination))
    console.info(f"{event} will go again to {', '.join(names)} with the next balita {_group(kind)} deliver")
