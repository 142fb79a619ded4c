"""``balita hooks add|list|remove|enable|deliver|log|replay``: webhooks, signed the Standard
Webhooks way, fed by the outbox."""

from __future__ import annotations

from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli import delivery
from balita_cli.cli.delivery import EventsOpt, FormatOpt, PrivateOpt, SecretFileOpt, TableFormat
from balita_cli.cli.state import app

sub = typer.Typer(no_args_is_help=True, help="Webhooks: each event, signed, POSTed to a URL.")
KIND = "hook"
HookRef = Annotated[str, typer.Argument(metavar="ID", help="The webhook's number (hooks list).", show_default=False)]


def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL", help="The receiver: an http(s) URL.", show_default=False)],
    *,
    events: EventsOpt = None,
    secret_file: SecretFileOpt = None,
    allow_private: PrivateOpt = False,
) -> None:
    """Send events to a URL from now on (every kind unless --events says which).

    Example: balita hooks add https://example.ph/hooks/balita --events published,corrected,retracted --secret-file s.txt
    """
    from balita_cli.services.delivery import destinations

    kinds = destinations.event_kinds(events, destinations.ALL_EVENTS)
    given = delivery.secret(secret_file)
    state = app(ctx)
    number, secret = state.write(
        lambda session: destinations.add_hook(session, url, kinds, given, allow_private=allow_private, who=state.who)
    )
    delivery.show_made_secret(secret, given)
    console.info(f"Added webhook {number}: {', '.join(kind.value for kind in kinds)} events to {url}")


def list_hooks(ctx: typer.Context, *, output_format: FormatOpt = TableFormat.TABLE) -> None:
    """List the webhooks: where, which events, and their deliveries by state (never the secret).

    Example: balita hooks list --format json
    """
    delivery.listing(ctx, KIND, output_format)


def remove(ctx: typer.Context, ref: HookRef) -> None:
    """Stop sending to a webhook; its deliveries, done or waiting, go with it.

    Example: balita hooks remove 3
    """
    delivery.remove(ctx, KIND, ref)


def enable(ctx: typer.Context, ref: HookRef) -> None:
    """Send to a webhook again after it answered 410 Gone.

    Example: balita hooks enable 3
    """
    delivery.enable(ctx, KIND, ref)


def deliver(ctx: typer.Context, *, output_format: FormatOpt = TableFormat.TABLE) -> None:
    """Send what is due to the webhooks, again until nothing is due; for cron.

    A failed try is made again later (30 s, doubling up to 12 h, with some randomness; [delivery]
    in balita.toml); after the last one the delivery is dead (hooks log --state dead, hooks replay).
    One run at a time: another started meanwhile does nothing. Exits 1 when a delivery was given
    up or a webhook disabled.

    Example: balita hooks deliver   |   cron: * * * * * cd /srv/balita && balita -q hooks deliver
    """
    delivery.deliver(ctx, KIND, output_format)


def log(
    ctx: typer.Context,
    *,
    hook: Annotated[str | None, typer.Option("--hook", metavar="ID", help="Only this webhook's.")] = None,
    state: Annotated[str | None, typer.Option("--state", metavar="STATE", help="pending, delivered or dead.")] = None,
    event: Annotated[str | None, typer.Option("--event", metavar="EVENT", help="Only this event's.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100_000, help="At most this many.")] = 50,
    output_format: FormatOpt = TableFormat.TABLE,
) -> None:
    """Show deliveries, newest event first: tries, the last answer, what failed.

    Example: balita hooks log --state dead
    """
    delivery.log(ctx, KIND, destination=hook, state_name=state, event=event, limit=limit, output_format=output_format)


def replay(
    ctx: typer.Context,
    event: Annotated[
        str,
        typer.Argument(metavar="EVENT", help="The event: its number or evt_… id (balita events).", show_default=False),
    ],
    *,
    hook: Annotated[str | None, typer.Option("--hook", metavar="ID", help="Only to this webhook.")] = None,
) -> None:
    """Send an event again, with its own webhook-id, with the next hooks deliver.

    Example: balita hooks replay 1042 --hook 3
    """
    delivery.replay(ctx, KIND, event, hook)


def register(typer_app: typer.Typer) -> None:
    sub.command("add")(add)
    sub.command("list")(list_hooks)
    sub.command("remove")(remove)
    sub.command("enable")(enable)
    sub.command("deliver")(deliver)
    sub.command("log")(log)
    sub.command("replay")(replay)
    typer_app.add_typer(
        sub, name="hooks", help="Webhooks fed by every change readers see: add, list, remove, deliver, log, replay."
    )
