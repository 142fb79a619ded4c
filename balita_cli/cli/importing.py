"""``balita import FORMAT PATH…``: bring articles in from WordPress, Ghost, static sites, feeds
or balita's own exports, without duplicates and with a report of what could not be read."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli import console
from balita_cli.cli.output import write_json
from balita_cli.cli.state import state

if TYPE_CHECKING:
    from balita_cli.formats.readers import Reader, ReadItem, ReadOptions
    from balita_cli.services.importing import ImportSummary


class ImportFormat(StrEnum):
    WXR = "wxr"
    GHOST = "ghost"
    MARKDOWN = "markdown"
    FEED = "feed"
    JSONL = "jsonl"
    CSV = "csv"


class SummaryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def import_command(
    input_format: Annotated[
        ImportFormat,
        typer.Argument(metavar="FORMAT", help="wxr, ghost, markdown, feed, jsonl or csv.", show_default=False),
    ],
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH…", help="Files, a directory (markdown), or http(s) URLs (feed).", show_default=False
        ),
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Read and validate everything, report, write nothing.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Refresh articles imported before whose source changed.")
    ] = False,
    source_name: Annotated[
        str | None, typer.Option("--source-name", help="feed: outlet credited (default: the feed's site host).")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Records per transaction.")] = 200,
    output_format: Annotated[
        SummaryFormat, typer.Option("--format", "-f", help="json prints the summary on stdout for scripts.")
    ] = SummaryFormat.TABLE,
) -> None:
    """Import articles; importing the same input again creates nothing new.

    Example: balita import wxr site.wordpress.2026-01-01.xml --dry-run
    Example: balita import feed https://www.philstar.com/rss/headlines
    """
    from balita_cli.formats.readers import ReadOptions, get_reader
    from balita_cli.services.importing import ImportSettings, run_import

    app_state = state()
    site = app_state.settings.site
    reader = get_reader(input_format.value)
    options = ReadOptions(zone=site.tz, source_name=source_name)
    settings = ImportSettings(
        language=site.language, who=app_state.who, update=update, dry_run=dry_run, batch_size=batch_size
    )
    with console.progress(_estimate(reader, paths), f"importing {input_format.value}") as advance:
        summary = run_import(
            _read_all(reader, paths, options),
            lambda: app_state.session(write=True),
            settings,
            on_item=lambda: advance(1),
        )
    _report(summary, output_format)


def _read_all(reader: Reader, paths: list[str], options: ReadOptions) -> Iterator[ReadItem]:
    for path in paths:
        yield from reader.read(path, options)


def _estimate(reader: Reader, paths: list[str]) -> int:
    """Items expected, for the progress bar (0 leaves the total open)."""
    total = 0
    for path in paths:
        try:
            total += reader.estimate(path) or 0
        except OSError:
            return 0
    return total


def _report(summary: ImportSummary, output_format: SummaryFormat) -> None:
    for problem in summary.problems:
        console.warn(f"{problem.origin}: {problem.message}")
    for problem in summary.warnings:
        console.warn(f"{problem.origin}: {problem.message}")
    if output_format is SummaryFormat.JSON:
        write_json(summary.as_dict())
        return
    rows = [
        ("created", summary.created),
        ("updated", summary.updated),
        ("skipped as duplicate", summary.duplicates),
        ("rejected", summary.rejected),
        *((f"skipped: {kind}", count) for kind, count in sorted(summary.skipped.items())),
    ]
    width = max(len(label) for label, _count in rows)
    heading = "import (dry run: nothing was written)" if summary.dry_run else "import"
    console.info(heading)
    for label, count in rows:
        console.info(f"  {label:<{width}}  {count:>7}")


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
