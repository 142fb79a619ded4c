"""Search for the static site: Pagefind indexes of the article pages, in shards, made at build time.

Pagefind (shipped by the ``pagefind[bin]`` package) writes a WebAssembly engine and index
fragments the browser fetches as a reader types. It has no incremental mode, so the index is cut
into shards, each a whole Pagefind bundle of the pages published in one span of time
(``pagefind/<first second>-<bits>/``: ``2 ** bits`` seconds from that second after ``EPOCH``),
merged in the reader's browser with Pagefind's ``mergeIndex`` (``static/search.js``);
``pagefind/shards.json`` lists them. A build makes again only the shards whose pages' indexed
inputs changed.

The spans halve towards the newest story: the whole time line is split in two while the half
holding the newest story has more than ``MOST_RECENT`` pages; each older half is a shard. So the
newest stories (today's lead and what was published around it) lie in a shard of at most
``MOST_RECENT`` pages whatever the archive's size, older ones in shards of about half, a quarter,
an eighth... of the archive, themselves halved down to ``LARGEST`` pages (a dozen shards for the
browser to merge at 100,000 stories), each changed only when a story of its own does. As time
moves on, a span the newest story has left becomes one shard (once, like a merge in an LSM tree).
The shards follow from the stories alone: a full build and incremental ones cut the same."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from balita_cli.files import OutputError
from balita_cli.site.output import OutputTree

BUNDLE = "pagefind/"
SHARDS_FILE = BUNDLE + "shards.json"
SHARD_FORMAT = 1  # raised when what a shard holds or how it is cut changes
MOST_RECENT = 128  # pages at most in the shard of the newest story
LARGEST = 16_384  # pages at most in an older shard (unless all were published in one second)
EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
TIME_BITS = 33  # the time line: 2 ** 33 seconds from EPOCH, past the year 2172
TIMEOUT_SECONDS = 1800
# Pagefind's ready-made interfaces: the site draws its own results (static/search.js).
UNUSED_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
MISSING = "pagefind is not installed (pip install 'pagefind[bin]'): the site was built without a search index"


@dataclass(frozen=True)
class IndexedPage:
    """An article page the index holds, with what its indexed part is made from (its article's
    stamp and photo: not its neighbours, which lie outside the part Pagefind reads)."""

    path: str
    article_id: int
    published: str  # ISO 8601, as every record gives it
    inputs: str


@dataclass
class SearchReport:
    pages: int = 0
    seconds: float = 0.0
    reused: bool = False
    languages: list[str] = field(default_factory=list)
    problem: str = ""
    shards: int = 0
    shards_made: int = 0
    pages_indexed: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "seconds": round(self.seconds, 2),
            "reused": self.reused,
            "languages": self.languages,
            "problem": self.problem,
            "shards": self.shards,
            "shards_made": self.shards_made,
            "pages_indexed": self.pages_indexed,
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


def seconds_of(published: str) -> int:
    """Seconds from ``EPOCH`` to an ISO 8601 time, within the time line (0 when there is none)."""
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(max(int((moment - EPOCH).total_seconds()), 0), (1 << TIME_BITS) - 1)


def plan_shards(pages: Sequence[IndexedPage]) -> dict[str, list[IndexedPage]]:
    """Each shard's folder name with its pages, oldest shard and page first."""
    timed = sorted((seconds_of(page.published), page.article_id, page.path, page) for page in pages)
    times = [item[0] for item in timed]
    ordered = [item[3] for item in timed]
    shards: dict[str, list[IndexedPage]] = {}

    def older(low: int, high: int, start: int, bits: int) -> None:
        """A span the newest story is not in: one shard, halved while it has too many pages."""
        if high - low > LARGEST and bits > 0:
            middle = bisect_left(times, start + (1 << (bits - 1)), low, high)
            for part in ((low, middle, start), (middle, high, start + (1 << (bits - 1)))):
                if part[1] > part[0]:
                    older(*part, bits - 1)
        else:
            shards[f"{start}-{bits}"] = ordered[low:high]

    low, high, start, bits = 0, len(ordered), 0, TIME_BITS  # the span holding the newest story
    while high - low > MOST_RECENT and bits > 0:
        bits -= 1
        middle = bisect_left(times, start + (1 << bits), low, high)
        if middle < high:  # the newest story is in the later half: the earlier one is a shard
            if middle > low:
                older(low, middle, start, bits)
            low, start = middle, start + (1 << bits)
    if high > low:
        shards[f"{start}-{bits}"] = ordered[low:high]
    return shards


