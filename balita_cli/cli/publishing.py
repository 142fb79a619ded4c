"""submit, publish (now, at a time, or whatever is due), unpublish and archive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_article
from balita_cli.cli.options import REF_HELP, ArticleRefs
from balita_cli.cli.output import write_line
from balita_cli.cli.state import AppState, app
from balita_cli.errors import UsageError
from balita_cli.records import Record
from balita_cli.timeutil import human, parse_when

Action = Callable[[Any, int, str], int]


def publish(
    ctx: typer.Context,
    refs: Annotated[
        list[str] | None,
        typer.Argument(metavar="[ARTICLE...]", help=REF_HELP, show_default=False, autocompletion=complete_article),
    ] = None,
    *,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="TIME", help="Schedule for this time instead of now (a past time needs --backdate)."
        ),
    ] = None,
    backdate: Annotated[
        bool, typer.Option("--backdate", help="With a past --at: publish now, dated then, on purpose.")
    ] = False,
    due: Annotated[
        bool, typer.Option("--due", help="Publish what is due and archive what has expired (for cron).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Publish even when the lead photo has no alt text (with a warning).")
    ] = False,
) -> None:
    """Publish articles now or at a time; with --due, run the schedule.

    A story whose lead photo has no alt text is refused (add it with `balita media edit ID --alt`).
    A past --at is refused unless --backdate says the story is to carry that date.

    Example: balita publish 12 13 --at "2027-06-01 08:00"   |   cron: */5 * * * * balita publish --due
    """
    from balita_cli.services import publishing  # here: --help imports every command module

    state = app(ctx)
    zone = state.settings.site.tz
    if due:
        return run_due(state, refs, at, backdate)
    if not refs:
        raise UsageError("name the articles to publish, or use --due")
    if backdate and not at:
        raise UsageError("--backdate goes with --at TIME, the date the story is to carry")
    when = parse_when(at, zone) if at else None

    def go_out(session: Any, article_id: int, who: str) -> int:
        return publishing.publish(session, article_id, at=when, who=who, force=force, backdate=backdate)

    changed = each_article(state, refs, go_out)
    for record in changed:
        if (record.get("photo") or {}).get("id") and not str(record["photo"].get("alt") or "").strip():
            console.warn(f"article {record['id']} goes out with photo {record['photo']['id']}, which has no alt text")
        if record["status"] == "scheduled":
            console.info(f"Scheduled {record['id']} ({record['slug']}) for {human_time(record['scheduled_at'], zone)}")
        else:
            console.info(f"Published {record['id']} ({record['slug']})")


def human_time(value: str, zone: Any) -> str:
    return human(datetime.fromisoformat(value), zone)


def run_due(state: AppState, refs: list[str] | None, at: str | None, backdate: bool) -> None:
    """What cron runs: a run that finds another run already did the work says so and exits 0."""
    from balita_cli.services import publishing  # here: --help imports every command module

    if refs or at or backdate:
        raise UsageError("--due takes no articles, no --at and no --backdate")
    who = state.who
    run = state.write(lambda session: publishing.run_due(session, who=who))
    slugs = articles_slugs(state, [*run.published, *run.expired])
    for label, ids in (("published", run.published), ("expired", run.expired)):
        for article_id in ids:
            write_line(f"{label}\t{article_id}\t{slugs.get(article_id, '')}")
    for article_id, photo_id in run.missing_alt:  # published all the same: a schedule never gets stuck
        console.warn(
            f"article {article_id} ({slugs.get(article_id, '')}) was published on schedule; "
            f'its photo {photo_id} has no alt text: balita media edit {photo_id} --alt "…"'
        )
    console.info(f"{len(run.published)} published, {len(run.expired)} expired")


def articles_slugs(state: AppState, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    with state.reading() as db:
        sql, params = db.in_list("id", ids)
        return {int(row[0]): str(row[1]) for row in db.rows(f"SELECT id, slug FROM article WHERE {sql}", params)}


def each_article(state: AppState, refs: list[str], action: Action) -> list[Record]:
    """Apply ``action`` to every named article in one transaction (all of them change, or none),
    and read the results back in it."""
    from balita_cli.db.dbapi import Database  # here: --help imports every command module
    from balita_cli.services import articles, reading

    who, base_url = state.who, state.settings.site.base_url

    def run(session: Any) -> list[Record]:
        ids = [articles.resolve(session, ref) for ref in refs]
        for article_id in ids:
            action(session, article_id, who)
        return reading.records_for(Database.of_session(session), ids, base_url)

    return state.write(run)


def submit(ctx: typer.Context, refs: ArticleRefs) -> None:
    """Submit drafts for review: an editor (or their author) publishes them from there.

    Example: balita submit 12 13
    """
    from balita_cli.services import publishing  # here: --help imports every command module

    for record in each_article(app(ctx), refs, lambda s, article_id, who: publishing.submit(s, article_id, who=who)):
        console.info(f"Submitted {record['id']} ({record['slug']}) for review")


def unpublish(ctx: typer.Context, refs: ArticleRefs) -> None:
    """Take published or scheduled articles back to draft.

    Example: balita unpublish 12
    """
    from balita_cli.services import publishing  # here: --help imports every command module

    for record in each_article(app(ctx), refs, lambda s, article_id, who: publishing.unpublish(s, article_id, who=who)):
        console.info(f"Unpublished {record['id']} ({record['slug']}): now draft")


def archive(ctx: typer.Context, refs: ArticleRefs) -> None:
    """Archive articles: off the front page and feeds, kept in the archive.

    Example: balita archive 12
    """
    from balita_cli.services import publishing  # here: --help imports every command module

    for record in each_article(app(ctx), refs, lambda s, article_id, who: publishing.archive(s, article_id, who=who)):
        console.info(f"Archived {record['id']} ({record['slug']})")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("submit")(submit)
    typer_app.command("publish")(publish)
    typer_app.command("unpublish")(unpublish)
    typer_app.command("archive")(archive)
