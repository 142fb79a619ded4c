"""new/create, show, edit, delete and restore through the real command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from balita_cli.services.documents import PLACEHOLDER
from tests.helpers.cli import BalitaProcess, Cli, editor_script


def record(cli: Cli, ref: str | int) -> dict[str, Any]:
    data: dict[str, Any] = cli.json("show", str(ref), "--format", "json")
    return data


# ---------------------------------------------------------------- new


def test_new_with_every_flag(cli: Cli) -> None:
    article_id = cli.new(
        "Senate approves 2027 budget",
        "--body", "The Senate voted **17-3**.",
        "--subtitle", "Third reading", "--summary", "Budget passes.",
        "--section", "Politics", "--tag", "Senate", "--tag", "Budget, Congress",
        "--author", "Maria Santos", "--author", "Jose Dela Cruz", "--lang", "fil",
        "--source-name", "philstar.com", "--source-url", "https://www.philstar.com/x",
        "--canonical-url", "https://www.philstar.com/x", "--image-url", "https://img/x.jpg",
        "--image-alt", "Senate floor", "--image-caption", "Session hall", "--image-credit", "PNA",
        "--dateline", "MANILA", "--note", "check figures", "--featured",
    )  # fmt: skip
    data = record(cli, article_id)
    assert data["title"] == "Senate approves 2027 budget"
    assert data["slug"] == "senate-approves-2027-budget"
    assert data["body"] == "The Senate voted **17-3**."
    assert data["subtitle"] == "Third reading" and data["summary"] == "Budget passes."
    assert data["section"] == "Politics"
    assert data["tags"] == ["Budget", "Congress", "Senate"]
    assert data["authors"] == ["Maria Santos", "Jose Dela Cruz"]
    assert data["language"] == "fil" and data["status"] == "draft" and data["version"] == 1
    assert data["source_name"] == "philstar.com" and data["source_url"] == "https://www.philstar.com/x"
    assert data["image_alt"] == "Senate floor" and data["image_credit"] == "PNA"
    assert data["dateline"] == "MANILA" and data["editor_note"] == "check figures"
    assert data["featured"] is True


def test_new_reports_on_stderr_and_porcelain_prints_only_the_id(cli: Cli) -> None:
    plain = cli.ok("new", "First story", "--body", "x")
    assert plain.stdout == ""
    assert "Created article 1" in plain.stderr
    porcelain = cli.ok("new", "Second story", "--body", "x", "--porcelain")
    assert porcelain.stdout == "2\n"


def test_new_format_json_and_create_alias(cli: Cli) -> None:
    data = json.loads(cli.ok("create", "Alias story", "--body", "b", "--format", "json").stdout)
    assert data["title"] == "Alias story" and data["id"] == 1
    assert data["url"].endswith("/articles/alias-story/")


def test_body_file_and_stdin(cli: Cli, tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text("# Heading\n\nMula sa file.\n", encoding="utf-8")
    from_file = cli.new("From a file", "--body-file", str(story))
    assert record(cli, from_file)["body"] == "# Heading\n\nMula sa file.\n"
    from_stdin = int(cli.ok("new", "From stdin", "--body-file", "-", "--porcelain", input="Galing sa stdin ñ\n").stdout)
    assert record(cli, from_stdin)["body"] == "Galing sa stdin ñ\n"


@pytest.mark.slow
def test_body_from_stdin_in_a_separate_process(balita_process: BalitaProcess) -> None:
    created = balita_process("new", "Piped", "--body-file", "-", "--porcelain", input="Piped body\n")
    assert created.returncode == 0, created.stderr
    shown = balita_process("show", created.stdout.strip(), "--format", "json")
    assert json.loads(shown.stdout)["body"] == "Piped body\n"


def test_new_in_editor(cli: Cli, tmp_path: Path) -> None:
    editor = editor_script(
        tmp_path, "write",
        f"text = text.replace(\"title: ''\", 'title: Bagong balita').replace({PLACEHOLDER!r}, 'Isinulat sa editor.')\n"
        "path.write_text(text, encoding='utf-8')",
    )  # fmt: skip
    result = cli.ok("new", "--edit", "--tag", "Manila", "--porcelain", env={"EDITOR": editor})
    data = record(cli, result.stdout.strip())
    assert data["title"] == "Bagong balita"
    assert data["body"] == "Isinulat sa editor."
    assert data["tags"] == ["Manila"]


def front_matter_keys(document: str) -> list[str]:
    import yaml

    return list(yaml.safe_load(document.split("\n---", 1)[0].removeprefix("---")))


def test_new_in_editor_opens_the_document_edit_opens(cli: Cli, tmp_path: Path) -> None:
    seen = tmp_path / "seen.md"
    look = {"EDITOR": editor_script(tmp_path, "look", f"pathlib.Path({str(seen)!r}).write_text(text); sys.exit(1)")}
    assert cli("new", "--edit", "Kept aside", "--tag", "Manila", env=look).exit_code == 1
    new_document = seen.read_text(encoding="utf-8")
    article = cli.new("Kept aside", "--tag", "Manila", "--body", "Text.")
    assert cli("edit", str(article), env=look).exit_code == 1
    edit_document = seen.read_text(encoding="utf-8")
    # The same fields in the same order; edit's says which version it was made from.
    assert [*front_matter_keys(new_document), "version"] == front_matter_keys(edit_document)
    assert PLACEHOLDER in new_document and "title: Kept aside" in new_document and "- Manila" in new_document


def test_a_placeholder_left_in_place_is_never_saved(cli: Cli, tmp_path: Path) -> None:
    summary_only = editor_script(
        tmp_path,
        "summary",
        "text = text.replace(\"summary: ''\", 'summary: Maikli.')\npath.write_text(text, encoding='utf-8')",
    )
    created = cli.ok("new", "--edit", "Walang laman", "--porcelain", env={"EDITOR": summary_only}).stdout.strip()
    assert record(cli, created)["body"] == "" and record(cli, created)["summary"] == "Maikli."
    # edit shows the placeholder for the empty body, and saving the document keeps the body empty
    retitle = editor_script(
        tmp_path,
        "retitle",
        "text = text.replace('title: Walang laman', 'title: Wala pa')\npath.write_text(text, encoding='utf-8')",
    )
    cli.ok("edit", created, env={"EDITOR": retitle})
    assert record(cli, created)["title"] == "Wala pa" and record(cli, created)["body"] == ""


def test_text_written_around_the_placeholder_is_kept_without_it(cli: Cli, tmp_path: Path) -> None:
    around = editor_script(
        tmp_path,
        "around",
        f"text = text.replace({PLACEHOLDER!r}, 'Una.\\n\\n' + "
        f"{PLACEHOLDER!r} + '\\n\\nIkalawa.')\npath.write_text(text, encoding='utf-8')",
    )
    created = cli.ok("new", "--edit", "May laman", "--porcelain", env={"EDITOR": around}).stdout.strip()
    assert record(cli, created)["body"] == "Una.\n\n\nIkalawa."
    assert PLACEHOLDER not in cli.ok("export", "jsonl").stdout


def test_new_in_editor_left_as_it_was_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    unchanged = {"EDITOR": editor_script(tmp_path, "unchanged", "pass")}
    result = cli("new", "--edit", "Hindi isinulat", env=unchanged)
    assert result.exit_code == 1 and result.stderr == "error: the document was not changed; nothing was saved\n"
    assert cli.ok("list", "--format", "count").stdout == "0\n"


def test_filipino_title_with_enye(cli: Cli) -> None:
    article_id = cli.new("Parañaque", "--body", "Baha sa Parañaque.")
    data = record(cli, "paranaque")
    assert data["id"] == article_id and data["title"] == "Parañaque"


def test_large_body_round_trips_exactly(cli: Cli, tmp_path: Path) -> None:
    paragraph = "Ang Parañaque ay lungsod sa Kalakhang Maynila — “quoted” text.\t\n\n"
    body = (paragraph * (100_000 // len(paragraph) + 1))[:100_000] + "\n  trailing spaces  \n"
    story = tmp_path / "big.md"
    story.write_bytes(body.encode("utf-8"))
    article_id = cli.new("A long read", "--body-file", str(story))
    assert record(cli, article_id)["body"] == body


@pytest.mark.parametrize("title", ["", "   "])
def test_empty_title_is_rejected(cli: Cli, title: str) -> None:
    result = cli.fails(["new", title, "--body", "x"])
    assert result.stderr.startswith("error: title cannot be empty")
    assert cli.ok("list", "--format", "count").stdout == "0\n"


def test_slug_collisions_get_numbers(cli: Cli) -> None:
    slugs = [record(cli, cli.new("Same headline", "--body", "x"))["slug"] for _ in range(3)]
    assert slugs == ["same-headline", "same-headline-2", "same-headline-3"]


def test_unreadable_body_files(cli: Cli, tmp_path: Path) -> None:
    missing = cli.fails(["new", "T", "--body-file", str(tmp_path / "missing.md")])
    assert "cannot read body file" in missing.stderr
    directory = cli.fails(["new", "T", "--body-file", str(tmp_path)])
    assert "cannot read body file" in directory.stderr
    bad = tmp_path / "latin1.md"
    bad.write_bytes(b"Para\xf1aque\n")
    invalid = cli.fails(["new", "T", "--body-file", str(bad)])
    assert "not valid UTF-8" in invalid.stderr
    for result in (missing, directory, invalid):
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli.ok("list", "--format", "count").stdout == "0\n"


def test_body_and_body_file_together_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("x", encoding="utf-8")
    cli.fails(["new", "T", "--body", "x", "--body-file", str(tmp_path / "b.md")], 2)


# ---------------------------------------------------------------- show


def test_show_text_and_json(cli: Cli) -> None:
    article_id = cli.new(
        "Coast guard drills", "--body", "Joint **drills** at sea.", "--section", "Politics",
        "--source-name", "philstar.com", "--source-url", "https://www.philstar.com/a",
    )  # fmt: skip
    text = cli.ok("show", str(article_id)).stdout
    assert "Coast guard drills" in text and "Politics" in text
    assert "Read more on philstar.com" in text
    data = record(cli, "coast-guard-drills")
    assert data["id"] == article_id and data["summary"] == "Joint drills at sea."


@pytest.mark.parametrize("ref", ["999", "no-such-story"])
def test_unknown_article(cli: Cli, ref: str) -> None:
    for command in (
        ["show", ref],
        ["edit", ref, "--title", "x"],
        ["publish", ref],
        ["delete", ref, "--yes"],
    ):
        result = cli.fails(command)
        assert result.stderr == f"error: no article {ref!r}\n"


# ---------------------------------------------------------------- edit

FIELD_FLAGS = [
    (["--title", "New title"], "title", "New title"),
    (["--subtitle", "Dek"], "subtitle", "Dek"),
    (["--summary", "Short"], "summary", "Short"),
    (["--body", "New body"], "body", "New body"),
    (["--section", "Economy"], "section", "Economy"),
    (["--section", ""], "section", None),
    (["--set-tag", "A", "--set-tag", "B"], "tags", ["A", "B"]),
    (["--add-tag", "Flood"], "tags", ["Flood", "Manila", "Senate"]),
    (["--remove-tag", "senate"], "tags", ["Manila"]),
    (
        ["--author", "Ana Reyes", "--author", "Mark Villanueva"],
        "authors",
        ["Ana Reyes", "Mark Villanueva"],
    ),
    (["--lang", "fil"], "language", "fil"),
    (["--source-name", "Rappler"], "source_name", "Rappler"),
    (["--source-url", "https://www.rappler.com/x"], "source_url", "https://www.rappler.com/x"),
    (["--canonical-url", "https://c.example/x"], "canonical_url", "https://c.example/x"),
    (["--image-url", "https://i.example/x.jpg"], "image_url", "https://i.example/x.jpg"),
    (["--image-alt", "Alt"], "image_alt", "Alt"),
    (["--image-caption", "Caption"], "image_caption", "Caption"),
    (["--image-credit", "PNA"], "image_credit", "PNA"),
    (["--dateline", "CEBU"], "dateline", "CEBU"),
    (["--note", "verify"], "editor_note", "verify"),
    (["--featured"], "featured", True),
    (["--expires", "2099-01-01 08:00"], "expires_at", "2099-01-01T00:00:00+00:00"),
]


@pytest.mark.parametrize(("flags", "name", "expected"), FIELD_FLAGS, ids=lambda v: str(v)[:30])
def test_edit_each_field_flag(cli: Cli, flags: list[str], name: str, expected: Any) -> None:
    article_id = cli.new("Original", "--body", "Body", "--section", "Politics", "--tag", "Senate", "--tag", "Manila")
    result = cli.ok("--as", "editor1", "edit", str(article_id), *flags)
    assert result.stderr == f"Updated article {article_id} to version 2\n"
    data = record(cli, article_id)
    assert data[name] == expected
    assert data["version"] == 2 and data["updated_by"] == "editor1"


def test_edit_body_file_and_not_featured(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Story", "--body", "old", "--featured")
    (tmp_path / "b.md").write_text("from file\n", encoding="utf-8")
    cli.ok("edit", str(article_id), "--body-file", str(tmp_path / "b.md"), "--not-featured")
    data = record(cli, article_id)
    assert data["body"] == "from file\n" and data["featured"] is False


def test_old_slug_keeps_resolving(cli: Cli) -> None:
    article_id = cli.new("Flooding in Parañaque", "--body", "x")
    cli.ok("edit", "flooding-in-paranaque", "--slug", "paranaque-floods")
    data = record(cli, "flooding-in-paranaque")
    assert data["id"] == article_id and data["slug"] == "paranaque-floods"
    assert data["aliases"] == ["flooding-in-paranaque"]
    cli.ok("edit", "flooding-in-paranaque", "--title", "Still found")
    # A new article never takes a slug another one used to have.
    other = record(cli, cli.new("Flooding in Parañaque", "--body", "y"))
    assert other["slug"] == "flooding-in-paranaque-2"


def test_edit_from_file(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Draft title", "--body", "Old body", "--tag", "Senate")
    document = tmp_path / "doc.md"
    document.write_text(
        "---\ntitle: Pamagat mula sa file\ntags: [Manila, Senate]\nsection: Metro\n---\n\nBagong katawan\n",
        encoding="utf-8",
    )
    cli.ok("edit", str(article_id), "--from-file", str(document))
    data = record(cli, article_id)
    assert data["title"] == "Pamagat mula sa file"
    assert data["tags"] == ["Manila", "Senate"] and data["section"] == "Metro"
    assert data["body"] == "Bagong katawan" and data["version"] == 2


def test_edit_in_editor(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Before", "--body", "Old body")
    editor = editor_script(
        tmp_path, "retitle",
        "path.write_text(text.replace('title: Before', 'title: After').replace('Old body', 'New body'),"
        " encoding='utf-8')",
    )  # fmt: skip
    cli.ok("edit", str(article_id), env={"EDITOR": editor})
    data = record(cli, article_id)
    assert data["title"] == "After" and data["body"] == "New body" and data["version"] == 2


@pytest.mark.parametrize(
    ("editor_code", "message"),
    [("pass", "not changed"), ("path.write_text('', encoding='utf-8')", "emptied")],
    ids=["unchanged", "emptied"],
)
def test_editor_without_changes_aborts(cli: Cli, tmp_path: Path, editor_code: str, message: str) -> None:
    article_id = cli.new("Keep me", "--body", "Body")
    editor = editor_script(tmp_path, "noop", editor_code)
    result = cli(*["edit", str(article_id)], env={"EDITOR": editor})
    assert result.exit_code == 1 and message in result.stderr
    assert record(cli, article_id)["version"] == 1


def test_if_version_conflict_names_who_changed_it(cli: Cli) -> None:
    article_id = cli.new("Contested", "--body", "x")
    cli.ok("--as", "alice", "edit", str(article_id), "--title", "Changed by Alice")
    result = cli.fails(["--as", "bob", "edit", str(article_id), "--title", "Mine", "--if-version", "1"])
    assert "changed by alice" in result.stderr and "nothing was saved" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    data = record(cli, article_id)
    assert data["title"] == "Changed by Alice" and data["version"] == 2
    cli.ok("edit", str(article_id), "--title", "Mine", "--if-version", "2")


def racing_editor(tmp_path: Path, article_id: int, edited: str) -> str:
    """An editor during whose session a second balita process retitles the story (as "rival"); it
    then saves ``edited``, an expression of the text it was given."""
    rival = [sys.executable, "-m", "balita_cli", "--as", "rival", "edit", str(article_id), "--title", "Rival title"]
    return editor_script(
        tmp_path, "racer", f"subprocess.run({rival!r}, check=True)\npath.write_text({edited}, encoding='utf-8')"
    )


@pytest.mark.slow
def test_editor_merges_a_colleagues_change_made_meanwhile(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Racing", "--body", "Original")
    # While this editor is open, a second balita process changes another field.
    editor = racing_editor(tmp_path, article_id, "text.replace('Original', 'My careful edit')")
    cli.ok("edit", str(article_id), env={"EDITOR": editor})
    data = record(cli, article_id)
    assert (data["title"], data["body"], data["version"]) == ("Rival title", "My careful edit", 3)


@pytest.mark.slow
def test_editor_conflict_on_the_same_field_keeps_the_text_and_shows_both(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Racing", "--body", "Original")
    editor = racing_editor(tmp_path, article_id, "text.replace('Racing', 'My title').replace('Original', 'My body')")
    result = cli("edit", str(article_id), env={"EDITOR": editor})
    assert result.exit_code == 1
    assert "both changed title" in result.stderr and "'My title'" in result.stderr and "'Rival title'" in result.stderr
    saved = Path(result.stderr.split("Your text is kept in ", 1)[1].split(";", 1)[0])
    assert "My body" in saved.read_text(encoding="utf-8")
    assert record(cli, article_id)["title"] == "Rival title"  # nothing was saved
    # Applying the kept text again merges it the same way: refused while the title clashes…
    assert "both changed title" in cli.fails(["edit", str(article_id), "--from-file", str(saved)]).stderr
    # …and, once the editor takes the colleague's title, the rest goes on top of their version.
    saved.write_text(saved.read_text(encoding="utf-8").replace("My title", "Rival title"), encoding="utf-8")
    cli.ok("edit", str(article_id), "--from-file", str(saved))
    data = record(cli, article_id)
    assert (data["title"], data["body"]) == ("Rival title", "My body")


def test_a_document_that_does_not_parse_is_kept(cli: Cli, tmp_path: Path) -> None:
    article_id = cli.new("Story", "--body", "Text")
    editor = editor_script(
        tmp_path, "breaker", "path.write_text('---\\ntitle: [unclosed\\n---\\nMy long work', encoding='utf-8')"
    )
    result = cli("edit", str(article_id), env={"EDITOR": editor})
    assert result.exit_code == 1 and "not valid YAML" in result.stderr
    saved = Path(result.stderr.split("Your text is kept in ", 1)[1].split(";", 1)[0])
    assert "My long work" in saved.read_text(encoding="utf-8")
    editor = editor_script(
        tmp_path, "stranger", "path.write_text(text.replace('title:', 'colour: red\\ntitle:'), encoding='utf-8')"
    )
    result = cli("edit", str(article_id), env={"EDITOR": editor})
    assert result.exit_code == 1 and "unknown field(s) in the front matter: colour" in result.stderr
    assert "Your text is kept in" in result.stderr


def test_edit_errors(cli: Cli) -> None:
    article_id = str(cli.new("Story", "--body", "x"))
    assert "title cannot be empty" in cli.fails(["edit", article_id, "--title", " "]).stderr
    assert "cannot read date" in cli.fails(["edit", article_id, "--expires", "someday"]).stderr
    assert "BCP 47" in cli.fails(["edit", article_id, "--lang", "english language"]).stderr
    other = cli.new("Other", "--body", "x")
    assert "taken" in cli.fails(["edit", str(other), "--slug", "story"]).stderr


# ---------------------------------------------------------------- delete / restore


def test_delete_needs_confirmation_off_a_terminal(cli: Cli) -> None:
    article_id = str(cli.new("Keep", "--body", "x"))
    result = cli.fails(["delete", article_id], 2)
    assert "--yes" in result.stderr
    assert record(cli, article_id)["deleted_at"] is None


def test_a_trashed_story_says_so_and_how_to_bring_it_back(cli: Cli) -> None:
    article = str(cli.new("Trashed story", "--body", "x"))
    cli.ok("delete", article, "--yes")
    hint = (
        f"error: article {article} (trashed-story) is in the trash: bring it back with balita restore {article} "
        f"(balita show {article} --trash shows it there)\n"
    )
    looking_for_it = [
        ["show", article],
        ["show", "trashed-story"],
        ["show", f"#{article}"],
        ["edit", article, "--title", "T"],
        ["publish", article],
        ["submit", article],
        ["correct", article, "A fix."],
    ]
    for command in looking_for_it:
        assert cli.fails(command).stderr == hint, command
    assert cli.fails(["show", "never-written"]).stderr == "error: no article 'never-written'\n"
    cli.ok("history", article)  # its record is read wherever it is
    cli.ok("restore", article)
    assert cli.json("show", article, "--format", "json")["deleted_at"] is None


@pytest.mark.slow
def test_delete_restore_purge(cli: Cli) -> None:
    article_id = str(cli.new("Trash me", "--body", "x"))
    cli.ok("delete", article_id, "--yes")
    assert cli.ok("list", "--format", "ids").stdout == ""
    assert cli.ok("list", "--trash", "--format", "ids").stdout == f"{article_id}\n"
    cli.fails(["show", article_id])
    assert cli.json("show", article_id, "--trash", "--format", "json")["deleted_at"] is not None
    cli.ok("restore", "trash-me")
    assert cli.ok("list", "--format", "ids").stdout == f"{article_id}\n"
    cli.ok("delete", article_id, "--yes")
    cli.ok("delete", article_id, "--purge", "--yes")
    cli.fails(["show", article_id, "--trash"])
    cli.fails(["restore", article_id])


@pytest.mark.parametrize(
    ("body", "summary"),
    [
        ("First paragraph, in *Markdown*.\n\nSecond paragraph.", "First paragraph, in Markdown."),
        ("<p>An <b>imported</b> post's lead.</p><p>Its second paragraph.</p>", "An imported post's lead."),
        ("<figure><img src='a.jpg' alt=''><figcaption>A caption</figcaption></figure><p>The lead.</p>", "The lead."),
        ("Before a break<br>after it", "Before a break"),
    ],
)
def test_a_summary_left_empty_is_the_bodys_first_paragraph(cli: Cli, body: str, summary: str) -> None:
    article = cli.new("Story", "--body", body)
    assert cli.json("show", str(article), "--format", "json")["summary"] == summary
