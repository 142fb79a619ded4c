"""stats: how the archive is made up, and how much was published each day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli import console
from balita_cli.cli.options import FILTERS_WITHOUT_TEXT, Filters, ShowFormat, ShowFormatOpt
from balita_cli.cli.output import write_json
from balita_cli.cli.params import options
from balita_cli.cli.state import app
from balita_cli.timeutil import utcnow

if TYPE_CHECKING:
    from balita_cli.services.stats import Stats


@options(FILTERS_WITHOUT_TEXT)
def stats(
    ctx: typer.Context,
    *,
    filters: Filters,
    days: Annotated[int, typer.Option("--days", min=1, max=3660, help="Days of the per-day chart.")] = 30,
    output_format: ShowFormatOpt = ShowFormat.TEXT,
) -> None:
    """Counts by status, section, tag, author and language, and articles published per day.

    Example: balita stats --section Politics --days 14   |   balita stats --format json
    """
    from balita_cli.services.stats import collect  # here: --help imports every command module

    state = app(ctx)
    zone = state.settings.site.tz
    with state.reading() as db:
        result = collect(db, filters.resolve(zone), days=days, zone=zone, now=utcnow())
    if output_format is ShowFormat.JSON:
        write_json(result.as_dict())
    else:
        draw(result)


def draw(result: Stats) -> None:
    console.print_line(console.counted(result.total, "article"))
    console.print_line("")
    for title, name in (
        ("By status", "by_status"),
        ("By section", "by_section"),
        ("By language", "by_language"),
        ("By author", "by_author"),
        ("By tag", "by_tag"),
    ):
        console.print_bar_chart(title, list(result.groups[name].items()))
    values = [count for _, count in result.per_day]
    if result.per_day:
        first, last = result.per_day[0][0], result.per_day[-1][0]
        console.print_line(f"Published per day, {first} to {last} ({sum(values)} in all, most {max(values)} a day)")
        console.print_line(console.sparkline(values))


def register(typer_app: typer.Typer) -> None:
    typer_app.command("stats")(stats)
