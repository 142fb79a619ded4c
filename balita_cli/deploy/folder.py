"""Publishing the built site to a local or mounted folder, switched atomically.

The folder holds ``releases/<time>/`` (each a whole copy of the site) and ``current``, a symbolic
link to one of them that the web server serves. A deploy makes the next release in a hidden
folder (files the live release already has with the same content are hard links to it, the
others copies from the build), makes it durable, renames it into ``releases/``, then replaces
``current`` by renaming a new link over it: a reader sees the old release or the new one, never a
half-written one. ``rollback`` points ``current`` at the release before it; ``keep`` releases
are kept (and always the live one).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from balita_cli.deploy.bucket import DeployReport, read_file, report_of
from balita_cli.deploy.plan import STATE_NAME, DeployState, Plan, SiteFile, check_deletes, make_plan
from balita_cli.errors import Conflict, InvalidInput, NotFound
from balita_cli.files import OutputError, atomic_write_bytes, default_mode, make_directory, reason

RELEASES = "releases"
CURRENT = "current"
INCOMING = ".incoming-"
LOCK = ".balita-deploy.lock"


class ReleaseFolder:
    """A deploy target folder: its releases and the link to the live one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.releases = root / RELEASES
        self.link = root / CURRENT

    def live(self) -> str | None:
        """The name of the release ``current`` points at (None before the first deploy)."""
        if not os.path.lexists(self.link):
            return None
        if not self.link.is_symlink():
            raise InvalidInput(f"{self.link} is not a link balita made; move it away to deploy here")
        target = os.readlink(self.link)
        name = Path(target).name
        if target != f"{RELEASES}/{name}" or not (self.releases / name).is_dir():
            raise InvalidInput(f"{self.link} points at {target!r}, not at one of {self.releases}'s releases")
        return name

    def names(self) -> list[str]:
        try:
            return sorted(
                entry.name
                for entry in os.scandir(self.releases)
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
            )
        except FileNotFoundError:
            return []

    def state(self, name: str | None) -> DeployState:
        if name is None:
            return DeployState()
        try:
            data = (self.releases / name / STATE_NAME).read_bytes()
        except OSError:
            return DeployState()
        return DeployState.from_bytes(data) or DeployState()

    def switch(self, name: str) -> None:
        """Point ``current`` at release ``name`` in one rename."""
        temporary = self.root / f".{CURRENT}.{os.getpid()}"
        try:
            temporary.unlink(missing_ok=True)
            os.symlink(f"{RELEASES}/{name}", temporary)
            os.replace(temporary, self.link)
            _fsync_folder(self.root)
        except OSError as exc:
            raise OutputError(f"cannot switch {self.link} to {name}: {reason(exc)}") from None

    def new_name(self) -> str:
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        taken = set(self.names())
        number = 1
        while (f"{name}-{number}" if number > 1 else name) in taken:
            number += 1
        return f"{name}-{number}" if number > 1 else name

    def prune(self, keep: int) -> list[str]:
        """Remove all but the newest ``keep`` releases (never the live one), and what killed
        deploys left half made."""
        live = self.live()
        names = self.names()
        doomed = [name for name in names[: max(len(names) - keep, 0)] if name != live]
        leftovers = [entry.name for entry in os.scandir(self.releases) if entry.name.startswith(INCOMING)]
        for name in doomed + leftovers:
            shutil.rmtree(self.releases / name, ignore_errors=True)
        return doomed


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _check_apart(output: Path, target: Path) -> None:
    output, target = output.resolve(), target.resolve()
    if output == target or output in target.parents or target in output.parents:
        raise InvalidInput(f"the deploy folder {target} and the build's folder {output} must not hold each other")


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """One deploy or rollback of a folder at a time (the lock goes with the process)."""
    import fcntl

    make_directory(target)
    with open(target / LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(f"another deploy to {target} is running; try again when it is done") from None
        yield


def deploy_to_folder(
    files: dict[str, SiteFile], output: Path, target: Path, *, keep: int, max_deletes: int, dry_run: bool = False
) -> DeployReport:
    _check_apart(output, target)
    if dry_run:
        return _deploy(files, output, target, keep=keep, max_deletes=max_deletes, dry_run=True)
    with locked(target):
        return _deploy(files, output, target, keep=keep, max_deletes=max_deletes, dry_run=False)


def _deploy(
    files: dict[str, SiteFile], output: Path, target: Path, *, keep: int, max_deletes: int, dry_run: bool
) -> DeployReport:
    folder = ReleaseFolder(target)
    live = folder.live()
    plan = make_plan(files, folder.state(live))
    report = report_of(str(target), plan, dry_run=dry_run)
    report.release = live or ""
    if dry_run or (plan.empty and live is not None):
        return report
    check_deletes(plan, max_deletes, str(target))
    make_directory(folder.releases)
    name = folder.new_name()
    incoming = folder.releases / f"{INCOMING}{name}"
    _make_release(files, output, folder, live, plan, incoming)
    os.replace(incoming, folder.releases / name)
    _fsync_folder(folder.releases)
    folder.switch(name)
    folder.prune(keep)
    report.release = name
    return report


def _make_release(
    files: dict[str, SiteFile], output: Path, folder: ReleaseFolder, live: str | None, plan: Plan, incoming: Path
) -> None:
    changed = {item.path for item in plan.upload}
    mode = default_mode()
    made: set[Path] = set()
    finished = False
    try:
        for path, item in files.items():
            destination = incoming / path
            if destination.parent not in made:
                make_directory(destination.parent)
                made.add(destination.parent)
            if live is not None and path not in changed and _linked(folder.releases / live / path, destination):
                continue
            with open(destination, "xb") as copy:
                copy.write(read_file(output, item))
            os.chmod(destination, mode)
        state = DeployState({path: item.fingerprint for path, item in files.items()})
        atomic_write_bytes(incoming / STATE_NAME, state.to_bytes())
        os.sync()  # every file of the release on disk before the link names it
        finished = True
    except OSError as exc:
        raise OutputError(f"cannot write the release {incoming.name[len(INCOMING) :]}: {reason(exc)}") from None
    finally:
        if not finished:
            shutil.rmtree(incoming, ignore_errors=True)


def _linked(existing: Path, destination: Path) -> bool:
    """A hard link to the live release's copy (False when there is none, or across devices)."""
    try:
        os.link(existing, destination, follow_symlinks=False)
    except OSError:
        return False
    return True


def rollback(target: Path) -> DeployReport:
    """Point ``current`` at the release before the live one."""
    with locked(target):
        return _rollback(ReleaseFolder(target))


def _rollback(folder: ReleaseFolder) -> DeployReport:
    target = folder.root
    live = folder.live()
    names = folder.names()
    if live is None:
        raise NotFound(f"nothing is deployed in {target} yet")
    position = names.index(live)
    if position == 0:
        raise NotFound(f"no release before {live} in {folder.releases} to roll back to")
    earlier = names[position - 1]
    now, before = folder.state(live).files, folder.state(earlier).files
    differing = sorted(path for path in set(now) | set(before) if now.get(path) != before.get(path))
    folder.switch(earlier)
    return DeployReport(str(target), unchanged=len(before) - len(differing), replaced=differing, release=earlier)
