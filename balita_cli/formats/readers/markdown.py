"""A tree of Markdown files with front matter, as Hugo, Jekyll and Zola write them.

YAML (``---``) and TOML (``+++``) front matter are read with python-frontmatter (TOML through
the standard library's tomllib). Dates come from ``date``/``publishDate``, else from a Jekyll
file name (``2013-05-06-slug.md``), else from a Zola ``path = "2025/06/26/slug"``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import (
    ImportCorrection,
    ImportRecord,
    ReadItem,
    ReadOptions,
    Rejected,
    Skipped,
    parse_time,
    text_list,
)
from balita_cli.workflow import Status

EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
_JEKYLL_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_ZOLA_PATH = re.compile(r"^/?(\d{4})/(\d{2})/(\d{2})/([^/]+?)/?$")
# Front-matter keys that are our own field names (balita's markdown export writes these).
PLAIN_FIELDS = (
    "subtitle", "source_name", "source_url", "image_alt", "image_caption", "image_credit",
    "dateline", "editor_note", "retraction_reason",
)  # fmt: skip


def _toml_handler() -> Any:
    from frontmatter.default_handlers import BaseHandler

    class TomlHandler(BaseHandler):
        """python-frontmatter's own TOML handler needs the third-party toml package; tomllib is stdlib."""

        FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
        START_DELIMITER = END_DELIMITER = "+++"

        def load(self, fm: str, **kwargs: Any) -> Any:
            return tomllib.loads(fm)

        def export(self, metadata: dict[str, Any], **kwargs: Any) -> str:
            raise NotImplementedError("reading only")

    return TomlHandler()


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    import frontmatter
    import yaml

    handler = _toml_handler() if text.lstrip("\ufeff").startswith("+++") else None
    try:
        post = frontmatter.loads(text.lstrip("\ufeff"), handler=handler) if handler else frontmatter.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise InvalidInput(f"broken front matter: {reason}") from None
    if not isinstance(post.metadata, dict):
        raise InvalidInput("front matter is not a table of fields")
    return dict(post.metadata), str(post.content)


class MarkdownReader:
    name = "markdown"
    description = "Markdown files with front matter (Hugo, Jekyll, Zola)"

    def estimate(self, path: str) -> int | None:
        return sum(1 for _ in _files(Path(path)))

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        root = Path(path)
        if not root.exists():
            raise InvalidInput(f"{path}: no such file or directory")
        base = root if root.is_dir() else root.parent
        for file in _files(root):
            relative = file.relative_to(base).as_posix()
            if file.stem == "_index":
                yield Skipped("section index", relative)
                continue
            try:
                yield _record(file, relative, options)
            except InvalidInput as exc:
                yield Rejected(relative, exc.message)


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for file in sorted(root.rglob("*")):
        if file.suffix.lower() in EXTENSIONS and file.is_file():
            yield file


def _record(file: Path, relative: str, options: ReadOptions) -> ImportRecord:
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not valid UTF-8 (byte {exc.start})") from None
    meta, body = _front_matter(text)
    name_date, name_slug = _from_name(file, meta)
    zone = options.zone
    date = parse_time(meta.get("date"), zone) or name_date
    published = parse_time(meta.get("publishDate") or meta.get("publishdate"), zone) or date
    record = ImportRecord(
        title=str(meta.get("title") or ""),
        origin=relative,
        external_id=f"md:{relative}",
        body=body.strip("\n") + "\n" if body.strip() else "",
        summary=str(meta.get("summary") or meta.get("description") or meta.get("excerpt") or ""),
        slug=str(meta.get("slug") or name_slug or "") or None,
        language=str(meta.get("lang") or meta.get("language") or "") or None,
        authors=text_list(meta.get("authors")) or text_list(meta.get("author")),
        aliases=text_list(meta.get("aliases")),
        created_at=date or published,
        updated_at=parse_time(meta.get("lastmod") or meta.get("updated"), zone) or date or published,
        expires_at=parse_time(meta.get("expiryDate") or meta.get("expirydate"), zone),
        featured=bool(meta.get("featured") or meta.get("sticky") or False),
        canonical_url=str(meta.get("canonical_url") or meta.get("canonicalURL") or meta.get("canonical") or ""),
    )
    _set_terms(record, meta)
    _set_image(record, meta)
    _set_status(record, meta, published or _modified(file))
    for name in PLAIN_FIELDS:
        if meta.get(name):
            setattr(record, name, str(meta[name]))
    record.corrections = _corrections(meta.get("corrections"), zone)
    return record


