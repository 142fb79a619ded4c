"""Photos on the built site: renditions made once from the media store, srcset/sizes, width and
height, lazy loading below the fold, crops for JSON-LD, and hostile descriptions kept as text.

The photos are made with Pillow by tests/helpers/site.py (deterministic pictures, saved as JPEG or PNG) and put in
the media library the way the library stores them: the original in the content-addressed
``MediaStore`` under the site's ``media_dir``, a ``photo`` row, the article's ``image_id``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from tests.helpers.cli import Cli
from tests.helpers.database import store_raw
from tests.helpers.site import attach_photo, build, make_photo, page, published


@pytest.fixture
def site(cli: Cli, tmp_path: Path) -> Path:
    cli.ok("init", "--demo", "--database", cli.db_url)
    return tmp_path


def media_files(output: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (output / "media").iterdir()} if (output / "media").is_dir() else {}


def referenced(root: Any) -> list[str]:
    """Every local file a page's images name (src and each srcset candidate)."""
    found = [src for src in root.xpath("//img/@src") if not src.startswith("http")]
    for value in root.xpath("//@srcset"):
        found += [part.strip().split(" ")[0] for part in value.split(",")]
    return found


@pytest.mark.slow
def test_a_large_photo_becomes_renditions_crops_and_a_responsive_picture(cli: Cli, site: Path) -> None:
    from PIL import Image

    row = published(cli)[0]
    photo = attach_photo(cli, site, row["id"], make_photo(4000, 3000), alt="Coast guard ships at sea",
                         caption="Ships off Palawan.", credit="Juan Dela Cruz")  # fmt: skip
    summary = build(cli)
    assert summary["photos"] == {"made": 1, "reused": 0} and summary["problems"] == []
    output = site / "public"
    stem = photo["sha256"][:32]
    widths = {int(m.group(1)) for name in media_files(output) if (m := re.fullmatch(r"\w+-(\d+)\.(?:jpg|webp)", name))}
    assert widths == {320, 640, 1024, 1600}
    for name in media_files(output):
        with Image.open(output / "media" / name) as image:
            assert image.width <= 1600 and not image.getexif(), name
    for ratio, (across, down) in {"16x9": (16, 9), "4x3": (4, 3), "1x1": (1, 1)}.items():
        with Image.open(output / "media" / f"{stem}-{ratio}.jpg") as image:
            assert abs(image.width / image.height - across / down) < 0.01 and image.width <= 1200
    root = page(output, row["slug"])
    figure = root.xpath("//figure[@class='story-photo']")[0]
    img = figure.xpath(".//img")[0]
    assert (img.get("width"), img.get("height")) == ("1024", "768")
    assert img.get("alt") == "Coast guard ships at sea" and img.get("loading") is None  # the lead is not lazy
    assert img.get("sizes") and figure.xpath(".//source[@type='image/webp']/@sizes")
    assert img.get("srcset").count("w,") == 3 and f"../../media/{stem}-1600.jpg 1600w" in img.get("srcset")
    assert " ".join(figure.xpath(".//figcaption")[0].text_content().split()) == (
        "Ships off Palawan. Photo: Juan Dela Cruz"
    )
    assert root.xpath("//meta[@property='og:image']/@content") == [f"https://balita.example.ph/media/{stem}-1600.jpg"]
    assert root.xpath("//meta[@property='og:image:width']/@content") == ["1600"]
    assert root.xpath("//meta[@property='og:image:height']/@content") == ["1200"]
    data = json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["image"] == [f"https://balita.example.ph/media/{stem}-{r}.jpg" for r in ("16x9", "4x3", "1x1")]
    for path in referenced(root):
        assert (output / "articles" / row["slug"] / path).resolve().is_file(), path


@pytest.mark.slow
def test_photos_are_not_rendered_again_and_unused_ones_leave(cli: Cli, site: Path) -> None:
    rows = published(cli)
    for number, row in enumerate(rows):
        attach_photo(cli, site, row["id"], make_photo(900, 600, seed=number), alt=f"Photo {number}")
    first = build(cli)
    assert first["photos"] == {"made": len(rows), "reused": 0}
    output = site / "public"
    before = media_files(output)
    again = build(cli)
    assert again["photos"] == {"made": 0, "reused": len(rows)} and again["written"] == 0
    cli.ok("edit", str(rows[1]["id"]), "--title", "A new headline")
    edited = build(cli)
    assert edited["photos"]["made"] == 0 and media_files(output) == before  # nothing encoded again
    store_raw(cli.db_url, rows[0]["id"], image_id=None)
    dropped = build(cli)
    gone = set(before) - set(media_files(output))
    assert len(gone) == 9 and dropped["removed"] >= 9  # 320, 640 and 900 px × 2 formats + 3 crops
    assert not page(output, rows[0]["slug"]).xpath("//figure")


