"""A Hugo site tree: ``content/<section>/<slug>.md`` with YAML front matter, ``hugo.toml`` and a
small theme, so ``hugo --source DIR`` builds what ``balita export markdown -o DIR`` wrote.

Addresses stay the balita site's (old ones become Hugo aliases), balita's own fields travel under
``params`` so ``import markdown`` brings them back, and what a reader must not see (the editor's
note, a retracted story's text) stays out, because Hugo publishes it. ``.balita-export.json``
lists what the export wrote, so the next export removes its own stale files and never anyone
else's."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import tomli_w
import yaml

from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.files import atomic_open
from balita_cli.formats.base import Capabilities, Target, Writer, is_retracted
from balita_cli.formats.html import clean_text, plain_text
from balita_cli.records import Record, public_view, retraction_notice
from balita_cli.schema import EXTRA_FIELDS, PRIVATE_FIELDS
from balita_cli.slugs import make_slug

NO_SECTION = "uncategorized"
DRAFT_STATUSES = frozenset({"draft", "review"})
MANIFEST = ".balita-export.json"
MANIFEST_FORMAT = "balita-markdown-tree"
THEME = "balita"
# balita's own fields under `params`, before the schema's EXTRA_FIELDS. `expires_at` is one of
# those, not Hugo's expiryDate: Hugo deletes an expired page, balita archives the story and keeps it.
OWN_PARAMS = ("id", "status", "version", "created_at", "deleted_at", "photo", "coverage")
PARAM_FIELDS = (*OWN_PARAMS, *(name for name in EXTRA_FIELDS if name not in OWN_PARAMS))
# What the export may remove again: the files it writes, nothing else.
OWNED_PREFIXES = ("content/", f"themes/{THEME}/")
OWNED_FILES = frozenset({"hugo.toml"})


def article_path(record: Record) -> str:
    return urlsplit(record["url"]).path or f"/articles/{record['slug']}/"


def alias_url(alias: str) -> str:
    """An old address as Hugo wants it: an old slug under /articles/, a path as it is."""
    return alias if alias.startswith("/") else f"/articles/{alias}/"


def as_published(record: Record) -> Record:
    """The record as the tree may hold it: Hugo publishes what it is given, so a retracted
    story loses what ``public_view`` withholds (body, summary, subtitle, images), and the
    editor's note is never written."""
    if is_retracted(record):
        view = public_view({**record, "deleted_at": None})
        if view is not None:
            record = {**record, **{key: value for key, value in view.items() if key not in PRIVATE_FIELDS}}
    return {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}


def front_matter(record: Record) -> dict[str, Any]:
    record = as_published(record)
    published = record.get("published_at") or record.get("scheduled_at")
    matter: dict[str, Any] = {
        "title": clean_text(record["title"]),
        "date": published or record.get("created_at"),
        "publishDate": published,
        "lastmod": record.get("updated_at"),
        "draft": record.get("status") in DRAFT_STATUSES or bool(record.get("deleted_at")),
        "slug": record["slug"],
        "url": article_path(record),
        "aliases": [alias_url(alias) for alias in record.get("aliases") or []],
        "tags": list(record.get("tags") or []),
        "categories": [record["section"]] if record.get("section") else [],
        "summary": plain_text(record),
        "authors": list(record.get("authors") or []),
    }
    if record.get("status") == "archived":
        # Off the lists and feeds, page kept. `_build` for Hugo before 0.123, `build` after.
        matter["build"], matter["_build"] = {"list": "never"}, {"list": "never"}  # two objects: no YAML anchor
    matter["params"] = {name: record.get(name) for name in PARAM_FIELDS if record.get(name) not in (None, "", [], {})}
    return {key: value for key, value in matter.items() if value is not None}


def document(record: Record) -> str:
    matter = yaml.safe_dump(front_matter(record), allow_unicode=True, sort_keys=False, width=1000)
    body = f"**Retracted:** {retraction_notice(record)}" if is_retracted(record) else record.get("body") or ""
    return f"---\n{matter}---\n\n{clean_text(body)}\n"  # the reader takes the body back exactly


