"""The site's search in headless Chromium: results drawn as list entries, with the story's date,
a thumbnail when it has a photo of the library, and an excerpt of its body only. The photo's
caption and credit, the section and the headline are left out of the indexed body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.checkers import Browser, browser, serve_directory
from tests.helpers.archive import demo_site
from tests.helpers.site import make_photo

pytestmark = pytest.mark.slow
CAPTION_WORD = "Bangkerong"  # only in the photo's caption
CREDIT_WORD = "Tamaraw"  # only in the photo's credit
VIETNAM = "Philippines, Vietnam agree to step up coast guard cooperation in the South China Sea"
PESO = "Peso firms as inflation eases to 2.1% in November"
RESULTS = """() => [...document.querySelectorAll('#search-results li')].map(item => ({
  title: item.querySelector('h2 a').textContent,
  href: item.querySelector('h2 a').getAttribute('href'),
  datetime: item.querySelector('time') && item.querySelector('time').dateTime,
  date: item.querySelector('time') && item.querySelector('time').textContent,
  images: [...item.querySelectorAll('img')].map(img => ({src: img.src, loaded: img.complete && img.naturalWidth > 0})),
  excerpt: item.querySelector('.summary').textContent,
  marked: [...item.querySelectorAll('.summary mark')].map(mark => mark.textContent),
}))"""


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo, its Vietnam story with a captioned and credited photo, built with its index."""
    folder = tmp_path_factory.mktemp("search-site")
    with demo_site(folder) as cli:
        (folder / "boats.jpg").write_bytes(make_photo(1200, 800, seed=2))
        caption, credit = f"{CAPTION_WORD} pangisda sa daungan", f"{CREDIT_WORD} Studio"
        cli.ok("media", "add", str(folder / "boats.jpg"), "--alt", "Boats", "--caption", caption, "--credit", credit)
        story = next(r for r in cli.json("list", "--format", "json", "--fields", "id,title") if r["title"] == VIETNAM)
        cli.ok("edit", str(story["id"]), "--image", "1")
        cli.ok("build")
        yield folder / "public"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as shared:
        yield shared


def search(chromium: Browser, public: Path, query: str) -> list[dict[str, Any]]:
    with serve_directory(public) as base, chromium.visit(f"{base}/search/?q={query}") as visit:
        visit.page.wait_for_function("document.getElementById('search-status').textContent.length > 0")
        visit.page.wait_for_function("[...document.images].every(img => img.complete)")
        found: list[dict[str, Any]] = visit.page.evaluate(RESULTS)
        assert visit.errors == [], visit.errors
        return found


@pytest.mark.parametrize("word", [CAPTION_WORD, CREDIT_WORD])
def test_a_word_only_in_the_photos_caption_or_credit_finds_nothing(chromium: Browser, public: Path, word: str) -> None:
    assert search(chromium, public, word) == []


def test_a_result_shows_its_date_its_photo_and_an_excerpt_of_its_body(chromium: Browser, public: Path) -> None:
    [result] = search(chromium, public, "hotline")
    assert result["title"] == VIETNAM and result["marked"] == ["hotline"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", result["datetime"])
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", result["date"])
    [image] = result["images"]
    assert image["loaded"] and re.search(r"/media/[0-9a-f]{32}-320\.jpg$", image["src"])
    assert VIETNAM not in result["excerpt"] and "Politics" not in result["excerpt"]


def test_a_word_of_the_headline_gives_the_start_of_the_body(chromium: Browser, public: Path) -> None:
    by_title = {result["title"]: result for result in search(chromium, public, "Vietnam")}
    assert by_title[VIETNAM]["excerpt"].startswith("MANILA — ")
    [peso] = search(chromium, public, "peso")
    assert peso["title"] == PESO and peso["images"] == [] and peso["date"]
    assert "Peso firms" not in peso["excerpt"] and peso["marked"][0].lower() == "peso"
