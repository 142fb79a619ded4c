"""The outside checkers themselves: each can fail on a bad input and pass on a good one.

Later tests lean on them (`assert nu_errors(pages) == []`), so a checker that cannot fail, or
that fails on good output, would make those tests lie. The last test runs every checker over
a site that balita builds today, to show they read real output.
"""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from tests.checkers import (
    ALL_IMPACTS,
    Browser,
    axe_violations,
    browser,
    describe_violations,
    feed_problems,
    feed_report,
    jsonfeed_problems,
    nu_errors,
    nu_messages,
    nu_warnings,
    parse_with_second_reader,
    serve_directory,
)
from tests.checkers.feeds import is_rfc3339, rfc822_problems
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path

pytestmark = pytest.mark.slow  # the fast lane, pytest -m "not slow", leaves these out

VALID_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Balita</title></head>
<body>
<header><nav><a href="/politics/">Politics</a></nav></header>
<main>
<h1>Peso firms</h1>
<p>Posted <time datetime="2026-11-27T10:00:00.123+08:00">27 November 2026</time>
in <a rel="tag" href="/tags/peso/">Peso</a>.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A chart of the peso" width="1" height="1">
</main>
<footer><nav aria-label="About"><a href="/about/">About</a></nav></footer>
</body>
</html>
"""
BAD_PAGE = VALID_PAGE.replace(
    '<time datetime="2026-11-27T10:00:00.123+08:00">', '<time datetime="2026-11-27T10:00:00.123456+08:00">'
).replace('<a rel="tag" href="/tags/peso/">', '<a rel="tag">')
WARNING_PAGE = VALID_PAGE.replace("</main>", "<section><p>No heading here.</p></section>\n</main>")
AXE_BAD_PAGE = VALID_PAGE.replace('<nav aria-label="About">', "<nav>").replace(' alt="A chart of the peso"', "")
CONSOLE_BAD_PAGE = VALID_PAGE.replace(
    "</head>",
    '<link rel="stylesheet" href="/missing.css"><script src="https://cdn.example.com/x.js"></script>'
    "<script>undefinedFunction()</script></head>",
)
FRACTION_ERROR = "A fraction of a second must be one, two, or three digits"
HREF_ERROR = "Element “a” is missing required attribute “href”."


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the Nu HTML Checker


def test_nu_passes_a_valid_page_and_fails_a_bad_one_in_one_run(tmp_path: Path) -> None:
    good = write(tmp_path, "good.html", VALID_PAGE)
    bad = write(tmp_path, "bad/index.html", BAD_PAGE)
    errors = nu_errors([good, bad])
    assert [(e.file, e.line) for e in errors] == [(bad, 7), (bad, 8)], "\n".join(map(str, errors))
    assert FRACTION_ERROR in errors[0].message and "123456" in errors[0].message
    assert errors[1].message == HREF_ERROR
    assert str(errors[1]).startswith(f"{bad}:8:4: error: ")
    assert nu_errors([good]) == []


def test_nu_warnings_are_apart_from_errors_and_ignore_drops_messages(tmp_path: Path) -> None:
    page = write(tmp_path, "warning.html", WARNING_PAGE)
    bad = write(tmp_path, "bad.html", BAD_PAGE)
    warnings = nu_warnings([page, bad])
    assert [(w.file, w.type, w.message.split(".")[0]) for w in warnings] == [(page, "warning", "Section lacks heading")]
    assert nu_warnings([page], ignore=[r"^Section lacks heading"]) == []
    assert [e.message for e in nu_errors([bad, page], ignore=["fraction of a second"])] == [HREF_ERROR]


def test_nu_checks_css_and_refuses_an_empty_or_missing_list(tmp_path: Path) -> None:
    css = write(tmp_path, "style.css", "body { colr: red; margin: 0 }\n")
    assert [m.type for m in nu_messages([css])] == ["error"]
    with pytest.raises(ValueError, match="no files"):
        nu_errors([])
    with pytest.raises(FileNotFoundError):
        nu_errors([tmp_path / "absent.html"])


# ---------------------------------------------------------------- Chromium, axe-core, the HTTP server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as shared:
        yield shared


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    write(tmp_path / "site", "index.html", VALID_PAGE)
    write(tmp_path / "site", "bad/index.html", AXE_BAD_PAGE)
    write(tmp_path / "site", "console/index.html", CONSOLE_BAD_PAGE)
    with serve_directory(tmp_path / "site") as base:
        yield base


def test_serve_directory_serves_files_and_stops(tmp_path: Path) -> None:
    write(tmp_path, "articles/a/index.html", VALID_PAGE)
    with serve_directory(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base}/articles/a/", timeout=10) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/html"
            assert b"Peso firms" in response.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/nothing/", timeout=10)
        assert missing.value.code == 404
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/articles/a/", timeout=5)


def test_axe_reports_an_image_without_alt_and_an_unlabelled_second_nav(chromium: Browser, site: str) -> None:
    serious = chromium.axe(f"{site}/bad/")
    assert [(v["id"], v["impact"]) for v in serious] == [("image-alt", "critical")], describe_violations(serious)
    assert serious[0]["nodes"][0]["html"].startswith("<img")
    everything = chromium.axe(f"{site}/bad/", impacts=ALL_IMPACTS)
    ids = {v["id"] for v in everything}
    assert {"image-alt", "landmark-unique"} <= ids, describe_violations(everything)
    landmark = next(v for v in everything if v["id"] == "landmark-unique")
    assert landmark["impact"] == "moderate" and all(n["html"].startswith("<nav>") for n in landmark["nodes"])


def test_axe_passes_a_clean_page(chromium: Browser, site: str) -> None:
    violations = chromium.axe(f"{site}/", impacts=None)
    assert violations == [], describe_violations(violations)


def test_axe_violations_alone_and_on_a_file_url(tmp_path: Path) -> None:
    page = write(tmp_path, "bad.html", AXE_BAD_PAGE)
    assert [v["id"] for v in axe_violations(page.as_uri())] == ["image-alt"]


def test_console_errors_catch_exceptions_missing_files_and_outside_requests(chromium: Browser, site: str) -> None:
    assert chromium.console_errors(f"{site}/") == []
    errors = chromium.console_errors(f"{site}/console/")
    joined = "\n".join(errors)
    assert "uncaught exception: " in joined and "undefinedFunction" in joined, joined
    assert f"HTTP 404: {site}/missing.css" in errors, joined
    assert "blocked outside request: https://cdn.example.com/x.js" in errors, joined


def test_evaluate_and_screenshot(chromium: Browser, site: str, tmp_path: Path) -> None:
    assert chromium.evaluate(f"{site}/", "document.querySelector('h1').textContent") == "Peso firms"
    assert chromium.evaluate(f"{site}/", "(n) => n * 2", 21) == 42
    shot = chromium.screenshot(f"{site}/", tmp_path / "narrow.png", 360, 640, full_page=False)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (360, 640)


# ---------------------------------------------------------------- RSS and Atom

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Balita</title>
<link>https://balita.example.ph/</link>
<description>News from the Philippines</description>
<language>fil</language>
<atom:link href="https://balita.example.ph/feed.xml" rel="self" type="application/rss+xml"/>
<item>
  <title>Peso firms &amp; stocks rise</title>
  <link>https://balita.example.ph/articles/peso/</link>
  <guid isPermaLink="false">tag:balita.example.ph,2026-11-27:article:1</guid>
  <pubDate>Fri, 27 Nov 2026 10:00:00 +0800</pubDate>
  <dc:creator>Maria Santos</dc:creator>
  <description>The peso &lt;em&gt;firmed&lt;/em&gt;.</description>
  <content:encoded><![CDATA[<p>See <a href="https://balita.example.ph/tags/peso/">peso</a>.</p>]]></content:encoded>
</item>
</channel>
</rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fil">
<id>https://balita.example.ph/</id>
<title type="text">Balita</title>
<updated>2026-11-27T02:00:00.531451Z</updated>
<link rel="self" type="application/atom+xml" href="https://balita.example.ph/atom.xml"/>
<link rel="alternate" type="text/html" href="https://balita.example.ph/"/>
<author><name>Balita</name><email>editors@balita.example.ph</email></author>
<entry>
  <id>tag:balita.example.ph,2026-11-27:article:1</id>
  <title type="text">Peso firms &amp; stocks rise</title>
  <link rel="alternate" type="text/html" href="https://balita.example.ph/articles/peso/"/>
  <published>2026-11-27T10:00:00+08:00</published>
  <updated>2026-11-27T10:00:00+08:00</updated>
  <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The peso <em>firmed</em>.</div></summary>
  <content type="html">&lt;p&gt;See &lt;a href="https://balita.example.ph/tags/peso/"&gt;peso&lt;/a&gt;.&lt;/p&gt;</content>
</entry>
</feed>
"""


