"""The media library's originals, stored once by content: ``originals/<sha[:2]>/<sha>.<ext>``.

Originals keep their EXIF (GPS included) for the newsroom's own record, so the store's root must
not be a folder the web server publishes: the public gets :func:`publishable` copies and
renditions, written into the site's output by the build.

With a bucket (``[media] store = "s3://bucket/prefix"``) the bucket holds every original under
the same names, and ``root`` is this machine's copy of those it has used: a photo added on one
machine is fetched by the build on another. A bucket is private: never the one a site is
deployed to.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from balita_cli.errors import Conflict, InvalidInput
from balita_cli.files import atomic_write_bytes
from balita_cli.media.images import FORMATS, ImageInfo

if TYPE_CHECKING:
    from balita_cli.buckets import Bucket
    from balita_cli.config import Settings

_SHA256 = re.compile(r"[0-9a-f]{64}")


class MediaStore:
    """Originals under ``root`` (not served: see the module docstring), one file per content,
    and in ``bucket`` when there is one."""

    def __init__(self, root: Path, bucket: Bucket | None = None) -> None:
        self.root = root
        self.bucket = bucket

    def name(self, sha256: str, format: str) -> str:
        """``originals/<sha[:2]>/<sha>.<ext>``; both parts are checked, never joined raw."""
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput(f"not a SHA-256 digest: {sha256[:80]!r}")
        if format not in FORMATS:
            raise InvalidInput(f"unknown image format {format[:20]!r}; expected one of {', '.join(FORMATS)}")
        return f"originals/{sha256[:2]}/{sha256}.{FORMATS[format].extension}"

    def original(self, sha256: str, format: str) -> Path:
        """Where this machine keeps the original with this hash (it may not be there yet)."""
        return self.root / self.name(sha256, format)

    def location(self, sha256: str, format: str) -> str:
        """Where the original is kept for good: its bucket URL, else its path."""
        if self.bucket is not None:
            return f"{self.bucket.url}{self.name(sha256, format)}"
        return str(self.original(sha256, format))

    def has(self, sha256: str, format: str) -> bool:
        return self.original(sha256, format).is_file()

    def add(self, data: bytes, info: ImageInfo) -> Path:
        """Store ``data`` (whose :class:`ImageInfo` it is); the same bytes twice are one file."""
        if len(data) != info.size or hashlib.sha256(data).hexdigest() != info.sha256:
            raise InvalidInput("the image data does not match its inspection (sha256 or size differ)")
        path = self.original(info.sha256, info.format)
        try:
            kept = path.stat().st_size == info.size  # named by its content: same name and size is the same file
        except OSError:
            kept = False  # missing (or unreadable: then writing says why, in one line)
        if not kept:
            atomic_write_bytes(path, data)  # temp file, fsync, rename; mode 0666 less the umask
        if self.bucket is not None:
            name = self.name(info.sha256, info.format)
            if not self.bucket.exists(name):
                try:
                    self.bucket.write(name, data, content_type=info.media_type, if_absent=True)
                except Conflict:
                    pass  # another machine stored the same bytes meanwhile
        return path

    def fetch(self, sha256: str, format: str) -> Path:
        """This machine's copy of the original, fetched from the bucket when it has none yet.
        Raises FileNotFoundError when no store has it, InvalidInput when the bytes are not it."""
        path = self.original(sha256, format)
        if path.is_file() or self.bucket is None:
            return path
        data = self.bucket.download(self.name(sha256, format))
        if data is None:
            raise FileNotFoundError(path)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise InvalidInput(f"{self.location(sha256, format)} does not match its name: the media store is damaged")
        atomic_write_bytes(path, data)
        return path

    def remove(self, sha256: str, format: str) -> bool:
        """Remove the original from every store; False when none had it."""
        removed = False
        try:
            self.original(sha256, format).unlink()
            removed = True
        except FileNotFoundError:
            pass
        if self.bucket is not None:
            name = self.name(sha256, format)
            if self.bucket.exists(name):
                self.bucket.delete([name])
                removed = True
        return removed


def open_store(settings: Settings) -> MediaStore:
    """The originals: ``[site] media_dir``, and the bucket of ``[media] store`` when it names one."""
    from balita_cli.buckets import Bucket, BucketUrl

    bucket = Bucket(BucketUrl.parse(settings.media.store), settings.s3) if settings.media.store else None
    return MediaStore(settings.resolve_path(settings.site.media_dir), bucket)
