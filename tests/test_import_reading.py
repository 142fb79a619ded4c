"""An import's reading side (``services/importing/read_ahead.py``): a forked reader where one may be made,
a thread elsewhere, the same newsroom either way; what a reader raises, or its death, reaches the
writer; no reader outlives its import."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import ReadItem
from balita_cli.schema import ArticleInput
from balita_cli.services.importing import read_ahead as import_reading
from balita_cli.services.importing import run as importing
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of
from tests.helpers.imports import AS_IMPORTER, TRICKY, assert_same_newsroom, write_jsonl
from tests.helpers.records import import_summary

forking = pytest.mark.skipif(not import_reading.may_fork(), reason="a reader is forked only on Linux with two CPUs")


def session_of(url: str) -> importing.SessionFactory:
    from balita_cli.db.engine import session_scope

    engine = engine_of(url)
    return lambda: session_scope(engine, write=True)


TEST_PROCESS = os.getpid()


def articles(count: int, *, then: str = "") -> Iterator[ReadItem]:
    """``count`` articles; then ``die`` (in a forked reader only: never this test process) or
    ``raise`` an exception that cannot cross to the writer."""
    for n in range(count):
        yield ArticleInput(title=f"Ulat {n}", external_id=f"ulat:{n}", tags=["Ulat"], origin=f"item {n}")
    if then == "die":
        assert os.getpid() != TEST_PROCESS, "the reader was not forked"
        os.kill(os.getpid(), signal.SIGKILL)
    if then == "raise":
        raise Unpicklable(lambda: None)


class Unpicklable(Exception):  # noqa: N818  (a stand-in for any exception that cannot be pickled)
    def __init__(self, callback: object) -> None:
        super().__init__("the reader tripped")
        self.callback = callback

    def __reduce__(self) -> tuple[object, ...]:
        return (Unpicklable, (self.callback,))


@forking
def test_a_forked_reader_and_a_thread_leave_the_same_newsroom(
    cli: Cli, other_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = write_jsonl(tmp_path / "tricky.jsonl", TRICKY * 3)
    forks: list[None] = []
    fork = import_reading.fork

    def counted_fork() -> int | None:
        forks.append(None)
        return fork()

    monkeypatch.setattr(import_reading, "fork", counted_fork)

    forked = import_summary(cli, "jsonl", str(dump), "--batch-size", "7", env=AS_IMPORTER)
    assert forks  # the reader was forked
    monkeypatch.setattr(import_reading, "may_fork", lambda: False)
    threaded = import_summary(other_cli, "jsonl", str(dump), "--batch-size", "7", env=AS_IMPORTER)

    assert len(forks) == 1 and forked == threaded
    assert (forked["created"], forked["duplicates"], forked["rejected"]) == (16, 26, 12)
    assert_same_newsroom(cli, other_cli)


@forking
def test_the_writer_is_told_of_each_article_read_in_the_reader(ready_db_url: str) -> None:
    told: list[str] = []
    settings = importing.ImportSettings(batch_size=40)

    importing.run_import(
        articles(100), session_of(ready_db_url), settings, on_read=lambda a: told.append(a["external_id"])
    )

    assert told == [f"ulat:{n}" for n in range(100)]


@forking
def test_a_reader_that_dies_is_one_error_and_the_batches_before_it_are_kept(ready_db_url: str) -> None:
    result = importing.ImportSummary()
    with pytest.raises(import_reading.ReaderGone, match="run the same command again"):
        settings = importing.ImportSettings(batch_size=100)
        importing.run_import(articles(250, then="die"), session_of(ready_db_url), settings, result)
    assert result.created == 200  # the two whole batches it handed over


@forking
def test_what_a_reader_raises_reaches_the_writer_even_when_it_cannot_be_pickled(ready_db_url: str) -> None:
    result = importing.ImportSummary()
    with pytest.raises(RuntimeError, match="Unpicklable: the reader tripped"):
        settings = importing.ImportSettings(batch_size=100)
        importing.run_import(articles(150, then="raise"), session_of(ready_db_url), settings, result)
    assert result.created == 100


@forking
def test_no_reader_outlives_a_writer_that_failed(ready_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    children: list[int] = []
    fork = import_reading.fork

    def recorded() -> int | None:
        child = fork()
        if child:
            children.append(child)
        return child

    monkeypatch.setattr(import_reading, "fork", recorded)
    opened = session_of(ready_db_url)
    calls = iter(range(10))

    def failing_second_time() -> object:
        # The writer's second batch; on PostgreSQL the search documents' threads open sessions too.
        if threading.current_thread() is threading.main_thread() and next(calls) == 1:
            raise InvalidInput("the disk is full")
        return opened()

    with pytest.raises(InvalidInput, match="the disk is full"):
        importing.run_import(articles(5000), failing_second_time, importing.ImportSettings(batch_size=100))  # type: ignore[arg-type]

    assert len(children) == 1
    assert not Path(f"/proc/{children[0]}").exists()  # killed and reaped, not left reading 5,000 articles
