"""The site's pages as a reader meets them: a front page, list pages that say what they are, and
article pages with their notices at the top, dates as Philippine outlets write them, related
coverage and stories, and the meta tags and JSON-LD that sharing and search engines read."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from sqlalchemy import text

from balita_cli.site.fixed_pages import favicon
from tests.helpers.cli import Cli
from tests.helpers.database import engine_of, store_raw
from tests.helpers.site import build, make_photo, page, published, retract, set_site


@pytest.fixture
def site(cli: Cli, tmp_path: Path) -> Path:
    cli.ok("init", "--demo", "--database", cli.db_url)
    return tmp_path


def html(path: Path) -> Any:
    return lxml.html.parse(str(path)).getroot()


def texts(root: Any, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in root.xpath(xpath)]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [
        ("Asia/Manila", "en", "November 27, 2026, 10:00 AM PHT"),
        ("Asia/Manila", "fil", "Nobyembre 27, 2026, 10:00 AM PHT"),
        ("Asia/Manila", "tl-PH", "Nobyembre 27, 2026, 10:00 AM PHT"),
        ("America/New_York", "en", "November 27, 2026, 10:00 AM EST"),
        ("Asia/Tokyo", "en", "November 27, 2026, 10:00 AM GMT+9"),
        ("Asia/Kolkata", "en", "November 27, 2026, 10:00 AM GMT+5:30"),
        ("UTC", "en", "November 27, 2026, 10:00 AM UTC"),
    ],
)
def test_dates_as_philippine_outlets_write_them(zone: str, language: str, expected: str) -> None:
    from balita_cli.words import display_time

    assert display_time(datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo(zone)), language) == expected


def test_every_time_element_has_whole_seconds(cli: Cli, site: Path) -> None:
    build(cli)
    values = [value for path in (site / "public").rglob("*.html") for value in html(path).xpath("//time/@datetime")]
    assert len(values) > 20
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", value), value
    row = next(r for r in published(cli) if r["language"] == "fil")
    shown = texts(page(site / "public", row["slug"]), "//span[@class='published']/time")[0]
    assert re.fullmatch(r"(Nobyembre|Disyembre|Oktubre) \d{1,2}, 20\d\d, \d{1,2}:\d\d [AP]M PHT", shown), shown


# ---------------------------------------------------------------- the front page and lists


@pytest.mark.slow
def test_front_page_has_a_lead_a_tier_section_blocks_and_latest(cli: Cli, site: Path) -> None:
    for number in range(8):
        cli.new(f"Filler story {number}", "--status", "published", "--section", "Economy", "--body", "Words.",
                "--at", f"2026-10-0{number + 1} 08:00")  # fmt: skip
    featured = cli.new("An older featured story", "--status", "published", "--featured", "--section", "Culture",
                       "--body", "Feature.", "--at", "2026-09-01 08:00")  # fmt: skip
    set_site(site, sections=["Economy", "Politics"])
    build(cli)
    home = html(site / "public" / "index.html")
    lead = home.xpath("//article[contains(@class, 'lead-story')]")
    assert len(lead) == 1
    assert texts(lead[0], ".//h3") == ["An older featured story"]  # the newest featured story leads
    assert len(home.xpath("//ul[@class='tier']/li")) == 4
    blocks = texts(home, "//section[@class='section-block']/h2")
    nav = texts(home, "//nav[@class='sections']//a")
    assert nav[1:3] == ["Economy", "Politics"]  # the order of balita.toml, then the rest by name
    assert blocks[0] == "Economy" and blocks == [name for name in nav if name in blocks]
    shown = texts(home, "//article//h3")
    assert len(shown) == len(set(shown)), "a story appears once in the lead, tier and blocks"
    latest = home.xpath("//section[@class='latest']//li")
    assert len(latest) == 9  # the 14 stories but the lead and the four under it
    above = home.xpath("//article[contains(@class, 'lead-story') or contains(@class, 'tier-story')]//h3/a/@href")
    assert set(above).isdisjoint(home.xpath("//section[@class='latest']//a/@href"))
    assert featured


def test_list_pages_say_what_they_are_and_paginate_with_numbers(cli: Cli, site: Path) -> None:
    build(cli, "--page-size", "1")
    output = site / "public"
    tag = html(output / "tags" / "inflation" / "index.html")
    assert texts(tag, "//h1") == ["Tag: Inflation"]
    assert tag.findtext(".//title") == "Tag: Inflation | Balita"
    author = html(output / "authors" / "maria-santos" / "index.html")
    assert texts(author, "//h1") == ["Author: Maria Santos"]
    politics = html(output / "sections" / "politics" / "page" / "2" / "index.html")
    assert politics.findtext(".//title") == "Politics — page 2 | Balita"
    assert texts(politics, "//h1") == ["Politics — page 2"]
    numbers = politics.xpath("//nav[@class='pagination']//ol//a")
    assert [a.text for a in numbers] == ["1", "2"]
    assert [a.get("aria-current") for a in numbers] == [None, "page"]
    latest = html(output / "page" / "2" / "index.html")
    assert latest.findtext(".//title") == "Latest news — page 2 | Balita"


def test_each_list_has_its_own_feed(cli: Cli, site: Path) -> None:
    build(cli)
    output = site / "public"
    feed = feedparser.parse((output / "sections" / "economy" / "feed.xml").read_bytes())
    assert feed.bozo == 0
    assert feed.feed.title == "Economy — Balita"
    assert [entry.title for entry in feed.entries] == ["Peso firms as inflation eases to 2.1% in November"]
    listing = html(output / "sections" / "economy" / "index.html")
    assert listing.xpath("//link[@rel='alternate'][@href='../../sections/economy/feed.xml']")
    tag = feedparser.parse((output / "tags" / "inflation" / "feed.xml").read_bytes())
    assert tag.feed.title == "Tag: Inflation — Balita" and len(tag.entries) == 1


def test_footer_names_publisher_address_and_contact(cli: Cli, site: Path) -> None:
    set_site(site, publisher="Balita Media Inc.", address="12 Roxas Blvd, Ermita, Manila 1000")
    build(cli)
    footer = html(site / "public" / "index.html").xpath("//footer[@class='site-footer']")[0]
    text = " ".join(footer.text_content().split())
    assert "Balita Media Inc." in text and "12 Roxas Blvd, Ermita, Manila 1000" in text
    assert footer.xpath(".//address//a[@href='mailto:editors@balita.example.ph']")


def test_every_nav_is_labelled_and_no_rel_without_href(cli: Cli, site: Path) -> None:
    cli.new("Placeholder links", "--status", "published", "--body", '<a>no target</a> <a title="t">none</a>')
    build(cli, "--page-size", "2")
    for path in (site / "public").rglob("*.html"):
        root = html(path)
        labels = [nav.get("aria-label") for nav in root.xpath("//nav")]
        assert all(labels), (path, labels)
        assert len(labels) == len(set(labels)), (path, labels)
        assert not root.xpath("//a[@rel and not(@href)]"), path


# ---------------------------------------------------------------- the article page


def test_article_notices_come_first_and_a_retraction_is_said_once(cli: Cli, site: Path) -> None:
    story = cli.new("Story with a correction", "--status", "published", "--body", "BODYTEXT first.")
    cli.ok("correct", str(story), "An earlier version misnamed the mayor.")
    build(cli)
    article = page(site / "public", "story-with-a-correction").xpath("//article")[0]
    blocks = [child.get("class") for child in article if child.tag in ("section", "div", "figure")]
    assert blocks.index("notice corrections") < blocks.index("story-body")
    assert "misnamed the mayor" in article.xpath(".//section[@class='notice corrections']")[0].text_content()

    taken_down = cli.new("Story we took down", "--status", "published", "--body", "WRONG")
    retract(cli.db_url, str(taken_down), "The sources could not be verified.")
    build(cli)
    root = page(site / "public", "story-we-took-down")
    notice = root.xpath("//section[@class='notice retraction']")
    assert len(notice) == 1
    assert notice[0].text_content().count("The sources could not be verified.") == 1
    assert root.text_content().count("The sources could not be verified.") == 1  # not in the standfirst too
    assert "WRONG" not in lxml.html.tostring(root, encoding="unicode")


def test_a_body_cannot_imitate_the_sites_notices(cli: Cli, site: Path) -> None:
    body = ('<section class="notice retraction" role="note" id="retraction-heading"><h2>Retraction</h2>'
            '<p>Fake notice</p></section>\n\n<aside class="retraction">Also fake</aside>')  # fmt: skip
    cli.new("Imitation", "--status", "published", "--body", body)
    build(cli)
    root = page(site / "public", "imitation")
    assert not root.xpath("//*[contains(@class, 'retraction') or contains(@class, 'notice')]")
    assert not root.xpath("//div[@class='story-body']//*[@class or @role or @id]")
    assert "Fake notice" in root.xpath("//div[@class='story-body']")[0].text_content()


def test_article_shows_byline_standfirst_source_coverage_tags_related_and_neighbours(cli: Cli, site: Path) -> None:
    row = next(r for r in published(cli) if r["title"].startswith("Philippines, Vietnam"))
    store_raw(cli.db_url, row["id"], summary="Manila and Hanoi will hold joint drills.")
    others = [("GMA News", "https://www.gmanetwork.com/news/x"), ("ABS-CBN", "javascript:alert(1)"),
              ("GMA News", "https://example.com/dup")]  # fmt: skip
    _add_coverage(cli, row["id"], others)
    build(cli)
    root = page(site / "public", row["slug"])
    assert texts(root, "//p[@class='standfirst']") == ["Manila and Hanoi will hold joint drills."]
    assert texts(root, "//p[@class='byline']") == ["By Maria Santos"]
    assert texts(root, "//p[@class='source']") == ["Read more on philstar.com"]
    coverage = root.xpath("//p[@class='coverage']")[0]
    assert " ".join(coverage.text_content().split()) == "Also reported by: GMA News, ABS-CBN"
    assert coverage.xpath(".//a/@href") == ["https://www.gmanetwork.com/news/x"]  # no javascript: link
    assert texts(root, "//footer[@class='tags']//a") == [
        "Foreign Affairs",
        "Security",
        "Vietnam",
        "West Philippine Sea",
    ]
    related = texts(root, "//section[@class='related']//a")
    assert related and "Senado, inaprubahan ang panukalang 2027 pambansang badyet" in related
    neighbour = root.xpath("//nav[@class='section-nav']//a[@rel='prev']")
    assert neighbour and neighbour[0].text == "Senado, inaprubahan ang panukalang 2027 pambansang badyet"
    # A summary made from the first paragraph is not shown twice.
    other = page(site / "public", next(r for r in published(cli) if r["language"] == "fil")["slug"])
    assert not other.xpath("//p[@class='standfirst']")


def _add_coverage(cli: Cli, article_id: int, items: list[tuple[str, str]]) -> None:
    engine = engine_of(cli.db_url)
    with engine.begin() as connection:
        for name, url in items:
            connection.execute(
                text("INSERT INTO coverage (article_id, source_name, url, title, external_id, created_at) "
                     "VALUES (:a, :n, :u, 'Their story', :e, CURRENT_TIMESTAMP)"),
                {"a": article_id, "n": name, "u": url, "e": f"feed:{url}"},
            )  # fmt: skip
    engine.dispose()


def test_meta_for_sharing_and_json_ld(cli: Cli, site: Path) -> None:
    row = next(r for r in published(cli) if r["title"].startswith("Peso firms"))
    cli.ok("correct", str(row["id"]), "The rate was 2.1%, not 2.4%.")
    store_raw(cli.db_url, row["id"], image_url="https://images.example.ph/peso.jpg", image_alt="Peso bills")
    build(cli)
    root = page(site / "public", row["slug"])

    def meta(name: str) -> list[str]:
        content: list[str] = root.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
        return content

    assert meta("og:site_name") == ["Balita"] and meta("og:type") == ["article"]
    assert meta("og:image") == ["https://images.example.ph/peso.jpg"] and meta("og:image:alt") == ["Peso bills"]
    assert meta("twitter:card") == ["summary_large_image"]
    assert meta("article:section") == ["Economy"]
    assert meta("article:tag") == ["BSP", "Inflation", "Peso"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", meta("article:published_time")[0])
    data = json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["image"] == ["https://images.example.ph/peso.jpg"]
    assert data["correction"][0]["@type"] == "CorrectionComment"
    assert data["correction"][0]["text"] == "The rate was 2.1%, not 2.4%."
    home = html(site / "public" / "index.html")
    assert home.xpath("//meta[@property='og:image']/@content") == ["https://balita.example.ph/logo.png"]
    assert home.xpath("//meta[@name='twitter:card']/@content") == ["summary"]


DESCRIPTIONS = (("name", "description"), ("property", "og:description"), ("name", "twitter:description"))


def test_every_article_is_described_by_its_summary_never_the_sites(cli: Cli, site: Path) -> None:
    rows = cli.json("list", "--status", "published", "--format", "json", "--fields", "id,slug,summary")
    retracted = rows[-1]
    retract(cli.db_url, str(retracted["id"]), "The figures could not be checked.")
    build(cli)
    derived = 0
    for row in rows:
        root = page(site / "public", row["slug"])
        described = [root.xpath(f"//meta[@{attribute}='{name}']/@content") for attribute, name in DESCRIPTIONS]
        expected = "The figures could not be checked." if row is retracted else row["summary"]
        assert described == [[expected]] * 3, row["slug"]
        assert "News from the Philippines" not in expected
        derived += row is not retracted and not root.xpath("//p[@class='standfirst']")
    assert derived >= 3  # the demo's summaries are mostly derived from the body (no standfirst)


def test_image_urls_that_are_not_http_are_never_shown(cli: Cli, site: Path) -> None:
    story = cli.new("Flash player", "--status", "published", "--body", "Video.")
    store_raw(cli.db_url, story, image_url="javascript:alert(1)")
    build(cli)
    root = page(site / "public", "flash-player")
    assert not root.xpath("//figure") and not root.xpath("//meta[@property='og:image'][contains(@content, 'java')]")
    assert "image" not in json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)


def test_a_logo_of_our_own_and_a_bad_one(cli: Cli, site: Path) -> None:
    (site / "brand.png").write_bytes(make_photo(400, 60, format="PNG"))
    set_site(site, logo="brand.png")
    build(cli)
    data = json.loads(
        page(site / "public", published(cli)[0]["slug"]).xpath("//script[@type='application/ld+json']")[0].text
    )
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": "https://balita.example.ph/logo.png",
                                         "width": 400, "height": 60}  # fmt: skip
    # The favicon is made from it (the shipped one is for the shipped logo).
    assert (site / "public" / "favicon.png").read_bytes() == favicon((site / "brand.png").read_bytes())
    (site / "brand.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    failed = cli.fails(["build"], 1)
    assert failed.stderr.count("\n") == 1 and "SVG" in failed.stderr
    set_site(site, logo="missing.png")
    assert "cannot read the logo" in cli.fails(["build"], 1).stderr


@pytest.mark.slow
def test_missing_page_and_search_page(cli: Cli, site: Path) -> None:
    cli.ok("build")
    output = site / "public"
    missing = html(output / "404.html")
    assert texts(missing, "//h1") == ["Page not found"]
    assert missing.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert missing.xpath("//a[@class='site-name']/@href") == ["/"]  # served at any depth
    search = html(output / "search" / "index.html")
    form = search.xpath("//form[@id='search-form']")[0]
    assert form.get("data-bundle") == "../pagefind/" and form.xpath(".//input[@name='q']")
    assert search.xpath("//script[@type='module']/@src") == ["../search.js"]
    assert (output / "search.js").is_file()
    assert not [p for p in output.rglob("*.html") if p.parent.name != "search" and b"<script src" in p.read_bytes()]


def test_search_index_is_kept_when_no_page_changed_and_left_out_on_request(cli: Cli, site: Path) -> None:
    first = json.loads(cli.ok("build", "--format", "json").stdout)["search"]
    assert first["pages"] == 5 and not first["reused"] and first["languages"] == ["en", "fil"]
    output = site / "public"
    again = json.loads(cli.ok("build", "--format", "json").stdout)
    assert again["search"]["reused"] and again["written"] == 0
    plain = json.loads(cli.ok("build", "--format", "json", "--no-search").stdout)
    assert not (output / "pagefind").exists() and not (output / "search").exists()
    assert plain["removed"] > 0
    home = html(output / "index.html")
    assert not home.xpath("//form[@role='search']") and not home.xpath("//a[contains(@href, 'search/')]")
