"""``balita newsletter``: mailing lists, their subscribers, and the digest sent to them by mail."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.delivery import FormatOpt, TableFormat, write_records
from balita_cli.cli.output import write_json, write_line, write_plain
from balita_cli.cli.state import AppState, app
from balita_cli.errors import InvalidInput

if TYPE_CHECKING:
    from balita_cli.services.newsletter.sending import SendReport

PASSWORD_ENV = "BALITA_SMTP_PASSWORD"
MAX_PASSWORD_FILE = 4096

sub = typer.Typer(no_args_is_help=True, help="Newsletters: lists, subscribers, and the digest sent by mail.")
lists_app = typer.Typer(no_args_is_help=True, help="Mailing lists: add, list, remove.")
people_app = typer.Typer(no_args_is_help=True, help="A list's subscribers: add, import, list, remove.")
ListName = Annotated[str, typer.Argument(metavar="LIST", help="The list's name (newsletter list list).")]
Token = Annotated[str, typer.Argument(metavar="TOKEN", help="The token from the link in the mail.")]
Address = Annotated[str, typer.Argument(metavar="EMAIL", help="The subscriber's e-mail address.")]


def _may_manage(state: AppState) -> None:
    """Lists and addresses are an editor's: refused up front on PostgreSQL (the tables refuse too)."""
    from balita_cli.services import permissions

    permissions.check(state.identity, permissions.Action.NEWSLETTER)


def _show(columns: list[str], records: list[dict[str, Any]], output_format: TableFormat, empty: str) -> None:
    if output_format is not TableFormat.TABLE:
        write_records(records, output_format)
        return
    rows = [["" if record[column] is None else str(record[column]) for column in columns] for record in records]
    if not console.stdout_is_terminal():
        write_plain(columns, rows)
    elif not rows:
        console.info(empty)
    else:
        console.print_table(columns, rows)


# ---------------------------------------------------------------- lists


def list_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="A short name: letters, digits, - _ .")],
    *,
    title: Annotated[str, typer.Option("--title", help="The list's name in the mail (default: NAME).")] = "",
    language: Annotated[str, typer.Option("--lang", help="The language of the mail's words: en or fil.")] = "en",
    section: Annotated[str, typer.Option("--section", help="Only this section's stories (default: all).")] = "",
) -> None:
    """Make a mailing list.

    Example: balita newsletter list add araw-araw --title "Balita Araw-araw" --lang fil
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    made = state.write(
        lambda session: subscribers.add_list(
            session, name, title=title, language=language, section=section, who=state.who
        )
    )
    console.info(f"Added list {made.name} ({made.title}, {made.language})")


def list_list(ctx: typer.Context, *, output_format: FormatOpt = TableFormat.TABLE) -> None:
    """Show the lists and their subscribers by state.

    Example: balita newsletter list list --format json
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    with state.session() as session:
        found = subscribers.lists(session)
    records = [
        {"name": item.name, "title": item.title, "language": item.language, "section": item.section, **item.counts}
        for item in found
    ]
    columns = ["name", "title", "language", "section", "confirmed", "pending", "unsubscribed"]
    _show(columns, records, output_format, "No lists yet: balita newsletter list add NAME")


