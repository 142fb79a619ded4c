"""WordPress WXR, both ways: what WordPress's own importer reads of balita's export, and what
balita keeps of real WordPress exports (the theme and accessibility test data, Co-Authors Plus).

``wordpress_regex_parse`` follows the line-by-line fallback parser of the WordPress importer
(``WXR_Parser_Regex``), the strictest of its three: it finds the version, each ``<wp:author>`` and
each ``<item>`` only where WordPress's own exports put them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.records import Stories, by_slug, import_summary

PHOTO = Path(__file__).parent / "fixtures" / "images" / "landscape.jpg"
WP = "{http://wordpress.org/export/1.2/}"


# ---------------------------------------------------------------- WordPress's regex parser, in Python


def get_tag(text: str, tag: str) -> str:
    found = re.search(rf"<{tag}.*?>(.*?)</{tag}>", text, re.S | re.I)
    if not found:
        return ""
    value = found.group(1)
    if value.startswith("<![CDATA["):
        return re.sub(r"^<!\[CDATA\[(.*)\]\]>$", r"\1", value, flags=re.S)
    return value


def process_meta(text: str, tag: str) -> list[tuple[str, str]]:
    return [(get_tag(m, "wp:meta_key"), get_tag(m, "wp:meta_value"))
            for m in re.findall(rf"<{tag}>(.+?)</{tag}>", text, re.S | re.I)]  # fmt: skip


def wordpress_regex_parse(text: str) -> dict[str, Any]:
    version = None
    authors: dict[str, dict[str, str]] = {}
    posts: list[dict[str, Any]] = []
    item: list[str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if version is None and (found := re.search(r"<wp:wxr_version>(\d+\.\d+)</wp:wxr_version>", line)):
            version = found.group(1)
        if "<wp:author>" in line:
            block = re.search(r"<wp:author>(.*?)</wp:author>", line, re.S | re.I)
            assert block, f"a wp:author block must be on one line: {line[:80]}"
            login = get_tag(block.group(1), "wp:author_login")
            authors[login] = {"login": login, "display_name": get_tag(block.group(1), "wp:author_display_name")}
            continue
        if "<item>" in line:
            item = [line[line.index("<item>") + 6 :]]
        elif "</item>" in line and item is not None:
            item.append(line[: line.index("</item>")])
            body = "\n".join(item)
            posts.append({
                "post_id": get_tag(body, "wp:post_id"), "post_author": get_tag(body, "dc:creator"),
                "post_type": get_tag(body, "wp:post_type"), "status": get_tag(body, "wp:status"),
                "post_name": get_tag(body, "wp:post_name"), "post_parent": get_tag(body, "wp:post_parent"),
                "attachment_url": get_tag(body, "wp:attachment_url"),
                "terms": re.findall(r'<category domain="([^"]+?)" nicename="([^"]+?)">(.+?)</category>', body, re.S),
                "postmeta": process_meta(body, "wp:postmeta"),
            })  # fmt: skip
            item = None
        elif item is not None:
            item.append(line)
    return {"version": version, "authors": authors, "posts": posts}


def fill_bylined_stories(cli: Cli) -> Stories:
    photo = cli.ok("media", "add", str(PHOTO), "--alt", "Ang Senado", "--porcelain").stdout.strip()
    ids = {
        "budget": cli.new("Senate passes the budget", "--author", "Maria Santos", "--author", "Jose Cruz",
                          "--section", "Politics", "--tag", "Senate", "--image", photo,
                          "--body", "The **Senate** approved it."),
        "single": cli.new("Typhoon nears Luzon", "--author", "Maria Santos", "--image-url",
                          "https://img.example.ph/typhoon.jpg", "--image-alt", "Satellite image"),
        "old": cli.new("An old story", "--author", "Jose Cruz", "--body", "Old."),
    }  # fmt: skip
    for article_id in ids.values():
        cli.ok("publish", str(article_id))
    cli.ok("edit", str(ids["single"]), "--slug", "typhoon-luzon")
    cli.ok("archive", str(ids["old"]))
    return ids


@pytest.mark.slow
def test_wordpress_reads_authors_co_authors_and_featured_images(cli: Cli) -> None:
    fill_bylined_stories(cli)
    text = cli.ok("export", "wxr").stdout
    parsed = wordpress_regex_parse(text)

    assert parsed["version"] == "1.2"
    assert parsed["authors"] == {
        "maria-santos": {"login": "maria-santos", "display_name": "Maria Santos"},
        "jose-cruz": {"login": "jose-cruz", "display_name": "Jose Cruz"},
    }  # a WordPress user per byline name, the login mapped to the name readers see
    posts = {post["post_name"]: post for post in parsed["posts"] if post["post_type"] == "post"}
    attachments = {post["post_id"]: post for post in parsed["posts"] if post["post_type"] == "attachment"}
    assert set(posts) == {"senate-passes-the-budget", "typhoon-luzon", "an-old-story"}
    budget = posts["senate-passes-the-budget"]
    assert budget["post_author"] == "maria-santos"
    assert [term for term in budget["terms"] if term[0] == "author"] == [
        ("author", "cap-maria-santos", "maria-santos"), ("author", "cap-jose-cruz", "jose-cruz")]  # fmt: skip
    assert not [term for term in posts["typhoon-luzon"]["terms"] if term[0] == "author"]  # one author: no terms
    # Each featured image is an attachment item, the post's _thumbnail_id names it.
    for slug, url in (("senate-passes-the-budget", "/media/"), ("typhoon-luzon", "https://img.example.ph/typhoon.jpg")):
        thumbnail = dict(posts[slug]["postmeta"])["_thumbnail_id"]
        attachment = attachments[thumbnail]
        assert url in attachment["attachment_url"] and attachment["status"] == "inherit"
        assert attachment["post_parent"] == get_tag(text.split(f"<wp:post_name>{slug}<")[0].rsplit("<item>", 1)[1],
                                                    "wp:post_id")  # fmt: skip
    assert ("_wp_old_slug", "typhoon-nears-luzon") in posts["typhoon-luzon"]["postmeta"]
    # The same file read as a tree (what the SimpleXML and XMLParser parsers do) agrees.
    root = ElementTree.fromstring(text.encode())
    assert len(root.findall("channel/item")) == len(parsed["posts"])
    assert {a.findtext(f"{WP}author_display_name") for a in root.findall(f"channel/{WP}author")} == {
        "Maria Santos", "Jose Cruz"}  # fmt: skip


def without_balita_meta(text: str) -> str:
    """The export as a WordPress that kept only its own fields would give it back."""
    return re.sub(r"\s*<wp:postmeta>\s*<wp:meta_key>_balita_[a-z_0-9]+</wp:meta_key>.*?</wp:postmeta>", "", text,
                  flags=re.S)  # fmt: skip


@pytest.mark.slow
def test_what_wordpress_keeps_of_a_balita_export_comes_back(cli: Cli, tmp_path: Path) -> None:
    fill_bylined_stories(cli)
    exported = cli.ok("export", "wxr").stdout
    path = tmp_path / "from-wordpress.xml"
    path.write_text(without_balita_meta(exported))
    assert "_balita_" not in path.read_text()

    other = tmp_path / "other.db"
    target = Cli(db_url=f"sqlite:///{other}", runner=cli.runner)
    result = import_summary(target, "wxr", str(path))
    assert (result["created"], result["rejected"], result["skipped"]) == (3, 0, {"attachment": 2})
    articles = by_slug(target)
    budget = articles["senate-passes-the-budget"]
    assert budget["authors"] == ["Maria Santos", "Jose Cruz"]  # display names, in byline order
    assert budget["image_url"].startswith("https://") and "/media/" in budget["image_url"]
    assert budget["image_alt"] == "Ang Senado"
    assert "<strong>Senate</strong>" in budget["body"]  # WordPress's copy is HTML
    typhoon = articles["typhoon-luzon"]
    assert typhoon["image_url"] == "https://img.example.ph/typhoon.jpg" and typhoon["image_alt"] == "Satellite image"
    assert typhoon["aliases"] == ["typhoon-nears-luzon"]
    # WordPress has no "archived": without balita's meta the story is simply published.
    assert articles["an-old-story"]["status"] == "published"


@pytest.mark.slow
def test_a_post_changed_in_wordpress_keeps_wordpress_version(cli: Cli, tmp_path: Path) -> None:
    ids = fill_bylined_stories(cli)
    cli.ok("correct", str(ids["budget"]), "The vote count was 20-3, not 21-2.")
    exported = cli.ok("export", "wxr").stdout
    changed = exported.replace("The <strong>Senate</strong> approved it.", "The Senate approved it on Monday.")
    head, rest = changed.split("<wp:post_name>senate-passes-the-budget</wp:post_name>", 1)
    changed = (
        head
        + "<wp:post_name>senate-passes-the-budget</wp:post_name>"
        + rest.replace("<wp:status>publish</wp:status>", "<wp:status>draft</wp:status>", 1)
    )  # unpublished in WordPress
    path = tmp_path / "edited.xml"
    path.write_text(changed)
    target = Cli(db_url=f"sqlite:///{tmp_path / 'other.db'}", runner=cli.runner)
    import_summary(target, "wxr", str(path))
    budget = by_slug(target)["senate-passes-the-budget"]
    assert "on Monday" in budget["body"]
    # balita's notices around the body are not copied into it (they come back as notices).
    assert "Corrections" not in budget["body"] and "20-3" not in budget["body"]
    assert [c["text"] for c in budget["corrections"]] == ["The vote count was 20-3, not 21-2."]
    assert budget["status"] == "draft" and budget["published_at"] is None
    # The others were not touched in WordPress: balita's own copy (the Markdown body, the archive).
    copied, original = by_slug(target), by_slug(cli)
    assert copied["typhoon-luzon"]["body"] == original["typhoon-luzon"]["body"]
    assert copied["an-old-story"]["status"] == "archived"


def test_wordpress_trash_comes_into_the_trash(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "trash.xml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version>
<item><title>Binawi</title><dc:creator><![CDATA[admin]]></dc:creator>
<content:encoded><![CDATA[<p>Nasa basurahan.</p>]]></content:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2024-05-01 02:00:00</wp:post_date_gmt>
<wp:post_name>binawi__trashed</wp:post_name><wp:status>trash</wp:status><wp:post_type>post</wp:post_type>
<wp:postmeta><wp:meta_key>_wp_trash_meta_status</wp:meta_key><wp:meta_value><![CDATA[publish]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_trash_meta_time</wp:meta_key><wp:meta_value><![CDATA[1714615200]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_wp_desired_post_slug</wp:meta_key><wp:meta_value><![CDATA[binawi]]></wp:meta_value></wp:postmeta>
</item></channel></rss>
""")  # fmt: skip
    assert import_summary(cli, "wxr", str(path))["created"] == 1
    assert by_slug(cli) == {}
    trashed = next(iter(by_slug(cli, "--trash").values()))
    assert (trashed["status"], trashed["deleted_at"]) == ("published", "2024-05-02T02:00:00+00:00")
    assert trashed["published_at"] == "2024-05-01T02:00:00+00:00"
    assert "Binawi" not in cli.ok("export", "rss").stdout


