"""WebSub: with a hub configured the feeds name it (and themselves), and after an edit and a build
a hub stand-in on 127.0.0.1 is told of exactly the feeds whose bytes changed, once each."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from lxml import etree

from tests.checkers.feeds import feed_problems, jsonfeed_problems
from tests.helpers.cli import Cli
from tests.helpers.receiver import receiving
from tests.helpers.site import site_manifest_files

BASE = "https://balita.example.ph"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class Hub:
    status: int = 204
    pings: list[dict[str, list[str]]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def hub() -> Iterator[Hub]:
    made = Hub()

    def answer(method: str, _path: str, headers: dict[str, str], body: bytes) -> int:
        assert method == "POST" and headers.get("content-type") == "application/x-www-form-urlencoded"
        made.pings.append(parse_qs(body.decode("ascii")))
        return made.status

    with receiving(answer) as base:
        made.url = f"{base}/hub"
        yield made


def newsroom(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    (tmp_path / "balita.toml").write_text(
        f'[site]\nbase_url = "{BASE}"\n\n[websub]\nhub = "{hub.url}"\nallow_private = true\n'
    )
    for title, section, tag in (
        ("Senate passes budget", "Politics", "Senate"),
        ("Film festival opens", "Culture", "Film"),
    ):
        cli.new(title, "--body", "Text.", "--section", section, "--tag", tag, "--status", "published")


def feed_hashes(output: Path) -> dict[str, str]:
    feeds = [path for path in site_manifest_files(output) if path.endswith(("feed.xml", "atom.xml", "feed.json"))]
    return {path: hashlib.sha256((output / path).read_bytes()).hexdigest() for path in feeds}


def pinged(hub: Hub) -> list[str]:
    assert all(ping["hub.mode"] == ["publish"] and len(ping["hub.url"]) == 1 for ping in hub.pings)
    return [ping["hub.url"][0] for ping in hub.pings]


def test_an_edit_pings_the_hub_once_for_each_feed_that_changed(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    newsroom(cli, tmp_path, hub)
    output = tmp_path / "public"
    first = json.loads(cli.ok("build", "-o", str(output), "--no-search", "--format", "json").stdout)
    before = feed_hashes(output)
    assert (
        sorted(pinged(hub))
        == sorted(f"{BASE}/{path}" for path in before)
        == sorted(f"{BASE}/{path}" for path in first["changed_feeds"])
    )
    hub.pings.clear()
    cli.ok("build", "-o", str(output), "--no-search")
    assert hub.pings == []  # nothing changed: no feed is named
    cli.ok("edit", "1", "--title", "Senate passes the 2027 budget")
    cli.ok("build", "-o", str(output), "--no-search")
    after = feed_hashes(output)
    changed = {path for path in after if after[path] != before.get(path)}
    assert {"feed.xml", "atom.xml", "feed.json", "sections/politics/feed.xml", "tags/senate/feed.xml"} <= changed
    assert "sections/culture/feed.xml" not in changed and "tags/film/feed.xml" not in changed
    assert sorted(pinged(hub)) == sorted(f"{BASE}/{path}" for path in changed)


def test_feeds_name_the_hub_and_themselves_and_still_pass_the_checks(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    newsroom(cli, tmp_path, hub)
    output = tmp_path / "public"
    cli.ok("build", "-o", str(output), "--no-search")
    for path, kind in (("feed.xml", "rss"), ("atom.xml", "atom"), ("sections/politics/feed.xml", "rss")):
        root = etree.fromstring((output / path).read_bytes())
        head = root if kind == "atom" else root.find("channel")
        links = {link.get("rel"): link.get("href") for link in head.findall(f"{{{ATOM}}}link")}
        assert links["hub"] == hub.url and links["self"] == f"{BASE}/{path}", path
        assert feed_problems(output / path, "atom" if kind == "atom" else "rss") == [], path
    feed = json.loads((output / "feed.json").read_text())
    assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}] and feed["feed_url"] == f"{BASE}/feed.json"
    assert jsonfeed_problems(feed) == []


def test_a_failed_ping_is_sent_after_the_next_build(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    newsroom(cli, tmp_path, hub)
    output = tmp_path / "public"
    cli.ok("build", "-o", str(output), "--no-search")
    hub.pings.clear()
    hub.status = 503
    cli.ok("edit", "2", "--title", "Film festival opens in Manila")
    result = cli.ok("build", "-o", str(output), "--no-search")
    refused = pinged(hub)
    assert refused and "refused the ping" in result.stderr
    hub.pings.clear()
    hub.status = 204
    cli.ok("build", "-o", str(output), "--no-search")  # nothing changed: only what was left undone
    assert sorted(pinged(hub)) == sorted(refused)
    hub.pings.clear()
    cli.ok("build", "-o", str(output), "--no-search")
    assert hub.pings == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('hub = "ftp://hub.example.ph/"', "must be an http(s) URL"),
        ('hub = "http://127.0.0.1:9/hub"', "127.0.0.1 is a loopback address"),
        ("hub = 3", "hub must be a URL or a list of URLs"),
        ('hub = "https://hub.example.ph/"\nsecret = "x"', "unknown setting(s): secret"),
    ],
)
def test_a_bad_hub_setting_is_one_error(cli: Cli, tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "balita.toml").write_text(f"[websub]\n{table}\n")
    assert message in cli.fails(["build", "-o", str(tmp_path / "public"), "--no-search"]).stderr


# ---------------------------------------------------------------- with a deploy target


def deployed_newsroom(cli: Cli, tmp_path: Path, hub: Hub) -> Path:
    newsroom(cli, tmp_path, hub)
    with (tmp_path / "balita.toml").open("a") as toml:
        toml.write('\n[deploy]\ntarget = "www"\n')
    return tmp_path / "public"


def test_with_a_deploy_target_the_hub_is_told_after_the_deploy_once_per_changed_feed(
    cli: Cli, tmp_path: Path, hub: Hub
) -> None:
    output = deployed_newsroom(cli, tmp_path, hub)
    built = json.loads(cli.ok("build", "--no-search", "--format", "json").stdout)
    assert hub.pings == [] and built["pinged"] == []  # readers' apps would fetch the old site
    assert built["pings_owed"] == len(built["changed_feeds"]) > 0
    first = json.loads(cli.ok("deploy", "--format", "json").stdout)
    assert sorted(pinged(hub)) == sorted(first["pinged"]) == sorted(f"{BASE}/{path}" for path in built["changed_feeds"])
    hub.pings.clear()
    cli.ok("deploy")
    assert hub.pings == []  # nothing was built since: nothing to tell

    before = feed_hashes(output)
    cli.ok("edit", "1", "--title", "Senate passes the 2027 budget")
    cli.ok("build", "--no-search")
    cli.ok("edit", "1", "--title", "Senate passes the 2027 national budget")
    cli.ok("build", "--no-search")  # two builds, one deploy: each changed feed is named once
    assert hub.pings == []
    changed = {path for path, digest in feed_hashes(output).items() if digest != before.get(path)}
    assert "sections/culture/feed.xml" not in changed and "sections/politics/feed.xml" in changed
    cli.ok("deploy", "--dry-run")
    assert hub.pings == []
    cli.ok("deploy", str(tmp_path / "staging"))  # a copy elsewhere tells nobody
    assert hub.pings == []
    result = cli.ok("deploy", "./www/")  # the configured target, however it is spelled
    assert sorted(pinged(hub)) == sorted(f"{BASE}/{path}" for path in changed)
    assert f"{len(changed)} WebSub pings" in result.stderr


def test_a_ping_failed_after_a_deploy_is_sent_after_the_next_one(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    deployed_newsroom(cli, tmp_path, hub)
    cli.ok("build", "--no-search")
    hub.status = 503
    result = cli.ok("deploy")
    refused = pinged(hub)
    assert refused and "refused the ping" in result.stderr
    hub.pings.clear()
    hub.status = 204
    cli.ok("build", "--no-search")  # nothing changed, and a build does not send what is owed
    assert hub.pings == []
    cli.ok("deploy")
    assert sorted(pinged(hub)) == sorted(refused)
    hub.pings.clear()
    cli.ok("deploy")
    assert hub.pings == []


def test_a_tick_tells_the_hub_after_its_deploy(cli: Cli, tmp_path: Path, hub: Hub) -> None:
    deployed_newsroom(cli, tmp_path, hub)
    summary = json.loads(cli.ok("tick", "--format", "json").stdout)
    built, deployed = (step for step in summary["steps"] if step["step"] in ("build", "deploy"))
    assert built["pinged"] == [] and built["pings_owed"] == len(built["changed_feeds"]) > 0
    assert sorted(pinged(hub)) == sorted(deployed["pinged"]) == sorted(f"{BASE}/{p}" for p in built["changed_feeds"])
    assert (tmp_path / "www" / "current" / "feed.xml").exists()
