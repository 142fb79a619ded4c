"""The media library's originals, stored once by content: ``originals/<sha[:2]>/<sha>.<ext>``.

Originals keep their EXIF (GPS included) for the newsroom's own record, so the store's root must
not be a folder the web server publishes: the public gets :func:`publishable` copies and
renditions, written into the site's output by the build.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from balita_cli.errors import InvalidInput
from balita_cli.files import atomic_write_bytes
from balita_cli.media.images import FORMATS, ImageInfo

_SHA256 = re.compile(r"[0-9a-f]{64}")


class MediaStore:
    """Originals under ``root`` (not served: see the module docstring), one file per content."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def original(self, sha256: str, format: str) -> Path:
        """Where the original with this hash lives; both parts are checked, never joined raw."""
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput(f"not a SHA-256 digest: {sha256[:80]!r}")
        if format not in FORMATS:
            raise InvalidInput(f"unknown image format {format[:20]!r}; expected one of {', '.join(FORMATS)}")
        return self.root / "originals" / sha256[:2] / f"{sha256}.{FORMATS[format].extension}"

    def has(self, sha256: str, format: str) -> bool:
        return self.original(sha256, format).is_file()

    def add(self, data: bytes, info: ImageInfo) -> Path:
        """Store ``data`` (whose :class:`ImageInfo` it is); the same bytes twice are one file."""
        if len(data) != info.size or hashlib.sha256(data).hexdigest() != info.sha256:
            raise InvalidInput("the image data does not match its inspection (sha256 or size differ)")
        path = self.original(info.sha256, info.format)
        try:
            if path.stat().st_size == info.size:
                return path  # named by its content: same name and size is the same file
        except OSError:
            pass  # missing (or unreadable: then writing says why, in one line)
        atomic_write_bytes(path, data)  # temp file, fsync, rename; mode 0666 less the umask
        return path
