"""Whether every file of the last build is still there with its size: the one look a build with
nothing to do takes at the output folder.

Each file costs a system call (``fstatat``, ~2.5 µs here: 11,000 files are 30 ms, a third of
such a build), and threads cannot share the calls out (each one takes and gives back the
interpreter's lock). So on Linux, with a second CPU and no other thread running, a forked child
looks at half of the files while this process looks at the other half (11,000 files: 18 ms).
The child leaves by ``os._exit``: nothing of the build's is closed or flushed twice.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORK_FROM = 2_000  # files; below this a fork costs about what it saves
_HELD = {signal.SIGINT, signal.SIGTERM}  # the child must not act on them: the build does


def all_there(root: Path, files: Sequence[tuple[str, Any]]) -> bool:
    """Each ``(path, size)`` names a file under ``root`` of that size (a link is not followed).
    False at the first that is missing, of another size, or cannot be looked at."""
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        child = _forked_look(folder, files[len(files) // 2 :]) if _may_fork(len(files)) else None
        if child is None:
            return _look(folder, files)
        try:
            mine = _look(folder, files[: len(files) // 2])
        finally:  # reaped whatever happens here (Ctrl-C included): the child ends within milliseconds
            theirs = _reaped(child)
        return mine and theirs
    finally:
        os.close(folder)


def _look(folder: int, files: Sequence[tuple[str, Any]]) -> bool:
    stat_at = os.stat
    try:  # relative to the open folder: no path joined in Python
        for relative, size in files:
            if stat_at(relative, dir_fd=folder, follow_symlinks=False).st_size != size:
                return False
    except (OSError, ValueError):
        return False
    return True


def _may_fork(count: int) -> bool:
    if count < FORK_FROM or not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2:
        return False
    threading = sys.modules.get("threading")  # forking a process with other threads is unsafe
    return threading is None or threading.active_count() == 1


def _forked_look(folder: int, files: Sequence[tuple[str, Any]]) -> int | None:
    """The child's process id (None when it could not be made); it exits 0 when all are there."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        child = os.fork()
    except OSError:
        child = None
    if child == 0:
        try:
            os._exit(0 if _look(folder, files) else 1)
        finally:
            os._exit(2)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return child


def _reaped(child: int) -> bool:
    try:
        _, status = os.waitpid(child, 0)
    except ChildProcessError:
        return False
    return os.waitstatus_to_exitcode(status) == 0
