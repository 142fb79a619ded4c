"""WordPress WXR exports (RSS 2.0 with the wp:, content:, excerpt: and dc: namespaces).

The file is read twice by a streaming, hardened parser (``wxr_xml``): once for the authors and
the attachments posts point at (a hostile file is refused before anything is written), once for
the posts. Bylines come from Co-Authors Plus terms or ``dc:creator``; old slugs become aliases;
trashed posts come into the trash. balita's own ``_balita_*`` meta is read back only while
WordPress's copy still agrees, so a post edited in WordPress keeps WordPress's version."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from balita_cli.errors import InvalidInput
from balita_cli.formats.html import html_body, html_to_text
from balita_cli.formats.readers.base import (
    Reader,
    ReadItem,
    ReadOptions,
    Rejected,
    Skipped,
    input_value,
    keep_summary_derived,
    parse_time,
    plain_name,
)
from balita_cli.formats.readers.wxr_xml import (
    child_texts,
    count_bytes,
    iter_ended,
    post_meta,
    post_meta_lists,
    tag_name,
)
from balita_cli.formats.wxr import content_digest
from balita_cli.schema import EXTRA_FIELDS, ArticleInput
from balita_cli.slugs import make_slug
from balita_cli.workflow import Status

# WordPress post status -> ours; None: not imported (counted as skipped).
STATUSES: dict[str, Status | None] = {
    "publish": Status.PUBLISHED,
    "draft": Status.DRAFT,
    "pending": Status.REVIEW,
    "future": Status.SCHEDULED,
    "private": Status.DRAFT,
    "trash": Status.DRAFT,  # into balita's trash, with the status it had before (_wp_trash_meta_status)
    "auto-draft": None,
    "inherit": None,
}
# What balita's WXR writer says of each status (balita status -> WordPress status).
BALITA_TO_WP = {
    "draft": "draft",
    "review": "pending",
    "scheduled": "future",
    "published": "publish",
    "archived": "publish",
    "retracted": "publish",
}
OWN = "_balita_"
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.S)
# The notices balita's writer puts around a body in the item HTML (their text is in meta too).
_OWN_MARKUP = re.compile(
    r'<aside class="(?:corrections|retraction)">.*?</aside>|<p class="source">Read more on .*?</p>\s*$', re.S
)
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


class WxrReader(Reader):
    name = "wxr"
    description = "WordPress export (WXR XML)"

    def estimate(self, path: str) -> int | None:
        return count_bytes(Path(path), b"<item>") + count_bytes(Path(path), b"<item ")

    def read(self, path: str, options: ReadOptions) -> Iterator[ReadItem]:
        source = self.existing_file(path)
        index = self._collect(source)
        position = 0
        for item in iter_ended(source, {"item"}):
            position += 1
            yield self._item(item, f"{source.name}: item {position}", index, options)

    def _collect(self, source: Path) -> ExportIndex:
        index = ExportIndex()
        authors, attachments, guids = index.authors, index.attachments, index.guids
        found_wordpress = False
        for element in iter_ended(source, {"wp:author", "item", "wp:wxr_version"}):
            tag = tag_name(element.tag)
            if tag == "wp:wxr_version":
                found_wordpress = True
            elif tag == "wp:author":
                found_wordpress = True
                entry = child_texts(element)
                login = entry.get("wp:author_login", "").strip()
                authors[login] = entry.get("wp:author_display_name", "").strip() or login
            else:
                entry = child_texts(element)
                found_wordpress = found_wordpress or "wp:post_type" in entry
                guids[entry.get("guid", "").strip()] += 1
                if entry.get("wp:post_type") == "attachment":
                    meta = post_meta(element)
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
        entry = child_texts(item)
        kind = entry.get("wp:post_type", "post") or "post"
        if kind != "post":
            return Skipped(kind, origin)
        wp_status = entry.get("wp:status", "draft") or "draft"
        status = STATUSES.get(wp_status, Status.DRAFT)
        if status is None:
            return Skipped(wp_status, origin)
        metas = post_meta_lists(item)
        meta = {key: values[-1] for key, values in metas.items()}
        origin = f"{origin} (post {entry.get('wp:post_id', '?')})"
        try:
            when = _post_time(entry, options)
            record = ArticleInput(
                origin=origin,
                title=html_to_text(entry.get("title", "")),
                external_id=_external_id(entry, index),
                body=_body(entry.get("content:encoded", "")),
                summary=html_to_text(entry.get("excerpt:encoded", "")),
                slug=entry.get("wp:post_name", "").strip() or None,
                status=status,
                featured=entry.get("wp:is_sticky", "0").strip() == "1",
                created_at=when,
                updated_at=_modified_time(entry, options) or when,
                aliases=[value for value in metas.get("_wp_old_slug", []) if value.strip()],
            )
            if wp_status == "trash":
                _trashed(record, meta)
            _set_times(record, when)
            _set_terms(record, item)
            record["authors"] = _byline(item, entry, index)
            thumbnail = index.attachments.get(meta.get("_thumbnail_id", ""))
            if thumbnail is not None and f"{OWN}id" not in meta:
                record.values.update(image_url=thumbnail.url, image_alt=thumbnail.alt, image_caption=thumbnail.caption)
            if OWN + "id" in meta:
                _own_fields(record, meta, entry, wp_status)
            _private(record, entry, wp_status)
        except InvalidInput as exc:
            return Rejected(origin, exc.message)
        if not record["title"]:
            record["title"] = "(no title)"
            record["status"] = Status.DRAFT
            record.notes.append("no title in WordPress; imported as a draft titled '(no title)'")
        keep_summary_derived(record)
        return record


def _private(record: ArticleInput, entry: dict[str, str], wp_status: str) -> None:
    """Private and password-protected posts were not for everyone: drafts, with a note."""
    if entry.get("wp:post_password", "").strip() or wp_status == "private":
        record["status"] = Status.DRAFT
        record["editor_note"] = f"Imported as a draft: {wp_status_note(entry, wp_status)} in WordPress."


def _byline(item: Element, entry: dict[str, str], index: ExportIndex) -> list[str]:
    """Co-Authors Plus terms in order (their text is a login or a name; their nicename is
    ``cap-<login>``), else ``dc:creator``; each login shown by its display name."""
    names: list[str] = []
    for child in item:
        if child.tag == "category" and child.get("domain") == "author" and (child.text or "").strip():
            text, nicename = (child.text or "").strip(), child.get("nicename", "")
            user = text if text in index.authors else nicename.removeprefix("cap-")
            names.append(index.authors.get(user) or text)
    if not names:
        creator = entry.get("dc:creator", "").strip()
        names = [index.authors.get(creator, creator)] if creator else []
    return list(dict.fromkeys(name for name in (plain_name(html.unescape(n)) for n in names) if name))


def _trashed(record: ArticleInput, meta: dict[str, str]) -> None:
    """A post in WordPress's trash: into balita's trash, with the status it had before."""
    before = STATUSES.get(meta.get("_wp_trash_meta_status", "").strip()) or Status.DRAFT
    record["status"] = before
    moment = meta.get("_wp_trash_meta_time", "").strip()
    record["deleted_at"] = parse_time(moment, UTC) if moment.isdigit() else datetime.now(UTC)


def _own_fields(record: ArticleInput, meta: dict[str, str], entry: dict[str, str], wp_status: str) -> None:
    """What balita's own WXR export carries as ``_balita_*`` meta. A value WordPress also keeps
    (status, byline, body) is taken only while WordPress's copy agrees with it: a post changed in
    WordPress after the export keeps WordPress's version."""

    def own(name: str) -> Any:
        text = meta.get(OWN + name)
        if text is None or text == "":
            return None
        try:
            return input_value(name, text)
        except InvalidInput as exc:
            record.notes.append(f"{OWN}{name}: {exc.message}; left out")
            return None

    for name in (
        *(name for name in EXTRA_FIELDS if name != "featured"),
        "created_at",
        "coverage",
        "photo",
        "editor_note",
        *(["deleted_at"] if wp_status == "trash" else []),
    ):
        value = own(name)
        if value is not None:
            record[name] = value
    record["external_id"] = own("external_id")  # balita's, or none (a story made in balita)
    status = meta.get(OWN + "status", "")
    live_status = "trash" if record.get("deleted_at") else BALITA_TO_WP.get(status)
    if status in BALITA_TO_WP and live_status == wp_status:
        record["status"] = Status(status)
        _set_times(record, record.get("published_at") or record.get("scheduled_at"))
    authors = own("authors")
    if authors is not None and [_login_like(n) for n in authors[:1]] == [_login_like(n) for n in record["authors"][:1]]:
        record["authors"] = authors
    aliases = own("aliases")
    if aliases is not None:
        record["aliases"] = aliases
    body = _json_string(meta.get(OWN + "body"))
    if body is not None and meta.get(OWN + "body_sha256") == content_digest(entry.get("content:encoded", "")):
        record["body"] = body
    elif record.get("status") is Status.RETRACTED:
        record.values.update(body="", summary="")
    else:
        record["body"] = _body(_OWN_MARKUP.sub("", entry.get("content:encoded", "")))


def _json_string(text: str | None) -> str | None:
    """``_balita_body``: the Markdown as a JSON string; anything else is no body."""
    try:
        value = json.loads(text) if text else None
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _login_like(name: str) -> str:
    return make_slug(name)


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


def _modified_time(entry: dict[str, str], options: ReadOptions) -> datetime | None:
    gmt = entry.get("wp:post_modified_gmt", "").strip()
    if gmt and gmt != _ZERO_DATE:
        return parse_time(gmt, UTC)
    local = entry.get("wp:post_modified", "").strip()
    return parse_time(local, options.zone) if local and local != _ZERO_DATE else None


def _set_times(record: ArticleInput, when: datetime | None) -> None:
    record.values.pop("published_at", None)
    record.values.pop("scheduled_at", None)
    if record["status"] in {Status.PUBLISHED, Status.ARCHIVED, Status.RETRACTED}:
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
    return html_body(_BLOCK_COMMENT.sub("", content))


READER = WxrReader()
