"""Settings resolved when a command runs: flag > environment > balita.toml > default."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from balita_cli.db.urls import normalise_url, sqlite_url
from balita_cli.errors import InvalidInput

if TYPE_CHECKING:  # tomllib and zoneinfo load when a site is read: `balita --help` reads none
    from zoneinfo import ZoneInfo

CONFIG_NAME = "balita.toml"
DEFAULT_DB_NAME = "balita.db"
ENV_DATABASE_URL = "BALITA_DATABASE_URL"
ENV_SITE = "BALITA_SITE"
NO_SITE_MESSAGE = (
    f"no balita site here (no {CONFIG_NAME} in this folder or its parents); run `balita init`, or pass --site/--db"
)


class NoSite(InvalidInput):
    """A command that needs a database was run outside any site, with no database named."""


@dataclass(frozen=True)
class Publisher:
    """``[publisher]``: who owns the site, as the Contacts page, the footer, the structured data and
    the feeds say it. ``name`` is the name readers know; ``legal_name`` the registered one."""

    name: str = "Balita Publishing"
    legal_name: str = ""
    registration_number: str = ""
    registry: str = ""  # who registered it (the SEC, the DTI, a companies house)
    address: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 (PH)
    email: str = "editors@balita.example.ph"
    phone: str = ""
    logo: str = ""  # a PNG, JPEG or WebP next to balita.toml; empty: the logo balita ships

    @property
    def registered_name(self) -> str:
        return self.legal_name or self.name


@dataclass(frozen=True)
class Site:
    """What ``balita.toml`` says about the site; every field has a usable default."""

    name: str = "Balita"
    base_url: str = "https://balita.example.ph"
    description: str = "News from the Philippines, in English and Filipino."
    language: str = "en"
    timezone: str = "Asia/Manila"
    default_author: str = ""
    output_dir: str = "public"
    template_dir: str = "templates"
    user: str = ""
    # Sections in this order first on the front page and in the navigation (a TOML list, or
    # names separated by commas).
    sections: str = ""
    media_dir: str = "media"  # the media library's originals (kept out of output_dir: they keep EXIF)
    publisher: Publisher = field(default_factory=Publisher)

    @property
    def tz(self) -> ZoneInfo:
        return validate_timezone(self.timezone)


@dataclass(frozen=True)
class S3:
    """``[s3]``: how to reach the buckets, nothing secret. The standard AWS variables win over it
    (``AWS_ENDPOINT_URL``, ``AWS_REGION``, ``AWS_PROFILE``); credentials come only from them, a
    profile or the machine's role."""

    endpoint_url: str = ""
    region: str = ""
    profile: str = ""
    addressing_style: str = ""  # path, virtual or auto; empty: path when an endpoint is named


@dataclass(frozen=True)
class Media:
    """``[media]``: where photo originals live; empty: only the local ``[site] media_dir``."""

    store: str = ""  # s3://bucket/prefix


@dataclass(frozen=True)
class Deploy:
    """``[deploy]``: where ``balita deploy`` publishes the built site, and how."""

    target: str = ""  # s3://bucket/prefix, or a folder
    max_deletes: int = 256
    keep: int = 5  # releases a folder target keeps
    purge_command: str = ""


@dataclass(frozen=True)
class Smtp:
    """``[smtp]``: the mail server newsletters go through. The password comes from the file named
    here or from ``BALITA_SMTP_PASSWORD``, never from balita.toml or the command line."""

    host: str = "localhost"
    port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for none
    security: str = "starttls"  # starttls, ssl, or none (only to this machine)
    user: str = ""
    credentials_file: str = ""  # a file holding the password alone
    timeout: int = 30
    connections: int = 1  # messages handed over at once, each on its own connection


@dataclass(frozen=True)
class Newsletter:
    """``[newsletter]``: who the digests come from and where readers unsubscribe."""

    sender: str = ""  # "Name <address>"; empty: the site's name and contact address
    unsubscribe_url: str = ""  # empty: <base_url>/newsletter/unsubscribe (the WSGI app behind it)
    unsubscribe_mailto: str = ""  # empty: the site's contact address
    rate: int = 10  # messages a second at most (--rate)


