"""The reading side of an import: the next batch read and prepared while the writer writes this
one, in a forked process where one may be made, else in a thread.

Reading is Python's own work (parsing, ``prepare``, the checks of a new article), and so is much
of writing. A thread shares the interpreter's lock with the writer, so the two mostly take turns;
a forked reader runs beside it on a second CPU and hands each batch over, pickled, through a pipe.
It is forked only where that is safe and gains: on Linux, with two CPUs to run on, while no other
thread runs (a fork copies a lock another thread holds, held forever). The reader ignores Ctrl-C
and stops (the writer acts on them, and ends it) and leaves by ``os._exit``: nothing of the
writer's (buffered output, connections, temporary files) is flushed or closed twice.

What the reader raises is raised in the writer, in its place in the stream. The writer stops the
reader when it stops (done, failed or interrupted); a reader that dies (killed, out of memory)
is an error, after the batches already written were kept.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Generator, Iterable, Iterator
from queue import Full, Queue
from typing import Any

from balita_cli.errors import BalitaError
from balita_cli.formats.readers.base import ReadItem
from balita_cli.services.importing.batches import Read, batches, prepared
from balita_cli.services.importing.report import ImportSettings

_LENGTH = 8  # bytes of a message's length, before the message


class ReaderGone(BalitaError):
    def __init__(self) -> None:
        super().__init__(
            "the process reading the input ended before it was read; what was written is kept, "
            "run the same command again to finish"
        )


def read_ahead(items: Iterable[ReadItem], settings: ImportSettings) -> Generator[list[Read]]:
    """The items a batch at a time, read and prepared one batch ahead of the writer: by a forked
    process where one may be made (:func:`may_fork`), else by a thread."""
    ready = (prepared(batch, settings) for batch in batches(items, settings))
    if may_fork():
        forked = _forked(ready)
        if forked is not None:
            yield from forked
            return
    yield from in_a_thread(ready)


def may_fork() -> bool:
    """Linux, a second CPU to run on, and no other thread in this process."""
    if not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        return False
    return threading.active_count() == 1


def fork() -> int | None:
    """``os.fork`` with Ctrl-C and stops blocked in the child: 0 in the child, the child's
    process id in the parent, None when no process could be made."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        child = os.fork()
    except OSError:
        child = None
    if child == 0:
        gc.freeze()  # what the parent made lives on in the child: its collections need not walk it
    else:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return child


def _forked(ready: Iterator[list[Read]]) -> Generator[list[Read]] | None:
    read_end, write_end = os.pipe()
    child = fork()
    if child == 0:
        try:
            os.close(read_end)
            _hand_over(ready, write_end)
        finally:
            os._exit(0)
    os.close(write_end)
    if child is None:
        os.close(read_end)
        return None
    return _received(child, read_end)


def _hand_over(ready: Iterator[list[Read]], end: int) -> None:
    """The reader's life: each batch, then None; or what it raised."""
    try:
        for batch in ready:
            send(end, (True, batch))
        send(end, (False, None))
    except BrokenPipeError:
        return  # the writer stopped
    except BaseException as exc:  # noqa: BLE001  (raised again in the writer)
        try:
            send(end, (False, _crossable(exc)))
        except OSError:
            return


def _crossable(exc: BaseException) -> BaseException:
    """``exc``, or where it cannot be pickled the same words in a RuntimeError."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  (made here)
    except Exception:  # noqa: BLE001  (any failure to cross: the words are what matter)
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _received(child: int, end: int) -> Generator[list[Read]]:
    try:
        yield from _in_order(iter(lambda: receive(end), None))
    finally:  # the writer stopped (done, failed or interrupted): the reader stops too
        os.close(end)
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(child, 0)


def send(end: int, message: Any) -> None:
    """A message whole: its length, then its pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(len(payload).to_bytes(_LENGTH, "big") + payload)
    while data:
        data = data[os.write(end, data) :]


def receive(end: int) -> Any | None:
    """The next message, or None at the end of the pipe (the reader is gone)."""
    head = _read_exactly(end, _LENGTH)
    payload = None if head is None else _read_exactly(end, int.from_bytes(head, "big"))
    if payload is None:
        return None
    # A batch is thousands of new containers: enough to set off collections that walk every
    # object of this process, for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)  # noqa: S301  (our own child)
    finally:
        if collecting:
            gc.enable()


def _read_exactly(end: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    done = 0
    while done < size:
        count = os.readv(end, [view[done:]])
        if count == 0:
            return None
        done += count
    return buffer


def in_a_thread(ready: Iterator[list[Read]]) -> Generator[list[Read]]:
    """The batches, read and prepared in a thread of their own one batch ahead of the writer,
    where no process may be forked: the database's work (SQLite's, or the wait for PostgreSQL)
    and the disk's release the interpreter, so reading the next batch overlaps writing this one."""
    queue: Queue[tuple[bool, Any]] = Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in ready:
                if not hand_over((True, batch)):
                    return
            hand_over((False, None))
        except BaseException as exc:  # noqa: BLE001  (handed to the writer's thread, raised there)
            hand_over((False, exc))

    threading.Thread(target=read, name="balita-import-reader", daemon=True).start()
    try:
        yield from _in_order(iter(queue.get, None))
    finally:
        stop.set()  # the writer stopped (done, failed or interrupted): the reader stops too


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
