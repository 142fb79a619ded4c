"""stats: how the archive is made up, and how much was published each day."""

from __future__ import annotations

from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli import options as o
from balita_cli.cli.output import ShowFormat, write_json
from balita_cli.cli.state import state


def stats(
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
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="Days of the per-day chart.")] = 30,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text (charts) or json.")
    ] = ShowFormat.TEXT,
) -> None:
    """Counts by status, section, tag, author and language, and articles published per day.

    Example: balita stats --section Politics --days 14   |   balita stats --format json
    """
    from balita_cli.services.stats import collect
    from balita_cli.timeutil import utcnow

    app_state = state()
    flt = o.build_filter(
        app_state,
        status=status,
        section=section,
        tag=tag,
        author=author,
        lang=lang,
        source=source,
        since=since,
        until=until,
        date_field=date_field,
    )
    zone = app_state.settings.site.tz
    with app_state.session() as session:
        result = collect(session, flt, days=days, zone=zone, now=utcnow())
    if output_format is ShowFormat.JSON:
        write_json(result.as_dict())
        return
    console.print_line(f"{result.total} article(s)")
    console.print_line("")
    for title, counts in (
        ("By status", result.by_status),
        ("By section", result.by_section),
        ("By language", result.by_language),
        ("By author", result.by_author),
        ("By tag", result.by_tag),
    ):
        console.print_bar_chart(title, list(counts.items()))
    values = [count for _, count in result.per_day]
    if result.per_day:
        first, last = result.per_day[0][0], result.per_day[-1][0]
        console.print_line(f"Published per day, {first} to {last} ({sum(values)} in all, most {max(values)} a day)")
        console.print_line(console.sparkline(values))


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
