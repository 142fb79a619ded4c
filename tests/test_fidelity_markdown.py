"""Markdown trees, both ways: Jekyll, Hugo and Zola content coming in, and the Hugo site that
``balita export markdown`` writes (built by Hugo itself where it is installed, as in CI).

tests/fixtures/fidelity/jekyll-site is a Jekyll site in the shape of a real one: ``_posts`` with
dated file names (one with single digits, one with a date only Ruby reads), ``_drafts``,
``published: false``, ``excerpt`` and ``description``, Liquid tags, ``permalink`` and
``redirect_from``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.corpora import corpora_path
from tests.helpers.programs import needs_program
from tests.helpers.records import Stories, by_slug, import_summary

FIXTURES = Path(__file__).parent / "fixtures" / "fidelity"


# ---------------------------------------------------------------- Jekyll


def test_jekyll_site_drafts_dates_summaries_and_old_addresses(cli: Cli) -> None:
    result = import_summary(cli, "markdown", str(FIXTURES / "jekyll-site"))
    assert (result["created"], result["rejected"]) == (8, 0), result["problems"]
    articles = by_slug(cli)

    # Drafts stay drafts: `published: false` in _posts, and everything in _drafts.
    assert articles["not-published"]["status"] == "draft" and articles["not-published"]["published_at"] is None
    assert articles["a-draft-without-a-date"]["status"] == "draft"
    assert articles["a-draft-without-a-date"]["published_at"] is None
    public = cli.ok("export", "rss").stdout + cli.ok("export", "jsonfeed").stdout
    assert "NOT-PUBLISHED-BODY" not in public and "DRAFT-BODY" not in public

    # A file-name date (single digits as Jekyll allows them) and the same date in front matter are
    # one instant: midnight in the site's zone (Asia/Manila).
    assert articles["single-digit-date"]["published_at"] == "2024-01-04T16:00:00+00:00"
    assert articles["same-day-in-front-matter"]["published_at"] == "2024-01-04T16:00:00+00:00"
    # The date only Ruby reads gives way to the file name's, and the summary says so.
    assert articles["date-python-cannot-read"]["published_at"] == "2023-01-28T16:00:00+00:00"
    notes = {w["origin"]: w["message"] for w in result["warnings"]}
    assert "file name's date" in notes["_posts/2023-01-29-date-python-cannot-read.markdown"]

    # Jekyll's excerpt is the summary; the description (for search engines) is not.
    assert articles["excerpt-and-description"]["summary"] == "The excerpt, which Jekyll shows in lists"
    # Liquid is kept as text, and each file with it is reported.
    liquid = [w for w in result["warnings"] if "template code" in w["message"]]
    assert [w["origin"] for w in liquid] == ["_posts/2024-02-11-liquid.md"]
    assert "{% highlight ruby %}" in articles["liquid"]["body"]

    # Every old address keeps resolving: redirect_from entries and the permalink, as paths.
    moved = articles["moved"]
    assert moved["aliases"] == ["/2019/05/15/old-moved-post.html", "/blog/moved-post/", "/news/2024/moved-post/"]
    for alias in moved["aliases"]:
        assert cli.json("show", alias, "--format", "json")["slug"] == "moved"

    assert import_summary(cli, "markdown", str(FIXTURES / "jekyll-site"))["created"] == 0


def test_real_jekyll_posts_come_in_whole(cli: Cli) -> None:
    folder = corpora_path("frontmatter", "jekyll-docs-posts")
    posts = [f for f in folder.iterdir() if f.suffix in {".md", ".markdown"}]
    result = import_summary(cli, "markdown", str(folder))
    assert result["rejected"] == 0 and result["created"] == len(posts)
    liquid = [w for w in result["warnings"] if "template code" in w["message"]]
    with_code = [f for f in posts if "{%" in f.read_text() or "{{" in f.read_text()]
    assert len(liquid) == len(with_code) > 0
    redirected = [f for f in posts if "redirect_from:" in f.read_text()]
    articles = by_slug(cli)
    for file in redirected:
        slug = file.stem.split("-", 3)[3]
        assert any(alias.startswith("/news/") for alias in articles[slug]["aliases"]), slug


# ---------------------------------------------------------------- Hugo


def test_hugo_url_and_aliases_of_another_site_keep_resolving(cli: Cli, tmp_path: Path) -> None:
    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    (content / "typhoon.md").write_text(
        "---\ntitle: Typhoon\ndate: 2024-08-01T08:00:00+08:00\nurl: /2024/08/typhoon-update/\n"
        "aliases: [/posts/old-typhoon/, old-name, https://old.example.ph/bagyo.html]\n---\nBody\n"
    )
    import_summary(cli, "markdown", str(tmp_path / "content"))
    typhoon = by_slug(cli)["typhoon"]
    assert typhoon["aliases"] == ["/posts/old-typhoon/", "old-name", "/bagyo.html", "/2024/08/typhoon-update/"]


def fill_stories_in_every_state(cli: Cli) -> Stories:
    ids = {
        "main": cli.new("Senate passes the budget", "--section", "Politics", "--author", "Maria Santos",
                        "--body", "The **Senate** approved it.\n\n    indented code\n"),
        "old": cli.new("An old story", "--section", "Nation", "--body", "OLD-BODY"),
        "killed": cli.new("Killed story", "--section", "Nation", "--body", "RETRACTED-BODY"),
        "draft": cli.new("Draft story", "--section", "Nation", "--body", "DRAFT-BODY"),
        "gone": cli.new("Trashed story", "--section", "Nation", "--body", "Gone."),
        "moving": cli.new("Moving story", "--section", "Nation", "--body", "Moves."),
    }  # fmt: skip
    for name in ("main", "old", "killed", "gone", "moving"):
        cli.ok("publish", str(ids[name]))
    cli.ok("edit", str(ids["main"]), "--slug", "senate-budget")
    cli.ok("archive", str(ids["old"]))
    cli.ok("retract", str(ids["killed"]), "--reason", "It relied on a fabricated document.")
    return ids


@pytest.mark.slow
def test_own_tree_aliases_come_back_as_old_slugs(cli: Cli, tmp_path: Path) -> None:
    fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    text = (out / "content" / "politics" / "senate-budget.md").read_text()
    assert "aliases:\n- /articles/senate-passes-the-budget/\n" in text
    target = Cli(db_url=f"sqlite:///{tmp_path / 'copy.db'}", runner=cli.runner)
    import_summary(target, "markdown", str(out / "content"))
    copied = by_slug(target)["senate-budget"]
    assert copied["aliases"] == ["senate-passes-the-budget"]  # a slug again, not "articles-senate-passes-…"
    assert copied["body"] == "The **Senate** approved it.\n\n    indented code\n"


@pytest.mark.slow
def test_hugo_builds_a_browsable_site_from_the_tree(cli: Cli, tmp_path: Path) -> None:
    hugo = needs_program("hugo")
    fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    assert (out / "themes" / "balita" / "layouts" / "_default" / "single.html").is_file()
    build = subprocess.run([hugo, "--source", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert build.returncode == 0, build.stderr
    public = out / "public"
    page = (public / "articles" / "senate-budget" / "index.html").read_text()
    assert "<strong>Senate</strong>" in page and "Maria Santos" in page and "<title>Senate passes the budget" in page
    redirect = (public / "articles" / "senate-passes-the-budget" / "index.html").read_text()
    assert "/articles/senate-budget/" in redirect
    home = (public / "index.html").read_text()
    assert "/articles/senate-budget/" in home
    # Archived: its page stays, but it leaves the lists and the feed.
    assert (public / "articles" / "an-old-story" / "index.html").is_file()
    assert "an-old-story" not in home and "an-old-story" not in (public / "index.xml").read_text()
    assert "an-old-story" not in (public / "nation" / "index.html").read_text()
    # Retracted: the notice, never the story.
    killed = (public / "articles" / "killed-story" / "index.html").read_text()
    assert "fabricated document" in killed and "RETRACTED-BODY" not in killed
    built = "".join(p.read_text(errors="replace") for p in public.rglob("*.html"))
    assert "DRAFT-BODY" not in built and "RETRACTED-BODY" not in built


# ---------------------------------------------------------------- the tree kept in step


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_second_export_removes_what_no_longer_belongs(cli: Cli, tmp_path: Path) -> None:
    ids = fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    assert {"content/nation/trashed-story.md", "content/nation/moving-story.md"} <= files(out)
    mine = out / "content" / "nation" / "my-own-note.md"
    mine.write_text("---\ntitle: Written by hand\n---\nNot balita's.\n")
    (out / "static").mkdir()
    (out / "static" / "logo.svg").write_text("<svg/>")
    layout = out / "themes" / "balita" / "layouts" / "_default" / "list.html"
    layout.write_text(layout.read_text() + "<!-- my change -->\n")

    cli.ok("delete", str(ids["gone"]), "--yes")
    cli.ok("edit", str(ids["moving"]), "--section", "Politics")
    cli.ok("export", "markdown", "-o", str(out))

    now = files(out)
    assert "content/nation/trashed-story.md" not in now
    assert "content/nation/moving-story.md" not in now and "content/politics/moving-story.md" in now
    assert mine.read_text() == "---\ntitle: Written by hand\n---\nNot balita's.\n"  # never touched
    assert (out / "static" / "logo.svg").is_file()
    assert layout.read_text().endswith("<!-- my change -->\n")  # a changed layout is theirs now
    manifest = json.loads((out / ".balita-export.json").read_text())
    assert "content/politics/moving-story.md" in manifest["files"]
    assert "content/nation/my-own-note.md" not in manifest["files"]

    # A filtered export holds only what it selects: the rest of the last export goes.
    cli.ok("export", "markdown", "-o", str(out), "--section", "Politics")
    assert not any(path.startswith("content/nation/") and path != "content/nation/my-own-note.md"
                   for path in files(out))  # fmt: skip


@pytest.mark.slow
def test_a_file_the_export_did_not_write_is_never_replaced(cli: Cli, tmp_path: Path) -> None:
    fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    (out / "content" / "politics").mkdir(parents=True)
    theirs = out / "content" / "politics" / "senate-budget.md"
    theirs.write_text("---\ntitle: Someone else's page\n---\nKeep me.\n")
    (out / "hugo.toml").write_text('baseURL = "https://mine.example/"\ntheme = "mytheme"\n')
    result = cli.fails(["export", "markdown", "-o", str(out)], 1)
    assert "was not written by balita export" in result.stderr and "senate-budget.md" in result.stderr
    assert theirs.read_text() == "---\ntitle: Someone else's page\n---\nKeep me.\n"
    assert (out / "hugo.toml").read_text() == 'baseURL = "https://mine.example/"\ntheme = "mytheme"\n'


@pytest.mark.slow
def test_an_older_export_without_manifest_is_taken_over(cli: Cli, tmp_path: Path) -> None:
    """Trees from before the manifest: content files balita wrote (params with id and status)
    and the hugo.toml it wrote are recognised and rewritten, the theme switched on."""
    from balita_cli.config import Site
    from balita_cli.formats.markdown import MANIFEST, hugo_config

    fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    (out / MANIFEST).unlink()
    shutil.rmtree(out / "themes")
    (out / "hugo.toml").write_text(hugo_config(Site(), theme=False))
    cli.ok("export", "markdown", "-o", str(out))
    assert 'theme = "balita"' in (out / "hugo.toml").read_text()
    assert (out / "themes" / "balita" / "layouts" / "_default" / "baseof.html").is_file()


@pytest.mark.slow
def test_a_hostile_manifest_cannot_remove_anything_outside_the_tree(cli: Cli, tmp_path: Path) -> None:
    import hashlib

    fill_stories_in_every_state(cli)
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    victim = tmp_path / "precious.txt"
    victim.write_text("keep")
    inside = out / "notes.txt"
    inside.write_text("mine")
    digest = hashlib.sha256(b"keep").hexdigest()
    manifest = json.loads((out / ".balita-export.json").read_text())
    manifest["files"].update({"../precious.txt": digest, "content/../../precious.txt": digest,
                              str(victim): digest, "notes.txt": hashlib.sha256(b"mine").hexdigest()})  # fmt: skip
    (out / ".balita-export.json").write_text(json.dumps(manifest))
    cli.ok("export", "markdown", "-o", str(out))
    assert victim.read_text() == "keep" and inside.read_text() == "mine"
    (out / ".balita-export.json").write_text("[" * 100_000)  # unreadable: counts as no manifest
    cli.ok("export", "markdown", "-o", str(out))
    assert (out / "content" / "politics" / "senate-budget.md").is_file()


def test_hostile_front_matter_values_are_left_out_with_a_note(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "x.md").write_text(
        "---\ntitle: Hostile\nsubtitle: {a: 1}\naliases: ['../../etc/passwd', '/.git/config', '/ok/path/']\n"
        "params:\n  corrections: not a list\n  expires_at: someday\n  source_url: 'javascript:alert(1)'\n---\nBody\n"
    )
    result = import_summary(cli, "markdown", str(tmp_path / "content"))
    assert (result["created"], result["rejected"]) == (1, 0)
    article = by_slug(cli)["x"]
    assert article["aliases"] == ["/ok/path/"] and article["corrections"] == []
    assert article["subtitle"] == "" and article["source_url"] == "" and article["expires_at"] is None
    messages = " | ".join(w["message"] for w in result["warnings"])
    for expected in ("subtitle must be text", "corrections must be a list", "cannot read date",
                     "cannot be a file name", "not an http(s) URL"):  # fmt: skip
        assert expected in messages, expected


def test_entities_in_a_body_are_decoded_once_in_derived_summaries(cli: Cli, tmp_path: Path) -> None:
    import frontmatter

    cli.new("Fish", "--body", "Fish &amp; chips&nbsp;today.\n\nMore.", "--section", "Food")
    assert cli.json("show", "fish", "--format", "json")["summary"] == "Fish & chips today."
    out = tmp_path / "site"
    cli.ok("export", "markdown", "-o", str(out))
    assert frontmatter.load(out / "content" / "food" / "fish.md")["summary"] == "Fish & chips today."
    wxr = cli.ok("export", "wxr").stdout
    assert "<excerpt:encoded><![CDATA[Fish & chips today.]]></excerpt:encoded>" in wxr
    assert "&amp;amp;" not in wxr and "&amp;nbsp;" not in wxr


def test_a_link_out_of_the_tree_is_not_written_through(cli: Cli, tmp_path: Path) -> None:
    cli.new("Senate passes the budget", "--section", "Politics")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "site"
    (out / "content").mkdir(parents=True)
    (out / "content" / "politics").symlink_to(outside, target_is_directory=True)
    result = cli.fails(["export", "markdown", "-o", str(out)], 1)
    assert "leads out of" in result.stderr
    assert list(outside.iterdir()) == []