@pytest.mark.slow
def test_only_the_first_photos_load_eagerly(cli: Cli, site: Path) -> None:
    for number, row in enumerate(published(cli)):
        attach_photo(cli, site, row["id"], make_photo(1200, 800, seed=number), alt=f"Photo {number}")
    for number in range(5):
        story = cli.new(f"Economy story {number}", "--status", "published", "--section", "Economy", "--body", "x",
                        "--at", f"2026-10-0{number + 1} 08:00")  # fmt: skip
        attach_photo(cli, site, story, make_photo(1200, 800, seed=number + 7), alt=f"Economy {number}")
    build(cli)
    output = site / "public"
    home = lxml.html.parse(str(output / "index.html")).getroot()
    lead = home.xpath("//article[contains(@class, 'lead-story')]//img")[0]
    assert lead.get("loading") is None and lead.get("fetchpriority") == "high"
    others = home.xpath("//img")[1:]
    assert others and all(img.get("loading") == "lazy" for img in others)
    listing = lxml.html.parse(str(output / "sections" / "economy" / "index.html")).getroot()
    loading = [img.get("loading") for img in listing.xpath("//ol[@class='entries']//img")]
    assert loading[:3] == [None, None, None] and set(loading[3:]) == {"lazy"}
    for path in (output / "index.html", output / "sections" / "economy" / "index.html"):
        root = lxml.html.parse(str(path)).getroot()
        for img in root.xpath("//img"):
            assert img.get("width") and img.get("height") and img.get("sizes")
        for name in referenced(root):
            assert (path.parent / name).resolve().is_file(), name


def test_a_transparent_png_keeps_its_transparency_and_feeds_get_a_jpeg(cli: Cli, site: Path) -> None:
    from balita_cli.config import Site
    from balita_cli.media.urls import photo_path

    row = published(cli)[0]
    photo = attach_photo(cli, site, row["id"], make_photo(800, 500, format="PNG", alpha=True), alt="A chart",
                         name="chart.png")  # fmt: skip
    build(cli)
    output = site / "public"
    img = page(output, row["slug"]).xpath("//figure//img")[0]
    assert img.get("src").endswith(".png") and ".png 800w" in img.get("srcset")
    record = {**photo, "format": "png", "id": photo["id"]}
    assert (output / photo_path(record)).is_file()  # the JPEG feeds link to (balita_cli.media.urls)
    assert Site().base_url
    rss = (output / "feed.xml").read_text(encoding="utf-8")
    for url in set(re.findall(r'url="https://balita\.example\.ph/(media/[^"]+)"', rss)):
        assert (output / url).is_file(), url


def test_hostile_descriptions_and_file_names_stay_text(cli: Cli, site: Path) -> None:
    row = published(cli)[0]
    attach_photo(
        cli, site, row["id"], make_photo(700, 500),
        alt='" onmouseover="alert(1)',
        caption="<script>alert(2)</script></figcaption><img src=x onerror=alert(3)>",
        credit='"><svg onload=alert(4)>',
        name='"><svg onload=alert(5)>.jpg',
    )  # fmt: skip
    build(cli)
    output = site / "public"
    for path in [output / "index.html", output / "articles" / row["slug"] / "index.html"]:
        root = lxml.html.parse(str(path)).getroot()
        assert not root.xpath("//script[not(@type='application/ld+json')]")
        assert not root.xpath("//@*[starts-with(name(), 'on')]"), path
        assert not root.xpath("//svg") and len(root.xpath("//img[@src='x']")) == 0
    root = page(output, row["slug"])
    assert root.xpath("//figure//img/@alt") == ['" onmouseover="alert(1)']
    caption = root.xpath("//figcaption")[0].text_content()
    assert "<script>alert(2)</script>" in caption and 'Photo: "><svg onload=alert(4)>' in caption
    json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)


def test_a_missing_original_is_reported_and_the_page_still_builds(cli: Cli, site: Path) -> None:
    row = published(cli)[0]
    photo = attach_photo(cli, site, row["id"], make_photo(640, 480), alt="Gone")
    for original in (site / "media" / "originals").rglob(f"{photo['sha256']}*"):
        original.unlink()
    result = cli.ok("build")
    assert f"photo {photo['id']}: its original is missing from the media folder" in result.stderr
    assert "Traceback" not in result.stderr
    root = page(site / "public", row["slug"])
    assert not root.xpath("//picture") and not root.xpath("//figure")


def test_the_preview_links_the_renditions_the_site_already_has(cli: Cli, site: Path) -> None:
    from balita_cli.cli.build import build_options, run_build
    from balita_cli.cli.state import AppState

    row = published(cli)[0]
    attach_photo(cli, site, row["id"], make_photo(1000, 700), alt="Linked")
    build(cli)
    state = AppState(db_option=cli.db_url)
    preview = site / "preview"
    report = run_build(state, build_options(state, preview, preview=True, search=False, photo_seed=site / "public"))
    assert report.photos == {"made": 0, "reused": 1}
    for name in media_files(site / "public"):
        assert (preview / "media" / name).read_bytes() == (site / "public" / "media" / name).read_bytes()
    assert media_files(preview).keys() == media_files(site / "public").keys()