def hugo_config(site: Site, *, theme: bool = True) -> str:
    """The site's configuration; ``theme=False`` gives what exports wrote before the theme."""
    config: dict[str, Any] = {
        "baseURL": site.base_url.rstrip("/") + "/",
        "title": site.name,
        "languageCode": site.language,
        "timeZone": site.timezone,
    }
    if theme:
        config["theme"] = THEME
    return tomli_w.dumps({**config, "taxonomies": {"tag": "tags", "category": "categories", "author": "authors"}})


# ---------------------------------------------------------------- the theme

_BASEOF = """{{ $p := .Params.params | default .Params }}<!DOCTYPE html>
<html lang="{{ $p.language | default site.LanguageCode | default "en" }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}" \
title="{{ site.Title }}">{{ end }}
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 42rem; margin: 0 auto; padding: 1rem; }
img { max-width: 100%; height: auto; }
.meta, .source, figcaption { color: #555; font-size: .9rem; }
aside { border-left: 4px solid #b00; padding: .25rem 1rem; margin: 1rem 0; }
ul.articles { list-style: none; padding: 0; }
ul.articles li { margin-bottom: 1.25rem; }
</style>
</head>
<body>
<header><p><a href="{{ "/" | relURL }}">{{ site.Title }}</a></p></header>
<main>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

_SINGLE = """{{ define "main" }}{{ $p := .Params.params | default .Params }}
<article>
<h1>{{ .Title }}</h1>
{{ with $p.subtitle }}<p><em>{{ . }}</em></p>{{ end }}
<p class="meta">{{ with .Params.authors }}{{ delimit . ", " }} · {{ end }}\
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
{{ $notices := where ($p.corrections | default slice) "kind" "!=" "retraction" }}
{{ with $notices }}<aside><h2>Corrections</h2><ul>{{ range . }}<li>{{ .text }}</li>{{ end }}</ul></aside>{{ end }}
{{ with $p.image_url }}<figure><img src="{{ . }}" alt="{{ $p.image_alt }}">\
{{ with $p.image_caption }}<figcaption>{{ . }}</figcaption>{{ end }}</figure>{{ end }}
{{ with $p.dateline }}<p><strong>{{ . }}</strong></p>{{ end }}
{{ .Content }}
{{ with $p.source_name }}<p class="source">Read more on \
{{ with $p.source_url }}<a href="{{ . }}">{{ $p.source_name }}</a>{{ else }}{{ . }}{{ end }}</p>{{ end }}
</article>
{{ end }}
"""

_LIST = """{{ define "main" }}
<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{ $paginator := .Paginate $pages }}
<ul class="articles">
{{ range $paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>\
{{ if .IsPage }} <span class="meta"><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "January 2, 2006" }}</time></span>{{ with .Summary }}<br>{{ . }}{{ end }}{{ end }}</li>
{{ end }}</ul>
{{ template "_internal/pagination.html" . }}
{{ end }}
"""

THEME_FILES = {
    f"themes/{THEME}/layouts/_default/baseof.html": _BASEOF,
    f"themes/{THEME}/layouts/_default/single.html": _SINGLE,
    f"themes/{THEME}/layouts/_default/list.html": _LIST,
    f"themes/{THEME}/theme.toml": f'name = "{THEME}"\ndescription = "Minimal layouts from balita export markdown"\n',
}


# ---------------------------------------------------------------- the tree and its manifest


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def owned(relative: str) -> bool:
    """A path the export writes: under content/ or the theme, or hugo.toml; never outside."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or str(path) != relative:
        return False
    return relative in OWNED_FILES or relative.startswith(OWNED_PREFIXES)


def read_manifest(directory: Path) -> dict[str, str]:
    """What the last export wrote (path -> sha256); anything unreadable counts as nothing."""
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None
    if not isinstance(files, dict):
        return {}
    return {path: sha for path, sha in files.items() if isinstance(path, str) and isinstance(sha, str) and owned(path)}


