"""balita export: every format read back by a real reader or validated by its official schema."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from defusedxml import ElementTree

from balita_cli import console
from balita_cli.config import Site
from balita_cli.errors import InvalidInput
from balita_cli.formats import FORMAT_NAMES, get_writer
from balita_cli.schema import RECORD_FIELDS
from tests.helpers.archive import Archive, shared_archive
from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.database import store_raw
from tests.helpers.hostile_html import assert_harmless
from tests.helpers.programs import needs_program
from tests.helpers.records import Stories, export

SECRET_NOTE = "SECRET-EDITOR-NOTE"
HOSTILE_BODY = (
    "Intro <script>alert('x')</script> text.\n\n"
    '<img src="x.png" onerror="alert(1)"> and <a href="javascript:alert(2)">a link</a> '
    'and [md link](javascript:alert(3)) and <a href="data:text/html,<script>x</script>">d</a>\n\n'
    "<div><b>unclosed tag\x01 with control\x0b characters\x7f"
)
HTML_FORMATS = ("rss", "atom", "jsonfeed", "ninjs", "wxr")


def fill_public_cases(cli: Cli) -> Stories:
    """A small archive covering every case a public format must treat differently."""
    english = cli.new(
        "Senate passes the 2027 budget", "--status", "published", "--section", "Politics",
        "--tag", "Senate", "--tag", "Budget", "--author", "Maria Santos", "--author", "Jose Cruz",
        "--body", "The **Senate** approved the budget.\n\nA second paragraph.",
        "--source-name", "Rappler", "--source-url", "https://www.rappler.com/nation/budget-2027",
        "--dateline", "MANILA", "--image-url", "https://img.example.ph/senate.jpg",
        "--image-caption", "The Senate floor", "--note", SECRET_NOTE, "--subtitle", "A record sum",
    )  # fmt: skip
    cli.ok("correct", str(english), "An earlier version misnamed the committee chair.")
    filipino = cli.new(
        "Bagong teleserye, nangunguna sa ratings", "--status", "published", "--lang", "fil",
        "--section", "Entertainment", "--body", "Nangunguna ang bagong teleserye.",
    )  # fmt: skip
    draft = cli.new("Draft story", "--body", "DRAFT-BODY text", "--section", "Politics")
    retracted = cli.new("Killed story", "--status", "published", "--body", "RETRACTED-BODY text")
    cli.ok("retract", str(retracted), "--reason", "The report relied on a fabricated document.")
    trashed = cli.new("Trashed story", "--status", "published", "--body", "TRASHED-BODY")
    cli.ok("delete", str(trashed), "--yes")
    hostile = cli.new("Hostile <b>body</b>", "--status", "published", "--body", "to be replaced")
    store_raw(cli.db_url, hostile, body=HOSTILE_BODY)  # control characters are refused on input
    formula = cli.new('=HYPERLINK("http://evil")', "--body", "Formula title.")
    return {
        "english": english,
        "filipino": filipino,
        "draft": draft,
        "retracted": retracted,
        "trashed": trashed,
        "hostile": hostile,
        "formula": formula,
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One archive for the read-only tests of this module (built once: it takes a dozen commands)."""
    yield from shared_archive(tmp_path_factory, "archive", fill_public_cases)


@pytest.fixture
def cli(archive: Archive) -> Cli:
    """Every test here only reads, so they share the archive (exports never write to it)."""
    return archive.cli


@pytest.fixture
def stories(archive: Archive) -> Stories:
    return archive.ids


# --- registry and command surface ------------------------------------------------------


def test_every_format_is_registered_with_its_metadata() -> None:
    from balita_cli.site.options import FEED_FILES, SITEMAP_FILES

    for name in FORMAT_NAMES:
        writer = get_writer(name)
        assert writer.name == name and writer.extension.startswith(".") and "/" in writer.media_type
        assert writer.description, name  # the docs' table of formats says what each is
    public = {name for name in FORMAT_NAMES if get_writer(name).public}
    # What the site publishes is public; the newsroom's dump of every article is not.
    assert {name for name, _file in (*FEED_FILES, *SITEMAP_FILES)} <= public and "jsonl" not in public


