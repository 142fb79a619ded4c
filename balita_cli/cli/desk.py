"""``balita fetch`` and ``balita review``: the aggregator desk's two commands.

``fetch`` is what cron runs every few minutes: it polls the sources that are due and files
what is new. ``review`` lists what came in since the desk last looked; ``review accept`` and
``review reject`` move stories on, many at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_section, complete_source
from balita_cli.cli.options import ArticleRefs
from balita_cli.cli.output import write_json, write_line, write_plain
from balita_cli.cli.state import app
from balita_cli.timeutil import human, parse_when, relative_words, utcnow

if TYPE_CHECKING:
    from balita_cli.services.desk.review import Waiting
    from balita_cli.services.desk.runs import FetchReport, SourceRun


class ReportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOpt = Annotated[
    ReportFormat, typer.Option("--format", "-f", help="table for people, json (on stdout) for scripts.")
]


def fetch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[NAME...]",
            help="Sources to fetch now, even when paused or not due.",
            show_default=False,
            autocompletion=complete_source,
        ),
    ] = None,
    *,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show how each new entry scored against the recent stories.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", metavar="SECONDS", min=0.1, max=600, help="Per feed, everything included (30)."),
    ] = None,
    output_format: FormatOpt = ReportFormat.TABLE,
) -> None:
    """Fetch the feeds that are due (or those named) and file what is new; for cron.

    A story that other outlets already carry is filed under it ("Also reported by") instead of
    as a new one. A feed that fails is tried again later (15 minutes, doubling up to a day); the
    others go on. Exits 1 when any feed failed.

    Example: balita fetch --explain   |   cron: */5 * * * * cd /srv/balita && balita -q fetch
    """
    from balita_cli.services.desk import fetching as desk  # here: --help imports every command module
    from balita_cli.services.desk import poll_state
    from balita_cli.services.desk.runs import FetchRequest

    state = app(ctx)
    request = FetchRequest(tuple(names or ()), explain, timeout, state.who)
    url = state.settings.require_database()
    report = desk.fetch(state.reading, state.write, lambda: poll_state.writing(url), state.settings, request)
    _report(report, output_format, explain=explain)
    if report.failed:
        raise typer.Exit(1)


def _report(report: FetchReport, output_format: ReportFormat, *, explain: bool) -> None:
    for run in report.failed:
        console.error(f"{run.name}: {run.reason}")
    for run in report.runs:
        for problem in run.problems:
            console.warn(problem)
    if output_format is ReportFormat.JSON:
        write_json([run.as_dict(explain=explain) for run in report.runs])
        return
    if not report.runs:
        upcoming = report.next_source
        if upcoming is None:
            console.info("No sources to fetch: add one with balita source add NAME URL")
        elif upcoming["next_due_at"]:
            when = relative_words(datetime.fromisoformat(upcoming["next_due_at"]))
            console.info(f"Nothing due; next: {upcoming['name']} {when}")
        return
    if explain:
        for run in report.runs:
            _explain(run)
    now = utcnow()
    rows = [
        (
            run.name,
            run.result,
            str(len(run.created)),
            str(run.related),
            str(run.duplicates),
            str(run.skipped),
            relative_words(run.next_due_at, now=now) if run.next_due_at else "",
        )
        for run in report.runs
    ]
    header = ("source", "result", "created", "related", "repeated", "skipped", "next")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    console.info("fetch")
    for row in [header, *rows]:
        cells = [cell.rjust(widths[i]) if 2 <= i <= 5 else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        console.info(("  " + "  ".join(cells)).rstrip())


def _explain(run: SourceRun) -> None:
    """One block per new entry: what became of it, and the stories it came closest to."""
    for item in run.explained:
        target = f" #{item.story_id}" if item.story_id is not None else ""
        write_line(console.plain_text(f"{run.name}: {item.title}  ->  {item.decision}{target}"))
        if item.decision == "duplicate":
            write_line("    (the title of a story of this source: noted with it)")
        elif not item.candidates:
            write_line("    (no recent story came close)")
        for candidate in item.candidates:
            notes = [
                note
                for flag, note in ((candidate.figures_differ, "figures differ"), (candidate.same_source, "same source"))
                if flag
            ]
            extra = f"  ({', '.join(notes)})" if notes else ""
            write_line(
                console.plain_text(f"    {candidate.score:.3f}  #{candidate.story_id}  {candidate.title}{extra}")
            )


# ---------------------------------------------------------------- review

review_app = typer.Typer(invoke_without_command=True)


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    *,
    since: Annotated[
        str | None, typer.Option("--since", metavar="TIME", help="Came in after this time (default: the last look).")
    ] = None,
    waiting: Annotated[bool, typer.Option("--all", help="Every story still in review, whenever it came.")] = False,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="NAME", help="Only from this source (repeatable).", autocompletion=complete_source
        ),
    ] = None,
    peek: Annotated[bool, typer.Option("--peek", help="Do not move the mark of the last look.")] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", min=1, max=100_000, help="At most this many.")
    ] = 500,
    output_format: FormatOpt = ReportFormat.TABLE,
) -> None:
    """List what came in from the sources since the desk last looked: newest first, by source,
    with how many outlets carry each story. Then remembers this look (unless --peek).

    Example: balita review   |   balita review accept 12 14 --publish   |   balita review reject 13 -m "off-topic"
    """
    if ctx.invoked_subcommand is not None:
        return
    from balita_cli.services.desk import poll_state, sources  # here: --help imports every command module
    from balita_cli.services.desk import review as desk_review

    state = app(ctx)
    zone, now = state.settings.site.tz, utcnow()
    with state.reading() as db:
        ids = [int(found["id"]) for found in sources.find_many(db, source or ())]
        start = None if waiting else parse_when(since, zone) if since else desk_review.last_review(db) or now - _WINDOW
        queue = desk_review.review_queue(db, since=start, waiting_only=waiting, source_ids=ids, limit=limit)
    _show_queue(queue, output_format, start, zone, now)
    if not peek:
        with poll_state.writing(state.settings.require_database()) as db:
            desk_review.mark_reviewed(db, now)


_WINDOW = timedelta(hours=48)  # what a desk that never looked sees first
QUEUE_FIELDS = ("source", "id", "status", "came in", "outlets", "title")


def _show_queue(
    queue: list[Waiting], output_format: ReportFormat, start: datetime | None, zone: Any, now: datetime
) -> None:

    if output_format is ReportFormat.JSON:
        write_json([item.as_dict() for item in queue])
        return
    since = f"since {human(start, zone)}" if start else "waiting for review"
    console.info(f"{len(queue)} {'story' if len(queue) == 1 else 'stories'} {since}")
    rows = [
        [
            item.source,
            str(item.id),
            item.status,
            relative_words(item.created_at, now=now) if item.created_at else "",
            str(item.outlets) + (f" ({', '.join(item.also)})" if item.also else ""),
            item.title,
        ]
        for item in queue
    ]
    if not console.stdout_is_terminal():
        write_plain(list(QUEUE_FIELDS), rows)
    elif rows:
        console.print_table(list(QUEUE_FIELDS), rows)


def accept(
    ctx: typer.Context,
    refs: ArticleRefs,
    *,
    section: Annotated[
        str | None,
        typer.Option("--section", metavar="NAME", help="File them in this section.", autocompletion=complete_section),
    ] = None,
    publish: Annotated[bool, typer.Option("--publish", help="Publish them now (else they become drafts).")] = False,
) -> None:
    """Take stories out of the review queue: into drafts, or published at once. All or none.

    Example: balita review accept 12 14 --section Nation --publish
    """
    from balita_cli.services.desk import review as desk_review  # here: --help imports every command module

    state = app(ctx)
    who = state.who
    ids = state.write(lambda session: desk_review.accept(session, refs, section=section, publish=publish, who=who))
    console.info(f"{'Published' if publish else 'Accepted'} {', '.join(f'#{i}' for i in ids)}")


def reject(
    ctx: typer.Context,
    refs: ArticleRefs,
    *,
    note: Annotated[str, typer.Option("--message", "-m", metavar="TEXT", help="Why, for the history.")] = "",
) -> None:
    """Reject stories: to the trash, with a note; a later fetch does not bring them back.

    Example: balita review reject 13 15 -m "not our beat"
    """
    from balita_cli.services.desk import review as desk_review  # here: --help imports every command module

    state = app(ctx)
    who = state.who
    ids = state.write(lambda session: desk_review.reject(session, refs, note=note, who=who))
    console.info(f"Rejected {', '.join(f'#{i}' for i in ids)} (in the trash: balita restore brings one back)")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("fetch")(fetch)
    review_app.command("accept")(accept)
    review_app.command("reject")(reject)
    typer_app.add_typer(review_app, name="review")
