"""IPTC ninjs: one news object per article, 3.1 by default (camelCase) or 2.1 (lower case).

Each document validates against the official schema (``unevaluatedProperties: false``), so only
schema properties appear. A library photo is a picture association whose renditions are the JPEG
renditions the site serves (href, width, height, contentType); every URL passes
``links.web_url``. The editor's note (ninjs ``edNote`` exists for it) is never exported:
balita's note is internal to the newsroom, not meant for partners.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from balita_cli.config import Site
from balita_cli.errors import UsageError
from balita_cli.formats.atom import last_change
from balita_cli.formats.base import Capabilities, Writer, article_guid, public_records
from balita_cli.formats.html import article_html, clean_text, plain_text
from balita_cli.formats.links import lead_image, web_url
from balita_cli.formats.streaming import json_line, write_json_array
from balita_cli.records import Record, credited_outlet

VERSIONS = ("3.1", "2.1")
SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def news_object(record: Record, site: Site, version: str = "3.1") -> dict[str, Any]:
    """The ninjs document for one article (3.1 property names; see ``for_version``)."""
    retracted = record.get("status") == "retracted"
    html = article_html(record)
    document: dict[str, Any] = {
        "uri": article_guid(record, site),
        "type": "text",
        "representationType": "full",
        "profile": "balita-article",
        "version": str(record.get("version") or 1),
        "firstCreated": record.get("published_at") or record.get("created_at"),
        "versionCreated": last_change(record),
        "pubStatus": "canceled" if retracted else "usable",
        "language": record.get("language") or site.language,
        "headlines": headlines(record),
        "descriptions": [{"role": "summary", "contentType": "text/plain", "value": plain_text(record)}],
        "bodies": [
            {
                "role": "main",
                "contentType": "text/html",
                "wordCount": 0 if retracted else int(record.get("word_count") or 0),
                "value": html,
            }
        ],
        "by": ", ".join(record.get("authors") or []) or credited_outlet(record),
        "people": [{"name": name, "rel": "author"} for name in record.get("authors") or []],
        "organisations": [{"name": credited_outlet(record), "rel": "author"}] if credited_outlet(record) else [],
        "subjects": subjects(record),
        "infoSources": info_sources(record, site),
        "located": clean_text(record.get("dateline")),
        "copyrightHolder": site.publisher.registered_name,
        "expires": record.get("expires_at"),
        "altIds": alt_ids(record),
        "associations": image_association(record, site),
        "standard": {"name": "ninjs", "version": version, "schema": SCHEMA_URI.format(version=version)},
    }
    document = {key: value for key, value in document.items() if _present(value)}
    converted: dict[str, Any] = for_version(document, version)
    return converted


def headlines(record: Record) -> list[dict[str, str]]:
    lines = [{"role": "main", "value": clean_text(record["title"])}]
    if record.get("subtitle"):
        lines.append({"role": "sub", "value": clean_text(record["subtitle"])})
    return lines


def subjects(record: Record) -> list[dict[str, str]]:
    found = [{"name": record["section"], "rel": "section"}] if record.get("section") else []
    return found + [{"name": tag, "rel": "tag"} for tag in record.get("tags") or []]


def alt_ids(record: Record) -> list[dict[str, str]]:
    url = web_url(record.get("url"))
    return ([{"role": "url", "value": url}] if url else []) + [{"role": "id", "value": str(record["id"])}]


def info_sources(record: Record, site: Site) -> list[dict[str, str]]:
    publisher = {"name": site.publisher.name, "role": "publisher"}
    home = web_url(site.base_url)
    sources = [{**publisher, "uri": home} if home else publisher]
    source_url = web_url(record.get("source_url"))
    if record.get("source_name") or source_url:
        origin = {"name": record.get("source_name") or "", "role": "originator", "uri": source_url or ""}
        sources.append({key: value for key, value in origin.items() if value})
    return sources


def image_association(record: Record, site: Site) -> list[dict[str, Any]]:
    """The lead photo: the library's, with the site's JPEG renditions; else the hot-linked URL."""
    image = lead_image(record, site)
    if image is None:
        return []
    if image.library:
        renditions = [
            {"name": f"jpeg-{width}", "href": url, "contentType": media_type, "width": width, "height": height}
            for url, width, height, media_type in image.renditions
        ]
    else:
        renditions = [{"name": "original", "href": image.url}]
    picture: dict[str, Any] = {"name": "featureimage", "uri": image.url, "type": "picture", "renditions": renditions}
    descriptions = [
        {"role": role, "contentType": "text/plain", "value": text}
        for role, text in (("caption", image.caption), ("alt", image.alt))
        if text
    ]
    if descriptions:
        picture["descriptions"] = descriptions
    if image.credit:
        picture["by"] = image.credit
    return [picture]


def for_version(document: Any, version: str) -> Any:
    """ninjs 2.x spells every property in lower case (``firstcreated``, ``contenttype``…)."""
    if version.startswith("3"):
        return document
    if isinstance(document, dict):
        return {key.lower(): for_version(value, version) for key, value in document.items()}
    if isinstance(document, list):
        return [for_version(item, version) for item in document]
    return document


class NinjsWriter(Writer):
    name = "ninjs"
    description = "IPTC ninjs 3.1 (or 2.1)"
    extension = ".json"
    media_type = "application/json"
    capabilities = Capabilities(public=True, options=("ninjs_version", "lines"))

    def write(self, records: Iterable[Record], stream: IO[str], site: Site, **options: Any) -> int:
        version = str(options.get("ninjs_version") or "3.1")
        if version not in VERSIONS:
            raise UsageError(f"unknown ninjs version {version!r} (choose from {', '.join(VERSIONS)})")
        documents = (news_object(record, site, version) for record in public_records(records))
        if not options.get("lines"):
            return write_json_array(stream, documents)
        count = 0
        for document in documents:
            stream.write(json_line(document))
            count += 1
        return count


WRITER = NinjsWriter()
