"""balita build: the static site from the demo newsroom, read back with real parsers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.database import store_raw
from tests.helpers.site import published, retract, site_manifest_files

MACHINE_FILES = {"feed.xml", "atom.xml", "feed.json", "sitemap.xml", "news-sitemap.xml"}


@pytest.fixture
def site(cli: Cli, tmp_path: Path) -> Path:
    cli.ok("init", "--demo", "--database", cli.db_url)
    return tmp_path


def build(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli.ok("build", "--format", "json", *args)
    assert "Built" in result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def find(root: Any, tag: str, cls: str) -> list[Any]:
    """Elements ``tag`` with class ``cls`` (XPath, so no CSS-selector package is needed)."""
    found: list[Any] = root.xpath(f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")
    return found


def page_of(output: Path, slug: str) -> Path:
    return output / "articles" / slug / "index.html"


def all_text(output: Path) -> str:
    """Every file of the build as text, the search index's compressed fragments unpacked."""
    import gzip

    texts = []
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                pass
            texts.append(data.decode("utf-8", errors="ignore"))
    return "\n".join(texts)


def hashes(output: Path) -> dict[str, str]:
    return {path: entry["sha256"] for path, entry in site_manifest_files(output).items()}


def test_every_published_article_has_its_page(cli: Cli, site: Path) -> None:
    summary = build(cli)
    output = site / "public"
    assert summary["output"] == str(output.resolve())
    rows = published(cli)
    assert summary["articles"] == len(rows) == 5
    for row in rows:
        page = lxml.html.parse(str(page_of(output, row["slug"]))).getroot()
        assert page.findtext(".//h1") == row["title"]
        assert page.get("lang") == row["language"]
        if row["source_url"]:
            link = find(page, "p", "source")[0].find("a")
            assert link.get("href") == row["source_url"]
            assert link.text == row["source_name"]
            words = "Read more on" if row["language"] == "en" else "Basahin ang buong balita sa"
            assert words in find(page, "p", "source")[0].text_content()
    for name in ("index.html", "robots.txt", "style.css", "sections/politics/index.html",
                 "tags/west-philippine-sea/index.html", "authors/maria-santos/index.html"):  # fmt: skip
        assert (output / name).is_file(), name
    footer = lxml.html.parse(str(output / "index.html")).getroot()
    footer = find(footer, "footer", "site-footer")[0]
    assert "Balita Publishing" in footer.text_content()
    assert footer.xpath(".//a[@href='mailto:editors@balita.example.ph']")


def test_filipino_article_speaks_filipino(cli: Cli, site: Path) -> None:
    build(cli)
    row = next(r for r in published(cli) if r["language"] == "fil")
    page = lxml.html.parse(str(page_of(site / "public", row["slug"]))).getroot()
    assert find(page, "span", "published")[0].text_content().startswith("Inilathala")
    assert find(page, "p", "byline")[0].text_content().split()[0] == "Ni"