def list_remove(
    ctx: typer.Context,
    name: ListName,
    *,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a list with its subscribers and its send log.

    Example: balita newsletter list remove araw-araw --yes
    """
    from balita_cli.cli.output import confirm_or_abort
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    confirm_or_abort(f"Remove the list {name[:80]} and every address on it?", yes)
    count = state.write(lambda session: subscribers.remove_list(session, name))
    console.info(f"Removed list {name.strip().lower()} and {console.counted(count, 'subscriber')}")


# ---------------------------------------------------------------- subscribers


def people_add(
    ctx: typer.Context,
    list_name: ListName,
    email: Address,
    *,
    name: Annotated[str, typer.Option("--name", help="The subscriber's name.")] = "",
    confirmed: Annotated[
        bool, typer.Option("--confirmed", help="They already confirmed elsewhere: no double opt-in.")
    ] = False,
) -> None:
    """Add an address, waiting for its owner to confirm (the confirmation link is printed).

    Example: balita newsletter subscribers add daily ana@example.ph --name "Ana Reyes"
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    made, token = state.write(
        lambda session: subscribers.add_subscriber(session, list_name, email, name=name, confirmed=confirmed)
    )
    if confirmed:
        console.info(f"Added {made.email} to {list_name.strip().lower()}, confirmed")
        return
    base = state.settings.site.base_url.rstrip("/")
    write_line(token)
    console.info(
        f"Added {made.email}, waiting for confirmation: send them {base}/newsletter/confirm?token={token} "
        "(or run balita newsletter confirm TOKEN)"
    )


def people_import(
    ctx: typer.Context,
    list_name: ListName,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV file: email[,name], a header row optional.")],
    *,
    confirmed: Annotated[
        bool,
        typer.Option("--confirmed", help="Every address in the file already confirmed (say so only when true)."),
    ] = False,
) -> None:
    """Add the addresses of a CSV file (one bad row and nothing is added); addresses already on
    the list are left as they are.

    Example: balita newsletter subscribers import csv daily readers.csv --confirmed
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}") from None
    rows = subscribers.read_csv(data)
    done = state.write(lambda session: subscribers.import_rows(session, list_name, rows, confirmed=confirmed))
    waiting = "" if confirmed else " (waiting for confirmation)"
    console.info(f"Imported {console.counted(done.added, 'subscriber')}{waiting}; {done.already} already on the list")


def people_list(
    ctx: typer.Context,
    list_name: ListName,
    *,
    state_name: Annotated[
        str | None, typer.Option("--state", help="Only pending, confirmed or unsubscribed.", show_default=False)
    ] = None,
    output_format: FormatOpt = TableFormat.TABLE,
) -> None:
    """Show a list's subscribers (never their tokens).

    Example: balita newsletter subscribers list daily --state confirmed --format jsonl
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    zone = state.settings.site.tz
    with state.session() as session:
        found = subscribers.subscribers(session, list_name, state_name)
    records = [
        {
            "id": person.id,
            "email": person.email,
            "name": person.name,
            "state": person.state,
            "created_at": person.created_at.astimezone(zone).isoformat(),
            "confirmed_at": person.confirmed_at.astimezone(zone).isoformat() if person.confirmed_at else None,
        }
        for person in found
    ]
    _show(["id", "email", "name", "state", "created_at"], records, output_format, "Nobody on this list yet")


def people_remove(ctx: typer.Context, list_name: ListName, email: Address) -> None:
    """Forget an address altogether, with its send log (to unsubscribe, use the token).

    Example: balita newsletter subscribers remove daily ana@example.ph
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    address = state.write(lambda session: subscribers.remove_subscriber(session, list_name, email))
    console.info(f"Removed {address} from {list_name.strip().lower()}")


# ---------------------------------------------------------------- tokens


def confirm(ctx: typer.Context, token: Token) -> None:
    """Confirm a subscription with the token of its confirmation link.

    Example: balita newsletter confirm 42.Jx3…
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    done = state.write(lambda session: subscribers.confirm(session, token))
    console.info(f"{done.email} is confirmed on {done.list_name}")


def unsubscribe(ctx: typer.Context, token: Token) -> None:
    """Take an address off its list with the token of its unsubscribe link (mailto requests carry it
    in their subject).

    Example: balita newsletter unsubscribe 42.Qm9…
    """
    from balita_cli.services.newsletter import subscribers

    state = app(ctx)
    _may_manage(state)
    done = state.write(lambda session: subscribers.unsubscribe(session, token))
    console.info(f"{done.email} is unsubscribed from {done.list_name}")


# ---------------------------------------------------------------- sending


def _password(state: AppState) -> str | None:
    """The SMTP password: [smtp] credentials_file, else $BALITA_SMTP_PASSWORD (never a flag)."""
    named = state.settings.smtp.credentials_file
    if named:
        path = state.settings.resolve_path(named)
        try:
            with path.open(encoding="utf-8") as handle:
                text = handle.read(MAX_PASSWORD_FILE)
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read [smtp] credentials_file {path}: {getattr(exc, 'strerror', exc)}") from None
        password = text.strip("\r\n")
        if not password:
            raise InvalidInput(f"[smtp] credentials_file {path} is empty")
        return password
    return os.environ.get(PASSWORD_ENV) or None


def _rate(text: str | None, default: int) -> float:
    if text is None:
        return float(default)
    number = text.strip().lower().removesuffix("/s")
    try:
        rate = float(number)
    except ValueError:
        raise InvalidInput(f"--rate is messages a second, like 10/s, not {text[:20]!r}") from None
    if not 0 <= rate <= 10_000 or rate != rate:
        raise InvalidInput(f"--rate is between 0 (no limit) and 10000/s, not {text[:20]!r}")
    return rate


def send(
    ctx: typer.Context,
    list_name: ListName,
    *,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="WHEN",
            help="Stories published since then ('yesterday 06:00'); default: since the list's last issue.",
            show_default=False,
        ),
    ] = None,
    section: Annotated[str, typer.Option("--section", help="Only this section's stories.")] = "",
    language: Annotated[str, typer.Option("--lang", help="Only stories in this language (en, fil).")] = "",
    rate: Annotated[
        str | None, typer.Option("--rate", metavar="N/s", help="At most N messages a second ([newsletter] rate).")
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            "--preview", metavar="DIR", help="Write the messages as .eml (and .html, .txt) files; send nothing."
        ),
    ] = None,
    resend_uncertain: Annotated[
        bool,
        typer.Option(
            "--resend-uncertain",
            help="Send again the messages a killed run was handing over (they may have gone): the latest issue's.",
        ),
    ] = False,
    output_format: FormatOpt = TableFormat.TABLE,
) -> None:
    """Mail the digest to every confirmed subscriber of a list: the stories published since
    --since (a story other outlets reported too, with "Also reported by"), and the corrections and
    retractions since the list's last issue, as plain text and HTML, in the list's language.

    Run again after a failure or a kill, it resumes the same issue: nobody gets it twice. Exits 1
    when the server refused a message or went away (the rerun tries those again).

    Example: balita newsletter send daily --since "yesterday 06:00"   |   cron: balita -q newsletter send daily
    """
    from balita_cli.services.newsletter import sending
    from balita_cli.timeutil import parse_when

    state = app(ctx)
    _may_manage(state)
    settings = state.settings
    request = sending.Request(
        list_name=list_name,
        since=parse_when(since, settings.site.tz) if since else None,
        section=section.strip(),
        language=language.strip().lower(),
        rate=_rate(rate, settings.newsletter.rate),
        resend_uncertain=resend_uncertain,
    )
    if preview is not None:
        written = sending.preview(state.reading, settings, request, preview)
        console.info(f"Wrote {console.counted(len(written), 'file')} to {preview}: nothing was sent")
        return
    password = _password(state)
    report = sending.send(
        state.reading, state.write, state.engine(), settings, request, password=password, who=state.who
    )
    if output_format is not TableFormat.TABLE:
        write_json(report.summary())
    else:
        _tell(report, list_name)
    if not report.complete and not report.busy:
        raise typer.Exit(1)


