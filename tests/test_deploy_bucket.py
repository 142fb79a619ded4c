"""`balita deploy s3://…` against a real S3-compatible server (SeaweedFS), with every request the
deploy makes counted by the proxy in front of it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from balita_cli.deploy.plan import STATE_NAME
from tests.helpers.cli import Cli
from tests.helpers.deploy import lead_slug, make_site, site_files
from tests.helpers.s3server import S3Bucket, subprocess_environment

pytestmark = pytest.mark.slow  # each builds a site


def published(bucket: S3Bucket, prefix: str = "site/") -> dict[str, bytes]:
    found = bucket.server.objects(bucket.name, prefix)
    found.pop(STATE_NAME, None)
    return found


def state(bucket: S3Bucket, prefix: str = "site/") -> dict[str, object]:
    client = bucket.server.client()
    return dict(json.loads(client.get_object(Bucket=bucket.name, Key=prefix + STATE_NAME)["Body"].read()))


def later(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def test_first_deploy_uploads_everything_then_nothing(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    files = site_files(public)
    result = cli.ok("deploy", s3_bucket.url("site"))
    counts = s3_bucket.counts()
    assert counts["PUT"] == len(files) + 2  # every file, and the state before and after
    assert (counts["DELETE"], counts["LIST"]) == (0, 0)
    assert published(s3_bucket) == files
    assert result.stdout == ""  # nothing was replaced: no URL for a CDN to forget
    assert f"{len(files)} uploaded, 0 deleted, 0 unchanged" in result.stderr

    again = cli.ok("deploy", s3_bucket.url("site"))
    assert s3_bucket.counts() == Counter({"GET": 1})  # the state, read once: no PUT, DELETE or listing
    assert f"0 uploaded, 0 deleted, {len(files)} unchanged" in again.stderr


def test_each_kind_of_file_has_its_type_and_cache_policy(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url())
    fragment = next(path for path in site_files(public) if path.endswith(".pf_fragment"))
    expected = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=60"),
        f"articles/{lead_slug(public)}/index.html": ("text/html; charset=utf-8", "public, max-age=60"),
        "feed.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "atom.xml": ("application/atom+xml; charset=utf-8", "public, max-age=300"),
        "feed.json": ("application/feed+json; charset=utf-8", "public, max-age=300"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
        "style.css": ("text/css; charset=utf-8", "public, max-age=3600"),
        "logo.png": ("image/png", "public, max-age=3600"),
        fragment: ("application/octet-stream", "public, max-age=31536000, immutable"),
    }
    for key, (content_type, cache_control) in expected.items():
        head = s3_bucket.server.head(s3_bucket.name, key)
        assert (head["ContentType"], head.get("CacheControl")) == (content_type, cache_control), key
    order = [seen.path.split("/", 2)[2] for seen in s3_bucket.take() if seen.method == "PUT"]
    position = {path: at for at, path in enumerate(order)}
    pages = [at for path, at in position.items() if path.startswith("articles/")]
    assert position["style.css"] < min(pages) and max(pages) < position["index.html"] < position["feed.xml"]


def test_one_edit_uploads_only_what_changed(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url("site"))
    s3_bucket.take()
    slug = lead_slug(public)
    cli.ok("edit", slug, "--title", "Peso firms as inflation eases, corrected headline")
    cli.ok("build")
    result = cli.ok("deploy", s3_bucket.url("site"))
    counts = s3_bucket.counts()
    assert 0 < counts["PUT"] <= 40
    assert (counts["DELETE"], counts["LIST"]) == (0, 0)
    page = f"articles/{slug}/index.html"
    assert published(s3_bucket)[page] == (public / page).read_bytes()
    assert f"https://balita.example.ph/articles/{slug}/" in result.stdout.splitlines()
    # The search index's old shards stay for readers holding the old entry, until an hour passes.
    retired = state(s3_bucket)["retired"]
    assert isinstance(retired, dict) and retired
    assert set(published(s3_bucket)) == set(site_files(public)) | set(retired)
    cli.ok("--clock", later(2), "deploy", s3_bucket.url("site"))
    assert s3_bucket.counts()["DELETE"] == 1  # one request deleting them all
    assert published(s3_bucket) == site_files(public)


def test_dry_run_changes_nothing(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    result = cli.ok("deploy", s3_bucket.url(), "--dry-run")
    assert sorted(result.stdout.splitlines()) == sorted(f"upload {path}" for path in site_files(public))
    assert "Would deploy" in result.stderr
    assert s3_bucket.counts() == Counter({"GET": 1})
    assert published(s3_bucket, "") == {}


def test_deletions_are_capped(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url())
    slug = lead_slug(public)
    cli.ok("delete", slug, "--yes")
    cli.ok("build")
    s3_bucket.take()
    refused = cli.fails(["deploy", s3_bucket.url(), "--max-deletes", "0"])
    assert re.fullmatch(
        r"error: this deploy would delete \d+ files from s3://\S+, more than --max-deletes 0; "
        r"nothing was changed \(check the build, then raise --max-deletes\)\n",
        refused.stderr,
    )
    assert s3_bucket.counts() == Counter({"GET": 1})
    done = cli.ok("deploy", s3_bucket.url())
    assert f"https://balita.example.ph/articles/{slug}/" in done.stdout.splitlines()
    assert f"articles/{slug}/index.html" not in published(s3_bucket, "")


def test_old_addresses_carry_the_website_redirect(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    slug = lead_slug(public)
    cli.ok("edit", slug, "--slug", "peso-story")
    cli.ok("build")
    cli.ok("deploy", s3_bucket.url())
    sent = {seen.path: seen.headers for seen in s3_bucket.take() if seen.method == "PUT"}
    old = sent[f"/{s3_bucket.name}/articles/{slug}/index.html"]
    assert old["x-amz-website-redirect-location"] == "/articles/peso-story/"
    assert "x-amz-website-redirect-location" not in sent[f"/{s3_bucket.name}/articles/peso-story/index.html"]
    assert b'http-equiv="refresh"' in published(s3_bucket, "")[f"articles/{slug}/index.html"]  # the fallback


def test_the_purge_command_gets_the_changed_urls(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url())
    slug = lead_slug(public)
    cli.ok("edit", slug, "--title", "A corrected headline")
    cli.ok("build")
    received = tmp_path / "purged.txt"
    script = tmp_path / "purge.py"
    script.write_text(f"import sys\nopen({str(received)!r}, 'w').write(sys.stdin.read())\n")
    result = cli.ok("deploy", s3_bucket.url(), "--purge-command", f"{sys.executable} {script}")
    urls = received.read_text().splitlines()
    assert urls == result.stdout.splitlines()
    assert f"https://balita.example.ph/articles/{slug}/" in urls and "https://balita.example.ph/" in urls

    cli.ok("edit", slug, "--title", "A headline corrected twice")
    cli.ok("build")
    failing = cli.fails(["deploy", s3_bucket.url(), "--purge-command", f"{sys.executable} -c 'raise SystemExit(3)'"])
    assert failing.stderr.endswith("error: the purge command exited 3 (the deploy itself is done)\n")
    assert cli.ok("deploy", s3_bucket.url()).stdout == ""  # the deploy itself was done
    cli.ok("edit", slug, "--title", "A headline corrected three times")
    cli.ok("build")
    missing = cli.fails(["deploy", s3_bucket.url(), "--purge-command", "no-such-purge-program"])
    assert missing.stderr.endswith(
        "error: purge command not found: no-such-purge-program (the deploy itself is done)\n"
    )
    cli.ok("edit", slug, "--title", "A headline corrected four times")
    cli.ok("build")
    s3_bucket.take()
    for hostile, message in (('"unclosed', "cannot read the purge command: No closing quotation"), ("", "is empty")):
        refused = cli.fails(["deploy", s3_bucket.url(), "--purge-command", hostile])
        assert message in refused.stderr
    assert s3_bucket.counts()["PUT"] == 0  # refused before anything was deployed


def test_a_damaged_or_foreign_state_means_uploading_everything(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url())
    client = s3_bucket.server.client()
    for damaged in (b"{not json", b'{"version": 99}', b'{"version": 1, "paths": ["../x"], "fingerprints": [1]}'):
        client.put_object(Bucket=s3_bucket.name, Key=STATE_NAME, Body=damaged)
        s3_bucket.take()
        cli.ok("deploy", s3_bucket.url())
        assert s3_bucket.counts()["PUT"] == len(site_files(public)) + 2
        assert published(s3_bucket, "") == site_files(public)


def test_two_deploys_cannot_both_write_the_state(
    cli: Cli, tmp_path: Path, s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balita_cli.deploy import bucket as deploying

    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url())
    cli.ok("edit", lead_slug(public), "--title", "Changed while another deploy ran")
    cli.ok("build")
    upload, client = deploying._upload, s3_bucket.server.client()

    def another_deploy_meanwhile(*arguments: Any) -> None:
        client.put_object(Bucket=s3_bucket.name, Key=STATE_NAME, Body=b'{"version": 1}')
        upload(*arguments)

    monkeypatch.setattr(deploying, "_upload", another_deploy_meanwhile)
    refused = cli.fails(["deploy", s3_bucket.url()])
    assert refused.stderr == (
        f"error: another deploy changed s3://{s3_bucket.name}/{STATE_NAME} meanwhile; run `balita deploy` again\n"
    )
    monkeypatch.setattr(deploying, "_upload", upload)
    cli.ok("deploy", s3_bucket.url())  # the state the other wrote is none of ours: everything again
    bucket = published(s3_bucket, "")
    assert {path: bucket.get(path) for path in site_files(public)} == site_files(public)


# ---------------------------------------------------------------- killed, and read while it runs


def start_deploy(cli: Cli, tmp_path: Path, bucket: S3Bucket, *args: str) -> subprocess.Popen[str]:
    environment = {**subprocess_environment(bucket.server), "BALITA_DATABASE_URL": cli.db_url}
    return subprocess.Popen(
        [sys.executable, "-m", "balita_cli", "deploy", bucket.url("site"), *args],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_after_puts(process: subprocess.Popen[str], bucket: S3Bucket, puts: int) -> None:
    for _ in range(12_000):  # polled every 5 ms, for a minute at most
        if sum(seen.method == "PUT" for seen in list(bucket.server.proxy.seen)) >= puts:
            break
        assert process.poll() is None, process.communicate()
        time.sleep(0.005)
    else:
        pytest.fail(f"the deploy did not send {puts} PUTs")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


def test_a_killed_deploy_converges_when_run_again(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    s3_bucket.server.proxy.put_delay = 0.02
    kill_after_puts(start_deploy(cli, tmp_path, s3_bucket), s3_bucket, 20)
    assert state(s3_bucket)["pending"]  # killed in the middle: the state says what it began
    assert 0 < len(published(s3_bucket)) < len(site_files(public))
    s3_bucket.server.proxy.put_delay = 0.0
    cli.ok("deploy", s3_bucket.url("site"))
    assert published(s3_bucket) == site_files(public)
    assert state(s3_bucket)["pending"] == []

    # Killed in an edit's deploy, after which the build changes again: what the killed one
    # uploaded and the build no longer has goes too.
    slug = lead_slug(public)
    cli.ok("edit", slug, "--title", "First correction")
    cli.ok("build")
    s3_bucket.take()
    s3_bucket.server.proxy.put_delay = 0.05
    kill_after_puts(start_deploy(cli, tmp_path, s3_bucket), s3_bucket, 4)
    s3_bucket.server.proxy.put_delay = 0.0
    cli.ok("edit", slug, "--title", "Second correction")
    cli.ok("build")
    cli.ok("deploy", s3_bucket.url("site"))
    retired = state(s3_bucket)["retired"]
    assert isinstance(retired, dict)
    assert set(published(s3_bucket)) - set(retired) == set(site_files(public))
    assert {path: data for path, data in published(s3_bucket).items() if path not in retired} == site_files(public)
    cli.ok("--clock", later(2), "deploy", s3_bucket.url("site"))
    assert published(s3_bucket) == site_files(public)


def links(page: str, html: str) -> list[str]:
    """The site's own pages a page links to, as absolute paths."""
    found = []
    for href in re.findall(r'href="([^"#]+)', html):
        if urlsplit(href).scheme or href.startswith("//") or not href.endswith("/"):
            continue  # other sites, mail, and files (feeds, styles) are not pages a reader follows
        found.append(urljoin(page, href))
    return found