def test_co_authors_plus_bylines(cli: Cli) -> None:
    path = corpora_path("wxr", "tryghost-migrate", "mg-wp-xml", "test", "fixtures", "co-authors-plus.xml")
    assert import_summary(cli, "wxr", str(path))["rejected"] == 0
    articles = by_slug(cli)
    assert articles["multi-author-post"]["authors"] == ["Alice Smith", "Bob Jones"]
    assert articles["three-author-post"]["authors"] == ["Alice Smith", "Bob Jones", "Carol White"]
    assert articles["single-coauthor-post"]["authors"] == ["Bob Jones"]
    assert articles["duplicate-author-post"]["authors"] == ["Alice Smith", "Bob Jones"]


@pytest.mark.slow
def test_old_slugs_of_the_accessibility_test_data(cli: Cli) -> None:
    path = corpora_path("wxr", "wordpress-importer", "phpunit", "data", "a11y-unit-test-data.xml")
    root = ElementTree.parse(str(path)).getroot()
    assert root is not None
    expected: dict[str, list[str]] = {}
    for item in root.iter("item"):
        if item.findtext("{*}post_type") != "post" or not item.findtext("{*}post_name"):
            continue
        olds = [m.findtext("{*}meta_value") or "" for m in item.findall("{*}postmeta")
                if m.findtext("{*}meta_key") == "_wp_old_slug"]  # fmt: skip
        if any(old.strip() for old in olds):
            expected[item.findtext("{*}post_name") or ""] = olds
    assert expected, "the accessibility data has posts with old slugs"
    result = import_summary(cli, "wxr", str(path))
    assert result["rejected"] == 0, result["problems"]
    articles = by_slug(cli)
    claimed: dict[str, set[str]] = {}
    for slug, olds in expected.items():
        assert set(articles[slug]["aliases"]) <= set(olds), slug
        for old in olds:
            if old.strip() and old != slug:
                claimed.setdefault(old, set()).add(slug)
    # Every old slug keeps resolving, to a post that claims it (two posts of the real data claim
    # the same two: the first keeps them, the other is reported).
    for old, owners in claimed.items():
        assert cli.json("show", f"slug:{old}", "--format", "json")["slug"] in owners, old
    shared = [w for w in result["warnings"] if "not kept" in w["message"]]
    assert len(shared) == sum(len(owners) - 1 for owners in claimed.values())


