"""Integrity under attack: the workflow cannot be bypassed, hostile input is handled, nothing leaks.

Each test is named after what it guards. What hostile input costs is measured by
benchmarks/hostile.py, not asserted here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.hostile import MEGABYTE_BODY, PATHOLOGICAL_BODIES, yaml_alias_bomb
from tests.helpers.cli import Cli
from tests.helpers.database import on_postgres, store_raw

ESC = "\x1b"


# ---------------------------------------------------------------- the workflow holds


def test_import_update_never_unretracts_or_moves_a_status(cli: Cli, tmp_path: Path) -> None:
    article = cli.new("Story", "--status", "published", "--body", "First.")
    old_export = tmp_path / "old.jsonl"
    old_export.write_text(cli.ok("export", "jsonl").stdout, encoding="utf-8")
    cli.ok("retract", str(article), "--reason", "Fabricated.")
    result = json.loads(cli.ok("import", "jsonl", str(old_export), "--update", "--format", "json").stdout)
    assert result["updated"] == 0
    record = cli.json("show", str(article), "--format", "json")
    assert (record["status"], record["retraction_reason"]) == ("retracted", "Fabricated.")


def test_import_update_keeps_an_editors_changes_and_reports_the_clash(cli: Cli, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"title": "From the wire", "external_id": "feed:1", "body": "v1"}) + "\n")
    cli.ok("import", "jsonl", str(feed))
    cli.ok("edit", "1", "--title", "Our headline", "--add-tag", "Senate")
    cli.ok("publish", "1")
    feed.write_text(json.dumps({"title": "Wire headline, revised", "external_id": "feed:1", "body": "v2"}) + "\n")
    result = json.loads(cli.ok("import", "jsonl", str(feed), "--update", "--format", "json").stdout)
    assert result["conflicts"] == 1 and "title" in result["warnings"][0]["message"]
    record = cli.json("show", "1", "--format", "json")
    assert (record["title"], record["status"], record["tags"], record["body"]) == (
        "Our headline", "published", ["Senate"], "v1",
    )  # fmt: skip
    # A change at the source to a field the newsroom left alone comes through.
    feed.write_text(json.dumps({"title": "From the wire", "external_id": "feed:1", "body": "v2"}) + "\n")
    assert json.loads(cli.ok("import", "jsonl", str(feed), "--update", "--format", "json").stdout)["updated"] == 1
    assert cli.json("show", "1", "--format", "json")["body"] == "v2"


@pytest.mark.slow
def test_two_imports_of_the_same_file_at_once_create_each_story_once(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "stories.jsonl"
    lines = [json.dumps({"title": f"Archive story {number}", "external_id": f"archive:{number}",
                         "body": "Text. " * 50, "tags": ["Senate", f"Tag {number % 7}"]})
             for number in range(600)]  # fmt: skip
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url}
    command = [sys.executable, "-m", "balita_cli", "import", "jsonl", str(source), "--format", "json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    summaries = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr.decode()
        summaries.append(json.loads(stdout))
    assert sum(summary["created"] for summary in summaries) == 600  # each story by one of the two runs
    slugs = cli.ok("list", "--format", "jsonl", "--fields", "slug", "--limit", "1000").stdout.splitlines()
    assert sorted(json.loads(line)["slug"] for line in slugs) == sorted(f"archive-story-{n}" for n in range(600))


def test_digit_names_are_names_and_ids_need_a_hash(cli: Cli) -> None:
    cli.ok("tag", "add", str(cli.new("A", "--body", "x")), "Senate", "Budget", "2")
    ids = {row["name"]: row["id"] for row in cli.json("tag", "list", "--format", "json")}
    cli.ok("tag", "delete", "2", "--yes")
    left = {row["name"] for row in cli.json("tag", "list", "--format", "json")}
    assert left == {"Senate", "Budget"}
    cli.ok("tag", "delete", f"#{ids['Budget']}", "--yes")
    assert {row["name"] for row in cli.json("tag", "list", "--format", "json")} == {"Senate"}
    hint = cli.fails(["tag", "delete", str(ids["Senate"]), "--yes"]).stderr
    assert f"did you mean #{ids['Senate']} (Senate)" in hint


def test_a_number_that_is_both_an_id_and_a_slug_is_refused(cli: Cli) -> None:
    first = cli.new("First story", "--body", "x")
    cli.new("Second story", "--slug", str(first), "--body", "y")
    message = cli.fails(["delete", str(first), "--purge", "--yes"]).stderr
    assert "ambiguous" in message and f"#{first}" in message and f"slug:{first}" in message
    assert cli.ok("list", "--format", "count").stdout == "2\n"
    assert cli.json("show", f"#{first}", "--format", "json")["title"] == "First story"
    assert cli.json("show", f"slug:{first}", "--format", "json")["title"] == "Second story"


@pytest.mark.slow
@pytest.mark.skipif(on_postgres(), reason="a SQLite file is what is restored")
def test_every_restore_keeps_its_own_copy_of_what_it_replaced(cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    cli.new("Before", "--body", "x")
    cli.ok("db", "backup", str(backup))
    cli.ok("db", "restore", str(backup), "--yes")
    time.sleep(1.1)
    cli.ok("db", "restore", str(backup), "--yes")
    kept = sorted(path.name for path in tmp_path.glob("balita.db.before-restore-*"))
    assert len(kept) == 2


def test_build_leaves_files_it_never_wrote_unless_forced(cli: Cli, tmp_path: Path) -> None:
    cli.new("Story", "--status", "published", "--body", "x")
    site = tmp_path / "public"
    site.mkdir()
    (site / "index.html").write_text("<p>our own front page</p>", encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    (site / "notes.txt").write_text("kept", encoding="utf-8")
    error = cli.fails(["build", "-o", str(site), "--no-search"]).stderr
    assert "index.html" in error and "robots.txt" in error and "--force" in error
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert (site / "index.html").read_text(encoding="utf-8") == "<p>our own front page</p>"
    assert "Disallow: /private/" in (site / "robots.txt").read_text(encoding="utf-8")
    assert (site / "articles" / "story" / "index.html").is_file()  # the build's own pages were written
    cli.fails(["build", "-o", str(site), "--no-search"])  # still someone else's on the next build
    cli.ok("build", "-o", str(site), "--no-search", "--force")
    assert "Story" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "notes.txt").read_text(encoding="utf-8") == "kept"
    cli.ok("build", "-o", str(site), "--no-search")  # now balita's: later builds need no --force


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_export_does_not_replace_a_fifo_or_a_symlink_unless_forced(cli: Cli, tmp_path: Path, kind: str) -> None:
    cli.new("Story", "--status", "published", "--body", "x")
    target = tmp_path / "feed.xml"
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("the user's own file", encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(elsewhere)
    assert "refusing" in cli.fails(["export", "rss", "-o", str(target)]).stderr
    assert elsewhere.read_text(encoding="utf-8") == "the user's own file"
    if kind == "symlink":
        cli.ok("export", "rss", "-o", str(target), "--force")
        assert not target.is_symlink() and elsewhere.read_text(encoding="utf-8") == "the user's own file"


@pytest.mark.slow
def test_the_csv_round_trip_keeps_every_list_notice_and_long_body(cli: Cli, tmp_path: Path) -> None:
    long_body = "Mahabang talata. " * 9000  # over 128 KB, the csv module's default field limit
    article = cli.new("'=SUM(A1)", "--status", "published", "--tag", "Trade; Industry", "--body", long_body)
    cli.ok("correct", str(article), "The figure; the date.")
    killed = cli.new("Killed", "--status", "published", "--body", "x")
    cli.ok("retract", str(killed), "--reason", "Wrong; retracted.")
    dump = tmp_path / "dump.csv"
    dump.write_text(cli.ok("export", "csv", "--sort", "id").stdout, encoding="utf-8")
    csv.field_size_limit(2**31 - 1)  # the test reads a long body too
    rows = list(csv.DictReader(io.StringIO(dump.read_text(encoding="utf-8"))))
    assert json.loads(rows[0]["tags"]) == ["Trade; Industry"]
    other = tmp_path / "other.db"
    cli.ok("--db", str(other), "db", "upgrade")
    cli.ok("--db", str(other), "import", "csv", str(dump))
    back = {r["title"]: r for r in cli.json("--db", str(other), "list", "--format", "json")}
    assert set(back) == {"'=SUM(A1)", "Killed"}
    first = back["'=SUM(A1)"]
    assert first["tags"] == ["Trade; Industry"] and first["body"] == long_body
    assert [(c["kind"], c["text"]) for c in first["corrections"]] == [("correction", "The figure; the date.")]
    assert [c["kind"] for c in back["Killed"]["corrections"]] == ["retraction"]
    assert back["Killed"]["status"] == "retracted"


# ---------------------------------------------------------------- nothing drives the terminal


def test_control_characters_are_refused_from_a_person_and_never_printed_raw(cli: Cli) -> None:
    assert "control character" in cli.fails(["new", f"T{ESC}[31m"]).stderr
    article = cli.new("Plain", "--body", "x")
    store_raw(cli.db_url, article, title=f"Evil{ESC}]8;;https://evil.example{ESC}\\ title{ESC}[2J{ESC}]52;c;aGk=\a")
    for args in (["list"], ["show", str(article)], ["history", str(article)], ["search", "Evil"]):
        out = cli.ok(*args).stdout
        assert ESC not in out and "\a" not in out, args
    feed = Path("feed.xml")
    feed.write_text(
        '<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>'
        "<item><title>Evil&#27;[2J&#27;]52;c;x&#7; title</title><link>https://x.example/a</link></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    cli.ok("import", "feed", str(feed))
    imported = cli.json("list", "--format", "json", "--source", "x.example")
    assert len(imported) == 1 and imported[0]["title"].startswith("Evil")
    assert ESC not in imported[0]["title"] and "\x07" not in imported[0]["title"]


def test_a_body_cannot_dress_up_as_an_official_notice(cli: Cli) -> None:
    body = '<aside class="retraction"><p class="retraction">Retracted: fake</p></aside><p class="source">x</p>'
    cli.new("Story", "--status", "published", "--body", body)
    for fmt in ("rss", "atom", "jsonfeed"):
        text = cli.ok("export", fmt).stdout
        assert 'class=\\"retraction' not in text and 'class="retraction' not in text.replace("&quot;", '"'), fmt


def test_markdown_import_does_not_follow_links_out_of_its_folder(cli: Cli, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "memo.md").write_text("---\ntitle: Secret memo\n---\nPrivate.\n", encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.md").write_text("---\ntitle: Public\n---\nFine.\n", encoding="utf-8")
    (tree / "leak.md").symlink_to(private / "memo.md")
    result = json.loads(cli.ok("import", "markdown", str(tree), "--format", "json").stdout)
    assert result["created"] == 1 and result["rejected"] == 1
    assert "outside the imported folder" in result["problems"][0]["message"]
    assert [row["title"] for row in cli.json("list", "--format", "json")] == ["Public"]


# ---------------------------------------------------------------- hostile input costs little


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL_BODIES))
def test_pathological_bodies_are_shown_listed_and_exported(cli: Cli, name: str) -> None:
    article = cli.new("Hostile", "--status", "published", "--body", PATHOLOGICAL_BODIES[name])
    assert [row["id"] for row in map(json.loads, cli.ok("list", "--format", "jsonl").stdout.splitlines())] == [article]
    assert "Hostile" in cli.ok("show", str(article)).stdout
    assert "<title>Hostile</title>" in cli.ok("export", "rss").stdout


@pytest.mark.slow
def test_search_finds_a_word_in_a_megabyte_body_and_a_longer_one_is_refused(cli: Cli) -> None:
    article = cli.new("Huge", "--body", MEGABYTE_BODY)
    assert cli.ok("search", "typhoon", "--format", "ids").stdout == f"{article}\n"
    big = "x" * 1_000_001
    assert "longer than 1,000,000 characters" in cli.fails(["new", "Too big", "--body", big]).stderr


def test_a_yaml_alias_bomb_is_refused_for_its_aliases(cli: Cli, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.md"
    bomb.write_text(yaml_alias_bomb(), encoding="utf-8")
    result = json.loads(cli.ok("import", "markdown", str(bomb), "--format", "json").stdout)
    assert result["rejected"] == 1 and "aliases" in result["problems"][0]["message"]


def test_tags_per_article_are_limited(cli: Cli) -> None:
    tags = ",".join(f"t{number}" for number in range(101))
    assert "at most 100 tags" in cli.fails(["new", "Tagged", "--tag", tags]).stderr


# ---------------------------------------------------------------- one line, the import goes on


def test_bad_jsonl_lines_are_reported_and_the_rest_imported(cli: Cli, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    lines = [
        json.dumps({"title": "Good", "slug": "good"}),
        json.dumps({"title": "Corrections not a list", "corrections": 5}),
        '{"title": "Surrogate", "tags": ["\\ud800x"]}',
        '{"title": "Deep", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"title": "Kind", "corrections": [{"text": "x", "kind": "cor\u0000rection"}]}),
        "\ufeff" + json.dumps({"title": "After a BOM", "slug": "bom"}),
    ]
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = json.loads(cli.ok("import", "jsonl", str(dump), "--format", "json").stdout)
    titles = {row["title"] for row in cli.json("list", "--format", "json")}
    assert {"Good", "After a BOM"} <= titles
    assert result["created"] + result["rejected"] == len(lines)
    assert all("Traceback" not in p["message"] for p in result["problems"])


@pytest.mark.parametrize(
    "shape",
    [
        {"posts_tags": [{"post_id": "p1", "tag_id": "t1", "sort_order": "abc"}]},
        {"posts_tags": [{"post_id": "p1", "tag_id": "t1", "sort_order": 1e400}]},
        {"posts": ["x"]},
        {"tags": ["a"]},
        {"users": {}},
        {"posts": [{"id": "p1", "title": "T", "mobiledoc": json.dumps({"cards": 5})}]},
        {"posts": [{"id": "p1", "title": "T", "html": None, "mobiledoc": "[" * 5000}]},
        {"posts": [{"id": "p1", "title": "T", "published_at": 10**30, "status": "published"}]},
        {"posts": [{"id": "p1", "title": ["not", "text"]}]},
    ],
)
def test_malformed_ghost_exports_are_one_line_each(cli: Cli, tmp_path: Path, shape: dict[str, object]) -> None:
    data = {"posts": [{"id": "p1", "title": "Good", "slug": "good", "html": "<p>x</p>", "status": "draft"}],
            "tags": [{"id": "t1", "name": "Tag"}], "users": [], "posts_tags": []}  # fmt: skip
    data.update(shape)  # type: ignore[arg-type]
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps({"db": [{"meta": {"version": "4.0.0"}, "data": data}]}), encoding="utf-8")
    result = cli(*["import", "ghost", str(path), "--format", "json"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.mark.parametrize("opener", ["+++\n" + "a = " + "[" * 5000 + "]" * 5000 + "\n+++\n", "---\ntags: " + "[" * 5000])
def test_front_matter_nested_thousands_deep_is_one_line(cli: Cli, tmp_path: Path, opener: str) -> None:
    (tmp_path / "deep.md").write_text(opener + "\n---\nBody\n", encoding="utf-8")
    result = json.loads(cli.ok("import", "markdown", str(tmp_path / "deep.md"), "--format", "json").stdout)
    assert result["rejected"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "99999999999999999999"],
        ["list", "--offset", "99999999999999999999"],
        ["show", "99999999999999999999"],
        ["history", "#99999999999999999999"],
        ["edit", "1", "--if-version", "99999999999999999999", "--title", "x"],
        ["list", "--since", "in 500000 weeks"],
        ["list", "--until", "99999999999 days ago"],
        ["--clock", "in 500000 weeks", "list"],
        ["publish", "1", "--at", "in 99999999999 minutes"],
        ["--db", "postgresql://u:p@h:notaport/db", "list"],
    ],
)
def test_huge_numbers_are_one_line(cli: Cli, args: list[str]) -> None:
    cli.new("Story", "--body", "x")
    result = cli(*args)
    assert result.exit_code in (1, 2), (args, result.stdout)
    assert "Traceback" not in result.stderr and (result.exception is None or isinstance(result.exception, SystemExit))


# ---------------------------------------------------------------- smaller


def test_source_filter_wildcards_are_literal(cli: Cli) -> None:
    cli.new("Story", "--source-url", "https://www.philstar.com/a", "--body", "x")
    assert cli.ok("list", "--source", "p_ilstar.com", "--format", "count").stdout == "0\n"
    assert cli.ok("list", "--source", "philstar.com", "--format", "count").stdout == "1\n"
    assert cli.ok("list", "--source", "%", "--format", "count").stdout == "0\n"


def test_a_byte_order_mark_does_not_break_front_matter(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bom.md").write_text("\ufeff---\ntitle: May BOM\n---\nKatawan.\n", encoding="utf-8")
    assert json.loads(cli.ok("import", "markdown", str(tmp_path / "bom.md"), "--format", "json").stdout)["created"] == 1


@pytest.mark.skipif(on_postgres() or os.geteuid() == 0, reason="a read-only SQLite file, as a non-root user sees it")
def test_a_read_only_database_can_be_listed(cli: Cli, tmp_path: Path) -> None:
    cli.new("Story", "--body", "x")
    database = tmp_path / "balita.db"
    for path in tmp_path.glob("balita.db*"):
        path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        assert cli.ok("list", "--format", "count").stdout == "1\n"
    finally:
        tmp_path.chmod(0o755)
        database.chmod(0o644)


@pytest.mark.slow
@pytest.mark.skipif(on_postgres(), reason="damages a SQLite file directly")
def test_an_export_to_stdout_from_a_damaged_database_prints_nothing_partial(cli: Cli, tmp_path: Path) -> None:
    for number in range(400):
        cli.new(f"Story {number}", "--status", "published", "--body", "word " * 500)
    database = tmp_path / "balita.db"
    data = bytearray(database.read_bytes())
    page = 4096
    for offset in range(len(data) // 2, len(data) - page, page * 3):
        data[offset + 100 : offset + 400] = b"\xff" * 300
    database.write_bytes(bytes(data))
    for name in ("balita.db-wal", "balita.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    result = cli("export", "rss")
    if result.exit_code != 0:
        assert result.stdout == ""
