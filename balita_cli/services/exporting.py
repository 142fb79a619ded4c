"""Exports: which rows a format may hold, where its output may go, and writing it there.

The rules come from each writer's declared capabilities (``formats/base.py``), never from its
name: a public format holds public articles only, a format with a window holds only what was
published within it, a file holds at most ``max_items`` (past that, a format that splits writes
numbered files and an index into a directory). The site build renders its feeds and sitemaps
through ``render`` too.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.db.dbapi import Database
from balita_cli.errors import UsageError
from balita_cli.files import atomic_open, check_replaceable, make_directory
from balita_cli.formats.base import Writer
from balita_cli.records import Record
from balita_cli.services import reading
from balita_cli.services.query import ArticleFilter, Window
from balita_cli.workflow import PUBLIC_STATUSES, Status

SPOOL_IN_MEMORY = 8 * 1024 * 1024  # past this, the document waits in a temporary file


@dataclass(frozen=True)
class ExportRequest:
    writer: Writer
    flt: ArticleFilter
    window: Window
    output: Path | None = None  # None: stdout
    options: dict[str, Any] = field(default_factory=dict)
    force: bool = False  # replace a symlink or special file at the output path


def public_filter(flt: ArticleFilter, writer: Writer, *, now: datetime) -> ArticleFilter:
    """Published articles by default; drafts, review, scheduled and the trash never go public."""
    if not writer.public:
        return flt
    if flt.trash:
        raise UsageError(f"{writer.name} is a public format: it cannot export the trash")
    private = sorted(s.value for s in flt.statuses if s.value not in PUBLIC_STATUSES)
    if private:
        raise UsageError(
            f"{writer.name} is a public format: it cannot hold {', '.join(private)} articles "
            f"(choose from {', '.join(sorted(PUBLIC_STATUSES))})"
        )
    flt = replace(flt, statuses=flt.statuses or (Status.PUBLISHED,))
    window = writer.capabilities.window
    if window is not None and flt.since is None:
        # The writer keeps only what falls in its window; asking the database for it saves work.
        flt = replace(flt, since=now - window, date_field="published")
    return flt


def into_directory(writer: Writer, output: Path | None) -> bool:
    """Whether the export writes files under a directory rather than one document."""
    if writer.tree:
        return True
    return output is not None and (output.is_dir() or str(output).endswith(("/", "\\")))


def check_target(writer: Writer, request: ExportRequest, total: int) -> None:
    """Fail before writing anything when the output cannot take this export."""
    output = request.output
    if writer.tree:
        if output is None:
            raise UsageError(f"{writer.name} writes a directory tree: give -o DIRECTORY")
        if output.exists() and not output.is_dir():
            raise UsageError(f"{output} exists and is not a directory")
        return
    if output is not None and into_directory(writer, output) and not writer.capabilities.splits:
        raise UsageError(f"{output} is a directory: give a file name for {writer.name}")
    most = writer.capabilities.max_items
    if most is not None and total > most and not into_directory(writer, output):
        raise UsageError(
            f"{total:,} URLs is more than one {writer.name} holds ({most:,}): "
            "give -o DIRECTORY (an existing directory) for numbered files and an index"
        )
    if output is not None and not into_directory(writer, output):
        check_replaceable(output, force=request.force)


def counted(records: Iterable[Record], tally: list[int], advance: Callable[[int], None]) -> Iterator[Record]:
    for record in records:
        tally[0] += 1
        advance(1)
        yield record


def export(
    db: Database,
    request: ExportRequest,
    site: Site,
    *,
    advance: Callable[[int], None] = lambda _n: None,
) -> int:
    """Stream the matching records into the writer's target; returns how many it was given."""
    writer = request.writer
    total = min(reading.count(db, request.flt), request.window.limit or sys.maxsize)
    check_target(writer, request, total)
    tally = [0]
    if writer.capabilities.json_lines:
        return _export_lines(db, request, site, advance)
    records = counted(reading.stream_records(db, request.flt, site.base_url, request.window), tally, advance)
    options = {name: request.options[name] for name in writer.capabilities.options if name in request.options}
    if into_directory(writer, request.output):
        assert request.output is not None  # a directory export always has one (check_target)
        make_directory(request.output)
        writer.write_tree(records, request.output, site, **options)
    elif request.output is None:
        to_stdout(lambda stream: writer.write(records, stream, site, **options))
    else:
        with atomic_open(request.output) as stream:
            writer.write(records, stream, site, **options)
    return tally[0]


def _export_lines(db: Database, request: ExportRequest, site: Site, advance: Callable[[int], None]) -> int:
    """JSON Lines written as bytes, the same on either database: SQLite makes them itself
    (services/json_lines.py); on PostgreSQL orjson's bytes go straight to the file, never decoded
    to text and encoded back."""
    # here: only export jsonl loads the JSON Lines writers (and the Markdown renderer behind them)
    from balita_cli.formats.jsonl import JsonLinesWriter
    from balita_cli.formats.streaming import json_line_bytes
    from balita_cli.services import json_lines

    writer = request.writer
    assert isinstance(writer, JsonLinesWriter)
    tally = [0]
    made = (
        json_lines.stream_lines(db, request.flt, site.base_url, request.window)
        if db.is_sqlite
        else map(json_line_bytes, reading.stream_records(db, request.flt, site.base_url, request.window))
    )

    def lines() -> Iterator[bytes]:
        for line in made:
            tally[0] += 1
            advance(1)
            yield line

    if request.output is None:
        bytes_to_stdout(lambda stream: writer.write_lines(lines(), stream))
    else:
        with atomic_open(request.output, "wb") as stream:
            writer.write_lines(lines(), stream)
    return tally[0]


def bytes_to_stdout(write: Callable[[IO[bytes]], Any]) -> None:
    """Write to stdout only once the whole document is made: a failure half way (a damaged
    database page) must not leave a well-formed but truncated feed in a pipe."""
    sys.stdout.flush()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b") as spool:
        write(spool)
        spool.seek(0)
        shutil.copyfileobj(spool, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def to_stdout(write: Callable[[IO[str]], Any]) -> None:
    """``bytes_to_stdout`` for a writer of text (UTF-8)."""

    def encoded(raw: IO[bytes]) -> None:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        write(text)
        text.flush()
        text.detach()  # the spool stays open for bytes_to_stdout

    bytes_to_stdout(encoded)
