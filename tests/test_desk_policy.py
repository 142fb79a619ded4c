"""Attribution, the excerpt policy and the image rule, for ``balita fetch`` and ``import feed`` alike.

Every story from a source is credited to the source's name and links to the outlet's story; it
keeps at most ``--excerpt-words`` words of the outlet's text (cut at a sentence or paragraph
end), the full text only with ``--full-text``; only a real picture is its image. ``import feed``
reads the same way, RSS, Atom and JSON Feed, and fetches URLs through the same safe client.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from werkzeug import Response

from balita_cli.formats.readers.feed import Intake, story
from balita_cli.formats.readers.feed_parsing import Entry, parse_feed
from balita_cli.text.excerpt import count_words
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.feed_server import FeedSite, add_source, articles, fetch_json

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


def youtube_descriptions() -> dict[str, str]:
    """The ABS-CBN channel's entries: video link -> its description, as the corpus has them."""
    tree = etree.parse(str(corpora_path("feeds", "ph-news", "abscbnnews.xml")))
    found = {}
    for entry in tree.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href")
        found[link] = entry.findtext(f"{MEDIA}group/{MEDIA}description") or ""
    return found


def words(text: str) -> str:
    return " ".join(text.replace("…", " ").split())


def in_order(kept: str, outlet_text: str) -> bool:
    """Every sentence of ``kept`` is the outlet's, in the outlet's order, the first its opening (the
    channel's promotion between them left out)."""
    position = 0
    for number, sentence in enumerate(re.split(r"(?<=[.!?])\s+", kept)):
        found = outlet_text.find(sentence, position)
        if found < 0 or (number == 0 and found != 0):
            return False
        position = found + len(sentence)
    return True


def show_json(cli: Cli, article_id: int) -> dict[str, Any]:
    return dict(cli.json("show", str(article_id), "--format", "json"))


# ---------------------------------------------------------------- the excerpt policy


@pytest.mark.slow
@pytest.mark.parametrize("limit", [10, 40, 120])
def test_an_excerpted_story_keeps_at_most_n_words_of_the_outlet_and_the_credit(
    feed_site: FeedSite, cli: Cli, limit: int
) -> None:
    descriptions = youtube_descriptions()
    url = feed_site.put_corpus("/abscbn.xml", "feeds", "ph-news", "abscbnnews.xml")
    add_source(cli, "ABS-CBN News", url, "--excerpt-words", str(limit))
    created = fetch_json(cli)["ABS-CBN News"]["ids"]
    assert len(created) == 14

    for article_id in created:
        story_ = show_json(cli, article_id)
        outlet_text = words(descriptions[story_["source_url"]])
        kept = words(story_["body"])
        assert count_words(story_["body"]) <= limit, (article_id, story_["body"])
        assert in_order(kept, outlet_text), (kept, outlet_text[: len(kept) + 40])  # the outlet's, nothing added
        assert story_["word_count"] <= limit
        # Nothing else holds the outlet's words: the summary is derived from the excerpt.
        assert words(story_["summary"].removesuffix("…")) in kept
        assert (story_["subtitle"], story_["image_caption"], story_["image_alt"]) == ("", "", "")
        # ... plus the credit, on every output.
        assert story_["source_name"] == "ABS-CBN News"
        assert story_["source_url"] == story_["canonical_url"] and story_["source_url"] in descriptions
        assert f"Read more on ABS-CBN News: {story_['source_url']}" in cli.ok("show", str(article_id)).stdout
        # ... cut where a sentence or a paragraph of the outlet's ends.
        paragraphs = [words(part) for part in re.split(r"\n\s*\n", descriptions[story_["source_url"]])]
        whole = {" ".join(p for p in paragraphs[:n] if p) for n in range(1, len(paragraphs) + 1)}
        ending = story_["body"].rstrip()  # "…" only where the first paragraph has no sentence end early enough
        assert kept in whole or ending.endswith((".", "!", "?", "…", "”", '"', ")")), ending[-60:]


