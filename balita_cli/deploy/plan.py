"""What a deploy publishes and in what order, worked out from the last build's manifest and the
state the last deploy left: no file of the site is hashed again, no bucket is listed.

Every file has a kind, and kinds go out in this order, so a reader following links meets no
missing page: files pages use (photos, styles, scripts, the search index's shards), then article
pages, then the pages that link to them (front page, lists) and each search shard's entry file,
then feeds, sitemaps and the list of the search shards; deletions last. Each kind has its
``Cache-Control``: what is named by its content (photo renditions, the search index's shards) is
kept a year, pages and feeds a minute.

A deploy's state is the fingerprint of each file it published (the build's hash, and where the
file redirects to), and ``pending``: what a deploy started uploading and may not have finished,
so a run after a killed one also removes what the killed one added and the build no longer has.

A bucket keeps the files named by their content that the build no longer has (a photo's old
renditions, the search index's old shards) for ``RETIRE_AFTER`` once retired: a reader holding a
page or search entry from before the deploy still finds what it names. The first deploy after
that deletes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.site.output import MANIFEST_NAME, file_columns, read_manifest
from balita_cli.site.redirect_map import MAP_FILE, redirect_locations

STATE_NAME = ".balita-deploy.json"
STATE_VERSION = 1
# Root files that describe the build or the deploy, never published.
PRIVATE_PREFIX = ".balita-"
# Raised when what a kind of file is sent with changes: every file is sent again once.
POLICY = 1
_PLAIN = re.compile(r"[^\x00-\x1f\x7f\\]+")
_HASHED = re.compile(r"\.pf_(?:fragment|index|filter|meta)$|\.pagefind$")
RETIRE_AFTER = timedelta(hours=1)


class Kind(IntEnum):
    """Kinds of file, in the order they are published."""

    ASSET = 0
    PAGE = 1
    LIST = 2
    FEED = 3


CACHE_CONTROL = {
    "immutable": "public, max-age=31536000, immutable",
    Kind.ASSET: "public, max-age=3600",
    Kind.PAGE: "public, max-age=60",
    Kind.LIST: "public, max-age=60",
    Kind.FEED: "public, max-age=300",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".pagefind": "application/octet-stream",
}
# Feeds by name: readers and crawlers go by the type.
NAMED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
FEED_NAMES = (*NAMED_TYPES, "sitemap.xml", "news-sitemap.xml", "robots.txt", "pagefind/shards.json")
# Each search shard's entry file names its other files: it goes out after them, with the lists,
# and the list of shards that names the entry files after those, with the feeds.
SEARCH_ENTRY = "/pagefind-entry.json"


def kind_of(path: str) -> Kind:
    if path in FEED_NAMES or path.endswith("/feed.xml"):
        return Kind.FEED
    if path.endswith((".html", ".htm")) or (path.startswith("pagefind/") and path.endswith(SEARCH_ENTRY)):
        return Kind.PAGE if path.startswith("articles/") else Kind.LIST
    return Kind.ASSET


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in NAMED_TYPES:
        return NAMED_TYPES[name]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return CONTENT_TYPES.get(suffix.lower(), "application/octet-stream")


def is_immutable(path: str) -> bool:
    """Named by its content: a new content is a new name."""
    return path.startswith("media/") or bool(_HASHED.search(path))


def cache_control(path: str, kind: Kind) -> str:
    return CACHE_CONTROL["immutable"] if is_immutable(path) else CACHE_CONTROL[kind]


@dataclass(frozen=True)
class SiteFile:
    """One file of the build as it is published."""

    path: str
    digest: str
    size: int
    redirect: str = ""

    @property
    def kind(self) -> Kind:
        return kind_of(self.path)

    @property
    def fingerprint(self) -> str:
        return f"{self.digest}>{self.redirect}" if self.redirect else self.digest


def is_published(path: str) -> bool:
    """A plain path of the site (the build's own files at the root are not)."""
    parts = path.split("/")
    return (
        bool(_PLAIN.fullmatch(path))
        and all(part not in ("", ".", "..") for part in parts)
        and not (len(parts) == 1 and path.startswith(PRIVATE_PREFIX))
    )


def read_build(output: Path, site_path: str) -> dict[str, SiteFile]:
    """The files the last build of ``output`` made, as its manifest lists them, with their
    redirects (from the build's redirect map)."""
    document = read_manifest(output)
    if not document:
        raise InvalidInput(f"no finished build in {output} (no readable {MANIFEST_NAME}): run `balita build` first")
    try:
        redirects = redirect_locations((output / MAP_FILE).read_text(encoding="utf-8"), site_path)
    except (OSError, UnicodeDecodeError):
        redirects = {}
    files = {}
    for path, size, digest, _key in zip(*file_columns(document.get("files")), strict=True):
        if isinstance(path, str) and is_published(path) and isinstance(digest, str) and isinstance(size, int):
            files[path] = SiteFile(path, digest, size, redirects.get(path, ""))
    return files


@dataclass
class DeployState:
    """What the last deploy published: path -> fingerprint, and what it may have left half done."""

    files: dict[str, str] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    policy: int = POLICY
    retired: dict[str, str] = field(default_factory=dict)  # path -> when (ISO 8601, UTC)

    def to_bytes(self) -> bytes:
        import orjson

        ordered = sorted(self.files.items())
        return (
            orjson.dumps(
                {
                    "version": STATE_VERSION,
                    "policy": self.policy,
                    "paths": [path for path, _ in ordered],
                    "fingerprints": [fingerprint for _, fingerprint in ordered],
                    "pending": sorted(self.pending),
                    "retired": dict(sorted(self.retired.items())),
                }
            )
            + b"\n"
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> DeployState | None:
        """The state in ``data``; None when it is not one (damaged, or another balita's)."""
        import orjson

        try:
            document: Any = orjson.loads(data)
        except ValueError:
            return None
        if not isinstance(document, dict) or document.get("version") != STATE_VERSION:
            return None
        paths, fingerprints, pending = (document.get(name) for name in ("paths", "fingerprints", "pending"))
        if not (isinstance(paths, list) and isinstance(fingerprints, list) and isinstance(pending, list)):
            return None
        texts = [*paths, *fingerprints, *pending]
        if len(paths) != len(fingerprints) or not all(isinstance(text, str) for text in texts):
            return None
        files = {path: fingerprint for path, fingerprint in zip(paths, fingerprints, strict=True) if is_published(path)}
        policy = document.get("policy")
        retired = document.get("retired")
        retired = retired if isinstance(retired, dict) else {}
        return cls(
            files,
            [path for path in pending if is_published(path)],
            policy if isinstance(policy, int) else 0,
            {path: when for path, when in retired.items() if is_published(path) and _moment(when)},
        )


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


@dataclass(frozen=True)
class Plan:
    upload: list[SiteFile]  # in publishing order
    delete: list[str]
    unchanged: int
    replaced: list[str]  # paths uploaded over an earlier version (or deleted): what a CDN must forget
    retired: dict[str, str]  # what the next state keeps as retired
    state_changes: bool  # something to record even with nothing to upload or delete
    expired: int = 0  # of ``delete``: files retired by an earlier deploy, now deleted

    @property
    def empty(self) -> bool:
        return not self.upload and not self.delete and not self.state_changes


def make_plan(files: dict[str, SiteFile], state: DeployState, now: datetime | None = None) -> Plan:
    """What to upload (new or changed since ``state``, or left pending by a deploy that may not
    have finished), in order, and what to delete. With ``now``, files named by their content are
    retired rather than deleted, and deleted once retired ``RETIRE_AFTER``."""
    published = state.files if state.policy == POLICY else {}
    pending = set(state.pending)
    upload = [item for path, item in files.items() if published.get(path) != item.fingerprint or path in pending]
    upload.sort(key=lambda item: (item.kind, item.path))
    gone = (set(state.files) | pending | set(state.retired)) - set(files)
    retired: dict[str, str] = {}
    if now is not None:
        stamp = now.isoformat()
        retired = {path: state.retired.get(path, stamp) for path in gone if is_immutable(path)}
        due = {
            path for path, when in retired.items() if (moment := _moment(when)) is None or now - moment >= RETIRE_AFTER
        }
        retired = {path: when for path, when in retired.items() if path not in due}
    delete = sorted(gone - set(retired))
    replaced = sorted([item.path for item in upload if item.path in state.files] + delete)
    expired = len(set(delete) & set(state.retired))
    return Plan(upload, delete, len(files) - len(upload), replaced, retired, retired != state.retired, expired)


def check_deletes(plan: Plan, max_deletes: int, target: str) -> None:
    """Refuse to delete more than ``max_deletes`` files the site published (what an earlier deploy
    retired, a deploy that was accepted, does not count)."""
    deleting = len(plan.delete) - plan.expired
    if deleting > max_deletes:
        raise InvalidInput(
            f"this deploy would delete {deleting} files from {target}, more than --max-deletes "
            f"{max_deletes}; nothing was changed (check the build, then raise --max-deletes)"
        )


def purge_urls(base_url: str, paths: list[str]) -> list[str]:
    """The addresses readers use for these files (``a/index.html`` is ``a/``)."""
    base = base_url.rstrip("/") + "/"
    urls = []
    for path in paths:
        if path == "index.html" or path.endswith("/index.html"):
            path = path[: -len("index.html")]
        urls.append(base + path)
    return urls
