"""export FORMAT: articles streamed through one of the registered writers, to stdout or a file."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli import options as o
from balita_cli.cli.completion import complete_export_format
from balita_cli.cli.state import state
from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from balita_cli.formats import Writer
    from balita_cli.services.query import ArticleFilter

FORMAT_HELP = (
    "json, jsonl, csv, markdown (Hugo tree, needs -o DIR), rss, atom, jsonfeed, ninjs, sitemap, news-sitemap, wxr."
)
# Past this many articles a file export shows a progress bar (on a terminal only).
PROGRESS_THRESHOLD = 200

FormatArg = Annotated[
    str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP, show_default=False, autocompletion=complete_export_format)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write here (atomically) instead of stdout; a directory for markdown.",
    ),
]
NinjsVersionOpt = Annotated[str, typer.Option("--ninjs-version", help="ninjs schema version: 3.1 or 2.1.")]
LinesOpt = Annotated[bool, typer.Option("--lines", help="ninjs: one JSON document per line instead of an array.")]


def export(
    format_name: FormatArg,
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
    query: o.QueryOpt = None,
    trash: o.TrashOpt = False,
    sort: o.SortOpt = "-published",
    limit: o.LimitOpt = None,
    output: OutputOpt = None,
    ninjs_version: NinjsVersionOpt = "3.1",
    lines: LinesOpt = False,
) -> None:
    """Export articles as a feed, a partner file or a data dump; filters as in `list`.

    Public formats (rss, atom, jsonfeed, ninjs, sitemap, news-sitemap) hold published articles
    only; json, jsonl, csv, markdown and wxr hold every live article unless --status is given.

    Example: balita export rss --section Politics --limit 50 -o public/politics.xml
    """
    from balita_cli.formats import get_writer

    app_state = state()
    writer = get_writer(format_name)
    flt = o.build_filter(
        app_state, status=status, section=section, tag=tag, author=author, lang=lang, source=source,
        since=since, until=until, date_field=date_field, query=query, trash=trash,
    )  # fmt: skip
    if writer.public:
        from balita_cli.services.exporting import public_filter
        from balita_cli.timeutil import utcnow

        flt = public_filter(flt, writer.name, now=utcnow())
    if limit is not None and limit < 0:
        raise UsageError("--limit cannot be negative")
    check_output(writer, output)
    options = {"ninjs_version": ninjs_version, "lines": lines}
    count = run_export(writer, flt, sort=sort, limit=limit, output=output, options=options)
    if output is not None:
        console.info(f"exported {count} article(s) as {writer.name} to {output}")


def check_output(writer: Writer, output: Path | None) -> None:
    if writer.tree and output is None:
        raise UsageError(f"{writer.name} writes a directory tree: give -o DIRECTORY")
    if writer.tree and output is not None and output.exists() and not output.is_dir():
        raise UsageError(f"{output} exists and is not a directory")
    from balita_cli.formats import IndexedWriter

    indexed = isinstance(writer, IndexedWriter)
    if not writer.tree and output is not None and output.is_dir() and not indexed:
        raise UsageError(f"{output} is a directory: give a file name for {writer.name}")


def run_export(
    writer: Writer,
    flt: ArticleFilter,
    *,
    sort: str,
    limit: int | None,
    output: Path | None,
    options: dict[str, Any],
) -> int:
    """Stream the matching articles as records into the writer; the session stays open meanwhile."""
    from balita_cli.services.query import count_articles

    app_state = state()
    site = app_state.settings.site
    with app_state.session() as session:
        total = count_articles(session, flt)
        if limit is not None:
            total = min(total, limit)
        from balita_cli.services.exporting import check_capacity
        from balita_cli.services.streaming import stream_records

        into_directory = output is not None and output.is_dir()
        check_capacity(writer.name, getattr(writer, "max_items", None), total, into_directory=into_directory)
        records = stream_records(session, flt, site.base_url, sort=sort, limit=limit)
        show_bar = output is not None and total >= PROGRESS_THRESHOLD
        with console.progress(total if show_bar else 0, f"export {writer.name}") as advance:
            counted = counting(records, advance if show_bar else None)
            return write_to(writer, counted, output, site, total=total, **options)


def counting(records: Iterable[dict[str, Any]], advance: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    for record in records:
        yield record
        if advance is not None:
            advance(1)


def write_to(
    writer: Writer,
    records: Iterable[dict[str, Any]],
    output: Path | None,
    site: Any,
    **options: Any,
) -> int:
    from balita_cli.formats import IndexedWriter

    if writer.tree:
        assert output is not None  # check_output made sure
        return writer.write(records, output, site, **options)  # type: ignore[arg-type]
    if output is not None and (output.is_dir() or str(output).endswith(("/", "\\"))):
        if isinstance(writer, IndexedWriter):
            return writer.write_tree(records, output, site, **options)
    with open_target(output) as stream:
        return writer.write(records, stream, site, **options)  # type: ignore[arg-type]


@contextmanager
def open_target(output: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file that appears only when the export succeeds."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    from balita_cli.files import atomic_open

    with atomic_open(output) as stream:
        yield stream


def register(app: typer.Typer) -> None:
    app.command("export")(export)
