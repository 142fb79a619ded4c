"""Search for the static site: a Pagefind index of the article pages, made at build time.

Pagefind (shipped by the ``pagefind[bin]`` package) writes a WebAssembly engine and index
fragments the browser fetches as a reader types, one index per language. It has no incremental
mode, so the build runs it only when an indexed page changed, and its files go through the
output tree like the build's own."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from balita_cli.files import OutputError
from balita_cli.site.output import OutputTree

BUNDLE = "pagefind/"
TIMEOUT_SECONDS = 1800
MISSING = "pagefind is not installed (pip install 'pagefind[bin]'): the site was built without a search index"


@dataclass
class SearchReport:
    pages: int = 0
    seconds: float = 0.0
    reused: bool = False
    languages: list[str] = field(default_factory=list)
    problem: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "seconds": round(self.seconds, 2),
            "reused": self.reused,
            "languages": self.languages,
            "problem": self.problem,
        }


def pagefind_program() -> Path | None:
    """The Pagefind program shipped by ``pagefind_bin`` (or one on PATH), or None."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        found = Path(get_executable())
        if found.is_file():
            return found
    except (ImportError, FileNotFoundError):
        pass

    on_path = shutil.which("pagefind")
    return Path(on_path) if on_path else None


def index_pages(tree: OutputTree, pages: Sequence[str], *, program: Path | None = None) -> SearchReport:
    """Index ``pages`` (paths of this build's article pages in ``tree``) into ``pagefind/``."""
    program = program or pagefind_program()
    report = SearchReport(pages=len(pages))
    if program is None:
        report.problem = MISSING
        return report
    key = _key(program, [(page, tree.current[page]["sha256"]) for page in sorted(pages)])
    previous = tree.previous_under(BUNDLE)
    if previous and all(entry.get("key") == key for entry in previous.values()):
        if all(tree.keep_if_current(path, key) for path in sorted(previous)):
            report.reused = True
            report.languages = languages(tree.root)
            return report
    import tempfile  # here: only when the search index is made

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".balita-search-") as scratch:
        source, out = Path(scratch) / "site", Path(scratch) / "pagefind"
        for page in pages:
            target = source / page
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(tree.root / page, target)
        if pages:
            _run(program, source, out)
        else:
            _write_empty_index(out)
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            tree.put(BUNDLE + path.relative_to(out).as_posix(), path.read_bytes(), key=key)
    report.seconds = time.perf_counter() - started
    report.languages = languages(tree.root)
    return report


def _key(program: Path, pages: list[tuple[str, str]]) -> str:
    try:
        stamp = [program.stat().st_size, program.stat().st_mtime_ns]
    except OSError:
        stamp = []

    return hashlib.sha256(orjson.dumps([str(program), stamp, pages])).hexdigest()


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _run(program: Path, source: Path, out: Path) -> None:
    command = [str(program), "--site", str(source), "--output-path", str(out), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise OutputError(f"search index: pagefind ran longer than {TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise OutputError(f"search index: cannot run {program}: {exc.strerror or exc}") from None
    if done.returncode != 0 or not (out / "pagefind-entry.json").is_file():
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise OutputError(f"search index: pagefind failed: {why[:300]}")


def _write_empty_index(out: Path) -> None:
    """Pagefind's files for a site with no story yet. Its command refuses a folder with no page
    to index; its Python API (the same program, run as a service) writes an index of no page,
    which has no language: ``search.js`` finds nothing in it."""
    import asyncio  # here: only when the search index is made

    from pagefind.service import PagefindService

    async def write() -> None:
        async with PagefindService() as service:
            index = await service.create_index()
            await index.write_files(output_path=str(out))

    try:
        asyncio.run(asyncio.wait_for(write(), TIMEOUT_SECONDS))
    except TimeoutError:
        raise OutputError(f"search index: pagefind ran longer than {TIMEOUT_SECONDS} s") from None
    except Exception as exc:  # the API raises bare Exceptions with Pagefind's message
        raise OutputError(f"search index: pagefind failed: {str(exc)[:300]}") from exc
    if not (out / "pagefind-entry.json").is_file():
        raise OutputError("search index: pagefind wrote no index")


def languages(root: Path) -> list[str]:
    """The languages of the index the output holds (none when it holds no index)."""
    try:
        entry = orjson.loads((root / BUNDLE / "pagefind-entry.json").read_bytes())
    except (OSError, ValueError):
        return []
    found = entry.get("languages") if isinstance(entry, dict) else None
    return sorted(found) if isinstance(found, dict) else []