SECRET_NAMES = ("secret", "password", "token", "access_key", "session")
TABLES: dict[str, type[S3 | Media | Deploy | Smtp | Newsletter]] = {
    "s3": S3,
    "media": Media,
    "deploy": Deploy,
    "smtp": Smtp,
    "newsletter": Newsletter,
}


@dataclass(frozen=True)
class Settings:
    site: Site = field(default_factory=Site)
    database_url: str = ""
    root: Path = field(default_factory=Path.cwd)
    config_path: Path | None = None
    s3: S3 = field(default_factory=S3)
    media: Media = field(default_factory=Media)
    deploy: Deploy = field(default_factory=Deploy)
    smtp: Smtp = field(default_factory=Smtp)
    newsletter: Newsletter = field(default_factory=Newsletter)

    def require_database(self) -> str:
        """The database URL; outside a site, with none given, a clear word instead of a new empty file."""
        if not self.database_url:
            raise NoSite(NO_SITE_MESSAGE)
        return self.database_url

    def resolve_path(self, relative: str) -> Path:
        """A path from the settings, read relative to the directory holding balita.toml."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path


def find_config(start: Path) -> Path | None:
    """Look for balita.toml in ``start`` and its parents, as git looks for its repository."""
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _site_path(site_option: str | None) -> Path | None:
    raw = site_option or os.environ.get(ENV_SITE)
    if not raw:
        return find_config(Path.cwd())
    path = Path(raw).expanduser()
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.is_file():
        raise InvalidInput(f"no {CONFIG_NAME} at {path}")
    return path


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # here: only when a balita.toml is read

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from exc


def _site_from(data: dict[str, Any], path: Path) -> Site:
    raw = data.get("site", {})
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: [site] must be a table")
    known = set(Site.__dataclass_fields__) - {"publisher"}
    unknown = sorted(set(raw) - known - set(LEGACY_PUBLISHER))
    if unknown:
        raise InvalidInput(f"{path}: unknown setting(s) in [site]: {', '.join(unknown)}")
    values = {
        key: ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in raw.items()
        if key in known
    }
    site = Site(**values, publisher=_publisher_from(data, raw, path))
    validate_timezone(site.timezone)
    return site


# What [site] said of the publisher before [publisher] existed: still read, [publisher] wins.
LEGACY_PUBLISHER = {"publisher": "name", "contact": "email", "address": "address", "logo": "logo"}
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\".]+")
PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{3,30}")


def _publisher_from(data: dict[str, Any], site: dict[str, Any], path: Path) -> Publisher:
    raw = data.get("publisher", {})
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: [publisher] must be a table")
    unknown = sorted(set(raw) - set(Publisher.__dataclass_fields__))
    if unknown:
        raise InvalidInput(f"{path}: unknown setting(s) in [publisher]: {', '.join(unknown)}")
    values = {field_name: site[old] for old, field_name in LEGACY_PUBLISHER.items() if old in site}
    values.update(raw)
    for key, value in values.items():
        if not isinstance(value, str):
            raise InvalidInput(f"{path}: [publisher] {key} must be text")
    return validate_publisher(Publisher(**values), where=f"{path}: [publisher]")


def validate_publisher(publisher: Publisher, *, where: str = "[publisher]") -> Publisher:
    """The publisher as readers will see it: one line each (no control characters), a real
    country code, an e-mail address and a phone number that can be dialled; the country is
    upper-cased and every value trimmed."""
    from balita_cli.schema import control_characters  # here: --help reads no schema

    values = {key: " ".join(value.split()) for key, value in dataclasses.asdict(publisher).items()}
    for key, value in values.items():
        if control_characters(value) or len(value) > MAX_PUBLISHER_VALUE:
            raise InvalidInput(f"{where} {key} must be one line of at most {MAX_PUBLISHER_VALUE} characters")
    if not values["name"]:
        raise InvalidInput(f"{where} name cannot be empty")
    country = values["country"].upper()
    if country and (not COUNTRY_CODE.fullmatch(country) or country_name(country) == country):
        raise InvalidInput(f"{where} country must be a two-letter ISO 3166 code such as PH, not {values['country']!r}")
    if values["email"] and not EMAIL.fullmatch(values["email"]):
        raise InvalidInput(f"{where} email {values['email']!r} is not an e-mail address")
    if values["phone"] and not PHONE.fullmatch(values["phone"]):
        raise InvalidInput(f"{where} phone {values['phone']!r} is not a phone number (digits, spaces, + - ( ) . /)")
    return Publisher(**{**values, "country": country})


MAX_PUBLISHER_VALUE = 500


def country_name(code: str, language: str = "en") -> str:
    """The country's name in the site's language (Babel's CLDR data); the code itself if unknown."""
    from babel import Locale, UnknownLocaleError  # here: only when a country is named

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    return str(locale.territories.get(code.upper(), code))


def _table(data: dict[str, Any], path: Path, name: str) -> Any:
    """``[s3]``, ``[media]`` or ``[deploy]``: known settings of the right type, and no secret (a
    balita.toml is shared and committed; keys belong in the environment or an AWS profile)."""
    kind = TABLES[name]
    raw = data.get(name, {})
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path}: [{name}] must be a table")
    for key in raw:
        if any(word in key.lower() for word in SECRET_NAMES):
            raise InvalidInput(
                f"{path}: [{name}] {key} looks like a credential; balita.toml holds no secrets: "
                + _where_secrets_go(name)
            )
    unknown = sorted(set(raw) - set(kind.__dataclass_fields__))
    if unknown:
        raise InvalidInput(f"{path}: unknown setting(s) in [{name}]: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        wanted = kind.__dataclass_fields__[key].type
        if wanted == "int":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidInput(f"{path}: [{name}] {key} must be a whole number, 0 or more")
        elif not isinstance(value, str):
            raise InvalidInput(f"{path}: [{name}] {key} must be text")
        values[key] = value
    return kind(**values)


def _where_secrets_go(table: str) -> str:
    if table == "smtp":
        return "set BALITA_SMTP_PASSWORD, or name a file holding it with credentials_file"
    return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name an AWS profile"


def validate_timezone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: only when a zone is named

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}") from exc


