"""The public feeds with photos, read by readers we did not write, and attacked through every URL.

RSS and Atom go through the W3C validator's rules (tests/checkers.feed_problems, warnings too),
JSON Feed through its 1.1 schema, all three through a second reader (fastfeedparser) and
feedparser; ninjs through IPTC's schemas, sitemaps through sitemaps.org's and Google's XSDs.
The hostile-URL test stores javascript:, data:, vbscript:, protocol-relative and white-space
tricks past every input check (``store_raw``), then parses the *feeds* (exports and the built
site's) and checks every URL-bearing element and attribute with a rule of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree as etree
import lxml.html
import pytest

from balita_cli.config import Site
from balita_cli.formats import get_writer
from balita_cli.media.urls import photo_url
from tests.checkers import feed_problems, jsonfeed_problems, parse_with_second_reader
from tests.checkers.feeds import FeedKind
from tests.helpers.archive import Archive, shared_archive
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.database import store_raw
from tests.helpers.records import Stories, export

IMAGES = Path(__file__).parent / "fixtures" / "images"
BASE = "https://balita.example.ph"
HOSTILE_SUMMARY = "</title><script>alert(1)</script> Fish &amp; chips <img src=x onerror=alert(2)>"
RSS_NS = {"media": "http://search.yahoo.com/mrss/", "dc": "http://purl.org/dc/elements/1.1/"}
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_KINDS: dict[str, FeedKind] = {"rss": "rss", "atom": "atom"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def served(path: Path, width: int) -> str:
    return f"{BASE}/media/{sha(path)[:32]}-{width}.jpg"


def fill_photo_stories(cli: Cli) -> Stories:
    """Published stories with a library photo (JPEG; transparent PNG; a portrait turned by EXIF),
    one with only a hot-linked image_url, and a draft with a photo."""
    cli.ok("media", "add", str(IMAGES / "landscape.jpg"), "--alt", "Rice terraces at Banaue",
           "--caption", "Banaue <b>at</b> dusk & after", "--credit", "Ana Reyes")  # fmt: skip
    cli.ok("media", "add", str(IMAGES / "alpha.png"), "--alt", "The seal of the city")
    cli.ok("media", "add", str(IMAGES / "photo_exif.jpg"), "--alt", "Quiapo Church")
    return {
        "terraces": cli.new("Terraces in danger", "--image", "1", "--status", "published", "--summary",
                            HOSTILE_SUMMARY, "--author", "Maria Santos", "--author", "Jose Cruz", "--source-name",
                            "Rappler", "--source-url", "https://www.rappler.com/nation/terraces", "--body", "Text."),
        "seal": cli.new("Bagong selyo ng lungsod", "--image", "2", "--status", "published", "--lang", "fil",
                        "--body", "Teksto."),
        "quiapo": cli.new("Quiapo at dawn", "--image", "3", "--status", "published", "--body", "Devotees."),
        "hotlinked": cli.new("Senate floor", "--status", "published", "--image-url",
                             "https://img.example.ph/senate.jpg", "--image-alt", "The Senate floor", "--body", "x"),
        "draft": cli.new("Draft with photo", "--image", "1", "--body", "DRAFT-BODY"),
    }  # fmt: skip


@pytest.fixture(scope="module")
def photo_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    yield from shared_archive(tmp_path_factory, "photos", fill_photo_stories)


def rss_items(text: str) -> dict[str, Any]:
    root = etree.fromstring(text.encode())
    return {item.findtext("title"): item for item in root.iter("item")}


# ---------------------------------------------------------------- the contract of photo URLs


def test_the_photo_url_is_the_widest_jpeg_rendition() -> None:
    site = Site()
    landscape = {"sha256": sha(IMAGES / "landscape.jpg"), "format": "jpeg", "width": 2000, "height": 1000}
    assert photo_url(site, landscape) == served(IMAGES / "landscape.jpg", 1600)
    assert photo_url(site, landscape, 640, "webp").endswith(f"{sha(IMAGES / 'landscape.jpg')[:32]}-640.webp")
    small = {"sha256": sha(IMAGES / "alpha.png"), "format": "png", "width": 200, "height": 150}
    assert photo_url(site, small) == served(IMAGES / "alpha.png", 200)  # never wider than the original


# ---------------------------------------------------------------- RSS


def test_rss_carries_the_photo_as_enclosure_and_media_content(photo_archive: Archive) -> None:
    text = export(photo_archive.cli, "rss")
    assert feed_problems(text.encode(), "rss") == []
    items = rss_items(text)
    terraces = items["Terraces in danger"]
    enclosure = terraces.find("enclosure")
    assert enclosure is not None and enclosure.attrib == {
        "url": served(IMAGES / "landscape.jpg", 1600),
        "length": str((IMAGES / "landscape.jpg").stat().st_size),
        "type": "image/jpeg",
    }
    media = terraces.find("media:content", RSS_NS)
    assert media is not None and dict(media.attrib) == {
        "url": served(IMAGES / "landscape.jpg", 1600), "type": "image/jpeg", "medium": "image",
        "width": "1600", "height": "800",
    }  # fmt: skip
    description = media.find("media:description", RSS_NS)
    assert description is not None and description.get("type") == "html"
    assert description.text == "Banaue &lt;b&gt;at&lt;/b&gt; dusk &amp; after"  # shown as the words they are
    assert media.findtext("media:credit", namespaces=RSS_NS) == "Ana Reyes"
    portrait = items["Quiapo at dawn"].find("media:content", RSS_NS)
    assert portrait is not None and (portrait.get("width"), portrait.get("height")) == ("1600", "2133")
    seal = items["Bagong selyo ng lungsod"].find("media:content", RSS_NS)
    assert seal is not None and seal.get("url") == served(IMAGES / "alpha.png", 200)
    # A hot-linked image is another outlet's: not redistributed as an enclosure.
    assert (
        items["Senate floor"].find("enclosure") is None and items["Senate floor"].find("media:content", RSS_NS) is None
    )
    assert "Draft with photo" not in items

    parsed = feedparser.parse(text)
    assert parsed.bozo == 0
    entry = next(e for e in parsed.entries if e.title == "Terraces in danger")
    assert entry.enclosures[0]["href"] == served(IMAGES / "landscape.jpg", 1600)
    assert entry.media_content[0]["medium"] == "image"
    titles = [title for title, _link in parse_with_second_reader(text.encode(), "rss")]
    assert sorted(titles) == sorted(t for t in items)


def test_rss_description_is_text_a_non_sanitising_reader_cannot_run(photo_archive: Archive) -> None:
    text = export(photo_archive.cli, "rss")
    assert "<description><![CDATA[&lt;/title&gt;&lt;script&gt;" in text
    description = rss_items(text)["Terraces in danger"].findtext("description")
    # What a reader that takes the description as HTML builds from it: text only, the same text.
    fragment = lxml.html.fragment_fromstring(description, create_parent="div")
    assert [node.tag for node in fragment.iter()] == ["div"]
    assert fragment.text_content() == HOSTILE_SUMMARY


def test_rss_source_names_a_feed_and_the_story_page_goes_in_dc_source(photo_archive: Archive) -> None:
    items = rss_items(export(photo_archive.cli, "rss"))
    terraces = items["Terraces in danger"]
    assert terraces.find("source") is None
    assert terraces.findtext("dc:source", namespaces=RSS_NS) == "https://www.rappler.com/nation/terraces"
    # When the record knows the outlet's feed, <source url> is that feed (RSS 2.0: "the XMLization").
    record = {**json.loads(photo_archive.cli.ok("show", str(photo_archive.ids["terraces"]), "--format", "json").stdout),
              "source_feed_url": "https://www.rappler.com/feed/"}  # fmt: skip
    written = get_writer("rss").render([record], Site()).decode()
    item = rss_items(written)["Terraces in danger"]
    source = item.find("source")
    assert source is not None and source.get("url") == "https://www.rappler.com/feed/" and source.text == "Rappler"
    assert item.find("dc:source", RSS_NS) is None
    assert feed_problems(written.encode(), "rss") == []
    record["source_feed_url"] = "javascript:alert(1)"
    item = rss_items(get_writer("rss").render([record], Site()).decode())["Terraces in danger"]
    assert item.find("source") is None and item.findtext("dc:source", namespaces=RSS_NS).startswith("https://")


# ---------------------------------------------------------------- Atom


def test_atom_links_the_photo_as_an_enclosure(photo_archive: Archive) -> None:
    text = export(photo_archive.cli, "atom")
    assert feed_problems(text.encode(), "atom") == []
    root = etree.fromstring(text.encode())
    entries = {entry.findtext(f"{ATOM}title"): entry for entry in root.iter(f"{ATOM}entry")}
    links = [
        link.attrib for link in entries["Terraces in danger"].iter(f"{ATOM}link") if link.get("rel") == "enclosure"
    ]
    assert links == [{"rel": "enclosure", "type": "image/jpeg", "href": served(IMAGES / "landscape.jpg", 1600),
                      "length": str((IMAGES / "landscape.jpg").stat().st_size),
                      "title": "Banaue <b>at</b> dusk & after"}]  # fmt: skip
    assert not [link for link in entries["Senate floor"].iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
    parsed = feedparser.parse(text)
    entry = next(e for e in parsed.entries if e.title == "Terraces in danger")
    assert entry.enclosures[0]["href"] == served(IMAGES / "landscape.jpg", 1600)
    assert len(parse_with_second_reader(text.encode(), "atom")) == 4


# ---------------------------------------------------------------- JSON Feed


def test_json_feed_has_the_image_and_the_1_0_author(photo_archive: Archive) -> None:
    text = export(photo_archive.cli, "jsonfeed")
    assert jsonfeed_problems(text) == []
    feed = json.loads(text)
    assert feed["author"] == {"name": "Balita Publishing", "url": "https://balita.example.ph"}
    assert feed["authors"] == [feed["author"]]
    items = {item["title"]: item for item in feed["items"]}
    terraces = items["Terraces in danger"]
    assert terraces["image"] == served(IMAGES / "landscape.jpg", 1600)
    assert terraces["authors"] == [{"name": "Maria Santos"}, {"name": "Jose Cruz"}]
    assert terraces["author"] == {"name": "Maria Santos, Jose Cruz"}  # JSON Feed 1.0 readers: one author
    assert "attachments" not in terraces
    assert items["Senate floor"]["image"] == "https://img.example.ph/senate.jpg"  # hot-linked, as before
    assert "author" not in items["Senate floor"]
    assert len(parse_with_second_reader(text.encode(), "json")) == 4


# ---------------------------------------------------------------- ninjs


def ninjs_validator(version: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    path = corpora_path("schemas", "ninjs", "specification", f"ninjs-schema_{version}.json")
    return Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_ninjs_associates_the_picture_with_its_renditions(photo_archive: Archive, version: str) -> None:
    documents = json.loads(export(photo_archive.cli, "ninjs", "--ninjs-version", version))
    validator = ninjs_validator(version)
    for document in documents:
        assert not list(validator.iter_errors(document)), document
    by_title = {doc["headlines"][0]["value"]: doc for doc in documents}
    picture = by_title["Terraces in danger"]["associations"][0]
    content_type = "contentType" if version == "3.1" else "contenttype"
    assert picture["uri"] == served(IMAGES / "landscape.jpg", 1600) and picture["type"] == "picture"
    assert [(r["width"], r["height"], r[content_type]) for r in picture["renditions"]] == [
        (320, 160, "image/jpeg"),
        (640, 320, "image/jpeg"),
        (1024, 512, "image/jpeg"),
        (1600, 800, "image/jpeg"),
    ]
    assert picture["renditions"][0]["href"] == served(IMAGES / "landscape.jpg", 320)
    assert {d["role"]: d["value"] for d in picture["descriptions"]} == {
        "caption": "Banaue <b>at</b> dusk & after",
        "alt": "Rice terraces at Banaue",
    }
    assert picture["by"] == "Ana Reyes"
    hotlinked = by_title["Senate floor"]["associations"][0]
    assert hotlinked["uri"] == "https://img.example.ph/senate.jpg"


# ---------------------------------------------------------------- sitemaps


def sitemap_schema(tmp_path: Path, *extensions: tuple[str, str]) -> Any:
    """sitemap.xsd with Google's extensions (its xs:any is strict, so each must be imported)."""
    import xmlschema

    imports = "".join(f'<xs:import namespace="{namespace}"/>' for namespace, _ in extensions)
    wrapper = tmp_path / "wrapper.xsd"
    wrapper.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">'
        f'<xs:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9"/>{imports}</xs:schema>'
    )
    locations = [
        ("http://www.sitemaps.org/schemas/sitemap/0.9", str(corpora_path("schemas", "sitemaps", "sitemap.xsd")))
    ]
    locations += [(namespace, str(corpora_path("schemas", "sitemaps", name))) for namespace, name in extensions]
    return xmlschema.XMLSchema(wrapper, locations=locations)


