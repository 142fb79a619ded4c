"""A built demo site to deploy, and what a deploy of it publishes."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers.cli import Cli

PRIVATE = (".balita-build.json", ".balita-redirects.map")
LEAD = re.compile(r'href="\./articles/([^/"]+)/"')


def make_site(cli: Cli, tmp_path: Path) -> Path:
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.ok("build")
    return tmp_path / "public"


def site_files(public: Path) -> dict[str, bytes]:
    """What a deploy publishes: every file of the build but the build's own."""
    return {
        path.relative_to(public).as_posix(): path.read_bytes()
        for path in public.rglob("*")
        if path.is_file() and path.relative_to(public).as_posix() not in PRIVATE
    }


def lead_slug(public: Path) -> str:
    match = LEAD.search((public / "index.html").read_text(encoding="utf-8"))
    assert match, "the front page links its lead story"
    return match.group(1)