def test_json_ld_news_article(cli: Cli, site: Path) -> None:
    build(cli)
    row = next(r for r in published(cli) if r["source_name"] == "BusinessWorld")
    page = lxml.html.parse(str(page_of(site / "public", row["slug"]))).getroot()
    scripts = page.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    data = json.loads(scripts[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == row["title"]
    assert [a["name"] for a in data["author"]] == row["authors"] == ["Ana Reyes", "Mark Villanueva"]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization", "@id": "https://balita.example.ph/#publisher",
        "name": "Balita Publishing", "url": "https://balita.example.ph/",
        "logo": {"@type": "ImageObject", "url": "https://balita.example.ph/logo.png", "width": 600, "height": 60},
    }  # fmt: skip
    assert (site / "public" / "logo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["datePublished"] and data["dateModified"] >= data["datePublished"]
    assert "." not in data["datePublished"] and "." not in data["dateModified"]  # whole seconds
    assert data["url"] == row["url"]
    assert data["isBasedOn"] == row["source_url"] and "BusinessWorld" in data["backstory"]
    assert [a["url"] for a in data["author"]] == [
        "https://balita.example.ph/authors/ana-reyes/", "https://balita.example.ph/authors/mark-villanueva/"
    ]  # fmt: skip


def test_feeds_parse_without_bozo(cli: Cli, site: Path) -> None:
    summary = build(cli)
    output = site / "public"
    titles = {row["title"] for row in published(cli)}
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((output / name).read_bytes())
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        assert {entry.title for entry in parsed.entries} == titles
    feed = json.loads((output / "feed.json").read_text())
    assert feed["version"].startswith("https://jsonfeed.org/version/")
    assert {item["title"] for item in feed["items"]} == titles
    assert set(summary["feeds"]) == {"feed.xml", "atom.xml", "feed.json"}


@pytest.mark.slow
def test_unpublished_never_leaks(cli: Cli, site: Path) -> None:
    trashed = cli.new("Trashed scoop about the mayor", "--status", "published", "--body", "TRASHBODY")
    cli.ok("delete", str(trashed), "--yes")
    cli.new("Waiting in review", "--status", "review", "--body", "REVIEWBODY")
    noted = published(cli)[0]
    cli.ok("edit", str(noted["id"]), "--note", "EDITORNOTE do not print")
    hidden = cli.json("list", "--status", "draft", "--status", "scheduled", "--format", "json")
    assert len(hidden) == 2
    build(cli)
    text = all_text(site / "public")
    for title in [row["title"] for row in hidden] + ["Trashed scoop", "Waiting in review"]:
        assert title not in text
    for secret in ("TRASHBODY", "REVIEWBODY", "EDITORNOTE"):
        assert secret not in text


def test_retracted_keeps_url_but_not_body(cli: Cli, site: Path) -> None:
    ref = cli.new("Story we took down", "--status", "published", "--body", "WRONGCLAIM in the body",
                  "--summary", "WRONGSUMMARY")  # fmt: skip
    retract(cli.db_url, str(ref), "The sources could not be verified.")
    build(cli)
    output = site / "public"
    page = lxml.html.parse(str(page_of(output, "story-we-took-down"))).getroot()
    assert page.findtext(".//h1") == "Story we took down"
    assert "could not be verified" in find(page, "section", "retraction")[0].text_content()
    assert "WRONG" not in all_text(output)
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    entry = next(e for e in parsed.entries if e.title == "Story we took down")
    assert "could not be verified" in entry.summary


def test_hostile_body_and_urls_are_sanitized(cli: Cli, site: Path) -> None:
    body = '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)"> [click](javascript:alert(3))'
    refused = cli.fails(["new", "Hostile", "--source-url", "javascript:alert(4)"])
    assert "must be an http(s) URL" in refused.stderr  # refused when stored…
    article = cli.new("Hostile", "--status", "published", "--body", body, "--source-name", "Evil")
    store_raw(cli.db_url, article, source_url="javascript:alert(4)")  # …and harmless if it got in anyway
    build(cli)
    page = lxml.html.parse(str(page_of(site / "public", "hostile"))).getroot()
    assert not page.xpath("//script[not(@type='application/ld+json')]")
    assert not page.xpath("//@*[starts-with(name(), 'on')]")
    assert not [href for href in page.xpath("//@href") if "javascript" in href.lower()]
    assert "Evil" in find(page, "p", "source")[0].text_content()


@pytest.mark.slow
def test_incremental_rebuild_writes_only_what_changed(cli: Cli, site: Path) -> None:
    output = site / "public"
    first = build(cli)
    assert first["written"] == first["files"] and first["kept"] == 0
    again = build(cli)
    assert (again["written"], again["removed"]) == (0, 0)
    assert again["kept"] == first["files"]
    before = hashes(output)

    row = next(r for r in published(cli) if r["source_name"] == "BusinessWorld")
    cli.ok("edit", str(row["id"]), "--title", "Peso firms as inflation eases further")
    after_edit = build(cli)
    after = hashes(output)
    changed = {path for path in after if before.get(path) != after[path]}
    assert after_edit["written"] == len(changed)
    lists = {"index.html", "sections/economy/", "authors/ana-reyes/", "authors/mark-villanueva/", "tags/bsp/",
             "tags/inflation/", "tags/peso/"}  # fmt: skip
    expected = {page_of(Path(), row["slug"]).as_posix()}
    expected |= {name if name.endswith(".html") else name + "index.html" for name in lists}
    expected |= {name + "feed.xml" for name in lists if name.endswith("/")}  # each list's own feed
    new_title = "Peso firms as inflation eases further"
    # Other articles that link to it (related stories, previous/next in its section) show the new title.
    neighbours = {
        path.relative_to(output).as_posix()
        for path in (output / "articles").glob("*/index.html")
        if new_title in path.read_text(encoding="utf-8")
    } - expected
    feeds = {name for name in MACHINE_FILES if (output / name).exists()}
    search = {path for path in changed if path.startswith("pagefind/")}
    assert search, "the search index follows the new title"
    assert changed - feeds - search - neighbours == expected
    assert neighbours <= changed
    assert feeds & {"feed.xml", "atom.xml", "feed.json"} <= changed
    assert new_title in (output / "index.html").read_text()
    assert build(cli)["written"] == 0


@pytest.mark.slow
def test_removed_articles_and_clean(cli: Cli, site: Path) -> None:
    output = site / "public"
    build(cli)
    row = next(r for r in published(cli) if r["section"] == "Culture")
    cli.ok("unpublish", str(row["id"]))
    (output / "notes.txt").write_text("not ours")
    summary = build(cli)
    assert not page_of(output, row["slug"]).exists()
    assert not (output / "sections" / "culture").exists()
    assert summary["removed"] >= 2  # the article page and its section page at least
    assert (output / "notes.txt").read_text() == "not ours"
    clean = build(cli, "--clean")
    assert clean["written"] == clean["files"] and clean["kept"] == 0


def test_old_slug_gets_a_redirect(cli: Cli, site: Path) -> None:
    row = published(cli)[0]
    cli.ok("edit", str(row["id"]), "--slug", "renamed-story")
    build(cli)
    output = site / "public"
    old = lxml.html.parse(str(page_of(output, row["slug"]))).getroot()
    refresh = old.xpath("//meta[@http-equiv='refresh']/@content")[0]
    assert refresh.endswith("url=../../articles/renamed-story/")
    assert page_of(output, "renamed-story").exists()


def test_site_templates_override_shipped_ones(cli: Cli, site: Path) -> None:
    templates = site / "templates"
    (templates / "static").mkdir(parents=True)
    (templates / "article.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 class="custom">{{ article.title }}</h1>'
        "<p>{{ '<b>' }}</p>{% endblock %}"
    )
    (templates / "static" / "style.css").write_text("body { color: teal; }\n")
    build(cli)
    output = site / "public"
    row = published(cli)[0]
    html = page_of(output, row["slug"]).read_text()
    assert '<h1 class="custom">' in html and "&lt;b&gt;" in html  # autoescape stays on
    assert "Maria Santos" not in html or "authors/" in html
    assert (output / "style.css").read_text() == "body { color: teal; }\n"
    assert '<ol class="entries">' in (output / "sections/politics/index.html").read_text()  # shipped list.html


def test_broken_template_is_a_clean_error(cli: Cli, site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "list.html").write_text("{% for x in %}")
    result = cli.fails(["build"], 1)
    assert "template list.html" in result.stderr


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("article.title | length // 0", "(line 2): ZeroDivisionError"),
        ("(article.title | int) + 'a'", "(line 2): TypeError"),
        ("(article.title | list)[10 ** 6]", "list object has no element 1000000"),
    ],
)
def test_a_template_expression_that_fails_is_one_line_naming_its_template(
    cli: Cli, site: Path, expression: str, reason: str
) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "base.html" %}{% block main %}\n<p>{{ ' + expression + " }}</p>{% endblock %}"
    )
    result = cli.fails(["build"], 1)
    assert result.stderr.startswith("error: template article.html") and reason in result.stderr


def test_pagination(cli: Cli, site: Path) -> None:
    build(cli, "--page-size", "2")
    output = site / "public"
    assert (output / "page" / "3" / "index.html").exists()
    assert not (output / "page" / "4").exists()
    second = lxml.html.parse(str(output / "page" / "2" / "index.html")).getroot()
    assert len(find(second, "li", "entry")) == 2
    assert second.xpath("//a[@rel='prev']/@href") == ["../../"]
    assert second.xpath("//a[@rel='next']/@href") == ["../../page/3/"]


def test_sitemap_lists_articles_and_list_pages(cli: Cli, site: Path) -> None:
    import xmlschema

    build(cli)
    output = site / "public"
    schema = xmlschema.XMLSchema(str(corpora_path("schemas", "sitemaps", "sitemap.xsd")))
    schema.validate(str(output / "sitemap.xml"))
    document = lxml.etree.parse(str(output / "sitemap.xml"))
    locs = set(document.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}))
    assert {row["url"] for row in published(cli)} <= locs
    assert {"https://balita.example.ph/", "https://balita.example.ph/sections/politics/"} <= locs
    assert "Sitemap: https://balita.example.ph/sitemap.xml" in (output / "robots.txt").read_text()


