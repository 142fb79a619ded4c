"""Files are written atomically: a temporary file in the same directory, fsynced, then renamed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(
    path: Path, mode: str = "w", encoding: str | None = "utf-8", *, durable: bool = True
) -> Iterator[IO[str]]:
    """Yield a stream; ``path`` appears complete when the block ends, untouched if it fails.

    ``durable=False`` skips the per-file fsync for callers that write thousands of files and
    sync once at the end (the site build); the rename still makes each file appear whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, mode, encoding=encoding if "b" not in mode else None) as stream:
            yield stream
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    with atomic_open(path) as stream:
        stream.write(text)