IMAGE_XSD = ("http://www.google.com/schemas/sitemap-image/1.1", "sitemap-image.xsd")
NEWS_XSD = ("http://www.google.com/schemas/sitemap-news/0.9", "sitemap-news.xsd")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
IMAGE = "{http://www.google.com/schemas/sitemap-image/1.1}"


def image_locs(text: str) -> dict[str, list[str]]:
    root = etree.fromstring(text.encode())
    return {
        str(url.findtext(f"{SITEMAP}loc")): [str(loc.text) for loc in url.iter(f"{IMAGE}loc")]
        for url in root.iter(f"{SITEMAP}url")
    }


@pytest.mark.parametrize(("name", "schemas"), [("sitemap", (IMAGE_XSD,)), ("news-sitemap", (IMAGE_XSD, NEWS_XSD))])
def test_sitemaps_list_library_photos_with_the_image_extension(
    photo_archive: Archive, tmp_path: Path, name: str, schemas: tuple[tuple[str, str], ...]
) -> None:
    text = export(photo_archive.cli, name)
    sitemap_schema(tmp_path, *schemas).validate(text)
    locs = image_locs(text)
    assert locs[f"{BASE}/articles/terraces-in-danger/"] == [served(IMAGES / "landscape.jpg", 1600)]
    assert locs[f"{BASE}/articles/quiapo-at-dawn/"] == [served(IMAGES / "photo_exif.jpg", 1600)]
    assert locs[f"{BASE}/articles/senate-floor/"] == []  # another site's image is not ours to list


