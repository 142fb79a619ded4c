"""``source add --keep-photos``: a source's images fetched into the media library as ``balita fetch``
files its stories, through the real CLI against a real HTTP server on 127.0.0.1.

The image is fetched as ``balita media add URL`` fetches one; the built article page then shows the
library's renditions, not the outlet's file. An image that is missing, too large or not an image
leaves the story its link and the run one warning line, and never costs the story.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from werkzeug import Response

from tests.helpers.cli import Cli
from tests.helpers.feed_server import FeedSite, add_source, articles, fetch_json
from tests.helpers.site import build, make_photo, page

MB = 1024 * 1024
KEPT_WARNING = "its image stays linked at the outlet"


def feed(site: FeedSite, images: dict[str, str]) -> bytes:
    """An RSS feed of one story per title, each with ``media:content`` naming its image (a path on
    ``site``, or any other address as it is)."""
    items = "".join(
        f"""<item><title>{title}</title><link>https://outlet.example.ph/{number}</link><guid>story-{number}</guid>
<pubDate>Mon, 07 Dec 2026 0{number}:00:00 +0800</pubDate>
<description>Ang balita tungkol sa {title.lower()}, ayon sa mga opisyal ng lungsod.</description>
<media:content url="{site.url(path) if path.startswith("/") else path}" medium="image"/></item>"""
        for number, (title, path) in enumerate(images.items(), start=1)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>Outlet</title><link>https://outlet.example.ph/</link>{items}</channel></rss>"
    ).encode()


def stream_of(size: int, release: threading.Event) -> Response:
    """An "image" larger than the library takes, streamed (stopped when the test ends)."""
    chunk = b"\xff" * (256 * 1024)

    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent < size and not release.is_set():
            sent += len(chunk)
            yield chunk

    return Response(chunks(), content_type="image/jpeg")


def by_title(cli: Cli) -> dict[str, dict[str, Any]]:
    return {item["title"]: item for item in articles(cli, "--fields", "id,title,slug,image_url,photo")}


def test_a_kept_image_becomes_a_library_photo_and_a_failed_one_stays_linked(
    feed_site: FeedSite, cli: Cli, tmp_path: Path
) -> None:
    photo = make_photo(1200, 800, seed=3)
    feed_site.route("/photo.jpg", lambda request: Response(photo, content_type="image/jpeg"))
    feed_site.route("/page.jpg", lambda request: Response("<html>login</html>", content_type="text/html"))
    feed_site.route("/huge.jpg", lambda request: stream_of(41 * MB, feed_site.release))
    images = {"Baha sa Maynila": "/photo.jpg", "Wala": "/gone.jpg", "Pahina": "/page.jpg", "Malaki": "/huge.jpg"}
    url = feed_site.put("/feed.xml", feed(feed_site, images), '"v1"')
    add_source(cli, "Outlet", url, "--keep-photos", "--publish", "auto", "--credit", "Outlet News")

    result = cli("fetch", "--format", "json")

    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if KEPT_WARNING in line]
    assert len(warnings) == 3, result.stderr
    assert any("404" in line for line in warnings)
    assert any("text/html" in line for line in warnings)
    assert any("40 MB" in line or "larger" in line for line in warnings), warnings
    stories = by_title(cli)
    assert len(stories) == 4  # no story is lost to its image
    kept = stories["Baha sa Maynila"]
    assert kept["image_url"] == ""
    assert (kept["photo"]["credit"], kept["photo"]["alt"]) == ("Outlet News", "Baha sa Maynila")
    assert (kept["photo"]["width"], kept["photo"]["height"]) == (1200, 800)
    assert {stories[title]["image_url"] for title in ("Wala", "Pahina", "Malaki")} == {
        feed_site.url(path) for path in ("/gone.jpg", "/page.jpg", "/huge.jpg")
    }
    (library,) = cli.json("media", "list", "--format", "json")
    assert library["source_url"] == feed_site.url("/photo.jpg")

    output = tmp_path / "public"
    build(cli, "-o", str(output))
    shown = page(output, kept["slug"])
    sources = [*shown.xpath("//img/@src"), *shown.xpath("//img/@srcset"), *shown.xpath("//source/@srcset")]
    assert sources and all("127.0.0.1" not in value for value in sources), sources
    assert any(library["sha256"][:32] in value for value in sources), sources
    folder = output / "articles" / kept["slug"]
    served = [(folder / value).resolve() for value in shown.xpath("//img/@src")]
    assert all(path.is_file() for path in served), served
    linked = page(output, stories["Wala"]["slug"]).xpath("//img/@src")
    assert linked == [feed_site.url("/gone.jpg")]


def test_a_source_that_does_not_keep_photos_never_fetches_them(feed_site: FeedSite, cli: Cli) -> None:
    feed_site.route("/photo.jpg", lambda request: Response(make_photo(400, 300), content_type="image/jpeg"))
    url = feed_site.put("/feed.xml", feed(feed_site, {"Ulan": "/photo.jpg"}), '"v1"')
    add_source(cli, "Outlet", url)

    assert fetch_json(cli)["Outlet"]["created"] == 1

    assert [path for path, _etag, _headers in feed_site.log] == ["/feed.xml"]
    assert by_title(cli)["Ulan"]["image_url"] == feed_site.url("/photo.jpg")
    assert cli.json("media", "list", "--format", "json") == []


def test_keep_photos_is_a_setting_of_the_source(feed_site: FeedSite, cli: Cli) -> None:
    add_source(cli, "Outlet", feed_site.put("/feed.xml", b"<rss/>", '"v1"'))
    assert "photos:" not in cli.ok("source", "show", "outlet").stdout

    cli.ok("source", "edit", "outlet", "--keep-photos")
    assert "photos: kept in the media library" in cli.ok("source", "show", "outlet").stdout
    cli.ok("source", "edit", "outlet", "--no-keep-photos")
    assert "photos:" not in cli.ok("source", "show", "outlet").stdout


def test_an_image_is_fetched_under_the_sources_address_policy(feed_site: FeedSite, cli: Cli) -> None:
    other_port = f"http://127.0.0.1:{feed_site.server.port + 1}/photo.jpg"
    feed_site.route("/port.jpg", lambda request: Response("", status=302, headers={"Location": other_port}))
    metadata = "http://169.254.169.254/latest/meta-data/"
    feed_site.route("/cloud.jpg", lambda request: Response("", status=302, headers={"Location": metadata}))
    images = {"Ibang port": "/port.jpg", "Metadata": "/cloud.jpg", "Hindi URL": "javascript:alert(1)"}
    url = feed_site.put("/feed.xml", feed(feed_site, images), '"v1"')
    add_source(cli, "Outlet", url, "--keep-photos")

    result = cli("fetch", "--format", "json")

    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if KEPT_WARNING in line]
    assert len(warnings) == 2, result.stderr  # the javascript: URL never became the story's image
    assert any("followed on its own host only" in line for line in warnings), warnings
    assert any("169.254.169.254 is a link-local address" in line for line in warnings), warnings
    stories = by_title(cli)
    assert len(stories) == 3 and stories["Hindi URL"]["image_url"] == ""
    assert stories["Metadata"]["image_url"] == feed_site.url("/cloud.jpg")
    assert cli.json("media", "list", "--format", "json") == []
