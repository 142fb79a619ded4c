"""init: write balita.toml and create the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.state import state
from balita_cli.config import CONFIG_NAME, DEFAULT_DB_NAME, Site, validate_timezone
from balita_cli.errors import Conflict


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the site (default: here).")] = Path("."),
    *,
    name: Annotated[str, typer.Option(help="Site name.")] = Site.name,
    base_url: Annotated[str, typer.Option(help="Public base URL.")] = Site.base_url,
    language: Annotated[str, typer.Option(help="Default article language (BCP 47).")] = Site.language,
    timezone: Annotated[str, typer.Option(help="Site time zone (IANA name).")] = Site.timezone,
    publisher: Annotated[str, typer.Option(help="Publisher's name, shown on the site.")] = Site.publisher,
    contact: Annotated[str, typer.Option(help="Publisher's contact address.")] = Site.contact,
    database: Annotated[
        str | None, typer.Option("--database", help="Database URL (default: balita.db next to balita.toml).")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Load sample articles in English and Filipino.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing balita.toml.")] = False,
) -> None:
    """Create balita.toml and the database; --demo adds sample articles.

    Example: balita init --demo --name "Balita Ngayon" --base-url https://balita.example.ph
    """
    import tomli_w

    from balita_cli.config import render_config
    from balita_cli.files import atomic_write_text

    validate_timezone(timezone)
    config_path = directory.resolve() / CONFIG_NAME
    app_state = state()
    if config_path.exists() and not force:
        if not demo:
            raise Conflict(f"{config_path} exists (use --force to overwrite)")
    else:
        site = Site(name=name, base_url=base_url, language=language, timezone=timezone,
                    publisher=publisher, contact=contact)  # fmt: skip
        url = database or app_state.db_option or f"sqlite:///{DEFAULT_DB_NAME}"
        atomic_write_text(config_path, tomli_w.dumps(render_config(site, url)))
        console.info(f"Wrote {config_path}")
    app_state.site_option = str(config_path)
    app_state._settings = None
    from balita_cli.db.engine import display_url

    app_state.engine()
    console.info(f"Database ready: {display_url(app_state.settings.database_url)}")
    if demo:
        from balita_cli.services.demo import load_demo

        created = app_state.write(load_demo)
        console.info(f"Loaded {len(created)} sample articles. Try: balita list")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
