"""``balita deploy``: the built site published to a bucket or a folder, and the CDN told.

``plan.py`` works out what changed from the build's manifest, ``bucket.py`` and ``folder.py``
publish it, ``purge.py`` hands the changed addresses to the newsroom's purge command.
"""

from __future__ import annotations

from pathlib import Path

from balita_cli.buckets import BucketUrl, is_bucket_url
from balita_cli.config import S3
from balita_cli.deploy.bucket import DeployReport, deploy_to_bucket
from balita_cli.deploy.folder import deploy_to_folder, rollback
from balita_cli.deploy.plan import read_build
from balita_cli.deploy.purge import purge_argv, run_purge
from balita_cli.errors import InvalidInput

__all__ = ["DeployReport", "publish", "purge_argv", "roll_back", "run_purge"]


def publish(
    target: str, output: Path, site_path: str, s3: S3, *, max_deletes: int, keep: int, dry_run: bool = False
) -> DeployReport:
    """Publish the last build in ``output`` to ``target`` (``s3://bucket/prefix`` or a folder)."""
    files = read_build(output, site_path)
    if is_bucket_url(target):
        return deploy_to_bucket(files, output, BucketUrl.parse(target), s3, max_deletes=max_deletes, dry_run=dry_run)
    return deploy_to_folder(files, output, Path(target), keep=keep, max_deletes=max_deletes, dry_run=dry_run)


def roll_back(target: str) -> DeployReport:
    if is_bucket_url(target):
        raise InvalidInput("--rollback works on a folder target (a bucket keeps no releases)")
    return rollback(Path(target))