def byline_export(creators: list[str]) -> str:
    items = "".join(f"""<item><title>Ulat {n}</title><dc:creator><![CDATA[{creator}]]></dc:creator>
<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>2024-05-{n:02d} 02:00:00</wp:post_date_gmt>
<wp:post_name>ulat-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
""" for n, creator in enumerate(creators, start=1))  # fmt: skip
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login><![CDATA[msantos]]></wp:author_login>\
<wp:author_display_name><![CDATA[Maria Santos]]></wp:author_display_name></wp:author>
{items}</channel></rss>
"""  # fmt: skip


def test_one_mistyped_byline_does_not_rename_eleven_posts(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bylines.xml"
    # The first post's creator is no login of the export, typed by hand: "maria santos".
    path.write_text(byline_export(["maria santos", *["msantos"] * 11]))
    result = import_summary(cli, "wxr", str(path), "--batch-size", "5")
    assert result["created"] == 12
    assert Counter(a for row in by_slug(cli).values() for a in row["authors"]) == {"Maria Santos": 12}
    assert any("'maria santos' (1)" in w["message"] for w in result["warnings"] if w["origin"] == "author")
    assert [a["name"] for a in cli.json("author", "list", "--format", "json")] == ["Maria Santos"]


def test_an_author_the_newsroom_named_keeps_its_name(cli: Cli, tmp_path: Path) -> None:
    cli.new("Earlier story", "--author", "MARIA SANTOS")
    path = tmp_path / "bylines.xml"
    path.write_text(byline_export(["msantos"] * 3))
    import_summary(cli, "wxr", str(path))
    assert {a for row in by_slug(cli).values() for a in row["authors"]} == {"MARIA SANTOS"}


def test_a_dry_run_reports_the_spelling_it_would_keep(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bylines.xml"
    path.write_text(byline_export(["maria-santos", "msantos", "msantos"]))
    result = import_summary(cli, "wxr", str(path), "--dry-run")
    assert any("named 'Maria Santos'" in w["message"] for w in result["warnings"])
    assert by_slug(cli) == {}


def test_hostile_balita_meta_is_left_out_and_the_post_kept(cli: Cli, tmp_path: Path) -> None:
    meta = {
        "_balita_id": "1",
        "_balita_aliases": json.dumps(["../../etc/passwd", "/.htaccess", "/tags/manila/", "/feed.xml",
                                       "javascript:alert(1)", "/" + "x" * 300 + "/", "/2019/05/ok-path/"]),
        "_balita_corrections": "[not json",
        "_balita_photo": "{\"sha256\": \"" + "0" * 64 + "\"}",
        "_balita_status": "published",
        "_balita_source_url": "javascript:alert(1)",
    }  # fmt: skip
    rows = "".join(f"<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value><![CDATA[{v}]]></wp:meta_value>"
                   "</wp:postmeta>" for k, v in meta.items())  # fmt: skip
    path = tmp_path / "hostile.xml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<wp:wxr_version>1.2</wp:wxr_version>
<item><title>Hostile</title><content:encoded><![CDATA[<p>Body</p>]]></content:encoded><wp:post_id>1</wp:post_id>
<wp:post_name>hostile</wp:post_name><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>{rows}</item>
</channel></rss>
""")  # fmt: skip
    result = import_summary(cli, "wxr", str(path))
    assert (result["created"], result["rejected"]) == (1, 0)
    article = by_slug(cli)["hostile"]
    assert article["aliases"] == ["/2019/05/ok-path/"]
    # WordPress says draft, the stale meta says published: WordPress's word stands.
    assert article["status"] == "draft" and article["photo"] is None and article["source_url"] == ""
    assert article["corrections"] == []
    messages = " | ".join(w["message"] for w in result["warnings"])
    for expected in (
        "cannot be a file name",
        "where the site keeps its own pages",
        "not a path of this site",
        "longer than 200",
        "_balita_corrections",
        "no photo",
        "not an http(s) URL",
    ):
        assert expected in messages, expected
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize("name", ["themeunittestdata.wordpress.xml"])
def test_theme_unit_test_summaries_are_plain_text_once(cli: Cli, name: str) -> None:
    import_summary(cli, "wxr", str(corpora_path("wxr", name)))
    wxr = ElementTree.fromstring(cli.ok("export", "wxr").stdout.encode())
    for excerpt in wxr.iter("{http://wordpress.org/export/1.2/excerpt/}encoded"):
        assert "&amp;" not in (excerpt.text or "") and "&nbsp;" not in (excerpt.text or "")


