"""The aggregator desk's two figures: a fetch where nothing changed, and a busy fetch.

    python benchmarks/desk.py [--runs 5] [--json benchmarks/results/desk.json]

1. **Quiet**: 20 sources whose feeds (served with ETags by a threaded HTTP server in this
   process, on 127.0.0.1) have not changed since the last fetch, so each answers 304. Budget:
   ``balita fetch`` within 2 times a bare ``balita list`` on the same site.
2. **Busy**: 20 sources of 50 new entries each (one in ten another outlet's version of a story
   already held), filed against 10,000 stories of the last 48 hours. Budget: one ``balita
   fetch`` files the 1,000 entries within 10 seconds on 2 cores.

Between runs the sources are made due again and what the busy run filed is removed, outside the
timing. ``--postgres URL`` runs both on a PostgreSQL server instead of SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import archive  # noqa: E402
from benchmarks.archive import postgres_database  # noqa: E402
from benchmarks.measure import Measurement, console_script, measure, say  # noqa: E402
from benchmarks.report import BARE_LIST, BUSY_FETCH, QUIET_FETCH, Results, fetch_budgets, machine_info, render  # noqa: E402

SOURCES = 20
ENTRIES = 50
STORIES = 10_000
RELATED_SHARE = 0.10
QUIET_ENTRIES = 10  # per feed in the all-304 site
BALITA_ENV = ("BALITA_DATABASE_URL", "BALITA_SITE", "BALITA_USER", "NO_COLOR", "BALITA_CLOCK")


# ---------------------------------------------------------------- the outlets' server


class Feeds:
    """path -> (body, etag); a request whose If-None-Match is the ETag gets 304."""

    def __init__(self) -> None:
        self.feeds: dict[str, tuple[bytes, str]] = {}
        self.requests = 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                feeds.requests += 1
                found = feeds.feeds.get(self.path)
                if found is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, etag = found
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 answering with ``handler``; its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def rss(outlet: str, items: list[dict[str, Any]]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
        f"<guid>{escape(item['guid'])}</guid><description>{escape(item['lead'])}</description>"
        f"<pubDate>{format_datetime(item['published'])}</pubDate></item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(outlet)}</title>'
        f"<link>https://{outlet.lower().replace(' ', '-')}.example.ph/</link>{entries}</channel></rss>"
    ).encode()


SYLLABLES = [c + v for c in "bdghklmnprstwy" for v in "aeiou"] + ["ng" + v for v in "aeiou"]


def _story(rng: random.Random) -> tuple[str, str]:
    """A made-up story: a headline and a two-sentence lead of common news words and the names,
    places and figures that tell one event from another (made of syllables: a vocabulary of
    tens of thousands, as real news has). The archive's word lists are too few for this: any two
    of its stories share most of their words."""
    common = archive.ENGLISH[archive.TITLE_SKIP :]

    def name() -> str:
        return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))).capitalize()

    headline = [rng.choice(common) for _ in range(rng.randint(2, 4))] + [name() for _ in range(rng.randint(3, 5))]
    rng.shuffle(headline)
    if rng.random() < 0.3:
        headline.insert(rng.randrange(len(headline)), f"{rng.randint(2, 9_999):,}")
    lead = []
    for _sentence in range(2):
        words = rng.choices(archive.ENGLISH, k=rng.randint(10, 18)) + [name() for _ in range(rng.randint(4, 8))]
        rng.shuffle(words)
        lead.append(" ".join(words).capitalize() + ".")
    return " ".join(headline).capitalize(), " ".join(lead)


def stories(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [_story(rng) for _ in range(count)]


def feed_items(
    source: int, count: int, seed: int, recent: list[tuple[str, str]], related: float
) -> list[dict[str, Any]]:
    """``count`` entries for one outlet: new stories, and (a share ``related``) another outlet's
    version of a story held already: its headline with a word moved, its lead as it was."""
    rng = random.Random(seed * 1000 + source)
    now = datetime.now(UTC)
    items = []
    for number, (title, lead) in enumerate(stories(count, seed * 1000 + source)):
        if recent and rng.random() < related:
            title, lead = rng.choice(recent)
            words = title.split()
            title = " ".join(words[1:] + words[:1]).capitalize()
        items.append(
            {
                "title": title,
                "lead": lead,
                "guid": f"bench-{seed}-{source}-{number}",
                "link": f"https://outlet-{source}.example.ph/{seed}/{number}",
                "published": now - timedelta(minutes=rng.randint(0, 600)),
            }
        )
    return items


# ---------------------------------------------------------------- sites


class Site:
    def __init__(self, path: Path, url: str, balita: str) -> None:
        self.path, self.url, self.balita = path, url, balita

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in BALITA_ENV}
        env["BALITA_USER"] = "benchmark"
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.balita, *args], cwd=self.path, env=self.env(), check=True, capture_output=True, text=True
        )

    def sql(self, *statements: str) -> None:
        from sqlalchemy import create_engine, text

        from balita_cli.db.urls import normalise_url

        engine = create_engine(normalise_url(self.url, self.path))
        try:
            with engine.begin() as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()


def make_site(workdir: Path, name: str, postgres: str | None, balita: str) -> Site:
    path = workdir / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    if postgres:
        url = postgres_database(postgres, f"balita_bench_{name.replace('-', '_')}", recreate=True)
    else:
        url = f"sqlite:///{path / 'balita.db'}"
    (path / "balita.toml").write_text(
        f'[site]\nname = "Balita benchmark"\ncontact = "desk@balita.example.ph"\n\n[database]\nurl = "{url}"\n',
        encoding="utf-8",
    )
    site = Site(path, url, balita)
    site.run("db", "upgrade")
    return site


def add_sources(site: Site, base: str, feeds: Feeds, items: list[list[dict[str, Any]]], tag: str) -> None:
    for number, entries in enumerate(items):
        feeds.feeds[f"/{tag}-{number}.xml"] = (rss(f"Outlet {number}", entries), f'"{tag}-{number}"')
        site.run("source", "add", f"Outlet {number}", f"{base}/{tag}-{number}.xml", "--allow-private")


def make_due(site: Site) -> None:
    site.sql("UPDATE source SET next_due_at = NULL")


# ---------------------------------------------------------------- the two figures


@dataclass(frozen=True)
class Bench:
    """Where and how the desk is measured (``run.py`` measures the quiet fetch with it too)."""

    workdir: Path
    balita: str
    runs: int
    postgres: str | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.postgres else "sqlite"


def quiet_fetch(bench: Bench, feeds: Feeds, base: str) -> list[Measurement]:
    say("quiet: 20 sources whose feeds have not changed")
    site = make_site(bench.workdir, "desk-304", bench.postgres, bench.balita)
    add_sources(site, base, feeds, [feed_items(n, QUIET_ENTRIES, 1, [], 0.0) for n in range(SOURCES)], "quiet")
    site.run("fetch")  # the first fetch brings everything in and stores the ETags
    before = feeds.requests
    fetch = [bench.balita, "fetch"]
    env = site.env()
    results = [
        measure(
            QUIET_FETCH,
            bench.backend,
            SOURCES,
            fetch,
            cwd=site.path,
            env=env,
            runs=bench.runs,
            setup=lambda: make_due(site),
        ),
        measure(BARE_LIST, bench.backend, None, [bench.balita, "list"], cwd=site.path, env=env, runs=bench.runs),
    ]
    say(f"  {feeds.requests - before} requests answered")
    return results


def recent_archive(site: Site) -> list[tuple[str, str]]:
    """The synthetic archive, moved into the last 48 hours and given stories of their own (see
    ``_story``); their (title, lead)s."""
    code = f"from benchmarks import archive; archive.load({site.url!r}, {STORIES})"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=site.env(), check=True)
    recent = stories(STORIES, 7)
    from sqlalchemy import create_engine, text

    from balita_cli.db.urls import normalise_url

    now = datetime.now(UTC)
    engine = create_engine(normalise_url(site.url, site.path))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE article SET title = :title, body = :body, created_at = :at, "
                    "published_at = CASE WHEN published_at IS NULL THEN NULL ELSE :at END WHERE id = :id"
                ),
                [
                    {
                        "id": number,
                        "title": title,
                        "body": f"{lead}\n\n{lead}",
                        "at": _stored(now - timedelta(minutes=number % 2880), site),
                    }
                    for number, (title, lead) in enumerate(recent, start=1)
                ],
            )
    finally:
        engine.dispose()
    if not site.url.startswith("sqlite"):
        site.sql("ANALYZE")
    return recent


def _stored(moment: datetime, site: Site) -> Any:
    """A time as the article table keeps it: naive UTC text on SQLite, timestamptz on PostgreSQL."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if site.url.startswith("sqlite") else moment