def test_good_feeds_have_no_problems(tmp_path: Path) -> None:
    assert feed_problems(RSS.encode(), "rss") == []
    path = write(tmp_path, "atom.xml", ATOM)
    assert feed_problems(path, "atom") == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("Fri, 27 Nov 2026 10:00:00 +0800", "2026-11-27T10:00:00+08:00", "InvalidRFC2822Date"),
        ("Fri, 27 Nov 2026 10:00:00 +0800", "Fri, 31 Nov 2026 10:00:00 +0800", "InvalidRFC2822Date"),
        ("Fri, 27 Nov 2026 10:00:00 +0800", "Mon, 27 Nov 2026 10:00:00 +0800", "IncorrectDOW"),
        ("Fri, 27 Nov 2026 10:00:00 +0800", "Fri, 27 Nov 26 10:00:00 +0800", "ProblematicalRFC822Date"),
        ('<guid isPermaLink="false">', "<guid>", "InvalidHttpGUID"),
        ('<guid isPermaLink="false">', '<guid isPermaLink="yes">', "InvalidBooleanAttribute"),
        ('<atom:link href="https://balita.example.ph/feed.xml" rel="self" type="application/rss+xml"/>', "",
         "MissingAtomSelfLink"),
        ('href="https://balita.example.ph/tags/peso/"', 'href="/tags/peso/"', "ContainsRelRef"),
        ("&lt;em&gt;firmed&lt;/em&gt;", "&lt;script&gt;x()&lt;/script&gt;", "SecurityRisk"),
        ("Peso firms &amp; stocks rise", "Peso firms &amp;amp; stocks rise", "ContainsHTML"),
        ("Peso firms &amp; stocks rise", "Peso &lt;b&gt;firms&lt;/b&gt;", "ContainsHTML"),
        ("<link>https://balita.example.ph/articles/peso/</link>", "<link>/articles/peso/</link>", "InvalidFullLink"),
        ("<title>Balita</title>", "", "MissingElement"),
        ("<language>fil</language>", "<language>fil</language><language>en</language>", "DuplicateElement"),
        ("<language>fil</language>", "<language>Filipino language</language>", "InvalidLanguage"),
        ("<dc:creator>Maria Santos</dc:creator>", "<author>Maria Santos</author>", "InvalidContact"),
        ("<dc:creator>Maria Santos</dc:creator>", "<updated>2026</updated>", "UndefinedElement"),
        ("</item>", "</item><item><title>Again</title><guid isPermaLink=\"false\">"
         "tag:balita.example.ph,2026-11-27:article:1</guid></item>", "DuplicateValue"),
        ("<title>Peso firms &amp; stocks rise</title>", "<title>Peso firms & stocks</title>", "SAXError"),
    ],
)  # fmt: skip
def test_rss_checker_flags(old: str, new: str, code: str) -> None:
    assert old in RSS
    problems = feed_report(RSS.replace(old, new, 1).encode(), "rss")
    assert code in {p.code for p in problems}, problems
    assert all(p.line for p in problems if p.code != "MissingAtomSelfLink"), problems


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("<updated>2026-11-27T10:00:00+08:00</updated>", "<updated>2026-11-27 10:00:00</updated>",
         "InvalidRFC3339Date"),
        ("<updated>2026-11-27T10:00:00+08:00</updated>", "<updated>2026-11-27t10:00:00z</updated>",
         "InvalidRFC3339Date"),
        ('<link rel="self" type="application/atom+xml" href="https://balita.example.ph/atom.xml"/>', "", "MissingSelf"),
        ("<author><name>Balita</name><email>editors@balita.example.ph</email></author>", "", "MissingElement"),
        ("<email>editors@balita.example.ph</email>", "<email>editors</email>", "InvalidContact"),
        ('<title type="text">Peso firms &amp; stocks rise</title>',
         '<title type="text">&lt;b&gt;Peso&lt;/b&gt;</title>', "ContainsUndeclaredHTML"),
        ('<div xmlns="http://www.w3.org/1999/xhtml">The peso <em>firmed</em>.</div>', "The peso firmed.",
         "MissingXhtmlDiv"),
        ("tag:balita.example.ph,2026-11-27:article:1", "tag:balita.example.ph:article:1", "InvalidTAG"),
        ("<id>https://balita.example.ph/</id>", "<id>balita</id>", "InvalidURI"),
        ("</entry>", "</entry><entry><id>tag:balita.example.ph,2026-11-27:article:1</id><title>x</title>"
         '<link href="https://balita.example.ph/x/"/><updated>2026-11-27T10:00:00+08:00</updated></entry>',
         "DuplicateEntries"),
        ('<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">The peso <em>firmed</em>.</div></summary>',
         '<content type="text" src="https://balita.example.ph/x"/>', "MissingSummary"),
        ('href="https://balita.example.ph/tags/peso/"', 'href="../tags/peso/"', "ContainsRelRef"),
        ('<link rel="alternate" type="text/html" href="https://balita.example.ph/articles/peso/"/>', "",
         "DuplicateAtomLink"),
        ("<entry>", "<entry><rating>5</rating>", "UndefinedElement"),
    ],
)  # fmt: skip
def test_atom_checker_flags(old: str, new: str, code: str) -> None:
    assert old in ATOM
    feed = ATOM.replace(old, new, 1)
    if code == "DuplicateAtomLink":  # the entry keeps one alternate link; the feed gets two alike
        feed = feed.replace(
            "<author>", '<link rel="alternate" type="text/html" href="https://balita.example.ph/"/><author>'
        )
    problems = feed_report(feed.encode(), "atom")
    assert code in {p.code for p in problems}, problems


