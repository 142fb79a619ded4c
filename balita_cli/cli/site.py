"""init: write balita.toml and create the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from balita_cli import console
from balita_cli.cli.state import AppState, app
from balita_cli.config import (
    CONFIG_NAME,
    DEFAULT_DB_NAME,
    Publisher,
    Site,
    render_config,
    validate_publisher,
    validate_timezone,
)
from balita_cli.db.urls import display_url, normalise_url, without_password
from balita_cli.errors import Conflict


def init(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Where to create the site (default: here).")] = Path("."),
    *,
    name: Annotated[str, typer.Option(help="Site name.")] = Site.name,
    base_url: Annotated[str, typer.Option(help="Public base URL.")] = Site.base_url,
    language: Annotated[str, typer.Option(help="Default article language (BCP 47).")] = Site.language,
    timezone: Annotated[str, typer.Option(help="Site time zone (IANA name).")] = Site.timezone,
    publisher: Annotated[str, typer.Option(help="Publisher's name, shown on the site.")] = Publisher.name,
    contact: Annotated[str, typer.Option(help="Publisher's contact e-mail address.")] = Publisher.email,
    legal_name: Annotated[str, typer.Option(help="The owner's registered (legal) name.")] = "",
    registration_number: Annotated[str, typer.Option(help="The owner's registration number.")] = "",
    registry: Annotated[str, typer.Option(help="Who registered the owner (e.g. the SEC).")] = "",
    address: Annotated[str, typer.Option(help="The owner's postal address.")] = "",
    country: Annotated[str, typer.Option(help="The owner's country (ISO 3166 code, e.g. PH).")] = "",
    phone: Annotated[str, typer.Option(help="The newsroom's phone number.")] = "",
    database: Annotated[
        str | None, typer.Option("--database", help="Database URL (default: balita.db next to balita.toml).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load sample articles in English and Filipino, and the policy pages.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing balita.toml.")] = False,
) -> None:
    """Create balita.toml, the database and a Contacts page; --demo adds sample articles and
    the about, editorial standards, corrections policy and privacy pages.

    Example: balita init --demo --name "Balita Ngayon" --legal-name "Balita Media Inc." --country PH
    """
    validate_timezone(timezone)
    state = app(ctx)
    config_path = directory.resolve() / CONFIG_NAME
    if config_path.exists() and not force and not demo:
        raise Conflict(f"{config_path} exists (use --force to overwrite)")
    if not config_path.exists() or force:
        owner = Publisher(
            name=publisher,
            legal_name=legal_name,
            registration_number=registration_number,
            registry=registry,
            address=address,
            country=country,
            email=contact,
            phone=phone,
        )
        site = Site(
            name=name,
            base_url=base_url,
            language=language,
            timezone=timezone,
            publisher=validate_publisher(owner, where="the publisher's"),
        )
        write_site(state, config_path, site, database or state.db_option or f"sqlite:///{DEFAULT_DB_NAME}")
    state.reload(str(config_path))
    from balita_cli.services.starter_pages import starter_pages  # here: --help imports every command module

    site_now = state.settings.site
    made = state.write(lambda session: starter_pages(session, site_now, demo=demo))
    if made:
        console.info(f"Made {console.counted(len(made), 'page')}. Try: balita page list")
    if demo:
        from balita_cli.services.demo import load_demo  # here: --help imports every command module

        created = state.write(load_demo)
        console.info(f"Loaded {len(created)} sample articles. Try: balita list")


def write_site(state: AppState, config_path: Path, site: Site, url: str) -> None:
    """Make the database ready first: balita.toml is written only once it works, and never with
    a password in it."""
    import tomli_w  # here: --help imports every command module

    from balita_cli.db.engine import create_db_engine
    from balita_cli.db.migrate import ensure_schema
    from balita_cli.files import atomic_write_text, make_directory

    make_directory(config_path.parent)
    full_url = normalise_url(url, config_path.parent)
    engine = create_db_engine(full_url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
    stored = without_password(url)
    atomic_write_text(config_path, tomli_w.dumps(render_config(site, stored)))
    console.info(f"Wrote {config_path}")
    console.info(f"Database ready: {display_url(full_url)}")
    if stored != url:
        console.info(
            "The database password was not written to balita.toml: keep it in BALITA_DATABASE_URL or ~/.pgpass"
        )


def register(typer_app: typer.Typer) -> None:
    typer_app.command("init")(init)
