"""How the desk fetches a feed, and what a source's stories get.

``[desk]`` in balita.toml (``desk_settings``: similarity threshold, window, concurrency, timeout,
feed size), the User-Agent naming the site and its contact, the ``FetchPolicy`` a feed is
fetched under, and a source's ``Intake`` (its credit, or its name, its title suffix, its excerpt
policy, section, language, tags and publish policy). ``balita fetch`` and ``balita import feed`` share them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from balita_cli import __version__
from balita_cli.db.dbapi import Database
from balita_cli.errors import NotFound
from balita_cli.services.desk import sources
from balita_cli.services.desk.source_settings import SourceRecord
from balita_cli.workflow import Status

if TYPE_CHECKING:
    from balita_cli.config import Settings, Site
    from balita_cli.formats.readers.feed import Intake
    from balita_cli.net import FetchPolicy

RELATED_THRESHOLD = 0.20  # balita_cli.text.similarity.DEFAULT_THRESHOLD, without importing it


@dataclass(frozen=True)
class DeskSettings:
    """``[desk]`` in balita.toml; every value has a default."""

    related_threshold: float = RELATED_THRESHOLD
    window_hours: int = 48  # stories this recent are compared with what comes in
    concurrency: int = 4  # feeds fetched at once
    timeout: float = 30.0  # seconds for one feed: connecting, redirects, the whole body
    max_feed_mb: int = 20  # a feed's size, as received and as decoded

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


_LIMITS: dict[str, tuple[type, float, float]] = {
    "related_threshold": (float, 0.01, 1.0),
    "window_hours": (int, 1, 24 * 30),
    "concurrency": (int, 1, 32),
    "timeout": (float, 1, 600),
    "max_feed_mb": (int, 1, 200),
}


def desk_settings(settings: Settings) -> DeskSettings:
    """The ``[desk]`` table of the site's balita.toml (the defaults where there is none)."""
    from balita_cli.config import numbers_of

    return DeskSettings(**numbers_of(settings, "desk", _LIMITS))


def user_agent(site: Site) -> str:
    """``balita/0.1.0 (Balita; +https://balita.example.ph; editors@balita.example.ph)``: who is
    asking and whom to write to, in printable ASCII as a header must be."""

    def ascii_text(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return " ".join("".join(c for c in folded if c.isprintable() and c not in "()\\;").split())[:120]

    details = "; ".join(
        part
        for part in (ascii_text(site.name), f"+{ascii_text(site.base_url)}", ascii_text(site.publisher.email))
        if part.strip("+")
    )
    return f"balita/{__version__} ({details})" if details else f"balita/{__version__}"


def fetch_policy(site: Site, desk: DeskSettings, *, allow_private: bool, timeout: float | None = None) -> FetchPolicy:
    from balita_cli.net import FetchPolicy  # here: the network code only for a fetch

    return FetchPolicy(
        deadline=timeout or desk.timeout,
        max_bytes=desk.max_feed_mb * 1024 * 1024,
        allow_private=allow_private,
        user_agent=user_agent(site),
    )


def intake_of(source: SourceRecord, site: Site, desk: DeskSettings, timeout: float | None = None) -> Intake:
    """What a source's stories get: its credit (its name unless set), its title suffix cut, its
    excerpt policy, section, language, tags and publish policy, and the way its feed is fetched."""
    from balita_cli.formats.readers.feed import Intake  # here: the feed parser only for a feed's body

    status = {"review": Status.REVIEW, "draft": Status.DRAFT, "auto": Status.PUBLISHED}[source["publish"]]
    return Intake(
        source_name=source["credit"] or source["name"],
        title_suffix=source["title_suffix"],
        excerpt_words=None if source["full_text"] else int(source["excerpt_words"]),
        section=source["section"],
        language=source["language"],
        tags=tuple(source["tags"]),
        status=status,
        fetch=fetch_policy(site, desk, allow_private=bool(source["allow_private"]), timeout=timeout),
    )


def import_intake(
    db: Database | None, settings: Settings, source_name: str | None, *, followed: bool = False
) -> tuple[Intake, int | None]:
    """``import feed``'s policy: a registered source's (and its id) when ``source_name`` names
    one, else the plain credit of ``source_name`` (or of the feed's own outlet) with the default
    excerpt; URLs fetched as the desk fetches them. ``followed``: the name must be a source's."""
    from balita_cli.formats.readers.feed import Intake  # here: the feed parser only for a feed's body

    rules = desk_settings(settings)
    if db is not None and source_name:
        try:
            found = sources.find(db, source_name)
        except NotFound:
            if followed:
                raise
        else:
            return intake_of(found, settings.site, rules), int(found["id"])
    policy = fetch_policy(settings.site, rules, allow_private=False)
    return Intake(source_name=source_name or "", fetch=policy), None
