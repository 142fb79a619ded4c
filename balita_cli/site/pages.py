"""Where each page lives and what its template is given: plain dicts made from article records.

Paths are relative to the output directory; links inside a page are relative to the page (so the
site works from any base path and straight from disk), while canonical URLs and JSON-LD use the
site's absolute base URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from balita_cli.config import Site
from balita_cli.site.content import last_change, render_body, safe_url
from balita_cli.words import display_time

Record = dict[str, Any]
INDEX = "index.html"
# An edit within a minute of publication is part of publishing, not an update worth showing.
UPDATE_GRACE = timedelta(minutes=1)
HEADLINE_LIMIT = 110  # what search engines read of a NewsArticle headline
LIST_KINDS = {"section": "sections", "tag": "tags", "author": "authors"}


def article_dir(slug: str) -> str:
    return f"articles/{slug}/"


def term_dir(kind: str, slug: str) -> str:
    return f"{LIST_KINDS[kind]}/{slug}/"


def page_dir(base: str, number: int) -> str:
    """Page 1 of a list is its own directory; later pages sit under ``page/<n>/``."""
    return base if number == 1 else f"{base}page/{number}/"


def root_prefix(directory: str) -> str:
    """``../`` once per directory level: how a page at ``directory`` reaches the site root."""
    return "../" * directory.count("/") or "./"


def absolute(site: Site, directory: str) -> str:
    return f"{site.base_url.rstrip('/')}/{directory}"


def _local(value: str | None, site: Site) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(site.tz) if value else None


def _time_view(value: datetime | None, language: str) -> dict[str, str] | None:
    if value is None:
        return None
    return {"iso": value.isoformat(), "text": display_time(value, language)}


def links_of(terms: Sequence[tuple[str, str]], kind: str) -> list[dict[str, str]]:
    return [{"name": name, "path": term_dir(kind, slug)} for name, slug in terms]


def entry_view(record: Record, site: Site) -> dict[str, Any]:
    """What a list shows of an article: title, link, time, summary (none when retracted)."""
    language = record["language"] or site.language
    published = _local(record["published_at"], site)
    retracted = record["status"] == "retracted"
    return {
        "title": record["title"],
        "path": article_dir(record["slug"]),
        "summary": "" if retracted else record["summary"],
        "retracted": retracted,
        "lang": language,
        "published": _time_view(published, language),
        "section": record["section"],
        "authors": record["authors"],
        "source_name": record["source_name"],
    }


def article_view(record: Record, terms: dict[str, list[tuple[str, str]]], site: Site) -> dict[str, Any]:
    """What the article template shows; a retracted article keeps its title and notices only."""
    language = record["language"] or site.language
    retracted = record["status"] == "retracted"
    published = _local(record["published_at"], site)
    updated = _local(record["updated_at"], site)
    show_updated = published is not None and updated is not None and updated - published > UPDATE_GRACE
    notices = [
        {
            "kind": c["kind"],
            "text": c["text"],
            "time": _time_view(_local(c["created_at"], site), language),
        }
        for c in record["corrections"]
    ]
    return {
        "title": record["title"],
        "subtitle": record["subtitle"],
        "summary": "" if retracted else record["summary"],
        "lang": language,
        "retracted": retracted,
        "retraction_reason": record["retraction_reason"],
        "body_html": "" if retracted else Markup(render_body(record["body"])),
        "dateline": record["dateline"],
        "published": _time_view(published, language),
        "updated": _time_view(updated, language) if show_updated else None,
        "section": next(iter(links_of(terms["section"], "section")), None),
        "tags": links_of(terms["tag"], "tag"),
        "authors": links_of(terms["author"], "author"),
        "source_name": record["source_name"],
        "source_url": safe_url(record["source_url"]),
        "image": None if retracted else _image(record),
        "corrections": [n for n in notices if n["kind"] != "retraction"],
        "retractions": [n for n in notices if n["kind"] == "retraction"],
        "canonical": safe_url(record["canonical_url"]) or record["url"],
        "url": record["url"],
    }


def _image(record: Record) -> dict[str, str] | None:
    url = safe_url(record["image_url"])
    if not url:
        return None
    return {"url": url, "alt": record["image_alt"], "caption": record["image_caption"],
            "credit": record["image_credit"]}  # fmt: skip


def news_article_ld(record: Record, terms: dict[str, list[tuple[str, str]]], site: Site) -> dict[str, Any]:
    """schema.org NewsArticle for search engines; a retracted article carries no description."""
    home = f"{site.base_url.rstrip('/')}/"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _headline(record["title"]),
        "url": record["url"],
        "mainEntityOfPage": safe_url(record["canonical_url"]) or record["url"],
        "inLanguage": record["language"] or site.language,
        "datePublished": record["published_at"],
        "dateModified": last_change([record]),
        "author": [
            {"@type": "Person", "name": name, "url": absolute(site, term_dir("author", slug))}
            for name, slug in terms["author"]
        ]
        or [{"@type": "Organization", "name": site.publisher, "url": home}],
        "publisher": {"@type": "Organization", "name": site.publisher, "url": home},
    }
    if record["section"]:
        data["articleSection"] = record["section"]
    if record["tags"]:
        data["keywords"] = record["tags"]
    if record["status"] != "retracted":
        data["description"] = record["summary"]
        if safe_url(record["image_url"]):
            data["image"] = [record["image_url"]]
    if safe_url(record["source_url"]):
        data["isBasedOn"] = record["source_url"]
    return data


def _headline(title: str) -> str:
    return title if len(title) <= HEADLINE_LIMIT else title[: HEADLINE_LIMIT - 1].rstrip() + "…"


def script_json(data: dict[str, Any]) -> Markup:
    """JSON safe inside <script>: no "</script>" or "<!--" can close or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # noqa: S704  (escaped above for the script context)


@dataclass
class ListPage:
    directory: str
    number: int
    total: int
    entries: list[dict[str, Any]]
    newer: str | None
    older: str | None


def paginate(base: str, entries: Sequence[dict[str, Any]], size: int) -> Iterator[ListPage]:
    """Pages of ``size`` entries; an empty list still gets its first page."""
    total = max(1, -(-len(entries) // size))
    for number in range(1, total + 1):
        yield ListPage(
            directory=page_dir(base, number),
            number=number,
            total=total,
            entries=list(entries[(number - 1) * size : number * size]),
            newer=page_dir(base, number - 1) if number > 1 else None,
            older=page_dir(base, number + 1) if number < total else None,
        )
