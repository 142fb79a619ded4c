"""Writing the built site incrementally: only files whose bytes changed touch the disk.

A manifest (``.balita-build.json`` in the output directory) remembers what the last build wrote:
each file's hash, size and the key of the inputs it was made from, and the build's own state
(``site``: which database it read, a digest of everything it read, and each article's stamp; see
``site/builder.py``). A page whose key and size still match is kept as it is; a file the last
build wrote that this one no longer produces is removed. Files the build never wrote are never
touched: a page that would land on one (the site's own ``index.html`` or ``robots.txt`` in a
folder that had them before balita) is not written, and the build ends with an error naming it,
unless ``force``.

A manifest that cannot be read counts as none (every file not byte-identical to what the build
makes is someone else's); one from an older balita still says which files are balita's, but
none of its keys is trusted.

Photo renditions are written by ``balita_cli.media`` under names made from their original's hash,
so a file that exists is the right one: the build ``claim``s them (recorded with that hash and
their size, never read again) instead of handing their bytes over. ``memo`` keeps small facts
between builds (what an original's inspection found), so an unchanged photo is not decoded again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from balita_cli.errors import Conflict, InvalidInput
from balita_cli.files import OutputError, atomic_write_bytes, default_mode, make_directory, reason

MANIFEST_NAME = ".balita-build.json"
MANIFEST_VERSION = 3
# Manifests whose file list is still good (their keys and state are not).
READABLE_VERSIONS = (1, 2, MANIFEST_VERSION)
# Past this many files written, one sync of the whole system is cheaper than a sync of each.
SYNC_ONE_BY_ONE = 200
# The manifest keeps its files as columns, one list per field, rather than an object per file:
# a build with nothing to do reads it before anything else.
FILE_COLUMNS = ("path", "size", "sha256", "key")
FileColumns = tuple[list[Any], list[Any], list[Any], list[Any]]


@dataclass
class BuildCounts:
    written: list[str] = field(default_factory=list)
    kept: int = 0
    removed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"written": len(self.written), "kept": self.kept, "removed": len(self.removed)}


def _fsync(path: str, flags: int) -> None:
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return  # a rendition another process replaced: it was synced by whoever wrote it
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


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


def _is_plain(relative: str) -> bool:
    try:
        return _safe_relative(relative) == relative
    except InvalidInput:
        return False


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest the last build left in ``root`` ({} when there is none, it is unreadable or
    from a balita that wrote another kind)."""
    try:
        data = orjson.loads((root / MANIFEST_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") not in READABLE_VERSIONS:
        return {}
    return data


def file_columns(files: Any) -> FileColumns:
    """The manifest's files as columns (path, size, sha256, key): version 3's lists, or an older
    manifest's object per file. The manifest lies in the output folder: lists of unequal length,
    a path that is not text or an entry that is not an object make no file of ours."""
    if isinstance(files, dict) and files.keys() == set(FILE_COLUMNS) and all(type(v) is list for v in files.values()):
        paths, sizes, digests, keys = (files[name] for name in FILE_COLUMNS)
        if len(paths) == len(sizes) == len(digests) == len(keys) and all(type(path) is str for path in paths):
            return paths, sizes, digests, keys
        return [], [], [], []
    entries = [(path, entry) for path, entry in files.items() if type(entry) is dict] if isinstance(files, dict) else []
    sizes, digests, keys = ([entry.get(name) for _, entry in entries] for name in FILE_COLUMNS[1:])
    return [path for path, _ in entries], sizes, digests, keys


def as_columns(files: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    ordered = sorted(files.items())
    columns: dict[str, list[Any]] = {"path": [path for path, _ in ordered]}
    for name in FILE_COLUMNS[1:]:
        columns[name] = [entry.get(name) for _, entry in ordered]
    return columns


def file_entry(sha256: Any, size: Any, key: Any) -> dict[str, Any]:
    entry = {"sha256": sha256, "size": size}
    if key is not None:
        entry["key"] = key
    return entry


def all_there(root: Path, files: Sequence[tuple[str, Any]]) -> bool:
    """Each ``(path, size)`` names a file under ``root`` of that size (a link is not followed).
    False at the first that is missing, of another size, or cannot be looked at."""
    try:
        return all(os.lstat(os.path.join(root, relative)).st_size == size for relative, size in files)
    except (OSError, ValueError):
        return False


def _only_plain(columns: FileColumns) -> FileColumns:
    """Only what a build could have written: a path outside the tree is no file of ours."""
    kept = [position for position, path in enumerate(columns[0]) if _is_plain(path)]
    paths, sizes, digests, keys = ([column[at] for at in kept] for column in columns)
    return paths, sizes, digests, keys


class OutputTree:
    """The output directory of one build: ``put`` each file (or ``keep_if_current``), then ``finish``."""

    def __init__(self, root: Path, *, clean: bool = False, force: bool = False) -> None:
        self.root = root
        self.clean = clean
        self.force = force
        self.foreign: list[str] = []  # files the build would overwrite but never wrote
        self.document = read_manifest(root)
        current_version = self.document.get("version") == MANIFEST_VERSION
        memo, state = self.document.get("memo"), self.document.get("site")
        # As the manifest lists them; ``previous`` keeps only what a build could have written.
        self.previous_files = file_columns(self.document.get("files"))
        self.previous_memo: dict[str, Any] = memo if isinstance(memo, dict) and not clean else {}
        # What the last build was made from; nothing when it was another balita's or --clean.
        self.previous_state: dict[str, Any] = state if isinstance(state, dict) and current_version and not clean else {}
        self.current: dict[str, dict[str, Any]] = {}
        self.memo: dict[str, Any] = {}
        self.counts = BuildCounts()
        self._mode = default_mode()
        self._directories: set[str] = set()
        self.kept_all = False
        self.saved = False  # the manifest of this build is written

    @cached_property
    def previous(self) -> dict[str, dict[str, Any]]:
        """Each file of the last build with its entry, made when first asked for: a build with
        nothing to do never asks, and is spared judging every path plain."""
        columns = _only_plain(self.previous_files)
        return {path: file_entry(sha256, size, key) for path, size, sha256, key in zip(*columns, strict=True)}

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
        self._write(relative, data)
        self.counts.written.append(relative)

    def put_text(self, relative: str, text: str, *, key: str | None = None) -> None:
        self.put(relative, text.encode("utf-8"), key=key)

    def keep_if_current(self, relative: str, key: str | None) -> bool:
        """Keep a page the last build made from the same inputs (``key``) without rendering it."""
        if key is None:
            return False
        relative = _safe_relative(relative)
        entry = self.previous.get(relative)
        if self.clean or entry is None or entry.get("key") != key:
            return False
        try:  # still there, as large as it was
            if os.stat(os.path.join(self.root, relative)).st_size != entry.get("size"):
                return False
        except OSError:
            return False
        self.current[relative] = entry
        self.counts.kept += 1
        return True

    def keep_all(self) -> bool:
        """Keep every file of the last build (nothing it was made from has changed) when each is
        still there with the size it had; False, keeping nothing, when one is not. The manifest
        then stands as it is: nothing more is put, and ``finish`` writes nothing. The paths are
        looked at as the manifest lists them (a path out of the folder is only looked at: nothing
        is written or removed here, and a false answer costs a full build)."""
        paths, sizes = self.previous_files[0], self.previous_files[1]
        if self.clean or not paths or not all_there(self.root, list(zip(paths, sizes, strict=True))):
            return False
        self.kept_all = True
        self.counts.kept = len(self.previous_files[0])
        return True

    def previous_key(self, relative: str) -> str | None:
        entry = self.previous.get(relative)
        key = entry.get("key") if entry is not None else None
        return key if isinstance(key, str) else None

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

    def _write(self, relative: str, data: bytes) -> None:
        """The file appears whole by its rename (thousands of them: one sync in ``finish``)."""
        target = os.path.join(self.root, relative)
        directory = os.path.dirname(target)
        if directory not in self._directories:
            make_directory(Path(directory))
            self._directories.add(directory)
        temporary = os.path.join(directory, f".{os.path.basename(target)}.{os.getpid()}.tmp")
        try:
            try:
                mode = os.stat(target).st_mode & 0o7777  # a replaced file keeps its mode
            except FileNotFoundError:
                mode = self._mode
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            try:
                handle = os.open(temporary, flags, 0o600)
            except FileExistsError:  # left by a build that was killed: ours, and never renamed
                os.unlink(temporary)
                handle = os.open(temporary, flags, 0o600)
            try:
                os.fchmod(handle, mode)
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view) :]
            finally:
                os.close(handle)
            os.replace(temporary, target)
        except OSError as exc:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise OutputError(f"cannot write {target}: {reason(exc)}") from None

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
            return os.stat(os.path.join(self.root, relative)).st_size == int(entry["size"])
        except (OSError, TypeError, ValueError):
            return False

    def finish(self, state: dict[str, Any] | None = None) -> BuildCounts:
        """Remove what the last build wrote and this one did not, then save the manifest with the
        build's ``state`` (what its pages were made from)."""
        if self.kept_all:
            return self.counts
        for relative in sorted(set(self.previous) - set(self.current)):
            if self._remove(relative):
                self.counts.removed.append(relative)
        if self.foreign and state is not None:
            state = {**state, "digest": None}  # the next build must meet those files again
        document: dict[str, Any] = {
            "version": MANIFEST_VERSION,
            "files": as_columns(self.current),
            "memo": dict(sorted(self.memo.items())),
        }
        if state is not None:
            document["site"] = state
        if self.counts.written or self.counts.removed or document != self.document:
            self._sync()  # every page on disk before the manifest says so
            atomic_write_bytes(self.root / MANIFEST_NAME, orjson.dumps(document) + b"\n")
        self.saved = True
        if self.foreign:
            more = len(self.foreign) - 3
            named = ", ".join(self.foreign[:3]) + (f" and {more} more" if more > 0 else "")
            raise Conflict(
                f"{self.root} has files balita did not write, left as they are: {named} "
                "(move them away, or build --force to overwrite them)"
            )
        return self.counts

    def record_unfinished(self) -> None:
        """After a build that stopped part-way: a manifest naming every file of the last build and
        every file this one wrote, without the build's state. The next build claims them as its
        own and makes again what it must; a file no build wrote is still someone else's."""
        if self.saved or self.kept_all or not self.counts.written:
            return  # nothing written: the last manifest still says what the folder holds
        memo = {**self.previous_memo, **self.memo}
        files = as_columns({**self.previous, **self.current})
        document = {"version": MANIFEST_VERSION, "files": files, "memo": dict(sorted(memo.items()))}
        try:
            self._sync()
            atomic_write_bytes(self.root / MANIFEST_NAME, orjson.dumps(document) + b"\n")
        except (OSError, OutputError):
            return  # the error that stopped the build is the one to report
        self.saved = True

    @cached_property
    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def _remove(self, relative: str) -> bool:
        """Remove a file the last build wrote. The manifest lies in the output folder, so what it
        names may be a folder, or lie behind a link to somewhere else: such a thing is left alone."""
        target = self.root / relative
        inside = self._real_root
        folder = os.path.realpath(target.parent)
        if folder != inside and not folder.startswith(inside + os.sep):
            return False
        try:
            if stat.S_ISDIR(os.lstat(target).st_mode):
                return False
            target.unlink()
        except FileNotFoundError:
            pass  # already gone: the manifest no longer names it either
        except NotADirectoryError:
            return False  # a file stands where the manifest has a folder
        except OSError as exc:
            raise OutputError(f"cannot remove {target}: {reason(exc)}") from None
        self._prune_empty(target.parent)
        return True

    def _sync(self) -> None:
        """Make what this build wrote durable: a few files one by one (with their folders, which
        hold the renames), thousands with one sync of everything."""
        written = self.counts.written
        if len(written) > SYNC_ONE_BY_ONE:
            os.sync()
            return
        folders = set()
        for relative in written:
            target = os.path.join(self.root, relative)
            folders.add(os.path.dirname(target))
            _fsync(target, os.O_RDONLY)
        for folder in sorted(folders):
            _fsync(folder, os.O_RDONLY | os.O_DIRECTORY)

    def _prune_empty(self, directory: Path) -> None:
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty: something else lives there
            directory = directory.parent
