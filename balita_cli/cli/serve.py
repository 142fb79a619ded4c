"""serve: preview the site, drafts included, on 127.0.0.1; it rebuilds when the database changes."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from balita_cli import console
from balita_cli.cli.build import build_options, run_build
from balita_cli.cli.state import AppState, app
from balita_cli.errors import InvalidInput

if TYPE_CHECKING:
    from balita_cli.site.options import BuildReport

PREVIEW_PREFIX = "balita-preview-"


def serve(
    ctx: typer.Context,
    *,
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")
    ] = 8000,
    poll: Annotated[
        float, typer.Option("--poll", min=0.2, max=3600, help="Seconds between checks of the database.")
    ] = 1.0,
    search: Annotated[bool, typer.Option("--search/--no-search", help="Make the search index too.")] = True,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the front page in the browser.")] = False,
) -> None:
    """Preview the site as readers will see it, with drafts, stories in review and scheduled
    stories marked by a PREVIEW ribbon.

    The preview is built into a temporary folder (never into the site's output folder) and served
    on 127.0.0.1. When the database changes it is rebuilt, and open pages reload. Ctrl-C stops it.

    Example: balita serve --port 8000   |   balita serve --port 0 --open
    """
    import tempfile  # here: --help imports every command module
    import webbrowser

    state = app(ctx)
    with tempfile.TemporaryDirectory(prefix=PREVIEW_PREFIX) as folder:
        server = preview_server(state, Path(folder), port=port, poll=poll, search=search)
        console.info(f"Preview of {state.settings.site.name} at {server.url} (drafts included; Ctrl-C stops)")
        if open_browser:
            webbrowser.open(server.url)
        signal.signal(signal.SIGTERM, _interrupt)
        server.run()
    console.info("Preview stopped")


def preview_server(state: AppState, folder: Path, *, port: int, poll: float, search: bool) -> Any:
    """A preview server over ``folder``: builds with drafts, polls the database's fingerprint."""
    from balita_cli.services.site import data_version  # here: --help imports every command module
    from balita_cli.site.preview import PreviewServer

    options = build_options(state, folder, preview=True, search=search, photo_seed=public_folder(state))

    def version() -> str:
        with state.reading() as db:
            return data_version(db)

    def built(report: BuildReport) -> None:
        for problem in report.problems:
            console.warn(problem)
        counts = report.counts.summary()
        console.info(f"Preview built: {report.articles} articles, {counts['written']} files written")

    return PreviewServer(
        folder,
        rebuild=lambda: run_build(state, options),
        version=version,
        port=port,
        poll=poll,
        on_build=built,
        on_error=console.error,
    )


def public_folder(state: AppState) -> Path:
    """The site's own output folder: the preview links the photo renditions it already has."""
    return state.settings.resolve_path(state.settings.site.output_dir)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def open_preview(state: AppState, slug: str, *, trash: bool = False) -> str:
    """Build the preview (drafts included) into this user's private preview folder and open the
    story's page in the browser; returns the page's address."""
    import hashlib  # here: --help imports every command module
    import tempfile
    import webbrowser

    if trash:
        raise InvalidInput("an article in the trash has no page; restore it first")
    where = hashlib.sha256(str(state.settings.config_path or state.settings.database_url).encode()).hexdigest()
    folder = Path(tempfile.gettempdir()) / f"{PREVIEW_PREFIX}{os.getuid()}-{where[:12]}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.is_symlink() or folder.stat().st_uid != os.getuid():
        raise InvalidInput(f"refusing to use the preview folder {folder}: it belongs to someone else")
    folder.chmod(0o700)  # drafts: only this user reads them
    run_build(state, build_options(state, folder, preview=True, search=False, photo_seed=public_folder(state)))
    page = folder / "articles" / slug / "index.html"
    if not page.is_file():
        raise InvalidInput(f"the preview has no page for {slug!r}")
    webbrowser.open(page.as_uri())
    return page.as_uri()


def register(typer_app: typer.Typer) -> None:
    typer_app.command("serve")(serve)
