"""WebSub: the feeds name the hub readers' apps subscribe at (``[websub] hub`` in balita.toml), and
the hub is told of each feed whose bytes changed (``hub.mode=publish``), so it fetches that feed
and pushes it to its subscribers; a feed that did not change is never named.

Without a deploy target the hub is told right after the build. With one (``[deploy] target``)
the site readers fetch is the deployed one: the build only notes the changed feeds as owed, and
the next deploy to that target tells the hub, once per feed however many builds came between.

Owed pings, and pings that failed (the hub is down, or refuses), are kept in the output folder's
``.balita-websub.json`` and sent with the next round, whether or not their feed changed again: a
hub is told of every change at least once.
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
    owed: int = 0  # noted for after the deploy, not sent yet


def ping(
    settings: WebSubSettings, output: Path, feed_urls: Sequence[str], *, site_url: str, user_agent: str
) -> PingReport:
    """Tell every hub of each feed URL (and of those owed or left by a failed ping, under
    ``site_url``); keep what fails for the next round."""
    from balita_cli.net import FetchPolicy, SendError, sender

    report = PingReport()
    todo = list(dict.fromkeys([*_pending(output, settings.hubs, site_url), *_pairs(settings, feed_urls)]))
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


def owe(settings: WebSubSettings, output: Path, feed_urls: Sequence[str], *, site_url: str) -> int:
    """Note that every hub must be told of these feeds after the next deploy; returns how many
    pings are owed in all."""
    owed = list(dict.fromkeys([*_pending(output, settings.hubs, site_url), *_pairs(settings, feed_urls)]))
    _keep_pending(output, owed)
    return len(owed)


def _pairs(settings: WebSubSettings, feed_urls: Sequence[str]) -> list[tuple[str, str]]:
    return [(hub, url) for hub in settings.hubs for url in feed_urls]


def _pending(output: Path, hubs: Sequence[str], site_url: str) -> list[tuple[str, str]]:
    """Pings owed or not sent, for hubs still configured and feeds of this site (the file
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