# ---------------------------------------------------------------- hostile URLs, at output


HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
    "//evil.example/steal",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "https://ok.example/\njavascript:alert(1)",
    "https://ok.example/a b",
    "https://ok.example/\x01x",
    "https://ok.example/\x7fx",
    "http:evil.example",
    "https:///no-host",
    "file:///etc/passwd",
    "ftp://example.org/photo.jpg",
]
URL_ATTRIBUTES = ("url", "href", "src", "uri", "domain")
URL_ELEMENTS = ("link", "loc", "docs", "comments", "icon", "logo", "uri", "url")
DC_SOURCE = "{http://purl.org/dc/elements/1.1/}source"
ID_ELEMENTS = (f"{ATOM}id", "guid")
HTML_ELEMENTS = ("description", "encoded", "content", "summary", "title")
JSON_URL_KEYS = ("url", "external_url", "image", "banner_image", "home_page_url", "feed_url", "next_url", "icon",
                 "favicon", "avatar", "href", "uri")  # fmt: skip


def followable(value: str) -> bool:
    """An absolute http(s) URL with a host and nothing a browser would strip or fold: this test's
    own rule, written without balita's."""
    if not value or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    parts = urlsplit(value)
    return value[:8].lower().startswith(("http://", "https://")) and bool(parts.hostname)


