"""WebSub: the feeds name the hub readers' apps subscribe at (``[websub] hub`` in balita.toml), and
after a build the hub is told of each feed whose bytes changed (``hub.mode=publish``), so it
fetches that feed and pushes it to its subscribers; a feed that did not change is never named.

A ping that fails (the hub is down, or refuses) is kept in the output folder's
``.balita-websub.json`` and sent again after the next build, whether or not its feed changed
again: a hub is told of every change at least once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from balita_cli.config import Settings, site_table
from balita_cli.errors import InvalidInput
from balita_cli.files import atomic_write_text
from balita_cli.services.remote import remote_url

PENDING_FILE = ".balita-websub.json"
PING_DEADLINE = 15.0


@dataclass(frozen=True)
class WebSubSettings:
    """``[websub]``: ``hub`` (a URL, or a list of them); ``allow_private`` for a hub on the
    newsroom's own network."""

    hubs: tuple[str, ...] = ()
    allow_private: bool = False


def websub_settings(settings: Settings) -> WebSubSettings:
    table = site_table(settings, "websub")
    where = f"{settings.config_path}: [websub]"
    unknown = sorted(set(table) - {"hub", "allow_private"})
    if unknown:
        raise InvalidInput(f"{where} has unknown setting(s): {', '.join(unknown)}")
    allow_private = table.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise InvalidInput(f"{where} allow_private must be true or false")
    given = table.get("hub", [])
    listed = [given] if isinstance(given, str) else given
    if not isinstance(listed, list) or not all(isinstance(hub, str) for hub in listed):
        raise InvalidInput(f"{where} hub must be a URL or a list of URLs")
    checked = [remote_url(hub, allow_private=allow_private, what="a hub URL", doing="pings") for hub in listed]
    return WebSubSettings(tuple(dict.fromkeys(checked)), allow_private)


@dataclass
class PingReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (hub, feed URL)
    failed: list[str] = field(default_factory=list)  # one line each


def ping(
    settings: WebSubSettings, output: Path, feed_urls: Sequence[str], *, site_url: str, user_agent: str
) -> PingReport:
    """Tell every hub of each feed URL (and of those a failed ping left, under ``site_url``);
    keep what fails for the next build."""
    from balita_cli.net import FetchPolicy, SendError, sender

    report = PingReport()
    wanted = [(hub, url) for hub in settings.hubs for url in feed_urls]
    todo = list(dict.fromkeys([*_pending(output, settings.hubs, site_url), *wanted]))
    if not todo:
        return report
    policy = FetchPolicy(
        deadline=PING_DEADLINE,
        max_bytes=64 * 1024,
        max_redirects=0,
        allow_private=settings.allow_private,
        user_agent=user_agent,
    )
    left: list[tuple[str, str]] = []
    http = sender(policy)
    try:
        for hub, url in todo:
            body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            try:
                answer = http.send("POST", hub, body, headers)
            except SendError as exc:
                report.failed.append(f"{hub} was not told of {url}: {exc.reason}")
                left.append((hub, url))
                continue
            if answer.ok:
                report.sent.append((hub, url))
            else:
                report.failed.append(f"{hub} refused the ping for {url}: it answered {answer.status}")
                left.append((hub, url))
    finally:
        http.close()
    _keep_pending(output, left)
    return report


def _pending(output: Path, hubs: Sequence[str], site_url: str) -> list[tuple[str, str]]:
    """Pings a build could not send, for hubs still configured and feeds of this site (the file
    lies in the output folder: nothing else is taken from it)."""
    try:
        stored = json.loads((output / PENDING_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(stored, list):
        return []
    pairs = [item for item in stored if isinstance(item, list) and len(item) == 2]
    return [(hub, url) for hub, url in pairs if hub in hubs and isinstance(url, str) and url.startswith(site_url)]


def _keep_pending(output: Path, left: list[tuple[str, str]]) -> None:
    path = output / PENDING_FILE
    if left:
        atomic_write_text(path, json.dumps([list(pair) for pair in left]) + "\n")
    else:
        path.unlink(missing_ok=True)
