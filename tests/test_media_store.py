"""The shared media store: two site folders (two machines of one newsroom) on one database and one
bucket. A photo added in the first is on the article page built in the second. On SQLite (one
database file), and on PostgreSQL when BALITA_TEST_DATABASE_URL is set; the bucket is SeaweedFS's."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.helpers.cli import Cli
from tests.helpers.s3server import S3Bucket

IMAGES = Path(__file__).parent / "fixtures" / "images"
LANDSCAPE = IMAGES / "landscape.jpg"  # a real JPEG with EXIF and GPS
SECRET = b"SECRET-METADATA"  # in its EXIF: never in what is published

pytestmark = pytest.mark.slow  # builds a site twice


def two_sites(cli: Cli, tmp_path: Path, store: str) -> tuple[Path, Path]:
    first, second = tmp_path / "desk-manila", tmp_path / "desk-cebu"
    cli.ok("init", str(first), "--database", cli.db_url)
    cli.ok("init", str(second), "--database", cli.db_url)
    for site in (first, second):
        with (site / "balita.toml").open("a") as toml:
            toml.write(f'\n[media]\nstore = "{store}"\n')
    return first, second


def test_a_photo_added_on_one_machine_is_on_the_page_built_on_another(
    cli: Cli, tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    first, second = two_sites(cli, tmp_path, s3_bucket.url("newsroom/media"))
    photo = int(
        cli.ok("--site", str(first), "media", "add", str(LANDSCAPE), "--alt", "Rice fields", "--porcelain").stdout
    )
    digest = hashlib.sha256(LANDSCAPE.read_bytes()).hexdigest()
    key = f"newsroom/media/originals/{digest[:2]}/{digest}.jpg"
    assert s3_bucket.server.objects(s3_bucket.name, "newsroom/") == {key[len("newsroom/") :]: LANDSCAPE.read_bytes()}
    assert SECRET in s3_bucket.server.objects(s3_bucket.name)[key]  # the original, EXIF and all
    shown = cli.json("--site", str(second), "media", "show", str(photo), "--format", "json")
    assert shown["original"] == f"s3://{s3_bucket.name}/{key}"
    article = cli.new("Harvest in Nueva Ecija", "--image", str(photo), "--status", "published", "--body", "Palay.")
    slug = cli.json("show", str(article), "--format", "json")["slug"]

    built = cli.ok("--site", str(second), "build", "--no-search")
    assert "missing" not in built.stderr
    page = (second / "public" / "articles" / slug / "index.html").read_text(encoding="utf-8")
    renditions = set(re.findall(r"media/[0-9a-f]{32}-\d+\.(?:webp|jpg)", page))
    assert renditions and all((second / "public" / path).is_file() for path in renditions)
    assert not (first / "public").exists()
    assert (second / "media" / key[len("newsroom/media/") :]).read_bytes() == LANDSCAPE.read_bytes()  # kept here
    for rendition in renditions:
        assert SECRET not in (second / "public" / rendition).read_bytes()

    # A second build fetches nothing: the renditions are named by the original's hash.
    s3_bucket.take()
    cli.ok("--site", str(second), "build", "--no-search", "--clean")
    assert s3_bucket.counts() == {}

    cli.ok("--site", str(second), "edit", str(article), "--image", "")
    cli.ok("--site", str(second), "media", "delete", str(photo), "--yes")
    assert s3_bucket.server.objects(s3_bucket.name) == {}


def test_without_the_shared_store_the_other_machine_has_no_original(cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    cli.ok("init", str(first), "--database", cli.db_url)
    cli.ok("init", str(second), "--database", cli.db_url)
    photo = cli.ok("--site", str(first), "media", "add", str(LANDSCAPE), "--alt", "Fields", "--porcelain").stdout
    cli.new("Harvest", "--image", photo.strip(), "--status", "published", "--body", "Palay.")
    built = cli.ok("--site", str(second), "build", "--no-search")
    assert "its original is missing from the media folder" in built.stderr


def test_a_damaged_original_in_the_bucket_is_not_published(cli: Cli, tmp_path: Path, s3_bucket: S3Bucket) -> None:
    first, second = two_sites(cli, tmp_path, s3_bucket.url())
    photo = cli.ok("--site", str(first), "media", "add", str(LANDSCAPE), "--alt", "Fields", "--porcelain").stdout
    digest = hashlib.sha256(LANDSCAPE.read_bytes()).hexdigest()
    s3_bucket.server.client().put_object(Bucket=s3_bucket.name, Key=f"originals/{digest[:2]}/{digest}.jpg", Body=b"x")
    cli.new("Harvest", "--image", photo.strip(), "--status", "published", "--body", "Palay.")
    built = cli.ok("--site", str(second), "build", "--no-search")
    assert "does not match its name: the media store is damaged" in built.stderr
    assert not (second / "media" / "originals").exists()


def test_a_bucket_that_cannot_be_reached_is_one_line(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.s3server import free_ports

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_ports(1)[0]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    first, _second = two_sites(cli, tmp_path, "s3://newsroom-media")
    refused = cli.fails(["--site", str(first), "media", "add", str(LANDSCAPE), "--alt", "Fields"])
    assert re.fullmatch(
        r"error: cannot reach http://127\.0\.0\.1:\d+ for s3://newsroom-media/originals/\S+: .*\n", refused.stderr
    )
    assert cli.ok("media", "list", "--format", "count").stdout.strip() == "0"
    bad = two_sites(cli, tmp_path / "bad", "s3://Not_A_Bucket")[0]
    assert "not a bucket name" in cli.fails(["--site", str(bad), "media", "add", str(LANDSCAPE)]).stderr