def test_the_full_text_only_with_full_text(feed_site: FeedSite, cli: Cli) -> None:
    descriptions = youtube_descriptions()
    url = feed_site.put_corpus("/abscbn.xml", "feeds", "ph-news", "abscbnnews.xml")
    add_source(cli, "ABS-CBN News", url, "--full-text")
    longest = max(descriptions, key=lambda link: len(descriptions[link].split()))
    assert len(descriptions[longest].split()) > 120

    fetch_json(cli)

    kept = next(a for a in articles(cli, "--fields", "source_url,body") if a["source_url"] == longest)
    assert words(kept["body"]) == words(descriptions[longest])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.text(min_size=0, max_size=400), min_size=1, max_size=8),
    limit=st.integers(min_value=1, max_value=200),
    as_html=st.booleans(),
)
def test_no_excerpt_holds_more_words_than_allowed(paragraphs: list[str], limit: int, as_html: bool) -> None:
    html = "".join(f"<p>{text}</p>" for text in paragraphs) if as_html else "\n\n".join(paragraphs)
    entry = Entry(key="k", title="Ulat", link="https://example.ph/a", html=html, summary=" ".join(paragraphs))
    record = story(entry, Intake(source_name="Rappler", excerpt_words=limit), "example.ph", "test")
    assert count_words(record["body"]) <= limit
    assert record["summary"] == ""
    assert record["source_name"] == "Rappler" and record["source_url"] == record["canonical_url"]


# ---------------------------------------------------------------- attribution and images


def test_a_youtube_channel_is_credited_to_the_source_and_its_thumbnail_is_the_image(
    feed_site: FeedSite, cli: Cli
) -> None:
    url = feed_site.put_corpus("/abscbn.xml", "feeds", "ph-news", "abscbnnews.xml")
    add_source(cli, "ABS-CBN News", url, "--section", "Balita", "--lang", "fil", "--tag", "TV Patrol")
    fetch_json(cli)
    stories = articles(cli)
    assert len(stories) == 14
    for item in stories:
        assert item["source_name"] == "ABS-CBN News"
        assert item["image_url"].startswith("https://i") and item["image_url"].endswith("/hqdefault.jpg")
        assert "youtube.com/v/" not in json.dumps(item)  # the Flash player is no image
        assert (item["section"], item["language"], item["status"]) == ("Balita", "fil", "review")
        assert "TV Patrol" in item["tags"]


def test_import_feed_credits_a_youtube_channel_by_its_name_not_youtube_com(cli: Cli) -> None:
    path = corpora_path("feeds", "ph-news", "abscbnnews.xml")
    cli.ok("import", "feed", str(path))
    stories = articles(cli)
    assert {item["source_name"] for item in stories} == {"ABS-CBN News"}
    assert all("ytimg.com" in item["image_url"] for item in stories)
    assert all(count_words(item["body"]) <= 120 for item in stories)


def test_a_feed_on_its_own_site_is_credited_to_its_host(cli: Cli) -> None:
    cli.ok("import", "feed", str(corpora_path("feeds", "ph-news", "gmanews.xml")))
    stories = articles(cli)
    assert {item["source_name"] for item in stories} == {"gmanetwork.com"}
    assert all(item["image_url"].startswith("https://images.gmanews.tv/") for item in stories)


def test_import_feed_with_a_sources_name_takes_its_policy_and_joins_its_stories(cli: Cli) -> None:
    path = corpora_path("feeds", "ph-news", "abscbnnews.xml")
    channel = "https://www.youtube.com/feeds/videos.xml?channel_id=UCE2606prvXQc_noEqKxVJXA"
    cli.ok("source", "add", "ABS-CBN News", channel, "--excerpt-words", "25", "--section", "Balita",
           "--tag", "Video", "--publish", "draft")  # fmt: skip
    summary = json.loads(
        cli.ok("import", "feed", str(path), "--source-name", "abs-cbn-news", "--format", "json").stdout
    )
    assert summary["created"] == 14
    stories = articles(cli)
    assert all(count_words(item["body"]) <= 25 for item in stories)
    assert {(item["source_name"], item["section"], item["status"]) for item in stories} == {
        ("ABS-CBN News", "Balita", "draft")}  # fmt: skip
    assert all("Video" in item["tags"] for item in stories)
    queue = cli.json("review", "--format", "json", "--peek")
    assert len(queue) == 14 and {item["source"] for item in queue} == {"ABS-CBN News"}
    listed = {row["name"]: row for row in cli.json("source", "list", "--format", "json")}
    assert listed["ABS-CBN News"]["stories_week"] == 14


