"""``balita import``: real exports from WordPress, Ghost, Jekyll, Zola and Philippine news feeds.

Expected counts are taken from the files themselves (lxml, json) rather than hard-coded.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.records import ALL_FIELDS, by_slug, import_summary, records

WP = "{https://wordpress.org/export/1.2/}"


# ---------------------------------------------------------------- WordPress


def wxr_items(path: Path) -> list[etree._Element]:
    return list(etree.parse(str(path)).iter("item"))


def test_wxr_theme_unit_test_data(cli: Cli) -> None:
    path = corpora_path("wxr", "themeunittestdata.wordpress.xml")
    items = wxr_items(path)
    kinds = Counter(item.findtext(f"{WP}post_type") for item in items)
    posts = [item for item in items if item.findtext(f"{WP}post_type") == "post"]
    untitled = sum(1 for post in posts if not (post.findtext("title") or "").strip())

    first = import_summary(cli, "wxr", str(path))

    assert first["created"] == len(posts) and first["rejected"] == 0
    # WordPress shows an untitled post as "(no title)": it comes in, as a draft, and is reported.
    assert sum(1 for w in first["warnings"] if "no title" in w["message"]) == untitled
    assert first["skipped"] == {kind: count for kind, count in kinds.items() if kind != "post"}
    articles = by_slug(cli)
    assert len(articles) == first["created"]
    sticky = {p.findtext(f"{WP}post_name") for p in posts if p.findtext(f"{WP}is_sticky") == "1"}
    assert {slug for slug, a in articles.items() if a["featured"]} == sticky
    aside = articles["post-format-aside"]
    assert aside["status"] == "published" and aside["section"] == "Classic"
    assert aside["authors"] == ["Theme Buster"]  # dc:creator login mapped to the display name
    assert aside["published_at"] == "2010-05-09T14:51:54+00:00"  # post_date_gmt
    assert {"aside", "Post Formats"} <= set(aside["tags"])
    assert articles["scheduled"]["status"] == "scheduled"
    assert articles["template-password-protected"]["status"] == "draft"
    assert sum(1 for a in articles.values() if a["image_url"]) == 5  # posts with a _thumbnail_id
    assert not any("<!-- wp:" in a["body"] for a in articles.values())

    second = import_summary(cli, "wxr", str(path))
    assert second["created"] == 0 and second["duplicates"] == first["created"]
    assert len(records(cli)) == first["created"]


@pytest.mark.parametrize("name", ["valid-wxr-1.1.xml", "wxr-utf-8-challenges.xml", "slashes.xml", "small-export.xml"])
def test_wxr_importer_fixtures(cli: Cli, name: str) -> None:
    path = corpora_path("wxr", "wordpress-importer", "phpunit", "data", name)
    posts = [
        item for item in wxr_items(path)
        if (item.findtext("{*}post_type") or "post") == "post"
        and item.findtext("{*}status") not in {"trash", "auto-draft"}
    ]  # fmt: skip
    first = import_summary(cli, "wxr", str(path))
    assert first["created"] + first["rejected"] == len(posts)
    assert import_summary(cli, "wxr", str(path))["created"] == 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol9;</title><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
</channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version>
<item><title>leak &secret;</title><wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
</channel></rss>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_hostile_wxr_is_refused_without_expansion(cli: Cli, tmp_path: Path, document: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(document)
    result = cli.fails(["import", "wxr", str(path)], 1)
    assert "refused unsafe XML" in result.stderr
    assert "lollol" not in result.stderr and "root:" not in result.stderr
    assert records(cli) == []


def test_broken_xml_is_one_clear_error(cli: Cli) -> None:
    path = corpora_path("wxr", "wordpress-importer", "phpunit", "data", "malformed.xml")
    result = cli.fails(["import", "wxr", str(path)], 1)
    assert "not well-formed" in result.stderr


# ---------------------------------------------------------------- Ghost


@pytest.mark.parametrize(
    "parts",
    [
        ("ghost", "uksb-ghost-3.3", "ghost-theme-unit-test.json"),
        ("ghost", "nickisnoble-ghost-2.1", "ghost-theme-unit-test.json"),
        ("ghost", "tryghost-migrate", "ghost.json"),
        ("ghost", "tryghost-migrate", "ghost-flat.json"),
    ],
)
def test_ghost_exports(cli: Cli, parts: tuple[str, ...]) -> None:
    path = corpora_path(*parts)
    document = json.loads(path.read_text())
    data = (document["db"][0] if "db" in document else document)["data"]
    pages = [p for p in data["posts"] if p.get("type") == "page" or p.get("page") in (1, True)]

    first = import_summary(cli, "ghost", str(path))

    assert first["created"] == len(data["posts"]) - len(pages)
    assert first["skipped"] == ({"page": len(pages)} if pages else {})
    articles = by_slug(cli)
    post = data["posts"][0]
    imported = articles[post["slug"]]
    assert imported["title"] == post["title"]
    assert imported["external_id"] == f"ghost:{post['id']}"
    assert imported["image_url"] == (post.get("feature_image") or "")
    assert import_summary(cli, "ghost", str(path))["created"] == 0


def test_ghost_tags_authors_order_internal_tags_and_mobiledoc(cli: Cli, tmp_path: Path) -> None:
    mobiledoc = {"version": "0.3.1", "cards": [["card-markdown", {"markdown": "Hello **Maynila**"}]]}
    export = {
        "db": [{"meta": {"version": "2.1.3"}, "data": {
            "posts": [{
                "id": "p1", "title": "Ulat", "slug": "ulat", "html": None, "mobiledoc": json.dumps(mobiledoc),
                "status": "published", "published_at": "2024-02-03 04:05:06", "custom_excerpt": "Maikli",
                "feature_image": "https://example.com/a.jpg", "canonical_url": "https://old.example/ulat",
                "featured": 1, "type": "post",
            }],
            "posts_meta": [{"post_id": "p1", "feature_image_alt": "Alt", "feature_image_caption": "<b>Cap</b>"}],
            "tags": [{"id": "t1", "name": "Manila"}, {"id": "t2", "name": "#newsletter"}],
            "posts_tags": [{"post_id": "p1", "tag_id": "t2", "sort_order": 1},
                           {"post_id": "p1", "tag_id": "t1", "sort_order": 0}],
            "users": [{"id": "u1", "name": "Ana Reyes"}, {"id": "u2", "name": "Ben Cruz"}],
            "posts_authors": [{"post_id": "p1", "author_id": "u2", "sort_order": 1},
                              {"post_id": "p1", "author_id": "u1", "sort_order": 0}],
        }}]
    }  # fmt: skip
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(export))
    assert import_summary(cli, "ghost", str(path))["created"] == 1
    article = by_slug(cli)["ulat"]
    assert article["authors"] == ["Ana Reyes", "Ben Cruz"]
    assert set(article["tags"]) == {"Manila", "#newsletter"}
    assert article["body"] == "Hello **Maynila**"
    assert (article["summary"], article["image_alt"], article["image_caption"]) == ("Maikli", "Alt", "Cap")
    assert article["canonical_url"] == "https://old.example/ulat" and article["featured"] is True
    assert article["published_at"] == "2024-02-03T04:05:06+00:00"
    tags = cli.json("tag", "list", "--format", "json")
    assert {"hash-newsletter", "manila"} <= {tag["slug"] for tag in tags}


# ---------------------------------------------------------------- feeds


def feed_guids(path: Path) -> list[str]:
    return [item.findtext("guid") or item.findtext("link") or "" for item in etree.parse(str(path)).iter("item")]


@pytest.mark.slow
def test_philstar_feed_then_its_older_copy_adds_only_new_entries(cli: Cli) -> None:
    current = corpora_path("feeds", "ph-news", "philstar.xml")
    older = corpora_path("feeds", "ph-news", "philstar-history", "69cdbe2eb6", "philstar.xml")
    shared = set(feed_guids(current)) & set(feed_guids(older))
    assert len(shared) == 6

    first = import_summary(cli, "feed", str(current))
    assert first["created"] == len(feed_guids(current))
    second = import_summary(cli, "feed", str(older))
    assert second["created"] == len(set(feed_guids(older)) - shared)
    assert second["duplicates"] == len(shared)

    articles = records(cli)
    assert len(articles) == len(set(feed_guids(current)) | set(feed_guids(older)))
    assert {a["status"] for a in articles} == {"draft"}
    assert {a["source_name"] for a in articles} == {"philstar.com"}
    first_item = etree.parse(str(current)).find(".//item")
    assert first_item is not None
    sample = next(a for a in articles if a["source_url"] == first_item.findtext("link"))
    assert sample["title"] == first_item.findtext("title")
    assert sample["published_at"] == "2021-10-17T09:32:00+00:00"  # Sun, 17 Oct 2021 17:32:00 +0800
    assert sample["summary"].startswith('"Many others have')
    assert import_summary(cli, "feed", str(current), "--update")["created"] == 0


HOSTILE_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Balita</title><link>https://www.example.ph/</link>
<item><title>Ulat &lt;script&gt;x&lt;/script&gt;</title><link>https://www.example.ph/a</link>
<guid>a-1</guid>
<description>&lt;p onclick="steal()"&gt;Hello&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;
&lt;a href="javascript:alert(2)"&gt;x&lt;/a&gt;</description>
</item></channel></rss>
"""