def load_settings(db_option: str | None = None, site_option: str | None = None) -> Settings:
    config_path = _site_path(site_option)
    tables: dict[str, Any] = {}
    if config_path is None:
        root = Path.cwd()
        site, configured_url = Site(), ""
    else:
        root = config_path.parent
        data = _read_toml(config_path)
        site = _site_from(data, config_path)
        database = data.get("database", {})
        configured_url = str(database.get("url", "")) if isinstance(database, dict) else ""
        tables = {name: _table(data, config_path, name) for name in TABLES}
    url = db_option or os.environ.get(ENV_DATABASE_URL) or configured_url
    if url:
        url = normalise_url(url, root)
    elif config_path is not None:
        url = sqlite_url(root / DEFAULT_DB_NAME)
    return Settings(site=site, database_url=url, root=root, config_path=config_path, **tables)


def render_config(site: Site, database_url: str) -> dict[str, Any]:
    """The document ``balita init`` writes."""
    values = asdict(replace(site))
    defaults = asdict(Publisher())
    publisher = {key: value for key, value in values.pop("publisher").items() if value and value != defaults[key]}
    return {"site": values, "publisher": publisher, "database": {"url": database_url}}


# (type, least, most) of each number a table of balita.toml may hold
Limits = dict[str, tuple[type, float, float]]


def site_table(settings: Settings, name: str) -> dict[str, Any]:
    """The ``[name]`` table of the site's balita.toml ({} where there is none)."""
    path = settings.config_path
    if path is None:
        return {}
    table = _read_toml(path).get(name, {})
    if not isinstance(table, dict):
        raise InvalidInput(f"{path}: [{name}] must be a table")
    return table


def numbers_of(settings: Settings, name: str, limits: Limits) -> dict[str, Any]:
    """The ``[name]`` table, every setting a number within its limits (no other setting allowed)."""
    table = site_table(settings, name)
    unknown = sorted(set(table) - set(limits))
    if unknown:
        raise InvalidInput(f"{settings.config_path}: unknown setting(s) in [{name}]: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind, low, high = limits[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind is int and not isinstance(value, int))
        ):
            raise InvalidInput(f"{settings.config_path}: [{name}] {key} must be a number, not {value!r}")
        if not low <= value <= high:
            raise InvalidInput(
                f"{settings.config_path}: [{name}] {key} must be between {low:g} and {high:g}, not {value!r}"
            )
        values[key] = kind(value)
    return values