def file_digest(path: Path) -> str | None:
    """The sha256 of a regular file (a link is not followed), or None."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


def looks_exported(path: Path) -> bool:
    """A content file an older balita export wrote (before the manifest): front matter whose
    params carry an article id and status."""
    try:
        head = path.read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return False
    return head.startswith("---\n") and "\nparams:\n  id: " in head and "\n  status: " in head


class Tree:
    """The files of one export: written atomically, recorded, and the stale ones removed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.root = directory.resolve()
        self.previous = read_manifest(directory)
        self.files: dict[str, str] = {}

    def inside(self, path: Path) -> bool:
        return path.parent.resolve().is_relative_to(self.root)

    def ours(self, relative: str) -> bool:
        """Whether the file at ``relative`` may be replaced: absent, or written by an export."""
        path = self.directory / relative
        if not (path.exists() or path.is_symlink()):
            return True
        if relative in self.previous:
            return True
        return relative.startswith("content/") and not path.is_symlink() and looks_exported(path)

    def put(self, relative: str, text: str) -> None:
        """Write a content file; a file of that name the export did not write is an error."""
        path = self.directory / relative
        if not self.inside(path):
            raise InvalidInput(f"{path.parent} leads out of {self.directory} (a symbolic link?); not written")
        if not self.ours(relative):
            raise InvalidInput(
                f"{path} was not written by balita export; move it away, or export into another directory"
            )
        self._write(relative, text)

    def put_support(self, relative: str, text: str, *, legacy: str = "") -> None:
        """Write a theme file or hugo.toml, unless someone has made it their own since: it must
        be absent, as the last export left it, or (``legacy``) as an older export wrote it."""
        path = self.directory / relative
        present = file_digest(path)
        exists = path.exists() or path.is_symlink()
        known = {self.previous.get(relative), digest(legacy.encode("utf-8")) if legacy else None}
        ours = present is not None and present in known
        if (exists and not ours) or not self.inside(path):
            return  # theirs, or changed by them: leave it
        self._write(relative, text)

    def _write(self, relative: str, text: str) -> None:
        data = text.encode("utf-8")
        sha = digest(data)
        self.files[relative] = sha
        path = self.directory / relative
        if file_digest(path) == sha:
            return  # unchanged: leave the file (and its time) alone
        with atomic_open(path) as handle:
            handle.write(text)

    def remove_stale(self) -> list[str]:
        """Remove what the last export wrote and this one did not, if nobody changed it since."""
        removed = []
        for relative, sha in sorted(self.previous.items()):
            if relative in self.files:
                continue
            path = self.directory / relative
            if not self.inside(path) or file_digest(path) != sha:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(relative)
            self._prune(path.parent)
        return removed

    def _prune(self, folder: Path) -> None:
        """Empty folders the removal left, up to the tree's own top (never the tree itself)."""
        while folder != self.directory and folder.resolve().is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    def save(self, *, complete: bool) -> None:
        """The manifest: this export's files (and, after a failure, the last one's still there)."""
        files = dict(self.files) if complete else {**self.previous, **self.files}
        with atomic_open(self.directory / MANIFEST) as handle:
            json.dump({"format": MANIFEST_FORMAT, "files": dict(sorted(files.items()))}, handle, indent=1)
            handle.write("\n")


def content_path(record: Record) -> str:
    section = make_slug(record.get("section") or "") or NO_SECTION
    name = make_slug(str(record["slug"])) or f"article-{record['id']}"
    return f"content/{section}/{name}.md"


class MarkdownTreeWriter(Writer):
    name = "markdown"
    description = "a Hugo content tree"
    extension = ".md"
    media_type = "text/markdown"
    capabilities = Capabilities(target=Target.TREE)

    def write_tree(self, records: Iterable[Record], directory: Path, site: Site, **options: Any) -> list[str]:
        """Each file is written atomically; stale files of the last export are removed at the end."""
        directory.mkdir(parents=True, exist_ok=True)
        tree = Tree(directory)
        complete = False
        try:
            tree.put_support("hugo.toml", hugo_config(site), legacy=hugo_config(site, theme=False))
            for relative, text in THEME_FILES.items():
                tree.put_support(relative, text)
            for record in records:
                tree.put(content_path(record), document(record))
            complete = True
        finally:
            tree.save(complete=complete)
        tree.remove_stale()
        return sorted(tree.files)


WRITER = MarkdownTreeWriter()
