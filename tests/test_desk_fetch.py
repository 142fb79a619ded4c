"""``balita fetch``: the desk polls real Philippine feeds served by a real HTTP server on 127.0.0.1.

The feeds are the corpora's philstar.com, GMA and ABS-CBN (YouTube) feeds, served with ETags by
pytest-httpserver (threaded); balita fetches them through its own network code (httpx), nothing
mocked. Hostile servers (500, a hang, redirects to the cloud metadata address or a file, a
50 MB body, a gzip bomb, an HTML page) each cost their own source one error line while the
others still come in.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from tests.helpers.cli import BalitaProcess, Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.feed_server import FeedSite, Handler, add_source, articles, fetch_json, ph_news

MB = 1024 * 1024

OWN_HOST_ONLY = "a source allowed private addresses is followed on its own host only"


# ---------------------------------------------------------------- conditional GET


def test_a_second_fetch_sends_if_none_match_gets_304_and_creates_nothing(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    first = fetch_json(cli)
    assert {run["result"] for run in first.values()} == {"fetched"}
    created = sum(run["created"] + run["related"] for run in first.values())
    assert created == 10 + 15 + 14  # every entry of the three feeds: a story, or another's coverage
    count = len(articles(cli))

    second = fetch_json(cli, clock="in 20 minutes")

    assert {run["result"] for run in second.values()} == {"not modified"}
    assert all(run["created"] == run["related"] == 0 for run in second.values())
    assert len(articles(cli)) == count
    for path in ("/philstar.xml", "/gma.xml", "/abscbn.xml"):
        assert feed_site.requests_for(path) == [None, '"v1"']


def test_a_source_that_is_not_due_is_not_fetched(feed_site: FeedSite, cli: Cli) -> None:
    add_source(
        cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"), "--every", "30m"
    )
    fetch_json(cli)

    assert fetch_json(cli, clock="in 29 minutes") == {}
    assert "Nothing due; next: Philstar" in cli.ok("fetch").stderr
    assert fetch_json(cli, clock="in 31 minutes")["Philstar"]["result"] == "not modified"
    assert len(feed_site.requests_for("/philstar.xml")) == 2


def test_a_changed_feed_creates_only_its_new_entries(feed_site: FeedSite, cli: Cli) -> None:
    older = corpora_path("feeds", "ph-news", "philstar-history", "69cdbe2eb6", "philstar.xml").read_bytes()
    newer = corpora_path("feeds", "ph-news", "philstar.xml").read_bytes()
    add_source(cli, "Philstar", feed_site.put("/philstar.xml", older, '"old"'))
    first = fetch_json(cli)["Philstar"]
    assert first["created"] == 10

    feed_site.put("/philstar.xml", newer, '"new"')
    second = fetch_json(cli, "philstar")["Philstar"]

    assert feed_site.requests_for("/philstar.xml") == [None, '"old"']  # asked conditionally, changed: 200
    assert (second["result"], second["created"], second["skipped"]) == ("fetched", 4, 6)
    assert len(articles(cli)) == 14
    assert set(second["ids"]).isdisjoint(first["ids"])


def test_validators_are_kept_with_the_source(feed_site: FeedSite, cli: Cli) -> None:
    add_source(cli, "GMA News", feed_site.put_corpus("/gma.xml", "feeds", "ph-news", "gmanews.xml", etag='W/"gma-1"'))
    fetch_json(cli)
    shown = cli.json("source", "show", "gma-news", "--format", "json")
    assert shown["etag"] == 'W/"gma-1"' and shown["failures"] == 0 and shown["last_error"] == ""
    assert shown["last_fetch_at"] == shown["last_success_at"] == shown["last_new_at"]


# ---------------------------------------------------------------- one failing outlet never stops the others


def hang(release: threading.Event) -> Handler:
    def handler(request: Request) -> Response:
        release.wait(20)
        return Response("too late")

    return handler


def trickle(release: threading.Event) -> Handler:
    def stream() -> Iterator[bytes]:
        for _ in range(300):  # a byte every 0.1 s: 30 s if nobody stopped it
            yield b"<"
            if release.wait(0.1):
                return

    return lambda request: Response(stream(), content_type="application/rss+xml")


def fifty_megabytes(release: threading.Event) -> Handler:
    chunk = b"<item><title>x</title></item>" * 2000

    def stream() -> Iterator[bytes]:
        sent = 0
        while sent < 50 * MB and not release.is_set():
            sent += len(chunk)
            yield chunk

    return lambda request: Response(stream(), content_type="application/rss+xml")


def gzip_bomb() -> Handler:
    bomb = gzip.compress(b"<rss>" + bytes(40 * MB), compresslevel=9)  # 40 MB of zeros in ~40 KB
    return lambda request: Response(bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})


HOSTILE: dict[str, tuple[Callable[[FeedSite], Handler], str]] = {
    "Server Error": (lambda feed_site: lambda request: Response("oops", status=500), "the server answered 500"),
    "Hanging": (lambda feed_site: hang(feed_site.release), "no complete answer within the 1 s deadline"),
    "Trickling": (lambda feed_site: trickle(feed_site.release), "no complete answer within the 1 s deadline"),
    "Metadata": (
        lambda feed_site: (
            lambda request: Response("", status=302, headers={"Location": "http://169.254.169.254/latest/"})
        ),
        "redirected to http://169.254.169.254/latest/: 169.254.169.254 is a link-local address",
    ),
    "Passwd": (
        lambda feed_site: lambda request: Response("", status=301, headers={"Location": "file:///etc/passwd"}),
        "scheme 'file' is not allowed (http and https only)",
    ),
    "Huge": (lambda feed_site: fifty_megabytes(feed_site.release), "the body is larger than the 20 MB limit"),
    "Bomb": (lambda feed_site: gzip_bomb(), "the body is larger than the 20 MB limit"),
    "Home Page": (
        lambda feed_site: (
            lambda request: Response("<!DOCTYPE html><html><body>News</body></html>", content_type="text/html")
        ),
        "an HTML page, not a feed",
    ),
}


@pytest.mark.slow
def test_each_hostile_server_costs_its_source_one_error_line_and_the_others_come_in(
    feed_site: FeedSite, cli: Cli
) -> None:
    ph_news(feed_site, cli)
    for name, (make, _reason) in HOSTILE.items():
        add_source(cli, name, feed_site.route(f"/{name.replace(' ', '-').lower()}", make(feed_site)))

    result = cli("fetch", "--timeout", "1", "--format", "json")

    assert result.exit_code == 1 and "Traceback" not in result.stderr
    runs = {run["source"]: run for run in json.loads(result.stdout)}
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(HOSTILE)
    for name, (_make, reason) in HOSTILE.items():
        assert runs[name]["result"] == "failed" and reason in runs[name]["reason"], (name, runs[name])
        assert [line for line in errors if line.startswith(f"error: {name}: ")], name
        assert reason in next(line for line in errors if line.startswith(f"error: {name}: "))
    for outlet in ("Philstar", "GMA News", "ABS-CBN News"):
        assert runs[outlet]["result"] == "fetched" and runs[outlet]["created"] > 0
    assert len(articles(cli)) == sum(runs[outlet]["created"] for outlet in ("Philstar", "GMA News", "ABS-CBN News"))
    failing = cli.json("source", "show", "metadata", "--format", "json")
    assert failing["failures"] == 1 and "169.254.169.254" in failing["last_error"]


@pytest.mark.slow
def test_the_balita_process_fetches_with_the_same_outcomes(
    feed_site: FeedSite, cli: Cli, balita_process: BalitaProcess
) -> None:
    """``balita fetch`` as cron runs it, in a process of its own: every outcome, hostile ones
    included, is the same."""
    ph_news(feed_site, cli)
    for name in ("Server Error", "Metadata", "Passwd", "Bomb", "Home Page"):
        add_source(cli, name, feed_site.route(f"/{name.replace(' ', '-').lower()}", HOSTILE[name][0](feed_site)))

    result = balita_process("fetch", "--format", "json")

    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    runs = {run["source"]: run for run in json.loads(result.stdout)}
    for name in ("Server Error", "Metadata", "Passwd", "Bomb", "Home Page"):
        assert runs[name]["result"] == "failed" and HOSTILE[name][1] in runs[name]["reason"], (name, runs[name])
    outlets = ("Philstar", "GMA News", "ABS-CBN News")
    assert [runs[outlet]["created"] + runs[outlet]["related"] for outlet in outlets] == [10, 15, 14]
    assert len(articles(cli)) == sum(runs[outlet]["created"] for outlet in outlets)

    again = balita_process("fetch", "philstar", "gma-news", "--format", "json")
    assert [run["result"] for run in json.loads(again.stdout)] == ["not modified", "not modified"]
    assert feed_site.requests_for("/philstar.xml") == [None, '"v1"']


def test_a_feed_on_a_loopback_address_needs_allow_private(
    feed_site: FeedSite, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml")
    refused = cli.fails(["source", "add", "Philstar", url])
    assert "127.0.0.1 is a loopback address" in refused.stderr and "--allow-private" in refused.stderr
    assert "loopback" in cli.fails(["source", "add", "Local", "http://localhost:9/feed"]).stderr
    assert "link-local" in cli.fails(["source", "add", "Cloud", "http://169.254.169.254/", "--allow-private"]).stderr

    # A name is judged by the address it resolves to, when it is fetched (here: loopback).
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host == "feeds.balita-test.ph":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    cli.ok("source", "add", "Sneaky", url.replace("127.0.0.1", "feeds.balita-test.ph"))
    run = fetch_json(cli, code=1)["Sneaky"]
    assert run["result"] == "failed" and "feeds.balita-test.ph resolves to a loopback address" in run["reason"]
    assert feed_site.requests_for("/philstar.xml") == []


# ---------------------------------------------------------------- politeness


def moved_to(location: str) -> Handler:
    return lambda request: Response("", 302, {"Location": location})


def test_a_private_source_is_followed_on_its_own_host_only(feed_site: FeedSite, cli: Cli) -> None:
    """--allow-private trusts the source's host, not the network: no redirect to another port or host."""
    feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml")
    with socket.socket() as database_port:  # stands for another service on the newsroom's network
        database_port.bind(("127.0.0.1", 0))
        database_port.listen()
        database_port.settimeout(0)
        elsewhere = f"http://127.0.0.1:{database_port.getsockname()[1]}/"
        for name, location in (("Other port", elsewhere), ("Other host", "http://localhost:9/feed")):
            add_source(cli, name, feed_site.route(f"/{name[-4:]}", moved_to(location)))
        same_host = feed_site.route("/moved", lambda request: Response("", 301, {"Location": "/philstar.xml"}))
        add_source(cli, "Moved feed", same_host)
        runs = fetch_json(cli, code=1)
        with pytest.raises(BlockingIOError):
            database_port.accept()  # nothing reached it
    for name, location in (("Other port", elsewhere), ("Other host", "http://localhost:9/feed")):
        assert runs[name]["result"] == "failed"
        assert runs[name]["reason"].endswith(f"redirected to {location}: {OWN_HOST_ONLY}"), runs[name]["reason"]
    assert runs["Moved feed"]["result"] != "failed", runs["Moved feed"]


