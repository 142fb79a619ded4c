"""export FORMAT: articles streamed through one of the registered writers, to stdout or a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.completion import complete_export_format
from balita_cli.cli.options import FILTERS, Filters, LimitOpt, SortOpt
from balita_cli.cli.params import options
from balita_cli.cli.state import app
from balita_cli.formats import FORMAT_NAMES
from balita_cli.timeutil import utcnow

FORMAT_HELP = ", ".join(FORMAT_NAMES) + " (docs/formats.md says what each holds)."
FormatArg = Annotated[
    str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP, show_default=False, autocompletion=complete_export_format)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Write here (atomically; folders are created) instead of stdout; a directory for markdown.",
    ),
]


@options(FILTERS)
def export(
    ctx: typer.Context,
    format_name: FormatArg,
    *,
    filters: Filters,
    sort: SortOpt = "-published",
    limit: LimitOpt = None,
    output: OutputOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a symbolic link or special file at -o.")] = False,
    ninjs_version: Annotated[str, typer.Option("--ninjs-version", help="ninjs schema version: 3.1 or 2.1.")] = "3.1",
    lines: Annotated[bool, typer.Option("--lines", help="ninjs: one JSON document per line, not an array.")] = False,
) -> None:
    """Export articles as a feed, a partner file or a data dump; filters as in `list`.

    Public formats (feeds, sitemaps, ninjs) hold published articles only; the newsroom's own
    formats hold every live article unless --status is given. A folder format needs -o DIR.

    Example: balita export rss --section Politics --limit 50 -o public/politics.xml
    """
    from balita_cli.formats import get_writer  # here: --help imports every command module
    from balita_cli.services.exporting import ExportRequest, export, public_filter
    from balita_cli.services.query import Window

    state = app(ctx)
    site = state.settings.site
    writer = get_writer(format_name)
    flt = public_filter(filters.resolve(site.tz), writer, now=utcnow())
    request = ExportRequest(
        writer, flt, Window(sort, limit), output, {"ninjs_version": ninjs_version, "lines": lines}, force
    )
    with state.reading() as db, console.progress(None, f"export {writer.name}", enabled=output is not None) as advance:
        count = export(db, request, site, advance=advance)
    if output is not None:
        console.info(f"Exported {console.counted(count, 'article')} as {writer.name} to {output}")


def register(typer_app: typer.Typer) -> None:
    typer_app.command("export")(export)
