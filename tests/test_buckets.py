"""Buckets (balita_cli/buckets.py) against a real S3-compatible server: addresses, conditional
writes, one-line failures, and the settings that reach them."""

from __future__ import annotations

from pathlib import Path

import pytest

from balita_cli.buckets import Bucket, BucketError, BucketUrl, client_settings
from balita_cli.config import S3, load_settings
from balita_cli.errors import Conflict, InvalidInput
from tests.helpers.s3server import S3Bucket


@pytest.mark.parametrize(
    ("text", "bucket", "prefix"),
    [
        ("s3://news", "news", ""),
        ("s3://news/", "news", ""),
        ("s3://news/site", "news", "site/"),
        ("s3://my.news-2/a/b/", "my.news-2", "a/b/"),
    ],
)
def test_bucket_urls(text: str, bucket: str, prefix: str) -> None:
    url = BucketUrl.parse(text)
    assert (url.bucket, url.prefix) == (bucket, prefix)
    assert url.key("articles/x/index.html") == f"{prefix}articles/x/index.html"


@pytest.mark.parametrize(
    "text",
    [
        "news",
        "s3://",
        "s3://A",
        "s3://Upper",
        "s3://ab",
        "s3://a_b",
        "s3://news/../etc",
        "s3://news/a//b",
        "s3://news/a\\b",
        "s3://news/a\x00b",
        "s3://news/./a",
        "http://news/a",
        "s3://" + "a" * 64,
    ],
)
def test_hostile_bucket_urls_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        BucketUrl.parse(text)


@pytest.mark.parametrize("relative", ["", "../x", "a/../../x", "a//b", "/abs", "a\\b", "a\nb", "a/./b"])
def test_hostile_object_paths_are_refused(relative: str) -> None:
    with pytest.raises(InvalidInput):
        BucketUrl.parse("s3://news/site").key(relative)


def test_the_aws_variables_win_over_balita_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    toml = S3(endpoint_url="http://toml.invalid:9000", region="ap-southeast-1", profile="newsroom")
    assert client_settings(toml) == {
        "endpoint_url": "http://toml.invalid:9000",
        "region": "ap-southeast-1",
        "profile": "newsroom",
        "style": "path",
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://env.invalid:9000")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_PROFILE", "other")
    assert client_settings(toml) == {
        "endpoint_url": "http://env.invalid:9000",
        "region": "eu-west-1",
        "profile": "other",
        "style": "path",
    }
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert client_settings(S3())["style"] == "auto"  # AWS itself: virtual-hosted addresses
    for bad in (S3(addressing_style="sideways"), S3(endpoint_url="ftp://x"), S3(endpoint_url="http://a b")):
        with pytest.raises(InvalidInput):
            client_settings(bad)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[s3]\naws_secret_access_key = "x"\n', "looks like a credential"),
        ('[s3]\nsecret = "x"\n', "looks like a credential"),
        ("[media]\nstore = 3\n", "must be text"),
        ("[deploy]\nmax_deletes = -1\n", "whole number"),
        ('[deploy]\nmax_deletes = "many"\n', "whole number"),
        ('[deploy]\nwhere = "x"\n', "unknown setting"),
        ("s3 = 1\n", "must be a table"),
    ],
)
def test_balita_toml_holds_no_secrets_and_no_nonsense(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "balita.toml").write_text('[site]\nname = "x"\n' + table if not table.startswith("s3 =") else table)
    with pytest.raises(InvalidInput, match=message):
        load_settings(site_option=str(tmp_path))


def test_settings_are_read_from_balita_toml(tmp_path: Path) -> None:
    (tmp_path / "balita.toml").write_text(
        '[media]\nstore = "s3://photos/originals"\n[deploy]\ntarget = "s3://site"\nmax_deletes = 10\n'
        '[s3]\nregion = "ap-southeast-1"\n'
    )
    settings = load_settings(site_option=str(tmp_path))
    assert settings.media.store == "s3://photos/originals"
    assert (settings.deploy.target, settings.deploy.max_deletes, settings.deploy.keep) == ("s3://site", 10, 5)
    assert settings.s3.region == "ap-southeast-1"


def test_read_write_delete_and_conditions(s3_bucket: S3Bucket) -> None:
    bucket = Bucket(BucketUrl.parse(s3_bucket.url("site")), S3())
    assert bucket.read("a.txt") is None
    assert not bucket.exists("a.txt")
    etag = bucket.write("a.txt", b"one", content_type="text/plain", cache_control="max-age=5", if_absent=True)
    with pytest.raises(Conflict):
        bucket.write("a.txt", b"two", content_type="text/plain", if_absent=True)
    with pytest.raises(Conflict):
        bucket.write("a.txt", b"two", content_type="text/plain", if_match='"0123456789abcdef"')
    stored = bucket.read("a.txt")
    assert stored is not None and (stored.data, stored.etag) == (b"one", etag)
    bucket.write("a.txt", b"two", content_type="text/plain", if_match=etag)
    head = s3_bucket.server.head(s3_bucket.name, "site/a.txt")
    assert (head["ContentType"], head.get("CacheControl")) == ("text/plain", None)
    bucket.write("b/c.html", b"<p>", content_type="text/html; charset=utf-8", cache_control="max-age=60")
    assert s3_bucket.server.head(s3_bucket.name, "site/b/c.html")["CacheControl"] == "max-age=60"
    assert sorted(bucket.keys()) == ["a.txt", "b/c.html"]
    bucket.delete(["a.txt", "b/c.html", "never/was.txt"])
    assert s3_bucket.server.objects(s3_bucket.name) == {}


def test_failures_are_one_line(s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    url = BucketUrl.parse(s3_bucket.url())
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(BucketError, match=r"^s3://t-[0-9a-f]+/a\.txt: SignatureDoesNotMatch"):
        Bucket(url, S3()).write("a.txt", b"x", content_type="text/plain")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(BucketError, match="no credentials for"):
        Bucket(url, S3()).read("a.txt")


def test_an_endpoint_nobody_answers_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.s3server import free_ports

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_ports(1)[0]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(BucketError, match="^cannot reach http://127.0.0.1:"):
        Bucket(BucketUrl.parse("s3://news"), S3()).read("a.txt")
