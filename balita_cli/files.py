"""Files are written atomically: a temporary file in the same directory, fsynced, then renamed.

A written file gets the mode a plain ``open()`` would give it (0666 less the umask), or keeps the
mode of the file it replaces: a built site and its feeds are served by a web server running as
another user, so they must stay world-readable where the umask says so. Any failure to write is
one line naming the file, never a traceback, and leaves the old file as it was.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from balita_cli.errors import BalitaError, InvalidInput


class OutputError(BalitaError):
    """A file or directory that cannot be written (missing, not a directory, no permission, full)."""


def default_mode() -> int:
    """0666 less the process umask, as ``open()`` creates files."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def target_mode(path: Path) -> int:
    """The mode of the file being replaced, else the default for a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return default_mode()


def reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def make_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write into {directory}: a file of that name is in the way") from None
    except OSError as exc:
        raise OutputError(f"cannot create {directory}: {reason(exc)}") from None
    if not directory.is_dir():
        raise OutputError(f"cannot write into {directory}: it is not a directory")


def check_replaceable(path: Path, *, force: bool = False) -> None:
    """Refuse to replace what is not a plain file we could have written (a FIFO, a device, a
    symlink pointing elsewhere, a directory) unless the user says --force."""
    if not (path.exists() or path.is_symlink()):
        return
    if path.is_dir() and not path.is_symlink():
        raise InvalidInput(f"{path} is a directory: give a file name")
    if force:
        return
    if path.is_symlink():
        raise InvalidInput(f"{path} is a symbolic link; refusing to replace it with a file (use --force)")
    if not path.is_file():
        raise InvalidInput(f"{path} is not a regular file (a FIFO or device); refusing to replace it (use --force)")


@contextmanager
def atomic_open(
    path: Path, mode: str = "w", encoding: str | None = "utf-8", *, durable: bool = True
) -> Iterator[IO[Any]]:
    """Yield a stream; ``path`` appears complete when the block ends, untouched if it fails.

    ``durable=False`` skips the per-file fsync for callers that write thousands of files and
    sync once at the end (the site build); the rename still makes each file appear whole.
    """
    import tempfile  # here: a build that writes nothing never loads it

    make_directory(path.parent)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    try:
        os.fchmod(handle, target_mode(path))
        with os.fdopen(handle, mode, encoding=encoding if "b" not in mode else None) as stream:
            yield stream
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {reason(exc)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path) as stream:
        stream.write(text)


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    with atomic_open(path, "wb", durable=durable) as stream:
        stream.write(data)
