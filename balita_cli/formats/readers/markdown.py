"""A tree of Markdown files with front matter, as Hugo, Jekyll and Zola write them.

YAML and TOML front matter are read with python-frontmatter, YAML aliases refused (an alias bomb
of a few hundred bytes expands without bound). Dates come from the front matter, a Jekyll file
name or a Zola path, in the site's time zone; drafts stay drafts; every old address is kept. A
file ``balita export markdown`` wrote is read back whole. Symbolic links out of the folder are
not followed."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler

from balita_cli.errors import InvalidInput
from balita_cli.formats.readers.base import (
    Reader,
    ReadItem,
    ReadOptions,
    Rejected,
    Skipped,
    input_value,
    keep_summary_derived,
    parse_time,
    text_list,
)
from balita_cli.schema import BY_NAME, EXTRA_FIELDS, ArticleInput, Kind
from balita_cli.workflow import Status

EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
_JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_ZOLA_PATH = re.compile(r"^/?(\d{4})/(\d{2})/(\d{2})/([^/]+?)/?$")
_TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_YAML_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.M)
_TOML_BOUNDARY = re.compile(r"^\+{3}[ \t]*\r?$", re.M)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64  # nesting of front-matter tables and lists
# Custom fields other sites may keep at the top level of their front matter (balita's own export
# writes every custom field under `params`).
TOP_LEVEL_FIELDS = frozenset(name for name in EXTRA_FIELDS if BY_NAME[name].kind in {Kind.TEXT, Kind.URL})
STATUS_VALUES = frozenset(status.value for status in Status)


def _toml_handler() -> Any:
    class TomlHandler(BaseHandler):
        """python-frontmatter's own TOML handler needs the third-party toml package; tomllib is stdlib."""

        FM_BOUNDARY = re.compile(r"^\+{3}\s*$", re.MULTILINE)
        START_DELIMITER = END_DELIMITER = "+++"

        def load(self, fm: str, **kwargs: Any) -> Any:
            return tomllib.loads(fm)

        def export(self, metadata: dict[str, Any], **kwargs: Any) -> str:
            raise NotImplementedError("reading only")

    return TomlHandler()


def _refuse_yaml_aliases(text: str) -> None:
    head = text.split("\n---", 1)[0]
    if "&" not in head and "*" not in head:
        return
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(head, Loader=yaml.SafeLoader)):
            raise InvalidInput("front matter uses YAML aliases (*name), which are not accepted")
    except yaml.YAMLError:
        return  # the real load reports it


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    if items is None:
        return level
    # A plain value one level down counts as that level (most values are: no call for each).
    return max(
        (_depth(item, level + 1) if isinstance(item, dict | list) else level + 1 for item in items), default=level
    )


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    text = text.lstrip("\ufeff")
    toml = text.startswith("+++")
    if not toml:
        _refuse_yaml_aliases(text)
    try:
        post = frontmatter.loads(text, handler=_toml_handler()) if toml else frontmatter.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise InvalidInput(f"broken front matter: {' '.join(str(exc).split())[:200]}") from None
    except RecursionError:
        raise InvalidInput("front matter is nested too deeply") from None
    if not isinstance(post.metadata, dict):
        raise InvalidInput("front matter is not a table of fields")
    if _depth(post.metadata) > MAX_DEPTH:
        raise InvalidInput(f"front matter is nested more than {MAX_DEPTH} levels deep")
    return dict(post.metadata), _raw_body(text, toml)


def _raw_body(text: str, toml: bool) -> str:
    """Everything after the closing delimiter's line, as it is (python-frontmatter strips the
    body, which would take the indentation of a leading code block with it)."""
    boundary = _TOML_BOUNDARY if toml else _YAML_BOUNDARY
    stripped = text.lstrip()
    opening = boundary.match(stripped)
    if opening is None:
        return text
    closing = boundary.search(stripped, opening.end())
    if closing is None:
        return ""
    rest = stripped[closing.end() :]
    return rest[1:] if rest.startswith("\n") else rest


class MarkdownReader(Reader):
    name = "markdown"
    description = "Markdown files with front matter (Hugo, Jekyll, Zola)"

    def estimate(self, path: str) -> int | None:
        return sum(1 for _ in files(Path(path)))

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        root = Path(path)
        if not root.exists():
            raise InvalidInput(f"{path}: no such file or directory")
        base = root if root.is_dir() else root.parent
        for file in files(root):
            relative = file.relative_to(base).as_posix()
            if file.is_symlink() and not file.resolve().is_relative_to(base.resolve()):
                yield Rejected(relative, "a link to a file outside the imported folder; not followed")
            elif file.stem == "_index":
                yield Skipped("section index", relative)
            else:
                try:
                    yield _record(file, relative, options)
                except InvalidInput as exc:
                    yield Rejected(relative, exc.message)


