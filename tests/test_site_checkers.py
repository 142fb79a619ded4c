"""The built site judged by readers we did not write, on the demo newsroom plus the WordPress
theme unit test and two real Philippine news feeds, with photos attached:

- the Nu HTML Checker: no error on any page, apart from what imported article bodies carry
  (an error is the body's when its line lies inside the ``story-body`` element of a page whose
  article came from an import: WordPress's test posts skip heading levels on purpose);
- axe-core in headless Chromium: no violation at all, of any impact, on the front page, a
  section, tag and author page, article pages (English, Filipino, with a photo, retracted),
  the search page and the 404 page, and on the front page and articles in dark mode;
- every published article's JSON-LD, parsed: headline, image where it has a photo,
  datePublished, dateModified, author names, publisher name and logo;
- Pagefind, in Chromium: a Filipino story found by a word of its body, through a plain static
  server on ``public/`` and through ``balita serve``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.checkers import (
    ALL_IMPACTS,
    Browser,
    NuMessage,
    browser,
    describe_violations,
    nu_errors,
    serve_directory,
    site_search,
)
from tests.checkers.browser import AXE_RUN
from tests.helpers.archive import demo_site
from tests.helpers.cli import Cli
from tests.helpers.corpora import CORPORA
from tests.helpers.preview import start_preview, stop
from tests.helpers.site import attach_photo, make_photo, retract

pytestmark = pytest.mark.slow
FILIPINO_WORD = "ospital"  # in the body of the demo's Senate budget story, not in its title or summary
FILIPINO_TITLE = "Senado, inaprubahan ang panukalang 2027 pambansang badyet"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Cli]]:
    """One site for every check here (building it takes a few seconds)."""
    folder = tmp_path_factory.mktemp("checked-site")
    with demo_site(folder) as cli:
        wxr = CORPORA / "wxr" / "themeunittestdata.wordpress.xml"
        if wxr.is_file():
            cli.ok("import", "wxr", str(wxr))
        for feed in ("gmanews.xml", "philstar.xml"):
            path = CORPORA / "feeds" / "ph-news" / feed
            if path.is_file():
                cli.ok("import", "feed", str(path))
        drafts = cli.json("list", "--status", "draft", "--format", "json", "--fields", "id,external_id")
        fed = [str(r["id"]) for r in drafts if (r["external_id"] or "").startswith("feed:")]
        if fed:
            cli.ok("publish", *fed)
        rows = cli.json("list", "--status", "published", "--format", "json", "--fields", "id")
        for number, row in enumerate(rows[:10]):
            attach_photo(cli, folder, row["id"], make_photo(1400 + 60 * number, 900, seed=number),
                         alt=f"Photo number {number}", caption="Caption of the photo.", credit="Balita")  # fmt: skip
        taken_down = cli.new("Retracted story", "--status", "published", "--body", "Wrong.")
        retract(cli.db_url, str(taken_down), "The claims could not be verified.")
        cli.ok("build")
        yield folder / "public", cli


def in_imported_body(error: NuMessage, bodies: dict[Path, range | None]) -> bool:
    lines = bodies.get(error.file) if error.file is not None else None
    return lines is not None and error.line is not None and error.line in lines


def imported_body_lines(page: Path) -> range | None:
    """The lines of an imported article's body on its page (None for pages of our own stories)."""
    root = lxml.html.parse(str(page)).getroot()
    body = root.xpath("//div[@class='story-body']")
    script = root.xpath("//script[@type='application/ld+json']")
    if not body or not script:
        return None
    slug = page.parent.name
    if not _imported(slug):
        return None
    after = body[0].getnext()
    end = after.sourceline if after is not None else body[0].sourceline + 100_000
    return range(body[0].sourceline, end)


_IMPORTED: set[str] = set()


def _imported(slug: str) -> bool:
    return slug in _IMPORTED


def test_nu_finds_no_error_from_our_templates(built: tuple[Path, Cli]) -> None:
    public, cli = built
    records = cli.json("list", "--format", "json", "--fields", "slug,external_id")
    _IMPORTED.update(r["slug"] for r in records if r["external_id"])
    pages = sorted(p for p in public.rglob("*.html") if "pagefind" not in p.parts)
    kinds = {"index.html", "404.html"} | {p.relative_to(public).parts[0] for p in pages}
    assert {"articles", "sections", "tags", "authors", "search", "page"} <= kinds
    bodies = {page: imported_body_lines(page) for page in pages}
    errors = [error for error in nu_errors([*pages, public / "style.css"]) if not in_imported_body(error, bodies)]
    assert errors == [], "\n".join(map(str, errors[:40]))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as shared:
        yield shared


def outlet_photo_requests(public: Path, path: str) -> set[str]:
    """The requests a page makes for outlets' own photos, which it shows hot-linked without a
    referrer (the test's browser blocks every request off this machine)."""
    page = public / path.partition("?")[0] / "index.html"
    if not page.is_file():
        return set()
    sources = lxml.html.parse(str(page)).getroot().xpath("//img[@referrerpolicy='no-referrer']/@src")
    blocked = "console error: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT.Inspector"
    return {f"blocked outside request: {src}" for src in sources} | {f"{blocked} ({src}:0)" for src in sources}


