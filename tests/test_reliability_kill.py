"""SIGKILL in the middle of an import of 5,000 articles, an export and a build: the database
stays healthy, a re-run completes, and no output file is ever half written."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers.cli import Cli
from tests.helpers.site import site_manifest_files

pytestmark = pytest.mark.slow  # the fast lane, pytest -m "not slow", leaves these out

ARTICLES = 5_000
# Every fifth story is published; the export and build tests use the economy half (even numbers).
PUBLISHED = len([n for n in range(0, ARTICLES, 2) if n % 5 == 0])


def write_markdown_tree(root: Path, count: int) -> None:
    for number in range(count):
        section = root / ("politics" if number % 2 else "economy")
        section.mkdir(parents=True, exist_ok=True)
        (section / f"story-{number:05d}.md").write_text(
            f'---\ntitle: "Story {number}"\ndate: 2026-01-{number % 28 + 1:02d}T08:00:00+08:00\n'
            f"draft: {'false' if number % 5 == 0 else 'true'}\n"
            f"tags: [Senate, Budget]\n---\n\nBody of story {number}. " + "Words here. " * 40,
            encoding="utf-8",
        )


def balita(cli: Cli, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
    return subprocess.Popen(
        [sys.executable, "-m", "balita_cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 120) -> None:
    """SIGKILL ``process`` as soon as ``ready()`` says it is in the middle of its work."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.01)
    assert process.poll() is None, "the process finished before it could be killed mid-way"
    process.send_signal(signal.SIGKILL)
    process.wait()


def still_running(marker: str, wait: float = 5.0) -> list[int]:
    """Processes whose command line holds ``marker`` (a killed build's workers), once they had
    ``wait`` seconds to end."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def count(cli: Cli) -> int:
    return int(cli.ok("list", "--format", "count").stdout)


@pytest.fixture(scope="module")
def markdown_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    write_markdown_tree(root, ARTICLES)
    return root


def test_killed_import_leaves_a_consistent_database_that_a_rerun_completes(cli: Cli, markdown_tree: Path) -> None:
    cli.ok("db", "upgrade")
    process = balita(cli, "import", "markdown", str(markdown_tree))
    kill_when(process, lambda: count(cli) >= 400)  # a couple of batches committed, most still to go
    partial = count(cli)
    assert 400 <= partial < ARTICLES
    cli.ok("db", "check")
    # Every article kept is found (on PostgreSQL, some may still wait for their search documents).
    assert cli.ok("search", "story", "--limit", str(ARTICLES), "--format", "count").stdout == f"{partial}\n"
    summary = cli.json("import", "markdown", str(markdown_tree), "--format", "json")
    assert count(cli) == ARTICLES
    assert summary["created"] == ARTICLES - partial
    again = cli.json("import", "markdown", str(markdown_tree), "--format", "json")
    assert again["created"] == 0
    assert "waiting" not in cli.ok("db", "check").stdout
    assert cli.ok("search", "story", "--limit", str(ARTICLES), "--format", "count").stdout == f"{ARTICLES}\n"


@pytest.fixture
def archive(cli: Cli, markdown_tree: Path) -> Cli:
    cli.ok("import", "markdown", str(markdown_tree / "economy"))  # half the tree is enough here
    return cli


def test_killed_export_leaves_the_previous_file_untouched(archive: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "archive.xml"
    target.parent.mkdir()
    target.write_text("the previous export\n", encoding="utf-8")
    # WXR renders every body to HTML, so the export runs long enough to be caught half way.
    process = balita(archive, "export", "wxr", "-o", str(target))
    kill_when(process, lambda: any(path.stat().st_size > 0 for path in target.parent.glob(".archive.xml.*")))
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    archive.ok("export", "wxr", "-o", str(target))
    items = etree.parse(str(target)).getroot().findall("channel/item")
    assert len(items) == ARTICLES // 2
    published = tmp_path / "published.jsonl"
    archive.ok("export", "jsonl", "--status", "published", "-o", str(published))
    lines = published.read_text(encoding="utf-8").splitlines()
    assert len(lines) == PUBLISHED and all(json.loads(line)["status"] == "published" for line in lines)


def test_killed_build_is_completed_by_the_next_build(archive: Cli, tmp_path: Path) -> None:
    output = tmp_path / "public"
    process = balita(archive, "build", "-o", str(output))
    kill_when(process, lambda: (output / "articles").is_dir() and len(list((output / "articles").iterdir())) > 50)
    assert not still_running(str(output)), "a page worker outlived the killed build"
    archive.ok("db", "check")
    archive.ok("build", "-o", str(output))
    manifest = site_manifest_files(output)
    assert len([path for path in manifest if path.startswith("articles/")]) == PUBLISHED
    for path, entry in manifest.items():  # every file whole: its bytes hash to what the build recorded
        assert hashlib.sha256((output / path).read_bytes()).hexdigest() == entry["sha256"], path
