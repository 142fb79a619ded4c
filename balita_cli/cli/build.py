"""build: the static site, written incrementally into the output directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from balita_cli import console
from balita_cli.cli.output import write_json
from balita_cli.cli.state import AppState, app

if TYPE_CHECKING:
    from balita_cli.services.websub import PingReport, WebSubSettings
    from balita_cli.site.options import BuildOptions, BuildReport


class BuildFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def build(
    ctx: typer.Context,
    *,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output directory (default: output_dir in balita.toml)."),
    ] = None,
    clean: Annotated[
        bool,
        typer.Option("--clean", help="Rewrite every file, ignoring what the last build wrote."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite files in the output folder that balita did not write."),
    ] = False,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=10_000, help="Articles per list page.")] = 20,
    search: Annotated[
        bool, typer.Option("--search/--no-search", help="Make the Pagefind search index (search/ page).")
    ] = True,
    output_format: Annotated[
        BuildFormat,
        typer.Option("--format", "-f", help="text: a line on stderr; json: a summary on stdout."),
    ] = BuildFormat.TEXT,
) -> None:
    """Build the static site: front page, article, section, tag and author pages, photos, search,
    feeds and sitemaps.

    Only files whose content changed are written; files the last build wrote and this one does not
    produce are removed. Files balita did not write (your own index.html or robots.txt) are left
    alone, and the build says which; --force overwrites them.

    Example: balita build -o public   |   balita build --clean --format json
    """
    from balita_cli.services.websub import websub_settings  # here: --help imports every command module

    state = app(ctx)
    settings = state.settings
    target = output or settings.resolve_path(settings.site.output_dir)
    hubs = websub_settings(settings)
    chosen = {"clean": clean, "force": force, "page_size": page_size, "search": search, "hubs": hubs.hubs}
    options = build_options(state, target.resolve(), **chosen)
    report = run_build(state, options)
    pinged = announce(state, hubs, report)
    counts = report.counts.summary()
    for problem in [*report.problems, *pinged.failed]:
        console.warn(problem)
    searched = report.search
    shards = f"{searched.shards} shard{'' if searched.shards == 1 else 's'}"
    made = f"{searched.shards_made} of {shards} made in {searched.seconds:.1f} s"
    index = f"; search index {'unchanged' if searched.reused else made}" if search and not searched.problem else ""
    articles = f"{report.articles} article{'' if report.articles == 1 else 's'}"
    told = f"; {pings_said(pinged)}" if hubs.hubs else ""
    console.info(
        f"Built {articles} into {report.output}: {counts['written']} written, "
        f"{counts['kept']} unchanged, {counts['removed']} removed{index}{told}"
    )
    if output_format is BuildFormat.JSON:
        write_json({**report.summary(), "pinged": [url for _hub, url in pinged.sent], "pings_owed": pinged.owed})


def build_options(state: AppState, output: Path, **choices: object) -> BuildOptions:
    """The build's options from the settings (template, media and logo paths from balita.toml)."""
    from balita_cli.media.store import open_store  # here: --help imports every command module
    from balita_cli.site.options import BuildOptions

    site = state.settings.site
    resolve = state.settings.resolve_path
    return BuildOptions(
        output=output,
        template_dir=resolve(site.template_dir),
        media=open_store(state.settings) if site.media_dir else None,
        logo=resolve(site.publisher.logo) if site.publisher.logo else None,
        **choices,  # type: ignore[arg-type]
    )


def run_build(state: AppState, options: BuildOptions) -> BuildReport:
    """Read what the site shows and build it (the preview builds drafts too, into its own folder)."""
    from balita_cli.services.site import site_snapshot  # here: --help imports every command module
    from balita_cli.site.builder import SiteBuilder

    site = state.settings.site
    builder = SiteBuilder(site, options)
    with state.reading() as db:
        source = site_snapshot(
            db,
            site.base_url,
            preview=options.preview,
            order=site.sections.split(","),
            source=state.settings.require_database(),
        )
        return builder.build(source)


def announce(state: AppState, hubs: WebSubSettings, report: BuildReport) -> PingReport:
    """Tell the WebSub hubs of each feed the build changed (and of pings left undone); with a
    deploy target, only note them as owed: the deploy tells the hubs once readers can fetch them."""
    from balita_cli.services.websub import PingReport, owe

    if not hubs.hubs:
        return PingReport()
    from balita_cli.site.pages import absolute  # here: it loads the photo library

    site = state.settings.site
    urls = [absolute(site, path) for path in report.changed_feeds]
    if state.settings.deploy.target:
        return PingReport(owed=owe(hubs, report.output, urls, site_url=absolute(site, "")))
    return ping_hubs(state, hubs, report.output, urls)


def ping_hubs(state: AppState, hubs: WebSubSettings, output: Path, urls: list[str]) -> PingReport:
    """Tell the hubs of these feeds and of every ping owed in ``output``."""
    from balita_cli.services.desk.intake import user_agent
    from balita_cli.services.websub import ping
    from balita_cli.site.pages import absolute  # here: it loads the photo library

    site = state.settings.site
    return ping(hubs, output, urls, site_url=absolute(site, ""), user_agent=user_agent(site))


def pings_said(pinged: PingReport) -> str:
    if pinged.owed:
        return f"{pinged.owed} WebSub ping{'' if pinged.owed == 1 else 's'} owed after the deploy"
    return f"{len(pinged.sent)} WebSub ping{'' if len(pinged.sent) == 1 else 's'}"


def register(typer_app: typer.Typer) -> None:
    typer_app.command("build")(build)
