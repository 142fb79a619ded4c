"""Where each page lives and what its template is given: plain dicts made from article records.

Paths are relative to the output directory; links inside a page are relative to the page (so the
site works from any base path and straight from disk), while canonical URLs, OpenGraph and
JSON-LD use the site's absolute base URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from balita_cli.config import Site
from balita_cli.records import Terms, credited_outlet, derive_summary
from balita_cli.site.content import last_change, render_body, safe_url
from balita_cli.site.photos import Picture
from balita_cli.site.related import Neighbours
from balita_cli.timeutil import iso_seconds
from balita_cli.words import display_date, display_time, words_for

Record = dict[str, Any]
INDEX = "index.html"
# An edit within a minute of publication is part of publishing, not an update worth showing.
UPDATE_GRACE = timedelta(minutes=1)
HEADLINE_LIMIT = 110  # what search engines read of a NewsArticle headline
LIST_KINDS = {"section": "sections", "tag": "tags", "author": "authors"}
FRONT_TIER = 4  # stories under the lead
SECTION_BLOCK = 4  # stories per section block on the front page
LATEST = 10  # headlines in the "Latest" column
NAME_MAX = 255  # bytes in one file name (ext4, XFS, APFS): a longer path part cannot be written


def article_dir(slug: str) -> str:
    return f"articles/{slug}/"


def alias_file(alias: str) -> str | None:
    """Where the redirect page of an old address goes: ``articles/<slug>/index.html`` for an old
    slug, the path itself for a path an import kept (``/news/x.html``, ``/2019/05/x/`` + index),
    None for one the output folder cannot hold."""
    if not alias.startswith("/"):
        return article_dir(alias) + INDEX
    path = alias.strip("/")
    parts = path.split("/")
    if not path or ".." in parts or any(len(part.encode()) > NAME_MAX for part in parts):
        return None
    return path if path.endswith((".html", ".htm")) else f"{path}/{INDEX}"


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


def site_path(site: Site) -> str:
    """The path of the site's root on its server ("/" or "/news/"): for pages served at any depth."""
    path = urlsplit(site.base_url).path.rstrip("/")
    return f"{path}/"


def _local(value: str | None, site: Site) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(site.tz) if value else None


def time_view(value: datetime | None, language: str) -> dict[str, str] | None:
    """``{iso, text, date}``: whole seconds in ``<time datetime>`` (HTML allows three digits at most)."""
    if value is None:
        return None
    return dict(_time_view(value, str(value.tzinfo), language))


@lru_cache(maxsize=16384)
def _time_view(value: datetime, zone: str, language: str) -> tuple[tuple[str, str], ...]:
    """A story's time is shown on its page, its list entries and its neighbours' pages: Babel
    formats it once (``zone`` is in the key: equal instants in two zones compare equal)."""
    return (
        ("iso", value.replace(microsecond=0).isoformat()),
        ("text", display_time(value, language)),
        ("date", display_date(value, language)),
    )


def links_of(terms: Sequence[tuple[str, str]], kind: str) -> list[dict[str, str]]:
    return [{"name": name, "path": term_dir(kind, slug)} for name, slug in terms]


def picture_view(picture: Picture | None, record: Record) -> dict[str, Any] | None:
    """The photo as templates draw it (paths relative to the site root), or the record's
    ``image_url`` (http(s) only) when it has no library photo."""
    if picture is not None:
        main = _nearest(picture.of_format(picture.fallback), 1024)
        return {
            "local": True,
            "webp": [(plan.relative_path, plan.width) for plan in picture.of_format("webp")],
            "fallback": [(plan.relative_path, plan.width) for plan in picture.of_format(picture.fallback)],
            "src": main.relative_path,
            "width": main.width,
            "height": main.height,
            "alt": picture.alt,
            "caption": picture.caption,
            "credit": picture.credit,
        }
    url = safe_url(record.get("image_url") or "")
    if not url:
        return None
    return {
        "local": False,
        "src": url,
        "alt": record.get("image_alt") or "",
        "caption": record.get("image_caption") or "",
        "credit": record.get("image_credit") or "",
    }


def _nearest(plans: Sequence[Any], width: int) -> Any:
    fitting = [plan for plan in plans if plan.width <= width]
    return fitting[-1] if fitting else plans[0]


def share_image(site: Site, picture: Picture | None, record: Record) -> dict[str, Any] | None:
    """What OpenGraph and Twitter cards show: the widest JPEG rendition (as feeds link it), or the
    record's own http(s) image URL."""
    if picture is not None:
        plan = picture.largest("jpeg")
        return {
            "url": absolute(site, plan.relative_path),
            "width": plan.width,
            "height": plan.height,
            "alt": picture.alt,
            "type": plan.media_type,
        }
    url = safe_url(record.get("image_url") or "")
    if not url:
        return None
    return {"url": url, "alt": record.get("image_alt") or "", "width": None, "height": None, "type": None}