def files(root: Path) -> Iterator[Path]:
    """The Markdown files under ``root`` in the order of their paths, one folder listed at a time
    (a tree of 100,000 files is never held whole); linked folders are not entered."""
    if root.is_file():
        yield root
        return
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except PermissionError:
        return
    for entry in entries:
        path = root / entry.name
        try:
            folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            folder = False
        if folder:
            yield from files(path)
        elif path.suffix.lower() in EXTENSIONS and (path.is_file() or path.is_symlink()):
            yield path


def _read(file: Path) -> str:
    if file.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not valid UTF-8 (byte {exc.start})") from None


def _record(file: Path, relative: str, options: ReadOptions) -> ArticleInput:
    meta, body = front_matter(_read(file))
    zone = options.zone
    given = meta.get("params")
    params: dict[str, Any] = given if isinstance(given, dict) else {}
    own = is_own_export(params)
    # balita's own tree says where each story came from in params (or nowhere: made in balita).
    record = ArticleInput(origin=relative, external_id=None if own else f"md:{relative}")
    name_date, name_slug = _from_name(file, meta, zone)
    date = _date(meta.get("date"), zone, name_date, record)
    published = parse_time(meta.get("publishDate") or meta.get("publishdate"), zone) or date
    title = str(meta.get("title") or "").strip()
    if not title:
        title = name_slug.replace("-", " ").strip().capitalize() if name_slug else "(no title)"
        record.notes.append(f"no title in the front matter; imported as a draft titled {title!r}")
    slug = str(meta.get("slug") or name_slug or "") or None
    record.values.update(
        title=title,
        body=_body(body, own=own),
        summary=str(meta.get("summary") or meta.get("excerpt") or meta.get("description") or ""),
        slug=slug,
        language=str(meta.get("lang") or meta.get("language") or "") or None,
        authors=text_list(meta.get("authors")) or text_list(meta.get("author")),
        aliases=_aliases(meta, slug),
        created_at=date or published,
        updated_at=parse_time(meta.get("lastmod") or meta.get("updated"), zone) or date or published,
        expires_at=parse_time(meta.get("expiryDate") or meta.get("expirydate"), zone),
        featured=bool(meta.get("featured") or meta.get("sticky") or False),
        canonical_url=str(meta.get("canonical_url") or meta.get("canonicalURL") or meta.get("canonical") or ""),
    )
    _set_terms(record, meta)
    _set_image(record, meta)
    _set_params(record, params, meta)
    _set_status(
        record, meta, params, published or _modified(file), own=own, draft_folder="_drafts" in Path(relative).parts
    )
    if own:
        _own_fields(record, params)
    if not meta.get("title"):
        record["status"] = Status.DRAFT
    keep_summary_derived(record)
    if _TEMPLATE_CODE.search(body):
        record.notes.append("template code ({{ … }} or {% … %}) kept as visible text")
    return record


def _body(text: str, *, own: bool) -> str:
    """balita's export writes a blank line, the body as stored, and a newline: read exactly that.
    Other files: leading blank lines and trailing space dropped, one newline at the end."""
    if own:
        return text.removeprefix("\n").removesuffix("\n")
    return text.lstrip("\r\n").rstrip() + "\n" if text.strip() else ""


def is_own_export(params: dict[str, Any]) -> bool:
    """A file ``balita export markdown`` wrote: its params carry the article's id and status."""
    article_id, status = params.get("id"), params.get("status")
    return isinstance(article_id, int) and not isinstance(article_id, bool) and status in STATUS_VALUES