def index_pages(
    tree: OutputTree, pages: Sequence[IndexedPage], *, fingerprint: str, program: Path | None = None
) -> SearchReport:
    """Index ``pages`` (this build's listed article pages in ``tree``) into shards under ``pagefind/``."""
    program = program or pagefind_program()
    report = SearchReport(pages=len(pages))
    if program is None:
        report.problem = MISSING
        return report
    stamp = _program_stamp(program)
    shards = plan_shards(pages)
    previous = _previous_shards(tree)
    stale: dict[str, tuple[str, list[IndexedPage]]] = {}
    for name, members in shards.items():
        key = _key(stamp, fingerprint, name, members)
        kept = previous.get(name, {})
        if not (kept and all(entry.get("key") == key for entry in kept.values())):
            stale[name] = (key, members)
        elif not all(tree.keep_if_current(path, key) for path in sorted(kept)):
            stale[name] = (key, members)  # a file of it is missing or damaged
    started = time.perf_counter()
    if stale:
        _make_shards(tree, program, stale)
    report.seconds = time.perf_counter() - started
    report.shards, report.shards_made = len(shards), len(stale)
    report.pages_indexed = sum(len(members) for _key, members in stale.values())
    report.reused = not stale
    listing = _shard_listing(tree, shards)
    tree.put(SHARDS_FILE, orjson.dumps(listing, option=orjson.OPT_INDENT_2) + b"\n")
    report.languages = sorted({language for shard in listing["shards"] for language in shard["languages"]})
    return report


def _previous_shards(tree: OutputTree) -> dict[str, dict[str, dict[str, Any]]]:
    """The last build's shard files by shard folder."""
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for path, entry in tree.previous_under(BUNDLE).items():
        parts = path.split("/", 2)
        if len(parts) == 3:
            found[parts[1]][path] = entry
    return found


def _key(stamp: list[Any], fingerprint: str, name: str, members: list[IndexedPage]) -> str:
    pages = [(page.path, page.article_id, page.inputs) for page in members]
    return hashlib.sha256(orjson.dumps([SHARD_FORMAT, stamp, fingerprint, name, pages])).hexdigest()


def _program_stamp(program: Path) -> list[Any]:
    try:
        info = program.stat()
    except OSError:
        return [str(program)]
    return [str(program), info.st_size, info.st_mtime_ns]


def _make_shards(tree: OutputTree, program: Path, stale: dict[str, tuple[str, list[IndexedPage]]]) -> None:
    """Run Pagefind on each stale shard's pages (linked into a scratch folder) and put its bundle
    in ``tree``. The program itself, not its Python API: the API's service answers one request
    per tenth of a second, a page each."""
    with tempfile.TemporaryDirectory(prefix=".balita-search-") as folder:
        scratch = Path(folder)
        for name, (key, members) in sorted(stale.items()):
            source, out = scratch / name / "site", scratch / name / "pagefind"
            for page in members:
                target = source / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(tree.root / page.path, target)
            _run(program, source, out)
            for path in sorted(p for p in out.rglob("*") if p.is_file() and not p.name.startswith(UNUSED_FILES)):
                tree.put(f"{BUNDLE}{name}/{path.relative_to(out).as_posix()}", path.read_bytes(), key=key)


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


def _shard_listing(tree: OutputTree, shards: dict[str, list[IndexedPage]]) -> dict[str, Any]:
    """What ``static/search.js`` merges: each shard's folder and its languages with their page
    counts, from the shard's own ``pagefind-entry.json``."""
    listed = []
    for name in shards:
        languages = _entry_languages(tree.root / BUNDLE / name / "pagefind-entry.json")
        listed.append({"path": f"{name}/", "languages": languages})
    return {"version": SHARD_FORMAT, "shards": listed}


def _entry_languages(entry_path: Path) -> dict[str, int]:
    try:
        entry = orjson.loads(entry_path.read_bytes())
    except (OSError, ValueError):
        return {}
    found = entry.get("languages") if isinstance(entry, dict) else None
    if not isinstance(found, dict):
        return {}
    return {
        str(language): int(value.get("page_count", 0)) if isinstance(value, dict) else 0
        for language, value in sorted(found.items())
    }


def languages(root: Path) -> list[str]:
    """The languages of the index the output holds (none when it holds no index)."""
    try:
        listing = orjson.loads((root / SHARDS_FILE).read_bytes())
    except (OSError, ValueError):
        return []
    shards = listing.get("shards") if isinstance(listing, dict) else None
    if not isinstance(shards, list):
        return []
    return sorted(
        {str(language) for shard in shards if isinstance(shard, dict) for language in shard.get("languages") or {}}
    )