def test_the_wrong_kind_of_feed_is_an_error() -> None:
    assert any("root is feed" in p or "root is <rss>" in p for p in feed_problems(ATOM.encode(), "rss"))
    assert feed_problems(RSS.encode(), "atom", warnings=False) != []


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("Fri, 27 Nov 2026 10:00:00 +0800", []),
        ("27 Nov 2026 10:00 GMT", []),
        ("Sat, 29 Feb 2020 23:59:60 -0000", []),
        ("Fri, 27 Nov 2026 10:00:00", ["InvalidRFC2822Date"]),
        ("Fri, 27 nov 2026 10:00:00 +0800", ["InvalidRFC2822Date"]),
        ("Fri, 27 Nov 2026 24:00:00 +0800", ["InvalidRFC2822Date"]),
        ("Fri, 29 Feb 2026 10:00:00 +0800", ["InvalidRFC2822Date"]),
        ("Fri, 27 Nov 2026 10:00:00 +0860", ["InvalidRFC2822Date"]),
        ("Fri, 27 Nov 2026 10:00:00 Z", ["ProblematicalRFC822Date"]),
        ("Thu, 27 Nov 2026 10:00:00 +0800", ["IncorrectDOW"]),
    ],
)
def test_rfc822_dates(value: str, codes: list[str]) -> None:
    assert [code for _, code, _ in rfc822_problems(value)] == codes


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-11-27T10:00:00Z", True),
        ("2026-11-27T10:00:00.123456+08:00", True),
        ("2026-11-27T10:00:00", False),
        ("2026-02-30T10:00:00Z", False),
        ("2026-11-27T10:00:00+0800", False),
    ],
)
def test_rfc3339_dates(value: str, ok: bool) -> None:
    assert is_rfc3339(value) is ok