# ---------------------------------------------------------------- JSON Feed


JSON_FEEDS = ["microblog.json", "podcast.json", "simple.json"]


@pytest.mark.slow
@pytest.mark.parametrize("name", JSON_FEEDS)
def test_json_feed_1_1_examples_import(cli: Cli, name: str) -> None:
    path = corpora_path("schemas", "jsonfeed", "test", "examples", "v1.1", name)
    document = json.loads(path.read_text())
    result = cli.ok("import", "feed", str(path), "--format", "json")
    assert json.loads(result.stdout)["created"] == len(document["items"])
    stories = {item["source_url"]: item for item in articles(cli)}
    for item in document["items"]:
        imported = stories[item["url"]]
        assert imported["external_id"] == f"feed:{item['id']}"
        assert imported["source_name"] == document["home_page_url"].split("/")[2].removeprefix("www.")
        assert imported["title"]  # untitled microblog posts are titled by their first words, with a note
        if "title" in item:
            assert imported["title"] == item["title"]
        else:
            assert "no title" in result.stderr
    assert json.loads(cli.ok("import", "feed", str(path), "--format", "json").stdout)["created"] == 0


def test_json_feed_1_0_with_author_dates_and_images(cli: Cli, tmp_path: Path) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Rappler", "home_page_url": "https://www.rappler.com/", "author": {"name": "Rappler Desk"},
        "items": [
            {"id": 101, "url": "https://www.rappler.com/nation/pharmally-report",
             "title": "Senate to release Pharmally report",
             "content_html": "<p>The Senate Blue Ribbon committee will release its partial report this week.</p>"
                             "<p>Senators said the report covers the pandemic supply deals.</p>",
             "image": "https://www.rappler.com/img/pharmally.jpg", "date_published": "2021-10-17T18:00:00+08:00",
             "tags": ["Senate", "Pharmally"]},
            {"id": "bad-date", "url": "https://www.rappler.com/x", "title": "X", "content_text": "Text.",
             "date_published": "yesterday-ish", "image": "javascript:alert(1)"},
            "not an item",
        ],
    }  # fmt: skip
    path = tmp_path / "rappler.json"
    path.write_text(json.dumps(feed))
    result = cli("import", "feed", str(path), "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["rejected"]) == (2, 1)
    stories = {item["external_id"]: item for item in articles(cli)}
    first = stories["feed:101"]
    assert (first["source_name"], first["authors"], first["image_url"]) == (
        "rappler.com", ["Rappler Desk"], "https://www.rappler.com/img/pharmally.jpg")  # fmt: skip
    assert first["published_at"] == "2021-10-17T10:00:00+00:00" and set(first["tags"]) == {"Senate", "Pharmally"}
    assert first["body"].split("\n\n")[0].startswith("The Senate Blue Ribbon committee")
    second = stories["feed:bad-date"]
    assert (second["image_url"], second["published_at"]) == ("", None)
    assert "date_published" in result.stderr and "an item is an object" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "not a feed"}', 'JSON, but not a JSON Feed (no "version"'),
        ('{"version": "https://jsonfeed.org/version/9"}', "is not a version balita reads"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": "many"}', 'without an "items" list'),
        ("[" * 100_000, "not valid JSON"),
        ('{"version": ', "not valid JSON"),
        ("<!DOCTYPE html><html><head><title>GMA</title></head></html>", "an HTML page, not a feed"),
        ("<html><body>hi</body></html>", "an HTML page, not a feed"),
        ("", "empty: not a feed"),
        ('<?xml version="1.0"?><note>hello</note>', "not an RSS, Atom or JSON feed"),
    ],
)
def test_what_is_not_a_feed_is_one_clear_error(cli: Cli, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(content)
    failed = cli.fails(["import", "feed", str(path)])
    assert failed.stderr.startswith(f"error: feed.xml: {message}") or message in failed.stderr, failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1


def test_a_json_feed_is_fetched_by_the_desk(feed_site: FeedSite, cli: Cli) -> None:
    path = corpora_path("schemas", "jsonfeed", "test", "examples", "v1.1", "microblog.json")
    url = feed_site.put("/feed.json", path.read_bytes(), '"j1"', content_type="application/feed+json")
    add_source(cli, "Microblog", url)
    run = fetch_json(cli)["Microblog"]
    assert (run["result"], run["created"]) == ("fetched", len(json.loads(path.read_text())["items"]))
    assert {item["source_name"] for item in articles(cli)} == {"Microblog"}
    assert fetch_json(cli, "microblog")["Microblog"]["result"] == "not modified"


# ---------------------------------------------------------------- import feed fetches safely


def test_import_feed_refuses_other_schemes_and_private_addresses(feed_site: FeedSite, cli: Cli) -> None:
    url = feed_site.put_corpus("/philstar.xml", "feeds", "ph-news", "philstar.xml")
    assert "scheme 'ftp' is not allowed" in cli.fails(["import", "feed", "ftp://example.ph/feed.xml"]).stderr
    assert "scheme 'file' is not allowed" in cli.fails(["import", "feed", "file:///etc/passwd"]).stderr
    assert "127.0.0.1 is a loopback address" in cli.fails(["import", "feed", url]).stderr
    assert feed_site.requests_for("/philstar.xml") == []

    # A source the desk follows with --allow-private lends its policy to the import...
    add_source(cli, "Philstar", url)
    moved = Response("", status=302, headers={"Location": "http://169.254.169.254/"})
    redirect = feed_site.route("/moved", lambda request: moved)
    refused = cli.fails(["import", "feed", redirect, "--source-name", "Philstar"]).stderr
    assert "redirected to http://169.254.169.254/: 169.254.169.254 is a link-local address" in refused  # ... not more
    summary = json.loads(cli.ok("import", "feed", url, "--source-name", "Philstar", "--format", "json").stdout)
    assert summary["created"] == 10
    assert {item["source_name"] for item in articles(cli)} == {"Philstar"}


def test_hostile_entries_are_cleaned_or_rejected_one_by_one(cli: Cli, tmp_path: Path) -> None:
    long_guid = "g" * 100_000
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://t.example.ph/</link>
<item><title>Escape &#27;]8;;https://evil.example&#27;\\ here</title><link>javascript:alert(1)</link>
<guid>{long_guid}</guid>
<description>&lt;p onclick="x()"&gt;Ok.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
<media:content xmlns:media="http://search.yahoo.com/mrss/" url="https://t.example.ph/v.swf"
 type="application/x-shockwave-flash"/></item>
<item><title></title><description></description><guid>empty</guid></item>
</channel></rss>"""
    path = tmp_path / "hostile.xml"
    path.write_text(feed)
    result = cli("import", "feed", str(path), "--format", "json")
    summary = json.loads(result.stdout)
    assert (summary["created"], summary["rejected"]) == (1, 1)
    (item,) = articles(cli)
    assert "\x1b" not in item["title"] and item["title"].startswith("Escape")
    assert item["source_url"] == "" and item["image_url"] == ""
    assert "<script" not in item["body"] and "onclick" not in item["body"] and "Ok." in item["body"]
    assert item["external_id"].startswith("feed:sha256:") and len(item["external_id"]) < 100
    assert json.loads(cli.ok("import", "feed", str(path), "--format", "json").stdout)["created"] == 0


def test_parse_feed_reads_the_corpora_feeds() -> None:
    for name, kind, count in (("philstar.xml", "rss", 10), ("gmanews.xml", "rss", 15), ("abscbnnews.xml", "atom", 14)):
        feed = parse_feed(corpora_path("feeds", "ph-news", name).read_bytes())
        assert (feed.kind, len(feed.entries)) == (kind, count)
        assert all(entry.key and entry.title and entry.link.startswith("https://") for entry in feed.entries)
    assert parse_feed(corpora_path("feeds", "ph-news", "abscbnnews.xml").read_bytes()).outlet == "ABS-CBN News"
