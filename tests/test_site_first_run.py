"""A new site's first builds: `balita init` with no story yet builds (a front page that says so, an
empty search index the search page reads, feeds and a sitemap that their readers accept), and a
build that stops part-way leaves nothing the next build refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest

from tests.checkers import browser, feed_problems, jsonfeed_problems, serve_directory
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.site import set_site, site_manifest_files

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def new_site(cli: Cli, tmp_path: Path) -> Path:
    cli.ok("init", "--database", cli.db_url)
    return tmp_path


def build(cli: Cli, *args: str) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads(cli.ok("build", "--format", "json", *args).stdout)
    return summary


@pytest.mark.parametrize(("language", "says"), [("en", "No articles yet."), ("fil", "Wala pang balita.")])
def test_a_site_with_no_story_builds_and_says_so(cli: Cli, new_site: Path, language: str, says: str) -> None:
    set_site(new_site, language=language)
    summary = build(cli)
    assert summary["articles"] == 0 and summary["problems"] == []
    assert summary["search"] == {**summary["search"], "pages": 0, "languages": [], "problem": ""}
    public = new_site / "public"
    home = lxml.html.parse(str(public / "index.html")).getroot()
    assert home.get("lang") == language
    assert [" ".join(p.text_content().split()) for p in home.xpath("//main//p")] == [says]
    listing = json.loads((public / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert listing["shards"] == [] and summary["search"]["shards"] == 0
    assert (public / "search" / "index.html").is_file()
    assert build(cli)["articles"] == 0  # and again


def test_an_empty_sites_feeds_and_sitemaps_are_valid(cli: Cli, new_site: Path) -> None:
    import xmlschema

    build(cli)
    public = new_site / "public"
    assert feed_problems(public / "feed.xml", "rss") == []
    assert feed_problems(public / "atom.xml", "atom") == []
    assert jsonfeed_problems(public / "feed.json") == []
    assert json.loads((public / "feed.json").read_text(encoding="utf-8"))["items"] == []
    # A sitemap must list a URL: the front page is always there, and the Contacts page init made.
    xmlschema.XMLSchema(str(corpora_path("schemas", "sitemaps", "sitemap.xsd"))).validate(str(public / "sitemap.xml"))
    sitemap = lxml.etree.parse(str(public / "sitemap.xml"))
    locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert locations == ["https://balita.example.ph/", "https://balita.example.ph/contacts/"]
    # Google News reads an empty news sitemap as "nothing in the last two days".
    news = lxml.etree.parse(str(public / "news-sitemap.xml")).getroot()
    assert news.tag == f"{SITEMAP}urlset" and len(news) == 0


def test_the_first_story_fills_the_empty_index(cli: Cli, new_site: Path) -> None:
    build(cli)
    cli.new("Unang balita", "--status", "published", "--lang", "fil", "--body", "Bumaha sa Marikina.")
    summary = build(cli)
    assert summary["search"]["pages"] == 1 and summary["search"]["languages"] == ["fil"]
    home = lxml.html.parse(str(new_site / "public" / "index.html")).getroot()
    assert home.xpath("//main//h3/a/text()") == ["Unang balita"]
    assert home.xpath("//section[@class='latest']") == []  # nothing beyond the lead: no empty "Latest"


@pytest.mark.slow
def test_the_empty_sites_search_page_finds_nothing_in_chromium(cli: Cli, new_site: Path) -> None:
    build(cli)
    with browser() as chromium, serve_directory(new_site / "public") as base:
        with chromium.visit(f"{base}/search/?q=balita") as visit:
            visit.page.wait_for_function("document.getElementById('search-status').textContent.length > 0")
            status = visit.page.text_content("#search-status")
            results = visit.page.eval_on_selector_all("#search-results li", "items => items.length")
            assert visit.errors == []
    assert status == "No stories match “balita”." and results == 0


# ---------------------------------------------------------------- a build that stops part-way


def test_a_build_that_failed_part_way_leaves_nothing_the_next_build_refuses(cli: Cli, new_site: Path) -> None:
    cli.new("Flood in Marikina", "--status", "published", "--body", "The river rose overnight.")
    templates = new_site / "templates"
    templates.mkdir()
    (templates / "404.html").write_text('{% extends "base.html" %}{% block main %}{{ no_such }}{% endblock %}')
    failed = cli.fails(["build"], 1)
    assert failed.stderr.startswith("error: template 404.html") and failed.stderr.count("\n") == 1
    public = new_site / "public"
    left = {path.relative_to(public).as_posix() for path in public.rglob("*") if path.is_file()}
    assert {"index.html", "articles/flood-in-marikina/index.html"} <= left and "404.html" not in left
    (templates / "404.html").unlink()
    # Without search every page the failed build wrote comes out different, and is still balita's.
    summary = build(cli, "--no-search")
    assert summary["problems"] == [] and summary["written"] > 0
    home = (public / "index.html").read_text(encoding="utf-8")
    assert 'role="search"' not in home and (public / "404.html").is_file()
    assert set(site_manifest_files(public)) >= {"index.html", "404.html", "articles/flood-in-marikina/index.html"}


def test_a_failed_build_still_leaves_someone_elses_file_alone(cli: Cli, new_site: Path) -> None:
    cli.new("Flood in Marikina", "--status", "published", "--body", "The river rose overnight.")
    templates = new_site / "templates"
    templates.mkdir()
    (templates / "404.html").write_text("{% if %}")
    cli.fails(["build"], 1)
    ours = new_site / "public" / "404.html"
    ours.write_text("<p>Our own missing page</p>\n", encoding="utf-8")  # put there after the failure
    (templates / "404.html").unlink()
    refused = cli.fails(["build", "--no-search"], 1)
    assert "404.html" in refused.stderr and "--force" in refused.stderr
    assert "index.html," not in refused.stderr and "articles/" not in refused.stderr
    assert ours.read_text(encoding="utf-8") == "<p>Our own missing page</p>\n"
    cli.ok("build", "--no-search", "--force")
    assert "Our own missing page" not in ours.read_text(encoding="utf-8")