# ---------------------------------------------------------------- JSON Feed and a second reader

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Balita",
    "home_page_url": "https://balita.example.ph/",
    "feed_url": "https://balita.example.ph/feed.json",
    "items": [
        {
            "id": "tag:balita.example.ph,2026-11-27:article:1",
            "url": "https://balita.example.ph/articles/peso/",
            "title": "Peso firms & stocks rise",
            "content_html": "<p>The peso firmed.</p>",
            "date_published": "2026-11-27T10:00:00+08:00",
        }
    ],
}


def test_jsonfeed_schema_passes_good_feeds_and_fails_bad_ones() -> None:
    assert jsonfeed_problems(JSON_FEED) == []
    assert jsonfeed_problems(corpora_path("schemas", "jsonfeed", "test", "examples", "v1.1", "simple.json")) == []
    no_version = {key: value for key, value in JSON_FEED.items() if key != "version"}
    assert jsonfeed_problems(json.dumps(no_version)) == ["(root): 'version' is a required property"]
    bad_date = json.loads(json.dumps(JSON_FEED))
    bad_date["items"][0]["date_published"] = "27 Nov 2026"
    bad_date["items"].append(bad_date["items"][0])
    problems = jsonfeed_problems(json.dumps(bad_date).encode())
    assert "items/0/date_published: '27 Nov 2026' is not a 'date-time'" in problems, problems
    assert any("is used by 2 items" in p for p in problems), problems
    assert jsonfeed_problems(b"{not json") == [
        "(document): not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    ]


@pytest.mark.parametrize(("kind", "text"), [("rss", RSS), ("atom", ATOM), ("json", json.dumps(JSON_FEED))])
def test_second_reader_agrees_with_feedparser(kind: str, text: str) -> None:
    assert kind in ("rss", "atom", "json")
    entries = parse_with_second_reader(text.encode(), kind)  # type: ignore[arg-type]
    assert entries == [("Peso firms & stocks rise", "https://balita.example.ph/articles/peso/")]
    if kind == "json":  # feedparser 6 reads no JSON Feed: the document itself is the reference
        assert [(i["title"], i["url"]) for i in json.loads(text)["items"]] == entries
    else:
        assert [(e.title, e.link) for e in feedparser.parse(text.encode()).entries] == entries
    with pytest.raises(AssertionError, match="looks like"):
        parse_with_second_reader(text.encode(), "atom" if kind == "rss" else "rss")


# ---------------------------------------------------------------- a site balita builds today


@pytest.mark.slow
def test_every_checker_reads_a_real_build(cli: Cli, tmp_path: Path) -> None:
    """The checkers run on real output. What they find there is balita's to fix, not asserted here."""
    cli.ok("init", "--demo", "--database", cli.db_url)
    cli.ok("build")
    public = tmp_path / "public"
    pages = sorted(public.rglob("*.html"))
    assert len(pages) > 20
    messages = nu_messages([*pages, public / "style.css"])
    assert {m.file for m in messages} <= {*pages, public / "style.css"}
    assert not [m for m in messages if "could not read" in m.message]

    for kind, name in (("rss", "feed.xml"), ("atom", "atom.xml")):
        feed_report(public / name, kind)  # type: ignore[arg-type]
        data = (public / name).read_bytes()
        ours = [(e.title, e.link) for e in feedparser.parse(data).entries]
        assert parse_with_second_reader(data, kind) == ours != []  # type: ignore[arg-type]
    jsonfeed_problems(public / "feed.json")

    articles = sorted(p for p in pages if p.parent.parent.name == "articles")
    sample = [public / "index.html", *articles[:3], *sorted(public.glob("tags/*/index.html"))[:1]]
    with serve_directory(public) as base, browser() as chromium:
        for page in sample:
            url = f"{base}/{page.parent.relative_to(public).as_posix()}/".replace("/./", "/")
            assert chromium.console_errors(url) == [], url
            assert isinstance(chromium.axe(url, impacts=None), list)
            assert chromium.evaluate(url, "document.documentElement.lang") in ("en", "fil", "tl")
