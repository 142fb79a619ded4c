"""The built site on a phone, in headless Chromium at 390 px: no page scrolls sideways for a bare
URL or a long word, thumbnails fetch a small rendition, and outlets' hot-linked photos keep their
box, send no referrer and leave no broken image when they fail.

One site for the module: the demo newsroom plus stories planted with the long tokens that widened
pages (a URL in a summary, a 79-letter word in headlines that related links repeat), library
photos on the front page's stories, and two stories whose photo is hot-linked from an "outlet"
served on 127.0.0.1 (one photo there, one missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.checkers import Browser, browser, serve_directory
from tests.helpers.archive import demo_site
from tests.helpers.cli import Cli
from tests.helpers.site import attach_photo, build, make_photo

pytestmark = pytest.mark.slow
WIDTH, HEIGHT = 390, 844
LONG_URL = "https://www.example.gov.ph/downloads/2027/budget/general-appropriations-act-volume-one-annex-b-final.pdf"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" + "Supercalifragilisticexpialidocious"
BUDGET_STORIES = 7
# Whatever sticks out past the viewport's right edge, widest first: the failure message names it.
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => !e.closest('.sections') && e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
  .slice(0, 3).map(e => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().right)} px`)"""


@dataclass(frozen=True)
class PhoneSite:
    public: Path
    cli: Cli
    outlet: str  # the outlet's base URL
    budget: list[str]  # slugs of the planted stories, newest last
    hotlinked: str  # the story whose outlet photo loads
    broken: str  # the story whose outlet photo is missing


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneSite]:
    folder = tmp_path_factory.mktemp("phone-site")
    outlet_files = folder / "outlet"
    outlet_files.mkdir()
    (outlet_files / "photo.jpg").write_bytes(make_photo(900, 600, seed=3))
    with serve_directory(outlet_files) as outlet, demo_site(folder) as cli:
        hotlinked, broken = (
            cli.new(title, "--image-url", f"{outlet}/{name}", "--image-alt", alt, "--section", "Business",
                    "--status", "published", "--source-name", "Outlet", "--source-url", "https://outlet.example/s")
            for title, name, alt in (("Port opens a new terminal", "photo.jpg", "Cranes over the new terminal"),
                                     ("Farmers sell onions at a loss", "gone.jpg", "Onions in sacks at a market"))
        )  # fmt: skip
        budget = []
        for number in range(BUDGET_STORIES):
            story = cli.new(f"Budget hearing {number}: {LONG_WORD}", "--summary", f"The full text is at {LONG_URL}",
                            "--section", "Politics", "--tag", "Budget", "--status", "published")  # fmt: skip
            attach_photo(cli, folder, story, make_photo(1600, 1000, seed=number), alt=f"Hearing room, day {number}")
            budget.append(story)
        build(cli)
        rows = {r["id"]: r["slug"] for r in cli.json("list", "--format", "json", "--fields", "id,slug")}
        yield PhoneSite(folder / "public", cli, outlet, [rows[i] for i in budget], rows[hotlinked], rows[broken])


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as shared:
        yield shared


@contextmanager
def phone(chromium: Browser, *, scale: float = 1) -> Iterator[Any]:
    """A page of its own at 390 px and ``scale`` device pixels per CSS pixel (a phone's is 2–3)."""
    context = chromium.chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=scale)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(site: PhoneSite, chromium: Browser) -> None:
    pages = ["", "sections/politics/", "tags/budget/", *(f"articles/{slug}/" for slug in site.budget[-2:])]
    with serve_directory(site.public) as base:
        for path in pages:
            with chromium.visit(f"{base}/{path}", width=WIDTH, height=HEIGHT) as visit:
                text = visit.page.inner_text("main")
                assert LONG_URL in text or LONG_WORD in text, f"{path}: the long tokens are not on the page"
                width = visit.page.evaluate("document.documentElement.scrollWidth")
                assert width <= WIDTH, (path, width, visit.page.evaluate(WIDEST))
        # The oldest planted story: the long word is in its related links and its neighbour's link.
        related = f"{base}/articles/{site.budget[0]}/"
        with chromium.visit(related, width=WIDTH, height=HEIGHT) as visit:
            assert LONG_WORD in visit.page.inner_text(".related")
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= WIDTH


THUMBNAILS = ".tier img[srcset], .block-story img[srcset], .entry-photo img[srcset]"  # library photos
# Each thumbnail's chosen file and drawn width, once every lazy one has loaded.
CHOSEN = """async (selector) => {
  const images = Array.from(document.querySelectorAll(selector));
  for (const image of images) { image.loading = "eager"; image.scrollIntoView(); }
  await Promise.all(images.map(image => image.decode().catch(() => null)));
  return images.map(image => [image.currentSrc, image.getBoundingClientRect().width]);
}"""


@pytest.mark.parametrize("scale", [2, 3])
def test_thumbnails_on_a_phone_fetch_a_small_rendition(site: PhoneSite, chromium: Browser, scale: int) -> None:
    """A thumbnail drawn about 120 px wide fetches the smallest rendition that covers it at the
    phone's density (320 px at 2x, 640 at 3x), not the 1600 px file ``sizes: 100vw`` asked for."""
    widths = (320, 640, 1024, 1600)
    with serve_directory(site.public) as base:
        for path in ("", "sections/politics/", "tags/budget/"):
            with phone(chromium, scale=scale) as page:
                page.goto(f"{base}/{path}", wait_until="load")
                chosen = page.evaluate(CHOSEN, THUMBNAILS)
            assert len(chosen) >= 4, (path, chosen)
            for source, drawn in chosen:
                assert 100 <= drawn <= 130, (path, source, drawn)
                rendition = int(source.rsplit("-", 1)[1].split(".")[0])
                assert rendition == min(w for w in widths if w >= drawn * scale), (path, source, drawn)