def xml_urls(text: str) -> Iterator[tuple[str, str]]:
    """(where, value) of every URL-bearing attribute and element of an XML feed or sitemap."""
    root = etree.fromstring(text.encode())
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        for attribute in URL_ATTRIBUTES:
            if node.get(attribute) is not None:
                yield f"{local}@{attribute}", str(node.get(attribute))
        # Atom's link carries its URL in href; a sitemap's <url> holds <loc>, it is not one itself.
        leaf = len(node) == 0 and node.tag != f"{ATOM}link"
        if leaf and (local in URL_ELEMENTS or node.tag == DC_SOURCE):
            yield local, node.text or ""
        if node.tag in ID_ELEMENTS and not (node.text or "").startswith("tag:"):
            yield local, node.text or ""


def json_urls(document: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(document, dict):
        role_url = document.get("role") == "url"
        for key, value in document.items():
            where = f"{path}/{key}"
            if isinstance(value, str) and (key in JSON_URL_KEYS or (role_url and key == "value")):
                if not (where.count("/") <= 2 and key == "uri" and value.startswith("tag:")):  # a document's own id
                    yield where, value
            else:
                yield from json_urls(value, where)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from json_urls(value, f"{path}/{index}")


def html_payloads(text: str) -> Iterator[str]:
    root = etree.fromstring(text.encode())
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname in (
            "description",
            "encoded",
            "content",
            "summary",
        ):
            yield node.text or ""


def harmless_html(html: str) -> bool:
    if not html.strip():
        return True
    fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    for node in fragment.iter():
        for attribute in ("href", "src"):
            value = "".join((node.get(attribute) or "").split()).lower()
            if value.startswith(("javascript:", "vbscript:", "data:")):
                return False
    return True


def fill_hostile(cli: Cli) -> Stories:
    """A published story per hostile URL, in its source, image and canonical URL, and a photo row
    whose digest and format would make a path if they were trusted."""
    from sqlalchemy import create_engine, text

    from balita_cli.db.urls import normalise_url

    ids = {}
    for number, url in enumerate(HOSTILE_URLS):
        article = cli.new(f"Hostile {number}", "--status", "published", "--body", "Body.", "--source-name", "Outlet")
        store_raw(cli.db_url, article, source_url=url, image_url=url, canonical_url=url)
        ids[url] = article
    engine = create_engine(normalise_url(cli.db_url, Path.cwd()))
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO photo (sha256, format, width, height, size, alt, caption, credit, original_name, source_url, "
            "created_at, created_by) VALUES ('../../../../etc/passwd', 'svg', 10, 10, 1, 'a', '', '', '', "
            "'javascript:alert(1)', '2026-01-01 00:00:00', '')"
        ))  # fmt: skip
        photo_id = connection.execute(text("SELECT max(id) FROM photo")).scalar()
    engine.dispose()
    store_raw(cli.db_url, ids[HOSTILE_URLS[0]], image_id=photo_id)
    stored = cli.json("show", str(ids[HOSTILE_URLS[0]]), "--format", "json")
    assert stored["source_url"] == HOSTILE_URLS[0] and stored["photo"]["sha256"] == "../../../../etc/passwd"
    return ids


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    yield from shared_archive(tmp_path_factory, "hostile", fill_hostile)