def test_a_fetched_story_is_not_updated_by_being_fetched(feed_site: FeedSite, cli: Cli, tmp_path: Path) -> None:
    """Copying an outlet's story here is not an editorial update: no "Updated", no later dateModified."""
    add_source(
        cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"), "--publish", "auto"
    )
    fetch_json(cli)
    story = articles(cli, "--status", "published", "--fields", "id,slug,published_at,updated_at")[0]
    assert story["updated_at"] == story["published_at"]
    output = tmp_path / "public"
    cli.ok("build", "--no-search", "--output", str(output))
    page = (output / "articles" / story["slug"] / "index.html").read_text(encoding="utf-8")
    assert 'class="updated"' not in page and "article:modified_time" not in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    assert data["dateModified"] == data["datePublished"]


def test_the_user_agent_names_the_site_and_its_contact(feed_site: FeedSite, cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text(
        '[site]\nname = "Balitá Ngayon"\nbase_url = "https://balita.example.ph"\ncontact = "desk@balita.example.ph"\n'
    )
    add_source(cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"))
    fetch_json(cli)
    agent = feed_site.log[0][2]["User-Agent"]
    assert re.fullmatch(r"balita/\S+ \(Balita Ngayon; \+https://balita\.example\.ph; desk@balita\.example\.ph\)", agent)
    assert feed_site.log[0][2]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.slow
def test_failures_back_off_and_retry_after_is_obeyed(feed_site: FeedSite, cli: Cli) -> None:
    add_source(cli, "Flaky", feed_site.route("/flaky", lambda request: Response("down", status=500)))
    busy = Response("busy", status=503, headers={"Retry-After": "7200"})
    add_source(cli, "Busy", feed_site.route("/busy", lambda request: busy))

    def wait(name: str) -> timedelta:
        shown = cli.json("source", "show", name, "--format", "json")
        return datetime.fromisoformat(shown["next_due_at"]) - datetime.fromisoformat(shown["last_fetch_at"])

    fetch_json(cli, code=1)
    assert wait("flaky") == timedelta(minutes=15) and wait("busy") == timedelta(hours=2)
    fetch_json(cli, "flaky", code=1)
    assert wait("flaky") == timedelta(minutes=30)
    fetch_json(cli, "flaky", code=1)
    assert wait("flaky") == timedelta(hours=1)
    assert cli.json("source", "show", "flaky", "--format", "json")["failures"] == 3

    feed_site.route("/flaky", lambda request: Response(FEED_WITH_ONE_ITEM, content_type="application/rss+xml"))
    recovered = fetch_json(cli, "flaky")["Flaky"]
    assert recovered["result"] == "fetched" and recovered["created"] == 1
    shown = cli.json("source", "show", "flaky", "--format", "json")
    assert (shown["failures"], shown["last_error"]) == (0, "")
    assert wait("flaky") == timedelta(minutes=15)


FEED_WITH_ONE_ITEM = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Flaky</title>
<link>https://flaky.example.ph/</link><item><title>Back online</title><link>https://flaky.example.ph/a</link>
<guid>flaky-1</guid><description>The outlet is back.</description></item></channel></rss>"""


def test_paused_sources_are_left_alone_unless_named(feed_site: FeedSite, cli: Cli) -> None:
    add_source(cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"))
    cli.ok("source", "pause", "philstar")
    assert fetch_json(cli) == {}
    assert feed_site.log == []
    assert fetch_json(cli, "Philstar")["Philstar"]["created"] == 10
    cli.ok("source", "resume", "philstar")
    assert fetch_json(cli)["Philstar"]["result"] == "not modified"


def test_fetch_of_an_unknown_source_is_one_error(cli: Cli) -> None:
    assert "no source 'Nowhere'" in cli.fails(["fetch", "Nowhere"]).stderr
    assert cli.ok("fetch").stderr.startswith("No sources to fetch")


def test_the_summary_table_says_what_became_of_each_source(feed_site: FeedSite, cli: Cli) -> None:
    ph_news(feed_site, cli)
    add_source(cli, "Broken", feed_site.route("/broken", lambda request: Response("oops", status=500)))
    result = cli("fetch")
    assert result.exit_code == 1
    table = result.stderr.splitlines()
    header = next(line for line in table if line.strip().startswith("source"))
    assert header.split() == ["source", "result", "created", "related", "repeated", "skipped", "next"]
    assert any(line.split()[:2] == ["Philstar", "fetched"] for line in table)
    assert any(line.split()[:2] == ["Broken", "failed"] for line in table)
    assert "error: Broken: cannot fetch http://127.0.0.1" in result.stderr


@pytest.mark.slow
def test_a_feed_of_thousands_of_entries_is_read_to_its_first_500(feed_site: FeedSite, cli: Cli) -> None:
    items = "".join(
        f"<item><title>Item {n} {'abcdefghij'[n % 10] * 3} {n * 7919 % 10007}</title>"
        f"<link>https://flood.example.ph/{n}</link><guid>flood-{n}</guid><description>Entry {n}.</description></item>"
        for n in range(2000)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Flood</title>{items}</channel></rss>'
    add_source(cli, "Flood", feed_site.put("/flood.xml", feed.encode(), '"f"'))
    result = cli("fetch", "--format", "json")
    (run,) = json.loads(result.stdout)
    assert run["created"] + run["related"] == 500
    assert "the feed holds 2,000 entries; the first 500 were read" in result.stderr


HEAVY = {"sqlalchemy", "sqlmodel", "pydantic", "alembic", "feedparser"}


def imported(cli: Cli, *args: str) -> set[str]:
    """The top-level packages a real ``balita`` process imports for ``args``."""
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "balita_cli", *args], env=env,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}


@pytest.mark.slow
def test_a_fetch_where_nothing_changed_and_the_desks_reads_load_no_orm(feed_site: FeedSite, cli: Cli) -> None:
    add_source(cli, "Philstar", feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml"))
    fetch_json(cli)
    assert imported(cli, "fetch", "philstar") & HEAVY == set()  # answered 304: a plain UPDATE records it
    assert cli.json("source", "show", "philstar", "--format", "json")["last_error"] == ""
    for command in (["source", "list"], ["review", "--peek"], ["list", "--clusters"]):
        assert imported(cli, *command) & HEAVY == set(), command