def _from_name(file: Path, meta: dict[str, Any]) -> tuple[datetime | None, str | None]:
    """Jekyll's ``YYYY-MM-DD-slug`` file name, or Zola's ``path = "YYYY/MM/DD/slug"``."""
    stem = file.parent.name if file.stem == "index" else file.stem
    path = meta.get("path")
    zola = _ZOLA_PATH.match(str(path)) if path else None
    if zola:
        year, month, day, slug = zola.groups()
        return datetime(int(year), int(month), int(day), tzinfo=UTC), slug
    jekyll = _JEKYLL_NAME.match(stem)
    if jekyll:
        return parse_time(jekyll.group(1), UTC), jekyll.group(2)
    return None, stem


def _set_terms(record: ImportRecord, meta: dict[str, Any]) -> None:
    """Zola keeps taxonomies in a ``[taxonomies]`` table; Hugo and Jekyll at the top level."""
    taxonomies = meta.get("taxonomies") if isinstance(meta.get("taxonomies"), dict) else {}
    categories = (
        text_list(meta.get("categories")) or text_list(meta.get("category"))
        or text_list(taxonomies.get("categories"))  # type: ignore[union-attr]
    )  # fmt: skip
    section = meta.get("section")
    if isinstance(section, str) and section.strip():
        categories = [section.strip(), *categories]
    tags = text_list(meta.get("tags")) or text_list(taxonomies.get("tags"))  # type: ignore[union-attr]
    if categories:
        record.section = categories[0]
    record.tags = [*categories[1:], *tags]


def _set_image(record: ImportRecord, meta: dict[str, Any]) -> None:
    image = meta.get("image_url") or meta.get("image") or meta.get("featured_image") or meta.get("cover")
    if isinstance(image, dict):  # Hugo themes: cover = {image = "...", alt = "...", caption = "..."}
        record.image_alt = str(image.get("alt") or "")
        record.image_caption = str(image.get("caption") or "")
        image = image.get("image") or image.get("src")
    if isinstance(image, str):
        record.image_url = image


def _set_status(record: ImportRecord, meta: dict[str, Any], published: datetime | None) -> None:
    """``draft: true`` stays a draft; a future date is scheduled, as Hugo skips it until then."""
    status = str(meta.get("status") or "").lower()
    if meta.get("draft") in (True, "true", "yes") or status == "draft":
        record.status = Status.DRAFT
        return
    if status in {item.value for item in Status}:
        record.status = Status(status)
    elif published is not None and published > datetime.now(UTC):
        record.status = Status.SCHEDULED
    else:
        record.status = Status.PUBLISHED
    if record.status is Status.SCHEDULED:
        record.scheduled_at = published
    elif record.status in {Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED}:
        record.published_at = published


def _modified(file: Path) -> datetime:
    """A published file without any date: its modification time stands in."""
    return datetime.fromtimestamp(file.stat().st_mtime, UTC)


def _corrections(value: Any, zone: Any) -> list[ImportCorrection]:
    found: list[ImportCorrection] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("text"):
            found.append(
                ImportCorrection(
                    text=str(item["text"]),
                    created_at=parse_time(item.get("created_at") or item.get("date"), zone),
                    kind=str(item.get("kind") or "correction"),
                )
            )
    return found


READER = MarkdownReader()