@pytest.mark.slow
def test_unknown_format_is_a_usage_error(cli: Cli) -> None:
    result = cli.fails(["export", "pdf"], 2)
    assert "unknown export format 'pdf'" in result.stderr


@pytest.mark.parametrize("args", [["--status", "draft"], ["--status", "review"], ["--trash"]])
def test_public_formats_refuse_private_articles(cli: Cli, args: list[str]) -> None:
    result = cli.fails(["export", "rss", *args], 2)
    assert "public format" in result.stderr


def test_markdown_needs_a_directory(cli: Cli) -> None:
    assert "-o DIRECTORY" in cli.fails(["export", "markdown"], 2).stderr


# --- our own formats -----------------------------------------------------------------


def test_jsonl_is_exactly_the_records_of_every_live_article(cli: Cli, stories: Stories) -> None:
    records = [json.loads(line) for line in export(cli, "jsonl").splitlines()]
    assert all(tuple(record) == RECORD_FIELDS for record in records)
    ids = {record["id"] for record in records}
    assert ids == {
        stories["english"], stories["filipino"], stories["draft"], stories["retracted"],
        stories["hostile"], stories["formula"],
    }  # fmt: skip
    shown = cli.json("show", str(stories["english"]), "--format", "json")
    assert next(r for r in records if r["id"] == stories["english"]) == shown


def test_json_document_has_site_metadata_and_filtered_articles(cli: Cli, stories: Stories) -> None:
    document = json.loads(export(cli, "json", "--section", "Politics", "--status", "published"))
    assert document["site"]["name"] == Site().name
    assert [article["id"] for article in document["articles"]] == [stories["english"]]
    assert json.loads(export(cli, "json", "--section", "Nowhere"))["articles"] == []


def test_csv_lists_are_json_arrays_and_formulas_are_defused(cli: Cli, stories: Stories) -> None:
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(export(cli, "csv")))}
    assert json.loads(rows[stories["english"]]["tags"]) == ["Budget", "Senate"]
    assert json.loads(rows[stories["english"]]["authors"]) == ["Maria Santos", "Jose Cruz"]
    assert json.loads(rows[stories["english"]]["corrections"])[0]["text"].startswith("An earlier version")
    assert rows[stories["formula"]]["title"] == '\'=HYPERLINK("http://evil")'


# --- feeds ---------------------------------------------------------------------------------


def parsed_feed(text: str) -> Any:
    feed = feedparser.parse(text)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_rss_round_trips_through_feedparser(cli: Cli, stories: Stories) -> None:
    text = export(cli, "rss")
    feed = parsed_feed(text)
    assert feed.version == "rss20"
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Senate passes the 2027 budget", "Bagong teleserye, nangunguna sa ratings", "Hostile <b>body</b>"}
    entry = next(e for e in feed.entries if e.title.startswith("Senate"))
    assert entry.link.endswith("/articles/senate-passes-the-2027-budget/")
    assert entry.id.startswith("tag:") and entry.published_parsed is not None
    assert [author["name"] for author in entry.authors] == ["Maria Santos", "Jose Cruz"]
    assert {tag.term for tag in entry.tags} == {"Politics", "Senate", "Budget"}
    assert "source" not in entry and entry.dc_source == "https://www.rappler.com/nation/budget-2027"  # no feed known
    html = entry.content[0].value
    assert "Read more on" in html and "https://www.rappler.com/nation/budget-2027" in html
    assert "misnamed the committee chair" in html
    for private in (SECRET_NOTE, "DRAFT-BODY", "TRASHED-BODY", "RETRACTED-BODY"):
        assert private not in text


def test_atom_round_trips_through_feedparser(cli: Cli, stories: Stories) -> None:
    feed = parsed_feed(export(cli, "atom"))
    assert feed.version == "atom10"
    entry = next(e for e in feed.entries if e.title.startswith("Bagong"))
    assert entry.get("language") == "fil" or entry.title_detail.get("language") == "fil"
    english = next(e for e in feed.entries if e.title.startswith("Senate"))
    assert [a["name"] for a in english.authors] == ["Maria Santos", "Jose Cruz"]
    via = [link for link in english.links if link.rel == "via"]
    assert via and via[0].href == "https://www.rappler.com/nation/budget-2027"
    assert english.updated_parsed >= english.published_parsed
    assert "Read more on" in english.content[0].value


