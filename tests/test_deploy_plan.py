"""What a deploy sends, in what order, and what it deletes (balita_cli/deploy/plan.py): worked out
from the build's file list and the last deploy's state, with no bucket or folder involved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from balita_cli.deploy.plan import (
    RETIRE_AFTER,
    DeployState,
    Kind,
    SiteFile,
    cache_control,
    check_deletes,
    content_type,
    is_published,
    kind_of,
    make_plan,
    purge_urls,
)
from balita_cli.errors import InvalidInput

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def site(*paths: str, digest: str = "a") -> dict[str, SiteFile]:
    return {path: SiteFile(path, digest, 1) for path in paths}


@pytest.mark.parametrize(
    ("path", "kind", "media_type", "cache"),
    [
        ("media/0123-640.webp", Kind.ASSET, "image/webp", "public, max-age=31536000, immutable"),
        ("pagefind/index/en_1.pf_index", Kind.ASSET, "application/octet-stream", "public, max-age=31536000, immutable"),
        ("pagefind/wasm.en.pagefind", Kind.ASSET, "application/octet-stream", "public, max-age=31536000, immutable"),
        ("style.css", Kind.ASSET, "text/css; charset=utf-8", "public, max-age=3600"),
        ("search.js", Kind.ASSET, "text/javascript; charset=utf-8", "public, max-age=3600"),
        ("articles/a/index.html", Kind.PAGE, "text/html; charset=utf-8", "public, max-age=60"),
        ("2019/05/old.html", Kind.LIST, "text/html; charset=utf-8", "public, max-age=60"),
        ("index.html", Kind.LIST, "text/html; charset=utf-8", "public, max-age=60"),
        ("tags/x/page/2/index.html", Kind.LIST, "text/html; charset=utf-8", "public, max-age=60"),
        ("feed.xml", Kind.FEED, "application/rss+xml; charset=utf-8", "public, max-age=300"),
        ("tags/x/feed.xml", Kind.FEED, "application/rss+xml; charset=utf-8", "public, max-age=300"),
        ("atom.xml", Kind.FEED, "application/atom+xml; charset=utf-8", "public, max-age=300"),
        ("feed.json", Kind.FEED, "application/feed+json; charset=utf-8", "public, max-age=300"),
        ("news-sitemap.xml", Kind.FEED, "application/xml; charset=utf-8", "public, max-age=300"),
        ("pagefind/3892314112-26/pagefind-entry.json", Kind.LIST, "application/json", "public, max-age=60"),
        ("pagefind/shards.json", Kind.FEED, "application/json", "public, max-age=300"),
        ("robots.txt", Kind.FEED, "text/plain; charset=utf-8", "public, max-age=300"),
        ("odd-file", Kind.ASSET, "application/octet-stream", "public, max-age=3600"),
    ],
)
def test_each_file_has_a_kind_a_type_and_a_cache_policy(path: str, kind: Kind, media_type: str, cache: str) -> None:
    assert (kind_of(path), content_type(path), cache_control(path, kind_of(path))) == (kind, media_type, cache)


@pytest.mark.parametrize(
    "path", [".balita-build.json", ".balita-redirects.map", ".balita-deploy.json", "../x", "a//b", "a\\b", "a\x00b", ""]
)
def test_what_is_never_published(path: str) -> None:
    assert not is_published(path)


def test_uploads_go_in_order_and_deletions_last() -> None:
    files = site("feed.xml", "index.html", "articles/b/index.html", "media/x-320.jpg", "articles/a/index.html")
    plan = make_plan(files, DeployState({"gone/index.html": "a", "feed.xml": "a"}), NOW)
    assert [item.path for item in plan.upload] == [
        "media/x-320.jpg",
        "articles/a/index.html",
        "articles/b/index.html",
        "index.html",
    ]
    assert plan.delete == ["gone/index.html"] and plan.unchanged == 1
    assert plan.replaced == ["gone/index.html"]  # new files need no purge


def test_a_changed_redirect_is_sent_again() -> None:
    before = SiteFile("articles/old/index.html", "a", 1, "/articles/new/")
    after = SiteFile("articles/old/index.html", "a", 1, "/articles/newer/")
    plan = make_plan({after.path: after}, DeployState({before.path: before.fingerprint}), NOW)
    assert [item.path for item in plan.upload] == [after.path] and plan.replaced == [after.path]


def test_what_a_killed_deploy_left_pending_is_sent_again_or_removed() -> None:
    files = site("index.html", "articles/a/index.html")
    state = DeployState(
        files={"index.html": "a", "articles/a/index.html": "a"},
        pending=["articles/a/index.html", "articles/gone/index.html"],
    )
    plan = make_plan(files, state, NOW)
    assert [item.path for item in plan.upload] == ["articles/a/index.html"]  # the killed deploy may have half-sent it
    assert plan.delete == ["articles/gone/index.html"]


def test_content_named_files_are_retired_an_hour_before_they_go() -> None:
    state = DeployState(files={"pagefind/index/en_old.pf_index": "a", "articles/x/index.html": "a"})
    plan = make_plan(site("pagefind/index/en_new.pf_index"), state, NOW)
    assert plan.delete == ["articles/x/index.html"]
    assert plan.retired == {"pagefind/index/en_old.pf_index": NOW.isoformat()}
    kept = DeployState(files={"pagefind/index/en_new.pf_index": "a"}, retired=plan.retired)
    soon = make_plan(site("pagefind/index/en_new.pf_index"), kept, NOW + RETIRE_AFTER - timedelta(seconds=1))
    assert soon.empty and soon.delete == []
    due = make_plan(site("pagefind/index/en_new.pf_index"), kept, NOW + RETIRE_AFTER)
    assert due.delete == ["pagefind/index/en_old.pf_index"] and due.retired == {} and due.expired == 1
    check_deletes(due, 0, "s3://x/")  # what was retired by an accepted deploy is not capped
    back = make_plan(site("pagefind/index/en_old.pf_index"), kept, NOW)
    # A file that comes back is sent and no longer retired; the one it replaces is retired now.
    assert [item.path for item in back.upload] == ["pagefind/index/en_old.pf_index"] and back.delete == []
    assert back.retired == {"pagefind/index/en_new.pf_index": NOW.isoformat()}


def test_deletions_are_capped() -> None:
    plan = make_plan({}, DeployState(files={f"articles/{n}/index.html": "a" for n in range(3)}), NOW)
    check_deletes(plan, 3, "s3://x/")
    with pytest.raises(InvalidInput, match="would delete 3 files from s3://x/, more than --max-deletes 2"):
        check_deletes(plan, 2, "s3://x/")


def test_the_state_survives_a_round_trip_and_damage_is_no_state() -> None:
    state = DeployState({"a.html": "1", "b/c.css": "2>/x/"}, ["a.html"], retired={"media/x.jpg": NOW.isoformat()})
    assert DeployState.from_bytes(state.to_bytes()) == state
    for damaged in (
        b"",
        b"[]",
        b'{"version": 2}',
        b'{"version": 1, "paths": ["a"], "fingerprints": []}',
        b'{"version": 1, "paths": [1], "fingerprints": ["a"], "pending": []}',
    ):
        assert DeployState.from_bytes(damaged) is None
    hostile = (
        b'{"version": 1, "paths": ["../etc/passwd", "ok.html"], "fingerprints": ["a", "b"], "pending": ["/x"],'
        b' "retired": {"media/a.jpg": "yesterday", "../b": "2026-01-01T00:00:00+00:00"}}'
    )
    read = DeployState.from_bytes(hostile)
    assert read is not None and (read.files, read.pending, read.retired) == ({"ok.html": "b"}, [], {})


def test_purge_urls_are_the_addresses_readers_use() -> None:
    assert purge_urls("https://news.example.ph/ph/", ["index.html", "articles/a/index.html", "feed.xml"]) == [
        "https://news.example.ph/ph/",
        "https://news.example.ph/ph/articles/a/",
        "https://news.example.ph/ph/feed.xml",
    ]
