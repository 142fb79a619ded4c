"""``balita partner add|list|remove|enable|deliver|log|replay``: partners who take the newsroom's
stories in their format, to a folder or a URL, fed by the outbox."""

from __future__ import annotations

from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli import delivery
from balita_cli.cli.delivery import EventsOpt, FormatOpt, PrivateOpt, SecretFileOpt, TableFormat
from balita_cli.cli.state import app

sub = typer.Typer(no_args_is_help=True, help="Partners: each story in their format, to a folder, a URL or a bucket.")
KIND = "partner"
PartnerRef = Annotated[str, typer.Argument(metavar="NAME", help="The partner's name.", show_default=False)]


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Who the partner is.", show_default=False)],
    *,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="TARGET",
            help="A folder, an http(s) URL (ending in / for one URL a file), or s3://bucket/prefix.",
        ),
    ],
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="What they take: ninjs.")] = "ninjs",
    events: EventsOpt = None,
    secret_file: SecretFileOpt = None,
    embargo_trusted: Annotated[
        bool, typer.Option("--embargo-trusted", help="May receive stories before their embargo lifts.")
    ] = False,
    allow_private: PrivateOpt = False,
) -> None:
    """Send stories to a partner from now on: published, corrected, and a cancel notice when one
    is retracted, unpublished or deleted (unless --events says otherwise).

    Example: balita partner add "Manila Wire" --format ninjs --to https://wire.example.ph/incoming/   |
    balita partner add "Luzon Network" --to s3://luzon-inbox/balita/
    """
    from balita_cli.services.delivery import destinations
    from balita_cli.services.delivery.destinations import PartnerSettings

    kinds = destinations.event_kinds(events, destinations.PARTNER_EVENTS)
    given = delivery.secret(secret_file)
    partner = PartnerSettings(name, output_format.strip().lower(), to, kinds, given, allow_private, embargo_trusted)
    state = app(ctx)
    root = state.settings.root
    number, secret = state.write(lambda session: destinations.add_partner(session, partner, root=root, who=state.who))
    delivery.show_made_secret(secret, given)
    console.info(f"Added partner {name} ({number}): {output_format} to {to}")


def list_partners(ctx: typer.Context, *, output_format: FormatOpt = TableFormat.TABLE) -> None:
    """List the partners: where, which format and events, their deliveries by state.

    Example: balita partner list
    """
    delivery.listing(ctx, KIND, output_format)


def remove(ctx: typer.Context, ref: PartnerRef) -> None:
    """Stop sending to a partner; its deliveries, done or waiting, go with it.

    Example: balita partner remove "Manila Wire"
    """
    delivery.remove(ctx, KIND, ref)


def enable(ctx: typer.Context, ref: PartnerRef) -> None:
    """Send to a partner again after its URL answered 410 Gone.

    Example: balita partner enable "Manila Wire"
    """
    delivery.enable(ctx, KIND, ref)


def deliver(ctx: typer.Context, *, output_format: FormatOpt = TableFormat.TABLE) -> None:
    """Send what is due to the partners, again until nothing is due; for cron.

    Files are written whole into a partner's folder (a temporary name, then renamed); a URL gets
    each file by PUT, signed as webhooks are; a bucket, as an object under the prefix. Failed
    tries are made again later, as for webhooks. Exits 1 when a delivery was given up or a
    partner disabled.

    Example: balita partner deliver   |   cron: * * * * * cd /srv/balita && balita -q partner deliver
    """
    delivery.deliver(ctx, KIND, output_format)


def log(
    ctx: typer.Context,
    *,
    partner: Annotated[str | None, typer.Option("--partner", metavar="NAME", help="Only this partner's.")] = None,
    state: Annotated[str | None, typer.Option("--state", metavar="STATE", help="pending, delivered or dead.")] = None,
    event: Annotated[str | None, typer.Option("--event", metavar="EVENT", help="Only this event's.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100_000, help="At most this many.")] = 50,
    output_format: FormatOpt = TableFormat.TABLE,
) -> None:
    """Show deliveries to partners, newest event first.

    Example: balita partner log --partner "Manila Wire"
    """
    delivery.log(
        ctx, KIND, destination=partner, state_name=state, event=event, limit=limit, output_format=output_format
    )


def replay(
    ctx: typer.Context,
    event: Annotated[
        str,
        typer.Argument(metavar="EVENT", help="The event: its number or evt_… id (balita events).", show_default=False),
    ],
    *,
    partner: Annotated[str | None, typer.Option("--partner", metavar="NAME", help="Only to this partner.")] = None,
) -> None:
    """Send a story's event to partners again with the next partner deliver.

    Example: balita partner replay 1042 --partner "Manila Wire"
    """
    delivery.replay(ctx, KIND, event, partner)


def register(typer_app: typer.Typer) -> None:
    sub.command("add")(add)
    sub.command("list")(list_partners)
    sub.command("remove")(remove)
    sub.command("enable")(enable)
    sub.command("deliver")(deliver)
    sub.command("log")(log)
    sub.command("replay")(replay)
    typer_app.add_typer(
        sub,
        name="partner",
        help="Partners who take your stories (ninjs to a folder, URL or bucket): add, list, deliver…",
    )
