"""The reading side of an import: the next batches read and prepared while the writer writes
this one, in a forked process where one may be made, else in a thread.

Reading is Python's own work (parsing, ``prepare``, the checks of a new article: ~170 µs an
article of a jsonl export), and so is much of writing. A thread shares the interpreter's lock
with the writer, so the two mostly take turns; a forked reader (:mod:`balita_cli.processes`)
runs beside it on the second CPU and hands each batch over through a pipe, its articles as read
cut to what the writer still reads of them (``for_the_writer``). An import of 10,000 articles from
jsonl into SQLite: 3.7 s with a thread, ~2.6 s with the process.

What the reader raises is raised in the writer, in its place in the stream. The writer stops the
reader when it stops (done, failed or interrupted); a reader that dies (killed, out of memory)
is an error, after the batches already written were kept.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Generator, Iterable, Iterator
from queue import Full, Queue
from typing import Any

from balita_cli import processes
from balita_cli.errors import BalitaError
from balita_cli.formats.readers.base import ReadItem
from balita_cli.services.importing import batches as import_batches
from balita_cli.services.importing.batches import Read, for_the_writer
from balita_cli.services.importing.report import ImportSettings

READ_AHEAD = 1  # batches read ahead of the one being written (a batch is 1,000 records)
# Seconds a thread keeps the interpreter before it is asked to let go, while the reader runs. The
# writer lets go at every database call and may then wait out the reader's whole slice before it
# can go on: at Python's 5 ms an import of 10,000 on SQLite took 3.9 s, at 1 ms 3.7 s.
SWITCH_INTERVAL = 0.001
SHARE_STEP = 0.25  # of a batch's articles, prepared by the reader rather than the writer
KEPT_WAITING = 0.02  # seconds: a batch's handing over that took longer found the writer busy


class ReaderGone(BalitaError):
    def __init__(self) -> None:
        super().__init__("the process reading the input ended before it was read; what was written is kept, "
                         "run the same command again to finish")  # fmt: skip


def read_ahead(items: Iterable[ReadItem], settings: ImportSettings) -> Generator[list[Read]]:
    """The items a batch at a time, read and prepared ahead of the writer: by a forked process
    where one may be made (:func:`balita_cli.processes.may_fork`), else by a thread."""
    batches = import_batches.batches(items, settings)
    if processes.may_fork():
        forked = _forked(batches, settings)
        if forked is not None:
            yield from forked
            return
    yield from in_a_thread(import_batches.finished(batch, settings) for batch in batches)


def _forked(batches: Iterator[list[ReadItem]], settings: ImportSettings) -> Generator[list[Read]] | None:
    read_end, write_end = processes.pipe()
    child = processes.fork()
    if child == 0:
        try:
            os.close(read_end)
            _hand_over(batches, settings, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    if child is None:
        os.close(read_end)
        return None
    return _received(child, read_end, settings)


def _hand_over(batches: Iterator[list[ReadItem]], settings: ImportSettings, end: int) -> None:
    """The reader's life: each batch, then None; or what it raised.

    The reader prepares a share of each batch's articles and leaves the rest to the writer, who
    prepares them before writing: all of them while the writer keeps it waiting (the pipe was
    full), fewer while the writer waits for it. Reading a Hugo tree (front matter) costs more
    than writing it, reading jsonl less: the share finds where the two processes finish together."""
    share = 1.0
    try:
        for batch in batches:
            ready = [for_the_writer(read) for read in import_batches.prepared(batch, settings, share)]
            waited = processes.write(end, processes.encode((True, ready)))
            share = min(share + SHARE_STEP, 1.0) if waited > KEPT_WAITING else max(share - SHARE_STEP, 0.0)
        processes.send(end, (False, None))
    except BrokenPipeError:
        return  # the writer stopped
    except BaseException as exc:  # noqa: BLE001  (raised again in the writer)
        try:
            processes.send(end, (False, _crossable(exc)))
        except OSError:
            return


def _crossable(exc: BaseException) -> BaseException:
    """``exc``, or where it cannot be pickled the same words in a RuntimeError."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  (made here)
    except Exception:  # noqa: BLE001  (any failure to cross: the words are what matter)
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _received(child: int, end: int, settings: ImportSettings) -> Generator[list[Read]]:
    """The reader's batches, with the articles it left prepared here."""
    try:
        for batch in _in_order(iter(lambda: processes.receive(end), None)):
            yield import_batches.finished(batch, settings)
    finally:  # the writer stopped (done, failed or interrupted): the reader stops too
        os.close(end)
        processes.end(child)


def in_a_thread(batches: Iterator[list[Read]], depth: int = READ_AHEAD) -> Generator[list[Read]]:
    """The batches, read and parsed in a thread of their own up to ``depth`` batches ahead of the
    writer, where no process may be forked: the database's work (SQLite's, or the wait for
    PostgreSQL) and the disk's release the interpreter, so reading the next batch overlaps
    writing this one."""
    ready: Queue[tuple[bool, Any]] = Queue(maxsize=max(depth, 1))
    stop = threading.Event()

    def hand_over(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over((True, batch)):
                    return
            hand_over((False, None))
        except BaseException as exc:  # noqa: BLE001  (handed to the writer's thread, raised there)
            hand_over((False, exc))

    reader = threading.Thread(target=read, name="balita-import-reader", daemon=True)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    reader.start()
    try:
        yield from _in_order(iter(ready.get, None))
    finally:
        stop.set()  # the writer stopped (done, failed or interrupted): the reader stops too
        sys.setswitchinterval(interval)


def _in_order(messages: Iterator[tuple[bool, Any]]) -> Generator[Any]:
    """The batches of the reader's messages: ``(True, batch)``, then ``(False, None)`` at the
    end or ``(False, what it raised)``. Messages that stop short: the reader is gone."""
    for is_batch, value in messages:
        if is_batch:
            yield value
        elif value is None:
            return
        else:
            raise value
    raise ReaderGone