def test_a_reader_never_meets_a_missing_page_during_a_deploy(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    cli.ok("deploy", s3_bucket.url("site"))
    root = f"{s3_bucket.server.direct}/{s3_bucket.name}/site/"
    missing: list[str] = []
    fetched: list[str] = []
    stop = threading.Event()

    def get(path: str) -> str | None:
        key = path + "index.html" if path.endswith("/") else path
        try:
            with urllib.request.urlopen(root + key.lstrip("/"), timeout=30) as answer:
                return str(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            missing.append(f"{error.code} {path}")
            return None

    passes: list[int] = []

    def reader() -> None:  # the front page, the stories it links, a few of their links; again
        while not stop.is_set():
            front = get("/")
            stories = [path for path in links("/", front or "") if path.startswith("/articles/")]
            pages = [get(path) for path in stories]  # what a reader clicks first, at once
            fetched.extend(stories)
            for path, page in zip(stories, pages, strict=True):
                for deeper in links(path, page or "")[:3]:
                    get(deeper)
            passes.append(len(fetched))

    slug = lead_slug(public)
    cli.ok("new", "A new lead story", "--body", "Reported tonight.", "--section", "Politics", "--status", "published")
    cli.ok("delete", slug, "--yes")
    cli.ok("build")
    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    s3_bucket.server.proxy.put_delay = 0.2  # a slow link: each kind of file takes a while
    before = len(fetched)
    cli.ok("deploy", s3_bucket.url("site"))
    during = len(fetched) - before
    finished = len(passes)
    while len(passes) < finished + 2 and thread.is_alive():  # two whole passes over the deployed site
        time.sleep(0.05)
    stop.set()
    thread.join(60)
    assert during > 10, "the reader read pages while the deploy ran"
    assert "/articles/a-new-lead-story/" in fetched
    # A reader may still hold a front page from before the deploy and follow it to the story the
    # deploy took down (deletions come last); every other page a link names is always there.
    assert [line for line in missing if line != f"404 /articles/{slug}/"] == []
    retired = state(s3_bucket)["retired"]
    assert isinstance(retired, dict)
    assert published(s3_bucket) == site_files(public) | {
        path: data for path, data in published(s3_bucket).items() if path in retired
    }


def test_a_tick_builds_and_deploys_to_the_configured_bucket(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    public = make_site(cli, tmp_path)
    with (tmp_path / "balita.toml").open("a") as toml:
        toml.write(f'\n[deploy]\ntarget = "{s3_bucket.url("site")}"\n')
    s3_bucket.take()
    result = cli.ok("tick", "--skip", "fetch,deliver", "--format", "json")
    deployed = next(step for step in json.loads(result.stdout)["steps"] if step["step"] == "deploy")
    assert deployed["state"] == "done" and deployed["uploaded"] == len(site_files(public))
    assert published(s3_bucket) == site_files(public)
    s3_bucket.take()
    again = cli.ok("tick", "--skip", "fetch,deliver", "--format", "json")
    deployed = next(step for step in json.loads(again.stdout)["steps"] if step["step"] == "deploy")
    assert (deployed["uploaded"], deployed["deleted"]) == (0, 0)
    assert s3_bucket.counts()["PUT"] == 0
