"""WordPress eXtended RSS 1.2, the file WordPress's importer reads (Tools → Import → WordPress).

Authors, categories and tags are carried on each item (``dc:creator``, ``category domain=…``);
the importer creates users and terms from them, so the file streams without a first pass.
Body HTML is rendered and sanitised like every other HTML output.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from balita_cli import __version__
from balita_cli.config import Site
from balita_cli.formats.base import Writer
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.xmlstream import element, rfc822, sub, xml_document
from balita_cli.records import Record
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
META_FIELDS = (
    "subtitle", "source_name", "source_url", "canonical_url", "image_url", "image_alt",
    "image_caption", "image_credit", "dateline", "language", "retraction_reason",
)  # fmt: skip


def cdata_or_text(parent: Any, tag: str, value: str | None) -> Any:
    """Text in CDATA as WordPress writes it, unless the text itself contains ``]]>``."""
    from lxml import etree

    node = sub(parent, tag)
    text = clean_text(value)
    node.text = etree.CDATA(text) if "]]>" not in text else text
    return node


def wp_time(iso_time: str | None, zone: Any | None = None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in UTC, or in ``zone`` for post_date (the site's local time)."""
    if not iso_time:
        return ZERO_DATE
    moment = datetime.fromisoformat(iso_time).astimezone(zone or UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def item_element(record: Record, site: Site) -> Any:
    item = element("item", NSMAP)
    when = record.get("published_at") or record.get("scheduled_at")
    sub(item, "title", record["title"])
    sub(item, "link", record["url"])
    sub(item, "pubDate", rfc822(when) or "")
    for author in (record.get("authors") or [])[:1]:  # WordPress posts have one author
        cdata_or_text(item, f"{{{DC}}}creator", make_slug(author) or author)
    sub(item, "guid", record["url"], isPermaLink="false")
    sub(item, "description", "")
    cdata_or_text(item, f"{{{CONTENT}}}encoded", article_html(record))
    cdata_or_text(item, f"{{{EXCERPT}}}encoded", plain_text(record))
    sub(item, f"{{{WP}}}post_id", record["id"])
    sub(item, f"{{{WP}}}post_date", wp_time(when or record.get("created_at"), site.tz))
    sub(item, f"{{{WP}}}post_date_gmt", wp_time(when))
    sub(item, f"{{{WP}}}post_modified", wp_time(record.get("updated_at"), site.tz))
    sub(item, f"{{{WP}}}post_modified_gmt", wp_time(record.get("updated_at")))
    sub(item, f"{{{WP}}}comment_status", "closed")
    sub(item, f"{{{WP}}}ping_status", "closed")
    sub(item, f"{{{WP}}}post_name", record["slug"])
    sub(item, f"{{{WP}}}status", WP_STATUS.get(record.get("status") or "", "draft"))
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
    for key, value in post_meta(record):
        meta = sub(item, f"{{{WP}}}postmeta")
        sub(meta, f"{{{WP}}}meta_key", key)
        cdata_or_text(meta, f"{{{WP}}}meta_value", value)
    return item


def post_meta(record: Record) -> list[tuple[str, str]]:
    """balita fields WordPress has no column for, as protected (underscore) post meta."""
    pairs = [(f"_balita_{name}", str(record[name])) for name in META_FIELDS if record.get(name)]
    pairs.append(("_balita_id", str(record["id"])))
    if record.get("authors"):
        pairs.append(("_balita_authors", "; ".join(record["authors"])))
    if record.get("editor_note"):
        pairs.append(("_balita_editor_note", record["editor_note"]))
    return pairs


def channel_head(site: Site) -> list[Any]:
    from lxml import etree

    head = etree.Element("head")
    sub(head, "title", site.name)
    sub(head, "link", site.base_url)
    sub(head, "description", site.description)
    sub(head, "language", site.language)
    wp = {"wp": WP}
    for tag, value in (
        ("wxr_version", WXR_VERSION),
        ("base_site_url", site.base_url),
        ("base_blog_url", site.base_url),
    ):
        node = etree.SubElement(head, f"{{{WP}}}{tag}", nsmap=wp)
        node.text = value
    sub(head, "generator", f"balita/{__version__}")
    return list(head)


class WxrWriter(Writer):
    name = "wxr"
    extension = ".xml"
    media_type = "application/rss+xml"

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        count = 0
        with xml_document(stream) as document:
            with document.element("rss", {"version": "2.0"}, nsmap=NSMAP):
                with document.element("channel"):
                    document.write(*channel_head(site), pretty_print=True)
                    for record in records:
                        document.write(item_element(record, site), pretty_print=True)
                        count += 1
        return count


WRITER = WxrWriter()