def _aliases(meta: dict[str, Any], slug: str | None) -> list[str]:
    """Every old address of the page: Hugo and Zola ``aliases``, Jekyll ``redirect_from``, and
    the page's own address on the old site (Hugo ``url``, Jekyll ``permalink``, Zola ``path``)."""
    found = text_list(meta.get("aliases")) + text_list(meta.get("redirect_from"))
    for key in ("url", "permalink"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip() and ":" not in value and value != f"/articles/{slug}/":
            found.append(value.strip())
    path = meta.get("path")
    if isinstance(path, str) and path.strip("/ "):
        found.append("/" + path.strip("/ ") + "/")
    return found


def _own_fields(record: ArticleInput, params: dict[str, Any]) -> None:
    """What only balita's own export carries: when the story was made and trashed, its library
    photo, related coverage. A retracted story's file holds its notice, not the story."""
    for name in ("created_at", "deleted_at", "photo", "coverage"):
        if params.get(name) not in (None, "", [], {}):
            _set_value(record, name, params[name])
    if record.get("status") is Status.RETRACTED:
        record.values.update(body="", summary="")


def _date(value: Any, zone: Any, fallback: datetime | None, record: ArticleInput) -> datetime | None:
    """The front matter's date; one that cannot be read gives way to the file name's, with a note."""
    try:
        return parse_time(value, zone) or fallback
    except InvalidInput:
        if fallback is None:
            raise
        record.notes.append(f"date {str(value)[:40]!r} cannot be read; the file name's date is used")
        return fallback


def _from_name(file: Path, meta: dict[str, Any], zone: Any) -> tuple[datetime | None, str | None]:
    """Jekyll's ``YYYY-M-D-slug`` file name, or Zola's ``path = "YYYY/MM/DD/slug"``: midnight in
    the site's zone, as a front-matter date without a time is read."""
    stem = file.parent.name if file.stem == "index" else file.stem
    path = meta.get("path")
    zola = _ZOLA_PATH.match(str(path)) if path else None
    found = zola or _JEKYLL_NAME.match(stem)
    if not found:
        return None, stem
    year, month, day, slug = found.groups()
    try:
        return datetime(int(year), int(month), int(day), tzinfo=zone).astimezone(UTC), slug
    except ValueError:
        return None, slug


def _set_terms(record: ArticleInput, meta: dict[str, Any]) -> None:
    """Zola keeps taxonomies in a ``[taxonomies]`` table; Hugo and Jekyll at the top level."""
    found = meta.get("taxonomies")
    taxonomies: dict[str, Any] = found if isinstance(found, dict) else {}
    categories = (
        text_list(meta.get("categories")) or text_list(meta.get("category")) or text_list(taxonomies.get("categories"))
    )
    section = meta.get("section")
    if isinstance(section, str) and section.strip():
        categories = [section.strip(), *categories]
    tags = text_list(meta.get("tags")) or text_list(taxonomies.get("tags"))
    if categories:
        record["section"] = categories[0]
    record["tags"] = [*categories[1:], *tags]


def _set_image(record: ArticleInput, meta: dict[str, Any]) -> None:
    image = meta.get("image_url") or meta.get("image") or meta.get("featured_image") or meta.get("cover")
    if isinstance(image, dict):  # Hugo themes: cover = {image = "...", alt = "...", caption = "..."}
        record["image_alt"] = str(image.get("alt") or "")
        record["image_caption"] = str(image.get("caption") or "")
        image = image.get("image") or image.get("src")
    if isinstance(image, str):
        record["image_url"] = image


def _set_params(record: ArticleInput, params: dict[str, Any], meta: dict[str, Any]) -> None:
    """The schema's custom fields (``EXTRA_FIELDS``): from Hugo ``params`` (where balita's export
    writes them), else from the top level, where other sites put a subtitle or a source."""
    for name in EXTRA_FIELDS:
        value = params.get(name, meta.get(name) if name in TOP_LEVEL_FIELDS else None)
        if value not in (None, "", []):
            _set_value(record, name, value)


def _set_value(record: ArticleInput, name: str, value: Any) -> None:
    """A custom field's value, read by its kind; one of the wrong shape is left out, with a note."""
    try:
        record[name] = input_value(name, value)
    except InvalidInput as exc:
        record.notes.append(f"{name}: {exc.message}; left out")


def _set_status(
    record: ArticleInput,
    meta: dict[str, Any],
    params: dict[str, Any],
    published: datetime | None,
    *,
    own: bool,
    draft_folder: bool,
) -> None:
    """``draft: true``, ``published: false`` and Jekyll's ``_drafts`` stay drafts; a future date
    is scheduled, as Hugo skips it until then. balita's own export says its status in params
    (a story in the trash is a draft to Hugo, whatever its status)."""
    status = str(params.get("status") or meta.get("status") or "").lower()
    unpublished = meta.get("draft") in (True, "true", "yes") or meta.get("published") in (False, "false", "no")
    if not own and (unpublished or draft_folder or status == "draft"):
        record["status"] = Status.DRAFT
        return
    if status in STATUS_VALUES:
        record["status"] = Status(status)
    elif published is not None and published > datetime.now(UTC):
        record["status"] = Status.SCHEDULED
    else:
        record["status"] = Status.PUBLISHED
    if record["status"] is Status.SCHEDULED:
        record["scheduled_at"] = published
    elif record["status"] in {Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED}:
        record["published_at"] = published


def _modified(file: Path) -> datetime:
    """A published file without any date: its modification time stands in."""
    return datetime.fromtimestamp(file.stat().st_mtime, UTC)


READER = MarkdownReader()
