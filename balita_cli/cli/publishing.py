"""publish (now, at a time, or whatever is due), unpublish and archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_article
from balita_cli.cli.options import ArticleRefs
from balita_cli.cli.output import write_line
from balita_cli.cli.state import state
from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from balita_cli.models import Article


def publish(
    refs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ARTICLE...]", help="Article ids or slugs.", show_default=False, autocompletion=complete_article
        ),
    ] = None,
    *,
    at: Annotated[
        str | None, typer.Option("--at", help="Schedule for this time (site time zone) instead of now.")
    ] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Publish what is due and archive what has expired (for cron).")
    ] = False,
) -> None:
    """Publish articles now or at a time; with --due, run the schedule.

    Example: balita publish 12 13 --at "2026-12-01 08:00"   |   cron: */5 * * * * balita publish --due
    """
    from balita_cli.services import publishing
    from balita_cli.timeutil import human, parse_when

    app_state = state()
    zone = app_state.settings.site.tz
    if due:
        if refs or at:
            raise UsageError("--due takes no articles and no --at")
        who = app_state.who
        run = app_state.write(lambda session: publishing.run_due(session, who=who))
        for article in run.published:
            write_line(f"published\t{article.id}\t{article.slug}")
        for article in run.expired:
            write_line(f"expired\t{article.id}\t{article.slug}")
        console.info(f"{len(run.published)} published, {len(run.expired)} expired")
        return
    if not refs:
        raise UsageError("name the articles to publish, or use --due")
    when = parse_when(at, zone) if at else None
    changed = each_article(refs, lambda session, article, who: publishing.publish(session, article, at=when, who=who))
    for article in changed:  # reported once everything is committed
        if article.scheduled_at:
            console.info(f"Scheduled {article.id} ({article.slug}) for {human(article.scheduled_at, zone)}")
        else:
            console.info(f"Published {article.id} ({article.slug})")


def each_article(refs: list[str], action: Callable[[Any, Article, str], Article]) -> list[Article]:
    """Apply ``action`` to every named article in one transaction: all of them change, or none."""
    from balita_cli.services import articles

    app_state = state()
    who = app_state.who

    def run(session: Any) -> list[Article]:
        return [action(session, articles.resolve(session, ref), who) for ref in refs]

    return app_state.write(run)


def unpublish(refs: ArticleRefs) -> None:
    """Take published or scheduled articles back to draft.

    Example: balita unpublish 12
    """
    from balita_cli.services import publishing

    for article in each_article(refs, lambda session, article, who: publishing.unpublish(session, article, who=who)):
        console.info(f"Unpublished {article.id} ({article.slug}): now draft")


def archive(refs: ArticleRefs) -> None:
    """Archive articles: off the front page and feeds, kept in the archive.

    Example: balita archive 12
    """
    from balita_cli.services import publishing

    for article in each_article(refs, lambda session, article, who: publishing.archive(session, article, who=who)):
        console.info(f"Archived {article.id} ({article.slug})")


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("unpublish")(unpublish)
    app.command("archive")(archive)
