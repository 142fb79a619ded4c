"""The built article page in headless Chromium: rendered title and source link, no console errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.helpers.cli import Cli

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--enable-logging=stderr", "--v=0",
)  # fmt: skip
ERROR_MARKS = ("Uncaught", "CONSOLE", "ERR_FILE_NOT_FOUND", "Refused to")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package chromium)")
def test_article_page_renders_in_chromium(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.ok("build")
    row = next(
        r
        for r in cli.json("list", "--status", "published", "--format", "json", "--fields", "slug,title,source_url")
        if "Vietnam" in r["title"]
    )
    page = tmp_path / "public" / "articles" / row["slug"] / "index.html"
    profile = tmp_path / "chromium-profile"
    done = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    dom = lxml.html.fromstring(done.stdout)
    assert dom.findtext(".//h1") == row["title"]
    source = dom.xpath("//p[@class='source']/a")
    assert source and source[0].get("href") == row["source_url"]
    assert source[0].text == "philstar.com"
    console_errors = [line for line in done.stderr.splitlines() if any(mark in line for mark in ERROR_MARKS)]
    assert console_errors == []