def test_a_post_restored_in_wordpress_is_not_put_back_in_the_trash(cli: Cli, tmp_path: Path) -> None:
    gone = cli.new("Trashed here", "--body", "Body.")
    cli.ok("publish", str(gone))
    cli.ok("delete", str(gone), "--yes")
    exported = cli.ok("export", "wxr", "--trash").stdout
    assert "<wp:status>trash</wp:status>" in exported and "_wp_trash_meta_status" in exported
    path = tmp_path / "restored.xml"
    path.write_text(exported.replace("<wp:status>trash</wp:status>", "<wp:status>publish</wp:status>"))
    target = Cli(db_url=f"sqlite:///{tmp_path / 'other.db'}", runner=cli.runner)
    import_summary(target, "wxr", str(path))
    assert by_slug(target)["trashed-here"]["status"] == "published"
    assert by_slug(target, "--trash") == {}


POEM = """<p>WordPress writes a heading and a preformatted block on two lines:</p>
<h2>The Road Not Taken</h2>
<pre>
 <cite>Robert Frost</cite>


  Two roads diverged in a yellow wood,
  And sorry I could not travel both          (\\_/)

      And be one traveler, long I stood     (='.'=)
</pre>
After the poem.
<pre class="code">  indented = True

  print(indented)</pre>"""


