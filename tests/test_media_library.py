"""The media library through the real CLI: `media add/list/show/edit/delete/fetch`, `new/edit --image`,
and the alt-text rule of publishing. On SQLite, and on PostgreSQL when BALITA_TEST_DATABASE_URL is set.

Images are the committed fixtures of tests/fixtures/images (made by make_images.py): real JPEG,
PNG and WebP files with EXIF and GPS, and the hostile ones (a press release named .jpg, a JPEG cut
short, a 400-megapixel PNG bomb, an SVG with a script, a TIFF, an empty file). URLs are served by
a real HTTP server on 127.0.0.1 (pytest-httpserver); nothing of balita is mocked.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers.cli import Cli
from tests.helpers.database import store_raw

IMAGES = Path(__file__).parent / "fixtures" / "images"
LANDSCAPE = IMAGES / "landscape.jpg"  # 2000×1000, EXIF with GPS, taken 2025-12-24 23:59:58 (no zone)
ALPHA = IMAGES / "alpha.png"  # 200×150, transparent
SECRET = b"SECRET-METADATA"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add(cli: Cli, *args: str) -> int:
    return int(cli.ok("media", "add", *args, "--porcelain").stdout.strip())


def photo(cli: Cli, ref: int | str) -> dict[str, Any]:
    result: dict[str, Any] = cli.json("media", "show", str(ref), "--format", "json")
    return result


def store(tmp_path: Path) -> Path:
    return tmp_path / "media" / "originals"


def stored_files(tmp_path: Path) -> list[Path]:
    return sorted(path for path in store(tmp_path).rglob("*") if path.is_file()) if store(tmp_path).exists() else []


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


# ---------------------------------------------------------------- add


def test_add_stores_the_original_by_content_and_records_the_photo(cli: Cli, tmp_path: Path) -> None:
    result = cli.ok("media", "add", str(LANDSCAPE), "--alt", "Rice terraces", "--caption", "Banaue at dusk",
                    "--credit", "Ana Reyes")  # fmt: skip
    assert result.stdout == ""  # messages only: the id is on stderr for people, --porcelain for scripts
    assert "Added photo 1: landscape.jpg" in result.stderr
    record = photo(cli, 1)
    digest = sha(LANDSCAPE)
    assert record["sha256"] == digest and record["format"] == "jpeg" and record["media_type"] == "image/jpeg"
    assert (record["width"], record["height"], record["size"]) == (2000, 1000, LANDSCAPE.stat().st_size)
    assert (record["alt"], record["caption"], record["credit"]) == ("Rice terraces", "Banaue at dusk", "Ana Reyes")
    assert record["original_name"] == "landscape.jpg" and record["used_by"] == [] and record["articles"] == 0
    # No zone in the EXIF: the camera's clock is read in the site's zone (Asia/Manila, +08:00).
    assert record["taken_at"] == "2025-12-24T15:59:58+00:00"
    original = store(tmp_path) / digest[:2] / f"{digest}.jpg"
    assert record["original"] == str(original)
    # The original is the newsroom's record: byte for byte, EXIF and GPS kept (never served).
    assert original.read_bytes() == LANDSCAPE.read_bytes() and SECRET in original.read_bytes()


def test_the_same_file_twice_is_one_photo(cli: Cli, tmp_path: Path) -> None:
    first = add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    copy = tmp_path / "renamed copy.jpg"
    shutil.copyfile(LANDSCAPE, copy)
    again = cli.ok("media", "add", str(copy), str(LANDSCAPE), "--alt", "Something else")
    assert "renamed copy.jpg is already in the library as photo 1" in again.stderr
    assert add(cli, str(copy)) == first == 1
    assert cli.ok("media", "list", "--format", "ids").stdout.split() == ["1"]
    assert photo(cli, 1)["alt"] == "Rice terraces"  # the existing photo is left as it is
    assert len(stored_files(tmp_path)) == 1


def test_porcelain_prints_one_id_a_line_and_json_the_records(cli: Cli) -> None:
    assert cli.ok("media", "add", str(LANDSCAPE), str(ALPHA), "--porcelain").stdout.split() == ["1", "2"]
    records = cli.json("media", "add", str(ALPHA), str(IMAGES / "photo.webp"), "--format", "json")
    assert [(r["id"], r["added"], r["format"]) for r in records] == [(2, False, "png"), (3, True, "webp")]
    # WebP with EXIF orientation 8: the record has the size as displayed (turned a quarter).
    assert (records[1]["width"], records[1]["height"]) == (400, 600)


REFUSED = [
    ("not_an_image.jpg", "not_an_image.jpg is not an image balita accepts (JPEG, PNG, WebP or GIF)"),
    ("truncated.jpg", "truncated.jpg is damaged or truncated"),
    ("bomb.png", "refused as a decompression bomb"),
    ("script.svg", "script.svg is SVG, refused because it can carry script"),
    ("scan.tiff", "scan.tiff is TIFF, not an image balita accepts"),
    ("empty.jpg", "empty.jpg is empty (0 bytes)"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "message"), REFUSED, ids=[name for name, _ in REFUSED])
def test_what_is_not_a_whole_image_is_refused_in_one_line(cli: Cli, tmp_path: Path, name: str, message: str) -> None:
    result = cli.fails(["media", "add", str(LANDSCAPE), str(IMAGES / name)])
    assert message in one_error_line(result.stderr)
    # All or nothing: the good file given with it is not recorded either.
    assert cli.ok("media", "list", "--format", "count").stdout.strip() == "0"


def test_a_missing_file_a_folder_a_fifo_or_a_huge_file_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    import os

    assert "no file nowhere.jpg" in one_error_line(cli.fails(["media", "add", "nowhere.jpg"]).stderr)
    assert "is not a file" in one_error_line(cli.fails(["media", "add", str(tmp_path)]).stderr)
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    assert "pipe.jpg is not a file" in one_error_line(cli.fails(["media", "add", str(fifo)]).stderr)
    huge = tmp_path / "huge.jpg"
    with huge.open("wb") as handle:  # sparse: 41 MB that cost no disk
        handle.write(LANDSCAPE.read_bytes())
        handle.truncate(41 * 1024 * 1024)
    assert "huge.jpg is larger than 40 MB" in one_error_line(cli.fails(["media", "add", str(huge)]).stderr)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize("option", ["--alt", "--caption", "--credit"])
@pytest.mark.parametrize("text", ["red\x1b[31m", "bell\x07", "two\nlines", "osc\x1b]52;c;ZXZpbA==\x07"])
def test_control_characters_in_descriptions_are_refused(cli: Cli, tmp_path: Path, option: str, text: str) -> None:
    line = one_error_line(cli.fails(["media", "add", str(LANDSCAPE), option, text]).stderr)
    assert "contains a control character" in line
    assert cli.ok("media", "list", "--format", "count").stdout.strip() == "0"


def test_markup_in_descriptions_and_file_names_is_kept_as_text(cli: Cli, tmp_path: Path) -> None:
    hostile = tmp_path / '<img src=x onerror="alert(1)">\u202egpj.exe\x1b[2J.jpg'
    shutil.copyfile(LANDSCAPE, hostile)
    photo_id = add(cli, str(hostile), "--caption", "</figcaption><script>alert(1)</script>", "--alt", '" onload="x')
    record = photo(cli, photo_id)
    assert record["caption"] == "</figcaption><script>alert(1)</script>"  # text, escaped by every renderer
    # The file name is for people: controls and bidi overrides gone, never a path.
    assert record["original_name"] == '<img src=x onerror="alert(1)">gpj.exe[2J.jpg'
    table = cli.ok("media", "list").stdout
    assert "\x1b" not in table and "\u202e" not in table


def test_descriptions_have_limits(cli: Cli) -> None:
    line = one_error_line(cli.fails(["media", "add", str(LANDSCAPE), "--credit", "x" * 201]).stderr)
    assert "credit is longer than 200 characters" in line


def test_the_media_folder_must_not_be_inside_the_published_site(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text('[site]\nmedia_dir = "public/media"\n')
    line = one_error_line(cli.fails(["media", "add", str(LANDSCAPE)]).stderr)
    assert "inside the site's output folder" in line and not (tmp_path / "public").exists()


# ---------------------------------------------------------------- list, show, edit


@pytest.mark.slow
def test_list_in_every_format(cli: Cli) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    add(cli, str(ALPHA), "--credit", '=HYPERLINK("http://evil")')
    cli.new("Uses the photo", "--image", "1")
    rows = cli.json("media", "list", "--format", "json")
    assert [(row["id"], row["articles"]) for row in rows] == [(2, 0), (1, 1)]
    assert list(rows[0]) == ["id", "sha256", "format", "media_type", "width", "height", "size", "alt", "caption",
                             "credit", "original_name", "source_url", "taken_at", "created_at", "created_by",
                             "articles"]  # fmt: skip
    lines = [json.loads(line) for line in cli.ok("media", "list", "--format", "jsonl").stdout.splitlines()]
    assert lines == rows
    table = list(csv.DictReader(io.StringIO(cli.ok("media", "list", "--format", "csv").stdout)))
    assert table[0]["credit"] == '\'=HYPERLINK("http://evil")'  # never a formula in a spreadsheet
    assert cli.ok("media", "list", "--format", "ids").stdout == "2 1\n"
    assert cli.ok("media", "list", "--format", "count").stdout == "2\n"
    plain = cli.ok("media", "list").stdout.splitlines()
    assert plain[0].split("\t") == ["id", "original_name", "width", "height", "size", "alt", "articles"]


def test_show_names_the_articles_that_use_the_photo(cli: Cli) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    article = cli.new("Harvest season", "--image", "#1")
    assert photo(cli, "1")["used_by"] == [{"id": article, "slug": "harvest-season", "status": "draft"}]
    assert photo(cli, sha(LANDSCAPE))["id"] == 1
    text = cli.ok("media", "show", "1").stdout
    assert "Rice terraces" in text and f"{article} (harvest-season, draft)" in text
    assert "no photo '7'" in one_error_line(cli.fails(["media", "show", "7"]).stderr)
    assert "is not a photo id" in one_error_line(cli.fails(["media", "show", "../../etc/passwd"]).stderr)


def test_edit_changes_the_descriptions(cli: Cli) -> None:
    add(cli, str(LANDSCAPE))
    cli.ok("media", "edit", "1", "--alt", "Rice terraces", "--credit", "Ana Reyes")
    record = photo(cli, 1)
    assert (record["alt"], record["caption"], record["credit"]) == ("Rice terraces", "", "Ana Reyes")
    assert "nothing to change" in one_error_line(cli.fails(["media", "edit", "1"]).stderr)
    assert "control character" in one_error_line(cli.fails(["media", "edit", "1", "--caption", "a\x1bb"]).stderr)


def test_alt_text_cannot_be_removed_while_a_published_story_shows_the_photo(cli: Cli) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    article = cli.new("Harvest season", "--image", "1", "--status", "published")
    line = one_error_line(cli.fails(["media", "edit", "1", "--alt", ""]).stderr)
    assert f"photo 1 leads article {article} (harvest-season)" in line and "--force" in line
    cli.ok("media", "edit", "1", "--alt", "", "--force")
    assert photo(cli, 1)["alt"] == ""


# ---------------------------------------------------------------- delete


def test_delete_is_refused_while_an_article_uses_the_photo(cli: Cli, tmp_path: Path) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    first = cli.new("Harvest season", "--image", "1")
    second = cli.new("Terraces in danger", "--image", "1")
    line = one_error_line(cli.fails(["media", "delete", "1", "--yes"]).stderr)
    assert f"photo 1 is used by articles {first} (harvest-season), {second} (terraces-in-danger)" in line
    assert len(stored_files(tmp_path)) == 1 and photo(cli, 1)["id"] == 1


def test_delete_with_force_takes_the_photo_off_its_articles_with_a_revision(cli: Cli, tmp_path: Path) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    article = cli.new("Harvest season", "--image", "1")
    result = cli.ok("media", "delete", "1", "--yes", "--force")
    assert f"Deleted photo 1; taken off article {article} (harvest-season)" in result.stderr
    record = cli.json("show", str(article), "--format", "json")
    assert record["photo"] is None and record["version"] == 2
    history = cli.json("history", str(article), "--format", "json")
    assert history[0]["note"] == "photo 1 deleted from the media library"
    assert stored_files(tmp_path) == []  # the original goes with it
    assert cli.ok("media", "list", "--format", "count").stdout.strip() == "0"


def test_delete_asks_first_and_an_unused_photo_goes(cli: Cli, tmp_path: Path) -> None:
    add(cli, str(ALPHA))
    assert "add --yes" in one_error_line(cli.fails(["media", "delete", "1"], 2).stderr)
    cli.ok("media", "delete", "#1", "--yes")
    assert stored_files(tmp_path) == []
    assert "no photo '1'" in one_error_line(cli.fails(["media", "delete", "1", "--yes"]).stderr)


# ---------------------------------------------------------------- new/edit --image


def test_new_and_edit_take_a_photo_by_id_sha256_or_file(cli: Cli, tmp_path: Path) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    by_id = cli.new("By id", "--image", "1")
    by_sha = cli.new("By sha256", "--image", sha(LANDSCAPE).upper())
    by_file = cli.new("By file", "--image", str(ALPHA))  # a file is added to the library first
    photos = {cli.json("show", str(i), "--format", "json")["photo"]["id"] for i in (by_id, by_sha)}
    assert photos == {1}
    added = cli.json("show", str(by_file), "--format", "json")["photo"]
    assert added["id"] == 2 and added["sha256"] == sha(ALPHA) and added["media_type"] == "image/png"
    cli.ok("edit", str(by_id), "--image", "2")
    assert cli.json("show", str(by_id), "--format", "json")["photo"]["id"] == 2
    cli.ok("edit", str(by_id), "--image", "")
    after = cli.json("show", str(by_id), "--format", "json")
    assert after["photo"] is None and after["version"] == 3
    assert len(stored_files(tmp_path)) == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9", "no photo '9' in the media library"),
        ("javascript:alert(1)", "image URL must be an http(s) URL"),
        ("ftp://example.org/a.jpg", "image URL must be an http(s) URL"),
        (str(IMAGES / "script.svg"), "script.svg is SVG"),
        ("no-such-file.jpg", "no file no-such-file.jpg"),
    ],
)
def test_a_bad_image_leaves_no_article_and_no_photo(cli: Cli, value: str, message: str) -> None:
    assert message in one_error_line(cli.fails(["new", "Story", "--image", value]).stderr)
    assert cli.ok("list", "--format", "count").stdout.strip() == "0"
    assert cli.ok("media", "list", "--format", "count").stdout.strip() == "0"


def test_image_urls_are_fetched_safely(cli: Cli, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/photo.jpg").respond_with_data(LANDSCAPE.read_bytes(), content_type="image/jpeg")
    url = httpserver.url_for("/photo.jpg")
    # The server is on 127.0.0.1: refused unless asked for, as every fetch balita makes.
    assert "loopback" in one_error_line(cli.fails(["new", "Story", "--image", url]).stderr)
    assert cli.ok("list", "--format", "count").stdout.strip() == "0"
    photo_id = add(cli, url, "--allow-private", "--alt", "Rice terraces")
    request = httpserver.log[-1][0]
    assert request.headers["Accept"] == "image/*" and request.headers["User-Agent"].startswith("balita/")
    record = photo(cli, photo_id)
    assert record["source_url"] == url and record["sha256"] == sha(LANDSCAPE)
    assert record["original_name"] == "photo.jpg"


def test_a_url_that_serves_something_else_is_refused(cli: Cli, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("<html><body>Not found</body></html>",
                                                         content_type="text/html")  # fmt: skip
    httpserver.expect_request("/gone.jpg").respond_with_data("gone", status=404)
    line = one_error_line(cli.fails(["media", "add", httpserver.url_for("/page"), "--allow-private"]).stderr)
    assert "is not an image balita accepts" in line and "the server sent text/html" in line
    line = one_error_line(cli.fails(["media", "add", httpserver.url_for("/gone.jpg"), "--allow-private"]).stderr)
    assert line.startswith("error: cannot fetch http://") and "404" in line


# ---------------------------------------------------------------- alt text and publishing


def test_a_photo_without_alt_text_stops_publication(cli: Cli) -> None:
    add(cli, str(LANDSCAPE))
    article = cli.new("Harvest season", "--image", "1")
    line = one_error_line(cli.fails(["publish", str(article)]).stderr)
    assert f"article {article} cannot be published: its photo 1 has no alt text" in line
    assert 'balita media edit 1 --alt "…"' in line
    assert "cannot be scheduled" in one_error_line(cli.fails(["publish", str(article), "--at", "in 2 days"]).stderr)
    assert cli.json("show", str(article), "--format", "json")["status"] == "draft"
    assert "cannot be created as published" in one_error_line(
        cli.fails(["new", "Another", "--image", "1", "--status", "published"]).stderr
    )
    cli.ok("media", "edit", "1", "--alt", "Rice terraces")
    cli.ok("publish", str(article))
    assert cli.json("show", str(article), "--format", "json")["status"] == "published"


def test_publish_force_publishes_with_a_warning(cli: Cli) -> None:
    add(cli, str(LANDSCAPE))
    article = cli.new("Harvest season", "--image", "1")
    result = cli.ok("publish", str(article), "--force")
    assert f"warning: article {article} goes out with photo 1, which has no alt text" in result.stderr
    assert cli.json("show", str(article), "--format", "json")["status"] == "published"


def test_a_published_story_cannot_take_a_photo_without_alt_text(cli: Cli) -> None:
    add(cli, str(LANDSCAPE), "--alt", "Rice terraces")
    add(cli, str(ALPHA))
    article = cli.new("Harvest season", "--image", "1", "--status", "published")
    line = one_error_line(cli.fails(["edit", str(article), "--image", "2"]).stderr)
    assert f"article {article} is published and cannot lead with this photo: its photo 2 has no alt text" in line
    assert cli.json("show", str(article), "--format", "json")["photo"]["id"] == 1


def test_the_due_run_never_gets_stuck_on_a_photo_without_alt_text(cli: Cli) -> None:
    """A story scheduled before the rule (or forced) goes out on time, with a warning line."""
    add(cli, str(LANDSCAPE))
    forced = cli.new("Forced schedule", "--image", "1")
    cli.ok("publish", str(forced), "--at", "2030-01-01 08:00", "--force")
    older = cli.new("Scheduled long ago", "--body", "text")
    store_raw(cli.db_url, older, status="scheduled", scheduled_at="2029-12-31 00:00:00", image_id=1)
    result = cli.ok("--clock", "2030-01-02 00:00", "publish", "--due")
    assert sorted(result.stdout.splitlines()) == [
        f"published\t{forced}\tforced-schedule",
        f"published\t{older}\tscheduled-long-ago",
    ]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and all("its photo 1 has no alt text" in line for line in warnings)
    assert {cli.json("show", str(i), "--format", "json")["status"] for i in (forced, older)} == {"published"}


# ---------------------------------------------------------------- media fetch --missing


def test_fetch_missing_localises_imported_image_urls(cli: Cli, httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/shared.jpg").respond_with_data(LANDSCAPE.read_bytes(), content_type="image/jpeg")
    httpserver.expect_request("/page.html").respond_with_data("<html></html>", content_type="text/html")
    httpserver.expect_request("/fake.jpg").respond_with_data(b"GIF89a but not really", content_type="image/jpeg")
    httpserver.expect_request("/gone.jpg").respond_with_data("gone", status=404)
    shared = httpserver.url_for("/shared.jpg")
    first = cli.new("First", "--image-url", shared, "--image-alt", "Rice terraces", "--image-credit", "Ana Reyes")
    second = cli.new("Second", "--image-url", shared)
    page = cli.new("Page", "--image-url", httpserver.url_for("/page.html"))
    fake = cli.new("Fake", "--image-url", httpserver.url_for("/fake.jpg"))
    gone = cli.new("Gone", "--image-url", httpserver.url_for("/gone.jpg"))
    hostile = cli.new("Hostile", "--body", "x")
    store_raw(cli.db_url, hostile, image_url="javascript:alert(1)")  # past the input checks
    cli.new("Has no image")
    result = cli.fails(["media", "fetch", "--missing", "--allow-private"], 1)
    lines = result.stdout.splitlines()
    assert lines[0] == f"linked\t1\t{first},{second}\t{shared}"
    failed = {line.split("\t")[2]: line.split("\t")[3] for line in lines[1:]}
    assert set(failed) == {str(page), str(fake), str(gone), str(hostile)}
    assert all(line.startswith("failed\t-\t") for line in lines[1:])
    assert "not an image balita accepts" in failed[str(page)] and "text/html" in failed[str(page)]
    assert "not an image balita accepts" in failed[str(fake)]
    assert "404" in failed[str(gone)]
    assert "must be an http(s) URL" in failed[str(hostile)]
    assert "1 linked, 4 failed" in result.stderr
    # Each URL once, though two articles name it.
    assert sum(1 for request, _ in httpserver.log if request.path == "/shared.jpg") == 1
    record = photo(cli, 1)
    assert record["source_url"] == shared and (record["alt"], record["credit"]) == ("Rice terraces", "Ana Reyes")
    assert [item["id"] for item in record["used_by"]] == [first, second]
    assert cli.json("history", str(first), "--format", "json")[0]["note"].startswith("lead photo fetched")
    # Run again: only what failed is tried again.
    again = cli.fails(["media", "fetch", "--missing", "--allow-private"], 1).stdout.splitlines()
    assert len(again) == 4 and all(line.startswith("failed") for line in again)
    assert len(stored_files(tmp_path)) == 1


def test_fetch_missing_without_private_addresses_refuses_loopback(cli: Cli, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.jpg").respond_with_data(LANDSCAPE.read_bytes(), content_type="image/jpeg")
    article = cli.new("First", "--image-url", httpserver.url_for("/a.jpg"))
    lines = cli.fails(["media", "fetch", "--missing"], 1).stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"failed\t-\t{article}\t") and "loopback" in lines[0]
    assert httpserver.log == []


def test_fetch_needs_missing_and_with_nothing_missing_says_so(cli: Cli) -> None:
    assert "--missing" in one_error_line(cli.fails(["media", "fetch"], 2).stderr)
    result = cli.ok("media", "fetch", "--missing")
    assert result.stdout == "" and "0 linked, 0 failed" in result.stderr


# ---------------------------------------------------------------- completion


@pytest.mark.slow
def test_photo_ids_complete(cli: Cli) -> None:
    import os
    import subprocess
    import sys

    add(cli, str(LANDSCAPE))
    add(cli, str(ALPHA))
    env = {**os.environ, "BALITA_DATABASE_URL": cli.db_url, "_BALITA_COMPLETE": "complete_bash",
           "COMP_WORDS": "balita media show ", "COMP_CWORD": "3"}  # fmt: skip
    result = subprocess.run([sys.executable, "-m", "balita_cli"], env=env, capture_output=True, text=True,
                            timeout=60, check=True)  # fmt: skip
    assert result.stdout.split() == ["2", "1"]