def test_a_story_whose_canonical_is_the_outlets_is_left_to_the_outlets_sitemap(cli: Cli, site: Path) -> None:
    excerpt, own = published(cli)[:2]
    cli.ok("edit", str(excerpt["id"]), "--canonical-url", "https://news.example.com/2026/12/original-story")
    build(cli)
    output = site / "public"
    for sitemap in ("sitemap.xml", "news-sitemap.xml"):
        text = (output / sitemap).read_text(encoding="utf-8")
        assert excerpt["url"] not in text and "news.example.com" not in text, sitemap
    assert own["url"] in (output / "sitemap.xml").read_text(encoding="utf-8")
    cli.ok("edit", str(excerpt["id"]), "--canonical-url", "")
    build(cli)
    assert excerpt["url"] in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_sitemap_splits_past_its_limit(cli: Cli, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xmlschema

    from balita_cli.formats import sitemap
    from balita_cli.formats.base import Capabilities

    monkeypatch.setattr(sitemap, "MAX_URLS", 4)
    monkeypatch.setattr(sitemap.WRITER, "capabilities", Capabilities(public=True, max_items=4, splits=True))
    build(cli)
    output = site / "public"
    index = xmlschema.XMLSchema(str(corpora_path("schemas", "sitemaps", "siteindex.xsd")))
    index.validate(str(output / "sitemap.xml"))
    parts = sorted(p.name for p in output.glob("sitemap-*.xml"))
    assert len(parts) >= 2
    manifest = hashes(output)
    assert set(parts) <= set(manifest)


def test_archived_article_keeps_its_page_but_leaves_lists_and_feeds(cli: Cli, site: Path) -> None:
    row = next(r for r in published(cli) if r["section"] == "Economy")
    cli.ok("archive", str(row["id"]))
    build(cli)
    output = site / "public"
    page = lxml.html.parse(str(page_of(output, row["slug"]))).getroot()
    assert page.findtext(".//h1") == row["title"]
    home = (output / "index.html").read_text(encoding="utf-8")
    assert row["title"] not in home
    assert row["title"] not in (output / "feed.xml").read_text(encoding="utf-8")
    assert row["url"] in (output / "sitemap.xml").read_text(encoding="utf-8")
