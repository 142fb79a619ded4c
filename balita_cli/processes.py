"""Work handed to a forked process on a machine with a second CPU: what the fetcher
(``net/fetcher.py``), an import's reader (``services/importing/read_ahead.py``) and a build's look at
its files (``site/still_there.py``) share.

Threads cannot share out Python's own work (each takes the interpreter's lock); a forked child
can. It is forked only where that is safe and gains: on Linux, with two CPUs to run on, and while
no other thread runs (a fork copies a lock another thread holds, held forever). The child ignores
Ctrl-C and stops (its parent acts on them, and ends it), and leaves by ``os._exit``: nothing of
the parent's (buffered output, connections, temporary files) is flushed or closed twice. Messages
between the two are pickled objects, each after its length, over a pipe; only ever between a
process and the child it forked, never from outside.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

_LENGTH = 8  # bytes of a message's length, before the message
PIPE_SIZE = 1 << 20  # bytes a pipe holds (Linux's default is 64 KB)


def may_fork() -> bool:
    """Linux, a second CPU to run on, and no other thread in this process."""
    if not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def fork() -> int | None:
    """``os.fork`` with Ctrl-C and stops blocked in the child: 0 in the child, the child's
    process id in the parent, None when no process could be made."""
    import signal  # here: ~1 ms, and most commands never fork

    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        child = os.fork()
    except OSError:
        child = None
    if child == 0:
        # What the parent made lives on in the child; its collections need not walk it again (an
        # import's reader makes ~10,000 containers a batch: enough for full collections, which
        # would walk every module and object the parent had loaded).
        gc.freeze()
    else:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return child


def end(child: int) -> None:
    """Kill the child if it still runs, and reap it."""
    import signal

    try:
        os.kill(child, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(child, 0)
    except ChildProcessError:
        pass


def let_go_of_streams() -> None:
    """In a child: standard input, output and error to /dev/null, so that a caller reading the
    parent's output sees it end when the parent ends."""
    null = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(null, stream)
    os.close(null)


def send(end: int, message: Any) -> None:
    write(end, encode(message))


def encode(message: Any) -> bytes:
    """The message as :func:`write` sends it: its length, then its pickle."""
    import pickle  # here: a build that forks to look at its files sends no message

    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_LENGTH, "big") + payload


def write(end: int, encoded: bytes) -> float:
    """Write an encoded message whole; the seconds it took (long when the other side was busy and
    the pipe full)."""
    import time

    started = time.monotonic()
    data = memoryview(encoded)
    while data:
        data = data[os.write(end, data) :]
    return time.monotonic() - started


def receive(end: int) -> Any | None:
    """The next message, or None at the end of the pipe (the other side is gone)."""
    import pickle

    head = _read_exactly(end, _LENGTH)
    payload = None if head is None else _read_exactly(end, int.from_bytes(head, "big"))
    if payload is None:
        return None
    # A batch of an import is ~10,000 new containers: enough to set off collections that walk
    # every object of this process, for nothing (25 ms a batch with them, 7.5 ms without).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(payload)  # noqa: S301  (our own child or parent)
    finally:
        if collecting:
            gc.enable()


def pipe() -> tuple[int, int]:
    """A pipe (read end, write end) holding up to a megabyte where Linux allows: a batch of an
    import (~5 MB) then crosses in a few system calls, not a hundred."""
    import fcntl

    ends = os.pipe()
    try:
        fcntl.fcntl(ends[1], fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (AttributeError, OSError):
        pass  # not Linux, or over the system's limit: the default (64 KB) works, in more calls
    return ends


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