def busy_fetch(bench: Bench, feeds: Feeds, base: str) -> tuple[list[Measurement], dict[str, Any]]:
    say(f"busy: {SOURCES} sources x {ENTRIES} new entries against {STORIES:,} stories of the last 48 hours")
    site = make_site(bench.workdir, "desk-busy", bench.postgres, bench.balita)
    recent = recent_archive(site)
    items = [feed_items(n, ENTRIES, 2, recent, RELATED_SHARE) for n in range(SOURCES)]
    add_sources(site, base, feeds, items, "busy")

    def reset() -> None:
        site.sql(
            "DELETE FROM coverage",
            "DELETE FROM article WHERE source_id IS NOT NULL",
            "UPDATE source SET etag = '', last_modified = '', next_due_at = NULL, failures = 0",
        )

    fetch = [bench.balita, "fetch"]
    result = measure(
        BUSY_FETCH, bench.backend, STORIES, fetch, cwd=site.path, env=site.env(), runs=bench.runs, setup=reset
    )
    reset()
    report = json.loads(site.run("fetch", "--format", "json").stdout)
    filed = {key: sum(run[key] for run in report) for key in ("created", "related", "skipped", "rejected")}
    say(f"  filed: {filed}")
    return [result], filed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/balita-bench-desk"))
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to run on instead of SQLite")
    parser.add_argument("--balita", default=console_script("balita") or "balita")
    parser.add_argument("--skip", default="", help="quiet and/or busy, comma-separated")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "desk.json")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    bench = Bench(args.workdir, args.balita, args.runs, args.postgres)
    feeds = Feeds()
    results: list[Measurement] = []
    filed: dict[str, Any] = {}
    with serving(feeds.handler()) as base:
        if "quiet" not in skip:
            results += quiet_fetch(bench, feeds, base)
        if "busy" not in skip:
            measured, filed = busy_fetch(bench, feeds, base)
            results += measured
    checks = fetch_budgets(Results(results), [bench.backend])
    sys.stdout.write(render(results, checks))
    if filed:
        sys.stdout.write(f"busy fetch filed: {filed}\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine_info(), "results": [m.as_json() for m in results], "filed": filed, "budgets": checks}
    args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