def test_retracted_articles_show_the_notice_not_the_body(cli: Cli, stories: Stories) -> None:
    for name in ("rss", "atom", "jsonfeed", "ninjs"):
        text = export(cli, name, "--status", "retracted")
        assert "fabricated document" in text, name
        assert "RETRACTED-BODY" not in text, name


def test_jsonfeed_is_valid_json_feed_1_1(cli: Cli, stories: Stories) -> None:
    import jsonschema

    schema = json.loads(corpora_path("schemas", "jsonfeed", "schema-v1.1.json").read_text())
    feed = json.loads(export(cli, "jsonfeed"))
    jsonschema.validate(feed, schema)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    items = {item["title"]: item for item in feed["items"]}
    english = items["Senate passes the 2027 budget"]
    assert english["external_url"] == "https://www.rappler.com/nation/budget-2027"
    assert english["language"] == "en" and items["Bagong teleserye, nangunguna sa ratings"]["language"] == "fil"
    assert english["authors"] == [{"name": "Maria Santos"}, {"name": "Jose Cruz"}]
    assert "Read more on" in english["content_html"]
    assert SECRET_NOTE not in json.dumps(feed)


# --- ninjs --------------------------------------------------------------------------------


def ninjs_validator(version: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker

    path = corpora_path("schemas", "ninjs", "specification", f"ninjs-schema_{version}.json")
    return Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_ninjs_documents_validate_against_the_official_schema(cli: Cli, stories: Stories, version: str) -> None:
    validator = ninjs_validator(version)
    documents = json.loads(
        export(cli, "ninjs", "--ninjs-version", version, "--status", "published", "--status", "retracted")
    )
    assert len(documents) == 4
    for document in documents:
        errors = [error.message for error in validator.iter_errors(document)]
        assert errors == [], errors
    prefix = "" if version == "3.1" else ""
    by_headline = {d["headlines"][0]["value"]: d for d in documents}
    english = by_headline["Senate passes the 2027 budget"]
    status_key, sources_key = ("pubStatus", "infoSources") if version == "3.1" else ("pubstatus", "infosources")
    assert english[status_key] == "usable" and by_headline["Killed story"][status_key] == "canceled"
    assert {"name": "Rappler", "role": "originator", "uri": "https://www.rappler.com/nation/budget-2027"} in english[
        sources_key
    ]
    assert english["by"] == "Maria Santos, Jose Cruz" and english["located"] == "MANILA"
    assert english["standard"]["version"] == version + prefix
    text = json.dumps(documents)
    assert SECRET_NOTE not in text and "ednote" not in text.lower()


def test_ninjs_lines_gives_one_document_per_line(cli: Cli, stories: Stories) -> None:
    lines = export(cli, "ninjs", "--lines").splitlines()
    validator = ninjs_validator("3.1")
    assert len(lines) == 3
    for line in lines:
        assert not list(validator.iter_errors(json.loads(line)))


def test_unknown_ninjs_version_is_a_usage_error(cli: Cli, stories: Stories) -> None:
    assert "unknown ninjs version" in cli.fails(["export", "ninjs", "--ninjs-version", "9"], 2).stderr


# --- sitemaps -------------------------------------------------------------------------------


def sitemap_schema(name: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(corpora_path("schemas", "sitemaps", name))


def news_sitemap_schema() -> Any:
    import xmlschema

    wrapper = Path(__file__).parent / "fixtures" / "export" / "news-sitemap.xsd"
    return xmlschema.XMLSchema(
        wrapper,
        locations=[
            ("http://www.sitemaps.org/schemas/sitemap/0.9", str(corpora_path("schemas", "sitemaps", "sitemap.xsd"))),
            ("http://www.google.com/schemas/sitemap-news/0.9",
             str(corpora_path("schemas", "sitemaps", "sitemap-news.xsd"))),
        ],
    )  # fmt: skip


def test_sitemap_validates_and_lists_published_urls(cli: Cli, stories: Stories) -> None:
    text = export(cli, "sitemap")
    sitemap_schema("sitemap.xsd").validate(text)
    locs = [
        node.text or ""
        for node in ElementTree.fromstring(text).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert len(locs) == 3 and all(loc.startswith("https://") for loc in locs)


def test_sitemap_index_past_the_per_file_limit(tmp_path: Path) -> None:
    site = Site()
    records = [
        {
            "id": n,
            "url": f"{site.base_url}/articles/a{n}/",
            "status": "published",
            "updated_at": f"2026-11-0{n % 9 + 1}T01:00:00+00:00",
        }
        for n in range(5)
    ]
    writer = get_writer("sitemap")
    assert writer.write_tree(records, tmp_path, site, max_urls=2) == [
        "sitemap-1.xml",
        "sitemap-2.xml",
        "sitemap-3.xml",
        "sitemap.xml",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sitemap-1.xml",
        "sitemap-2.xml",
        "sitemap-3.xml",
        "sitemap.xml",
    ]
    sitemap_schema("siteindex.xsd").validate(str(tmp_path / "sitemap.xml"))
    for number in (1, 2, 3):
        sitemap_schema("sitemap.xsd").validate(str(tmp_path / f"sitemap-{number}.xml"))
    with pytest.raises(InvalidInput, match="-o DIRECTORY"):
        writer.write(records, io.StringIO(), site, max_urls=2)


@pytest.mark.slow
def test_news_sitemap_validates_and_keeps_only_recent_publications(cli: Cli, stories: Stories) -> None:
    text = export(cli, "news-sitemap")
    news_sitemap_schema().validate(text)
    root = ElementTree.fromstring(text)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    titles = {node.text for node in root.iter(f"{news}title")}
    assert titles == {"Senate passes the 2027 budget", "Bagong teleserye, nangunguna sa ratings", "Hostile <b>body</b>"}
    assert {node.text for node in root.iter(f"{news}name")} == {Site().name}
    assert {node.text for node in root.iter(f"{news}language")} == {"en", "fil"}
    old = export(cli, "news-sitemap", "--since", "2020-01-01")  # older than 48 hours is dropped by the writer
    assert len(list(ElementTree.fromstring(old).iter(f"{news}news"))) == 3


def test_news_sitemap_writer_drops_articles_older_than_two_days() -> None:
    from datetime import UTC, datetime

    record = {
        "id": 1,
        "url": "https://x.ph/a/",
        "title": "Old",
        "status": "published",
        "language": "en",
        "published_at": "2026-01-01T00:00:00+00:00",
    }
    out = io.StringIO()
    count = get_writer("news-sitemap").write([record], out, Site(), now=datetime(2026, 1, 4, tzinfo=UTC))
    assert count == 0 and "<url>" not in out.getvalue() and "<loc>" not in out.getvalue()


# --- markdown tree, wxr -----------------------------------------------------------------------


def test_markdown_tree_has_hugo_front_matter(cli: Cli, stories: Stories, tmp_path: Path) -> None:
    import frontmatter

    out = tmp_path / "site"
    result = cli.ok("export", "markdown", "-o", str(out))
    assert "Exported 6 articles" in result.stderr and result.stdout == ""
    post = frontmatter.load(out / "content" / "politics" / "senate-passes-the-2027-budget.md")
    assert post["title"] == "Senate passes the 2027 budget" and post["draft"] is False
    tags = post["tags"]
    assert post["categories"] == ["Politics"] and isinstance(tags, list) and set(tags) == {"Senate", "Budget"}
    assert (
        post["authors"] == ["Maria Santos", "Jose Cruz"] and post["url"] == "/articles/senate-passes-the-2027-budget/"
    )
    assert {"title", "date", "publishDate", "slug", "aliases", "summary"} <= set(post.keys())
    assert "The **Senate** approved" in post.content
    assert frontmatter.load(out / "content" / "politics" / "draft-story.md")["draft"] is True
    killed = (out / "content" / "uncategorized" / "killed-story.md").read_text()
    assert "fabricated document" in killed and "RETRACTED-BODY" not in killed
    assert SECRET_NOTE not in "".join(p.read_text() for p in out.rglob("*.md"))


def test_hugo_builds_the_markdown_tree(cli: Cli, stories: Stories, tmp_path: Path) -> None:
    import subprocess

    hugo = needs_program("hugo")
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    build = subprocess.run([hugo, "--quiet", "--source", str(out)], capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, build.stderr
    sitemap = (out / "public" / "sitemap.xml").read_text()
    assert "/articles/senate-passes-the-2027-budget/" in sitemap
    assert "/articles/draft-story/" not in sitemap


def test_wxr_has_the_shape_the_wordpress_importer_reads(cli: Cli, stories: Stories) -> None:
    text = export(cli, "wxr")
    root = ElementTree.fromstring(text)
    wp = "{http://wordpress.org/export/1.2/}"
    assert root.tag == "rss" and root.findtext(f"channel/{wp}wxr_version") == "1.2"
    items = {item.findtext(f"{wp}post_name"): item for item in root.iter("item")}
    assert "draft-story" in items and "trashed-story" not in items
    english = items["senate-passes-the-2027-budget"]
    assert english.findtext(f"{wp}status") == "publish" and items["draft-story"].findtext(f"{wp}status") == "draft"
    assert english.findtext(f"{wp}post_type") == "post"
    terms = {(c.get("domain"), c.get("nicename"), c.text) for c in english.iter("category")}
    assert ("category", "politics", "Politics") in terms and ("post_tag", "senate", "Senate") in terms
    content = english.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    assert "<strong>Senate</strong>" in content and "Read more on" in content
    assert english.findtext("{http://purl.org/dc/elements/1.1/}creator") == "maria-santos"


def test_wxr_item_elements_follow_the_importer_sample(cli: Cli, stories: Stories) -> None:
    sample = ElementTree.parse(corpora_path("wxr", "wordpress-importer", "phpunit", "data", "valid-wxr-1.1.xml"))
    sample_item = sample.find("channel/item")
    our_item = ElementTree.fromstring(export(cli, "wxr", "--status", "published", "--section", "Politics")).find(
        "channel/item"
    )
    assert sample_item is not None and our_item is not None
    wanted = {child.tag.split("}")[-1] for child in sample_item} - {"comment"}
    got = {child.tag.split("}")[-1] for child in our_item}
    assert wanted <= got, wanted - got


# --- hostile input, failure safety, streaming target ------------------------------------------


def html_fragments(name: str, text: str) -> list[str]:
    if name in {"rss", "atom", "wxr"}:
        root = ElementTree.fromstring(text)  # well-formed XML, or this raises
        tags = ("{http://purl.org/rss/1.0/modules/content/}encoded", "{http://www.w3.org/2005/Atom}content")
        return [node.text or "" for tag in tags for node in root.iter(tag)]
    data = json.loads(text)
    if name == "jsonfeed":
        return [item["content_html"] for item in data["items"]]
    return [body["value"] for document in data for body in document["bodies"]]


@pytest.mark.parametrize("name", HTML_FORMATS)
def test_hostile_bodies_come_out_sanitized_and_well_formed(cli: Cli, stories: Stories, name: str) -> None:
    text = export(cli, name)
    assert "\x01" not in text and "\x0b" not in text
    fragments = html_fragments(name, text)
    assert fragments and any("unclosed tag" in html for html in fragments)
    for html in fragments:
        assert_harmless(html)


def test_a_failing_export_leaves_the_existing_file_untouched(
    cli: Cli, stories: Stories, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from balita_cli.formats import rss

    target = tmp_path / "feed.xml"
    target.write_text("previous feed\n")
    real: Callable[..., Any] = rss.item_element
    calls = {"n": 0}

    def failing_item(record: dict[str, Any], site: Site) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise InvalidInput("cannot render this article")
        return real(record, site)

    monkeypatch.setattr(rss, "item_element", failing_item)
    result = cli.fails(["export", "rss", "-o", str(target)], 1)
    assert "cannot render this article" in result.stderr
    assert target.read_text() == "previous feed\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".feed")) == []


def test_output_file_is_written_and_reported_on_stderr(cli: Cli, stories: Stories, tmp_path: Path) -> None:
    target = tmp_path / "out" / "feed.json"
    result = cli.ok("export", "jsonfeed", "-o", str(target))
    assert result.stdout == ""
    assert result.stderr.strip() == f"Exported 3 articles as jsonfeed to {target}"
    assert len(json.loads(target.read_text())["items"]) == 3
    assert cli.ok("--quiet", "export", "jsonl", "-o", str(tmp_path / "x.jsonl")).stderr == ""


def test_writers_can_be_called_directly_and_skip_private_records() -> None:
    site = Site()
    moment = "2026-11-01T00:00:00+00:00"
    public = {"id": 1, "slug": "a", "url": "https://x.ph/articles/a/", "title": "Public", "body": "b"}
    public |= {"status": "published", "summary": "s", "language": "en", "editor_note": SECRET_NOTE}
    public |= {"created_at": moment, "published_at": moment, "updated_at": moment}
    draft = {"id": 2, "slug": "b", "url": "https://x.ph/articles/b/", "title": "Draft", "status": "draft"}
    records = [public, draft | {"body": "DRAFT-BODY"}]
    for name in ("rss", "atom", "jsonfeed", "sitemap", "ninjs"):
        out = io.StringIO()
        assert get_writer(name).write(records, out, site) == 1, name
        assert "DRAFT-BODY" not in out.getvalue() and SECRET_NOTE not in out.getvalue()


class Screen(io.StringIO):
    """What stderr shows: a stream that is a terminal or not, as a person's stderr or a pipe is."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def drawn(
    monkeypatch: pytest.MonkeyPatch, total: int | Callable[[], int], *, terminal: bool, quiet: bool = False
) -> str:
    """What ``console.progress`` draws on stderr while a job advances half way; stdout stays empty."""
    screen, data = Screen(terminal), Screen(terminal=False)
    monkeypatch.setattr(sys, "stderr", screen)
    monkeypatch.setattr(sys, "stdout", data)
    console.configure(no_color=True, quiet=quiet)
    try:
        with console.progress(total, "export rss") as advance:
            advance(250)
    finally:
        console.configure(no_color=False, quiet=False)
    assert data.getvalue() == ""
    return screen.getvalue()


def test_a_progress_bar_is_drawn_on_a_terminal_and_nowhere_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    bar = drawn(monkeypatch, 500, terminal=True)
    assert "export rss" in bar and "250/500" in bar and "━" in bar
    assert drawn(monkeypatch, 500, terminal=False) == ""  # a pipe or a log file
    assert drawn(monkeypatch, 500, terminal=True, quiet=True) == ""  # --quiet
    monkeypatch.setenv("TERM", "dumb")  # a terminal that cannot redraw a line
    assert drawn(monkeypatch, 500, terminal=True) == ""


def test_a_total_given_as_a_function_is_counted_only_for_a_bar_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """An import counts its records (reading its files once more) only where a person sees the count."""
    monkeypatch.setenv("TERM", "xterm-256color")
    counted: list[int] = []

    def count() -> int:
        counted.append(1)
        return 500

    assert drawn(monkeypatch, count, terminal=False) == ""
    assert counted == []
    assert "250/500" in drawn(monkeypatch, count, terminal=True)
    assert counted == [1]


def test_records_stream_in_order_across_batches_and_a_reader_may_stop_early(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 50 (on PostgreSQL the next one read in a thread while records are made of the
    current one): every record once, in order, the same as read at once; a reader that stops
    after the first leaves the connection usable."""
    from balita_cli.db.dbapi import reading as reading_connection
    from balita_cli.services import reading
    from balita_cli.services.query import ArticleFilter, Window

    stories = Path("stories.jsonl")
    stories.write_text("".join(json.dumps({"title": f"Balita {number}", "body": f"Talata {number}.",
                                           "tags": ["Ulan"], "authors": ["Ana Reyes"]}) + "\n"
                               for number in range(130)))  # fmt: skip
    cli.ok("import", "jsonl", str(stories))
    monkeypatch.setattr(reading, "BATCH", 50)
    base = "https://balita.example.ph"
    with reading_connection(cli.db_url) as db:
        ids = reading.matching_ids(db, ArticleFilter(), Window(sort="id"))
        streamed = list(reading.stream_records(db, ArticleFilter(), base, Window(sort="id")))
        assert len(ids) >= 130 and [record["id"] for record in streamed] == ids
        assert streamed == reading.records_for(db, ids, base)
        assert sum(record["tags"] == ["Ulan"] for record in streamed) == 130
        stopped = reading.stream_records(db, ArticleFilter(), base, Window(sort="id"))
        assert next(stopped)["id"] == ids[0]
        assert isinstance(stopped, Generator)
        stopped.close()
        assert reading.count(db, ArticleFilter()) == len(ids)