def check_feed(name: str, text: str) -> int:
    """Every URL in the document is followable; returns how many were checked."""
    if name in ("jsonfeed", "ninjs", "feed.json"):
        found = list(json_urls(json.loads(text)))
    else:
        found = list(xml_urls(text))
        assert all(harmless_html(html) for html in html_payloads(text)), name
    bad = [(where, value) for where, value in found if not followable(value)]
    assert bad == [], f"{name}: {bad}"
    for hostile_url in HOSTILE_URLS:
        assert all(value != hostile_url for _where, value in found), (name, hostile_url)
    return len(found)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["rss", "atom", "jsonfeed", "ninjs", "sitemap", "news-sitemap"])
def test_no_hostile_url_reaches_an_exported_feed(hostile: Archive, name: str) -> None:
    text = export(hostile.cli, name)
    checked = check_feed(name, text)
    assert checked >= len(hostile.ids)  # every story's own link at least
    if name in FEED_KINDS:
        assert feed_problems(text.encode(), FEED_KINDS[name], warnings=False) == []
    if name == "jsonfeed":
        assert jsonfeed_problems(text) == []


def test_no_hostile_url_reaches_the_built_sites_feeds(hostile: Archive) -> None:
    hostile.cli.ok("--site", str(hostile.folder), "build")
    for name in ("feed.xml", "atom.xml", "feed.json", "sitemap.xml", "news-sitemap.xml"):
        check_feed(name, (hostile.folder / "public" / name).read_text(encoding="utf-8"))


def test_a_slug_that_makes_no_url_leaves_the_link_out(cli: Cli) -> None:
    article = cli.new("Odd slug", "--status", "published", "--body", "Body.")
    store_raw(cli.db_url, article, slug="two words")
    for name in ("rss", "atom", "jsonfeed", "ninjs", "sitemap"):
        check_feed(name, export(cli, name))


def test_a_base_url_that_is_not_http_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text('[site]\nbase_url = "javascript:alert(1)//"\n')
    cli.new("A story", "--status", "published", "--body", "Body.")
    for name in ("rss", "atom", "jsonfeed"):
        result = cli.fails(["export", name])
        assert "base_url must be an http(s) URL" in result.stderr and result.stdout == ""
