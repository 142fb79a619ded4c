"""Round trips through every format balita both writes and reads: markdown (a Hugo tree), wxr,
jsonl and csv. A newsroom holding every kind of story is exported, imported into an empty
database and compared with the original field by field; then the copy goes round once more and
must come back unchanged (nothing is lost a little more each time).

What a format cannot carry is listed here with the reason, and nothing else may differ:

- every format: ``id``, ``version`` and ``updated_by`` belong to the database that holds the story;
- markdown: the editor's note (Hugo publishes whatever the front matter holds), and what a
  retracted story withholds from readers (``records.public_view``: its body and the summary
  derived from it, subtitle, featured image and lead photo), which Hugo would publish;
- wxr: what a retracted story withholds, as for markdown (WordPress would publish it); times to
  the second (WordPress's ``post_date_gmt`` and ``post_modified_gmt`` have no fractions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers.cli import Cli
from tests.helpers.records import import_summary, records

PHOTO = Path(__file__).parent / "fixtures" / "images" / "landscape.jpg"
PHOTO_TEXT = ("--alt", "Senado", "--caption", "Ang Senado", "--credit", "Juan Reyes")
SYSTEM = {"id", "version", "updated_by"}
RETRACTED_SLUG = "fabricated-story"
WITHHELD_WHEN_RETRACTED = ("body", "summary", "word_count", "subtitle", "photo", "image_url", "image_alt",
                           "image_caption", "image_credit")  # fmt: skip

IMPORTED = {
    "title": "Baha sa Marikina, umabot na sa ikalawang palapag",
    "slug": "baha-sa-marikina",
    "status": "published",
    "published_at": "2026-07-01T02:00:00+00:00",
    "created_at": "2026-07-01T01:30:00+00:00",
    "language": "fil",
    "section": "Nation",
    "authors": ["Maria Santos"],
    "source_name": "Rappler",
    "source_url": "https://www.rappler.com/nation/marikina-flood/",
    "external_id": "feed:https://www.rappler.com/nation/marikina-flood/",
    "body": "Umabot na sa **ikalawang palapag** ang baha.\n\n    code stays indented\n\nFish &amp; chips&nbsp;today.\n",
    "aliases": ["/2019/05/baha-marikina/", "/old/marikina-flood.html", "baha-marikina"],
    "coverage": [
        {"source_name": "Inquirer", "url": "https://newsinfo.inquirer.net/marikina", "title": "Marikina floods",
         "published_at": "2026-07-01T03:00:00+00:00", "external_id": "feed:https://newsinfo.inquirer.net/marikina"},
    ],
}  # fmt: skip


def fill_every_kind_of_story(cli: Cli, tmp_path: Path) -> None:
    """Every kind of story: corrected (with an old slug, co-authors, a library photo, a source,
    in Filipino, expiring), retracted, archived, scheduled, in review, trashed, and one imported
    from a feed with related coverage and old addresses of another site."""
    photo = cli.ok("media", "add", str(PHOTO), *PHOTO_TEXT, "--porcelain").stdout.strip()
    first = cli.new(
        "Senado, inaprubahan ang badyet", "--section", "Politics", "--tag", "Senate, Budget",
        "--author", "Ana Reyes", "--author", "Ben Cruz", "--lang", "fil", "--source-name", "Philstar",
        "--source-url", "https://www.philstar.com/x", "--body", "Unang talata.\n\n## Ikalawa\n\nTalata.",
        "--dateline", "MANILA", "--note", "check figures", "--image-url", "https://img.example/a.jpg",
        "--image-alt", "Alt", "--image-caption", "Caption", "--image-credit", "Photo desk",
        "--subtitle", "Ang badyet ng 2027", "--canonical-url", "https://www.philstar.com/x", "--featured",
        "--expires", "2030-01-01 00:00", "--image", photo,
    )  # fmt: skip
    cli.ok("publish", str(first))
    cli.ok("correct", str(first), "An earlier version misspelled the senator's name.")
    cli.ok("edit", str(first), "--slug", "senado-badyet")
    killed = cli.new("Fabricated story", "--body", "RETRACTED-BODY", "--subtitle", "A dek", "--section", "Nation")
    cli.ok("publish", str(killed))
    cli.ok("retract", str(killed), "--reason", "It relied on a fabricated source.")
    old = cli.new("Old story", "--body", "Old.", "--author", "Maria Santos", "--tag", "Archive")
    cli.ok("publish", str(old))
    cli.ok("archive", str(old))
    later = cli.new("Future story", "--body", "Later.\n", "--section", "Politics")
    cli.ok("publish", str(later), "--at", "2031-05-01 08:00")
    cli.new("Draft with = formula", "--summary", "=SUM(A1)", "--tag", "Manila", "--status", "review",
            "--body", "Line one\r\nline two with a carriage return.")  # fmt: skip
    trashed = cli.new("Trashed story", "--body", "Gone.", "--section", "Politics")
    cli.ok("delete", str(trashed), "--yes")
    feed = tmp_path / "imported.jsonl"
    feed.write_text(json.dumps(IMPORTED) + "\n")
    cli.ok("import", "jsonl", str(feed))


@pytest.fixture
def databases(new_database: Callable[[], str]) -> Callable[[], Cli]:
    """Empty newsrooms on demand, each with the library's photo (the library travels on its own)."""

    def make() -> Cli:
        target = Cli(db_url=new_database(), runner=CliRunner())
        target.ok("media", "add", str(PHOTO), *PHOTO_TEXT)
        return target

    return make


