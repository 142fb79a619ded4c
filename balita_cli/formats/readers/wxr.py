"""WordPress WXR exports (RSS 2.0 with the wp:, content:, excerpt: and dc: namespaces).

The file is read twice with a streaming, hardened parser (defusedxml over expat: no DTD
entities, no external references, no network): the first pass collects the authors and the
attachments that posts point at through ``_thumbnail_id`` (and rejects a hostile or broken file
before anything is written), the second yields the posts. Memory stays flat on huge exports.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import html_to_text, sanitize
from balita_cli.formats.readers.base import Reader, ReadItem, ReadOptions, Rejected, Skipped, parse_time, plain_name
from balita_cli.schema import ArticleInput
from balita_cli.workflow import Status

# WordPress post status -> ours; None: not imported (counted as skipped).
STATUSES: dict[str, Status | None] = {
    "publish": Status.PUBLISHED,
    "draft": Status.DRAFT,
    "pending": Status.REVIEW,
    "future": Status.SCHEDULED,
    "private": Status.DRAFT,
    "trash": None,
    "auto-draft": None,
    "inherit": None,
}
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.S)
_ZERO_DATE = "0000-00-00 00:00:00"


@dataclass(frozen=True)
class Attachment:
    url: str
    alt: str
    caption: str


@dataclass
class ExportIndex:
    """What the first pass learns: author display names, attachments, how often each guid occurs."""

    authors: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    guids: Counter[str] = field(default_factory=Counter)


def _prefix(namespace: str) -> str:
    """WXR versions (1.0-1.2, http or https) differ in namespace URI; the role is what counts."""
    if "wordpress.org/export/" in namespace:
        return "excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"
    if "purl.org/rss/1.0/modules/content" in namespace:
        return "content"
    if "purl.org/dc/elements" in namespace:
        return "dc"
    return ""


def _name(tag: str) -> str:
    """``{uri}local`` -> ``wp:local``; plain RSS tags stay as they are."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    prefix = _prefix(namespace)
    return f"{prefix}:{local}" if prefix else local


def _fields(element: Element) -> dict[str, str]:
    """The first text of each direct child, by prefixed name."""
    values: dict[str, str] = {}
    for child in element:
        values.setdefault(_name(child.tag), child.text or "")
    return values