def entry_view(record: Record, terms: Terms, site: Site, picture: Picture | None) -> dict[str, Any]:
    """What a list shows of an article: title, link, time, summary (none when retracted), photo."""
    language = record["language"] or site.language
    published = _local(record["published_at"], site)
    retracted = record["status"] == "retracted"
    section = next(iter(links_of(terms["section"], "section")), None)
    return {
        "id": record["id"],
        "title": record["title"],
        "path": article_dir(record["slug"]),
        "summary": "" if retracted else record["summary"],
        "retracted": retracted,
        "status": record["status"],
        "preview": bool(record.get("preview")),
        "lang": language,
        "published": time_view(published, language),
        "section": section,
        "section_slug": terms["section"][0][1] if terms["section"] else "",
        "authors": record["authors"],
        "source_name": record["source_name"],
        "featured": bool(record.get("featured")),
        "image": None if retracted else picture_view(picture, record),
        # What the image follows from, for the hashes that decide whether a list page is redrawn.
        "image_key": None if retracted else (picture.identity() if picture else record.get("image_url")),
    }


def _notices(record: Record, site: Site, language: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Corrections, and the retraction once: its reason with the date of its notice (the reason
    and the notice carry the same words, and a reader should read them once)."""
    notices = [
        {"kind": c["kind"], "text": c["text"], "time": time_view(_local(c["created_at"], site), language)}
        for c in record["corrections"]
    ]
    corrections = [n for n in notices if n["kind"] != "retraction"]
    if record["status"] != "retracted":
        return corrections, None
    retractions = [n for n in notices if n["kind"] == "retraction"]
    reason = record["retraction_reason"] or ""
    texts = [reason] if reason else []
    texts += [n["text"] for n in retractions if n["text"] and n["text"] not in texts]
    when = retractions[-1]["time"] if retractions else None
    return corrections, {"texts": texts, "time": when}


def article_view(
    record: Record, terms: Terms, site: Site, picture: Picture | None, neighbours: Neighbours
) -> dict[str, Any]:
    """What the article template shows; a retracted article keeps its title and notices only."""
    language = record["language"] or site.language
    retracted = record["status"] == "retracted"
    published = _local(record["published_at"], site)
    updated = _local(record["updated_at"], site)
    show_updated = published is not None and updated is not None and updated - published > UPDATE_GRACE
    corrections, retraction = _notices(record, site, language)
    return {
        "id": record["id"],
        "title": record["title"],
        "subtitle": record["subtitle"],
        # A summary made from the first paragraph would be read twice: the standfirst is only a
        # summary an editor wrote.
        "summary": "" if retracted or record["summary"] == derive_summary(record["body"]) else record["summary"],
        # The description metadata: the summary, derived from the body when none was written (a
        # retracted story's public view has its notice there), else the headline; never the site's.
        "description": record["summary"] or record["title"],
        "lang": language,
        "status": record["status"],
        "preview": bool(record.get("preview")),
        "scheduled": time_view(_local(record.get("scheduled_at"), site), language),
        "retracted": retracted,
        "retraction": retraction,
        "body_html": "" if retracted else Markup(render_body(record["body"])),  # noqa: S704  (sanitised by nh3)
        "dateline": record["dateline"],
        "published": time_view(published, language),
        "updated": time_view(updated, language) if show_updated else None,
        "section": next(iter(links_of(terms["section"], "section")), None),
        "tags": links_of(terms["tag"], "tag"),
        "authors": links_of(terms["author"], "author"),
        "source_name": record["source_name"],
        "outlet": credited_outlet(record),
        "source_url": safe_url(record["source_url"]),
        "coverage": _coverage(record),
        "image": None if retracted else picture_view(picture, record),
        # A search result's thumbnail (a path from the site's root): a photo of the library only,
        # so the search page fetches nothing from another site.
        "thumbnail": picture.of_format(picture.fallback)[0].relative_path if picture and not retracted else "",
        "corrections": corrections,
        "related": [_linked(entry, site, language) for entry in neighbours.related],
        "newer": _linked(neighbours.newer, site, language) if neighbours.newer else None,
        "older": _linked(neighbours.older, site, language) if neighbours.older else None,
        "canonical": safe_url(record["canonical_url"]) or record["url"],
        "url": record["url"],
    }


def _linked(entry: Any, site: Site, language: str) -> dict[str, Any]:
    return {
        "title": entry["title"],
        "path": article_dir(entry["slug"]),
        "published": time_view(_local(entry["published_at"], site), language),
    }


def _coverage(record: Record) -> list[dict[str, str]]:
    """Other outlets that reported the story, once each, linked where their URL is http(s)."""
    seen: dict[str, dict[str, str]] = {}
    for item in record.get("coverage") or []:
        name = " ".join(str(item.get("source_name") or "").split())
        if name and name.casefold() not in seen and name.casefold() != (record["source_name"] or "").casefold():
            seen[name.casefold()] = {"name": name, "url": safe_url(str(item.get("url") or ""))}
    return list(seen.values())


def news_article_ld(
    record: Record, terms: Terms, site: Site, picture: Picture | None, logo: dict[str, Any]
) -> dict[str, Any]:
    """schema.org NewsArticle for search engines; a retracted article carries no description."""
    home = f"{site.base_url.rstrip('/')}/"
    publisher = {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(site),
        "name": site.publisher.name,
        "url": home,
        "logo": _logo_ld(logo),
    }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _headline(record["title"]),
        "url": record["url"],
        "mainEntityOfPage": safe_url(record["canonical_url"]) or record["url"],
        "inLanguage": record["language"] or site.language,
        "datePublished": iso_seconds(record["published_at"]),
        "dateModified": iso_seconds(last_change([record])),
        "author": [
            {"@type": "Person", "name": name, "url": absolute(site, term_dir("author", slug))}
            for name, slug in terms["author"]
        ]
        or [
            _outlet_ld(record)
            if credited_outlet(record)
            else {"@type": "Organization", "name": site.publisher.name, "url": home}
        ],
        "publisher": publisher,
    }
    if record["section"]:
        data["articleSection"] = record["section"]
    if record["tags"]:
        data["keywords"] = record["tags"]
    if record["status"] != "retracted":
        data["description"] = record["summary"]
        if picture is not None:
            data["image"] = [absolute(site, crop.path) for crop in picture.crops]
        elif safe_url(record["image_url"]):
            data["image"] = [safe_url(record["image_url"])]
    notices = [
        {"@type": "CorrectionComment", "text": c["text"], "datePublished": iso_seconds(c["created_at"])}
        for c in record["corrections"]
    ]
    if notices:
        data["correction"] = notices
    if safe_url(record["source_url"]):
        data["isBasedOn"] = safe_url(record["source_url"])
    if record["source_name"]:
        data["backstory"] = f"An excerpt of a story first published by {record['source_name']}."
    return data


def publisher_id(site: Site) -> str:
    """The one id of the publisher in every page's structured data: the front page describes it,
    every article's ``publisher`` refers to it."""
    return f"{site.base_url.rstrip('/')}/#publisher"


def _logo_ld(logo: dict[str, Any]) -> dict[str, Any]:
    return {"@type": "ImageObject", "url": logo["url"], "width": logo["width"], "height": logo["height"]}


# Which page answers which of schema.org's questions about a news publisher.
POLICY_PROPERTIES = (
    ("publishingPrinciples", "standards"),
    ("ethicsPolicy", "standards"),
    ("correctionsPolicy", "corrections"),
    ("masthead", "about"),
    ("ownershipFundingInfo", "contacts"),
)


def organization_ld(site: Site, logo: dict[str, Any], site_pages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """schema.org NewsMediaOrganization for the front page: the publisher, its registration, its
    address and how to reach it, and the pages that say how it works."""
    owner = site.publisher
    home = f"{site.base_url.rstrip('/')}/"
    by_role = {page["role"]: absolute(site, page_path(page["slug"])) for page in site_pages if page["role"]}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(site),
        "name": owner.name,
        "url": home,
        "logo": _logo_ld(logo),
    }
    if owner.legal_name:
        data["legalName"] = owner.legal_name
    if owner.registration_number:
        registration: dict[str, Any] = {
            "@type": "PropertyValue",
            "propertyID": owner.registry or "registration number",
            "value": owner.registration_number,
        }
        data["identifier"] = registration
    if owner.address or owner.country:
        address = {"@type": "PostalAddress", "streetAddress": owner.address, "addressCountry": owner.country}
        data["address"] = {key: value for key, value in address.items() if value}
    point = {"@type": "ContactPoint", "contactType": "newsroom", "email": owner.email, "telephone": owner.phone}
    if "contacts" in by_role:
        point["url"] = by_role["contacts"]
    if owner.email or owner.phone:
        data["contactPoint"] = {key: value for key, value in point.items() if value}
    if owner.email:
        data["email"] = owner.email
    if owner.phone:
        data["telephone"] = owner.phone
    for name, role in POLICY_PROPERTIES:
        if role in by_role:
            data[name] = by_role[role]
    return data


def page_path(slug: str) -> str:
    """A page (about, contacts, a policy) at the site's root."""
    return f"{slug}/"


def page_view(record: dict[str, Any], site: Site, *, country: str = "") -> dict[str, Any]:
    """What the page template shows; the contacts page shows the publisher as balita.toml says."""
    owner = site.publisher
    contacts = None
    if record["role"] == "contacts":
        contacts = {
            "name": owner.name,
            "legal_name": owner.legal_name,
            "registration_number": owner.registration_number,
            "registry": owner.registry,
            "address": owner.address,
            "country": country,
            "email": owner.email,
            "phone": owner.phone,
        }
    return {
        "title": record["title"],
        "summary": record["summary"],
        "description": record["summary"] or record["title"],
        "body_html": Markup(render_body(record["body"])),  # noqa: S704  (sanitised by nh3)
        "contacts": contacts,
        "url": absolute(site, page_path(record["slug"])),
    }


def _outlet_ld(record: Record) -> dict[str, Any]:
    """The outlet a desk story is credited to, as the organisation it is (its site: the story's origin)."""
    outlet: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": credited_outlet(record)}
    origin = urlsplit(safe_url(record["source_url"]))
    if origin.scheme and origin.netloc:
        outlet["url"] = f"{origin.scheme}://{origin.netloc}/"
    return outlet


def _headline(title: str) -> str:
    return title if len(title) <= HEADLINE_LIMIT else title[: HEADLINE_LIMIT - 1].rstrip() + "…"


def script_json(data: dict[str, Any]) -> Markup:
    """JSON safe inside <script>: no "</script>" or "<!--" can close or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # noqa: S704  (escaped above for the script context)


# ---------------------------------------------------------------- list pages


@dataclass
class ListPage:
    directory: str
    number: int
    total: int
    entries: list[dict[str, Any]]
    newer: str | None
    older: str | None
    numbers: list[tuple[int, str]]  # every page: (number, directory)


def paginate(base: str, entries: Sequence[dict[str, Any]], size: int) -> Iterator[ListPage]:
    """Pages of ``size`` entries; an empty list still gets its first page."""
    total = max(1, -(-len(entries) // size))
    numbers = [(number, page_dir(base, number)) for number in range(1, total + 1)]
    for number in range(1, total + 1):
        yield ListPage(
            directory=page_dir(base, number),
            number=number,
            total=total,
            entries=list(entries[(number - 1) * size : number * size]),
            newer=page_dir(base, number - 1) if number > 1 else None,
            older=page_dir(base, number + 1) if number < total else None,
            numbers=_window(numbers, number),
        )


def _window(numbers: list[tuple[int, str]], current: int) -> list[tuple[int, str]]:
    """Page numbers to link: the first, the last, and two either side of the current one."""
    near = range(max(1, current - 2), min(len(numbers), current + 2) + 1)  # not a pass over every page
    return [numbers[n - 1] for n in sorted({1, len(numbers), *near})]


def list_heading(kind: str, name: str, language: str) -> str:
    """ "Tag: Inflation", "Author: Maria Santos"; a section is its name ("Politics")."""
    if kind == "section":
        return name
    return f"{words_for(language)[kind]}: {name}"


def page_title(heading: str, number: int, language: str) -> str:
    """ "Politics — page 2"."""
    return heading if number == 1 else f"{heading} — {words_for(language)['page']} {number}"


def front_page(entries: Sequence[dict[str, Any]], sections: Sequence[dict[str, str]]) -> dict[str, Any]:
    """The front page: a lead (the newest featured story, else the newest), a tier of stories
    under it, a block per section in the navigation's order, and the latest headlines besides
    the lead and the tier."""
    readable = [entry for entry in entries if not entry["retracted"]]
    lead = next((entry for entry in readable if entry["featured"]), readable[0] if readable else None)
    shown = {lead["id"]} if lead else set()
    tier = [entry for entry in readable if entry["id"] not in shown][:FRONT_TIER]
    shown |= {entry["id"] for entry in tier}
    blocks = []
    for section in sections:
        members = [e for e in readable if e["section"] and e["section"]["path"] == section["path"]]
        fresh = [e for e in members if e["id"] not in shown][:SECTION_BLOCK]
        shown |= {entry["id"] for entry in fresh}
        if fresh:
            blocks.append({"section": section, "entries": fresh})
    above = {entry["id"] for entry in (lead, *tier) if entry}  # "Latest" does not repeat them
    latest = [entry for entry in entries if entry["id"] not in above][:LATEST]
    return {"lead": lead, "tier": tier, "blocks": blocks, "latest": latest}