def export(cli: Cli, fmt: str, tmp_path: Path, name: str, *extra: str) -> Path:
    target = tmp_path / name
    if fmt == "markdown":
        cli.ok("export", "markdown", "-o", str(target), *extra)
        return target / "content"
    target = target.with_suffix(f".{fmt}")
    cli.ok("export", fmt, "-o", str(target), *extra)
    return target


def comparable(rows: list[dict[str, Any]], fmt: str) -> dict[str, dict[str, Any]]:
    """Records by slug, less what the format cannot carry (see the module's docstring)."""
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        row = {key: value for key, value in row.items() if key not in SYSTEM}
        if row.get("photo"):
            row["photo"] = {key: value for key, value in row["photo"].items() if key != "id"}
        if fmt == "markdown":
            row.pop("editor_note")
        if fmt in {"markdown", "wxr"} and row["status"] == "retracted":
            row.update(dict.fromkeys(WITHHELD_WHEN_RETRACTED))
        if fmt == "wxr":
            for name in ("published_at", "scheduled_at", "updated_at"):
                if row[name]:
                    row[name] = row[name][:19]
        out[row["slug"]] = row
    return out


def differences(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    found = [f"{slug}: missing" for slug in before if slug not in after]
    found += [f"{slug}: extra" for slug in after if slug not in before]
    for slug in before.keys() & after.keys():
        found += [f"{slug}.{key}: {before[slug][key]!r} != {after[slug].get(key)!r}"
                  for key in before[slug] if before[slug][key] != after[slug].get(key)]  # fmt: skip
    return sorted(found)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["markdown", "wxr", "jsonl", "csv"])
def test_every_kind_of_story_comes_back_field_by_field(
    cli: Cli, databases: Callable[[], Cli], tmp_path: Path, fmt: str
) -> None:
    fill_every_kind_of_story(cli, tmp_path)
    live, trash = records(cli), records(cli, "--trash")
    assert {row["status"] for row in live} == {"published", "retracted", "archived", "scheduled", "review"}
    assert len(trash) == 1

    copy = databases()
    for name, extra in (("live", ()), ("trash", ("--trash",))):
        result = import_summary(copy, fmt, str(export(cli, fmt, tmp_path, name, *extra)))
        assert result["rejected"] == 0 and result["conflicts"] == 0, result["problems"]
        assert result["created"] == (len(live) if name == "live" else 1), result
    assert differences(comparable(live, fmt), comparable(records(copy), fmt)) == []
    assert differences(comparable(trash, fmt), comparable(records(copy, "--trash"), fmt)) == []

    # The copy goes round once more and comes back exactly as it was: nothing more is lost.
    again = databases()
    for name, extra in (("second", ()), ("second-trash", ("--trash",))):
        again.ok("import", fmt, str(export(copy, fmt, tmp_path, name, *extra)))
    for extra in ((), ("--trash",)):
        first, second = comparable(records(copy, *extra), "jsonl"), comparable(records(again, *extra), "jsonl")
        assert differences(first, second) == []

    # Importing the same export again creates nothing.
    repeat = import_summary(copy, fmt, str(export(cli, fmt, tmp_path, "live2")))
    assert (repeat["created"], repeat["duplicates"]) == (0, len(live)), repeat


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["markdown", "wxr"])
def test_what_a_format_withholds_stays_out_of_it(cli: Cli, tmp_path: Path, fmt: str) -> None:
    """The withheld fields are not merely lost on the way back: they never reach the file, which
    WordPress or Hugo would publish."""
    fill_every_kind_of_story(cli, tmp_path)
    written = export(cli, fmt, tmp_path, "out")
    text = "".join(p.read_text() for p in written.rglob("*.md")) if written.is_dir() else written.read_text()
    assert "RETRACTED-BODY" not in text and "A dek" not in text
    assert "It relied on a fabricated source." in text
    assert ("check figures" in text) is (fmt == "wxr")  # protected meta in WordPress; Hugo has no such place


def test_aliases_are_kept_as_old_slugs_and_paths(cli: Cli, tmp_path: Path) -> None:
    feed = tmp_path / "imported.jsonl"
    feed.write_text(json.dumps(IMPORTED) + "\n")
    cli.ok("import", "jsonl", str(feed))
    story = records(cli)[0]
    assert story["aliases"] == ["/2019/05/baha-marikina/", "/old/marikina-flood.html", "baha-marikina"]
    for alias in story["aliases"]:
        assert cli.json("show", alias, "--format", "json")["id"] == story["id"]
