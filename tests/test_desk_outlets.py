"""What a video channel's feed brings to the desk, and what the desk keeps of it.

The real ABS-CBN News YouTube feed of the corpora: every description ends in the channel's
promotion (calls to subscribe, bit.ly lists, hashtag lines), every title in "| TV Patrol", and
the channel is every entry's author. A desk story keeps the news, drops the programme label when
the source says so, is credited to the outlet under the name the source gives, and its byline
is the outlet as an organisation on the page, in JSON-LD, ninjs and JSON Feed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from balita_cli.text.boilerplate import cut_suffix, is_boilerplate, news_text
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.feed_server import FeedSite, add_source, articles, fetch_json
from tests.helpers.site import build


def ninjs_validator(version: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    path = corpora_path("schemas", "ninjs", "specification", f"ninjs-schema_{version}.json")
    return Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())


PROMOTION = ("subscribe", "bit.ly", "#tvpatrol", "#abscbnnews", "click the link", "facebook.com", "iwant")


def abs_cbn(feed_site: FeedSite, cli: Cli, *extra: str) -> list[dict[str, Any]]:
    url = feed_site.put_corpus("/abscbn.xml", "feeds", "ph-news", "abscbnnews.xml")
    add_source(cli, "ABS-CBN", url, "--lang", "fil", *extra)
    fetch_json(cli)
    return articles(cli, "--fields", "id,slug,title,body,summary,authors,source_name,source_url")


# ---------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "paragraph",
    [
        "Subscribe to the ABS-CBN News channel! - http://bit.ly/TheABSCBNNews",
        "#TVPatrol #ABSCBNNews #LatestNews",
        "#TVPatrol\n#Covid19News\n#ABSCBNNews",
        "Visit our website at http://news.abs-cbn.com Facebook: https://www.facebook.com/abscbnNEWS "
        "Twitter: https://twitter.com/abscbnnews",
        "For more TV Patrol videos, click the link below: http://bit.ly/TVPatrol_2021",
        "http://bit.ly/TVPatrol_2021",
        "Subscribe to ABS-CBN News' YouTube channel for breaking news and updates on COVID-19. "
        "Don't forget to click the bell button to catch the latest videos from us.",
        "I-subscribe ang aming YouTube channel para sa mga balita: https://youtube.com/gmanews",
        "Follow us on Facebook and Twitter for the latest updates.",
    ],
)
def test_promotion_is_boilerplate(paragraph: str) -> None:
    assert is_boilerplate(paragraph)


@pytest.mark.parametrize(
    "paragraph",
    [
        "Nag-ala-'Squid Game' characters ang ilang climber ng pinakamataas na bundok sa Pilipinas.",
        "The DOH posted the full list of vaccination sites on its website, https://doh.gov.ph/vaccines, "
        "on Sunday, after complaints from local governments that the earlier list was out of date.",
        "Globe said its prepaid subscribers would get free data until Friday in the areas hit by the typhoon.",
        "The hashtag #NasaanAngPangulo trended on Twitter as the typhoon made landfall in Catanduanes.",
        "Visit the provincial capitol's command centre, the governor said, to claim relief goods.",
        "",
    ],
)
def test_news_is_not_boilerplate(paragraph: str) -> None:
    assert not is_boilerplate(paragraph)


def test_a_channels_stories_keep_the_news_and_drop_its_promotion(feed_site: FeedSite, cli: Cli) -> None:
    stories = abs_cbn(feed_site, cli)
    assert len(stories) == 14
    for story in stories:
        body = story["body"].casefold()
        assert not [word for word in PROMOTION if word in body], story["body"]
        assert story["body"].strip(), story["title"]
    squid = next(story for story in stories if "Squid Game" in story["title"])
    assert squid["body"] == "Nag-ala-'Squid Game' characters ang ilang climber ng pinakamataas na bundok sa Pilipinas."


# ---------------------------------------------------------------- the title suffix and the credit


def test_a_sources_title_suffix_is_cut_and_its_credit_named(feed_site: FeedSite, cli: Cli) -> None:
    stories = abs_cbn(feed_site, cli, "--title-suffix", "| TV Patrol", "--credit", "ABS-CBN News")
    titles = {story["title"] for story in stories}
    assert "'Squid Game' craze umabot hanggang tuktok ng Mount Apo" in titles
    assert not [title for title in titles if title.endswith("TV Patrol")]
    assert "TV Patrol Playback | October 17, 2021" in titles  # the label elsewhere stays
    assert {story["source_name"] for story in stories} == {"ABS-CBN News"}
    story = stories[0]
    assert f"Read more on ABS-CBN News: {story['source_url']}" in cli.ok("show", str(story["id"])).stdout

    shown = cli.json("source", "show", "abs-cbn", "--format", "json")
    assert (shown["title_suffix"], shown["credit"]) == ("| TV Patrol", "ABS-CBN News")
    cli.ok("source", "edit", "abs-cbn", "--credit", "", "--title-suffix", "")
    shown = cli.json("source", "show", "abs-cbn", "--format", "json")
    assert (shown["title_suffix"], shown["credit"]) == ("", "")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--credit", "x" * 201, "--credit is at most 200 characters, not 201"),
        ("--title-suffix", "| TV Patrol\x1b[2J", "--title-suffix cannot hold a control character"),
        ("--credit", "ABS-CBN\nNews", "--credit cannot hold a control character"),
        ("--credit", "\u2028", "--credit cannot hold a control character"),
        ("--title-suffix", " | — ", "--title-suffix needs a letter or a digit"),
    ],
)
def test_hostile_title_suffixes_and_credits_are_one_error(cli: Cli, option: str, value: str, message: str) -> None:
    result = cli.fails(["source", "add", "ABS-CBN", "https://www.youtube.com/feeds/videos.xml", option, value])
    assert result.stderr.startswith(f"error: {message}") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert cli.json("source", "list", "--format", "json") == []
    cli.ok("source", "add", "ABS-CBN", "https://www.youtube.com/feeds/videos.xml")
    cli.fails(["source", "edit", "abs-cbn", option, value])
    (kept,) = cli.json("source", "list", "--format", "json")
    assert (kept["title_suffix"], kept["credit"]) == ("", "")


@pytest.mark.parametrize(
    ("title", "suffix", "expected"),
    [
        ("Mga santo tampok sa exhibit | TV Patrol", "| TV Patrol", "Mga santo tampok sa exhibit"),
        ("Mga santo tampok sa exhibit  |  tv patrol ", "| TV Patrol", "Mga santo tampok sa exhibit"),
        ("Mga santo tampok sa exhibit - TV Patrol", "TV Patrol", "Mga santo tampok sa exhibit"),
        ("| TV Patrol", "| TV Patrol", "| TV Patrol"),  # nothing would be left
        ("TV Patrol", "TV Patrol", "TV Patrol"),
        ("TV Patrol Playback | October 17", "| TV Patrol", "TV Patrol Playback | October 17"),
        ("Anything", "", "Anything"),
    ],
)
def test_cut_suffix(title: str, suffix: str, expected: str) -> None:
    assert cut_suffix(title, suffix) == expected


# ---------------------------------------------------------------- the byline is the outlet


def test_a_desk_storys_byline_is_the_outlet_as_an_organisation(feed_site: FeedSite, cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--database", cli.db_url)
    stories = abs_cbn(feed_site, cli, "--credit", "ABS-CBN News", "--publish", "auto")
    assert all(story["authors"] == [] for story in stories)  # the channel is no person
    story = next(story for story in stories if "Squid Game" in story["title"])
    assert "Ni ABS-CBN" not in cli.ok("show", str(story["id"])).stdout
    assert cli.json("list", "--format", "json", "--fields", "id", "--author", "ABS-CBN News") == []

    build(cli)
    root = lxml.html.parse(str(tmp_path / "public" / "articles" / story["slug"] / "index.html")).getroot()
    byline = root.xpath("//p[contains(@class, 'byline')]")
    assert [" ".join(node.text_content().split()) for node in byline] == ["Mula sa ABS-CBN News"]
    assert byline[0].xpath(".//a/@href") == [story["source_url"]]
    assert not root.xpath("//a[@rel='author']")
    data = json.loads(root.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["author"] == [
        {"@type": "NewsMediaOrganization", "name": "ABS-CBN News", "url": "https://www.youtube.com/"}
    ]

    ninjs = next(item for item in cli.json("export", "ninjs") if item["headlines"][0]["value"] == story["title"])
    assert ninjs["by"] == "ABS-CBN News"
    assert ninjs["organisations"] == [{"name": "ABS-CBN News", "rel": "author"}]
    assert "people" not in ninjs
    for version in ("3.1", "2.1"):
        for document in cli.json("export", "ninjs", "--ninjs-version", version):
            errors = [error.message for error in ninjs_validator(version).iter_errors(document)]
            assert errors == [], errors
    feed = cli.json("export", "jsonfeed")
    item = next(item for item in feed["items"] if item.get("external_url") == story["source_url"])
    assert item["authors"] == [{"name": "ABS-CBN News", "url": story["source_url"]}]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Tutukan ang mga pinakahuling istorya sa nakalipas na 24 oras. "
            "For more COVID-19 news click here: http://bit.ly/Covid-19ABSCBNNews",
            "Tutukan ang mga pinakahuling istorya sa nakalipas na 24 oras.",
        ),
        ("Bumaba ang presyo ng gulay. #TVPatrol #ABSCBNNews", "Bumaba ang presyo ng gulay."),
        ("Bumaba ang presyo ng gulay. Mura na ang repolyo.", "Bumaba ang presyo ng gulay. Mura na ang repolyo."),
        ("Subscribe to the ABS-CBN News channel! - http://bit.ly/TheABSCBNNews", ""),
    ],
)
def test_news_text_cuts_the_promotion_a_paragraph_ends_with(paragraph: str, expected: str) -> None:
    assert news_text(paragraph) == expected
