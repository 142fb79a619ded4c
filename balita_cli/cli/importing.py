"""``balita import FORMAT PATH…``: bring articles in from WordPress, Ghost, static sites, feeds
or balita's own exports, without duplicates and with a report of what could not be read."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_source
from balita_cli.cli.output import write_json
from balita_cli.cli.sources import ImportSource
from balita_cli.cli.state import app
from balita_cli.errors import UsageError
from balita_cli.formats.readers import ALIASES, READER_NAMES

if TYPE_CHECKING:
    from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions
    from balita_cli.services.importing.run import ImportSummary

FORMAT_HELP = f"{', '.join(READER_NAMES)}; also {', '.join(ALIASES)}."


class SummaryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _complete_format(incomplete: str) -> list[str]:
    return [name for name in READER_NAMES if name.startswith(incomplete)]


def import_command(
    ctx: typer.Context,
    input_format: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help=FORMAT_HELP,
            show_default=False,
            autocompletion=_complete_format,
        ),
    ],
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...", help="Files, a folder (markdown), or http(s) URLs (feed).", show_default=False
        ),
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Read and validate everything, report, write nothing.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Refresh the content of articles whose source changed.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="NAME",
            help="feed: a source the desk follows (balita source list): its credit, excerpt, section, "
            "tags and publish policy (the review queue) apply.",
            autocompletion=complete_source,
        ),
    ] = None,
    source_name: Annotated[
        str | None,
        typer.Option(
            "--source-name",
            help="feed: outlet credited (default: the feed's site); a source's name "
            "applies its excerpt policy, section and tags.",
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=100_000, help="Records per transaction.")
    ] = 1000,
    output_format: Annotated[
        SummaryFormat, typer.Option("--format", "-f", help="json prints the summary on stdout for scripts.")
    ] = SummaryFormat.TABLE,
) -> None:
    """Import articles; importing the same input again creates nothing new.

    Example: balita import wxr site.wordpress.2026-01-01.xml --dry-run

    Example: balita import feed https://www.philstar.com/rss/headlines --source Philstar
    """
    from balita_cli.formats.readers import get_reader  # here: --help imports every command module
    from balita_cli.formats.readers.base import ReadOptions
    from balita_cli.services.importing.run import ImportSettings, ImportSummary, run_import

    state = app(ctx)
    site = state.settings.site
    reader = get_reader(input_format)
    if source is not None and (source_name is not None or reader.name != "feed"):
        raise UsageError("--source goes with import feed, and without --source-name")
    settings = ImportSettings(site.language, state.who, update, dry_run, batch_size)
    summary = ImportSummary(dry_run=dry_run)
    # feed: a source the desk follows lends its policy
    outlet = ImportSource(state, source or source_name, followed=source is not None)
    options = ReadOptions(zone=site.tz, source_name=source or source_name, intake=outlet.intake)
    items = _read_all(reader, paths, options)
    try:
        with console.progress(lambda: _estimate(reader, paths), f"importing {reader.name}") as advance:
            run_import(
                items,
                lambda: state.session(write=True),
                settings,
                summary,
                on_item=lambda: advance(1),
                on_read=outlet.keep,
            )
        if not dry_run:
            outlet.link(state)
    except KeyboardInterrupt:
        console.error(
            f"interrupted: {summary.created} created, {summary.updated} updated before the stop, "
            "and kept; run the same command again to finish"
        )
        raise typer.Exit(130) from None
    _report(summary, output_format)


def _read_all(reader: Reader, paths: list[str], options: ReadOptions) -> Iterator[ReadItem]:
    for path in paths:
        yield from reader.read(path, options)


def _estimate(reader: Reader, paths: list[str]) -> int | None:
    """Items expected, for the progress bar (None leaves the total open)."""
    total = 0
    for path in paths:
        try:
            total += reader.estimate(path) or 0
        except OSError:
            return None
    return total or None


def _report(summary: ImportSummary, output_format: SummaryFormat) -> None:
    for problem in (*summary.problems, *summary.warnings):
        console.warn(f"{problem.origin}: {problem.message}")
    if output_format is SummaryFormat.JSON:
        write_json(summary.as_dict())
        return
    rows = [
        ("created", summary.created),
        ("updated", summary.updated),
        ("skipped as duplicate", summary.duplicates),
        ("conflicts (edited here)", summary.conflicts),
        ("rejected", summary.rejected),
        *((f"skipped: {kind}", count) for kind, count in sorted(summary.skipped.items())),
    ]
    width = max(len(label) for label, _count in rows)
    console.info("import (dry run: nothing was written)" if summary.dry_run else "import")
    for label, count in rows:
        console.info(f"  {label:<{width}}  {count:>7}")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("import")(import_command)
