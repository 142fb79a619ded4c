"""Database URLs: what a user may give (a file path, sqlite:///…, postgresql://…), made canonical,
and shown without the password. Standard library only: every command reads its URL first."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from balita_cli.errors import InvalidInput

POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
HIDDEN = "***"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def normalise_url(url: str, root: Path) -> str:
    """The URL balita connects with.

    A plain path is a SQLite file (relative to the site's folder); ``sqlite:///rel`` too;
    PostgreSQL URLs get the psycopg 3 driver. An in-memory SQLite database, which would lose
    everything when the command ends, is refused, and so is a URL nothing can open.
    """
    text = url.strip()
    if "://" not in text:
        if not text:
            raise InvalidInput("the database URL is empty")
        path = Path(text).expanduser()
        return sqlite_url(path if path.is_absolute() else root / path)
    scheme = text.split("://", 1)[0].lower()
    if scheme.startswith("sqlite"):
        return _sqlite_url(text, root)
    if scheme in POSTGRES_SCHEMES:
        _check_postgres(text)
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    raise InvalidInput(f"not a database URL: {display_url(text)} (give a file path, sqlite:///path or postgresql://…)")


def _sqlite_url(text: str, root: Path) -> str:
    if not text.startswith("sqlite:///"):
        raise InvalidInput(f"{text!r} names no file: use sqlite:///path/to/balita.db (or just the path)")
    path_text = text.removeprefix("sqlite:///").split("?", 1)[0]
    if not path_text or path_text == ":memory:" or path_text.startswith("file:"):
        raise InvalidInput(
            f"{text!r} is an in-memory database that loses everything when balita exits: give a file path"
        )
    path = Path(path_text)
    return sqlite_url(path if path.is_absolute() else root / path)


def _check_postgres(text: str) -> None:
    parts = _split(text)
    try:
        parts.port  # noqa: B018  (urlsplit checks the port only when asked)
    except ValueError:
        raise InvalidInput(f"database URL {display_url(text)} has a port that is not a number") from None
    if not parts.hostname and "host=" not in parts.query:
        raise InvalidInput(f"database URL {display_url(text)} names no host")


def _split(text: str) -> SplitResult:
    try:
        return urlsplit(text)
    except ValueError as exc:
        raise InvalidInput(f"cannot read database URL {display_url(text)}: {exc}") from None


def display_url(url: str) -> str:
    """The URL with its password replaced by ***, safe for any message, log or status line."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _mask_crudely(url)
    if parts.password is None and "password=" not in parts.query:
        return url
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{HIDDEN}@{host}"
    query = "&".join(
        f"password={HIDDEN}" if item.lower().startswith("password=") else item for item in parts.query.split("&")
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query if parts.query else "", parts.fragment))


def redact(text: str, url: str) -> str:
    """``text`` (a driver's error message) with the URL's password taken out wherever it appears,
    as written or percent-decoded: libpq quotes a bad part of a URL, or all of it, back."""
    secrets = _secrets(url)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


def _secrets(url: str) -> set[str]:
    try:
        parts = urlsplit(url)
        found = [parts.password or ""]
        query = parts.query
    except ValueError:  # too broken to parse: whatever lies between ``://user:`` and the last ``@``
        rest = url.partition("://")[2]
        userinfo = rest.rpartition("@")[0]
        found, query = [userinfo.partition(":")[2]], rest.partition("?")[2]
    found += [item.split("=", 1)[1] for item in query.split("&") if item.lower().startswith("password=")]
    return {form for secret in found if secret for form in (secret, unquote(secret))}


def _mask_crudely(url: str) -> str:
    """For a URL too broken to parse: hide everything between ``://user:`` and ``@``."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    return f"{head}://{userinfo.split(':', 1)[0]}:{HIDDEN}@{host}" if ":" in userinfo else url


def without_password(url: str) -> str:
    """The URL with no password at all (for what ``init`` writes into balita.toml)."""
    parts = _split(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, f"{userinfo.split(':', 1)[0]}@{host}", parts.path, parts.query, parts.fragment))
