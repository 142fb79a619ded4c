"""Publishing the built site to an S3-compatible bucket: only what the last build changed.

The deploy reads one object, its state (``<prefix>.balita-deploy.json``), compares it with the
build's manifest (``deploy/plan.py``), and when something changed: writes the state again with the
paths it is about to upload as ``pending`` (only if nobody changed the state since it was read:
``If-Match``), uploads kind after kind, deletes, and writes the final state (``If-Match`` again).
A deploy killed anywhere leaves a state that the next run converges from; two deploys at once
cannot both write the state, and the second says so.
"""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from balita_cli.buckets import Bucket, BucketUrl
from balita_cli.config import S3
from balita_cli.deploy.plan import (
    STATE_NAME,
    DeployState,
    Plan,
    SiteFile,
    cache_control,
    check_deletes,
    content_type,
    make_plan,
)
from balita_cli.errors import Conflict, InvalidInput
from balita_cli.timeutil import utcnow

WORKERS = 8


@dataclass
class DeployReport:
    target: str
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    replaced: list[str] = field(default_factory=list)  # what a CDN should forget
    dry_run: bool = False
    release: str = ""  # a folder target's release now live

    def summary(self) -> dict[str, object]:
        return {
            "target": self.target,
            "uploaded": len(self.uploaded),
            "deleted": len(self.deleted),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "release": self.release,
        }


def read_file(output: Path, item: SiteFile) -> bytes:
    """A file of the build: a plain file (never a link a third party left in the folder), as
    large as the manifest says (else the folder changed since the build)."""
    path = output / item.path
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}; build again") from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise InvalidInput(f"{path} is not a plain file; build again")
        data = stream.read(item.size + 1)
    if len(data) != item.size:
        raise InvalidInput(f"{path} changed since the last build finished; build again")
    return data


def report_of(target: str, plan: Plan, *, dry_run: bool) -> DeployReport:
    return DeployReport(
        target, [item.path for item in plan.upload], list(plan.delete), plan.unchanged, list(plan.replaced), dry_run
    )


def deploy_to_bucket(
    files: dict[str, SiteFile], output: Path, url: BucketUrl, s3: S3, *, max_deletes: int, dry_run: bool = False
) -> DeployReport:
    bucket = Bucket(url, s3)
    stored = bucket.read(STATE_NAME)
    state = DeployState.from_bytes(stored.data) if stored is not None else DeployState()
    plan = make_plan(files, state or DeployState(), utcnow())
    report = report_of(str(url), plan, dry_run=dry_run)
    if dry_run or plan.empty:
        return report
    check_deletes(plan, max_deletes, str(url))
    before = state or DeployState()
    started = DeployState(before.files, sorted({*before.pending, *report.uploaded}), before.policy, before.retired)
    etag = _write_state(bucket, started, stored.etag if stored is not None else "")
    with ThreadPoolExecutor(WORKERS) as pool:
        for _kind, group in groupby(plan.upload, key=lambda item: item.kind):
            list(pool.map(lambda item: _upload(bucket, output, item), group))  # each kind whole before the next
    bucket.delete(plan.delete)
    _write_state(
        bucket, DeployState({path: item.fingerprint for path, item in files.items()}, retired=plan.retired), etag
    )
    return report


def _upload(bucket: Bucket, output: Path, item: SiteFile) -> None:
    bucket.write(
        item.path,
        read_file(output, item),
        content_type=content_type(item.path),
        cache_control=cache_control(item.path, item.kind),
        redirect=item.redirect,
    )


def _write_state(bucket: Bucket, state: DeployState, etag: str) -> str:
    try:
        return bucket.write(
            STATE_NAME,
            state.to_bytes(),
            content_type="application/json",
            cache_control="no-store",
            if_match=etag,
            if_absent=not etag,
        )
    except Conflict:
        raise Conflict(
            f"another deploy changed {bucket.url}{STATE_NAME} meanwhile; run `balita deploy` again"
        ) from None
