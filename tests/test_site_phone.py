"""The built site on a phone, in headless Chromium at 390 px: no page scrolls sideways for a bare
URL or a long word, thumbnails fetch a small rendition, and outlets' hot-linked photos keep their
box, send no referrer and leave no broken image when they fail.

One site for the module: the demo newsroom plus stories planted with the long tokens that widened
pages (a URL in a summary, a 79-letter word in headlines that related links repeat), library
photos on the front page's stories, and two stories whose photo is hot-linked from an "outlet"
served on 127.0.0.1 (one photo there, one missing).

It also holds what the checkers found small: "Latest" repeating the stories above it, no favicon,
``og:locale``, a Filipino feed item's notice in English, navigation switching language per
article, the first photo loaded lazily.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from balita_cli.site.fixed_pages import favicon
from balita_cli.site.render import static_file
from tests.checkers import Browser, browser, serve_directory
from tests.helpers.archive import demo_site
from tests.helpers.cli import Cli
from tests.helpers.site import attach_photo, build, make_photo, retract

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
        retracted = cli.new("Binawing balita tungkol sa badyet", "--lang", "fil", "--body", "Mali.",
                            "--section", "Politics", "--status", "published")  # fmt: skip
        retract(cli.db_url, str(retracted), "Hindi mapatunayan ang mga pahayag.")
        # The lead, newest and featured, has no photo: the first photo is a thumbnail of the tier.
        cli.new("Senate opens its budget debate", "--featured", "--section", "Politics", "--status", "published")
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


# ---------------------------------------------------------------- outlets' hot-linked photos


def test_an_outlets_photo_sends_no_referrer_and_keeps_its_box(site: PhoneSite, chromium: Browser) -> None:
    with serve_directory(site.public) as base:
        for path in (f"articles/{site.hotlinked}/", "sections/business/"):
            with phone(chromium) as page:
                asked: list[Any] = []
                page.on("request", lambda request: asked.append(request))  # noqa: B023  (this page only)
                page.goto(f"{base}/{path}", wait_until="load")
                image = page.locator(f"img[src='{site.outlet}/photo.jpg']")
                assert image.get_attribute("referrerpolicy") == "no-referrer"
                assert page.evaluate("i => i.naturalWidth", image.element_handle()) == 900  # it loaded
                box = image.bounding_box()
                assert box is not None and abs(box["width"] * 2 / 3 - box["height"]) < 1, (path, box)
                sent = [request.all_headers() for request in asked if request.url.startswith(site.outlet)]
                assert sent and not any(headers.get("referer") for headers in sent), (path, sent)


def test_an_outlets_photo_that_fails_leaves_an_empty_box(site: PhoneSite, chromium: Browser, tmp_path: Path) -> None:
    """A missing outlet photo keeps its 3:2 box, drawn as a plain panel: no broken-image icon, no
    alt text spilling (the alt stays for screen readers)."""
    from PIL import Image

    with serve_directory(site.public) as base, phone(chromium) as page:
        page.goto(f"{base}/articles/{site.broken}/", wait_until="load")
        image = page.locator(".story-photo img")
        assert page.evaluate("i => [i.complete, i.naturalWidth]", image.element_handle()) == [True, 0]  # failed
        assert image.get_attribute("alt") == "Onions in sacks at a market"
        box = image.bounding_box()
        assert box is not None and box["width"] == WIDTH - 32 and abs(box["width"] * 2 / 3 - box["height"]) < 1
        image.screenshot(path=tmp_path / "broken.png")
    colours = Image.open(tmp_path / "broken.png").convert("RGB").getcolors(maxcolors=1_000_000) or []
    panel, paper = (0xF4, 0xF2, 0xEE), (0xFF, 0xFF, 0xFF)  # --panel and --paper in style.css
    shown = {colour: count for count, colour in colours}
    # The panel, and the page's white in the screenshot's last row (the box ends mid-pixel).
    assert set(shown) <= {panel, paper} and shown.get(paper, 0) <= box["width"], sorted(colours, reverse=True)[:5]


# ---------------------------------------------------------------- small things the checkers found


def test_the_first_photo_on_screen_loads_at_once_and_first(site: PhoneSite, chromium: Browser) -> None:
    """The first photo a phone shows (a thumbnail under a lead without one, a list's first, an
    article's photo) is neither lazy nor of ordinary priority; photos below it are lazy."""
    first_on_screen = """() => {
      const seen = Array.from(document.images).filter(i => i.getBoundingClientRect().top < innerHeight);
      const lazy = Array.from(document.images).filter(i => i.loading === "lazy").length;
      return seen.length ? [seen[0].loading, seen[0].fetchPriority, lazy, seen[0].currentSrc] : null;
    }"""
    paths = ["", "sections/politics/", "tags/budget/", "sections/business/", f"articles/{site.budget[-1]}/"]
    with serve_directory(site.public) as base:
        for path in paths:
            with phone(chromium) as page:
                page.goto(f"{base}/{path}", wait_until="load")
                found = page.evaluate(first_on_screen)
            assert found is not None, f"{path}: no photo on the first screen"
            loading, priority, lazy, source = found
            assert loading != "lazy" and priority == "high", (path, source)
            if path in ("", "tags/budget/"):
                assert lazy >= 1, path  # the others wait


def test_latest_does_not_repeat_the_stories_above_it(site: PhoneSite) -> None:
    home = lxml.html.parse(str(site.public / "index.html")).getroot()
    above = home.xpath("//article[contains(@class, 'lead-story') or contains(@class, 'tier-story')]//h3/a/@href")
    latest = home.xpath("//section[@class='latest']//a/@href")
    assert len(above) == 5 and len(latest) >= 5
    assert set(above).isdisjoint(latest)


def test_every_page_links_the_favicon(site: PhoneSite) -> None:
    from PIL import Image

    for path in ("index.html", "sections/politics/index.html", f"articles/{site.budget[0]}/index.html", "404.html"):
        page = lxml.html.parse(str(site.public / path)).getroot()
        (icon,) = page.xpath("//link[@rel='icon']/@href")
        if path == "404.html":  # served at any depth: its links start at the site's path
            assert icon == "/favicon.png"
        else:
            assert (site.public / path).parent.joinpath(icon).resolve() == site.public / "favicon.png", path
    with Image.open(site.public / "favicon.png") as image:
        assert image.format == "PNG" and image.size == (64, 64)
    assert (site.public / "favicon.png").read_bytes() == static_file("favicon.png", None)  # balita's, for its logo


def test_a_favicon_made_from_a_wide_logo_is_its_first_square() -> None:
    """A wordmark 10 times as wide as tall: the icon is the square at its start (its emblem, scaled
    up to fill it), not
    the whole mark shrunk to a line."""
    from PIL import Image

    logo = Image.new("RGB", (600, 60), "white")
    logo.paste((164, 22, 26), (20, 10, 60, 50))  # the emblem: a red square, 40 px
    logo.paste((0, 0, 0), (80, 10, 580, 50))  # the name
    buffer = io.BytesIO()
    logo.save(buffer, format="PNG")
    with Image.open(io.BytesIO(favicon(buffer.getvalue()))) as icon:
        assert icon.size == (64, 64)
        assert icon.convert("RGB").getpixel((32, 32)) == (164, 22, 26)
        assert icon.convert("RGBA").getpixel((0, 32)) == (164, 22, 26, 255)  # the emblem fills it


def test_og_locale_follows_the_story_and_the_chrome_keeps_the_sites_language(site: PhoneSite) -> None:
    rows = site.cli.json("list", "--status", "published", "--format", "json", "--fields", "slug,language")
    filipino = next(r["slug"] for r in rows if r["language"] == "fil")
    page = lxml.html.parse(str(site.public / "articles" / filipino / "index.html")).getroot()
    assert page.xpath("//meta[@property='og:locale']/@content") == ["fil_PH"]
    assert page.get("lang") == "fil"  # Pagefind files the page in the Filipino index
    # The navigation, header and footer stay in the site's language (English)...
    assert page.xpath("//header[@class='site-header']/@lang") == ["en"]
    assert page.xpath("//footer[@class='site-footer']/@lang") == ["en"]
    assert page.xpath("//nav[@class='sections']//a/text()")[0] == "Front page"
    assert page.xpath("//a[@class='skip-link']/text()") == ["Skip to the main content"]
    # ...the story's own labels are in its language.
    assert page.xpath("//span[@class='published']/text()")[0].startswith("Inilathala")
    english = lxml.html.parse(str(site.public / "articles" / site.budget[0] / "index.html")).getroot()
    assert english.xpath("//meta[@property='og:locale']/@content") == ["en_PH"]
    assert english.xpath("//header/@lang") == []  # the page's language is the site's


def test_a_filipino_storys_feed_items_speak_filipino(site: PhoneSite) -> None:
    """Read by feedparser: the retracted Filipino story's notice, and the outlet credit of an
    English one, each in its story's language."""
    import feedparser

    items = {entry.title: entry for entry in feedparser.parse(str(site.public / "feed.xml")).entries}
    retracted = items["Binawing balita tungkol sa badyet"]
    assert "<strong>Binawi:</strong> Hindi mapatunayan ang mga pahayag." in retracted.content[0].value
    assert "Retracted" not in retracted.content[0].value
    assert "Read more on" in items["Port opens a new terminal"].content[0].value