def _meta(item: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in item:
        if _name(child.tag) == "wp:postmeta":
            entry = _fields(child)
            meta[entry.get("wp:meta_key", "")] = entry.get("wp:meta_value", "")
    return meta


def _iterate(path: Path, tags: set[str]) -> Iterator[Element]:
    """Ended elements named in ``tags``, each dropped from the tree once the caller is done."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    stack: list[Element] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                stack.append(element)
                continue
            stack.pop()
            if _name(element.tag) in tags:
                yield element
                if stack:
                    stack[-1].remove(element)
    except DefusedXmlException as exc:
        raise InvalidInput(f"{path}: refused unsafe XML ({type(exc).__name__}): {exc}") from None
    except ParseError as exc:
        raise InvalidInput(f"{path}: not well-formed XML: {exc}") from None


class WxrReader(Reader):
    name = "wxr"
    description = "WordPress export (WXR XML)"

    def estimate(self, path: str) -> int | None:
        return _count_bytes(Path(path), b"<item>") + _count_bytes(Path(path), b"<item ")

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = self.existing_file(path)
        index = self._collect(source)
        position = 0
        for item in _iterate(source, {"item"}):
            position += 1
            yield self._item(item, f"{source.name}: item {position}", index, options)

    def _collect(self, source: Path) -> ExportIndex:
        index = ExportIndex()
        authors, attachments, guids = index.authors, index.attachments, index.guids
        found_wordpress = False
        for element in _iterate(source, {"wp:author", "item", "wp:wxr_version"}):
            tag = _name(element.tag)
            if tag == "wp:wxr_version":
                found_wordpress = True
            elif tag == "wp:author":
                found_wordpress = True
                entry = _fields(element)
                login = entry.get("wp:author_login", "").strip()
                authors[login] = entry.get("wp:author_display_name", "").strip() or login
            else:
                entry = _fields(element)
                found_wordpress = found_wordpress or "wp:post_type" in entry
                guids[entry.get("guid", "").strip()] += 1
                if entry.get("wp:post_type") == "attachment":
                    meta = _meta(element)
                    attachments[entry.get("wp:post_id", "")] = Attachment(
                        url=entry.get("wp:attachment_url", "").strip() or entry.get("guid", "").strip(),
                        alt=meta.get("_wp_attachment_image_alt", "").strip(),
                        caption=html_to_text(entry.get("excerpt:encoded", "")),
                    )
        if not found_wordpress:
            raise InvalidInput(f"{source}: not a WordPress export (no wp: elements)")
        return index

    def _item(
        self,
        item: Element,
        origin: str,
        index: ExportIndex,
        options: ReadOptions,
    ) -> ReadItem:
        entry = _fields(item)
        kind = entry.get("wp:post_type", "post") or "post"
        if kind != "post":
            return Skipped(kind, origin)
        wp_status = entry.get("wp:status", "draft") or "draft"
        status = STATUSES.get(wp_status, Status.DRAFT)
        if status is None:
            return Skipped(wp_status, origin)
        try:
            when = _post_time(entry, options)
        except InvalidInput as exc:
            return Rejected(origin, exc.message)
        record = ArticleInput(
            origin=f"{origin} (post {entry.get('wp:post_id', '?')})",
            title=html_to_text(entry.get("title", "")),
            external_id=_external_id(entry, index),
            body=_body(entry.get("content:encoded", "")),
            summary=html_to_text(entry.get("excerpt:encoded", "")),
            slug=entry.get("wp:post_name", "").strip() or None,
            status=status,
            featured=entry.get("wp:is_sticky", "0").strip() == "1",
            created_at=when,
            updated_at=when,
        )
        _set_times(record, when)
        _set_terms(record, item)
        creator = entry.get("dc:creator", "").strip()
        if creator:
            record["authors"] = [plain_name(index.authors.get(creator, creator))]
        thumbnail = index.attachments.get(_meta(item).get("_thumbnail_id", ""))
        if thumbnail is not None:
            record.values.update(image_url=thumbnail.url, image_alt=thumbnail.alt, image_caption=thumbnail.caption)
        if entry.get("wp:post_password", "").strip() or wp_status == "private":
            record["status"] = Status.DRAFT
            record["editor_note"] = f"Imported as a draft: {wp_status_note(entry, wp_status)} in WordPress."
        if not record["title"]:
            record["title"] = "(no title)"
            record["status"] = Status.DRAFT
            record.notes.append("no title in WordPress; imported as a draft titled '(no title)'")
        return record


def wp_status_note(entry: dict[str, str], wp_status: str) -> str:
    return "password-protected" if entry.get("wp:post_password", "").strip() else wp_status


def _external_id(entry: dict[str, str], index: ExportIndex) -> str:
    """``wxr:<guid>``; a guid shared by several items (copied posts keep theirs) gets the post id."""
    guid = entry.get("guid", "").strip()
    post_id = entry.get("wp:post_id", "").strip()
    if not guid:
        return f"wxr:post:{post_id}"
    return f"wxr:{guid}#post-{post_id}" if index.guids[guid] > 1 else f"wxr:{guid}"


def _post_time(entry: dict[str, str], options: ReadOptions) -> datetime | None:
    """``post_date_gmt`` is UTC; drafts carry a zero GMT date, then the local ``post_date`` is used."""
    gmt = entry.get("wp:post_date_gmt", "").strip()
    if gmt and gmt != _ZERO_DATE:
        return parse_time(gmt, UTC)
    local = entry.get("wp:post_date", "").strip()
    if local and local != _ZERO_DATE:
        return parse_time(local, options.zone)
    return None


def _set_times(record: ArticleInput, when: datetime | None) -> None:
    if record["status"] is Status.PUBLISHED:
        record["published_at"] = when
    elif record["status"] is Status.SCHEDULED:
        if when is None:
            record["status"] = Status.DRAFT
        record["scheduled_at"] = when


def _set_terms(record: ArticleInput, item: Element) -> None:
    """The first category is the section; other categories and the tags become tags."""
    categories: list[str] = []
    tags: list[str] = []
    for child in item:
        if child.tag != "category" or not (child.text or "").strip():
            continue
        name = plain_name(html.unescape(child.text or ""))
        domain = child.get("domain", "")
        if domain == "category":
            categories.append(name)
        elif domain == "post_tag":
            tags.append(name)
    if categories:
        record["section"] = categories[0]
    record["tags"] = [*categories[1:], *tags]


def _body(content: str) -> str:
    """Block-editor comments removed, the HTML kept as the (Markdown) body, sanitized."""
    return sanitize(_BLOCK_COMMENT.sub("", content)).strip()


def _count_bytes(path: Path, needle: bytes) -> int:
    count = 0
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += data.count(needle)
            tail = data[-(len(needle) - 1) :]
    return count


READER = WxrReader()
