"""Writing the built site incrementally: only files whose bytes changed touch the disk.

A manifest of content hashes (``.balita-build.json`` in the output directory) remembers what the
last build wrote. A page whose hash and size still match is kept as it is; a file the last build
wrote that this one no longer produces is removed. Files the build never wrote are never touched:
a page that would land on one (the site's own ``index.html`` or ``robots.txt`` in a folder that had
them before balita) is not written, and the build ends with an error naming it, unless ``force``.

Photo renditions are written by ``balita_cli.media`` under names made from their original's hash,
so a file that exists is the right one: the build ``claim``s them (recorded with that hash and
their size, never read again) instead of handing their bytes over. ``memo`` keeps small facts
between builds (what an original's inspection found), so an unchanged photo is not decoded again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from balita_cli.errors import Conflict, InvalidInput
from balita_cli.files import atomic_open, atomic_write_text

MANIFEST_NAME = ".balita-build.json"
MANIFEST_VERSION = 1


@dataclass
class BuildCounts:
    written: list[str] = field(default_factory=list)
    kept: int = 0
    removed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"written": len(self.written), "kept": self.kept, "removed": len(self.removed)}


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_relative(relative: str) -> str:
    """Every output path stays inside the output directory, whatever a slug contains."""
    parts = relative.split("/")
    if relative and parts[0] and all(part not in ("", ".", "..") for part in parts) and "\\" not in relative:
        return relative  # already plain: the common case, without pathlib's parsing
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise InvalidInput(f"refusing to write outside the output directory: {relative!r}")
    return str(path)


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest the last build left in ``root`` ({} when there is none or it is unreadable:
    that only costs a full rewrite)."""
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else {}


class OutputTree:
    """The output directory of one build: ``put`` each file, then ``finish``."""

    def __init__(self, root: Path, *, clean: bool = False, force: bool = False) -> None:
        self.root = root
        self.clean = clean
        self.force = force
        self.foreign: list[str] = []  # files the build would overwrite but never wrote
        data = read_manifest(root)
        files, memo = data.get("files"), data.get("memo")
        self.previous: dict[str, dict[str, Any]] = files if isinstance(files, dict) else {}
        self.previous_memo: dict[str, Any] = memo if isinstance(memo, dict) and not clean else {}
        self.current: dict[str, dict[str, Any]] = {}
        self.memo: dict[str, Any] = {}
        self.counts = BuildCounts()

    def put(self, relative: str, data: bytes, *, key: str | None = None) -> None:
        relative = _safe_relative(relative)
        entry: dict[str, Any] = {"sha256": _digest(data), "size": len(data)}
        if key is not None:
            entry["key"] = key
        self.current[relative] = entry
        if not self.clean and self._unchanged(relative, entry):
            self.counts.kept += 1
            return
        if relative not in self.previous and not self.force and self._foreign(relative, data):
            del self.current[relative]
            self.foreign.append(relative)
            return
        # Thousands of files: each appears whole by its rename; one sync in finish() makes them durable.
        with atomic_open(self.root / relative, "wb", durable=False) as stream:
            stream.write(data)
        self.counts.written.append(relative)

    def put_text(self, relative: str, text: str, *, key: str | None = None) -> None:
        self.put(relative, text.encode("utf-8"), key=key)

    def keep_if_current(self, relative: str, key: str) -> bool:
        """Keep a page the last build made from the same inputs (``key``) without rendering it."""
        relative = _safe_relative(relative)
        entry = self.previous.get(relative)
        if self.clean or entry is None or entry.get("key") != key or not self._unchanged(relative, entry):
            return False
        self.current[relative] = entry
        self.counts.kept += 1
        return True

    def claim(self, relative: str, source: str, *, size: int | None = None) -> int:
        """Record a file written into the tree by someone else (a photo rendition, named by the
        hash ``source`` of what it was made from; ``size`` when the caller just read it)."""
        relative = _safe_relative(relative)
        if size is None:
            size = (self.root / relative).stat().st_size
        entry = {"sha256": source, "size": size, "key": f"made-from:{source}"}
        if self.previous.get(relative) == entry:
            self.counts.kept += 1
        else:
            self.counts.written.append(relative)
        self.current[relative] = entry
        return size

    def previous_under(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Files the last build wrote under ``prefix`` (a folder), with their entries."""
        return {path: entry for path, entry in self.previous.items() if path.startswith(prefix)}

    def _foreign(self, relative: str, data: bytes) -> bool:
        """Someone else's file is at ``relative`` (the same bytes are adopted: nothing is lost)."""
        target = self.root / relative
        if not os.path.lexists(target):
            return False
        try:
            return target.is_symlink() or not target.is_file() or target.read_bytes() != data
        except OSError:
            return True

    def _unchanged(self, relative: str, entry: dict[str, Any]) -> bool:
        """The same bytes as the last build wrote (the inputs' key may differ: a page made from
        other inputs that comes out the same is not written again)."""
        previous = self.previous.get(relative)
        if previous is None or (previous.get("sha256"), previous.get("size")) != (entry["sha256"], entry["size"]):
            return False
        try:
            return (self.root / relative).stat().st_size == int(entry["size"])
        except OSError:
            return False

    def finish(self) -> BuildCounts:
        """Remove what the last build wrote and this one did not, then save the manifest."""
        for relative in sorted(set(self.previous) - set(self.current)):
            target = self.root / _safe_relative(relative)
            target.unlink(missing_ok=True)
            self._prune_empty(target.parent)
            self.counts.removed.append(relative)
        if self.counts.written:
            os.sync()  # every page on disk before the manifest says so
        document = {"version": MANIFEST_VERSION, "files": dict(sorted(self.current.items())),
                    "memo": dict(sorted(self.memo.items()))}  # fmt: skip
        # Compact, so the C encoder writes it: an indented dump of 10,000 entries takes ~0.3 s.
        text = json.dumps(document, separators=(",", ":")) + "\n"
        atomic_write_text(self.root / MANIFEST_NAME, text)
        if self.foreign:
            more = len(self.foreign) - 3
            named = ", ".join(self.foreign[:3]) + (f" and {more} more" if more > 0 else "")
            raise Conflict(
                f"{self.root} has files balita did not write, left as they are: {named} "
                "(move them away, or build --force to overwrite them)"
            )
        return self.counts

    def _prune_empty(self, directory: Path) -> None:
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty: something else lives there
            directory = directory.parent
