"""build: the static site, written incrementally into the output directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.state import app


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
    page_size: Annotated[int, typer.Option("--page-size", min=1, help="Articles per list page.")] = 20,
    output_format: Annotated[
        BuildFormat,
        typer.Option("--format", "-f", help="text: a line on stderr; json: a summary on stdout."),
    ] = BuildFormat.TEXT,
) -> None:
    """Build the static site: home, article, section, tag and author pages, feeds and sitemaps.

    Only files whose content changed are written; files the last build wrote and this one does not
    produce are removed.

    Example: balita build -o public   |   balita build --clean --format json
    """
    from balita_cli.cli.output import write_json
    from balita_cli.services.site import navigation, site_articles
    from balita_cli.site.builder import BuildOptions, build_site

    state = app(ctx)
    settings = state.settings
    options = BuildOptions(
        output=(output or settings.resolve_path(settings.site.output_dir)).resolve(),
        template_dir=settings.resolve_path(settings.site.template_dir),
        clean=clean,
        page_size=page_size,
    )
    with state.reading() as db:
        report = build_site(site_articles(db, settings.site.base_url), navigation(db), settings.site, options)
    counts = report.counts.summary()
    console.info(
        f"Built {report.articles} articles into {report.output}: {counts['written']} written, "
        f"{counts['kept']} unchanged, {counts['removed']} removed"
    )
    if output_format is BuildFormat.JSON:
        write_json(report.summary())


def register(typer_app: typer.Typer) -> None:
    typer_app.command("build")(build)