@pytest.mark.slow
def test_a_wordpress_pre_block_keeps_its_lines_and_the_page_is_valid(cli: Cli, tmp_path: Path) -> None:
    """A <pre> after a heading's line, with blank lines inside, comes through the import whole: no
    paragraph inside it (which the Nu checker reports as an error), its indentation kept."""
    from tests.checkers import nu_errors
    from tests.helpers.site import build, page

    export = (
        byline_export(["msantos"])
        .replace("<wp:post_name>", f"<content:encoded><![CDATA[{POEM}]]></content:encoded><wp:post_name>")
        .replace('xmlns:dc="', 'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="')
    )
    path = tmp_path / "poem.xml"
    path.write_text(export)
    import_summary(cli, "wxr", str(path))
    build(cli)
    html_page = tmp_path / "public" / "articles" / "ulat-1" / "index.html"
    body = page(tmp_path / "public", "ulat-1").xpath("//div[@class='story-body']")[0]
    poem, code = body.xpath(".//pre")
    assert poem.xpath(".//p") == [] and code.xpath(".//p") == []
    assert "\n\n\n  Two roads diverged in a yellow wood,\n" in poem.text_content()
    assert "\n\n      And be one traveler" in poem.text_content()
    assert code.text_content() == "  indented = True\n\n  print(indented)"
    assert body.xpath("./p/text()")[-1].strip() == "After the poem."
    assert nu_errors([html_page]) == []
