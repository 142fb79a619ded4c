"""deploy: publish the last build to a bucket or a folder, and hand the changed URLs to a CDN."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli import console
from balita_cli.cli.options import ShowFormat
from balita_cli.cli.output import write_json, write_line
from balita_cli.cli.state import AppState, app
from balita_cli.errors import UsageError

if TYPE_CHECKING:
    from balita_cli.deploy import DeployReport
    from balita_cli.services.websub import PingReport


def deploy(
    ctx: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="[TARGET]",
            help="s3://bucket/prefix, or a folder (releases/ and a 'current' link); default: [deploy] target.",
            show_default=False,
        ),
    ] = None,
    *,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The built site to publish (default: output_dir in balita.toml)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be uploaded and deleted; change nothing.")
    ] = False,
    max_deletes: Annotated[
        int | None,
        typer.Option(
            "--max-deletes",
            min=0,
            help="Refuse a deploy that would delete more files (default: [deploy] max_deletes, else 256).",
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", min=1, help="Releases a folder target keeps (default: [deploy] keep, else 5)."),
    ] = None,
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Folder target: make the release before the live one live again.")
    ] = False,
    purge_command: Annotated[
        str | None,
        typer.Option(
            "--purge-command",
            metavar="CMD",
            help="Run CMD (no shell) after the deploy with the changed URLs on its standard input, one a line.",
        ),
    ] = None,
    output_format: Annotated[
        ShowFormat,
        typer.Option("--format", "-f", help="text: the changed URLs on stdout; json: a summary with them."),
    ] = ShowFormat.TEXT,
) -> None:
    """Publish the last build: only what it changed, pages after what they use, deletions last.

    To a bucket, the state of the last deploy is kept beside the site (.balita-deploy.json): nothing
    is listed or hashed again, and a deploy that was killed converges when run again. To a folder,
    a new release is made beside the live one and a link switched to it in one rename. The URLs of
    files replaced or deleted (what a CDN must forget) are printed on stdout. After a deploy to
    [deploy] target, the WebSub hubs ([websub]) are told of the feeds the builds since changed.

    Example: balita deploy s3://news-site   |   balita deploy /srv/www/balita --keep 3   |
    balita deploy --dry-run   |   balita deploy --purge-command "./purge-cdn.sh"
    """
    from balita_cli.deploy import purge_argv, roll_back, run_purge
    from balita_cli.deploy.plan import purge_urls

    state = app(ctx)
    settings = state.settings
    chosen = resolved_target(state, target or settings.deploy.target)
    if not chosen:
        raise UsageError("no deploy target: name one (s3://bucket/prefix or a folder), or set [deploy] target")
    command = settings.deploy.purge_command if purge_command is None else purge_command
    purge = purge_argv(command) if command or purge_command is not None else None
    built = (output or settings.resolve_path(settings.site.output_dir)).resolve()
    if rollback:
        report = roll_back(chosen)
    else:
        report = publish_build(state, chosen, built, dry_run=dry_run, max_deletes=max_deletes, keep=keep)
    urls = purge_urls(settings.site.base_url, report.replaced)
    pinged = None if dry_run or rollback else announce(state, chosen, built)
    if output_format is ShowFormat.JSON:
        write_json({**report.summary(), "urls": urls, "pinged": [url for _hub, url in pinged.sent] if pinged else []})
    elif dry_run:
        for path in report.uploaded:
            write_line(f"upload {path}")
        for path in report.deleted:
            write_line(f"delete {path}")
    else:
        for url in urls:
            write_line(url)
    for problem in pinged.failed if pinged else []:
        console.warn(problem)
    told = f"; {len(pinged.sent)} WebSub ping{'' if len(pinged.sent) == 1 else 's'}" if pinged and pinged.sent else ""
    console.info(_summary(report, rollback) + told)
    if purge is not None and not dry_run:
        run_purge(purge, urls)


def resolved_target(state: AppState, target: str) -> str:
    """A bucket URL as given, a folder made absolute from the site's folder; "" for none."""
    if not target or target.startswith("s3://"):
        return target
    return str(state.settings.resolve_path(target))


def publish_build(
    state: AppState, target: str, built: Path, *, dry_run: bool, max_deletes: int | None = None, keep: int | None = None
) -> DeployReport:
    """Publish the build in ``built`` to ``target`` with the [deploy] settings unless told otherwise."""
    from balita_cli.deploy import publish
    from balita_cli.site.pages import site_path

    settings = state.settings
    return publish(
        target,
        built,
        site_path(settings.site),
        settings.s3,
        dry_run=dry_run,
        max_deletes=settings.deploy.max_deletes if max_deletes is None else max_deletes,
        keep=settings.deploy.keep if keep is None else keep,
    )


def announce(state: AppState, target: str, built: Path) -> PingReport | None:
    """After a deploy to the site's own target, tell the WebSub hubs of the feeds the builds
    since the last deploy changed (a deploy elsewhere, a staging copy, tells nobody)."""
    from balita_cli.cli.build import ping_hubs
    from balita_cli.services.websub import websub_settings

    hubs = websub_settings(state.settings)
    if not hubs.hubs or not _same_place(target, resolved_target(state, state.settings.deploy.target)):
        return None
    return ping_hubs(state, hubs, built, [])


def _same_place(target: str, configured: str) -> bool:
    """``s3://site`` and ``s3://site/`` are one bucket; a folder is compared as resolved."""
    from balita_cli.buckets import BucketUrl, is_bucket_url

    if not configured or is_bucket_url(target) != is_bucket_url(configured):
        return False
    if is_bucket_url(target):
        return BucketUrl.parse(target) == BucketUrl.parse(configured)
    return Path(target).resolve() == Path(configured).resolve()


def _summary(report: DeployReport, rollback: bool) -> str:
    if rollback:
        return f"Rolled {report.target} back to {report.release}: {len(report.replaced)} files differ"
    release = f" (release {report.release})" if report.release else ""
    verb = "Would deploy" if report.dry_run else "Deployed"
    return (
        f"{verb} to {report.target}{release}: {len(report.uploaded)} uploaded, {len(report.deleted)} deleted, "
        f"{report.unchanged} unchanged"
    )


def register(typer_app: typer.Typer) -> None:
    typer_app.command("deploy")(deploy)