def _tell(report: SendReport, list_name: str) -> None:
    if report.busy:
        console.info(f"Another send of {list_name} is going on: nothing to do here")
        return
    if report.empty:
        console.info("Nothing was published, corrected or retracted in that time: no issue, nothing sent")
        return
    for line in report.failed:
        console.warn(f"not sent (will be tried again): {line}")
    for line in report.rejected:
        console.warn(f"refused for good: {line}")
    if report.stopped:
        console.warn(f"stopped: {report.stopped}; run the same command again to go on")
    if report.uncertain:
        console.warn(
            f"{console.counted(report.uncertain, 'message')} were being handed over when an earlier run stopped: "
            "most likely sent (--resend-uncertain sends them again)"
        )
    resumed = " (resumed)" if report.resumed else ""
    console.info(
        f"Issue {report.issue}{resumed}: {report.stories} {'story' if report.stories == 1 else 'stories'}, "
        f"{console.counted(report.notices, 'notice')}; sent {report.sent}, {report.already} had it already, "
        f"{len(report.failed)} failed, {len(report.rejected)} refused"
    )


def serve_endpoint(
    ctx: typer.Context,
    *,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (behind the site's web server).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0: any free port).")] = 8025,
) -> None:
    """Serve the unsubscribe and confirm endpoint (one-click unsubscribing, RFC 8058) with the
    standard library's server; for more traffic run balita_cli.wsgi.newsletter:app under gunicorn.

    Example: balita newsletter serve --port 8025   (proxy <base_url>/newsletter/ to it)
    """
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from balita_cli.wsgi.newsletter import Endpoint

    state = app(ctx)
    endpoint = Endpoint(site_option=state.site_option, db_option=state.db_option)

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the standard library's name)
            return  # tokens are in the URLs: they are not written to the terminal

    with make_server(host, port, endpoint, handler_class=Quiet) as server:
        console.info(f"Newsletter endpoint on http://{host}:{server.server_port}/newsletter/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.info("Stopped")


def register(typer_app: typer.Typer) -> None:
    lists_app.command("add")(list_add)
    lists_app.command("list")(list_list)
    lists_app.command("remove")(list_remove)
    people_app.command("add")(people_add)
    imports = typer.Typer(no_args_is_help=True, help="Import addresses from a file.")
    imports.command("csv")(people_import)
    people_app.add_typer(imports, name="import", help="Import addresses from a file: csv.")
    people_app.command("list")(people_list)
    people_app.command("remove")(people_remove)
    sub.add_typer(lists_app, name="list", help="Mailing lists: add, list, remove.")
    sub.add_typer(people_app, name="subscribers", help="A list's subscribers: add, import csv, list, remove.")
    sub.command("send")(send)
    sub.command("confirm")(confirm)
    sub.command("unsubscribe")(unsubscribe)
    sub.command("serve")(serve_endpoint)
    typer_app.add_typer(
        sub, name="newsletter", help="Newsletters: lists, subscribers (double opt-in), the digest sent by mail."
    )
