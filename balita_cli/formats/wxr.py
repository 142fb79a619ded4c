"""WordPress eXtended RSS 1.2, the file WordPress's importer reads (Tools → Import → WordPress).

Written as WordPress writes it, so each of the importer's three parsers reads it; what WordPress
has no place for travels as protected ``_balita_*`` post meta, so ``balita import wxr`` brings
it back. Items are spooled to a temporary file while the authors are collected, which must come
first: memory stays flat on any archive."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlsplit

from lxml import etree

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Writer, is_retracted
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.xmlstream import element, rfc822, sub
from balita_cli.media.urls import served_photo
from balita_cli.records import Record, public_view
from balita_cli.schema import BY_NAME, EXTRA_FIELDS, PRIVATE_FIELDS, Kind
from balita_cli.slugs import make_slug

WXR_VERSION = "1.2"
WP = "http://wordpress.org/export/1.2/"
EXCERPT = "http://wordpress.org/export/1.2/excerpt/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
WFW = "http://wellformedweb.org/CommentAPI/"
NSMAP: dict[str | None, str] = {"excerpt": EXCERPT, "content": CONTENT, "wfw": WFW, "dc": DC, "wp": WP}
ZERO_DATE = "0000-00-00 00:00:00"
# balita status -> WordPress post_status
WP_STATUS = {
    "draft": "draft",
    "review": "pending",
    "scheduled": "future",
    "published": "publish",
    "archived": "publish",
    "retracted": "publish",  # the page stays up with its retraction notice
}
META = "_balita_"
# The schema's custom fields as post meta; `featured` is WordPress's own sticky flag.
META_FIELDS = tuple(name for name in EXTRA_FIELDS if name != "featured")
# Attachment items get ids above any article's, so the two never meet (WordPress renumbers both).
ATTACHMENT_IDS = 1_000_000_000
SPOOL_IN_MEMORY = 8 * 1024 * 1024
_DECLARATIONS = re.compile(r'\s+xmlns:\w+="[^"]*"')
_LOGIN_LENGTH = 60  # WordPress's user_login column


def cdata_or_text(parent: Any, tag: str, value: str | None) -> Any:
    """Text in CDATA as WordPress writes it, unless the text holds ``]]>`` or a carriage return
    (a CDATA section cannot escape either; as text, lxml writes ``&#13;`` and it comes back)."""
    node = sub(parent, tag)
    text = clean_text(value)
    node.text = etree.CDATA(text) if text and "]]>" not in text and "\r" not in text else text
    return node


def wp_time(iso_time: str | None, zone: Any | None = None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, or in ``zone`` for post_date (the site's local time)."""
    if not iso_time:
        return ZERO_DATE
    moment = datetime.fromisoformat(iso_time).astimezone(zone or UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def login(name: str) -> str:
    """The WordPress login an author is given: the name's slug, as WordPress allows it."""
    return make_slug(name)[:_LOGIN_LENGTH].strip("-") or "author"


def content_digest(html: str) -> str:
    """What ``_balita_body_sha256`` holds: the digest of the item HTML, line ends normalised (an
    XML parser turns CR LF into LF), so a reader can tell whether WordPress changed the post."""
    return hashlib.sha256(html.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")).hexdigest()


def as_written(record: Record) -> Record:
    """A retracted story loses what ``public_view`` withholds (body, summary, subtitle, images):
    WordPress would publish them. The editor's note stays (protected meta, never shown)."""
    if not is_retracted(record):
        return record
    view = public_view({**record, "deleted_at": None}) or {}
    return {**record, **{key: value for key, value in view.items() if key not in PRIVATE_FIELDS}}


def meta_text(name: str, value: Any) -> str:
    """A field's value as post meta: lists and objects as JSON, times ISO 8601, flags 1/0."""
    kind = BY_NAME[name].kind if name in BY_NAME else Kind.TEXT
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | dict) or kind in {Kind.NAMES, Kind.SLUGS, Kind.NOTICES, Kind.COVERAGE, Kind.PHOTO}:
        return json_text(value)
    return str(value)


def json_text(value: Any) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped: shown anywhere, even as HTML, it is inert text,
    and it decodes to exactly the value (a Markdown body may hold raw HTML)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Authors:
    """Every byline name met, with the login each is given (two names never share one)."""

    def __init__(self) -> None:
        self.logins: dict[str, str] = {}

    def login_of(self, name: str) -> str:
        if name not in self.logins:
            base = login(name)
            taken = set(self.logins.values())
            candidate, number = base, 2
            while candidate in taken:
                candidate, number = f"{base[: _LOGIN_LENGTH - 6]}-{number}", number + 1
            self.logins[name] = candidate
        return self.logins[name]

    def elements(self) -> Iterator[Any]:
        for number, (name, user) in enumerate(self.logins.items(), start=1):
            author = element(f"{{{WP}}}author", NSMAP)
            sub(author, f"{{{WP}}}author_id", number)
            cdata_or_text(author, f"{{{WP}}}author_login", user)
            cdata_or_text(author, f"{{{WP}}}author_email", "")
            cdata_or_text(author, f"{{{WP}}}author_display_name", name)
            cdata_or_text(author, f"{{{WP}}}author_first_name", "")
            cdata_or_text(author, f"{{{WP}}}author_last_name", "")
            yield author


class Attachments:
    """Featured images as WordPress attachment items, one per image, numbered as they come."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def image(self, record: Record, site: Site) -> tuple[str, str, str] | None:
        """The lead photo (served by the site) or else the featured image URL: (url, alt, caption)."""
        photo = record.get("photo")
        served = served_photo(site, photo) if photo else None
        if served is not None and photo is not None:
            return served.url, str(photo.get("alt") or ""), str(photo.get("caption") or "")
        if record.get("image_url"):
            return str(record["image_url"]), str(record.get("image_alt") or ""), str(record.get("image_caption") or "")
        return None

    def attach(self, record: Record, site: Site, authors: Authors) -> tuple[int | None, Any | None]:
        """The attachment id the post's ``_thumbnail_id`` names, and its item when it is new."""
        found = self.image(record, site)
        if found is None:
            return None, None
        url, alt, caption = found
        if url in self.ids:
            return self.ids[url], None
        number = self.ids[url] = ATTACHMENT_IDS + len(self.ids) + 1
        return number, attachment_item(number, url, alt, caption, record, site, authors)


def attachment_item(number: int, url: str, alt: str, caption: str, record: Record, site: Site, authors: Authors) -> Any:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    when = record.get("published_at") or record.get("scheduled_at") or record.get("created_at")
    item = element("item", NSMAP)
    sub(item, "title", alt or name or f"image {number}")
    sub(item, "link", url)
    sub(item, "pubDate", rfc822(when) or "")
    for author in (record.get("authors") or [])[:1]:
        cdata_or_text(item, f"{{{DC}}}creator", authors.login_of(author))
    sub(item, "guid", url, isPermaLink="false")
    sub(item, "description", "")
    cdata_or_text(item, f"{{{CONTENT}}}encoded", "")
    cdata_or_text(item, f"{{{EXCERPT}}}encoded", caption)
    sub(item, f"{{{WP}}}post_id", number)
    sub(item, f"{{{WP}}}post_date", wp_time(when, site.tz))
    sub(item, f"{{{WP}}}post_date_gmt", wp_time(when))
    sub(item, f"{{{WP}}}comment_status", "closed")
    sub(item, f"{{{WP}}}ping_status", "closed")
    sub(item, f"{{{WP}}}post_name", make_slug(name.rsplit(".", 1)[0]) or f"image-{number}")
    sub(item, f"{{{WP}}}status", "inherit")
    sub(item, f"{{{WP}}}post_parent", record["id"])
    sub(item, f"{{{WP}}}menu_order", 0)
    sub(item, f"{{{WP}}}post_type", "attachment")
    sub(item, f"{{{WP}}}post_password", "")
    sub(item, f"{{{WP}}}is_sticky", 0)
    sub(item, f"{{{WP}}}attachment_url", url)
    if alt:
        add_meta(item, "_wp_attachment_image_alt", alt)
    return item


def add_meta(item: Any, key: str, value: str) -> None:
    meta = sub(item, f"{{{WP}}}postmeta")
    sub(meta, f"{{{WP}}}meta_key", key)
    cdata_or_text(meta, f"{{{WP}}}meta_value", value)


def item_element(record: Record, site: Site, authors: Authors | None = None, thumbnail: int | None = None) -> Any:
    authors = authors or Authors()
    record = as_written(record)
    when = record.get("published_at") or record.get("scheduled_at")
    html = article_html(record)
    item = element("item", NSMAP)
    sub(item, "title", record["title"])
    sub(item, "link", record["url"])
    sub(item, "pubDate", rfc822(when) or "")
    byline = record.get("authors") or []
    for author in byline[:1]:  # a WordPress post has one author; the others are Co-Authors Plus terms
        cdata_or_text(item, f"{{{DC}}}creator", authors.login_of(author))
    sub(item, "guid", record["url"], isPermaLink="false")
    sub(item, "description", "")
    cdata_or_text(item, f"{{{CONTENT}}}encoded", html)
    cdata_or_text(item, f"{{{EXCERPT}}}encoded", plain_text(record))
    sub(item, f"{{{WP}}}post_id", record["id"])
    sub(item, f"{{{WP}}}post_date", wp_time(when or record.get("created_at"), site.tz))
    sub(item, f"{{{WP}}}post_date_gmt", wp_time(when))
    sub(item, f"{{{WP}}}post_modified", wp_time(record.get("updated_at"), site.tz))
    sub(item, f"{{{WP}}}post_modified_gmt", wp_time(record.get("updated_at")))
    sub(item, f"{{{WP}}}comment_status", "closed")
    sub(item, f"{{{WP}}}ping_status", "closed")
    sub(item, f"{{{WP}}}post_name", record["slug"])
    status = WP_STATUS.get(record.get("status") or "", "draft")
    sub(item, f"{{{WP}}}status", "trash" if record.get("deleted_at") else status)
    sub(item, f"{{{WP}}}post_parent", 0)
    sub(item, f"{{{WP}}}menu_order", 0)
    sub(item, f"{{{WP}}}post_type", "post")
    sub(item, f"{{{WP}}}post_password", "")
    sub(item, f"{{{WP}}}is_sticky", 1 if record.get("featured") else 0)
    if record.get("section"):
        term = sub(item, "category", domain="category", nicename=make_slug(record["section"]))
        term.text = clean_text(record["section"])
    for tag in record.get("tags") or []:
        term = sub(item, "category", domain="post_tag", nicename=make_slug(tag))
        term.text = clean_text(tag)
    if len(byline) > 1:
        for author in byline:
            user = authors.login_of(author)
            term = sub(item, "category", domain="author", nicename=f"cap-{user}")
            term.text = clean_text(user)
    for key, value in post_meta(record, html, thumbnail, status):
        add_meta(item, key, value)
    return item


def post_meta(record: Record, html: str, thumbnail: int | None = None, status: str = "") -> list[tuple[str, str]]:
    """WordPress's own meta (``_thumbnail_id``, ``_wp_old_slug``, trash), then balita's fields
    WordPress has no column for, as protected (underscore) post meta."""
    pairs: list[tuple[str, str]] = []
    if thumbnail is not None:
        pairs.append(("_thumbnail_id", str(thumbnail)))
    pairs += [("_wp_old_slug", alias) for alias in record.get("aliases") or [] if not alias.startswith("/")]
    if record.get("deleted_at"):
        trashed = datetime.fromisoformat(record["deleted_at"])
        pairs += [("_wp_trash_meta_status", status), ("_wp_trash_meta_time", str(int(trashed.timestamp())))]
    own = {
        "id": record["id"],
        "status": record.get("status"),
        "created_at": record.get("created_at"),
        "deleted_at": record.get("deleted_at"),
        "authors": record.get("authors"),
        "aliases": record.get("aliases"),
        "photo": record.get("photo"),
        "coverage": record.get("coverage"),
        **{name: record.get(name) for name in META_FIELDS},
        "editor_note": record.get("editor_note"),
    }
    pairs += [(f"{META}{name}", meta_text(name, value)) for name, value in own.items() if value not in (None, "", [])]
    if not is_retracted(record):
        # The Markdown as written, as a JSON string: WordPress keeps the HTML, balita the source.
        pairs += [(f"{META}body", json_text(record.get("body") or "")), (f"{META}body_sha256", content_digest(html))]
    return pairs


def channel_head(site: Site) -> list[Any]:
    head = etree.Element("head", nsmap=NSMAP)
    sub(head, "title", site.name)
    sub(head, "link", site.base_url)
    sub(head, "description", site.description)
    sub(head, "language", site.language)
    sub(head, f"{{{WP}}}wxr_version", WXR_VERSION)
    sub(head, f"{{{WP}}}base_site_url", site.base_url)
    sub(head, f"{{{WP}}}base_blog_url", site.base_url)
    return list(head)


def serialize(node: Any, *, pretty: bool = True) -> str:
    """One element as text, without the namespace declarations ``<rss>`` already made."""
    text = str(etree.tostring(node, encoding="unicode", pretty_print=pretty))
    end = text.index(">") + 1
    return _DECLARATIONS.sub("", text[:end]) + text[end:] + ("" if pretty else "\n")


def _declarations() -> str:
    return "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in NSMAP.items())


class WxrWriter(Writer):
    name = "wxr"
    description = "WordPress eXtended RSS 1.2, for a move to WordPress"
    extension = ".xml"
    media_type = "application/rss+xml"

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        authors, attachments = Authors(), Attachments()
        count = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8") as items:
            for record in records:
                thumbnail, attachment = attachments.attach(as_written(record), site, authors)
                items.write(serialize(item_element(record, site, authors, thumbnail)))
                if attachment is not None:
                    items.write(serialize(attachment))
                count += 1
            stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"{_declarations()}>\n<channel>\n')
            for node in channel_head(site):
                stream.write(serialize(node))
            for author in authors.elements():
                stream.write(serialize(author, pretty=False))

            generator = etree.Element("generator")
            generator.text = f"balita/{__version__}"
            stream.write(serialize(generator))
            items.seek(0)
            shutil.copyfileobj(items, stream)
            stream.write("</channel>\n</rss>\n")
        return count


WRITER = WxrWriter()