def test_feed_html_is_sanitized_and_source_name_can_be_overridden(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(HOSTILE_FEED)
    assert import_summary(cli, "feed", str(path), "--source-name", "Example News")["created"] == 1
    article = records(cli)[0]
    assert "<script" not in article["body"] and "onclick" not in article["body"]
    assert "javascript:" not in article["body"] and "Hello" in article["body"]
    assert "<script" not in article["title"]
    assert article["source_name"] == "Example News" and article["external_id"] == "feed:a-1"


def test_feed_with_entity_bomb_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(BILLION_LAUGHS)
    assert "refused unsafe XML" in cli.fails(["import", "feed", str(path)], 1).stderr


# ---------------------------------------------------------------- Markdown trees


def test_jekyll_posts(cli: Cli) -> None:
    folder = corpora_path("frontmatter", "jekyll-docs-posts")
    files = [f for f in folder.iterdir() if f.suffix in {".md", ".markdown"}]
    first = import_summary(cli, "markdown", str(folder))
    assert first["created"] == len(files) and first["rejected"] == 0
    # One real post carries a date Python cannot read ("2023-01-29 18:30:22 2023 -0800"): its
    # file name's date is used instead, and the summary says so.
    notes = [w["message"] for w in first["warnings"] if w["origin"] == "2023-01-29-jekyll-3-9-3-released.markdown"]
    assert any("file name's date" in note for note in notes)
    articles = by_slug(cli)
    assert articles["jekyll-3-9-3-released"]["published_at"] == "2023-01-28T16:00:00+00:00"  # midnight in Manila
    release = articles["jekyll-1-0-0-released"]  # slug from the YYYY-MM-DD-slug file name
    assert release["title"] == "Jekyll 1.0.0 Released" and release["authors"] == ["parkr"]
    assert release["published_at"] == "2013-05-06T00:12:52+00:00"  # "2013-05-06 02:12:52 +0200"
    assert release["section"] == "release" and release["status"] == "published"
    assert import_summary(cli, "markdown", str(folder))["created"] == 0


@pytest.mark.slow
def test_zola_rust_blog(cli: Cli) -> None:
    folder = corpora_path("frontmatter", "rust-blog-content")
    files = sorted(folder.glob("*.md"))
    first = import_summary(cli, "markdown", str(folder))
    assert first["skipped"] == {"section index": 1}  # _index.md
    assert first["created"] + first["rejected"] == len(files) - 1
    assert first["rejected"] == 0, first["problems"]
    article = by_slug(cli)["Rust-1.88.0".lower().replace(".", "-")]
    assert article["title"] == "Announcing Rust 1.88.0"
    # From path = "2025/06/26/Rust-1.88.0": midnight of that day in the site's zone (Asia/Manila).
    assert article["published_at"] == "2025-06-25T16:00:00+00:00"
    assert article["authors"] == ["The Rust Release Team"]
    # Zola aliases are paths from the site root, and the page's own old address is its path: both
    # are kept as paths (the site serves a redirect at each), not flattened into slugs.
    assert article["aliases"] == ["/releases/1.88.0/", "/2025/06/26/Rust-1.88.0/"]
    assert cli.json("show", "/releases/1.88.0/", "--format", "json")["id"] == article["id"]
    assert import_summary(cli, "markdown", str(folder))["created"] == 0


def test_bad_markdown_files_are_reported_and_the_rest_imported(cli: Cli, tmp_path: Path) -> None:
    tree = tmp_path / "content"
    tree.mkdir()
    (tree / "good.md").write_text("---\ntitle: Mabuti\ntags: [Manila]\ndraft: true\n---\nKatawan.\n")
    (tree / "broken.md").write_text("---\ntitle: [unclosed\n---\nx\n")
    (tree / "latin1.md").write_bytes("---\ntitle: Para\xf1aque\n---\n".encode("latin-1"))
    (tree / "untitled.md").write_text("+++\ndate = 2024-01-01\n+++\nNo title.\n")
    (tree / "bad-date.md").write_text("---\ntitle: Petsa\ndate: yesterday-ish\n---\n")
    result = import_summary(cli, "markdown", str(tree))
    assert result["created"] == 2 and result["rejected"] == 3
    reasons = {p["origin"]: p["message"] for p in result["problems"]}
    assert "broken front matter" in reasons["broken.md"]
    assert "UTF-8" in reasons["latin1.md"]
    assert "date" in reasons["bad-date.md"]
    # A post without a title is kept, as a draft with a placeholder, and reported.
    notes = {p["origin"]: p["message"] for p in result["warnings"]}
    assert "no title" in notes["untitled.md"]
    kept = by_slug(cli)
    assert (kept["good"]["status"], kept["good"]["tags"]) == ("draft", ["Manila"])
    assert (kept["untitled"]["title"], kept["untitled"]["status"]) == ("Untitled", "draft")


def test_slug_collision_gets_a_suffix_and_dry_run_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.new("Something else entirely", "--slug", "ulat")
    tree = tmp_path / "content"
    tree.mkdir()
    (tree / "ulat.md").write_text("---\ntitle: Ulat ng araw\n---\nBody\n")
    dry = import_summary(cli, "markdown", str(tree), "--dry-run")
    assert dry["dry_run"] is True and dry["created"] == 1
    assert len(records(cli)) == 1
    assert import_summary(cli, "markdown", str(tree))["created"] == 1
    assert by_slug(cli)["ulat-2"]["title"] == "Ulat ng araw"


def test_summary_table_goes_to_stderr(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: Isa\n---\n")
    result = cli.ok("import", "markdown", str(tmp_path / "a.md"))
    assert result.stdout == ""
    assert "created" in result.stderr and "skipped as duplicate" in result.stderr


def test_unknown_format_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    cli.fails(["import", "docx", str(tmp_path)], 2)


# ---------------------------------------------------------------- our own exports


COMPARED_OUT = {"id", "url", "version", "updated_by", "word_count"}


def fill_round_trip_stories(cli: Cli) -> None:
    """A published story in Filipino with every field, corrected and moved; a featured draft."""
    first = cli.new(
        "Senado, inaprubahan ang badyet", "--section", "Politics", "--tag", "Senate, Budget",
        "--author", "Ana Reyes", "--author", "Ben Cruz", "--lang", "fil", "--source-name", "Philstar",
        "--source-url", "https://www.philstar.com/x", "--body", "Unang talata.\n\nIkalawa.",
        "--dateline", "MANILA", "--note", "check figures", "--image-url", "https://img.example/a.jpg",
    )  # fmt: skip
    cli.ok("publish", str(first))
    cli.ok("correct", str(first), "An earlier version misspelled the senator's name.")
    cli.ok("edit", str(first), "--slug", "senado-badyet")
    second = cli.new("Draft with = formula", "--summary", "=SUM(A1)", "--tag", "Manila")
    cli.ok("edit", str(second), "--featured")


def dump_command(command: str, fmt: str) -> list[str]:
    if command == "export":
        return ["export", fmt]
    return ["list", "--format", fmt, "--fields", ALL_FIELDS, "--limit", "1000"]


@pytest.mark.slow
@pytest.mark.parametrize(("command", "fmt"), [("list", "jsonl"), ("list", "csv"), ("export", "jsonl")])
def test_own_export_round_trip(
    cli: Cli, new_database: Callable[[], str], tmp_path: Path, command: str, fmt: str
) -> None:
    fill_round_trip_stories(cli)
    before = records(cli)
    dump = tmp_path / f"dump.{fmt}"
    dump.write_text(cli.ok(*dump_command(command, fmt)).stdout)

    target = Cli(db_url=new_database(), runner=cli.runner)
    result = import_summary(target, fmt, str(dump))
    assert result["created"] == len(before) and result["rejected"] == 0, result["problems"]
    after = records(target)

    def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(({k: v for k, v in r.items() if k not in COMPARED_OUT} for r in rows), key=lambda r: r["slug"])

    assert comparable(after) == comparable(before)
    assert import_summary(target, fmt, str(dump))["created"] == 0


def test_update_refreshes_changed_articles_only(cli: Cli, tmp_path: Path) -> None:
    fill_round_trip_stories(cli)
    rows = records(cli)
    changed = {**rows[0], "title": "A new headline", "tags": ["Senate"]}
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(r) for r in [changed, *rows[1:]]) + "\n")

    plain = import_summary(cli, "jsonl", str(dump))
    assert (plain["created"], plain["updated"], plain["duplicates"]) == (0, 0, len(rows))
    refreshed = import_summary(cli, "jsonl", str(dump), "--update")
    assert (refreshed["created"], refreshed["updated"], refreshed["duplicates"]) == (0, 1, len(rows) - 1)
    article = by_slug(cli)[rows[0]["slug"]]
    assert (article["title"], article["tags"]) == ("A new headline", ["Senate"])
    assert import_summary(cli, "jsonl", str(dump), "--update")["updated"] == 0


def test_bad_jsonl_lines_are_reported_with_their_line(cli: Cli, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(
        b'{"title": "Isa", "slug": "isa"}\n'
        b"not json\n"
        b'{"title": "Dalawa", "published_at": "someday"}\n'
        b'{"title": "\xff"}\n'
        b'{"title": ""}\n'
    )
    result = import_summary(cli, "jsonl", str(dump))
    assert result["created"] == 1 and result["rejected"] == 4
    assert [p["origin"] for p in result["problems"]] == [f"dump.jsonl: line {n}" for n in (2, 3, 4, 5)]