def test_axe_finds_no_violation_on_any_page_type(built: tuple[Path, Cli], chromium: Browser) -> None:
    public, cli = built
    rows = cli.json("list", "--status", "published", "--status", "retracted", "--format", "json", "--fields",
                    "slug,language,external_id,photo,status")  # fmt: skip
    ours = [r for r in rows if not r["external_id"]]
    pick = {
        "english": next(r for r in ours if r["language"] == "en"),
        "filipino": next(r for r in ours if r["language"] == "fil"),
        "retracted": next(r for r in ours if r["status"] == "retracted"),
    }
    with_photo = next((r for r in rows if r["photo"] and not r["external_id"]), None)
    pages = ["", "page/2/", "sections/politics/", "tags/inflation/", "authors/maria-santos/", "search/?q=badyet",
             "404.html", *[f"articles/{r['slug']}/" for r in pick.values()]]  # fmt: skip
    if with_photo:
        pages.append(f"articles/{with_photo['slug']}/")
    violations = []
    with serve_directory(public) as base:
        for path in pages:
            violations += chromium.axe(f"{base}/{path}", impacts=ALL_IMPACTS)
            errors = chromium.console_errors(f"{base}/{path}")
            assert [error for error in errors if error not in outlet_photo_requests(public, path)] == [], path
        for path in pages[:1] + pages[7:]:  # dark mode (prefers-color-scheme) has its own colours
            with chromium.visit(f"{base}/{path}", axe=True) as visit:
                visit.page.emulate_media(color_scheme="dark")
                try:
                    found = visit.page.evaluate(AXE_RUN, [None])
                finally:
                    visit.page.emulate_media(color_scheme="light")
            violations += [{**v, "url": f"{base}/{path} (dark)"} for v in found]
    assert violations == [], describe_violations(violations)


def test_every_published_article_has_complete_json_ld(built: tuple[Path, Cli]) -> None:
    public, cli = built
    rows = cli.json("list", "--status", "published", "--format", "json", "--fields", "slug,title,photo,image_url")
    assert len(rows) > 50
    photos = 0
    for row in rows:
        root = lxml.html.parse(str(public / "articles" / row["slug"] / "index.html")).getroot()
        data: dict[str, Any] = json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)
        assert data["@type"] == "NewsArticle" and data["headline"], row["slug"]
        assert data["datePublished"] and data["dateModified"] >= data["datePublished"]
        assert all(author["name"] for author in data["author"])
        assert data["publisher"]["name"] == "Balita Publishing"
        assert data["publisher"]["logo"]["url"] == "https://balita.example.ph/logo.png"
        if row["photo"]:
            photos += 1
            assert len(data["image"]) == 3 and all(
                u.startswith("https://balita.example.ph/media/") for u in data["image"]
            )
            for url in data["image"]:
                assert (public / url.removeprefix("https://balita.example.ph/")).is_file()
        elif (row["image_url"] or "").startswith(("http://", "https://")):
            assert data["image"] == [row["image_url"]]
    assert photos == 10


def test_pagefind_finds_a_filipino_story_by_a_word_of_its_body(built: tuple[Path, Cli], chromium: Browser) -> None:
    public, _cli = built
    shards = json.loads((public / "pagefind" / "shards.json").read_text())["shards"]
    assert {"en", "fil"} <= {language for shard in shards for language in shard["languages"]}
    with serve_directory(public) as base:
        assert FILIPINO_TITLE in site_search(chromium, base, FILIPINO_WORD)


def test_pagefind_through_balita_serve(built: tuple[Path, Cli], chromium: Browser, tmp_path: Path) -> None:
    _public, cli = built
    previous = os.getcwd()
    os.chdir(_public.parent)
    try:
        preview = start_preview(cli, scratch=tmp_path)
        try:
            assert FILIPINO_TITLE in site_search(chromium, preview.url.rstrip("/"), FILIPINO_WORD)
        finally:
            stop(preview)
    finally:
        os.chdir(previous)


def test_typing_then_enter_at_once_lists_each_result_once(built: tuple[Path, Cli], chromium: Browser) -> None:
    """Enter within the typing pause starts a second search while the first loads the index: the
    index is loaded once, and the results are listed once, counted once."""
    public, _cli = built
    with serve_directory(public) as base:
        alone = site_search(chromium, base, "badyet")
        with chromium.visit(f"{base}/search/") as visit:
            visit.page.fill("#search-form input[name=q]", "badyet")
            visit.page.press("#search-form input[name=q]", "Enter")
            visit.page.wait_for_timeout(1500)  # both the typing pause's search and Enter's have ended
            titles = visit.page.eval_on_selector_all("#search-results h2 a", "links => links.map(a => a.textContent)")
            status = visit.page.text_content("#search-status") or ""
            assert visit.errors == [], visit.errors
    assert alone and titles == alone
    assert status.startswith(f"{len(alone)} "), status


def test_a_word_no_story_has_finds_nothing(built: tuple[Path, Cli], chromium: Browser) -> None:
    public, _cli = built
    with serve_directory(public) as base:
        assert site_search(chromium, base, "xyzzyq") == []
